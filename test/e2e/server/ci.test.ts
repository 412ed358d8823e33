// CI and pre-push: the same findings as the server, with the policy pinned to the base.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  ROOT,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

function pr(): { repo: TestRepo; base: string } {
  const repo = repoWithPolicy({ init: false });
  const base = repo.head();
  repo.git('checkout', '-q', '-b', 'pr');
  // The pull request relaxes the policy and adds AI content under the relaxed rules.
  repo.write('.cleanroom/policy.yaml', POLICY.replace(/ai: deny/g, 'ai: allow'));
  repo.write('evals/tasks/q1.json', '{}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'relax and add', '-m', CLAUDE);
  return { repo, base };
}

describe('check --range in CI', () => {
  it('judges with the policy of the base, so a pull request cannot weaken the policy that judges it', () => {
    const { repo, base } = pr();
    const r = repo.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(
      out.violations.map((v: { path: string; zone: string }) => `${v.zone}:${v.path}`).sort(),
    ).toEqual(['cleanroom-config:.cleanroom/policy.yaml', 'eval-tasks:evals/tasks/q1.json']);
    // With the work tree's (relaxed) policy, the AI content would have passed:
    const relaxed = repo.cleanroom([
      'check',
      '--range',
      `${base}..HEAD`,
      '--policy',
      '.cleanroom/policy.yaml',
      '--format',
      'json',
    ]);
    expect(JSON.parse(relaxed.stdout).violations).toEqual([]);
  });

  it('writes SARIF 2.1.0 with one result per violation', () => {
    const { repo, base } = pr();
    const r = repo.cleanroom(['check', '--range', `${base}...pr`, '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId).sort()).toEqual([
      'cleanroom/deny-zone',
      'cleanroom/deny-zone',
    ]);
    expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toMatch(
      /^(\.cleanroom\/policy\.yaml|evals\/tasks\/q1\.json)$/,
    );
  });

  it('says clearly when a range does not exist (exit 2)', () => {
    const { repo } = pr();
    const r = repo.cleanroom(['check', '--range', 'nope..HEAD']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such commit: nope');
    expect(r.stderr).not.toContain('    at ');
  });
});

describe('the GitHub Action and the GitLab template, their steps run locally', () => {
  function runScript(script: string, cwd: string, env: Record<string, string>) {
    return spawnSync('bash', ['-e', '-c', script], {
      cwd,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
  }

  it('action.yml: fails the job on a violating pull request and writes SARIF', () => {
    const { repo, base } = pr();
    const action = parse(readFileSync(join(ROOT, 'hooks/ci/github/action.yml'), 'utf8'));
    const out = join(tempDir(), 'github-output');
    const env = {
      ...(repo.env as Record<string, string>),
      GITHUB_ACTION_PATH: join(ROOT, 'hooks/ci/github'),
      GITHUB_OUTPUT: out,
      INPUT_BASE: '',
      INPUT_HEAD: 'HEAD',
      INPUT_SARIF: 'cleanroom.sarif',
      PR_BASE: base,
      PUSH_BEFORE: '',
    };
    const steps = action.runs.steps.filter((s: { run?: string }) => s.run);
    expect(steps.length).toBeGreaterThanOrEqual(1);
    let last = { status: 0 as number | null, stdout: '', stderr: '' };
    for (const step of steps) {
      last = runScript(step.run, repo.dir, env);
      if (last.status !== 0) break;
    }
    expect(last.status).toBe(1);
    expect(last.stderr + last.stdout).toContain('evals/tasks/q1.json');
    expect(
      JSON.parse(readFileSync(join(repo.dir, 'cleanroom.sarif'), 'utf8')).runs[0].results,
    ).toHaveLength(2);
    expect(readFileSync(out, 'utf8')).toContain('exit-code=1');
  });

  it('action.yml: passes a clean pull request', () => {
    const repo = repoWithPolicy({ init: false });
    const base = repo.head();
    repo.write('src/x.ts', 'export {}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'clean', '-m', CLAUDE);
    const action = parse(readFileSync(join(ROOT, 'hooks/ci/github/action.yml'), 'utf8'));
    const env = {
      ...(repo.env as Record<string, string>),
      GITHUB_ACTION_PATH: join(ROOT, 'hooks/ci/github'),
      GITHUB_OUTPUT: join(tempDir(), 'o'),
      INPUT_BASE: base,
      INPUT_HEAD: 'HEAD',
      INPUT_SARIF: 's.sarif',
      PR_BASE: '',
      PUSH_BEFORE: '',
    };
    for (const step of action.runs.steps.filter((s: { run?: string }) => s.run)) {
      const r = runScript(step.run, repo.dir, env);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('GitLab template: the script fails the job and leaves JSON and SARIF artifacts', () => {
    const { repo, base } = pr();
    const tpl = parse(readFileSync(join(ROOT, 'hooks/ci/gitlab/cleanroom.gitlab-ci.yml'), 'utf8'));
    const script = (tpl.cleanroom.script as string[]).join('\n');
    repo.write('node_modules/.keep', ''); // a project that has run npm ci
    const r = runScript(script, repo.dir, {
      ...(repo.env as Record<string, string>),
      CLEANROOM: `node ${CLI}`,
      CI_MERGE_REQUEST_DIFF_BASE_SHA: base,
      CI_COMMIT_SHA: repo.head(),
    });
    expect(r.status).toBe(1);
    const json = JSON.parse(readFileSync(join(repo.dir, 'cleanroom.json'), 'utf8'));
    expect(json.violations).toHaveLength(2);
    expect(tpl.cleanroom.artifacts.paths).toEqual(['cleanroom.json', 'cleanroom.sarif']);
  });
});

describe('pre-push hook', () => {
  it('blocks what the server would reject, with the remote default branch policy', () => {
    const server = TestRepo.init({ bare: true });
    const work = repoWithPolicy();
    work.git('remote', 'add', 'origin', server.dir);
    work.git('push', '-q', '--no-verify', 'origin', 'main');
    work.git('remote', 'set-head', 'origin', 'main');
    work.write('evals/tasks/q.json', '{}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'agent', '-m', CLAUDE);
    const r = work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cleanroom: push rejected');
    expect(r.stderr).toContain('evals/tasks/q.json');
    expect(server.tryGit(['rev-parse', 'main']).stdout.trim()).not.toBe(work.head());
  });
});
