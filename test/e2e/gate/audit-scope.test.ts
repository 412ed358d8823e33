// Audit scope means what it says (issue 10 §9): `--all` counts what exists at every ref
// tip, and `--since` is defined by the walk, not stopped by one backdated commit.

import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';
import { CLAUDE } from '../../helpers/server.js';
import { contaminated } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 120_000 };

function commit(
  repo: TestRepo,
  path: string,
  content: string | null,
  opts: { ai?: boolean; date?: string } = {},
): string {
  if (content === null) repo.git('rm', '-q', path);
  else repo.write(path, content);
  repo.git('add', '-A');
  const env = opts.date
    ? { ...repo.env, GIT_COMMITTER_DATE: opts.date, GIT_AUTHOR_DATE: opts.date }
    : repo.env;
  const r = repo.tryGit(
    ['commit', '-q', '--no-verify', '-m', `change ${path}`, ...(opts.ai ? ['-m', CLAUDE] : [])],
    { env },
  );
  expect(r.code, r.stderr).toBe(0);
  return repo.head();
}

describe('audit --all counts every ref tip', () => {
  const scenario = (ai: boolean) => {
    const repo = repoWithPolicy({ init: false });
    commit(repo, 'evals/tasks/q1.json', '{}\n', { ai });
    // A branch whose tip descends from main and deletes the file: main still holds it.
    repo.git('checkout', '-q', '-b', 'cleanup');
    commit(repo, 'evals/tasks/q1.json', null);
    repo.git('checkout', '-q', 'main');
    return repo.cleanroom(['audit', '--all', '--format', 'json']);
  };
  it("attack: branch cleanup deletes main's contaminated file; main still holds it", T, () => {
    const r = scenario(true);
    expect(r.code, r.stdout).toBe(1);
    expect(contaminated(r)).toEqual(['evals/tasks/q1.json']);
    expect(JSON.parse(r.stdout).scope.tips).toHaveLength(2);
  });
  it('human control: the same history written by a human is clean', T, () => {
    const r = scenario(false);
    expect(r.code, r.stdout).toBe(0);
  });
});

describe('audit --since is defined by the walk', () => {
  const scenario = (ai: boolean) => {
    const repo = TestRepo.init();
    commit(repo, '.cleanroom/policy.yaml', POLICY, { date: '2009-01-01T00:00:00Z' });
    commit(repo, 'evals/tasks/old.json', '{}\n', { ai: true, date: '2010-01-01T00:00:00Z' }); // before the cut
    commit(repo, 'src/a.ts', 'a\n', { date: '2024-06-01T00:00:00Z' });
    commit(repo, 'evals/tasks/q1.json', '{}\n', { ai, date: '2024-06-02T00:00:00Z' });
    // One commit on top with a backdated committer date.
    commit(repo, 'src/b.ts', 'b\n', { date: '2001-01-01T00:00:00Z' });
    return repo.cleanroom(['audit', '--since', '2024-01-01', '--format', 'json']);
  };
  it('attack: a backdated commit on top does not hide recent contamination below it', T, () => {
    const r = scenario(true);
    expect(r.code, r.stdout).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(contaminated(r)).toEqual(['evals/tasks/q1.json']);
    expect(report.ok).toBe(false);
    expect(report.scope.sinceCut).toHaveLength(1);
    expect(report.history.commits).toBe(3);
  });
  it(
    'human control: the recent change by a human is clean, and history before the cut is left out',
    T,
    () => {
      const r = scenario(false);
      expect(r.code, r.stdout).toBe(0);
      // evals/tasks/old.json (AI, 2010) is below the cut: --since still limits the audit.
      expect(contaminated(r)).toEqual([]);
    },
  );
});
