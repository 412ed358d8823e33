// The GitLab CI template pins the policy to the target branch's tip (issue 10 §8), as the
// GitHub action pins it to the pull request's base sha: the merge base is chosen by the
// merge-request author (by where they branch), so a since-revoked approver's override
// would still pass there.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, CLI, removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';
import { AI, APPROVER, grant, world } from '../sign/world.js';

afterAll(removeTempDirs);

/** main: policy + ava as approver; mr (branched there): AI task with ava's override; then main optionally revokes ava. */
function mergeRequest(revoke: boolean): { ci: TestRepo; mergeBase: string } {
  const w = world();
  const mergeBase = w.repo.head();
  w.repo.git('checkout', '-q', '-b', 'mr');
  w.repo.write('evals/tasks/q.json', '{"q": 1}\n');
  w.repo.git('add', '-A');
  const override = grant(w, 'override');
  w.repo.git(
    'commit',
    '-q',
    '--no-verify',
    '-m',
    'AI task, approved by ava',
    '-m',
    `${AI}\n${override}`,
  );
  w.repo.git('checkout', '-q', 'main');
  if (revoke) {
    w.repo.write('.cleanroom/approvers', '# ava left the team\n');
    w.repo.git('add', '-A');
    w.repo.git('commit', '-q', '--no-verify', '-m', `revoke ${APPROVER}`);
  }
  // The GitLab project (no server hook here: CI alone judges) and the runner's clone.
  const gitlab = TestRepo.init({ bare: true });
  w.repo.git('push', '-q', '--no-verify', gitlab.dir, 'main', 'mr');
  const dir = tempDir();
  execFileSync('git', ['clone', '-q', '--branch', 'mr', `file://${gitlab.dir}`, dir], {
    env: cleanEnv(),
  });
  const ci = new TestRepo(dir);
  ci.write('node_modules/.keep', ''); // a project that has run npm ci
  return { ci, mergeBase };
}

function runTemplate(
  ci: TestRepo,
  mergeBase: string,
): { status: number | null; stdout: string; stderr: string } {
  const tpl = parse(readFileSync(join(ROOT, 'hooks/ci/gitlab/cleanroom.gitlab-ci.yml'), 'utf8'));
  const script = (tpl.cleanroom.script as string[]).join('\n');
  return spawnSync('bash', ['-e', '-c', script], {
    cwd: ci.dir,
    env: {
      ...(ci.env as Record<string, string>),
      CLEANROOM: `node ${CLI}`,
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
      CI_MERGE_REQUEST_DIFF_BASE_SHA: mergeBase,
      CI_COMMIT_SHA: ci.head(),
      CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
    },
    encoding: 'utf8',
  });
}

describe('GitLab template: policy pinned to the target branch tip', () => {
  it('an override by an approver revoked on main since the branch point fails the job', () => {
    const { ci, mergeBase } = mergeRequest(true);
    // What pinning to the merge base said (the old template): accepted.
    expect(ci.cleanroom(['check', '--range', `${mergeBase}..HEAD`]).code).toBe(0);
    const r = runTemplate(ci, mergeBase);
    expect(r.status, r.stderr).toBe(1);
    const json = JSON.parse(readFileSync(join(ci.dir, 'cleanroom.json'), 'utf8'));
    expect(json.violations.map((v: { path: string }) => v.path)).toEqual(['evals/tasks/q.json']);
  });

  it('control: the same merge request while the approver is still listed on main passes', () => {
    const { ci, mergeBase } = mergeRequest(false);
    const r = runTemplate(ci, mergeBase);
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });
});
