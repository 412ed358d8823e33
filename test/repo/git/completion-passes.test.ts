// A push completes its judged commits through processes kept for the whole push
// (CompletionPasses: `diff-tree -M`, `diff-tree -M -c`, `cat-file --batch`) instead of
// three new ones per batch. Speed work only: every record must be exactly what the
// per-batch processes give, over many small batches asked of the same processes
// (renames, merges, the hostile cases), and bad input must fail as before.

import { afterAll, describe, expect, it } from 'vitest';
import {
  CompletionPasses,
  completeCommits,
  readDiffBatches,
  type CommitDiff,
} from '../../../src/git/commits.js';
import { generateHistory } from '../../fixtures/audit/history.mjs';
import { addHostileCases, importHistory } from '../../helpers/hostile-history.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

describe('CompletionPasses: one set of processes for a whole push', () => {
  it('differential: the same records as per-batch processes, batch after batch (seed 5, hostile cases)', async () => {
    const repo = TestRepo.init();
    importHistory(repo, generateHistory({ commits: 200, seed: 5 }).stream);
    addHostileCases(repo);
    const ctx = { cwd: repo.dir, env: repo.env };
    const items = repo.commitsOldestFirst();
    const diffs: CommitDiff[] = [];
    for await (const batch of readDiffBatches(ctx, items)) diffs.push(...batch);
    const passes = new CompletionPasses(ctx);
    try {
      let renamed = 0;
      let merges = 0;
      // Batches of varying size, so each process answers many requests in turn.
      // Every fifth batch ends the processes first, as a push past its first batches does
      // (range.ts KEPT_PASS_BATCHES): they start again on the next request.
      for (let i = 0, n = 0, size = 1; i < diffs.length; i += size, size = (size % 13) + 1) {
        const batch = diffs.slice(i, i + size);
        if (++n % 5 === 0) passes.close();
        const want = await completeCommits(ctx, batch);
        const got = await completeCommits(ctx, batch, passes);
        expect(got).toEqual(want);
        renamed += got.filter((r) => r.files.some((f) => f.status === 'R')).length;
        merges += got.filter((r) => r.parents.length > 1).length;
      }
      // The rename passes were exercised, not only the first.
      expect(renamed).toBeGreaterThan(3);
      expect(merges).toBeGreaterThan(3);
    } finally {
      passes.close();
    }
  }, 120_000);

  it('fail closed: an id that is not a commit is refused as without the kept processes; a malformed id never reaches git', async () => {
    const repo = TestRepo.init();
    repo.write('a', 'a\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'root');
    const ctx = { cwd: repo.dir, env: repo.env };
    const head = repo.git('rev-parse', 'HEAD').trim();
    const blob = repo.git('rev-parse', 'HEAD:a').trim();
    const passes = new CompletionPasses(ctx);
    try {
      // The human control: the commit itself completes.
      const [diff] = await (async () => {
        for await (const b of readDiffBatches(ctx, [{ id: head, parents: [] }])) return b;
        return [];
      })();
      expect((await completeCommits(ctx, [diff!], passes))[0]!.id).toBe(head);
      const asBlob = { ...diff!, id: blob };
      const without = await completeCommits(ctx, [asBlob]).catch((e: Error) => e.message);
      const withPasses = await completeCommits(ctx, [asBlob], passes).catch(
        (e: Error) => e.message,
      );
      expect(withPasses).toBe(without);
      expect(withPasses).toMatch(/is not a commit that git can read/);
      await expect(passes.objects(['--batch-all-objects'])).rejects.toThrow(/not an object id/);
      // The same processes still answer after a refusal.
      expect((await completeCommits(ctx, [diff!], passes))[0]!.id).toBe(head);
    } finally {
      passes.close();
    }
  });
});
