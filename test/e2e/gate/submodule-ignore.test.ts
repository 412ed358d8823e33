// A hostile review: a commit adds `.gitmodules` with `ignore = all` for a submodule whose
// gitlink (mode 160000) sits at `evals`, over the deny zones. git then leaves the gitlink
// out of diff-tree, diff-index and log --raw (submodule.<name>.ignore from .gitmodules in
// the work tree, from config, from GIT_CONFIG_*; diff.ignoreSubmodules for log), so
// `check --range`, `audit` and the local hooks saw only `.gitmodules` and passed what
// they refuse without the line. Every git diff cleanroom runs now passes
// --ignore-submodules=none (src/git/git.ts SHOW_GITLINKS). Each way of hiding is tried at
// check --staged, the commit hooks (a real `git commit`), check --range and audit; the
// same commit with nothing hidden gets the same verdict, and a human's passes.

import { afterAll, describe, expect, it } from 'vitest';
import { runGit, SHOW_GITLINKS } from '../../../src/git/git.js';
import { cleanEnv, removeTempDirs, repoWithPolicy, type Run } from '../../helpers/repo.js';
import { CLAUDE } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 240_000 };

interface Hiding {
  name: string;
  /** Extra `.gitmodules` lines for submodule "e". */
  gitmodules?: string;
  /** Repository config set before the commit. */
  config?: [string, string];
  /** Config through the environment of every command (git -c in a hook's parent, CI env). */
  env?: Record<string, string>;
}

const HIDINGS: Hiding[] = [
  { name: 'nothing hidden' },
  { name: '.gitmodules ignore = all', gitmodules: '\tignore = all\n' },
  { name: '.gitmodules ignore = dirty', gitmodules: '\tignore = dirty\n' },
  { name: 'config submodule.e.ignore=all', config: ['submodule.e.ignore', 'all'] },
  { name: 'config diff.ignoreSubmodules=all', config: ['diff.ignoreSubmodules', 'all'] },
  {
    name: 'GIT_CONFIG_* submodule.e.ignore=all',
    env: {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'submodule.e.ignore',
      GIT_CONFIG_VALUE_0: 'all',
      GIT_CONFIG_KEY_1: 'diff.ignoreSubmodules',
      GIT_CONFIG_VALUE_1: 'all',
    },
  },
  { name: 'GIT_CONFIG_PARAMETERS', env: { GIT_CONFIG_PARAMETERS: "'submodule.e.ignore'='all'" } },
];

interface Verdicts {
  staged: Run;
  commit: Run;
  range: Run;
  audit: Run;
}

/**
 * A repo with the standard policy (deny zones under evals/), then one commit that adds
 * `.gitmodules` and a gitlink at `at`; with `bump`, a human adds the gitlink first and the
 * judged commit moves it to another commit (a modification, status M).
 */
function tryIt(h: Hiding, ai: boolean, at: string, bump = false): Verdicts {
  const repo = repoWithPolicy();
  repo.env = cleanEnv(h.env ?? {});
  if (h.config) repo.git('config', ...h.config);
  const modules = `[submodule "e"]\n\tpath = ${at}\n\turl = ./x\n${h.gitmodules ?? ''}`;
  const first = repo.head();
  if (bump) {
    repo.write('.gitmodules', modules);
    repo.git('add', '.gitmodules');
    repo.git('update-index', '--add', '--cacheinfo', `160000,${first},${at}`);
    repo.git('commit', '-q', '--no-verify', '-m', 'vendor evals (by a human)');
    repo.write('NOTES', 'x\n');
    repo.git('add', 'NOTES');
    repo.git('commit', '-q', '--no-verify', '-m', 'notes');
  } else {
    repo.write('.gitmodules', modules);
    repo.git('add', '.gitmodules');
  }
  const base = repo.head();
  repo.git('update-index', '--add', '--cacheinfo', `160000,${bump ? base : first},${at}`);
  const agent = ai ? { ...repo.env, CLAUDECODE: '1' } : repo.env;
  const staged = repo.cleanroom(['check', '--staged', '--format', 'json'], { env: agent });
  const message = ['-m', 'vendor the eval set', ...(ai ? ['-m', CLAUDE] : [])];
  const commit = repo.tryGit(['commit', '-q', ...message], { env: agent });
  if (commit.code !== 0) repo.git('commit', '-q', '--no-verify', ...message);
  const range = repo.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  const audit = repo.cleanroom(['audit', '--format', 'json']);
  return { staged, commit, range, audit };
}

const violations = (r: Run): string[] =>
  (JSON.parse(r.stdout) as { violations: { path: string }[] }).violations.map((v) => v.path);
const contaminated = (r: Run): string[] =>
  (JSON.parse(r.stdout) as { zones: { contaminated: { path: string }[] }[] }).zones.flatMap((z) =>
    z.contaminated.map((c) => c.path),
  );

function expectRefused(v: Verdicts, at: string): void {
  expect(v.staged.code, `check --staged: ${v.staged.stdout}${v.staged.stderr}`).toBe(1);
  expect(violations(v.staged), 'check --staged').toContain(at);
  expect(v.commit.code, `git commit: ${v.commit.stderr}`).not.toBe(0);
  expect(v.commit.stderr, 'git commit').toContain(at);
  expect(v.range.code, `check --range: ${v.range.stdout}${v.range.stderr}`).toBe(1);
  expect(violations(v.range), 'check --range').toContain(at);
  expect(v.audit.code, `audit: ${v.audit.stdout}${v.audit.stderr}`).toBe(1);
  expect(contaminated(v.audit), 'audit').toContain(at);
}

