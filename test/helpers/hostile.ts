// Hostile inputs for the deadline tests (issue 11): large histories written with
// `git fast-import`, the hook run as a real child process with a watchdog, and a look
// at /proc for git processes left behind.

import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { CLI, type TestRepo } from './repo.js';

/**
 * Writes `n` commits on `ref` (a new branch from `from`, or a root history) in one
 * fast-import stream; each changes one file under `dir`. Returns the tip.
 */
export function fastHistory(
  repo: TestRepo,
  n: number,
  opts: { ref: string; from?: string; dir?: string; message?: string },
): string {
  const parts: string[] = [];
  const dir = opts.dir ?? 'src';
  for (let i = 0; i < n; i++) {
    const msg = `${opts.message ?? 'change'} ${i}\n`;
    parts.push(
      `commit ${opts.ref}\nmark :${i + 1}\ncommitter Hana Human <hana@example.org> ${1_700_000_000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`,
    );
    if (i === 0 && opts.from) parts.push(`from ${opts.from}\n`);
    const body = `line ${i}\n`;
    parts.push(`M 100644 inline ${dir}/f${i % 200}.txt\ndata ${body.length}\n${body}\n`);
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    env: repo.env,
    input: parts.join(''),
    maxBuffer: 1 << 28,
  });
  return repo.git('rev-parse', opts.ref).trim();
}

export interface HookRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
  /** True when the watchdog had to kill the hook: it did not end by itself. */
  hung: boolean;
  ms: number;
  pid: number;
}

/**
 * Runs the built CLI as git would run a hook, asynchronously, so the test can act on its
 * git children meanwhile (`during`). A watchdog kills it after `limitMs`: a hook that
 * needs the watchdog has hung.
 */
export function runCli(
  args: string[],
  opts: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    input: string;
    limitMs: number;
    during?: (pid: number) => void | Promise<void>;
  },
): Promise<HookRun> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stdin.on('error', () => undefined);
  child.stdin.end(opts.input);
  let hung = false;
  const watchdog = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, opts.limitMs);
  void opts.during?.(child.pid!);
  return new Promise((resolve) => {
    // 'exit', not 'close': a git grandchild that inherited nothing still must not count,
    // and the hook's own end is what git push waits for.
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      const ms = Date.now() - t0;
      // stdio may still be draining: give it a moment.
      setTimeout(() => resolve({ code, signal, stderr, stdout, hung, ms, pid: child.pid! }), 50);
    });
  });
}

/** Pids of the processes whose parent is `pid` (Linux /proc). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== pid || fields[0] === 'Z') continue;
      // Only a child that has exec'd git. Between fork and exec the child is still a copy
      // of node, and libuv's spawn waits, blocking, on a pipe until the child execs
      // (uv_spawn, src/unix/process.c): a child stopped there freezes the parent's event
      // loop, which no timer inside it can end (docs/design/field-notes.md, "A child
      // stopped before exec"). No pusher can send that signal; a test that does would
      // test libuv, not the hook. Once exec'd, a process never goes back, so the check
      // holds until the signal lands.
      if (readlinkSync(`/proc/${name}/exe`) === NODE_EXE) continue;
      out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const NODE_EXE = realpathSync(process.execPath);

/** Kills (SIGKILL, after SIGCONT) every process whose working directory is `dir`. */
export function killAllIn(dir: string): void {
  for (const pid of processesIn(dir)) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Live (non-zombie) processes whose working directory is `dir`: git children left behind. */
export function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${name}/cwd`) !== dir) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z') out.push(Number(name));
    } catch {
      // not ours, or gone meanwhile
    }
  }
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits up to `ms` for the processes in `dir` to be gone (a SIGKILLed child is reaped asynchronously). */
// A process SIGKILLed at the hook's exit takes a moment to go on a loaded machine; one the
// hook leaked stays for good, so a longer wait weakens nothing.
export async function leftoversIn(dir: string, ms = 10_000): Promise<number[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = processesIn(dir);
    if (!left.length || Date.now() > until) return left;
    await sleep(50);
  }
}
