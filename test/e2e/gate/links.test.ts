// Links are content at their own path (issue 10 §2, docs/design/contract.md §3). Each attack is an openly
// AI-attributed commit with no signature, tried at every point; beside it, the same
// change made by a human passes everywhere.

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs } from '../../helpers/repo.js';
import { itAtEveryPoint, type Scenario, type Step, tryEverywhere } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 120_000 };
const BENCH = POLICY.replace(
  'zones:\n',
  'zones:\n  - name: bench-tasks\n    paths: ["benchmarks/*/tasks/**"]\n    ai: deny\n',
);
const TASKS_ONLY = POLICY.replace(
  'paths: ["evals/tasks/**", "evals/**/*.jsonl"]',
  'paths: ["evals/tasks/**"]',
);

const cases: Scenario[] = [
  {
    name: 'a symlink evals/extra -> ../src/jl beside AI content in src/jl (zone evals/**/*.jsonl)',
    path: 'evals/extra',
    steps: (ai) => [
      {
        message: 'jsonl helpers',
        ai,
        files: { 'src/jl/more.jsonl': '{"q":1}\n' },
        symlinks: { 'evals/extra': '../src/jl' },
      },
    ],
  },
  {
    name: 'a directory link at the zone root: evals -> generated/ (zone evals/tasks/**)',
    path: 'evals',
    policy: TASKS_ONLY,
    steps: (ai) => [
      {
        message: 'generated evals',
        ai,
        files: { 'generated/tasks/q1.json': '{}\n' },
        symlinks: { evals: 'generated/' },
      },
    ],
  },
  {
    name: 'a link whose children a zone glob matches: benchmarks/arith -> ../src/gen (zone benchmarks/*/tasks/**)',
    path: 'benchmarks/arith',
    policy: BENCH,
    steps: (ai) => [
      {
        message: 'arith benchmark',
        ai,
        files: { 'src/gen/tasks/q1.json': '{}\n' },
        symlinks: { 'benchmarks/arith': '../src/gen' },
      },
    ],
  },
  {
    name: 'a gitlink (submodule) at a path a zone could match below: evals/extra',
    path: 'evals/extra',
    steps: (ai) => [{ message: 'vendor the eval set', ai, gitlinks: ['evals/extra'] }],
  },
  {
    name: 'content written later at a linked target: src/jl/more.jsonl while evals/extra -> ../src/jl exists',
    path: 'evals/extra/more.jsonl',
    steps: (ai): Step[] => [
      {
        message: 'link the jsonl folder (by a human)',
        ai: false,
        files: { 'src/jl/a.txt': 'a\n' },
        symlinks: { 'evals/extra': '../src/jl' },
      },
      { message: 'more data', ai, files: { 'src/jl/more.jsonl': '{"q":2}\n' } },
    ],
  },
];

describe('links into zones are judged as zone content, at every point', () => {
  itAtEveryPoint(cases, T);

  it(
    'explain agrees: a link path names the zones below it, a target path the linked path',
    T,
    () => {
      const p = tryEverywhere(cases[4]!.steps(false));
      const target = p.s.work.cleanroom(['explain', 'src/jl/more.jsonl', '--format', 'json']);
      expect(target.code, target.stderr).toBe(0);
      const t = JSON.parse(target.stdout);
      expect(t.seenAt).toEqual(['evals/extra/more.jsonl']);
      expect(t.verdicts[0]).toMatchObject({ verdict: 'deny', zone: 'eval-tasks' });
      const link = p.s.work.cleanroom(['explain', 'evals/extra']);
      expect(link.stdout).toContain(
        'a symlink or submodule here would put content into zone eval-tasks',
      );
      // From a subdirectory the link elsewhere is still seen (ls-files lists only what is
      // below the directory it runs in, unless asked for the whole index).
      const fromSub = p.s.work.cleanroom(['explain', 'more.jsonl', '--format', 'json'], {
        cwd: join(p.s.work.dir, 'src', 'jl'),
      });
      expect(fromSub.code, fromSub.stderr).toBe(0);
      expect(JSON.parse(fromSub.stdout).seenAt).toEqual(['evals/extra/more.jsonl']);
      // Control: a path no link leads to stays allowed.
      const other = JSON.parse(
        p.s.work.cleanroom(['explain', 'src/other/more.jsonl', '--format', 'json']).stdout,
      );
      expect(other.verdicts[0]).toMatchObject({ verdict: 'allow' });
    },
  );
});