function expectAccepted(v: Verdicts): void {
  expect(v.staged.code, `check --staged: ${v.staged.stdout}${v.staged.stderr}`).toBe(0);
  expect(v.commit.code, `git commit: ${v.commit.stderr}`).toBe(0);
  expect(v.range.code, `check --range: ${v.range.stdout}${v.range.stderr}`).toBe(0);
  expect(v.audit.code, `audit: ${v.audit.stdout}${v.audit.stderr}`).toBe(0);
}

describe('a gitlink hidden by submodule ignore settings is judged like any other', () => {
  // The door itself refuses a diff or log without the option, so a diff added later cannot
  // forget it (the guard, not each call site, is what keeps the KIND fixed).
  it('git.ts refuses a diff or log that could hide gitlinks', async () => {
    const repo = repoWithPolicy({ init: false });
    const ctx = { cwd: repo.dir, env: repo.env };
    for (const verb of ['diff-tree', 'diff-index', 'diff-files', 'diff', 'log', 'show'])
      await expect(runGit(ctx, [verb, 'HEAD']), verb).rejects.toThrow(SHOW_GITLINKS);
    const ok = await runGit(ctx, ['diff-tree', SHOW_GITLINKS, '-r', '--root', 'HEAD']);
    expect(ok.stdout.toString()).toContain('.cleanroom/policy.yaml');
  });
  for (const h of HIDINGS) {
    it(`attack: an AI commit adds a gitlink at evals (above the deny zones), ${h.name}`, T, () => {
      expectRefused(tryIt(h, true, 'evals'), 'evals');
    });
  }
  it(
    'attack: the gitlink inside a zone (evals/tasks/vendored), .gitmodules ignore = all',
    T,
    () => {
      expectRefused(tryIt(HIDINGS[1]!, true, 'evals/tasks/vendored'), 'evals/tasks/vendored');
    },
  );
  it('attack: an AI commit moves an existing gitlink at evals, .gitmodules ignore = all', T, () => {
    expectRefused(tryIt(HIDINGS[1]!, true, 'evals', true), 'evals');
  });
  for (const h of [HIDINGS[0]!, HIDINGS[1]!, HIDINGS[4]!]) {
    it(`human control: a human adds the gitlink at evals, ${h.name}`, T, () => {
      expectAccepted(tryIt(h, false, 'evals'));
    });
  }
  it('human control: a human moves the gitlink at evals, .gitmodules ignore = all', T, () => {
    expectAccepted(tryIt(HIDINGS[1]!, false, 'evals', true));
  });
});

// The commit-msg hook's shell fast path (hooks/lib/no-ai-signal.sh) answers without Node
// when it can show nothing needs the full check: it lists the staged paths (an agent's
// commit) and asks for staged deletions (a human's: a move's provenance is traced) with
// its own git diff-index, which `ignore = all` thinned the same way. (An index holding
// a gitlink now takes the full check for an agent's commit anyway: its mode is grepped.)
describe('the commit-msg fast path lists a hidden gitlink too', () => {
  const traced = (stderr: string): string =>
    /exec node .*hook commit-msg/.test(stderr) ? 'node' : 'fast';
  /** A first commit records the policy for the fast path; then the agent's gitlink at `at`. */
  function agentCommit(at: string, agent: boolean): Run {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', '1\n');
    const first = repo.commit('first', { env: { CLEANROOM_DEBUG: '1' } });
    expect(first.code, first.stderr).toBe(0);
    repo.write('.gitmodules', `[submodule "e"]\n\tpath = ${at}\n\turl = ./x\n\tignore = all\n`);
    repo.git('add', '.gitmodules');
    repo.git('update-index', '--add', '--cacheinfo', `160000,${repo.head()},${at}`);
    const env = { ...repo.env, CLEANROOM_DEBUG: '1', ...(agent ? { CLAUDECODE: '1' } : {}) };
    return repo.tryGit(['commit', '-q', '-m', 'vendor'], { env });
  }
  it(
    'attack: the agent environment, a gitlink in a zone (evals/tasks/vendored), ignore = all',
    T,
    () => {
      const r = agentCommit('evals/tasks/vendored', true);
      expect(traced(r.stderr)).toBe('node');
      expect(r.code, r.stderr).toBe(1);
    },
  );
  it(
    'control: the agent environment, the gitlink outside every zone (vendor/x), ignore = all',
    T,
    () => {
      const r = agentCommit('vendor/x', true);
      expect(r.code, r.stderr).toBe(0);
    },
  );
  it(
    'a human deletes a gitlink that ignore = all hides: the deletion takes the full check',
    T,
    () => {
      const repo = repoWithPolicy();
      repo.write(
        '.gitmodules',
        '[submodule "e"]\n\tpath = vendor/x\n\turl = ./x\n\tignore = all\n',
      );
      repo.git('add', '.gitmodules');
      repo.git('update-index', '--add', '--cacheinfo', `160000,${repo.head()},vendor/x`);
      const first = repo.commit('vendor', { add: [], env: { CLEANROOM_DEBUG: '1' } });
      expect(first.code, first.stderr).toBe(0);
      repo.git('rm', '-q', '--cached', 'vendor/x');
      const r = repo.commit('drop the submodule', { add: [], env: { CLEANROOM_DEBUG: '1' } });
      expect(r.code, r.stderr).toBe(0);
      expect(traced(r.stderr)).toBe('node');
    },
  );
  it('human control: no agent, the gitlink in a zone, ignore = all', T, () => {
    const r = agentCommit('evals/tasks/vendored', false);
    expect(r.code, r.stderr).toBe(0);
  });
});
