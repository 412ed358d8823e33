import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const FILES = [
  '.claude/settings.json',
  '.codex/hooks.json',
  '.cursor/hooks.json',
  '.gemini/settings.json',
  '.github/hooks/cleanroom.json',
];
const json = (repo: TestRepo, file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(repo.dir, file), 'utf8')) as Record<string, unknown>;
const text = (repo: TestRepo, file: string): string => readFileSync(join(repo.dir, file), 'utf8');
const HOOK = join(ROOT, 'dist', 'agent-hook.cjs');

describe('cleanroom init --agents', { timeout: 60_000 }, () => {
  it('wires every agent, and a second run changes nothing', () => {
    const repo = repoWithPolicy({ init: false });
    const first = repo.cleanroom([
      'init',
      '--hooks',
      'none',
      '--agents',
      'claude,codex,cursor,gemini,copilot',
    ]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      '+ .claude/settings.json — Claude Code hooks: PreToolUse, PostToolUse',
    );
    expect(first.stdout).toContain(
      '+ .codex/hooks.json — Codex CLI hooks: PreToolUse, PostToolUse',
    );
    expect(first.stdout).toContain(
      '+ .cursor/hooks.json — Cursor hooks: preToolUse, beforeReadFile, beforeShellExecution, beforeMCPExecution, beforeTabFileRead, afterFileEdit, afterTabFileEdit',
    );
    expect(first.stdout).toContain(
      '+ .gemini/settings.json — Gemini CLI hooks: BeforeTool, AfterTool',
    );
    expect(first.stdout).toContain(
      '+ .github/hooks/cleanroom.json — GitHub Copilot hooks: preToolUse, postToolUse',
    );
    expect(first.stdout).toContain('Codex runs a new or changed hook only after you trust it');
    expect(first.stdout).toContain('a path on this machine only');
    const claude = json(repo, '.claude/settings.json') as {
      hooks: { PreToolUse: { hooks: { command: string; onFailure: string }[] }[] };
    };
    expect(claude.hooks.PreToolUse[0]!.hooks[0]).toMatchObject({
      command: `env -u NODE_EXTRA_CA_CERTS node ${HOOK} claude-code`,
      onFailure: 'block',
    });

    const before = FILES.map((f) => text(repo, f));
    const second = repo.cleanroom([
      'init',
      '--hooks',
      'none',
      '--agents',
      'claude,codex,cursor,gemini,copilot',
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(
      '= .claude/settings.json — Claude Code hooks already wired (PreToolUse, PostToolUse)',
    );
    expect(second.stdout).not.toMatch(/^\+ \./m);
    expect(FILES.map((f) => text(repo, f))).toEqual(before);
  });

  it("merges into a user's settings: their keys and hooks survive", () => {
    const repo = repoWithPolicy({ init: false });
    const mine = {
      model: 'opus',
      hooks: {
        PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: './guard.sh' }] }],
      },
    };
    repo.write('.claude/settings.json', JSON.stringify(mine, null, 4));
    const r = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude']);
    expect(r.stdout).toContain(
      '~ .claude/settings.json — Claude Code hooks: PreToolUse, PostToolUse',
    );
    const got = json(repo, '.claude/settings.json') as typeof mine;
    expect(got.model).toBe('opus');
    expect(got.hooks.PreToolUse[0]).toEqual(mine.hooks.PreToolUse[0]);
    expect(got.hooks.PreToolUse).toHaveLength(2);
  });

  it('a malformed config stops init before anything is written, and is left byte for byte', () => {
    const repo = repoWithPolicy({ init: false });
    const broken = '{ "hooks": { "PreToolUse": [ } // oops\n';
    repo.write('.codex/hooks.json', broken);
    repo.write('.gemini/settings.json', '{"hooks": []}');
    const r = repo.cleanroom(['init', '--hooks', 'git', '--agents', 'codex']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^cleanroom: init: \.codex\/hooks\.json is not valid JSON \(.*; comments are not JSON\)$/m,
    );
    expect(r.stderr).toContain('nothing was written');
    expect(text(repo, '.codex/hooks.json')).toBe(broken);
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'commit-msg'))).toBe(false); // no half-done init
    const g = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'gemini']);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain('"hooks" is not an object');
    expect(text(repo, '.gemini/settings.json')).toBe('{"hooks": []}');
  });

  it('auto wires the agents whose config folders exist', () => {
    const repo = repoWithPolicy({ init: false });
    mkdirSync(join(repo.dir, '.claude'));
    mkdirSync(join(repo.dir, '.cursor'));
    const r = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'auto']);
    expect(r.stdout.match(/^\+ .*$/gm)).toEqual([
      '+ .claude/settings.json — Claude Code hooks: PreToolUse, PostToolUse',
      '+ .cursor/hooks.json — Cursor hooks: preToolUse, beforeReadFile, beforeShellExecution, beforeMCPExecution, beforeTabFileRead, afterFileEdit, afterTabFileEdit',
    ]);
    const none = repoWithPolicy({ init: false }).cleanroom([
      'init',
      '--hooks',
      'none',
      '--agents',
      'auto',
    ]);
    expect(none.stdout).toContain('! --agents auto: no agent config folder here');
  });

  it('an unknown agent is a usage error', () => {
    const r = repoWithPolicy({ init: false }).cleanroom([
      'init',
      '--hooks',
      'none',
      '--agents',
      'claude,aider',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown agent "aider" in --agents');
  });

  it("with cleanroom in the project's node_modules the command is portable, and it runs", () => {
    const repo = repoWithPolicy({ init: false });
    mkdirSync(join(repo.dir, 'node_modules/@cleanroom-dev/cleanroom/dist'), { recursive: true });
    symlinkSync(HOOK, join(repo.dir, 'node_modules/@cleanroom-dev/cleanroom/dist/agent-hook.cjs'));
    const r = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude,codex']);
    expect(r.stdout).not.toContain('a path on this machine only');
    const claude = json(repo, '.claude/settings.json') as {
      hooks: { PreToolUse: { hooks: { command: string }[] }[] };
    };
    const command = claude.hooks.PreToolUse[0]!.hooks[0]!.command;
    expect(command).toBe(
      'env -u NODE_EXTRA_CA_CERTS node "${CLAUDE_PROJECT_DIR:-$(git rev-parse --show-toplevel)}"/node_modules/@cleanroom-dev/cleanroom/dist/agent-hook.cjs claude-code',
    );
    const codex = json(repo, '.codex/hooks.json') as typeof claude;
    expect(codex.hooks.PreToolUse[0]!.hooks[0]!.command).toBe(
      'env -u NODE_EXTRA_CA_CERTS node "$(git rev-parse --show-toplevel)"/node_modules/@cleanroom-dev/cleanroom/dist/agent-hook.cjs codex',
    );

    // What Claude Code does: run the command through a shell, from a subdirectory, with the payload on stdin.
    mkdirSync(join(repo.dir, 'src'));
    const payload = JSON.stringify({
      session_id: 's',
      cwd: join(repo.dir, 'src'),
      hook_event_name: 'PreToolUse',
      tool_name: 'Write',
      tool_input: { file_path: '../evals/tasks/q.json', content: '{}' },
    });
    // NODE_EXTRA_CA_CERTS naming an unreadable file: Node warns at start when it reads it.
    const caEnv = { NODE_EXTRA_CA_CERTS: join(repo.dir, 'absent.pem') };
    const run = spawnSync('sh', ['-c', command], {
      cwd: join(repo.dir, 'src'),
      input: payload,
      encoding: 'utf8',
      env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir, ...caEnv },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('evals/tasks/q.json is in zone "eval-tasks"');
    // The wired command starts Node without it (read at every start, ~50 ms, never used).
    expect(run.stderr).not.toContain('Ignoring extra certs');
    const control = spawnSync('sh', ['-c', 'node -e 0'], {
      encoding: 'utf8',
      env: { ...repo.env, ...caEnv },
    });
    expect(control.stderr).toContain('Ignoring extra certs');
    const codexRun = spawnSync('sh', ['-c', codex.hooks.PreToolUse[0]!.hooks[0]!.command], {
      cwd: join(repo.dir, 'src'),
      input: JSON.stringify({
        hook_event_name: 'PreToolUse',
        tool_name: 'Bash',
        cwd: join(repo.dir, 'src'),
        tool_input: { command: 'cat ../evals/tasks/q.json' },
      }),
      encoding: 'utf8',
      env: repo.env,
    });
    expect(codexRun.status).toBe(0);
    expect(JSON.parse(codexRun.stdout).hookSpecificOutput.permissionDecision).toBe('deny');
  });
});

describe('cleanroom doctor shows the agents', { timeout: 60_000 }, () => {
  it('wired, not wired, the Codex trust caveat, and the ledger', () => {
    const repo = repoWithPolicy();
    repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude,codex']);
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain(
      '✓ Claude Code: agent hooks wired (.claude/settings.json: PreToolUse, PostToolUse)',
    );
    expect(r.stdout).toContain(
      '✓ Codex CLI: agent hooks wired (.codex/hooks.json: PreToolUse, PostToolUse)',
    );
    expect(r.stdout).toContain(
      '! Codex skips a new or changed hook until you trust it, without a word',
    );
    expect(r.stdout).toContain(
      "→ start codex, open /hooks and trust cleanroom's PreToolUse and PostToolUse hooks",
    );
    expect(r.stdout).toContain('! agent hooks not wired for GitHub Copilot, Cursor, Gemini CLI');
    expect(r.stdout).toContain('→ cleanroom init --agents copilot,cursor,gemini');
    expect(r.stdout).toContain(
      '✓ ledger: empty — no agent write recorded yet (.git/cleanroom/ledger.jsonl)',
    );
  });

  it('a malformed config, a half-wired one and a hook that points nowhere are failures', () => {
    const repo = repoWithPolicy();
    repo.write('.cursor/hooks.json', '{oops');
    repo.write(
      '.claude/settings.json',
      JSON.stringify({
        hooks: {
          PreToolUse: [
            { matcher: 'Write', hooks: [{ type: 'command', command: `node ${HOOK} claude` }] },
          ],
        },
      }),
    );
    repo.write(
      '.gemini/settings.json',
      JSON.stringify({
        hooks: {
          BeforeTool: [
            { hooks: [{ type: 'command', command: 'node /gone/dist/agent-hook.cjs gemini' }] },
          ],
          AfterTool: [
            { hooks: [{ type: 'command', command: 'node /gone/dist/agent-hook.cjs gemini' }] },
          ],
        },
      }),
    );
    const r = repo.cleanroom(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '→ cleanroom init --agents codex,copilot (for the agents you use); Codex then runs its hooks only once you trust them under /hooks',
    );
    expect(r.stdout).toMatch(/^✗ Cursor: \.cursor\/hooks\.json is not valid JSON/m);
    expect(r.stdout).toContain(
      "✗ Claude Code: .claude/settings.json lacks cleanroom's PostToolUse hook",
    );
    expect(r.stdout).toContain(
      '✗ Gemini CLI: .gemini/settings.json runs /gone/dist/agent-hook.cjs, which does not exist',
    );
  });
});
