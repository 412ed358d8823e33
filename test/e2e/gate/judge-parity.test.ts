// One judge for every point (issue 10 §1): the audit's fast walk (one `git log` stream,
// cat-file only for commits that touch a zone) and `check --range` (diff-tree --stdin
// for every commit) give the same findings on the same history — a generated history
// with every tool signature, renames, merges and reviews, plus the cases that drifted:
// an AI draft moved into a zone by a human, content seen through a link, and a merge
// that itself renames an AI draft into a zone.

import { spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeHistory } from '../../../src/audit/history.js';
import { judgeCommits, rangeIds } from '../../../src/check/range.js';
import type { Finding } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { generateHistory, POLICY } from '../../fixtures/audit/history.mjs';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { CLAUDE } from '../../helpers/server.js';

afterAll(removeTempDirs);

let repo: TestRepo;
const policy = loadPolicyText(POLICY, 'policy.yaml');
const now = new Date('2030-01-01T00:00:00Z');

const key = (commit: string | null, f: Finding): string =>
  `${commit} ${f.path} ${f.zone} ${f.tool} ${f.outcome}`;

beforeAll(() => {
  const gen = generateHistory({ commits: 600, seed: 7 });
  repo = TestRepo.init();
  const imp = spawnSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    env: repo.env,
    input: gen.stream,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (imp.status !== 0) throw new Error(`fast-import failed: ${imp.stderr}`);
  repo.git('reset', '-q', '--hard');
  const commit = (msg: string, ai: boolean): void => {
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', msg, ...(ai ? ['-m', CLAUDE] : []));
  };
  // An agent writes a draft outside every zone; a human moves it into a zone.
  repo.write('drafts/q1.json', '{"q":"what is 2+2"}\n');
  commit('draft', true);
  repo.git('mv', 'drafts/q1.json', 'evals/tasks/moved-q1.json');
  commit('file the draft', false);
  // A human links a folder into a zone; an agent writes into the folder.
  repo.write('src/jl/a.txt', 'a\n');
  symlinkSync('../src/jl', join(repo.dir, 'evals/extra'));
  commit('link', false);
  repo.write('src/jl/more.jsonl', '{}\n');
  commit('more', true);
  // A merge that itself renames an AI draft into a zone (an "evil merge").
  repo.git('checkout', '-q', '-b', 'side');
  repo.write('drafts/q2.json', '{"q":"capital of France"}\n');
  commit('second draft', true);
  repo.git('checkout', '-q', 'main');
  repo.write('README-2.md', 'x\n');
  commit('unrelated', false);
  repo.git('merge', '-q', '--no-ff', '--no-commit', 'side');
  repo.git('mv', 'drafts/q2.json', 'evals/tasks/merged-q2.json');
  repo.git('commit', '-q', '--no-verify', '-m', 'Merge side');
}, 120_000);

describe('audit and check --range judge alike', () => {
  it(
    'the same findings, commit by commit, on a generated history with moves, links and merges',
    { timeout: 120_000 },
    async () => {
      const ctx = { cwd: repo.dir, env: repo.env };
      const byRange = new Set<string>();
      for await (const j of judgeCommits(ctx, policy, {}, await rangeIds(ctx, 'HEAD'), now))
        for (const f of j.findings) byRange.add(key(j.record.id, f));
      const byAudit = new Set<string>();
      for await (const c of judgeHistory(
        ctx,
        policy,
        {},
        { walk: ['--end-of-options', 'HEAD', '--'], boundary: new Set() },
        now,
      ))
        for (const f of c.findings) byAudit.add(key(c.id, f));
      expect(byRange.size).toBeGreaterThan(50);
      expect([...byAudit].sort()).toEqual([...byRange].sort());
      const paths = [...byAudit].map((k) => k.split(' ')[1]);
      expect(paths).toContain('evals/tasks/moved-q1.json');
      expect(paths).toContain('evals/extra/more.jsonl');
      expect(paths).toContain('evals/tasks/merged-q2.json');
    },
  );

  it(
    'the audit reports the moved, linked and merged content as contaminated (was CLEAN for the move)',
    { timeout: 120_000 },
    () => {
      const r = repo.cleanroom(['audit', '--format', 'json'], { env: { ...repo.env } });
      expect(r.code, r.stderr).toBe(1);
      const report = JSON.parse(r.stdout) as { zones: { contaminated: { path: string }[] }[] };
      const bad = report.zones.flatMap((z) => z.contaminated.map((c) => c.path));
      expect(bad).toContain('evals/tasks/moved-q1.json');
      expect(bad).toContain('evals/extra/more.jsonl');
      expect(bad).toContain('evals/tasks/merged-q2.json');
    },
  );
});
