// Issue 11 §1–§2: the hook ends, by itself, within its deadline, whatever the input and
// whatever happens to its git processes; and it never leaves one behind.
//
// Every run has a watchdog far above the bound (it is not a speed test): a run the
// watchdog had to kill is a hang, and fails.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { protectedServer, serverRef, type Server } from '../../helpers/server.js';
import {
  childrenOf,
  fastHistory,
  killAllIn,
  leftoversIn,
  runCli,
  sleep,
} from '../../helpers/hostile.js';

afterAll(removeTempDirs);

const ZERO = '0'.repeat(40);
const WATCHDOG_MS = 60_000;

/** A server holding `n` new commits, unreferenced (as receive-pack leaves a push for the hook). */
function pushedHistory(n: number, loose = false): { s: Server; tip: string } {
  const s = protectedServer();
  const main = s.work.head();
  const tip = fastHistory(s.work, n, { ref: 'refs/heads/big', from: main });
  const fetch = loose ? ['-c', 'fetch.unpackLimit=1000000', 'fetch'] : ['fetch'];
  s.server.git(...fetch, '-q', s.work.dir, 'big:refs/tmp/big');
  s.server.git('update-ref', '-d', 'refs/tmp/big');
  return { s, tip };
}

const hook = (
  s: Server,
  input: string,
  args: string[],
  during?: (pid: number) => void | Promise<void>,
) =>
  runCli(['pre-receive', ...args], {
    cwd: s.server.dir,
    env: s.work.env,
    input,
    limitMs: WATCHDOG_MS,
    ...(during ? { during } : {}),
  });

let big: { s: Server; tip: string } | undefined;
/** One 15,000-commit push shared by the tests that only read it. */
const bigPush = (): { s: Server; tip: string } => (big ??= pushedHistory(15_000));

describe('the pre-receive hook always ends by itself', () => {
  it('a push of 15,000 new commits with --deadline 0.5 is rejected, and the hook exits with nothing left running', async () => {
    const { s, tip } = bigPush();
    const r = await hook(s, `${ZERO} ${tip} refs/heads/big\n`, ['--deadline', '0.5']);
    expect(r.hung, 'the hook had to be killed: it hung').toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('did not finish within 0.5 s');
    expect(await leftoversIn(s.server.dir)).toEqual([]);
  });

  it('the same push on a fail-open server is accepted with the warning, and the hook exits', async () => {
    const { s, tip } = bigPush();
    const r = await hook(s, `${ZERO} ${tip} refs/heads/big\n`, [
      '--deadline',
      '0.5',
      '--fail-open',
    ]);
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('push accepted unchecked');
    expect(r.stderr).toContain('did not finish within 0.5 s');
    expect(await leftoversIn(s.server.dir)).toEqual([]);
  });

  it('human control: a short clean push under the same deadline is accepted', async () => {
    const { s, tip } = pushedHistory(20);
    const r = await hook(s, `${ZERO} ${tip} refs/heads/big\n`, ['--deadline', '30']);
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a git child stopped (SIGSTOP) mid-push: the deadline still answers and ends it', async () => {
    const { s, tip } = bigPush();
    let stopped = 0;
    const r = await hook(s, `${ZERO} ${tip} refs/heads/big\n`, ['--deadline', '5'], async (pid) => {
      for (let i = 0; i < 500 && !stopped; i++) {
        await sleep(20);
        for (const c of childrenOf(pid)) {
          try {
            process.kill(c, 'SIGSTOP');
            stopped++;
          } catch {
            // exited meanwhile
          }
        }
      }
    });
    expect(stopped, 'no git child was caught to stop').toBeGreaterThan(0);
    expect(r.hung, 'the hook waited forever for a stopped git').toBe(false);
    // The child caught may be one whose output was already read (a short rename pass, a
    // batch-check): the hook then finishes on time. A child it still needed is ended at
    // the deadline, and the push rejected.
    expect([0, 2], r.stderr).toContain(r.code);
    if (r.code === 2) expect(r.stderr).toContain('did not finish within 5.0 s');
    const left = await leftoversIn(s.server.dir);
    killAllIn(s.server.dir); // a failure here must not leave a stopped git to the next test
    expect(left).toEqual([]);
  });

  it('git children killed at random points: the hook fails closed and exits by itself, every time', async () => {
    const { s, tip } = bigPush();
    for (let round = 0; round < 6; round++) {
      const delay = 30 + Math.floor(Math.random() * 600);
      let killed = 0;
      const r = await hook(
        s,
        `${ZERO} ${tip} refs/heads/big\n`,
        ['--deadline', '120'],
        async (pid) => {
          await sleep(delay);
          const kids = childrenOf(pid);
          const victim = kids[Math.floor(Math.random() * kids.length)];
          if (victim !== undefined) {
            try {
              process.kill(victim, 'SIGKILL');
              killed++;
            } catch {
              // exited meanwhile
            }
          }
        },
      );
      expect(r.hung, `round ${round} (kill after ${delay} ms): the hook hung`).toBe(false);
      // A killed git means an unfinished check: never accepted (fail closed). The hook may
      // also have finished (clean history) before the kill landed.
      if (killed) expect([0, 2], r.stderr).toContain(r.code);
      if (killed && r.code === 0) expect(r.stderr).not.toContain('push rejected');
      if (r.code === 2)
        expect(r.stderr).toContain('push rejected — the check could not be completed');
      const left = await leftoversIn(s.server.dir);
      killAllIn(s.server.dir);
      expect(left, `round ${round}: git processes left behind`).toEqual([]);
    }
  });

  it('a git child dies mid-stream on a missing object: the hook names it and exits', async () => {
    const { s, tip } = pushedHistory(600, true);
    // Remove one tree from the middle of the pushed history (loose objects: unpackLimit).
    const mid = s.server.git('rev-parse', `${tip}~300^{tree}`).trim();
    execFileSync('rm', ['-f', `${s.server.dir}/objects/${mid.slice(0, 2)}/${mid.slice(2)}`]);
    const r = await hook(s, `${ZERO} ${tip} refs/heads/big\n`, ['--deadline', '60']);
    expect(r.hung, 'the hook hung after git died').toBe(false);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(mid); // git's own message names the object
    expect(await leftoversIn(s.server.dir)).toEqual([]);
  });
});

describe('a real git push never waits forever on the hook', () => {
  it('git push of 15,000 commits to a server with deadline 0.5 returns, rejected', async () => {
    const s = protectedServer();
    s.server.git('config', 'cleanroom.deadline', '0.5');
    fastHistory(s.work, 15_000, { ref: 'refs/heads/big', from: s.work.head() });
    const r = await runGitAsync(s.work, ['push', 'origin', 'big'], WATCHDOG_MS);
    expect(r.hung).toBe(false);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('did not finish within 0.5 s');
    expect(serverRef(s, 'refs/heads/big')).toBe('');
  });
});

async function runGitAsync(
  repo: TestRepo,
  args: string[],
  limitMs: number,
): Promise<{ code: number | null; stderr: string; hung: boolean }> {
  const { spawn } = await import('node:child_process');
  const child = spawn('git', args, {
    cwd: repo.dir,
    env: repo.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  child.stdout.resume();
  let hung = false;
  const t = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, limitMs);
  return new Promise((resolve) =>
    child.on('close', (code) => (clearTimeout(t), resolve({ code, stderr, hung }))),
  );
}
