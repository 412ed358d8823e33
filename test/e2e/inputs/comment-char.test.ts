// commit-msg reads the message file as git will clean it (issue 10 §10): with
// core.commentChar=';' (or `auto`), git's comment lines and the `git commit -v` scissors
// line start with that character. A valid Reviewed-by must count, and the diff below the
// scissors is staged content, not message.

import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const REVIEWED = 'Reviewed-by: Rita Reviewer <rita@example.org>';

/** `git [-c core.commentChar=C] commit -v -e -m MSG`: the editor opens (a no-op), so git strips comments and cuts at the scissors. */
function commitVerbose(
  repo: TestRepo,
  message: string,
  commentChar?: string,
): { code: number; stderr: string } {
  const config = commentChar ? ['-c', `core.commentChar=${commentChar}`] : [];
  repo.git('add', '-A');
  const env = { ...repo.env, GIT_EDITOR: 'true' };
  return repo.tryGit([...config, 'commit', '-q', '-v', '-e', '-m', message], { env });
}

function reviewed(commentChar?: string): { repo: TestRepo; r: { code: number; stderr: string } } {
  const repo = repoWithPolicy({ policy: POLICY });
  repo.write('evals/harness/run.py', 'print("harness")\n');
  return {
    repo,
    r: commitVerbose(repo, `Add the harness runner\n\n${CLAUDE}\n${REVIEWED}`, commentChar),
  };
}

describe('commit-msg honours core.commentChar and the scissors line', () => {
  it("core.commentChar=';' with -v: a valid Reviewed-by in a review zone counts (the stored commit passes check --commit too)", () => {
    const { repo, r } = reviewed(';');
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).toContain(REVIEWED);
    expect(repo.cleanroom(['check', '--commit', 'HEAD']).code).toBe(0);
  });

  it("core.commentChar=auto, a message with a line starting with '#' (git picks ';'): the Reviewed-by counts", () => {
    const repo = repoWithPolicy({ policy: POLICY });
    repo.write('evals/harness/run.py', 'print("harness")\n');
    const r = commitVerbose(repo, `#42: add the harness runner\n\n${CLAUDE}\n${REVIEWED}`, 'auto');
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).toContain('#42: add the harness runner');
    expect(repo.cleanroom(['check', '--commit', 'HEAD']).code).toBe(0);
  });

  it('control: the default comment character, same commit, passes; without the Reviewed-by it is blocked', () => {
    expect(reviewed().r.code).toBe(0);
    const repo = repoWithPolicy({ policy: POLICY });
    repo.write('evals/harness/run.py', 'print("harness")\n');
    const r = commitVerbose(repo, `Add the harness runner\n\n${CLAUDE}`, ';');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/harness/run.py');
  });

  it("core.commentChar=';' with -v: a human task quoting noreply@anthropic.com (in the diff below the scissors) is not blocked", () => {
    const repo = repoWithPolicy({ policy: POLICY });
    repo.write(
      'evals/tasks/q7.json',
      '{"q": "Which address do Claude commits carry?", "a": "noreply@anthropic.com"}\n',
    );
    const r = commitVerbose(repo, 'Add question 7 (written by hand)', ';');
    expect(r.code, r.stderr).toBe(0);
    expect(repo.cleanroom(['check', '--commit', 'HEAD']).code).toBe(0);
  });

  it('control: an AI trailer above the scissors still blocks, with any comment character', () => {
    for (const c of [';', 'auto', undefined]) {
      const repo = repoWithPolicy({ policy: POLICY });
      repo.write('evals/tasks/q8.json', '{"q": 8}\n');
      const r = commitVerbose(repo, `Add question 8\n\n${CLAUDE}`, c);
      expect(r.code, `commentChar ${String(c)}`).not.toBe(0);
      expect(r.stderr).toContain('evals/tasks/q8.json');
    }
  });
});
