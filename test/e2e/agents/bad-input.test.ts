// Hostile or broken input gets a clear decision, in the agent's protocol, and never a
// crash that lets a write through: pre-events fail closed and say why on stderr.

import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENTS } from '../../../src/agents/types.js';
import { POLICY, removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';
import { hook, hookAsync, ledger, payload } from './world.js';

afterAll(removeTempDirs);

/** How each agent sees "blocked" in a reply. */
function blocked(agent: string, r: { code: number; stdout: string }): boolean {
  switch (agent) {
    case 'claude-code':
    case 'gemini':
      return r.code === 2 || (r.code === 0 && JSON.parse(r.stdout || '{}').decision === 'deny');
    case 'codex':
      return (
        r.code === 2 ||
        (r.code === 0 &&
          JSON.parse(r.stdout || '{}').hookSpecificOutput?.permissionDecision === 'deny')
      );
    case 'cursor':
      return r.code === 2 || JSON.parse(r.stdout || '{}').permission === 'deny';
    case 'copilot':
      return r.code === 0 && JSON.parse(r.stdout || '{}').permissionDecision === 'deny';
    default:
      throw new Error(agent);
  }
}

describe('malformed and oversized input', { timeout: 120_000 }, () => {
  const repo = repoWithPolicy({ init: false });

  for (const agent of AGENTS) {
    it(`${agent}: not JSON, not an object, empty — blocked with the reason on stderr`, () => {
      for (const input of ['{"hook_event_name": "PreToolUse", "tool_na', '[1,2,3]', '']) {
        const r = hook(repo, agent, input);
        expect([input, blocked(agent, r)]).toEqual([input, true]);
        expect(r.stderr).toMatch(
          /^cleanroom: could not check this tool call \((hook input is not JSON|.* hook input is not a JSON object)\) — blocked to be safe/m,
        );
      }
    });
  }

  it('input larger than 16 MiB is refused unread', () => {
    const huge = JSON.stringify({
      hook_event_name: 'PreToolUse',
      tool_name: 'Write',
      tool_input: { file_path: `${repo.dir}/src/x.txt`, content: 'x'.repeat(17 * 1024 * 1024) },
    });
    const r = hook(repo, 'claude', huge);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hook input larger than 16 MiB');
  });

  it('an unknown agent name, or none, exits 2 (blocks) and says so', () => {
    expect(hook(repo, 'aider', '{}')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown agent "aider"'),
    });
    expect(hook(repo, '', '{}').code).toBe(2);
  });
});

