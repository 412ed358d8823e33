// What a merge wrote, as the provenance walk reads it (docs/signals.md, "What a merge
// wrote"): the result blob of a path whose result differs from the blob of every parent
// there — checked against trees read with `ls-tree` (an oracle that shares no code with
// the walk), over random branchy histories whose merges write, keep and drop content;
// the push's own index (PushedTouches) must answer the same; and no `git log` setting a
// repository may carry changes the walk's output.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  entryPair,
  findObjectArgs,
  PushedTouches,
  setTouchIndex,
  touchesOf,
} from '../../../src/check/provenance.js';
import { readDiffBatches } from '../../../src/git/commits.js';
import { runGit } from '../../../src/git/git.js';
import { importHistory } from '../../helpers/hostile-history.js';
import { prng } from '../../helpers/prng.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const Z = '0'.repeat(40);

describe('entryPair: a raw entry as the pair of blobs it stands for', () => {
  it.each([
    ['a commit’s change', `:100644 100644 ${A} ${B} M`, { old: A, new: B }],
    ['a commit’s addition', `:000000 100644 ${Z} ${B} A`, { old: Z, new: B }],
    [
      'a merge’s new content (evil merge)',
      `::000000 000000 100644 ${Z} ${Z} ${C} AA`,
      { old: '', new: C },
    ],
    ['a merge’s resolution', `::100644 100644 100644 ${A} ${B} ${C} MM`, { old: '', new: C }],
    [
      'an octopus merge’s new content',
      `:::000000 100644 000000 100644 ${Z} ${A} ${Z} ${C} AMA`,
      { old: '', new: C },
    ],
    [
      'a merge that changes only the mode of a parent’s blob',
      `::100644 100644 100755 ${A} ${B} ${B} MM`,
      undefined,
    ],
    ['a merge that deletes', `::100644 100644 000000 ${A} ${B} ${Z} DD`, undefined],
    ['a truncated merge entry', `::100644 100644 ${A} ${B}`, undefined],
  ])('%s', (_name, meta, want) => {
    const got = entryPair('1'.repeat(40), meta, 'p');
    expect(got && { old: got.old, new: got.new }).toEqual(want);
  });
});

/** `path → blob` of a commit's tree. */
function treeOf(repo: TestRepo, commit: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of repo.git('ls-tree', '-r', '-z', commit).split('\0')) {
    if (!line) continue;
    const [meta = '', path = ''] = line.split('\t');
    out.set(path, meta.split(' ')[2]!);
  }
  return out;
}

