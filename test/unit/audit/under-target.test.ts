// The audit's walk asks, for every file of every commit, whether it is below some symlink
// target met so far (src/audit/history.ts underAnyTarget). Its fast path folds case and
// tests ASCII once per path instead of once per (path, target) pair; it must answer what
// isUnderTarget (src/policy/links.ts) answers for every pair: case, prefixes that are not
// directories (`src/ab` is not below `src/a`), the root target, and non-ASCII spellings
// (NFC/NFD, where the slow comparison is kept).

import { describe, expect, it } from 'vitest';
import { underAnyTarget } from '../../../src/audit/history.js';
import { isUnderTarget } from '../../../src/policy/links.js';
import { prng } from '../../helpers/prng.js';

const reference = (targets: Iterable<string>, path: string, nocase: boolean): boolean =>
  [...targets].some((t) => isUnderTarget(path, t, nocase));

const SEGMENTS = ['src', 'SRC', 'Src', 'a', 'ab', 'a.b', 'café', 'cafe\u0301', 'CAFÉ', 'x', ''];

describe('underAnyTarget answers as isUnderTarget over every target', () => {
  it('named cases, with a control that is below a target', () => {
    const targets = new Set(['src/a', 'docs']);
    for (const nocase of [false, true]) {
      const under = underAnyTarget(targets, nocase);
      for (const p of ['src/a', 'src/a/b', 'src/ab', 'src', 'SRC/A/x', 'docs', 'docsx', 'x/docs'])
        expect(under(p), `${p} ${nocase}`).toBe(reference(targets, p, nocase));
    }
    expect(underAnyTarget(targets, false)('src/a/q.json')).toBe(true);
    expect(underAnyTarget(targets, false)('src/ab/q.json')).toBe(false);
  });

  it('targets added after the first call are seen; the root target holds every path', () => {
    const targets = new Set(['lib']);
    const under = underAnyTarget(targets, false);
    expect(under('src/x')).toBe(false);
    targets.add('src');
    expect(under('src/x')).toBe(true);
    targets.add('');
    expect(under('anything/at/all')).toBe(true);
  });

  it('random paths and targets (fuzz, seeded)', () => {
    const rnd = prng(77);
    const pick = (): string => SEGMENTS[Math.floor(rnd() * SEGMENTS.length)]!;
    const path = (): string =>
      Array.from({ length: 1 + Math.floor(rnd() * 3) }, pick)
        .filter((s, i) => s !== '' || i === 0)
        .join('/');
    for (let round = 0; round < 400; round++) {
      const targets = new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, path));
      if (rnd() < 0.1) targets.add('');
      const nocase = rnd() < 0.5;
      const under = underAnyTarget(targets, nocase);
      for (let k = 0; k < 20; k++) {
        const p = path();
        expect(under(p), `${p} in ${[...targets].join(',')} ${nocase}`).toBe(
          reference(targets, p, nocase),
        );
      }
    }
  });
});
