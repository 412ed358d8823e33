// Hook managers as teams use them: lefthook and simple-git-hooks recipes
// (docs/hook-managers.md), husky in a monorepo subfolder and in a linked worktree, and the
// hooks outside a terminal (no node on PATH, no node_modules). Real git, real managers.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const PKG = '@cleanroom-dev/cleanroom';

/** `dir/node_modules` with cleanroom (this checkout, as npm would install it) and `extra` packages. */
function nodeModules(dir: string, extra: string[] = []): void {
  mkdirSync(join(dir, 'node_modules', '@cleanroom-dev'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', PKG));
  for (const p of extra) symlinkSync(join(ROOT, 'node_modules', p), join(dir, 'node_modules', p));
}

function project(pkg: Record<string, unknown> = {}, extra: string[] = []): TestRepo {
  const repo = TestRepo.init();
  repo.write('.cleanroom/policy.yaml', POLICY);
  repo.write('.gitignore', 'node_modules\n');
  repo.write(
    'package.json',
    JSON.stringify({ name: 'app', private: true, ...pkg }, null, 2) + '\n',
  );
  nodeModules(repo.dir, extra);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'project');
  return repo;
}

/** The three checks every recipe must deliver. */
function expectCleanroomRuns(repo: TestRepo): void {
  repo.write('evals/tasks/q1.json', '{}\n');
  const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
  expect(blocked.code, blocked.stdout).toBe(1);
  expect(blocked.stdout + blocked.stderr).toContain('cleanroom: commit blocked');
  expect(repo.commit('Add task by hand').code).toBe(0);
  repo.write('src/app.js', '1\n');
  const agent = repo.commit('Add app', { env: { ...repo.env, CLAUDECODE: '1' } });
  expect(agent.code, agent.stderr + agent.stdout).toBe(0);
  expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)').trim()).toBe(
    'claude-code',
  );
  const remote = TestRepo.init({ bare: true });
  repo.git('remote', 'add', 'origin', remote.dir);
  expect(repo.tryGit(['push', '-q', 'origin', 'main']).code).toBe(0);
  repo.git('remote', 'set-head', 'origin', 'main');
  repo.write('evals/tasks/q2.json', '{}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'agent', '-m', CLAUDE);
  const push = repo.tryGit(['push', 'origin', 'main']);
  expect(push.code).not.toBe(0);
  expect(push.stdout + push.stderr).toContain('evals/tasks/q2.json');
}

/**
 * applypatch-msg, which `cleanroom init` installs too: `git am` runs no commit hook, so an
 * agent's applied patch gets its `Assisted-by:` only there. Control: a human's `git am`
 * gets none.
 */
function expectAmRecordsAgent(repo: TestRepo): void {
  repo.git('checkout', '-q', '-b', 'side');
  repo.write('src/patched.js', '2\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'Patched');
  const patch = repo.git('format-patch', '-1', '--stdout');
  repo.git('checkout', '-q', 'main');
  for (const [env, want] of [
    [{ ...repo.env, CLAUDECODE: '1' }, 'claude-code'],
    [repo.env, ''],
  ] as const) {
    repo.git('checkout', '-q', '-B', 'am-target', 'main');
    const am = spawnSync('git', ['am', '-q'], {
      cwd: repo.dir,
      env,
      input: patch,
      encoding: 'utf8',
    });
    expect(am.status, am.stderr + am.stdout).toBe(0);
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)').trim()).toBe(
      want,
    );
  }
}

describe('lefthook recipe', () => {
  it('prepare-commit-msg, commit-msg, pre-push (use_stdin) and applypatch-msg run cleanroom', () => {
    const repo = project({}, ['lefthook', 'lefthook-linux-x64']);
    repo.write(
      'lefthook.yml',
      [
        'prepare-commit-msg:',
        '  commands:',
        '    cleanroom:',
        `      run: node_modules/${PKG}/hooks/prepare-commit-msg {1} {2} {3}`,
        'commit-msg:',
        '  commands:',
        '    cleanroom:',
        `      run: node_modules/${PKG}/hooks/commit-msg {1}`,
        'pre-push:',
        '  commands:',
        '    cleanroom:',
        `      run: node_modules/${PKG}/hooks/pre-push {1} {2}`,
        '      use_stdin: true',
        'applypatch-msg:',
        '  commands:',
        '    cleanroom:',
        `      run: node_modules/${PKG}/hooks/applypatch-msg {1}`,
        '',
      ].join('\n'),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/lefthook/bin/index.js'), 'install'],
      { cwd: repo.dir, env: repo.env, encoding: 'utf8' },
    );
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(readFileSync(join(repo.dir, '.git/hooks/commit-msg'), 'utf8')).toContain('lefthook');
    expectCleanroomRuns(repo);
    expectAmRecordsAgent(repo);
  }, 180_000);
});