describe('the walk reads what each merge wrote, and only that', () => {
  it('random branchy histories (merges that write, keep and drop content): the walk, the push’s index and the trees agree', async () => {
    for (const seed of [5, 6, 7]) {
      const rand = prng(seed);
      const repo = TestRepo.init();
      const contents = ['a\n', 'b\n', 'c\n', 'd\n', 'e\n'];
      const paths = ['x', 'd/y', 'w'];
      let s = '';
      const heads: number[] = [];
      for (let m = 1; m <= 50; m++) {
        const date = 1700000000 + m;
        const from = heads.length ? heads[Math.floor(rand() * heads.length)]! : undefined;
        const other =
          heads.length > 1 && rand() < 0.35 ? heads[Math.floor(rand() * heads.length)] : undefined;
        let ops = '';
        for (const p of paths)
          if (rand() < 0.35) {
            const text = contents[Math.floor(rand() * contents.length)]!;
            ops +=
              rand() < 0.15 ? `D ${p}\n` : `M 100644 inline ${p}\ndata ${text.length}\n${text}\n`;
          }
        // Fast-import's merge tree is the first parent's with `ops` applied: a merge may
        // write new content, keep the second parent's, or drop it.
        s +=
          `commit refs/heads/b${m % 3}\nmark :${m}\ncommitter H <h@example.org> ${date} +0000\ndata 2\nc\n` +
          (from ? `from :${from}\n` : '') +
          (other && other !== from ? `merge :${other}\n` : '') +
          ops;
        heads.push(m);
      }
      importHistory(repo, s);
      const ctx = { cwd: repo.dir, env: repo.env };
      const blobs = contents.map((c) =>
        execFileSync('git', ['hash-object', '--stdin'], { input: c }).toString().trim(),
      );
      const items = repo.commitsOldestFirst('--all');
      // The oracle: (merge, path, blob) where the merge's blob at path is in no parent there.
      const wrote = new Set<string>();
      let kept = 0;
      for (const { id, parents } of items) {
        if (parents.length < 2) continue;
        const mine = treeOf(repo, id);
        const theirs = parents.map((p) => treeOf(repo, p));
        for (const [path, blob] of mine) {
          if (theirs.every((t) => t.get(path) !== blob)) wrote.add(`${id} ${path} ${blob}`);
          else if (theirs.some((t) => t.get(path) !== blob)) kept++;
        }
      }
      expect(wrote.size, 'some merge wrote content').toBeGreaterThan(0);
      expect(kept, 'some merge kept one parent’s differing content').toBeGreaterThan(0);
      const merges = new Set(items.filter((i) => i.parents.length > 1).map((i) => i.id));
      const tips = repo
        .git('for-each-ref', '--format=%(objectname)', 'refs/heads')
        .trim()
        .split('\n');
      setTouchIndex(ctx, undefined);
      const walked = await touchesOf(ctx, tips, blobs, true);
      const fromMerges = new Set(
        walked
          .filter((t) => merges.has(t.commit) && blobs.includes(t.blob))
          .map((t) => `${t.commit} ${t.path} ${t.blob}`),
      );
      expect([...fromMerges].sort()).toEqual([...wrote].sort());
      // The push's own diffs answer the same lookups (first touch per path, last per blob).
      const pushed = new PushedTouches(ctx);
      for await (const batch of readDiffBatches(ctx, items)) for (const d of batch) pushed.add(d);
      const lookups = (ts: { commit: string; path: string; blob: string }[]): string => {
        const first = new Map<string, string>();
        const last = new Map<string, string>();
        for (const t of ts.filter((x) => blobs.includes(x.blob))) {
          if (!first.has(`${t.blob} ${t.path}`)) first.set(`${t.blob} ${t.path}`, t.commit);
          last.set(t.blob, t.commit);
        }
        return JSON.stringify([[...first].sort(), [...last].sort()]);
      };
      for (const tip of tips) {
        setTouchIndex(ctx, undefined);
        const want = await touchesOf(ctx, [tip], blobs, true);
        setTouchIndex(ctx, pushed);
        expect(await pushed.touches([tip], blobs), 'answered from the push').toBeDefined();
        expect(lookups(await touchesOf(ctx, [tip], blobs, true))).toBe(lookups(want));
      }
      setTouchIndex(ctx, undefined);
    }
  }, 120_000);
});

describe('git settings do not change what the walk reads of merges', () => {
  it('attack: log.diffMerges, diff.renames, log.showRoot and friends leave the output as it is', async () => {
    const repo = TestRepo.init();
    repo.write('base', 'b\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'base');
    repo.git('checkout', '-q', '-b', 'side');
    repo.write('side', 's\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'side');
    repo.git('checkout', '-q', 'main');
    repo.write('main', 'm\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'main');
    repo.git('merge', '-q', '--no-ff', '--no-commit', 'side');
    repo.write('drafts/q.json', 'evil\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'evil merge');
    const evil = repo.git('rev-parse', 'HEAD:drafts/q.json').trim();
    const side = repo.git('rev-parse', 'HEAD:side').trim();
    const ctx = { cwd: repo.dir, env: repo.env };
    const args = findObjectArgs([evil, side], ['HEAD']);
    const plain = (await runGit(ctx, args)).stdout.toString('latin1');
    expect(plain, 'the merge’s own entry is listed').toContain(`::000000 000000 100644`);
    for (const [k, v] of [
      ['log.diffMerges', 'first-parent'],
      ['log.diffMerges', 'separate'],
      ['log.diffMerges', 'combined'],
      ['diff.renames', 'copies'],
      ['log.showRoot', 'false'],
      ['core.abbrev', '7'],
      ['diff.ignoreSubmodules', 'all'],
    ] as const) {
      repo.git('config', k, v);
      expect((await runGit(ctx, args)).stdout.toString('latin1'), `${k}=${v}`).toBe(plain);
      repo.git('config', '--unset-all', k);
    }
  });
});
