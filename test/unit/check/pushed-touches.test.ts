// PushedTouches keeps a push's raw diff fields and makes pairs only for the blobs a walk
// asks about (an index by a 28-bit hash of each side's first characters). Differential:
// on random raw entries, including hostile ones (paths that spell ids, ids that share
// their first characters, merges whose result is a parent's blob, malformed fields), its
// answer must be exactly what an index of every entry's pair by blob gave: for each asked
// blob, the entries whose pair (entryPair) names it on either side, in the order learnt.

import { describe, expect, it } from 'vitest';
import {
  entryPair,
  PushedGraph,
  PushedTouches,
  reachableFrom,
  type Pair,
} from '../../../src/check/provenance.js';
import type { GitContext } from '../../../src/git/git.js';
import { prng } from '../../helpers/prng.js';

// Never used: no root commit has an entry, so no `git config log.showroot` runs.
const ctx = { cwd: '/nonexistent', env: {} } as unknown as GitContext;
const ZERO = '0'.repeat(40);

/** The index the lazy one replaced: every entry's pair, by each real blob it names. */
function eagerAnswer(
  commits: { id: string; raw: Buffer[] }[],
  objects: readonly string[],
): { commit: string; path: string; old: string; new: string }[] {
  const byBlob = new Map<string, Pair[]>();
  for (const c of commits)
    for (let i = 0; i < c.raw.length; i++) {
      const meta = c.raw[i]!;
      if (meta[0] !== 0x3a) continue;
      const path = c.raw[++i];
      if (path === undefined) break;
      const pair = entryPair(c.id, meta.toString('latin1'), path.toString('utf8'));
      if (!pair) continue;
      for (const b of pair.old === pair.new ? [pair.old] : [pair.old, pair.new]) {
        if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(b) || /^0+$/.test(b)) continue;
        const list = byBlob.get(b);
        if (list) list.push(pair);
        else byBlob.set(b, [pair]);
      }
    }
  const out = new Set<Pair>();
  for (const o of objects) for (const p of byBlob.get(o) ?? []) out.add(p);
  return [...out].map((p) => ({ ...p }));
}