describe('simple-git-hooks recipe', () => {
  it('commands in package.json, with "$@" passing git\'s arguments', () => {
    const hooks = Object.fromEntries(
      ['prepare-commit-msg', 'commit-msg', 'pre-push', 'applypatch-msg'].map((h) => [
        h,
        `node_modules/${PKG}/hooks/${h} "$@"`,
      ]),
    );
    const repo = project({ 'simple-git-hooks': hooks }, ['simple-git-hooks']);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/simple-git-hooks/cli.js')], {
      cwd: repo.dir,
      env: repo.env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expectCleanroomRuns(repo);
    expectAmRecordsAgent(repo);
  }, 180_000);
});

describe('husky in a monorepo subfolder (package.json and .husky/ in frontend/)', () => {
  function monorepo(): TestRepo {
    const repo = TestRepo.init();
    repo.write('.cleanroom/policy.yaml', POLICY);
    repo.write('.gitignore', 'node_modules\n');
    repo.write(
      'frontend/package.json',
      JSON.stringify({
        name: 'frontend',
        private: true,
        scripts: { prepare: 'cd .. && husky frontend/.husky' },
      }) + '\n',
    );
    repo.write('frontend/.husky/pre-commit', 'echo frontend-lint\n');
    nodeModules(join(repo.dir, 'frontend'), ['husky']);
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'monorepo');
    return repo;
  }
  const huskyInstall = (repo: TestRepo) =>
    execFileSync(process.execPath, [join(ROOT, 'node_modules/husky/bin.js'), 'frontend/.husky'], {
      cwd: repo.dir,
      env: repo.env,
      stdio: 'pipe',
    });

  it('init installs into frontend/.husky, where git runs hooks, naming frontend/node_modules; a deny-zone AI commit is blocked', () => {
    const repo = monorepo();
    huskyInstall(repo);
    expect(repo.git('config', 'core.hooksPath')).toBe('frontend/.husky/_\n');
    const r = repo.cleanroom(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('frontend/.husky/commit-msg');
    expect(existsSync(join(repo.dir, '.husky'))).toBe(false); // nothing where git never looks
    expect(readFileSync(join(repo.dir, 'frontend/.husky/commit-msg'), 'utf8')).toContain(
      `'frontend/node_modules/${PKG}/hooks/commit-msg' "$@"`,
    );
    expect(r.stdout).not.toContain('not in this project');
    repo.write('evals/tasks/q1.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('cleanroom: commit blocked');
    expect(blocked.stdout + blocked.stderr).toContain('frontend-lint'); // the user's hook still runs
    const doctor = repo.cleanroom(['doctor']);
    expect(doctor.stdout).toContain('✓ husky is active (core.hooksPath=frontend/.husky/_)');
    expect(doctor.stdout).toContain('✓ commit-msg: installed (frontend/.husky/commit-msg)');
  }, 180_000);

  it('before husky is installed in the clone, init refuses (exit 2) and writes nothing; doctor warns', () => {
    const repo = monorepo();
    const r = repo.cleanroom(['init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'husky is set up in frontend/.husky, but git does not run it in this clone',
    );
    expect(r.stderr).toContain('cd frontend && npm install');
    expect(existsSync(join(repo.dir, '.husky'))).toBe(false);
    expect(existsSync(join(repo.dir, 'frontend/.husky/commit-msg'))).toBe(false);
    expect(repo.git('status', '--porcelain')).toBe('');
    expect(repo.cleanroom(['doctor']).stdout).toContain(
      '! husky is set up in frontend/.husky but git does not run it in this clone',
    );
    // The control: an explicit --hooks git still works (git's own hooks directory).
    expect(repo.cleanroom(['init', '--hooks', 'git']).code).toBe(0);
  }, 180_000);
});

describe('husky: doctor never shows ✓ for a hook that will not run', () => {
  function huskyProject(): TestRepo {
    const repo = project({ scripts: { prepare: 'husky' } }, ['husky']);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/husky/bin.js')], {
      cwd: repo.dir,
      env: repo.env,
      stdio: 'pipe',
    });
    expect(repo.cleanroom(['init']).code).toBe(0);
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'cleanroom');
    return repo;
  }

  it('in a new linked worktree (.husky/_ and node_modules absent) each hook is ✗ with the fix', () => {
    const repo = huskyProject();
    const wtDir = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'side', wtDir);
    const wt = new TestRepo(wtDir, repo.env);
    const doctor = wt.cleanroom(['doctor']);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).not.toMatch(/^✓ (pre-commit|prepare-commit-msg|commit-msg|pre-push):/m);
    expect(doctor.stdout).toContain(
      '✗ commit-msg: installed but will not run: husky is not installed in this clone or worktree',
    );
    // …and it is true: an AI commit into a deny zone goes through there.
    wt.write('evals/tasks/q1.json', '{}\n');
    expect(wt.commit(`Add task\n\n${CLAUDE}`).code).toBe(0);
    // The control: the main worktree's hooks run and doctor says so.
    expect(repo.cleanroom(['doctor']).stdout).toContain(
      '✓ commit-msg: installed (.husky/commit-msg)',
    );
  }, 180_000);

  it('HUSKY=0 is reported like CLEANROOM=0', () => {
    const repo = huskyProject();
    const doctor = repo.cleanroom(['doctor'], { env: { ...repo.env, HUSKY: '0' } });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toContain('! HUSKY=0 is set in this environment: husky skips every hook'); // like CLEANROOM=0
    expect(doctor.stdout).toContain('✗ commit-msg: installed but will not run: HUSKY=0 is set');
    expect(doctor.stdout).toContain('→ unset HUSKY');
    expect(doctor.stdout).not.toContain('husky writes its .husky/_ there');
    const skipped = repo.cleanroom(['doctor'], { env: { ...repo.env, CLEANROOM: '0' } });
    expect(skipped.code).toBe(1);
    expect(skipped.stdout).toContain(
      "✗ commit-msg: installed but will not run: CLEANROOM=0 is set: cleanroom's hooks skip their checks",
    );
    expect(skipped.stdout).toContain('→ unset CLEANROOM');
    // prepare-commit-msg still records Assisted-by under CLEANROOM=0 (docs/local-hooks.md)
    expect(skipped.stdout).toContain('✓ prepare-commit-msg: installed');
    expect(skipped.stdout).toContain('prepare-commit-msg still records Assisted-by');
  }, 180_000);

  it('a teammate without node_modules gets cleanroom\'s message, not "husky - command not found"', () => {
    const repo = huskyProject();
    rmSync(join(repo.dir, 'node_modules', '@cleanroom-dev'), { recursive: true });
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cleanroom: cannot run the pre-commit check: node_modules/${PKG}/hooks/pre-commit is missing`,
    );
    expect(r.stderr).toContain(
      "why: cleanroom is one of this project's dependencies, and they are not installed in this clone",
    );
    expect(r.stderr).toContain('fix: install the dependencies in this clone: npm install');
    expect(r.stderr).not.toContain('command not found');
    expect(repo.cleanroom(['doctor']).stdout).toMatch(
      /✗ commit-msg: installed but will not run: it calls node_modules\/@cleanroom-dev\/cleanroom\/hooks\/commit-msg, which does not exist here/,
    );
  }, 180_000);
});

describe("outside a terminal: no node on the hook's PATH", () => {
  it('a GUI client\'s commit gets what is missing, why and how to fix — not "node: not found"', () => {
    const repo = project();
    expect(repo.cleanroom(['init', '--hooks', 'git']).code).toBe(0);
    // A PATH with git but no node, as a GUI client started outside a login shell has.
    const bin = tempDir('cleanroom-nonode-');
    symlinkSync(
      execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(),
      join(bin, 'git'),
    );
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    const r = repo.tryGit(['commit', '-q', '-m', `Add task\n\n${CLAUDE}`], {
      env: { ...repo.env, PATH: bin },
    });
    expect(r.code).toBe(1);
    // prepare-commit-msg or commit-msg, whichever first needs node: with no grep on this
    // PATH either, prepare-commit-msg cannot count the agent variables and asks Node.
    expect(r.stderr).toMatch(
      /cleanroom: cannot run the (prepare-)?commit-msg check: node is not on the PATH this hook runs with/,
    );
    expect(r.stderr).toContain('GUI clients and IDEs start hooks without your shell profile');
    expect(r.stderr).toContain('Fix:');
    expect(r.stderr).not.toMatch(/node: not found/);
    expect(repo.tryGit(['rev-parse', '-q', '--verify', 'HEAD~1']).code).not.toBe(0); // nothing committed
  }, 180_000);
});
