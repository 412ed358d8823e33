// Issue 11 §2 on the local and audit paths: `git diff-index --cached -M` (the commit hooks,
// `check --staged`) and the audit's `git log -M` had no bound on rename detection, so a
// staged or committed rename bomb made them quadratic. They now follow the server's policy
// (src/git/renames.ts): git's -M only within the rename limit; past it, exact renames are
// paired by content and a file in a zone that no exact rename explains fails closed,
// naming the limit. The limit is lowered to 5 here (CLEANROOM_RENAME_LIMIT) so the bomb
// stays small.

import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const SMALL = cleanEnv({ CLEANROOM_RENAME_LIMIT: '5' });
const text = (i: number): string =>
  `{"question": "what is ${i}?", "answer": ${i}, "notes": "a long enough line so git sees similarity"}\n`;

/** A human moves 12 drafts into evals/tasks/; with `edited`, one of them changes on the way. */
function stageMove(edited: boolean): TestRepo {
  const repo = repoWithPolicy();
  for (let i = 0; i < 12; i++) repo.write(`drafts/q${i}.json`, text(i));
  repo.write('evals/README.md', '# evals\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'drafts');
  repo.git('mv', 'drafts', 'evals/tasks');
  if (edited) {
    repo.write('evals/tasks/q3.json', text(3) + '{"extra": true}\n');
    repo.git('add', '-A');
  }
  return repo;
}

describe('bounded rename detection for staged changes', () => {
  it('past the limit, a staged move with a file changed on the way fails closed and names the limit', () => {
    const repo = stageMove(true);
    const r = repo.cleanroom(['check', '--staged'], { env: SMALL });
    expect(r.code, r.stderr + r.stdout).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /rename limit hit: this commit adds 12 and deletes 12 files \(limit 5 each\)/,
    );
    expect(r.stdout + r.stderr).toContain('evals/tasks/q3.json');
    expect(r.stdout + r.stderr).not.toContain('evals/tasks/q4.json');
  });

  it('human control: within the limit git pairs the changed file, and the move passes', () => {
    const r = stageMove(true).cleanroom(['check', '--staged']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });

  it('human control: past the limit, a move of unchanged files is paired exactly and passes', () => {
    const r = stageMove(false).cleanroom(['check', '--staged'], { env: SMALL });
    expect(r.code, r.stderr + r.stdout).toBe(0);
  });
});

describe('bounded rename detection in the audit', () => {
  const committed = (): TestRepo => {
    const repo = stageMove(true);
    repo.git('commit', '-q', '--no-verify', '-m', 'promote drafts');
    return repo;
  };

  it('past the limit, the committed move fails closed in the audit and names the limit', () => {
    const r = committed().cleanroom(['audit', '--format', 'json'], { env: SMALL });
    expect(r.stdout + r.stderr).toMatch(/rename limit hit/);
    expect(r.stdout).toContain('evals/tasks/q3.json');
  });

  it('human control: within the limit the audit follows the rename and finds nothing', () => {
    const r = committed().cleanroom(['audit', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/rename limit hit/);
    expect(r.stdout).not.toContain('evals/tasks/q3.json');
  });
});
