// Shared by the agent end-to-end tests: recorded hook payloads replayed into a temp
// repository through the built hook bundle, as the agent would run it.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLedger, type LedgerEntry } from '../../../src/signals/ledger.js';
import {
  cleanEnv,
  CLI,
  POLICY,
  repoWithPolicy,
  ROOT,
  type Run,
  type TestRepo,
} from '../../helpers/repo.js';

export const HOOK = join(ROOT, 'dist', 'agent-hook.cjs');
const FIXTURES = fileURLToPath(new URL('../../fixtures/agents/', import.meta.url));
const PLACEHOLDER = '/workspace/acme-evals';

export const REVIEWED = 'Reviewed-by: Rita Reviewer <rita@example.org>';

/** The scorer every fixture agent writes into evals/harness/score.py. */
export const HARNESS = (
  JSON.parse(readFileSync(join(FIXTURES, 'claude-code', 'PostToolUse-Write.json'), 'utf8')) as {
    tool_input: { content: string };
  }
).tool_input.content;
export const HUMAN_TASK =
  '{"id": "q1", "question": "Written by Hana: how many legs does a spider have?", "answer": "8"}\n';

/** A recorded payload, moved into `repo`, optionally edited. */
export function payload(
  agent: string,
  name: string,
  repo: TestRepo,
  edit?: (o: Record<string, any>) => void,
): string {
  const text = readFileSync(
    join(FIXTURES, agent === 'claude' ? 'claude-code' : agent, `${name}.json`),
    'utf8',
  ).replaceAll(PLACEHOLDER, repo.dir);
  const o = JSON.parse(text) as Record<string, any>;
  edit?.(o);
  return JSON.stringify(o);
}

const asRun = (r: ReturnType<typeof spawnSync>): Run => ({
  code: r.status ?? -1,
  stdout: String(r.stdout ?? ''),
  stderr: String(r.stderr ?? ''),
});

/** Runs the hook as the agent does: `node dist/agent-hook.cjs AGENT`, payload on stdin. */
export function hook(
  repo: TestRepo,
  agent: string,
  input: string | Buffer,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; viaCli?: boolean } = {},
): Run {
  const args = opts.viaCli ? [CLI, 'agent-hook', agent] : [HOOK, agent];
  return asRun(
    spawnSync(process.execPath, args, {
      cwd: opts.cwd ?? repo.dir,
      env: opts.env ?? repo.env,
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  );
}

/** The same, asynchronously (several agents at once). */
export function hookAsync(repo: TestRepo, agent: string, input: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HOOK, agent], { cwd: repo.dir, env: repo.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

export function ledger(repo: TestRepo): { entries: LedgerEntry[]; skipped: number } {
  const file = repo
    .git('rev-parse', '--path-format=absolute', '--git-path', 'cleanroom/ledger.jsonl')
    .trim();
  try {
    return parseLedger(readFileSync(file, 'utf8'));
  } catch {
    return { entries: [], skipped: 0 };
  }
}

/** A human commits a task into the deny zone, so reads of it have something to refuse. */
export function humanTask(repo: TestRepo): void {
  repo.write('evals/tasks/q1.json', HUMAN_TASK);
  const r = repo.commit('human task', { add: ['evals/tasks/q1.json'] });
  if (r.code !== 0) throw new Error(`human commit failed: ${r.stderr}`);
}

/** The command `cleanroom init --agents AGENT` wired for the agent's first pre-event. */
export function wiredCommand(repo: TestRepo, agent: string): string {
  const files: Record<string, [string, (c: any) => string]> = {
    'claude-code': ['.claude/settings.json', (c) => c.hooks.PreToolUse[0].hooks[0].command],
    codex: ['.codex/hooks.json', (c) => c.hooks.PreToolUse[0].hooks[0].command],
    gemini: ['.gemini/settings.json', (c) => c.hooks.BeforeTool[0].hooks[0].command],
    cursor: ['.cursor/hooks.json', (c) => c.hooks.preToolUse[0].command],
    copilot: ['.github/hooks/cleanroom.json', (c) => c.hooks.preToolUse[0].bash],
  };
  const [file, pick] = files[agent]!;
  return pick(JSON.parse(readFileSync(join(repo.dir, file), 'utf8')));
}

/** Runs the wired command as the host does: through `sh -c`, payload on stdin, from `cwd`. */
export function runWired(
  repo: TestRepo,
  command: string,
  input: string,
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Run {
  return asRun(
    spawnSync('sh', ['-c', command], {
      cwd: opts.cwd ?? repo.dir,
      env: opts.env ?? repo.env,
      input,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    }),
  );
}

/** A Claude Code Bash call running `command` in `repo`. */
export const bash = (repo: TestRepo, command: string): string =>
  payload(
    'claude-code',
    'PreToolUse-Bash',
    repo,
    (o) => (o.tool_input = { command, description: 'run it' }),
  );

/**
 * Claude Code's PreToolUse for its Bash tool, `command` run in `cwd`, through the built
 * hook in an agent's environment (`CLAUDECODE=1`): status 2 refused (why on stderr), 0
 * allowed.
 */
export const preToolBash = (cwd: string, command: string) =>
  spawnSync(process.execPath, [HOOK, 'claude-code'], {
    input: JSON.stringify({
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command },
      cwd,
      session_id: 's',
    }),
    env: cleanEnv({ CLAUDECODE: '1' }),
    encoding: 'utf8',
  });

/**
 * A repository with `policy` (the test policy), one committed file in each of its zones
 * and in src/, and the agent's own `cat` in t/ (outside every zone): a script that writes
 * `planted` into the file it is given. Returns its directory.
 */
export function plantedCatRepo(policy = POLICY): string {
  const repo = repoWithPolicy({ init: false, policy });
  repo
    .write('evals/tasks/q1.json', '{}\n')
    .write('src/a.txt', 'a\n')
    .write('data/train/d.txt', 'd\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'content');
  mkdirSync(join(repo.dir, 't'));
  writeFileSync(join(repo.dir, 't', 'cat'), '#!/bin/sh\necho planted > "$1"\n');
  chmodSync(join(repo.dir, 't', 'cat'), 0o755);
  return repo.dir;
}
