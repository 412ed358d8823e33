// A run that will be long tells the CLI's code-cache loader so (src/build/build.mjs,
// LONG_RUN_FLAGS): the loader then raises V8's interrupt budget, so that the optimising
// compiler, ~20% of a 13,000-commit push's CPU under the default flags, compiles fewer
// functions that are hot only briefly (docs/benchmarks.md, "Sixth pass: V8 flags decided
// early"). The loader sets `globalThis[Symbol.for('cleanroom.longRun')]` before the bundle
// runs; without it (dist/cleanroom.cjs run directly, the agent hook, tests) this does
// nothing. Only speed depends on it: the run is the same either way.
// A run that changes a V8 flag itself (inlineLess) marks the process (FLAGS_CHANGED), so
// that the loader writes no code cache from it: the loader's two conventions live here.

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
  const raise = (globalThis as Record<symbol, unknown>)[LONG_RUN];
  if (typeof raise !== 'function') return;
  try {
    (raise as () => void)();
  } catch {
    // only slower
  }
}

/**
 * Marks a process whose V8 flags were changed at run time: the code-cache loaders
 * (src/build/build.mjs) then write no cache, which would carry the changed flags' hash
 * and be rejected by every later run.
 */
export const FLAGS_CHANGED = Symbol.for('cleanroom.v8.flagsChanged');

/**
 * Lowers V8's inlining budget (`--max-inlined-bytecode-size-cumulative`, 920 bytes of
 * bytecode by default) for the rest of this process, once. A large staged diff runs each
 * per-file loop (the parse, the zone lookups, the judgement, the report) over tens of
 * thousands of files, once each, in a process that lives under a second: the optimising
 * compiler, on its own threads but on the same CPUs, spent more time inlining the zone
 * lookups into every loop (and compiling them again after a deopt) than the inlined code
 * saves in that one pass (src/git/staged.ts, past LARGE_DIFF_BYTES; docs/benchmarks.md,
 * "check --staged at 100,000 files, sixth pass"). The answer does not depend on it; if
 * the flag cannot be set the run is the same, only slower.
 */
export function inlineLess(): void {
  const g = globalThis as { [FLAGS_CHANGED]?: boolean };
  if (g[FLAGS_CHANGED]) return;
  try {
    // node:v8 is loaded here, not with the module: loading it costs ~2.5 ms, which every
    // check --staged paid before it knew whether its diff was large.
    (createRequire(import.meta.url)('node:v8') as typeof import('node:v8')).setFlagsFromString(
      '--max-inlined-bytecode-size-cumulative=200',
    );
    g[FLAGS_CHANGED] = true;
  } catch {
    // run with the default budget
  }
}
