// The tree pass (src/git/trees.ts assertWellFormedTrees) hands rev-list's output to
// cat-file as a file descriptor and scans cat-file's output chunk by chunk. Beside the
// unit differential (test/unit/git/trees.test.ts), on real git processes: every tree
// rev-list names is judged (a malformed tree printed last, after megabytes of output, is
// found), a malformed tree printed first ends the pass while rev-list is still writing,
// and whatever ends the pass (a finding, a git error, an abort), the promise settles and
// no git process is left.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitError, liveGitProcesses } from '../../../src/git/git.js';
import { assertWellFormedTrees } from '../../../src/git/trees.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { rawTree } from '../../helpers/tree-push.js';

afterAll(removeTempDirs);

const T = { timeout: 120_000 };

/**
 * A fast-import stream: `commits` commits, each changing one of 50 files under d1/d2/d3
 * (four new trees each), on top of `from` when given (its `old` directory deleted).
 */
function history(commits: number, from?: string): string {
  const lines: string[] = [];
  for (let i = 1; i <= commits; i++) {
    const text = `line ${i}\n`;
    lines.push(
      'commit refs/heads/main',
      `committer Dev <dev@example.org> ${1_700_000_000 + i} +0000`,
      'data 2',
      'c',
      ...(i === 1 && from ? [`from ${from}`, 'D old'] : []),
      `M 100644 inline d1/d2/d3/f${i % 50}.txt`,
      `data ${Buffer.byteLength(text)}`,
      text,
    );
  }
  return lines.join('\n') + '\n';
}

let repo: TestRepo;
let ctx: { cwd: string; env: NodeJS.ProcessEnv };
let badRoot: string;
let badRootTree: string;

beforeAll(() => {
  repo = TestRepo.init();
  ctx = { cwd: repo.dir, env: repo.env };
  // The root commit's tree holds a tree no later commit holds, its entries out of order.
  const blob = repo.git('hash-object', '-w', '--stdin', '--path', 'x').trim();
  badRootTree = rawTree(repo, [
    ['100644', 'zz', blob],
    ['100644', 'aa', blob],
  ]);
  const top = rawTree(repo, [['40000', 'old', badRootTree]]);
  badRoot = repo.git('commit-tree', top, '-m', 'root').trim();
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo.dir,
    env: repo.env,
    input: history(3000, badRoot),
  });
});

describe('assertWellFormedTrees on real git processes', () => {
  it(
    'judges every tree rev-list names: one printed last, after megabytes of output, is found',
    T,
    async () => {
      const listed = repo
        .git('rev-list', '--objects', '--filter=object:type=tree', '--no-object-names', 'main')
        .trim()
        .split('\n');
      // The malformed tree is among the last rev-list prints, far past one pipe's worth.
      expect(listed.length).toBeGreaterThan(10_000);
      expect(listed.indexOf(badRootTree)).toBeGreaterThan(listed.length - 3);
      await expect(assertWellFormedTrees(ctx, ['main'])).rejects.toThrow(
        `malformed tree ${badRootTree.slice(0, 12)}: the entries are out of Git's order`,
      );
      expect(liveGitProcesses()).toBe(0);
      // Without the root commit's trees, the same history passes, and nothing is left running.
      await assertWellFormedTrees(ctx, ['main', '--not', badRoot]);
      expect(liveGitProcesses()).toBe(0);
    },
  );

  it(
    'a malformed tree printed first ends the pass while rev-list is still writing; nothing is left',
    T,
    async () => {
      const tip = repo.git('rev-parse', 'main').trim();
      const blob = repo.git('hash-object', '-w', '--stdin', '--path', 'x').trim();
      const dup = rawTree(repo, [
        ['100644', 'a', blob],
        ['100644', 'a', blob],
      ]);
      const bad = repo.git('commit-tree', dup, '-p', tip, '-m', 'dup').trim();
      await expect(assertWellFormedTrees(ctx, [bad])).rejects.toThrow(
        `malformed tree ${dup.slice(0, 12)}: two entries are named a`,
      );
      expect(liveGitProcesses()).toBe(0);
    },
  );

  it('a revision git refuses: the GitError, and nothing left', T, async () => {
    await expect(assertWellFormedTrees(ctx, ['no-such-ref'])).rejects.toBeInstanceOf(GitError);
    expect(liveGitProcesses()).toBe(0);
  });

  // Hostile review, seventh pass: rev-list's "bad tree object ID" (a tree it cannot read:
  // absent, damaged) was reported as the pusher's malformed tree, with the hint to rewrite
  // the commits. It is git's own error now.
  it("a tree git cannot read is git's error, not a malformed tree", T, async () => {
    const r = TestRepo.init();
    r.write('d/a.txt', 'a\n');
    r.git('add', '-A');
    r.git('commit', '-q', '--no-verify', '-m', 'one');
    const sub = r.git('rev-parse', 'HEAD:d').trim();
    rmSync(join(r.dir, '.git', 'objects', sub.slice(0, 2), sub.slice(2)));
    const c = { cwd: r.dir, env: r.env };
    const e = await assertWellFormedTrees(c, ['HEAD']).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(GitError);
    expect(String((e as Error).message)).not.toMatch(/malformed tree/);
    expect(liveGitProcesses()).toBe(0);
  });

  it('aborted while running (a deadline): the promise settles and nothing is left', T, async () => {
    const stop = new AbortController();
    const pass = assertWellFormedTrees({ ...ctx, signal: stop.signal }, ['main', '--not', badRoot]);
    stop.abort('deadline');
    await expect(pass).rejects.toThrow();
    expect(liveGitProcesses()).toBe(0);
  });
});
