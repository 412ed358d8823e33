import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { readCommits, revList } from '../../../src/git/commits.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

describe('streaming commit reader', () => {
  it('never loses a short-lived git process output (Node resumes unread stdio on exit)', async () => {
    const repo = TestRepo.init();
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'one');
    const id = repo.head();
    const ctx = { cwd: repo.dir, env: repo.env };
    // Before the fix about 1 run in 5 failed with "git cat-file ended early".
    for (let i = 0; i < 150; i++) {
      const got = [];
      for await (const c of readCommits(ctx, [id])) got.push(c);
      expect(got.map((c) => [c.id, c.files.map((f) => f.path)])).toEqual([
        [id, ['evals/tasks/q.json']],
      ]);
    }
  });

  it('reads metadata and files of many commits in order, through one diff-tree and one cat-file', async () => {
    const repo = TestRepo.init();
    let stream = '';
    for (let i = 0; i < 300; i++) {
      const msg = `c${i}\n\n${i % 3 === 0 ? 'Co-authored-by: Claude <noreply@anthropic.com>' : 'human'}\n`;
      const body = `v${i}\n`;
      stream += `commit refs/heads/main\ncommitter H <h@example.org> ${1700000000 + i} +0000\ndata ${Buffer.byteLength(msg)}\n${msg}`;
      stream += `M 100644 inline f${i % 7}.txt\ndata ${body.length}\n${body}\n`;
    }
    execFileSync('git', ['fast-import', '--quiet'], {
      cwd: repo.dir,
      env: repo.env,
      input: stream,
    });
    const ctx = { cwd: repo.dir, env: repo.env };
    const seen: string[] = [];
    for await (const c of readCommits(ctx, revList(ctx, ['--reverse', 'HEAD']))) {
      seen.push(c.message.split('\n')[0]!);
      expect(c.files).toHaveLength(1);
    }
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => `c${i}`));
  });

  it('refuses something that is not an object id instead of passing it to git', async () => {
    const repo = TestRepo.init();
    const ctx = { cwd: repo.dir, env: repo.env };
    await expect(async () => {
      for await (const _ of readCommits(ctx, ['--all'])) void _;
    }).rejects.toThrow(/not an object id/);
  });
});
