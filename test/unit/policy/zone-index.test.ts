// Issue 14 §4: `zonesFor` no longer tries every glob of the policy on every path; a tree
// of the globs' literal leading segments (src/policy/compile.ts, zoneIndex) picks the
// globs that could match, and a required word prefilters the globs at its root. It must
// answer exactly what picomatch answers, zone by zone: a differential test over random
// policies (both case modes, NFC or not) and random paths made from the globs' own pieces
// and from the characters where case folding and Unicode differ (KELVIN SIGN, long s,
// dotted I, final sigma, decomposed accents), dot segments, empty segments, brackets.

import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  globMatcher,
  zoneIndex,
  type PolicyInput,
} from '../../../src/policy/compile.js';
import { prng } from '../../helpers/prng.js';

const GLOB_PARTS = [
  '**',
  '*',
  '*.json',
  '*.py',
  '?',
  'evals',
  'Evals',
  'tasks',
  'k8s',
  'answer_key*',
  'task-1',
  '.github',
  'a.b',
  '...',
  '[abc]',
  '{tasks,answers}',
  '{a,b/c}',
  '!(x)',
  '@(a|b)',
  '+(k)',
  'café',
  'x|y',
  'ev*ls',
  'q?.json',
  '',
];
const SEGMENTS = [
  'evals',
  'EVALS',
  'Evals',
  'tasks',
  'TASKS',
  'k8s',
  'K8S',
  '\u212a8s', // KELVIN SIGN: lowercases to "k", never equals "k" under /i without /u
  'ta\u017fks', // LONG S: uppercases to "S"
  '\u0130', // DOTTED CAPITAL I: lowercases to "i" + combining dot
  'ta\u03c2', // final sigma
  'answer_key.json',
  'ANSWER_KEY',
  'answer-key',
  'task-1',
  '.github',
  'a.b',
  'aXb',
  '...',
  '..',
  '.',
  '',
  '[abc]',
  'a',
  'b',
  'c',
  'x',
  'x|y',
  'x\ny',
  'café',
  'cafe\u0301',
  'q1.json',
  'Q1.JSON',
  'run.py',
  'tasks,answers',
  'evls',
];

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const globOf = (r: () => number): string => {
  const g = Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, GLOB_PARTS))
    .join('/')
    .replace(/^\/+/, '');
  return r() < 0.08 ? `!${g}` : g;
};
const pathOf = (r: () => number, globs: readonly string[]): string => {
  // Half the paths start from a glob of the policy (its literal parts made concrete), so
  // the tree's branches are walked, not only missed.
  const base =
    r() < 0.5 && globs.length
      ? pick(r, globs)
          .replace(/^!/, '')
          .split('/')
          .map((s) => (/[*?[\]{}()!+@|]/.test(s) || s === '' ? pick(r, SEGMENTS) : s))
      : [];
  const more = Array.from({ length: Math.floor(r() * 3) }, () => pick(r, SEGMENTS));
  let p = [...base, ...more].join('/');
  if (r() < 0.15) p = p.toUpperCase();
  if (r() < 0.05) p = `${p}/`;
  if (r() < 0.1) p += pick(r, ['/.', '/..', '/./x', '/../x', '/.x', '/..x']);
  return p;
};

/**
 * What picomatch says: the zones (names, in order) whose paths match and excludes do not.
 * An exclude must match the path and the glob as written, case-sensitively, and folded as
 * the paths match (either alone widens it: src/policy/compile.ts).
 */
function picomatchZones(
  input: PolicyInput,
  nocase: boolean,
  nfc: boolean,
): (path: string) => string[] {
  const opts = { dot: true, nocase, flags: nocase ? 'is' : 's' };
  const norm = (gs: readonly string[]): string[] => gs.map((g) => (nfc ? g.normalize('NFC') : g));
  const zones = input.zones.map((z) => ({
    name: z.name,
    inc: picomatch(norm(z.paths), opts),
    exact: (z.exclude ?? []).length
      ? picomatch(z.exclude!, { dot: true, nocase: false, flags: 's' })
      : () => false,
    folded: (z.exclude ?? []).length ? picomatch(norm(z.exclude!), opts) : () => false,
  }));
  return (path) => {
    const n = nfc ? path.normalize('NFC') : path;
    return n === ''
      ? []
      : zones.filter((z) => z.inc(n) && !(z.exact(path) && z.folded(n))).map((z) => z.name);
  };
}

