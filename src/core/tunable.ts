// A limit an admin may tune through the hook's environment (CLEANROOM_RENAME_LIMIT,
// CLEANROOM_MAX_LINK_STEPS). The pusher has no say over that environment; anything that
// is not a plain integer in range falls back to the default, never to "no limit".

/**
 * `value` as an integer when it is digits only (at most as many as `max` has) and within
 * `min`–`max`, else `fallback`. Sample: tunable('500', 1, 100_000, 1000) → 500;
 * tunable('1e9', …) → 1000; tunable(undefined, …) → 1000.
 */
export function tunable(
  value: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  const digits = String(max).length;
  const n =
    value !== undefined && new RegExp(`^\\d{1,${digits}}$`).test(value) ? Number(value) : NaN;
  return n >= min && n <= max ? n : fallback;
}
