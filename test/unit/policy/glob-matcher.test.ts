// Issue 14 §4: a policy's zones are matched with one joined expression per zone, and one
// for all zones together (src/policy/compile.ts, globMatcher), instead of one picomatch
// call per glob. A path must be in a zone exactly when picomatch says so: a differential
// test over the preset's globs, globs made at random and paths made at random from their
// pieces (case, dots, newlines, decomposed accents, literal glob characters).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compilePolicy, globMatcher } from '../../../src/policy/compile.js';
import { ROOT } from '../../helpers/repo.js';
import { prng } from '../../helpers/prng.js';

const preset = parse(
  readFileSync(join(ROOT, 'policies', 'presets', 'eval-cleanroom.yaml'), 'utf8'),
) as { zones: { paths: string[]; exclude?: string[] }[] };
const presetGlobs = preset.zones.flatMap((z) => [...z.paths, ...(z.exclude ?? [])]);

const SEGMENTS = [
  'evals',
  'Evals',
  'tasks',
  'TASKS',
  'data',
  'train',
  '.hidden',
  'src',
  'a b',
  'x\ny',
  'café',
  'cafe\u0301',
  '[abc]',
  '*',
  'q1.json',
  'q.JSONL',
  'README.md',
  'fixtures',
  'harness',
  '..',
  '.',
  'prompts',
  'answers',
  'golden',
  'x.py',
  '{a,b}',
];
const GLOB_PARTS = [
  '**',
  '*',
  '*.json',
  '*.jsonl',
  '?',
  '[abc]',
  '{tasks,answers}',
  'evals',
  'data',
  'train',
  '.hidden',
  'fixtures',
  '!(x)',
  'README.md',
  'q1.json',
  'café',
  '@(a|b)',
];

const pathOf = (r: () => number): string =>
  Array.from(
    { length: 1 + Math.floor(r() * 4) },
    () => SEGMENTS[Math.floor(r() * SEGMENTS.length)]!,
  ).join('/');
const globOf = (r: () => number): string =>
  Array.from(
    { length: 1 + Math.floor(r() * 4) },
    () => GLOB_PARTS[Math.floor(r() * GLOB_PARTS.length)]!,
  ).join('/');

describe('zone globs: one joined expression answers what picomatch answers', () => {
  for (const nocase of [true, false]) {
    it(`random globs and paths (${nocase ? 'case-insensitive' : 'case-sensitive'})`, () => {
      const opts = { dot: true, nocase, flags: nocase ? 'is' : 's' };
      const r = prng(nocase ? 7 : 8);
      let hits = 0;
      for (let round = 0; round < 300; round++) {
        const globs = [
          ...Array.from({ length: 1 + Math.floor(r() * 4) }, () => globOf(r)),
          ...(round % 3 === 0 ? [presetGlobs[Math.floor(r() * presetGlobs.length)]!] : []),
        ];
        const ours = globMatcher(globs, opts);
        const theirs = picomatch(globs, opts);
        const paths = [...Array.from({ length: 40 }, () => pathOf(r)), ...globs, ''];
        for (const p of paths) {
          const want = p !== '' && theirs(p);
          if (want) hits++;
          expect(ours(p), `${JSON.stringify(globs)} on ${JSON.stringify(p)}`).toBe(want);
        }
      }
      expect(hits).toBeGreaterThan(500);
    }, 60_000);
  }

  it("the preset's zones: zonesFor agrees with picomatch zone by zone", () => {
    const input = parse(
      readFileSync(join(ROOT, 'policies', 'presets', 'eval-cleanroom.yaml'), 'utf8'),
    );
    const policy = compilePolicy(input, { file: 'policy.yaml' } as never);
    const opts = { dot: true, nocase: true, flags: 'is' };
    const r = prng(9);
    const paths = [
      ...Array.from({ length: 3000 }, () => pathOf(r)),
      'evals/tasks/q1.json',
      'Evals/Tasks/q1.json',
      'src/app.ts',
      ...presetGlobs,
    ];
    let inZones = 0;
    for (const p of paths) {
      const n = p.normalize('NFC');
      const want = preset.zones
        .map((z, i) => ({ z, i }))
        .filter(
          ({ z }) =>
            n !== '' &&
            picomatch(
              z.paths.map((g) => g.normalize('NFC')),
              opts,
            )(n) &&
            !(
              z.exclude?.length &&
              picomatch(
                z.exclude.map((g) => g.normalize('NFC')),
                opts,
              )(n)
            ),
        )
        .map(({ i }) => policy.zones[i]!.name);
      if (want.length) inZones++;
      expect(
        policy.zonesFor(p).map((z) => z.name),
        p,
      ).toEqual(want);
    }
    expect(inZones).toBeGreaterThan(20);
  }, 60_000);
});
