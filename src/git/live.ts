// Every git process this command started and that has not closed yet. Node stays alive
// while any child's pipe is open, and a `git rev-list` blocked writing into a pipe nobody
// reads never exits by itself (docs/design/field-notes.md): so the command's exit path ends them all
// here, once, whatever state their pipes are in — no call site has to get it right.
// (Apart from src/git/git.ts, which spawns, so that an entry that only ends processes
// does not load node:child_process: the agent hook, issue 14 §2.)

import type { ChildProcess } from 'node:child_process';

export const live = new Set<ChildProcess>();
let closed = false;

/** Has endGitProcesses run (no new git process may start)? */
export const gitEnded = (): boolean => closed;

/**
 * Ends one git process now: its pipes destroyed (no reader, no writer left), then SIGKILL.
 * A stream the child was given instead of a pipe (src/git/git.ts spawnGitInto: null here)
 * belongs to the other process, ended on its own.
 */
export function teardown(child: ChildProcess): void {
  live.delete(child);
  // SIGKILL, not SIGTERM: git blocked in write(2) would get SIGTERM too, but a child
  // that ignores or delays it must not keep the push waiting. Only read-only plumbing
  // (rev-list, log, diff-tree, cat-file) is ever running at a deadline or an error.
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
  // A killed child's exit is reaped by Node asynchronously; it must not hold the process.
  child.unref();
}

/**
 * Ends every git process still running and refuses to start new ones. Called by the
 * command's exit path (src/cli/main.ts, src/cli/agent-bin.ts) after the answer is out, so
 * no command leaves a process behind. Returns how many were still running.
 */
export function endGitProcesses(): number {
  closed = true;
  const n = live.size;
  for (const child of [...live]) teardown(child);
  return n;
}

/** How many git processes started here are still running (for tests and debugging). */
export const liveGitProcesses = (): number => live.size;
