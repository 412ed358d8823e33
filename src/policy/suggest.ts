// "did you mean" for typo'd keys, verdicts and tool ids.

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function didYouMean(word: string, options: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) [best, bestD] = [o, d];
  }
  if (best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)))
    return ` — did you mean "${best}"?`;
  // Inflected forms ("denied", "reviewed", "allowed"): one option sharing the first 3 letters.
  const head = word.toLowerCase().slice(0, 3);
  const same =
    head.length === 3 ? [...options].filter((o) => o.toLowerCase().startsWith(head)) : [];
  return same.length === 1 ? ` — did you mean "${same[0]}"?` : '';
}
