// A run that will be long tells the CLI's code-cache loader so (src/build/build.mjs,
// LONG_RUN_FLAGS): the loader then raises V8's interrupt budget, so that the optimising
// compiler, ~20% of a 13,000-commit push's CPU under the default flags, compiles fewer
// functions that are hot only briefly (docs/benchmarks.md, "Sixth pass: V8 flags decided
// early"). The loader sets `globalThis[Symbol.for('cleanroom.longRun')]` before the bundle
// runs; without it (dist/cleanroom.cjs run directly, the agent hook, tests) this does
// nothing. Only speed depends on it: the run is the same either way.

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
