// A simulated agent session per agent, through the built hook and a real `git commit`:
// the agent writes a harness file (allowed, recorded), tries to write an eval task
// (blocked, the way that agent's protocol blocks), tries to read the held-out tasks
// (blocked); then a human stages the harness file and commits.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';
import { HARNESS, hook, humanTask, ledger, payload, REVIEWED } from './world.js';

afterAll(removeTempDirs);

describe('Claude Code session', { timeout: 120_000 }, () => {
  it('harness write recorded, eval write and reads blocked; the commit needs a review and carries Assisted-by', () => {
    const repo = repoWithPolicy();
    humanTask(repo);
    const harness = `${repo.dir}/evals/harness/score.py`;

    // 1. Write a harness file: allowed (no decision: Claude's own permission flow goes on).
    const pre = hook(
      repo,
      'claude',
      payload('claude', 'PreToolUse-Write', repo, (o) =>
        Object.assign(o.tool_input, { file_path: harness, content: HARNESS }),
      ),
    );
    expect(pre).toEqual({ code: 0, stdout: '', stderr: '' });
    repo.write('evals/harness/score.py', HARNESS); // the agent's write
    expect(hook(repo, 'claude', payload('claude', 'PostToolUse-Write', repo))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    const { entries } = ledger(repo);
    expect(entries.map((e) => [e.tool, e.path, e.session, e.lines.length])).toEqual([
      ['claude-code', 'evals/harness/score.py', '9f1c2d3e-4b5a-4789-9bcd-ef0123456789', 3],
    ]);
    expect(entries[0]!.blob).toBe(repo.git('hash-object', 'evals/harness/score.py').trim());

    // 2. Write an eval task: exit 2, the reason on stderr for the model.
    const deny = hook(repo, 'claude', payload('claude', 'PreToolUse-Write', repo));
    expect(deny.code).toBe(2);
    expect(deny.stdout).toBe('');
    expect(deny.stderr).toBe(
      'cleanroom: evals/tasks/q1.json is in zone "eval-tasks", which must contain no AI-written content (claude-code) — a human has to write it by hand.\n',
    );

    // 3. Read the held-out tasks, by Read, Grep, Glob and Bash: exit 2 each.
    for (const name of [
      'PreToolUse-Read',
      'PreToolUse-Grep',
      'PreToolUse-Glob',
      'PreToolUse-Bash',
    ]) {
      const r = hook(repo, 'claude', payload('claude', name, repo));
      expect([name, r.code]).toEqual([name, 2]);
      expect(r.stderr).toMatch(/zone "eval-tasks".*which agents may not read/);
    }
    // A Grep aimed elsewhere is fine.
    expect(
      hook(
        repo,
        'claude',
        payload('claude', 'PreToolUse-Grep', repo, (o) => (o.tool_input.path = 'src')),
      ).code,
    ).toBe(0);

    // 4. A human stages the harness file and commits without review: blocked.
    const blocked = repo.commit('add scorer', { add: ['evals/harness/score.py'] });
    expect(blocked.code).not.toBe(0);
    expect(blocked.stderr).toContain('evals/harness/score.py');
    expect(blocked.stderr).toContain('zone eval-harness (review) · tool claude-code');

    // 5. With a human review: passes, and the commit says which agent helped.
    const ok = repo.commit('add scorer', { add: [], args: ['-m', REVIEWED] });
    expect(ok.code, ok.stderr).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: claude-code$/m);
    expect(repo.lastMessage()).toContain(REVIEWED);
  });

  it('`cleanroom agent-hook claude` (the CLI command) decides the same as the hook bundle', () => {
    const repo = repoWithPolicy();
    const r = hook(repo, 'claude', payload('claude', 'PreToolUse-Write', repo), { viaCli: true });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('zone "eval-tasks"');
  });
});

describe('Codex CLI session', { timeout: 120_000 }, () => {
  it('apply_patch into the harness recorded with the model; into eval tasks blocked by permissionDecision "deny"; shell reads blocked', () => {
    const repo = repoWithPolicy();
    humanTask(repo);
    repo.write('evals/harness/run.py', 'def main():\n    print(score(a, b))\n');
    repo.commit('runner', { add: ['evals/harness/run.py'], args: ['--no-verify'] });
    expect(hook(repo, 'codex', payload('codex', 'PreToolUse-apply_patch', repo))).toEqual({
      code: 0,
      stdout: '',
      stderr: '',
    });
    repo.write('evals/harness/score.py', HARNESS);
    repo.write(
      'evals/harness/run.py',
      'def main():\n    print(f"score={score(a, b):.3f} for {len(sys.argv)} arguments")\n',
    );
    expect(hook(repo, 'codex', payload('codex', 'PostToolUse-apply_patch', repo)).code).toBe(0);
    expect(ledger(repo).entries.map((e) => [e.path, e.model])).toEqual([
      ['evals/harness/score.py', 'gpt-5-codex'],
      ['evals/harness/run.py', 'gpt-5-codex'],
    ]);

    const patch =
      '*** Begin Patch\n*** Add File: evals/tasks/q2.json\n+{"question": "generated"}\n*** End Patch';
    const deny = hook(
      repo,
      'codex',
      payload('codex', 'PreToolUse-apply_patch', repo, (o) => (o.tool_input.command = patch)),
    );
    expect(deny.code).toBe(0);
    expect(JSON.parse(deny.stdout)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: expect.stringContaining(
          'evals/tasks/q2.json is in zone "eval-tasks"',
        ),
      },
    });

    const read = hook(repo, 'codex', payload('codex', 'PreToolUse-Bash', repo));
    expect(JSON.parse(read.stdout).hookSpecificOutput.permissionDecision).toBe('deny');

    expect(repo.commit('scorer', { add: ['evals/harness'] }).code).not.toBe(0);
    const ok = repo.commit('scorer', { add: [], args: ['-m', REVIEWED] });
    expect(ok.code, ok.stderr).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: codex:gpt-5-codex$/m);
  });
});

