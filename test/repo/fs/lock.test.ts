// Issue 11 §6, applied to the one lock implementation (src/fs/lock.ts) as the override log
// uses it: before, src/sign/grant-log.ts had its own lock that unlinked a stale lock and
// then created one, so two waiters that both saw it stale could both enter. Real processes
// (the modules bundled with esbuild), real files, no timed assertions.

import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS, lineHash } from '../../../src/sign/grant-log.js';
import { removeTempDirs, tempDir } from '../../helpers/repo.js';
import { bundleForWorkers, runWorker } from '../../helpers/workers.js';

afterAll(removeTempDirs);

let bundle = '';
beforeAll(() => {
  bundle = bundleForWorkers(['src/fs/lock.ts', 'src/sign/grant-log.ts']);
});

// `append N TAG`: N appends of one grant each to <dir>/log.jsonl (the server's override log);
// `hold MS STALE TAG [UNTIL]`: holds <dir>/log.jsonl.lock for MS ms, and then until the file
// <dir>/UNTIL exists (at most 20 s), records overlaps, and after its release writes whose
// lock the lock file held (<dir>/after-TAG).
const WORKER = `
const [mod, dir, cmd, a, b, c, d] = process.argv.slice(2);
const L = await import(mod);
const fs = await import('node:fs');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const log = dir + '/log.jsonl';
if (cmd === 'append')
  for (let i = 0; i < Number(a); i++) {
    const grant = { kind: 'override', zones: ['evals'], files: 1, value: b + i,
      signer: { principal: b + '@example.org', fingerprint: 'SHA256:x', line: 1 } };
    L.appendGrantLog(log, [{ commit: '0'.repeat(40), repository: 'r', grants: [grant] }],
      { source: 'test' }, new Date(), 20000);
  }
if (cmd === 'hold')
  L.withFileLock(log + '.lock', () => {
    fs.writeFileSync(dir + '/holder-' + c, fs.readFileSync(log + '.lock', 'utf8'));
    let alone = true;
    try { fs.closeSync(fs.openSync(dir + '/inside', 'wx')); } catch { alone = false; fs.writeFileSync(dir + '/overlap-' + c, ''); }
    sleep(Number(a));
    for (let i = 0; d && i < 400 && !fs.existsSync(dir + '/' + d); i++) sleep(50);
    if (alone) fs.rmSync(dir + '/inside');
  }, { timeoutMs: 20000, staleMs: Number(b), busy: 'busy' });
if (cmd === 'hold')
  // after release: whose lock is there now?
  fs.writeFileSync(dir + '/after-' + c, fs.existsSync(log + '.lock') ? fs.readFileSync(log + '.lock', 'utf8') : '');
`;

const worker = (dir: string, args: string[]): Promise<number> =>
  runWorker(WORKER, bundle, [dir, ...args]);

/** Resolves once `file` exists; throws after 20 s (the holder never took the lock). */
async function untilExists(file: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(file)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${file} never appeared`);
}

describe('the override log takes the one lock', () => {
  it('four concurrent pushes append an unbroken chain', async () => {
    const dir = join(tempDir(), 'state');
    mkdirSync(dir, { recursive: true });
    const codes = await Promise.all(
      ['p1', 'p2', 'p3', 'p4'].map((t) => worker(dir, ['append', '40', t])),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(160);
    let prev = GENESIS;
    lines.forEach((line, i) => {
      const rec = JSON.parse(line) as { seq: number; prev: string };
      expect(rec.seq).toBe(i + 1);
      expect(rec.prev).toBe(prev);
      prev = lineHash(line);
    });
    expect(existsSync(join(dir, 'log.jsonl.lock'))).toBe(false);
  });

  it('of several pushes that see the same stale lock, exactly one enters at a time', async () => {
    const dir = join(tempDir(), 'state');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'log.jsonl.lock'), '');
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(dir, 'log.jsonl.lock'), old, old);
    const runs = await Promise.all(
      ['W1', 'W2', 'W3', 'W4'].map((t) => worker(dir, ['hold', '400', '10000', t])),
    );
    expect(runs).toEqual([0, 0, 0, 0]);
    for (const t of ['W1', 'W2', 'W3', 'W4'])
      expect(existsSync(join(dir, `overlap-${t}`)), `${t} held the lock while another did`).toBe(
        false,
      );
    expect(existsSync(join(dir, 'log.jsonl.lock'))).toBe(false);
  });

  it("a push stalled past the stale age does not delete its successor's lock", async () => {
    const dir = join(tempDir(), 'state');
    mkdirSync(dir, { recursive: true });
    // A (stale age 300 ms) stalls holding the lock until B has taken it over (and seen A's
    // work in progress: overlap-B); B arrives once
    // A holds it. Events, not sleeps, order the two, so a process that starts late on a
    // loaded machine cannot reorder them.
    const a = worker(dir, ['hold', '500', '300', 'A', 'overlap-B']);
    await untilExists(join(dir, 'holder-A'));
    // B keeps the lock until A has let go (after-A): A's release is then checked against
    // B's lock in place, whatever the load (a B that had already let go proved nothing).
    const b = worker(dir, ['hold', '0', '300', 'B', 'after-A']);
    expect(await a).toBe(0);
    // When A let go, B's lock was still in place (A removed nothing of B's).
    const bToken = readFileSync(join(dir, 'holder-B'), 'utf8');
    expect(bToken).not.toBe(readFileSync(join(dir, 'holder-A'), 'utf8'));
    expect(readFileSync(join(dir, 'after-A'), 'utf8')).toBe(bToken);
    expect(await b).toBe(0);
    expect(existsSync(join(dir, 'log.jsonl.lock'))).toBe(false);
  });
});