describe('the zone index answers what picomatch answers', () => {
  for (const nocase of [true, false])
    for (const nfc of [true, false])
      it(`random policies and paths (${nocase ? 'case-insensitive' : 'case-sensitive'}, ${nfc ? 'NFC' : 'no normalisation'})`, () => {
        const r = prng((nocase ? 11 : 12) + (nfc ? 0 : 10));
        let inZone = 0;
        let policies = 0;
        for (let round = 0; round < 250; round++) {
          const zones = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => ({
            name: `z${i}`,
            paths: Array.from({ length: 1 + Math.floor(r() * 3) }, () => globOf(r)).filter(
              (g) => g !== '',
            ),
            exclude: r() < 0.3 ? [globOf(r)].filter((g) => g !== '') : [],
            ai: 'deny' as const,
          })).filter((z) => z.paths.length);
          if (!zones.length) continue;
          const input: PolicyInput = {
            version: 1,
            repository: 'x/y',
            matching: { case: nocase ? 'insensitive' : 'sensitive', unicode: nfc ? 'nfc' : 'none' },
            zones,
          };
          let policy;
          try {
            // validated: the globs are not checked, so odd ones reach the matchers too
            // (a policy the checks refuse never gets here; these stress the index).
            policy = compilePolicy(input, { file: 'p.yaml' } as never, true);
          } catch {
            continue; // picomatch refused a glob: no policy, nothing to compare
          }
          policies++;
          const globs = zones.flatMap((z) => [...z.paths, ...z.exclude]);
          const paths = [...Array.from({ length: 60 }, () => pathOf(r, globs)), ...globs, ''];
          const theirs = picomatchZones(input, nocase, nfc);
          for (const p of paths) {
            const want = theirs(p);
            if (want.length) inZone++;
            expect(
              policy.zonesFor(p).map((z) => z.name),
              `${JSON.stringify(zones)} on ${JSON.stringify(p)}`,
            ).toEqual(want);
          }
        }
        expect(policies).toBeGreaterThan(150);
        expect(inZone).toBeGreaterThan(800);
      }, 120_000);

  it('answers `dir/**` globs without their expression, and only those picomatch makes as expected', () => {
    const opts = { dot: true, nocase: true, flags: 'is' };
    const globs = ['evals/tasks/**', 'evals/*.py', 'a-b.c/x_y/**', '**/k/**'];
    const root = zoneIndex([{ globs, matcher: globMatcher(globs, opts) }], opts);
    const all = (n: typeof root): { glob: string; subtree: boolean }[] => [
      ...n.tests,
      ...n.next.flatMap(all),
    ];
    expect(Object.fromEntries(all(root).map((t) => [t.glob, t.subtree]))).toEqual({
      'evals/tasks/**': true,
      'evals/*.py': false,
      'a-b.c/x_y/**': true,
      '**/k/**': false,
    });
  });

  // The cases the tree's keys and the root's prefilter could get wrong, each with its
  // control: a folding that toLowerCase makes but the `i` flag does not, and the reverse.
  const policy = compilePolicy(
    {
      version: 1,
      repository: 'x/y',
      zones: [
        { name: 'tasks', paths: ['evals/tasks/**', 'k8s/*.json'], ai: 'deny' },
        { name: 'keys', paths: ['**/answer_key*', 'evals/*.py'], ai: 'deny' },
        { name: 'not-src', paths: ['!src/**'], exclude: ['README.md'], ai: 'review' },
      ],
    },
    { file: 'p.yaml' } as never,
  );
  const zonesOf = (p: string): string[] => policy.zonesFor(p).map((z) => z.name);
  const raw = compilePolicy(
    {
      version: 1,
      repository: 'x/y',
      matching: { unicode: 'none' },
      zones: [{ name: 'k', paths: ['k8s/**'], ai: 'deny' }],
    },
    { file: 'p.yaml' } as never,
  );
  it('without NFC, KELVIN SIGN is not "k" under /i (toLowerCase would say it is)', () => {
    expect(raw.zonesFor('\u212a8s/a.json')).toEqual([]);
    expect(raw.zonesFor('K8S/a.json').map((z) => z.name)).toEqual(['k']); // control
    expect(picomatch('k8s/**', { dot: true, nocase: true })('\u212a8s/a.json')).toBe(false);
  });
  it.each([
    ['evals/tasks/q1.json', ['tasks', 'not-src']],
    ['EVALS/Tasks/q1.json', ['tasks', 'not-src']],
    ['evals/tasks', ['tasks', 'not-src']],
    ['evals/tasks/', ['tasks', 'not-src']],
    ['evals/tasks/./q1.json', ['not-src']], // picomatch: no "." or ".." segment below
    ['evals/tasks/a/../q1.json', ['not-src']],
    ['evals/tasks/..', ['not-src']],
    ['evals/tasks/a/.', ['not-src']],
    ['evals/tasks/a/..', ['not-src']],
    ['evals/tasks/.q1/..x/.../q.json', ['tasks', 'not-src']],
    ['evals/tasks/a\nb.json', ['tasks', 'not-src']],
    ['evals/tasksx/q1.json', ['not-src']],
    ['evals/ta\u017fks/q1.json', ['not-src']], // long s is not "s" under /i
    ['\u212a8s/a.json', ['tasks', 'not-src']], // KELVIN SIGN: NFC makes it "K" first
    ['k8s/a.json', ['tasks', 'not-src']], // control
    ['K8S/A.JSON', ['tasks', 'not-src']], // control
    ['src/x/answer_key.json', ['keys']],
    ['answer_key', ['keys', 'not-src']],
    ['src/x/ANSWER_KEY.txt', ['keys']],
    ['src/x/answer-key.txt', []],
    ['Evals/run.py', ['keys', 'not-src']],
    ['README.md', []],
    ['src/app.ts', []],
    ['', []],
  ])('%j is in %j', (path, want) => {
    expect(zonesOf(path)).toEqual(want);
  });
});
