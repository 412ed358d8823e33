// Issue 11 (output): a push of 100,000 violating paths printed 100,000 findings to the
// pusher. The human text lists at most N changes per commit and in all, then says how many
// more and how to see them; the headline still counts every change.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/core/types.js';
import { PLAIN } from '../../../src/escape.js';
import { FirstSeen, renderText } from '../../../src/report/text.js';
import { prng } from '../../helpers/prng.js';

const finding = (commit: string, i: number): Finding =>
  ({
    commit,
    path: `evals/tasks/q${i}.json`,
    zone: 'eval-tasks',
    tool: 'claude-code',
    verdict: 'deny',
    outcome: 'violation',
    signal: 'Co-authored-by: Claude',
    message: 'x',
  }) as Finding;
const C1 = '1'.repeat(40);
const C2 = '2'.repeat(40);
const limit = { perCommit: 20, total: 30, more: 'run `cleanroom check --range A..B` for all' };

describe('capped human output', () => {
  it('100,000 violating paths in two commits: 30 listed, the rest counted, the way to all named', () => {
    const findings = [
      ...Array.from({ length: 50_000 }, (_, i) => finding(C1, i)),
      ...Array.from({ length: 50_000 }, (_, i) => finding(C2, i)),
    ];
    const text = renderText({ findings, notes: [] }, { style: PLAIN, context: 'push', limit });
    expect(text.match(/✗/g)).toHaveLength(30);
    expect(text).toContain('100000 AI-attributed changes in protected zones');
    expect(text).toContain('… and 99970 more changes; run `cleanroom check --range A..B` for all');
    // 20 of the first commit, 10 of the second
    expect(text.split('commit 222222222222')[1]!.match(/✗/g)).toHaveLength(10);
    expect(text.split('\n').length).toBeLessThan(120);
  });

  it('human control: a push within the caps lists every change and says nothing more', () => {
    const findings = Array.from({ length: 5 }, (_, i) => finding(C1, i));
    const text = renderText({ findings, notes: [] }, { style: PLAIN, context: 'push', limit });
    expect(text.match(/✗/g)).toHaveLength(5);
    expect(text).not.toContain('more change');
  });
});

describe('the deny paths past the limit', () => {
  it('FirstSeen keeps what a Set keeps, in its order, however the strings come', () => {
    const r = prng(7);
    const pool = ['', 'a', 'a/b', 'a/b/c', 'b', 'é', 'e\u0301', 'z', 'Z', 'evals/x10', 'evals/x9'];
    for (let round = 0; round < 2000; round++) {
      const n = Math.floor(r() * 40);
      const seq: string[] = [];
      // Mostly ascending runs with repeats (git's order), then anything.
      const sorted = r() < 0.5;
      for (let i = 0; i < n; i++) seq.push(pool[Math.floor(r() * pool.length)]!);
      if (sorted) seq.sort();
      if (sorted && n && r() < 0.5) seq.splice(Math.floor(r() * n), 0, seq[Math.floor(r() * n)]!);
      const fs = new FirstSeen();
      for (const s of seq) fs.add(s);
      expect(fs.list).toEqual([...new Set(seq)]);
    }
  });

  it('a path hidden in two commits is one; the count is of distinct paths', () => {
    const tight = { perCommit: 1, total: 1, more: 'more' };
    const findings = [
      ...Array.from({ length: 30 }, (_, i) => finding(C1, i)),
      ...Array.from({ length: 30 }, (_, i) => finding(C2, i + 10)),
    ];
    const text = renderText(
      { findings, notes: [] },
      { style: PLAIN, context: 'push', limit: tight },
    );
    // q1..q29 of the first commit, q10..q39 of the second: q1..q39 once each, as first
    // seen (q9 before q10: not in sorted order, so the Set takes over).
    expect(text).toContain(
      'among them, in deny zones (39): evals/tasks/q1.json, evals/tasks/q2.json, evals/tasks/q3.json,',
    );
    expect(text).toContain('evals/tasks/q20.json, … 19 more');
  });
});
