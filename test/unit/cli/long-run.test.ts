// src/long-run.ts: a run that is long asks the code-cache loader (src/build/build.mjs) to
// raise its long-run V8 flags; a short one, or a process without the loader, does not.

import { afterEach, describe, expect, it } from 'vitest';
import { LONG_RUN_COMMITS, longRun } from '../../../src/long-run.js';

const KEY = Symbol.for('cleanroom.longRun');
const slot = globalThis as Record<symbol, unknown>;

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