describe('Cursor session', { timeout: 120_000 }, () => {
  it('afterFileEdit recorded; preToolUse write and beforeReadFile denied with permission:"deny"', () => {
    const repo = repoWithPolicy();
    humanTask(repo);
    repo.write('evals/harness/score.py', HARNESS);
    expect(hook(repo, 'cursor', payload('cursor', 'afterFileEdit', repo))).toEqual({
      code: 0,
      stdout: '{}\n',
      stderr: '',
    });
    expect(ledger(repo).entries.map((e) => [e.tool, e.path, e.model])).toEqual([
      ['cursor', 'evals/harness/score.py', 'claude-4.5-sonnet'],
    ]);

    for (const name of ['preToolUse', 'beforeReadFile', 'beforeShellExecution']) {
      const r = hook(repo, 'cursor', payload('cursor', name, repo));
      expect([name, r.code]).toEqual([name, 0]);
      expect(JSON.parse(r.stdout)).toMatchObject({
        permission: 'deny',
        agent_message: expect.stringContaining('zone "eval-tasks"'),
      });
    }
    expect(
      hook(
        repo,
        'cursor',
        payload('cursor', 'beforeReadFile', repo, (o) => (o.file_path = `${repo.dir}/README.md`)),
      ).stdout,
    ).toBe('{"permission":"allow"}\n');

    expect(repo.commit('scorer', { add: ['evals/harness/score.py'] }).code).not.toBe(0);
    expect(repo.commit('scorer', { add: [], args: ['-m', REVIEWED] }).code).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: cursor:claude-4\.5-sonnet$/m);
  });
});

describe('Gemini CLI session', { timeout: 120_000 }, () => {
  it('write_file recorded; eval write, read_file, read_many_files, grep and shell denied with decision:"deny"', () => {
    const repo = repoWithPolicy();
    humanTask(repo);
    expect(
      hook(
        repo,
        'gemini',
        payload('gemini', 'BeforeTool-write_file', repo, (o) =>
          Object.assign(o.tool_input, { file_path: 'evals/harness/score.py', content: HARNESS }),
        ),
      ),
    ).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
    repo.write('evals/harness/score.py', HARNESS);
    expect(hook(repo, 'gemini', payload('gemini', 'AfterTool-write_file', repo)).code).toBe(0);
    expect(ledger(repo).entries.map((e) => [e.tool, e.path])).toEqual([
      ['gemini', 'evals/harness/score.py'],
    ]);

    for (const name of [
      'BeforeTool-write_file',
      'BeforeTool-read_file',
      'BeforeTool-read_many_files',
      'BeforeTool-list_directory',
      'BeforeTool-glob',
      'BeforeTool-grep_search',
      'BeforeTool-run_shell_command',
    ]) {
      const r = hook(repo, 'gemini', payload('gemini', name, repo));
      expect([name, r.code]).toEqual([name, 0]);
      expect([name, JSON.parse(r.stdout).decision]).toEqual([name, 'deny']);
    }
    expect(repo.commit('scorer', { add: ['evals/harness/score.py'] }).code).not.toBe(0);
    expect(repo.commit('scorer', { add: [], args: ['-m', REVIEWED] }).code).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: gemini$/m);
  });
});

describe('GitHub Copilot session', { timeout: 120_000 }, () => {
  it('create recorded; eval create and reads denied with permissionDecision; the harness allows copilot without review', () => {
    const repo = repoWithPolicy();
    humanTask(repo);
    expect(
      hook(
        repo,
        'copilot',
        payload(
          'copilot',
          'preToolUse-create',
          repo,
          (o) =>
            (o.toolArgs = JSON.stringify({ path: 'evals/harness/score.py', file_text: HARNESS })),
        ),
      ),
    ).toEqual({ code: 0, stdout: '', stderr: '' });
    repo.write('evals/harness/score.py', HARNESS);
    expect(hook(repo, 'copilot', payload('copilot', 'postToolUse-create', repo)).code).toBe(0);
    expect(ledger(repo).entries.map((e) => [e.tool, e.path])).toEqual([
      ['copilot', 'evals/harness/score.py'],
    ]);

    for (const name of ['preToolUse-create', 'preToolUse-view', 'preToolUse-bash']) {
      const r = hook(repo, 'copilot', payload('copilot', name, repo));
      expect([name, r.code]).toEqual([name, 0]);
      expect(JSON.parse(r.stdout)).toMatchObject({ permissionDecision: 'deny' });
    }
    expect(existsSync(join(repo.dir, 'evals/tasks/q2.json'))).toBe(false);
    // The test policy says `tools: { copilot: allow }` for the harness: no review needed.
    const ok = repo.commit('scorer', { add: ['evals/harness/score.py'] });
    expect(ok.code, ok.stderr).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: copilot$/m);
  });
});
