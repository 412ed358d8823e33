// cleanroom under the pre-commit framework (https://pre-commit.com), the real tool from
// Debian (`apt-get install pre-commit`; .ci/run installs it): a Python project whose
// .pre-commit-config.yaml names a cleanroom release tag. pre-commit passes hook context in
// PRE_COMMIT_* variables; these tests fail if that context is lost.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
let hookRepo = '';
let cache = '';

/** A cleanroom release tag, as `npm run release` makes it: the shims, the hooks file, dist/. */
function releaseRepo(): string {
  const dir = tempDir('cleanroom-release-');
  const copy = (rel: string) => {
    const from = join(ROOT, rel);
    if (statSync(from).isDirectory()) {
      for (const e of readdirSync(from)) copy(join(rel, e));
      return;
    }
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    copyFileSync(from, join(dir, rel));
    chmodSync(join(dir, rel), statSync(from).mode & 0o777);
  };
  for (const f of [
    '.pre-commit-hooks.yaml',
    'package.json',
    'hooks',
    'policies',
    'dist/cleanroom.cjs',
    'dist/cleanroom.mjs',
  ])
    copy(f);
  const repo = new TestRepo(dir);
  repo.git('init', '-q', '-b', 'main');
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'release');
  repo.git('tag', 'v0.1.0');
  return dir;
}

beforeAll(() => {
  // Fails, not skips, when the tool is missing: .ci/run installs it (docs/hook-managers.md).
  const v = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
  if (v.status !== 0)
    throw new Error('pre-commit is not installed: apt-get install pre-commit (as .ci/run does)');
  hookRepo = releaseRepo();
  cache = tempDir('cleanroom-pre-commit-home-');
});

function pythonProject(): TestRepo {
  const repo = TestRepo.init();
  repo.env = { ...repo.env, PRE_COMMIT_HOME: cache };
  repo.write('.cleanroom/policy.yaml', POLICY);
  repo.write('pyproject.toml', '[project]\nname = "evals"\nversion = "0.1.0"\n');
  repo.write(
    '.pre-commit-config.yaml',
    `repos:\n  - repo: ${hookRepo}\n    rev: v0.1.0\n    hooks:\n      - id: cleanroom-prepare-commit-msg\n      - id: cleanroom-commit-msg\n      - id: cleanroom-pre-push\n`,
  );
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'project');
  const r = spawnSync(
    'pre-commit',
    [
      'install',
      '--hook-type',
      'prepare-commit-msg',
      '--hook-type',
      'commit-msg',
      '--hook-type',
      'pre-push',
    ],
    { cwd: repo.dir, env: repo.env, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`pre-commit install: ${r.stderr}${r.stdout}`);
  return repo;
}

