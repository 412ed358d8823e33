// src/long-run.ts: a run that is long asks the code-cache loader (src/build/build.mjs) to
// raise its long-run V8 flags; a short one, or a process without the loader, does not.
// A large staged diff sets its own flags (largeDiffFlags).

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FLAGS_RESET,
  FRUGAL_HEAP_COMMITS,
  FRUGAL_HEAP_V8_DEFAULTS,
  FRUGAL_HEAP_V8_FLAGS,
  LARGE_DIFF_V8_DEFAULTS,
  LARGE_DIFF_V8_FLAGS,
  LONG_RUN_COMMITS,
  largeDiffFlags,
  longRun,
} from '../../../src/long-run.js';

const KEY = Symbol.for('cleanroom.longRun');
// Tests that start Node processes: seconds on a loaded 2-core runner, not Vitest's 5.
const SPAWNS = { timeout: 60_000 };
const slot = globalThis as Record<symbol, unknown>;

/**
 * In a fresh process: whether setting `flags` changes V8's code-cache stamp, and whether
 * `defaults` then give the first stamp back (cachedDataVersionTag hashes every flag: a
 * cache written under another hash is rejected; the loader sets FLAGS_RESET before it
 * compares and writes).
 */
function stampRoundTrip(flags: string, defaults: string): [boolean, boolean] {
  const out = execFileSync(
    process.execPath,
    [
      '-e',
      `const v8 = require('node:v8');
const before = v8.cachedDataVersionTag();
v8.setFlagsFromString(${JSON.stringify(flags)});
const changed = v8.cachedDataVersionTag();
v8.setFlagsFromString(${JSON.stringify(defaults)});
process.stdout.write(JSON.stringify([before !== changed, before === v8.cachedDataVersionTag()]));`,
    ],
    { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  return JSON.parse(out) as [boolean, boolean];
}

afterEach(() => {
  delete slot[KEY];
});

describe('longRun', () => {
  it('asks the loader from LONG_RUN_COMMITS commits on, and for a run long by nature', () => {
    let calls = 0;
    slot[KEY] = () => calls++;
    longRun(0);
    longRun(LONG_RUN_COMMITS - 1);
    longRun(Number.NaN);
    expect(calls).toBe(0);
    longRun(LONG_RUN_COMMITS);
    expect(calls).toBe(1);
    longRun();
    expect(calls).toBe(2);
  });

  it('does nothing without the loader, and never throws for it', () => {
    expect(() => longRun()).not.toThrow();
    slot[KEY] = 'not a function';
    expect(() => longRun()).not.toThrow();
    slot[KEY] = () => {
      throw new Error('flags refused');
    };
    expect(() => longRun(LONG_RUN_COMMITS)).not.toThrow();
  });
});

describe('largeDiffFlags', () => {
  // The flags are read by V8 from a string: a misspelt one is ignored with a warning, so
  // the young generation's size is what shows that the growth flag took. A fresh process
  // keeps 200,000 records alive (as a large staged diff does): with the flags set at run
  // time its young generation stays at the size it started with, without them it grows.
  const script = (flags: string): string =>
    `${flags ? `require('node:v8').setFlagsFromString(${JSON.stringify(flags)});` : ''}
const keep = [];
for (let i = 0; i < 200000; i++) keep.push({ path: 'src/d' + i + '/f.ts', blob: String(i).padStart(40, '0') });
const s = require('node:v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
process.stdout.write(String(s.space_size));`;
  const newSpace = (flags: string): number =>
    Number(
      execFileSync(process.execPath, ['-e', script(flags)], {
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '' },
      }),
    );

  it('keeps the young generation from growing, set at run time', SPAWNS, () => {
    const grown = newSpace('');
    const kept = newSpace(LARGE_DIFF_V8_FLAGS);
    expect(kept).toBeLessThanOrEqual(4 << 20);
    expect(grown).toBeGreaterThan(kept);
  });

  it(
    'the defaults it leaves for the loader give back the V8 stamp, so a code cache stays valid',
    SPAWNS,
    () => {
      expect(stampRoundTrip(LARGE_DIFF_V8_FLAGS, LARGE_DIFF_V8_DEFAULTS)).toEqual([true, true]);
    },
  );

  it('leaves the defaults for the loader (FLAGS_RESET); once', () => {
    const g = globalThis as Record<symbol, unknown>;
    const before = g[FLAGS_RESET];
    try {
      delete g[FLAGS_RESET];
      largeDiffFlags();
      expect(g[FLAGS_RESET]).toBe(LARGE_DIFF_V8_DEFAULTS);
      g[FLAGS_RESET] = 'already';
      largeDiffFlags();
      expect(g[FLAGS_RESET]).toBe('already');
    } finally {
      if (before === undefined) delete g[FLAGS_RESET];
      else g[FLAGS_RESET] = before;
      // This process's own flags back to V8's defaults.
      (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(
        LARGE_DIFF_V8_DEFAULTS,
      );
    }
  });
});

describe('frugalHeap (through longRun)', () => {
  it('from FRUGAL_HEAP_COMMITS commits on, leaves its default for the loader; not for an audit', () => {
    const g = globalThis as Record<symbol, unknown>;
    const before = g[FLAGS_RESET];
    try {
      delete g[FLAGS_RESET];
      longRun(FRUGAL_HEAP_COMMITS - 1);
      longRun();
      expect(g[FLAGS_RESET]).toBeUndefined();
      longRun(FRUGAL_HEAP_COMMITS);
      expect(g[FLAGS_RESET]).toBe(FRUGAL_HEAP_V8_DEFAULTS);
    } finally {
      if (before === undefined) delete g[FLAGS_RESET];
      else g[FLAGS_RESET] = before;
      (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(
        FRUGAL_HEAP_V8_DEFAULTS,
      );
    }
  });

  it('its default gives back the V8 stamp, so a code cache stays valid', SPAWNS, () => {
    expect(stampRoundTrip(FRUGAL_HEAP_V8_FLAGS, FRUGAL_HEAP_V8_DEFAULTS)).toEqual([true, true]);
  });
});
