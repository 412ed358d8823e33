// Git speaks the user's language: its messages are translated, so nothing may depend on
// matching their English text. A German locale is built with localedef into a temp dir
// (LOCPATH) so the test needs no system locale.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

function buildLocale(): string | undefined {
  const dir = tempDir();
  const r = spawnSync('localedef', ['-i', 'de_DE', '-f', 'UTF-8', join(dir, 'de_DE.UTF-8')], {
    encoding: 'utf8',
  });
  return r.status === 0 || r.status === 1 ? dir : undefined; // 1: warnings only
}
/** undefined where localedef or the de_DE source is missing: the suite is skipped, visibly. */
const locpath = buildLocale();

const german = (repo: TestRepo) => ({ ...repo.env, LOCPATH: locpath!, LC_ALL: 'de_DE.UTF-8' });

describe.skipIf(!locpath)('a German locale', () => {
  it('git really speaks German here (otherwise this suite proves nothing)', () => {
    const repo = TestRepo.init();
    const r = repo.tryGit(['rev-parse', '--verify', 'nope'], { env: german(repo) });
    expect(r.stderr).toMatch(/Schwerwiegend/);
  });

  it('the first commit (unborn HEAD) goes through the hooks', () => {
    const repo = TestRepo.init();
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    const blocked = repo.tryGit(
      ['commit', '-q', '-m', 'first', '-m', 'Co-authored-by: Claude <noreply@anthropic.com>'],
      { env: german(repo) },
    );
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('✗ evals/tasks/q1.json');
    expect(repo.tryGit(['commit', '-q', '-m', 'first by hand'], { env: german(repo) }).code).toBe(
      0,
    );
  });

  // openRepo recognises a bare repository by git's message; the git door runs git with
  // LC_ALL=C so a translated server locale cannot turn that into "reject every push".
  it('a bare repository is judged (server, CI mirror)', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'T', '-m', 'Co-authored-by: Claude <noreply@anthropic.com>');
    const bare = tempDir();
    repo.git('clone', '-q', '--bare', repo.dir, bare);
    const policy = join(repo.dir, '.cleanroom', 'policy.yaml');
    const r = new TestRepo(bare, repo.env).cleanroom(
      ['check', '--commit', 'HEAD', '--policy', policy, '--format', 'json'],
      { env: german(repo) },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
  it('outside a repository: the clear "not a git repository" message', () => {
    const dir = tempDir();
    const r = new TestRepo(dir).cleanroom(['check', '--staged'], {
      env: { ...new TestRepo(dir).env, LOCPATH: locpath!, LC_ALL: 'de_DE.UTF-8' },
    });
    expect(r.stderr).toBe(
      `cleanroom: not a git repository: ${dir}\n  → run cleanroom inside a Git repository (or cd into one)\n`,
    );
  });
});
