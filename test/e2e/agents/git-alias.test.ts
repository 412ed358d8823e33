// A git alias is judged as what it runs (issue: hostile review, fault 2). `git ci -n` with
// `alias.ci = commit` is `git commit --no-verify`; `git m a evals/x` with `alias.m = mv`
// writes into a zone; a `!` alias runs a command line. The agent hook read `git SUB` by
// SUB, so each passed. Now a command that runs an alias (from the repository's config, an
// included file, or another repository named by -C) is refused with the command the
// alias stands for; the agent writes that out and it is judged as such. Beside each, the
// builtin written out is judged as before, and a command using no alias still passes.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, POLICY, removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { plantedCatRepo, preToolBash } from './world.js';

afterAll(removeTempDirs);

// No zone denies reading: an unknown `git SUB` is then not refused as a possible reader of a
// zone, so the alias alone must be what refuses it.
const WRITE_DENY = POLICY.replace(/^ *read: deny\n/m, '');

function aliased(): string {
  const dir = plantedCatRepo(WRITE_DENY);
  const repo = new TestRepo(dir);
  repo.git('config', 'alias.ci', 'commit');
  repo.git('config', 'alias.m', 'mv');
  repo.git('config', 'alias.sh', '!git commit');
  writeFileSync(join(dir, '.git', 'more-aliases'), '[alias]\n\tCo = checkout\n');
  repo.git('config', 'include.path', 'more-aliases');
  return dir;
}

describe('git aliases in an agent shell command', { timeout: 60_000 }, () => {
  it('the attack is real: git ci -n skips the commit hooks as git commit --no-verify does', () => {
    const dir = aliased();
    const hooks = join(dir, '.git', 'hooks');
    writeFileSync(join(hooks, 'pre-commit'), '#!/bin/sh\necho refused >&2\nexit 1\n', {
      mode: 0o755,
    });
    const run = (cmd: string) =>
      spawnSync('bash', ['-c', cmd], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
    expect(run('git ci -q --allow-empty -m x').status).not.toBe(0);
    expect(run('git ci -n -q --allow-empty -m x').status).toBe(0);
  });

  it.each([
    ['git ci -n -m x', /alias for "git commit"/],
    ['git ci --amend -m x', /alias for "git commit"/],
    ['git m src/a.txt data/train/e.txt', /alias for "git mv"/],
    ['git sh -n -m x', /alias for the shell command "git commit"/],
    ['git co HEAD~0 -- data/train/d.txt', /alias for "git checkout"/],
    ['git -C . ci -n -m x', /alias for "git commit"/],
    ['cd src && git ci -n -m x', /alias for "git commit"/],
    ["bash -c 'git ci -n -m x'", /alias for "git commit"/],
  ])('%s is refused', (command, why) => {
    const r = preToolBash(aliased(), command);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(/run .* itself/);
  });

  it.each([
    ['git commit -n -m x', /--no-verify/],
    ['git mv src/a.txt data/train/e.txt', /data\/train\/e\.txt/],
  ])('the builtin written out is judged as itself: %s', (command, why) => {
    const r = preToolBash(aliased(), command);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(why);
  });

  it.each(['git commit -m x', 'git status', 'git log --oneline', 'git mv src/a.txt src/b.txt'])(
    'control: %s passes',
    (command) => {
      const r = preToolBash(aliased(), command);
      expect(r.status, r.stderr).toBe(0);
    },
  );

  // help.autocorrect (hostile review of pass 6): git runs the command it guesses for a
  // name that is neither a command nor an alias, so `git comit -n` is `git commit
  // --no-verify` and `git cj` the alias `ci`.
  it('the attack is real: help.autocorrect runs git commit for git comit -n', () => {
    const dir = aliased();
    writeFileSync(join(dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n', {
      mode: 0o755,
    });
    const run = (cmd: string) =>
      spawnSync('bash', ['-c', cmd], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
    expect(run('git comit -q --allow-empty -m x').status).not.toBe(0);
    expect(run('git -c help.autocorrect=immediate comit -n -q --allow-empty -m x').status).toBe(0);
  });

  it.each([
    'git -c help.autocorrect=immediate comit -n -m x',
    'git -c Help.AutoCorrect=-1 comit -n -m x',
    'git config help.autocorrect immediate',
  ])('%s is refused', (command) => {
    const r = preToolBash(aliased(), command);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/help\.autocorrect/);
  });

  it.each([
    ['immediate', 'git comit -n -m x'],
    ['1', 'git comit -n -m x'],
    ['immediate', 'git cj -n -m x'],
    ['prompt', 'git comit -n -m x'],
  ])('with help.autocorrect=%s in the config, %s is refused', (value, command) => {
    const dir = aliased();
    new TestRepo(dir).git('config', 'help.autocorrect', value);
    const r = preToolBash(dir, command);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/help\.autocorrect/);
  });

  it.each([
    ['immediate', 'git commit -m x'],
    ['immediate', 'git cherry'],
    ['0', 'git comit -n -m x'],
    ['never', 'git comit -n -m x'],
  ])('control: with help.autocorrect=%s, %s passes', (value, command) => {
    const dir = aliased();
    new TestRepo(dir).git('config', 'help.autocorrect', value);
    const r = preToolBash(dir, command);
    expect(r.status, r.stderr).toBe(0);
  });

  // A case-insensitive file system (macOS, Windows): `git Commit` is no builtin (git
  // compares names case by case), so git runs the program git-Commit, found there as
  // git-commit in git's exec path. This machine's file system is case-sensitive, so the
  // test shows the refusal, not the attack.
  it.each(['git Commit -n -m x', 'git MV src/a.txt data/train/e.txt', 'git -C . Commit -n'])(
    '%s (a builtin in another case) is refused',
    (command) => {
      const r = preToolBash(aliased(), command);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/case-insensitive/);
    },
  );
});
