// `override request --commit REV` is made against the work tree's policy. When REV holds
// another policy (a newcomer's order: the agent commit first, `repository:` or the
// approvers file changed later in the same series), the commit-msg hook at a `git rebase
// -i` stop on REV judges the amend by REV's policy and cannot take the override: the
// request says so, and how to go on. Where REV's policy is the work tree's, it says nothing.

import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const AI = 'Co-authored-by: Claude <noreply@anthropic.com>';
const NOTE = 'holds another policy than this work tree';

describe('override request --commit on an older commit', () => {
  it('warns when the commit holds another repository or approvers file', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'task', '-m', AI);
    const task = repo.head();
    repo.write(
      '.cleanroom/policy.yaml',
      POLICY.replace('example.org/acme/evals', 'example.org/acme/benchmarks'),
    );
    repo.write('.cleanroom/approvers', 'ava@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'name the repository');
    const r = repo.cleanroom(['override', 'request', '--commit', task, '--reason', 'checked']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(NOTE);
    expect(r.stderr).toContain(
      'repository example.org/acme/evals there, example.org/acme/benchmarks here',
    );
    expect(r.stderr).toContain('the approvers file does not exist there');
    expect(r.stderr).toContain('amend there with --no-verify');
    expect(r.stdout).toContain('example.org/acme/benchmarks');
  });

  it('control: says nothing when the commit holds the work tree policy', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'task', '-m', AI);
    const task = repo.head();
    repo.write('src/a.ts', '1\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'later, outside the zones');
    const r = repo.cleanroom(['override', 'request', '--commit', task, '--reason', 'checked']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(NOTE);
  });
});
