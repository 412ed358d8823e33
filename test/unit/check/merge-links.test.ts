// TreeLinks knows a merge's links from its parents' and its combined diff. A merge that
// keeps its first parent's links exactly (same entries, same order) now shares that very
// list, so its resolution is not redone per merge (issue 14: 578 resolutions on Aider's
// history, most for merges). Differential: on random branchy histories where links are
// added, retargeted, removed and conflicted on both sides, every commit's links as
// followed must be exactly those read from the commit's own tree.

import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TreeLinks } from '../../../src/check/links.js';
import { compilePolicy } from '../../../src/policy/compile.js';
import { readDiffBatches } from '../../../src/git/commits.js';
import type { GitContext } from '../../../src/git/git.js';
import { prng } from '../../helpers/prng.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const policy = compilePolicy(
  { version: 1, zones: [{ name: 'evals', paths: ['evals/**'], ai: 'deny' }] } as never,
  { file: 'policy.yaml' } as never,
);

/** `path` made a symlink to `target` (replacing whatever was there). */
function symlink(repo: TestRepo, path: string, target: string): void {
  const full = join(repo.dir, path);
  mkdirSync(dirname(full), { recursive: true });
  rmSync(full, { force: true, recursive: true });
  symlinkSync(target, full);
}

function commitAll(repo: TestRepo, msg: string): void {
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '--allow-empty', '-m', msg);
}

describe('TreeLinks: a merge that keeps its first parent’s links shares them', () => {
  it('differential: followed links equal each commit’s own tree, on random branchy histories', async () => {
    for (const seed of [1, 2, 3, 4]) {
      const rnd = prng(seed);
      const repo = TestRepo.init();
      repo.write('src/a.txt', 'a\n');
      repo.write('data/b.txt', 'b\n');
      commitAll(repo, 'root');
      const targets = ['../src', '../data', 'src/a.txt', '../nowhere'];
      const names = ['evals/l1', 'evals/l2', 'docs/l3'];
      let branch = 0;
      for (let step = 0; step < 14; step++) {
        const r = rnd();
        if (r < 0.3) {
          // A side branch that changes links (or not), merged back.
          const name = `side${branch++}`;
          repo.git('checkout', '-q', '-b', name);
          if (rnd() < 0.6)
            symlink(
              repo,
              names[Math.floor(rnd() * names.length)]!,
              targets[Math.floor(rnd() * targets.length)]!,
            );
          else repo.write(`src/f${step}.txt`, `${step}\n`);
          commitAll(repo, `side ${step}`);
          repo.git('checkout', '-q', 'main');
          repo.write(`src/m${step}.txt`, `${step}\n`);
          commitAll(repo, `main ${step}`);
          const res = repo.tryGit(['merge', '-q', '--no-edit', '-X', 'theirs', name]);
          if (res.code !== 0) {
            repo.git('add', '-A');
            repo.git('commit', '-q', '--no-verify', '-m', `merge ${step}`);
          }
        } else if (r < 0.6) {
          symlink(
            repo,
            names[Math.floor(rnd() * names.length)]!,
            targets[Math.floor(rnd() * targets.length)]!,
          );
          commitAll(repo, `link ${step}`);
        } else if (r < 0.7) {
          repo.git('rm', '-q', '-r', '--ignore-unmatch', 'evals/l1', 'docs/l3');
          commitAll(repo, `unlink ${step}`);
        } else {
          repo.write(`src/x${step}.txt`, `${step}\n`);
          commitAll(repo, `plain ${step}`);
        }
      }
      const ctx: GitContext = { cwd: repo.dir, env: repo.env };
      const items = repo.commitsOldestFirst();
      const followed = new TreeLinks(ctx, policy);
      try {
        for await (const batch of readDiffBatches(ctx, items))
          for (const d of batch) {
            followed.follow(d);
            const fresh = new TreeLinks(ctx, policy);
            try {
              // As sets: links learnt from diffs come in the order learnt, a tree's in tree order.
              const key = (ls: readonly object[]): string[] =>
                ls.map((l) => JSON.stringify(l)).sort();
              expect(key(await followed.at(d.id)), `seed ${seed} ${d.id}`).toEqual(
                key(await fresh.at(d.id)),
              );
            } finally {
              fresh.close();
            }
          }
      } finally {
        followed.close();
      }
    }
  }, 120_000);

  it('a merge that keeps the links is answered with its parent’s very list; one that changes them is not', async () => {
    const repo = TestRepo.init();
    repo.write('src/a.txt', 'a\n');
    symlink(repo, 'evals/l1', '../src');
    commitAll(repo, 'root');
    repo.git('checkout', '-q', '-b', 'keep');
    repo.write('src/k.txt', 'k\n');
    commitAll(repo, 'keep');
    repo.git('checkout', '-q', '-b', 'change', 'main');
    symlink(repo, 'evals/l2', '../src/a.txt');
    commitAll(repo, 'change');
    repo.git('checkout', '-q', 'main');
    repo.write('src/m.txt', 'm\n');
    commitAll(repo, 'main');
    const main = repo.git('rev-parse', 'HEAD').trim();
    repo.git('merge', '-q', '--no-edit', 'keep');
    const kept = repo.git('rev-parse', 'HEAD').trim();
    repo.git('merge', '-q', '--no-edit', 'change');
    const changed = repo.git('rev-parse', 'HEAD').trim();
    const ctx: GitContext = { cwd: repo.dir, env: repo.env };
    const items = repo.commitsOldestFirst();
    const links = new TreeLinks(ctx, policy);
    try {
      for await (const batch of readDiffBatches(ctx, items)) for (const d of batch) links.follow(d);
      expect(await links.at(kept)).toBe(await links.at(main));
      // The control: the second merge brings evals/l2, a list of its own.
      const after = await links.at(changed);
      expect(after).not.toBe(await links.at(kept));
      expect(after.map((l) => l.path).sort()).toEqual(['evals/l1', 'evals/l2']);
    } finally {
      links.close();
    }
  });
});
