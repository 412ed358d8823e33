// The commit-latency anchors: what a team would otherwise run on every commit.
//   - husky + commitlint (@commitlint/config-conventional on commit-msg), the usual JS set-up;
//   - the pre-commit framework (Debian's `pre-commit`), with a local no-op hook on the
//     pre-commit and commit-msg stages, so its own cost is what is measured;
//   - git-secrets (Debian's `git-secrets`) with the AWS patterns, as `--install` sets it up.
// Each returns the hooks directory to pass as core.hooksPath, or { missing } saying why not.
// The npm anchors are installed once into a cache (the npm registry is reachable here);
// the Debian ones are used when installed (`apt-get install pre-commit git-secrets`).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, symlinkSync, chmodSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

function npmAnchors() {
  const cache = join(process.env.CLEANROOM_BENCH_CACHE ?? tmpdir(), 'cleanroom-bench-anchors');
  if (!existsSync(join(cache, 'node_modules', '@commitlint', 'cli'))) {
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, 'package.json'), '{"private":true}\n');
    const r = spawnSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--silent',
        'husky@9.1',
        '@commitlint/cli@19',
        '@commitlint/config-conventional@19',
      ],
      { cwd: cache, encoding: 'utf8' },
    );
    if (r.status !== 0)
      return { missing: `npm install of husky/commitlint failed: ${r.stderr.slice(0, 200)}` };
  }
  return { cache };
}

/** husky + commitlint in `dir` (a git work tree); returns { hooksPath } or { missing }. */
export function huskyCommitlint(dir, env) {
  const a = npmAnchors();
  if (a.missing) return a;
  if (!existsSync(join(dir, 'node_modules')))
    symlinkSync(join(a.cache, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(
    join(dir, 'commitlint.config.js'),
    "module.exports = { extends: ['@commitlint/config-conventional'] };\n",
  );
  if (!existsSync(join(dir, 'package.json')))
    writeFileSync(join(dir, 'package.json'), '{"private":true}\n');
  mkdirSync(join(dir, '.husky'), { recursive: true });
  writeFileSync(join(dir, '.husky', 'commit-msg'), 'npx --no -- commitlint --edit "$1"\n');
  const before = spawnSync('git', ['config', 'core.hooksPath'], {
    cwd: dir,
    env,
    encoding: 'utf8',
  }).stdout.trim();
  execFileSync(join(dir, 'node_modules', '.bin', 'husky'), [], { cwd: dir, env, stdio: 'ignore' });
  // husky sets core.hooksPath=.husky/_; the bench chooses the hooks per commit instead.
  if (before) execFileSync('git', ['config', 'core.hooksPath', before], { cwd: dir, env });
  else spawnSync('git', ['config', '--unset', 'core.hooksPath'], { cwd: dir, env });
  return { hooksPath: join(dir, '.husky', '_') };
}

/** The pre-commit framework with local no-op hooks; { hooksPath } or { missing }. */
export function preCommitFramework(dir, env) {
  if (!has('pre-commit'))
    return { missing: 'pre-commit is not installed (apt-get install pre-commit)' };
  writeFileSync(
    join(dir, '.pre-commit-config.yaml'),
    `repos:
  - repo: local
    hooks:
      - { id: noop, name: noop, entry: "true", language: system, pass_filenames: false, stages: [commit] }
      - { id: noop-msg, name: noop-msg, entry: "true", language: system, stages: [commit-msg] }
`,
  );
  const hooks = join(dir, '.git', 'anchor-pre-commit');
  const gitHooks = join(dir, '.git', 'hooks');
  const saved = join(dir, '.git', 'hooks.saved-by-bench');
  // pre-commit installs into the hooks directory git uses; borrow an empty one.
  renameSync(gitHooks, saved);
  mkdirSync(gitHooks);
  const r = spawnSync(
    'pre-commit',
    ['install', '--hook-type', 'pre-commit', '--hook-type', 'commit-msg'],
    {
      cwd: dir,
      env: { ...env, PRE_COMMIT_HOME: join(dir, '.git', 'pre-commit-home') },
      encoding: 'utf8',
    },
  );
  renameSync(gitHooks, hooks);
  renameSync(saved, gitHooks);
  if (r.status !== 0) return { missing: `pre-commit install failed: ${r.stderr.slice(0, 200)}` };
  return { hooksPath: hooks, env: { PRE_COMMIT_HOME: join(dir, '.git', 'pre-commit-home') } };
}

/** git-secrets with the AWS patterns; { hooksPath } or { missing }. */
export function gitSecrets(dir, env) {
  if (!has('git-secrets'))
    return { missing: 'git-secrets is not installed (apt-get install git-secrets)' };
  const template = join(dir, '.git', 'anchor-git-secrets');
  mkdirSync(template, { recursive: true });
  execFileSync('git', ['secrets', '--install', '-f', template], { cwd: dir, env, stdio: 'ignore' });
  execFileSync('git', ['secrets', '--register-aws'], { cwd: dir, env, stdio: 'ignore' });
  for (const f of ['pre-commit', 'commit-msg', 'prepare-commit-msg'])
    if (existsSync(join(template, 'hooks', f))) chmodSync(join(template, 'hooks', f), 0o755);
  return { hooksPath: join(template, 'hooks') };
}