describe('PushedTouches: pairs made only for the blobs a walk asks about', () => {
  it('differential: answers exactly what an index of every pair by blob answered (random, hostile entries)', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      const hex = (n: number): string =>
        Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
      // A small pool, with ids that share their first 7–12 characters (same index key).
      const base = hex(40);
      const pool = [
        ...Array.from({ length: 6 }, () => hex(40)),
        ...Array.from({ length: 4 }, () => base.slice(0, 7 + Math.floor(rnd() * 6)) + hex(40)),
        hex(64),
      ].map((x, i) => (i === 10 ? x : x.slice(0, 40)));
      const blob = (): string => (rnd() < 0.15 ? ZERO : pick(pool));
      const commits: { id: string; parents: string[]; raw: Buffer[] }[] = [
        { id: hex(40), parents: [], raw: [] },
      ];
      const n = 1 + Math.floor(rnd() * 30);
      for (let c = 0; c < n; c++) {
        const raw: Buffer[] = [];
        const entries = Math.floor(rnd() * 5);
        const merge = rnd() < 0.2;
        for (let e = 0; e < entries; e++) {
          let meta: string;
          const r = rnd();
          if (merge) {
            const [p1, p2, res] = [blob(), blob(), rnd() < 0.3 ? pick(pool) : blob()];
            meta = `::100644 100644 100644 ${p1} ${p2} ${rnd() < 0.3 ? p1 : res} MM`;
          } else if (r < 0.1) meta = `:100644 100644 ${pick(pool).slice(0, 5)}`;
          else if (r < 0.15) meta = `:100644  ${blob()} ${blob()} M`;
          else {
            const old = blob();
            meta = `:100644 100644 ${old} ${rnd() < 0.2 ? old : blob()} ${pick(['M', 'A', 'D', 'T'])}`;
          }
          const path = rnd() < 0.3 ? pick(pool) : `dir/${hex(3)}`;
          raw.push(Buffer.from(meta, 'latin1'), Buffer.from(path, 'utf8'));
        }
        commits.push({ id: hex(40), parents: [commits[commits.length - 1]!.id], raw });
      }
      const pushed = new PushedTouches(ctx);
      const tip = commits[commits.length - 1]!.id;
      // Walks asked between batches see every entry learnt so far.
      const half = Math.floor(commits.length / 2);
      for (const c of commits.slice(0, half)) pushed.add(c);
      const early = [pick(pool), pick(pool)];
      const mid = commits[half - 1]!.id;
      const got1 = await pushed.touches([mid], early);
      expect(got1?.pairs, `seed ${seed} (first batch)`).toEqual(
        eagerAnswer(commits.slice(0, half), early),
      );
      for (const c of commits.slice(half)) pushed.add(c);
      for (const objects of [pool, [pick(pool)], [ZERO, pick(pool), 'junk'], [pool[10]!]]) {
        const got = await pushed.touches([tip], objects);
        expect(
          got?.pairs.map((p) => ({ ...p })),
          `seed ${seed}`,
        ).toEqual(eagerAnswer(commits, objects));
      }
    }
  });

  it('a path that spells the asked id, and an id sharing its first characters, are no answer', async () => {
    const a = 'a'.repeat(40);
    const near = 'a'.repeat(7) + 'b'.repeat(33);
    const root = { id: 'c'.repeat(40), parents: [], raw: [] };
    const pushed = new PushedTouches(ctx);
    pushed.add(root);
    pushed.add({
      id: 'd'.repeat(40),
      parents: [root.id],
      raw: [`:000000 100644 ${ZERO} ${near} A`, a].map((x) => Buffer.from(x, 'latin1')),
    });
    expect((await pushed.touches(['d'.repeat(40)], [a]))?.pairs).toEqual([]);
    // The human control: the blob itself is found.
    expect((await pushed.touches(['d'.repeat(40)], [near]))?.pairs).toEqual([
      { commit: 'd'.repeat(40), path: a, old: ZERO, new: near },
    ]);
  });
});

describe('PushedGraph: the push’s walks over parents by index', () => {
  it('differential: reachableFrom over a Map of ids, step for step (random DAGs, outside ids, step bounds)', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      const id = (n: number): string => n.toString(16).padStart(40, '0');
      const n = 1 + Math.floor(rnd() * 40);
      const map = new Map<string, string[]>();
      const graph = new PushedGraph();
      for (let i = 0; i < n; i++) {
        // Parents among earlier commits, sometimes one outside the push (id >= 1000).
        const parents: string[] = [];
        const k = i === 0 ? 0 : Math.floor(rnd() * 3);
        for (let j = 0; j < k; j++)
          parents.push(rnd() < 0.1 ? id(1000 + j) : id(Math.floor(rnd() * i)));
        map.set(id(i), parents);
        graph.add(id(i), parents);
        // Learnt again with other parents: the last ones count, in both.
        if (rnd() < 0.05 && i > 0) {
          const again = [id(Math.floor(rnd() * i))];
          map.set(id(i), again);
          graph.add(id(i), again);
        }
      }
      for (let q = 0; q < 6; q++) {
        const tips = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () =>
          rnd() < 0.05 ? id(2000) : id(Math.floor(rnd() * n)),
        );
        const wanted = new Set(
          Array.from({ length: Math.floor(rnd() * 5) }, () =>
            rnd() < 0.1 ? id(3000) : id(Math.floor(rnd() * n)),
          ),
        );
        const maxSteps = rnd() < 0.3 ? Math.floor(rnd() * 10) : 500_000;
        const want = reachableFrom(map, tips, wanted, { closed: true, maxSteps });
        const got = graph.reachable(tips, wanted, maxSteps);
        expect(got && [...got], `seed ${seed} query ${q}`).toEqual(want && [...want]);
      }
    }
  });
});
