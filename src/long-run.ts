// A run that will be long tells the CLI's code-cache loader so (src/build/build.mjs,
// LONG_RUN_FLAGS): the loader then raises V8's interrupt budget, so that the optimising
// compiler, ~20% of a 13,000-commit push's CPU under the default flags, compiles fewer
// functions that are hot only briefly (docs/benchmarks.md, "Sixth pass: V8 flags decided
// early"). The loader sets `globalThis[Symbol.for('cleanroom.longRun')]` before the bundle
// runs; without it (dist/cleanroom.cjs run directly, the agent hook, tests) this does
// nothing. Only speed depends on it: the run is the same either way.
// A run that changes a V8 flag itself says so: FLAGS_CHANGED (the loader then writes no
// code cache from it), or FLAGS_RESET (largeDiffFlags: the loader sets the flags back
// before it writes one). The loader's conventions live here.

import { createRequire } from 'node:module';

/**
 * Commits to judge from which a push or `check --range` is long enough to run under the
 * loader's long-run flags. Measured (docs/benchmarks.md, sixth pass): a push of 100
 * commits is a few ms dearer with them, one of ~1,000 about even, longer ones cheaper.
 */
export const LONG_RUN_COMMITS = 1000;

const LONG_RUN = Symbol.for('cleanroom.longRun');

/**
 * Says the run will judge `commits` commits (default: a run long by nature, an audit):
 * from LONG_RUN_COMMITS on, asks the loader to raise its long-run flags (once; a later
 * call does nothing). Never throws.
 */
export function longRun(commits = Number.POSITIVE_INFINITY): void {
  if (!(commits >= LONG_RUN_COMMITS)) return;
  if (commits >= FRUGAL_HEAP_COMMITS && Number.isFinite(commits)) frugalHeap();
  const raise = (globalThis as Record<symbol, unknown>)[LONG_RUN];
  if (typeof raise !== 'function') return;
  try {
    (raise as () => void)();
  } catch {
    // only slower
  }
}

/**
 * Commits to judge from which a push keeps its heap small (frugalHeap): memory grows with
 * the push, CPU the flag costs does too (docs/benchmarks.md, "Seventh pass").
 */
export const FRUGAL_HEAP_COMMITS = 50_000;

/** The V8 flag `frugalHeap` sets, and the same at V8's default (Node 20's V8 11.3). */
export const FRUGAL_HEAP_V8_FLAGS = '--heap-growing-percent=20';
export const FRUGAL_HEAP_V8_DEFAULTS = '--heap-growing-percent=0';

/**
 * `--heap-growing-percent=20` for the rest of this process, once (V8's default, 0, lets
 * the old generation grow by a factor V8 computes, up to ×4 between two major GCs): a
 * push of 100,000 commits keeps its graph, its ids and its findings alive to the end,
 * and Node was ~200 MiB of its whole process tree's peak; with the flag ~107 MiB, the
 * tree's peak 317 → 218 MiB at no CPU the runs could show (docs/benchmarks.md, "Seventh
 * pass"). V8 reads the flag at each GC, so it works when set at run time. An audit
 * (`longRun()`, no count) is left alone: its memory is not bounded by a hook's host.
 * Leaves FLAGS_RESET (the loader sets the default back before it writes a code cache),
 * unless another change already did. Never throws.
 */
function frugalHeap(): void {
  setFlagsOnce(FRUGAL_HEAP_V8_FLAGS, FRUGAL_HEAP_V8_DEFAULTS);
}

/**
 * Marks a process whose V8 flags were changed at run time: the code-cache loaders
 * (src/build/build.mjs) then write no cache, which would carry the changed flags' hash
 * and be rejected by every later run.
 */
export const FLAGS_CHANGED = Symbol.for('cleanroom.v8.flagsChanged');

/**
 * Flags that set back what the bundle changed (one string, as `v8.setFlagsFromString`
 * takes them): at exit the code-cache loader sets them before writing a cache, and then
 * writes one only if V8's stamp (cachedDataVersionTag, a hash of every flag) is again
 * the one the bundle was compiled under; if it is not (another V8's defaults, flags given
 * on the command line), no cache is written, as with FLAGS_CHANGED.
 */
export const FLAGS_RESET = Symbol.for('cleanroom.v8.resetFlags');

/** The V8 flags `largeDiffFlags` sets (one string, as `v8.setFlagsFromString` takes them). */
export const LARGE_DIFF_V8_FLAGS =
  '--max-inlined-bytecode-size-cumulative=200 --semi-space-growth-factor=1';

/** The same flags at V8's defaults (Node 20's V8 11.3, also 12.x): what FLAGS_RESET holds after `largeDiffFlags`. */
export const LARGE_DIFF_V8_DEFAULTS =
  '--max-inlined-bytecode-size-cumulative=920 --semi-space-growth-factor=2';

/**
 * V8 flags for the rest of this process, set once, when a large staged diff is about to
 * be judged: each per-file loop (the parse, the zone lookups, the judgement, the report)
 * runs over tens of thousands of files, once each, in a process that lives under a
 * second, and every record it builds stays alive to the end. Neither flag changes an
 * answer; if they cannot be set the run is the same, only slower.
 *
 * - `--max-inlined-bytecode-size-cumulative=200` (V8's default: 920 bytes of bytecode):
 *   the optimising compiler, on its own threads but on the same CPUs, spent more time
 *   inlining the zone lookups into every loop (and compiling them again after a deopt)
 *   than the inlined code saves in that one pass (docs/benchmarks.md, "check --staged
 *   at 100,000 files, sixth pass").
 * - `--semi-space-growth-factor=1` (default 2): the young generation keeps the size it
 *   has instead of doubling to 16 MB per semi-space, which V8 does when most of what it
 *   allocates survives (here: the file records, their paths, the findings). Every page
 *   a process touches for the first time costs a page fault, and a fault is dear where
 *   cleanroom runs (a VM: ~10 µs each, measured); the survivors are copied out of the
 *   young generation either way, so the larger one only cost those faults: 7,000 of
 *   them in a 100,000-file check, ~200 ms of its CPU (docs/benchmarks.md, "check
 *   --staged at 100,000 files, seventh pass"). Read at each growth, so it works when
 *   set at run time (`--max-semi-space-size` does not: the heap is sized at start-up).
 *
 * Past LARGE_DIFF_BYTES of staged diff (src/git/staged.ts). Leaves FLAGS_RESET: the
 * code-cache loader sets the defaults back at exit, so a large check writes a code cache
 * like any other run and is compiled from one (the bundle's compilation was ~40 ms of
 * every 100,000-file check, which wrote none when it only marked FLAGS_CHANGED).
 */
export function largeDiffFlags(): void {
  setFlagsOnce(LARGE_DIFF_V8_FLAGS, LARGE_DIFF_V8_DEFAULTS);
}

/**
 * Sets V8 `flags` for the rest of this process and leaves `defaults` (the same flags at
 * V8's defaults) in FLAGS_RESET for the code-cache loader; does nothing once any change
 * left them. Never throws: if the flags cannot be set, the run is the same, only slower.
 */
function setFlagsOnce(flags: string, defaults: string): void {
  const g = globalThis as { [FLAGS_RESET]?: string };
  if (g[FLAGS_RESET] !== undefined) return;
  try {
    // node:v8 is loaded here, not with the module: loading it costs ~2.5 ms, which every
    // check --staged paid before it knew whether its diff was large.
    (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(
      flags,
    );
    g[FLAGS_RESET] = defaults;
  } catch {
    // run with the default flags
  }
}
