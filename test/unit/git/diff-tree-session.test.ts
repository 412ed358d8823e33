// Issue 14 §4: the audit asks one long-lived `git diff-tree --stdin` for renames, window
// after window, instead of starting a process per window. Each answer must be exactly what
// a fresh process gives (splitDiffTree of its whole output), whatever the paths are: a
// path spelled like the end marker, with newlines, or starting with ':' must not end an
// answer early or shift the entries.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { DiffTreeSession } from '../../../src/git/diff-tree-session.js';
import { splitDiffTree } from '../../../src/git/commits.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const ARGS = [
  'diff-tree',
  '--stdin',
  '-z',
  '-r',
  '-c',
  '-M',
  '--raw',
  '--no-abbrev',
  '--root',
  '--always',
  // src/git/git.ts refuses a diff that submodule settings could thin.
  '--ignore-submodules=none',
];

function history(): { repo: TestRepo; ids: string[] } {
  const repo = TestRepo.init();
  const commit = (msg: string): void => {
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '--allow-empty', '-m', msg);
  };
  repo.write('a.txt', 'one\ntwo\nthree\n');
  commit('root');
  // Hostile names: the marker itself, a newline, a leading ':' and '~'.
  repo.writeBytes(Buffer.from('~cleanroom-end~\n:x'), 'marker\n');
  repo.writeBytes(Buffer.from(':00 evil R100'), 'colon\n');
  repo.writeBytes(Buffer.from('dir/~tilde'), 'tilde\n');
  commit('odd names');
  repo.git('mv', 'a.txt', 'moved.txt');
  repo.git('mv', '~cleanroom-end~\n:x', '~cleanroom-end~\n');
  commit('renames');
  commit('empty');
  repo.git('checkout', '-q', '-b', 'side', 'HEAD~1');
  repo.write('side.txt', 'side\n');
  commit('side');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'side');
  const ids = repo.git('rev-list', '--reverse', '--topo-order', 'main').trim().split('\n');
  return { repo, ids };
}

describe('DiffTreeSession', () => {
  it('answers request after request from one process exactly as a fresh diff-tree does', async () => {
    const { repo, ids } = history();
    const fresh = splitDiffTree(
      execFileSync('git', ARGS, { cwd: repo.dir, env: repo.env, input: ids.join('\n') + '\n' }),
    );
    const session = new DiffTreeSession({ cwd: repo.dir, env: repo.env }, ARGS);
    try {
      const got = [
        ...(await session.diffs(ids.slice(0, 2))),
        ...(await session.diffs(ids.slice(2, 3))),
        ...(await session.diffs([])),
        ...(await session.diffs(ids.slice(3))),
      ];
      expect(got.map((d) => d.id)).toEqual(ids);
      expect(got.map((d) => d.raw.map((b) => b.toString('latin1')))).toEqual(
        fresh.map((d) => d.raw.map((b) => b.toString('latin1'))),
      );
      // the hostile names came through as paths, renames with both paths
      const all = got.flatMap((d) => d.raw.map((b) => b.toString('latin1')));
      expect(all).toContain('~cleanroom-end~\n');
      expect(all).toContain('~cleanroom-end~\n:x');
      expect(all).toContain(':00 evil R100');
    } finally {
      session.close();
    }
  });

  it("refuses an id that is not an object id, and fails with git's error for an unknown one", async () => {
    const { repo } = history();
    const session = new DiffTreeSession({ cwd: repo.dir, env: repo.env }, ARGS);
    try {
      await expect(session.diffs(['--output=/tmp/x'])).rejects.toThrow(/not an object id/);
      await expect(session.diffs(['1'.repeat(40)])).rejects.toThrow();
    } finally {
      session.close();
    }
  });
});
