// Issue 15 §4: every agent as it hooks today — MCP tools, Copilot's apply_patch, Codex's
// answer and unreadable patches, Cursor's Tab and MCP events, and hosts that run another
// agent's entry (Copilot CLI and Cursor run .claude/settings.json hooks). Each payload
// is a recorded sample (test/fixtures/agents), sent through the entry init wires.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, type Run, type TestRepo } from '../../helpers/repo.js';
import { hook, humanTask, ledger, payload, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

let repo: TestRepo;
const command: Record<string, string> = {};
beforeAll(() => {
  repo = repoWithPolicy();
  const r = repo.cleanroom([
    'init',
    '--hooks',
    'none',
    '--agents',
    'claude-code,codex,copilot,cursor,gemini',
  ]);
  if (r.code !== 0) throw new Error(r.stderr);
  humanTask(repo);
  for (const a of ['claude-code', 'codex', 'copilot', 'cursor', 'gemini'])
    command[a] = wiredCommand(repo, a);
}, 120_000);

/** Runs `agent`'s wired entry as its host does (project-dir variables set where the host sets them). */
function wired(agent: string, input: string, env: NodeJS.ProcessEnv = {}): Run {
  const vars: Record<string, NodeJS.ProcessEnv> = {
    'claude-code': { CLAUDE_PROJECT_DIR: repo.dir },
    gemini: { GEMINI_PROJECT_DIR: repo.dir },
    cursor: { CURSOR_PROJECT_DIR: repo.dir },
  };
  return runWired(repo, command[agent]!, input, { env: { ...repo.env, ...vars[agent], ...env } });
}

const denied = {
  claude: (r: Run) => r.code === 2,
  codex: (r: Run) =>
    r.code === 0 && JSON.parse(r.stdout).hookSpecificOutput?.permissionDecision === 'deny',
  gemini: (r: Run) => r.code === 0 && JSON.parse(r.stdout).decision === 'deny',
  cursor: (r: Run) => JSON.parse(r.stdout).permission === 'deny',
  copilot: (r: Run) => JSON.parse(r.stdout || '{}').permissionDecision === 'deny',
};

describe('MCP tools: every path-like argument is judged', { timeout: 120_000 }, () => {
  it('Claude Code: filesystem write_file into a deny zone and read_text_file of a read: deny zone are refused', () => {
    const w = wired(
      'claude-code',
      payload('claude-code', 'PreToolUse-mcp__filesystem__write_file', repo),
    );
    expect(denied.claude(w)).toBe(true);
    expect(w.stderr).toContain('evals/tasks/q9.json is in zone "eval-tasks"');
    expect(
      denied.claude(
        wired(
          'claude-code',
          payload('claude-code', 'PreToolUse-mcp__filesystem__read_text_file', repo),
        ),
      ),
    ).toBe(true);
    // control: the same tools on ordinary files
    expect(
      wired(
        'claude-code',
        payload(
          'claude-code',
          'PreToolUse-mcp__filesystem__write_file',
          repo,
          (o) => (o.tool_input.path = join(repo.dir, 'src/x.ts')),
        ),
      ).code,
    ).toBe(0);
    expect(
      wired(
        'claude-code',
        payload(
          'claude-code',
          'PreToolUse-mcp__filesystem__read_text_file',
          repo,
          (o) => (o.tool_input.path = join(repo.dir, 'README.md')),
        ),
      ).code,
    ).toBe(0);
  });

  it('Codex, Gemini CLI and Cursor (beforeMCPExecution) likewise', () => {
    expect(
      denied.codex(
        wired('codex', payload('codex', 'PreToolUse-mcp__filesystem__write_file', repo)),
      ),
    ).toBe(true);
    expect(
      wired(
        'codex',
        payload(
          'codex',
          'PreToolUse-mcp__filesystem__write_file',
          repo,
          (o) => (o.tool_input.path = 'src/x.ts'),
        ),
      ),
    ).toMatchObject({ code: 0, stdout: '' });
    expect(
      denied.gemini(
        wired('gemini', payload('gemini', 'BeforeTool-mcp__filesystem__read_text_file', repo)),
      ),
    ).toBe(true);
    expect(
      wired(
        'gemini',
        payload(
          'gemini',
          'BeforeTool-mcp__filesystem__read_text_file',
          repo,
          (o) => (o.tool_input.path = 'README.md'),
        ),
      ),
    ).toMatchObject({ code: 0, stdout: '{}\n' });
    const mcp = wired('cursor', payload('cursor', 'beforeMCPExecution', repo));
    expect(denied.cursor(mcp)).toBe(true);
    const ok = wired(
      'cursor',
      payload(
        'cursor',
        'beforeMCPExecution',
        repo,
        (o) => (o.tool_input = JSON.stringify({ path: join(repo.dir, 'src/x.ts'), content: '' })),
      ),
    );
    expect(ok).toMatchObject({ code: 0, stdout: '{}\n' });
  });

  it('wiring: the matchers let MCP tools through to the hook', () => {
    const claude = JSON.parse(readFileSync(join(repo.dir, '.claude/settings.json'), 'utf8'));
    expect(
      new RegExp(`^(?:${claude.hooks.PreToolUse[0].matcher})$`).test('mcp__filesystem__write_file'),
    ).toBe(true);
    const codex = JSON.parse(readFileSync(join(repo.dir, '.codex/hooks.json'), 'utf8'));
    expect(new RegExp(codex.hooks.PreToolUse[0].matcher).test('mcp__filesystem__write_file')).toBe(
      true,
    );
    const gemini = JSON.parse(readFileSync(join(repo.dir, '.gemini/settings.json'), 'utf8'));
    expect(
      new RegExp(gemini.hooks.BeforeTool[0].matcher).test('mcp__filesystem__read_text_file'),
    ).toBe(true);
    const cursor = JSON.parse(readFileSync(join(repo.dir, '.cursor/hooks.json'), 'utf8'));
    expect(Object.keys(cursor.hooks)).toEqual(
      expect.arrayContaining(['beforeMCPExecution', 'beforeTabFileRead', 'afterTabFileEdit']),
    );
  });
});

describe('GitHub Copilot', { timeout: 120_000 }, () => {
  it('apply_patch adding evals/tasks/q9.json is refused; one adding src/x.ts passes', () => {
    const r = wired('copilot', payload('copilot', 'preToolUse-apply_patch', repo));
    expect(denied.copilot(r)).toBe(true);
    expect(JSON.parse(r.stdout).permissionDecisionReason).toContain(
      'evals/tasks/q9.json is in zone "eval-tasks"',
    );
    const ok = wired(
      'copilot',
      payload(
        'copilot',
        'preToolUse-apply_patch',
        repo,
        (o) =>
          (o.toolArgs = '*** Begin Patch\n*** Add File: src/x.ts\n+export {};\n*** End Patch\n'),
      ),
    );
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('an apply_patch it cannot read is refused, not waved through', () => {
    for (const args of ['{"input": 42}', 'not a patch', '{"files": ["evals/tasks/q9.json"]}']) {
      expect([
        args,
        denied.copilot(
          wired(
            'copilot',
            payload('copilot', 'preToolUse-apply_patch', repo, (o) => (o.toolArgs = args)),
          ),
        ),
      ]).toEqual([args, true]);
    }
  });

  it('a judgement that takes too long is answered "deny" before Copilot\'s timeout turns it into "allow"', () => {
    // A call that has to ask git (no lookup memo from the calls before: src/agents/policy.ts)
    // waits on a process for longer than the 1 ms budget; one that does not may finish
    // its synchronous work before the timer can fire, and is then rightly answered.
    rmSync(join(repo.dir, '.git', 'cleanroom', 'agent-policy-lookup.json'), { force: true });
    const r = hook(
      repo,
      'copilot',
      payload(
        'copilot',
        'preToolUse-apply_patch',
        repo,
        (o) => (o.toolArgs = '*** Begin Patch\n*** Add File: src/x.ts\n+x\n*** End Patch\n'),
      ),
      {
        env: { ...repo.env, CLEANROOM_AGENT_HOOK_BUDGET_MS: '1' },
      },
    );
    expect(denied.copilot(r)).toBe(true);
    expect(JSON.parse(r.stdout).permissionDecisionReason).toContain(
      'could not judge this apply_patch call within 1 ms',
    );
  });
});

describe('Codex', { timeout: 120_000 }, () => {
  it('apply_patch whose command is an array or an object fails closed', () => {
    for (const cmd of [
      ['*** Begin Patch', '*** Add File: evals/tasks/q9.json'],
      { patch: 42 },
      7,
    ]) {
      const r = wired(
        'codex',
        payload('codex', 'PreToolUse-apply_patch', repo, (o) => (o.tool_input = { command: cmd })),
      );
      expect([JSON.stringify(cmd), r.code]).toEqual([JSON.stringify(cmd), 2]);
      expect(r.stderr).toContain('blocked to be safe');
    }
  });

  it('a denied apply_patch is answered in the permissionDecision form; the ordinary one passes', () => {
    const r = wired(
      'codex',
      payload(
        'codex',
        'PreToolUse-apply_patch',
        repo,
        (o) =>
          (o.tool_input.command =
            '*** Begin Patch\n*** Add File: evals/tasks/q9.json\n+{}\n*** End Patch'),
      ),
    );
    expect(JSON.parse(r.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringContaining('eval-tasks'),
      },
    });
    expect(wired('codex', payload('codex', 'PreToolUse-apply_patch', repo))).toMatchObject({
      code: 0,
      stdout: '',
    });
  });

  it('a shell call given as an argv array is read as one command line', () => {
    const r = wired(
      'codex',
      payload(
        'codex',
        'PreToolUse-Bash',
        repo,
        (o) => (o.tool_input = { command: ['bash', '-lc', 'cat evals/tasks/q1.json'] }),
      ),
    );
    expect(denied.codex(r)).toBe(true);
    expect(
      wired(
        'codex',
        payload(
          'codex',
          'PreToolUse-Bash',
          repo,
          (o) => (o.tool_input = { command: ['bash', '-lc', 'cat README.md'] }),
        ),
      ).code,
    ).toBe(0);
  });
});

describe('Cursor Tab', { timeout: 120_000 }, () => {
  it('beforeTabFileRead of a read: deny zone is refused; of README.md allowed', () => {
    expect(denied.cursor(wired('cursor', payload('cursor', 'beforeTabFileRead', repo)))).toBe(true);
    expect(
      wired(
        'cursor',
        payload(
          'cursor',
          'beforeTabFileRead',
          repo,
          (o) => (o.file_path = join(repo.dir, 'README.md')),
        ),
      ),
    ).toMatchObject({ code: 0, stdout: '{"permission":"allow"}\n' });
  });

  it('afterTabFileEdit is recorded in the ledger; into a deny zone, the model is told to undo it', () => {
    repo.write(
      'evals/harness/score.py',
      'def score(results):\n    return sum(r.correct for r in results) / max(len(results), 1)\n',
    );
    expect(wired('cursor', payload('cursor', 'afterTabFileEdit', repo))).toMatchObject({ code: 0 });
    expect(
      ledger(repo).entries.some((e) => e.tool === 'cursor' && e.path === 'evals/harness/score.py'),
    ).toBe(true);
    repo.write('data/train/x.txt', 'tab text\n');
    expect(
      denied.cursor(
        wired(
          'cursor',
          payload(
            'cursor',
            'afterTabFileEdit',
            repo,
            (o) => (o.file_path = join(repo.dir, 'data/train/x.txt')),
          ),
        ),
      ),
    ).toBe(true);
  });

  it('the wired command finds the project through CURSOR_PROJECT_DIR, from any directory', () => {
    expect(command.cursor).toMatch(/^env -u NODE_EXTRA_CA_CERTS node /);
    const r = runWired(repo, command.cursor!, payload('cursor', 'beforeTabFileRead', repo), {
      cwd: '/',
      env: { ...repo.env, CURSOR_PROJECT_DIR: repo.dir },
    });
    expect(denied.cursor(r)).toBe(true);
  });
});

describe("hosts that run another agent's entry", { timeout: 120_000 }, () => {
  it('Copilot CLI runs the Claude Code entry (its own payload, no CLAUDE_PROJECT_DIR): ordinary writes pass, zone writes are refused in its protocol', () => {
    const env = { ...repo.env, CLAUDE_PROJECT_DIR: undefined };
    const ok = runWired(
      repo,
      command['claude-code']!,
      payload(
        'copilot',
        'preToolUse-create',
        repo,
        (o) =>
          (o.toolArgs = JSON.stringify({
            path: join(repo.dir, 'src/new.ts'),
            file_text: 'export {};\n',
          })),
      ),
      { env },
    );
    expect(ok).toEqual({ code: 0, stdout: '', stderr: '' });
    const no = runWired(
      repo,
      command['claude-code']!,
      payload('copilot', 'preToolUse-create', repo),
      { env },
    );
    expect(no.code).toBe(2);
    expect(JSON.parse(no.stdout).permissionDecision).toBe('deny');
    expect(no.stderr).toContain('zone "eval-tasks"');
    expect(no.stderr).toContain('(copilot)'); // judged as Copilot's write
  });

  it('Cursor runs the Claude Code entry with a Cursor payload: judged and answered as Cursor', () => {
    const env = { ...repo.env, CLAUDE_PROJECT_DIR: undefined };
    const no = runWired(repo, command['claude-code']!, payload('cursor', 'preToolUse', repo), {
      env,
    });
    expect(no.code).toBe(2);
    expect(JSON.parse(no.stdout).permission).toBe('deny');
    const ok = runWired(
      repo,
      command['claude-code']!,
      payload(
        'cursor',
        'preToolUse',
        repo,
        (o) => (o.tool_input.file_path = join(repo.dir, 'src/b.ts')),
      ),
      { env },
    );
    expect(ok).toMatchObject({ code: 0, stdout: '{}\n' });
  });
});

describe('one id per agent', { timeout: 120_000 }, () => {
  it('agent-hook takes the tool ids, and the old names as aliases; an unknown name exits 2', () => {
    for (const id of ['claude-code', 'claude']) {
      const r = hook(repo, id, payload('claude-code', 'PreToolUse-Write', repo), { viaCli: true });
      expect([id, r.code]).toEqual([id, 2]);
    }
    expect(
      hook(
        repo,
        'gemini-cli',
        payload(
          'gemini',
          'BeforeTool-read_file',
          repo,
          (o) => (o.tool_input.file_path = 'README.md'),
        ),
        { viaCli: true },
      ),
    ).toMatchObject({ code: 0, stdout: '{}\n' });
    const bad = hook(repo, 'aider', '{}', { viaCli: true });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'unknown agent "aider" — use one of claude-code, codex, copilot, cursor, gemini',
    );
  });
});
