// Issue 11 §6: the ledger lock under contention. Real processes (the ledger module
// bundled with esbuild), real files: concurrent writers and a compactor must lose no
// append, and a holder that stalls past the stale age must not delete its successor's lock.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../helpers/repo.js';
import { bundleForWorkers, runWorker } from '../../helpers/workers.js';
import { parseLedger } from '../../../src/signals/ledger.js';

afterAll(removeTempDirs);

let bundle = '';
beforeAll(() => {
  bundle = bundleForWorkers(['src/signals/ledger.ts']);
});

// A worker: `append N TAG` appends N entries one at a time; `compact N` compacts N times
// keeping everything; `hold MS STALE TAG [UNTIL]` holds the lock MS ms (stale age STALE), and
// then until the file <dir>/UNTIL exists (at most 20 s), and reports whose lock the lock
// file held when it let go.
const WORKER = `
const [mod, dir, cmd, a, b, c, d] = process.argv.slice(2);
const L = await import(mod);
const entry = (tag, i) => ({ time: new Date().toISOString(), tool: 'claude-code', session: tag, path: tag + '/' + i, blob: '0'.repeat(40), lines: [] });
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const fs = await import('node:fs');
if (cmd === 'append') for (let i = 0; i < Number(a); i++) L.appendEntries(dir, [entry(b, i)]);
if (cmd === 'compact') for (let i = 0; i < Number(a); i++) L.compactLedger(dir, () => ({ blobs: new Set(['0'.repeat(40)]), linesByPath: new Map() }));
if (cmd === 'hold') {
  const stale = Number(b);
  L.withLedgerLock(dir, () => {
    fs.writeFileSync(dir + '/holder-' + c, fs.readFileSync(dir + '/ledger.lock', 'utf8'));
    let alone = true;
    try { fs.closeSync(fs.openSync(dir + '/inside', 'wx')); } catch { alone = false; fs.writeFileSync(dir + '/overlap-' + c, ''); }
    sleep(Number(a));
    for (let i = 0; d && i < 400 && !fs.existsSync(dir + '/' + d); i++) sleep(50);
    if (alone) fs.rmSync(dir + '/inside');
  }, 20000, stale);
  // after release: whose lock is there now?
  fs.writeFileSync(dir + '/after-' + c, fs.existsSync(dir + '/ledger.lock') ? fs.readFileSync(dir + '/ledger.lock', 'utf8') : '');
}
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

describe('the ledger lock', () => {
  it('four concurrent writers and a compactor lose no append', async () => {
    const dir = join(tempDir(), 'state');
    const codes = await Promise.all([
      worker(dir, ['append', '150', 'w1']),
      worker(dir, ['append', '150', 'w2']),
      worker(dir, ['append', '150', 'w3']),
      worker(dir, ['append', '150', 'w4']),
      worker(dir, ['compact', '60']),
    ]);
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    const { entries, skipped } = parseLedger(readFileSync(join(dir, 'ledger.jsonl'), 'utf8'));
    expect(skipped).toBe(0);
    expect(new Set(entries.map((e) => e.path)).size).toBe(600);
    expect(existsSync(join(dir, 'ledger.lock'))).toBe(false);
  });

  it("a holder stalled past the stale age does not delete its successor's lock on release", async () => {
    const dir = join(tempDir(), 'state');
    // A (stale age 300 ms) stalls holding the lock until B has taken it over (and seen A's
    // work in progress: overlap-B); B arrives once
    // A holds it and keeps it until A has let go. Events, not sleeps, order the two, so a
    // loaded machine (a process that starts late) cannot reorder them.
    const a = worker(dir, ['hold', '500', '300', 'A', 'overlap-B']);
    await untilExists(join(dir, 'holder-A'));
    const b = worker(dir, ['hold', '0', '300', 'B', 'after-A']);
    expect(await a).toBe(0);
    // When A let go, B's lock was still in place (A removed nothing of B's).
    const bToken = readFileSync(join(dir, 'holder-B'), 'utf8');
    expect(bToken).not.toBe(readFileSync(join(dir, 'holder-A'), 'utf8'));
    expect(readFileSync(join(dir, 'after-A'), 'utf8')).toBe(bToken);
    expect(await b).toBe(0);
    expect(existsSync(join(dir, 'ledger.lock'))).toBe(false);
    expect(
      existsSync(join(dir, 'overlap-B')),
      "B took over from a stalled A: the overlap is A's, by design",
    ).toBe(true);
  });

  it('of several waiters that see the same stale lock, exactly one takes it over at a time', async () => {
    const dir = join(tempDir(), 'state');
    // A stale lock left by a killed process.
    const { mkdirSync, utimesSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ledger.lock'), '999999 dead\n');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'ledger.lock'), old, old);
    // Each waiter holds for 400 ms (stale age 10 s: no live holder is ever stale) and
    // records its token; overlapping holders would see each other's token in the lock.
    const runs = await Promise.all(
      ['W1', 'W2', 'W3', 'W4'].map((t) => worker(dir, ['hold', '400', '10000', t])),
    );
    expect(runs).toEqual([0, 0, 0, 0]);
    const tokens = ['W1', 'W2', 'W3', 'W4'].map((t) =>
      readFileSync(join(dir, `holder-${t}`), 'utf8'),
    );
    expect(new Set(tokens).size).toBe(4);
    for (const t of ['W1', 'W2', 'W3', 'W4'])
      expect(existsSync(join(dir, `overlap-${t}`)), `${t} held the lock while another did`).toBe(
        false,
      );
    expect(existsSync(join(dir, 'ledger.lock'))).toBe(false);
  });
});