describe('pre-commit framework', () => {
  it("init leaves git hooks to the framework that runs cleanroom's hooks; doctor sees them; the commit is judged once", () => {
    const repo = pythonProject();
    const before = readFileSync(join(repo.dir, '.git', 'hooks', 'commit-msg'), 'utf8');
    const init = repo.cleanroom(['init']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('left to the pre-commit framework');
    expect(readFileSync(join(repo.dir, '.git', 'hooks', 'commit-msg'), 'utf8')).toBe(before);
    expect(
      readdirSync(join(repo.dir, '.git', 'hooks')).filter((f) => f.includes('cleanroom')),
    ).toEqual([]);
    // doctor takes the framework's scripts for cleanroom's hooks, not for foreign ones.
    const doctor = repo.cleanroom(['doctor']);
    for (const hook of ['prepare-commit-msg', 'commit-msg', 'pre-push'])
      expect(doctor.stdout).toContain(`✓ ${hook}: run by the pre-commit framework`);
    expect(doctor.stdout).toContain('! applypatch-msg: not run');
    expect(doctor.stdout).not.toContain('does not run cleanroom');
    repo.write('evals/tasks/q0.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect((blocked.stdout + blocked.stderr).split('cleanroom: commit blocked').length).toBe(2);
  }, 180_000);

  it('commit-msg: an AI-attributed commit into a deny zone is blocked; a human one passes', () => {
    const repo = pythonProject();
    repo.write('evals/tasks/q1.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout + blocked.stderr).toContain('cleanroom: commit blocked');
    expect(repo.commit('Add task by hand').code).toBe(0);
  }, 180_000);

  it('prepare-commit-msg: the agent environment becomes an Assisted-by trailer, and the commit is judged by it', () => {
    const repo = pythonProject();
    repo.write('src/app.py', 'print(1)\n');
    const ok = repo.commit('Add app', { env: { ...repo.env, CLAUDECODE: '1' } });
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)')).toBe(
      'claude-code\n\n',
    );
    repo.write('evals/tasks/q2.json', '{}\n');
    const blocked = repo.commit('Add task', { env: { ...repo.env, CLAUDECODE: '1' } });
    expect(blocked.code).toBe(1);
  }, 180_000);

  it('PRE_COMMIT_COMMIT_MSG_SOURCE/OBJECT_NAME: an --amend that adds an AI trailer is judged against the parent', () => {
    const repo = pythonProject();
    repo.write('evals/tasks/q3.json', '{}\n');
    expect(repo.commit('Add task by hand').code).toBe(0);
    const amend = repo.tryGit(['commit', '--amend', '-m', 'Add task', '-m', CLAUDE]);
    expect(amend.code).toBe(1);
    expect(amend.stdout + amend.stderr).toContain('evals/tasks/q3.json');
  }, 180_000);

  it('pre-push: PRE_COMMIT_FROM_REF/TO_REF rebuild the pushed range; a new branch is judged whole', () => {
    const repo = pythonProject();
    const remote = TestRepo.init({ bare: true });
    repo.git('remote', 'add', 'origin', remote.dir);
    const first = repo.tryGit(['push', '-q', 'origin', 'main']);
    expect(first.code, first.stderr).toBe(0);
    repo.git('remote', 'set-head', 'origin', 'main');
    repo.write('evals/tasks/q4.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'agent', '-m', CLAUDE);
    const push = repo.tryGit(['push', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stdout + push.stderr).toContain('evals/tasks/q4.json');
    expect(remote.tryGit(['rev-parse', 'main']).stdout.trim()).not.toBe(repo.head());
    // The same commit on a new branch (no PRE_COMMIT_FROM_REF on the remote side):
    const branch = repo.tryGit(['push', 'origin', 'HEAD:refs/heads/side']);
    expect(branch.code).not.toBe(0);
    expect(branch.stdout + branch.stderr).toContain('evals/tasks/q4.json');
  }, 180_000);

  it('PRE_COMMIT_COMMIT_MSG_SOURCE=commit reaches cleanroom as git\'s "commit SHA" (no /proc walk needed: macOS)', () => {
    const repo = pythonProject();
    const head = repo.head();
    repo.write('.git/COMMIT_EDITMSG', 'amended\n');
    const run = (env: Record<string, string>) =>
      spawnSync(
        join(hookRepo, 'hooks/pre-commit-framework'),
        ['prepare-commit-msg', '.git/COMMIT_EDITMSG'],
        { cwd: repo.dir, env: { ...repo.env, ...env }, encoding: 'utf8' },
      );
    const note = join(repo.dir, '.git/cleanroom/amending');
    expect(run({}).status).toBe(0);
    expect(existsSync(note)).toBe(false); // a plain commit: nothing to note
    const r = run({ PRE_COMMIT_COMMIT_MSG_SOURCE: 'commit', PRE_COMMIT_COMMIT_OBJECT_NAME: head });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(note, 'utf8').trim()).toBe(head); // commit-msg will judge against HEAD's parent
  }, 180_000);

  it('.pre-commit-hooks.yaml passes pre-commit validate-manifest; every entry is an executable file of the release', () => {
    const r = spawnSync('pre-commit', ['validate-manifest', join(ROOT, '.pre-commit-hooks.yaml')], {
      encoding: 'utf8',
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const bad = spawnSync('pre-commit', ['validate-manifest', '/dev/stdin'], {
      input: '- id: x\n  language: script\n',
      encoding: 'utf8',
    });
    expect(bad.status).not.toBe(0); // the control: a manifest without entry/name is refused
    expect(statSync(join(hookRepo, 'hooks/pre-commit-framework')).mode & 0o111).not.toBe(0);
  });

  it('the adapter refuses a hook name it does not know (exit 2)', () => {
    const r = spawnSync(join(ROOT, 'hooks/pre-commit-framework'), ['pre-rebase'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown hook "pre-rebase"');
  });
});