describe('paths', { timeout: 120_000 }, () => {
  const write = (repo: TestRepo, filePath: string, cwd = repo.dir) =>
    hook(
      repo,
      'claude',
      payload('claude', 'PreToolUse-Write', repo, (o) =>
        Object.assign(o, { cwd }, { tool_input: { file_path: filePath, content: 'x' } }),
      ),
      { cwd },
    );

  it('relative to the payload cwd, absolute, with .. — all land in the zone', () => {
    const repo = repoWithPolicy({ init: false });
    mkdirSync(join(repo.dir, 'evals/harness'), { recursive: true });
    expect(write(repo, 'evals/tasks/a.json').code).toBe(2);
    expect(write(repo, `${repo.dir}/evals/tasks/a.json`).code).toBe(2);
    expect(write(repo, '../tasks/a.json', join(repo.dir, 'evals/harness')).code).toBe(2);
    expect(write(repo, 'x.py', join(repo.dir, 'evals/harness')).code).toBe(0);
  });

  it('a symlink pointing into a zone is judged at its target', () => {
    const repo = repoWithPolicy({ init: false });
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    symlinkSync('evals/tasks', join(repo.dir, 'shortcut'));
    const r = write(repo, 'shortcut/new.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('evals/tasks/new.json is in zone "eval-tasks"');
  });

  it('outside the repository, or in no repository at all: allowed', () => {
    const repo = repoWithPolicy({ init: false });
    const scratch = tempDir();
    expect(write(repo, join(scratch, 'evals/tasks/a.json'))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    expect(write(repo, 'evals/tasks/a.json', scratch)).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});

describe('the policy', { timeout: 120_000 }, () => {
  it('missing everywhere: nothing to enforce, writes allowed', () => {
    const repo = TestRepo.init();
    const r = hook(repo, 'claude', payload('claude', 'PreToolUse-Write', repo));
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('deleted from the work tree: the committed one holds, and stderr says so', () => {
    const repo = repoWithPolicy({ init: false });
    rmSync(join(repo.dir, '.cleanroom/policy.yaml'));
    const r = hook(repo, 'claude', payload('claude', 'PreToolUse-Write', repo));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'cleanroom: .cleanroom/policy.yaml is missing — judged by the committed policy (HEAD:.cleanroom/policy.yaml)',
    );
  });

  it('invalid with nothing committed: every write fails closed, naming the problem', () => {
    const repo = TestRepo.init();
    repo.write('.cleanroom/policy.yaml', POLICY.replace('ai: deny', 'ai: maybe'));
    for (const agent of AGENTS) {
      const name = {
        'claude-code': 'PreToolUse-Edit',
        codex: 'PreToolUse-apply_patch',
        cursor: 'preToolUse',
        gemini: 'BeforeTool-replace',
        copilot: 'preToolUse-edit',
      }[agent];
      const r = hook(repo, agent, payload(agent, name, repo));
      expect([agent, blocked(agent, r)]).toEqual([agent, true]);
      expect(r.stdout + r.stderr).toContain(
        'because the policy is invalid (.cleanroom/policy.yaml:',
      );
    }
  });

  it('an agent may not rewrite the policy itself', () => {
    const repo = repoWithPolicy({ init: false });
    const r = hook(
      repo,
      'claude',
      payload(
        'claude',
        'PreToolUse-Edit',
        repo,
        (o) => (o.tool_input.file_path = `${repo.dir}/.cleanroom/policy.yaml`),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cleanroom's or git's own configuration");
  });
});

describe('after a write', { timeout: 120_000 }, () => {
  it('a write that reached a deny zone anyway (no pre-hook) is recorded, and the agent is told to undo it', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = hook(
      repo,
      'claude',
      payload(
        'claude',
        'PostToolUse-Write',
        repo,
        (o) => (o.tool_input.file_path = `${repo.dir}/evals/tasks/q1.json`),
      ),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'evals/tasks/q1.json was just written, but it is in zone "eval-tasks"',
    );
    expect(r.stderr).toContain('undo this change now');
    expect(ledger(repo).entries.map((e) => e.path)).toEqual(['evals/tasks/q1.json']);
  });

  it('a ledger that cannot be written: the agent goes on (the write happened), the user hears it', () => {
    const repo = repoWithPolicy({ init: false });
    writeFileSync(join(repo.dir, '.git/cleanroom'), 'not a directory');
    repo.write('src/a.py', 'print("hello from a file the agent wrote")\n');
    const r = hook(
      repo,
      'claude',
      payload(
        'claude',
        'PostToolUse-Write',
        repo,
        (o) => (o.tool_input.file_path = `${repo.dir}/src/a.py`),
      ),
    );
    expect(r.code).toBe(1); // Claude Code: non-blocking error, shown to the user
    expect(r.stderr).toMatch(
      /^cleanroom: this write was not recorded in the ledger \(.*\) — its commit may lack an Assisted-by trailer/,
    );
  });
});

describe('the ledger under load', { timeout: 120_000 }, () => {
  it('agents writing at once: every record lands whole', async () => {
    const repo = repoWithPolicy({ init: false });
    const N = 24;
    const runs = await Promise.all(
      Array.from({ length: N }, (_, i) => {
        const path = `src/gen_${i}.py`;
        const content =
          `# generated file ${i}\n` +
          Array.from(
            { length: 200 },
            (_, j) => `value_${i}_${j} = compute(${i}, ${j}, "a reasonably long line")`,
          ).join('\n') +
          '\n';
        repo.write(path, content);
        return hookAsync(
          repo,
          'claude',
          payload('claude', 'PostToolUse-Write', repo, (o) =>
            Object.assign(o.tool_input, { file_path: `${repo.dir}/${path}`, content }),
          ),
        );
      }),
    );
    expect(runs.map((r) => r.code)).toEqual(Array(N).fill(0));
    const { entries, skipped } = ledger(repo);
    expect(skipped).toBe(0);
    expect(entries.map((e) => e.path).sort()).toEqual(
      Array.from({ length: N }, (_, i) => `src/gen_${i}.py`).sort(),
    );
    expect(entries.map((e) => e.lines.length)).toEqual(Array(N).fill(201)); // 200 values and the header
  });

  it('past its size limit the ledger drops what is gone from the work tree and the index', () => {
    const repo = repoWithPolicy({ init: false });
    const env = { ...repo.env, CLEANROOM_LEDGER_MAX_BYTES: '3000' };
    const write = (path: string) => {
      const content =
        Array.from({ length: 20 }, (_, j) => `line ${j} of ${path}, long enough to be hashed`).join(
          '\n',
        ) + '\n';
      repo.write(path, content);
      return hook(
        repo,
        'claude',
        payload('claude', 'PostToolUse-Write', repo, (o) =>
          Object.assign(o.tool_input, { file_path: `${repo.dir}/${path}`, content }),
        ),
        { env },
      );
    };
    for (let i = 0; i < 6; i++) expect(write(`tmp/t${i}.txt`).code).toBe(0);
    repo.git('add', 'tmp/t0.txt'); // staged, then deleted from the work tree: still in the index
    for (let i = 0; i < 5; i++) rmSync(join(repo.dir, `tmp/t${i}.txt`));
    expect(write('keep.txt').code).toBe(0);
    expect(
      ledger(repo)
        .entries.map((e) => e.path)
        .sort(),
    ).toEqual(['keep.txt', 'tmp/t0.txt', 'tmp/t5.txt']);
  });
});
