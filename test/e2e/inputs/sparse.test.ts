// Sparse checkouts (issue 10 §11): with `git sparse-checkout set --cone src evals`,
// `.cleanroom/` is in the index but not on disk. The local hooks read the policy from the
// index, and `cleanroom init` never writes a preset over the team's committed policy.

import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

function sparseRepo(): TestRepo {
  const repo = repoWithPolicy(); // policy committed, hooks installed
  repo.write('src/a.ts', 'export {}\n');
  repo.write('evals/tasks/q0.json', '{"q": 0}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'layout');
  repo.git('sparse-checkout', 'set', '--cone', 'src', 'evals');
  expect(existsSync(join(repo.dir, '.cleanroom', 'policy.yaml'))).toBe(false);
  expect(repo.git('ls-files', '-t', '.cleanroom/policy.yaml')).toBe('S .cleanroom/policy.yaml\n');
  return repo;
}

describe('sparse checkout without .cleanroom/', () => {
  it('a human commit is not blocked for want of a policy: the policy is read from the index', () => {
    const repo = sparseRepo();
    repo.write('src/b.ts', 'export const b = 1;\n');
    const r = repo.commit('human code');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('no cleanroom policy');
  });

  it('control: the staged policy is enforced — an AI task in evals/tasks is blocked', () => {
    const repo = sparseRepo();
    repo.write('evals/tasks/q1.json', '{"q": 1}\n');
    const r = repo.commit(`add q1\n\n${CLAUDE}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/q1.json');
    expect(r.stderr).toContain('eval-tasks');
  });

  it('cleanroom init does not write the preset over the committed policy', () => {
    const repo = sparseRepo();
    const before = repo.git('rev-parse', ':.cleanroom/policy.yaml').trim();
    const r = repo.cleanroom(['init', '--hooks', 'git']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('in the index');
    expect(existsSync(join(repo.dir, '.cleanroom', 'policy.yaml'))).toBe(false);
    expect(repo.git('rev-parse', ':.cleanroom/policy.yaml').trim()).toBe(before);
    expect(repo.git('status', '--porcelain')).toBe('');
  });

  it('init with the policy deleted from disk (still in the index and HEAD) leaves it alone too', () => {
    const repo = repoWithPolicy({ init: false });
    repo.git('update-index', '--skip-worktree', '.cleanroom/policy.yaml'); // as a sparse checkout marks it
    rmSync(join(repo.dir, '.cleanroom', 'policy.yaml'));
    expect(repo.cleanroom(['init', '--hooks', 'none']).code).toBe(0);
    expect(existsSync(join(repo.dir, '.cleanroom', 'policy.yaml'))).toBe(false);
    expect(repo.git('show', 'HEAD:.cleanroom/policy.yaml')).toBe(POLICY);
  });

  it('control: in a repository with no policy anywhere, init writes the preset', () => {
    const repo = TestRepo.init();
    repo.write('README.md', '# x\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'first');
    const r = repo.cleanroom(['init', '--hooks', 'none', '--repository', 'example.org/x']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(repo.dir, '.cleanroom', 'policy.yaml'))).toBe(true);
  });
});
