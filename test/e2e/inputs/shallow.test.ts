// Never judge a range by the policy it changes (issue 10 §7): a base this clone cannot
// read — shallow clone, blobless partial clone whose remote is gone — is exit 2 with
// the fix, never the work tree's (the pull request's own) policy; pre-push finds the
// remote's default branch without origin/HEAD, or fails loudly.

import { execFileSync, spawnSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  CLI,
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const RELAXED = POLICY.replace(/ai: deny/g, 'ai: allow');

/** upstream: main with the strict policy and a human task; pr: relaxes it and adds AI content. */
function upstreamWithPr(): TestRepo {
  const up = repoWithPolicy({ init: false });
  up.write('evals/tasks/old.json', '{"q": 0}\n');
  up.git('add', '-A');
  up.git('commit', '-q', '--no-verify', '-m', 'human task');
  up.git('checkout', '-q', '-b', 'pr');
  up.write('.cleanroom/policy.yaml', RELAXED);
  up.write('evals/tasks/q1.json', '{}\n');
  up.git('add', '-A');
  up.git('commit', '-q', '--no-verify', '-m', 'relax and add', '-m', CLAUDE);
  up.git('checkout', '-q', 'main');
  up.git('config', 'uploadpack.allowFilter', 'true');
  up.git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  return up;
}

/** A CI checkout: `git clone ARGS file://UP` of the pr branch, plus main as origin/main. */
function ciClone(up: TestRepo, args: string[], depth?: number): TestRepo {
  const dir = tempDir();
  execFileSync('git', ['clone', '-q', ...args, '--branch', 'pr', `file://${up.dir}`, dir], {
    env: cleanEnv(),
  });
  const work = new TestRepo(dir);
  work.git(
    'fetch',
    '-q',
    ...(depth ? [`--depth=${depth}`] : []),
    'origin',
    '+refs/heads/main:refs/remotes/origin/main',
  );
  return work;
}

describe('shallow CI clones', () => {
  it('origin/main...HEAD in a --depth=1 clone: exit 2 with the fix, not "ok" by the pull request\'s own policy', () => {
    const work = ciClone(upstreamWithPr(), ['--depth=1'], 1);
    const r = work.cleanroom(['check', '--range', 'origin/main...HEAD']);
    expectCleanError(r, 2);
    expect(r.stderr).toContain('shallow clone');
    expect(r.stderr).toContain('git fetch --unshallow');
    expect(r.stderr).toContain('fetch-depth: 0');
  });

  it('HEAD~1..HEAD in a --depth=1 clone: "no such commit" says the clone is shallow and how to fetch it', () => {
    const work = ciClone(upstreamWithPr(), ['--depth=1'], 1);
    const r = work.cleanroom(['check', '--range', 'HEAD~1..HEAD']);
    expectCleanError(r, 2);
    expect(r.stderr).toContain('no such commit: HEAD~1 (this clone is shallow');
    expect(r.stderr).toContain('git fetch --unshallow');
    // Control: in a full clone the same name resolves.
    const full = ciClone(upstreamWithPr(), []);
    expect(full.cleanroom(['check', '--range', 'HEAD~1..HEAD']).stderr).not.toContain(
      'no such commit',
    );
  });

  it('origin/main..HEAD in a --depth=1 clone: exit 2, no commit blamed for files it did not write', () => {
    const up = upstreamWithPr();
    // pr's last commit is an AI commit that touches only src/: nothing to find in it.
    up.git('checkout', '-q', 'pr');
    up.write('.cleanroom/policy.yaml', POLICY);
    up.write('src/x.ts', 'export {}\n');
    up.git('rm', '-q', 'evals/tasks/q1.json');
    up.git('add', '-A');
    up.git('commit', '-q', '--no-verify', '-m', 'AI code', '-m', CLAUDE);
    up.git('checkout', '-q', 'main');
    const work = ciClone(up, ['--depth=1'], 1);
    const r = work.cleanroom(['check', '--range', 'origin/main..HEAD', '--format', 'json']);
    expectCleanError(r, 2);
    expect(r.stdout).not.toContain('evals/tasks/old.json');
    expect(r.stderr).toContain('git fetch --unshallow');
    // --commit on the boundary commit: the same
    expectCleanError(work.cleanroom(['check', '--commit', 'HEAD']), 2);
  });

  it("human control: the full clone judges with main's policy (violation found); after --unshallow the shallow one does too", () => {
    const up = upstreamWithPr();
    const full = ciClone(up, []);
    const r = full.cleanroom(['check', '--range', 'origin/main...HEAD', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('evals/tasks/q1.json');
    expect(r.stdout).toContain('cleanroom-config');
    const shallow = ciClone(up, ['--depth=1'], 1);
    shallow.git(
      'fetch',
      '-q',
      '--unshallow',
      'origin',
      '+refs/heads/main:refs/remotes/origin/main',
    );
    expect(shallow.cleanroom(['check', '--range', 'origin/main...HEAD']).code).toBe(1);
  });

  it('a deep-enough shallow clone (the range inside what was fetched) is judged normally', () => {
    const up = upstreamWithPr();
    const work = ciClone(up, ['--depth=3'], 3);
    const r = work.cleanroom(['check', '--range', 'origin/main..HEAD', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('evals/tasks/q1.json');
  });
});

describe('blobless partial clones', () => {
  it("--filter=blob:none with the remote gone: the base policy blob is absent → exit 2 naming it, not the work tree's policy", () => {
    const up = upstreamWithPr();
    const work = ciClone(up, ['--filter=blob:none']);
    renameSync(up.dir, `${up.dir}-gone`); // the remote is unreachable now
    try {
      const r = work.cleanroom(['check', '--range', 'origin/main..HEAD']);
      expectCleanError(r, 2);
      expect(r.stderr).toContain('.cleanroom/policy.yaml');
      expect(r.stderr).toMatch(/partial clone/);
    } finally {
      renameSync(`${up.dir}-gone`, up.dir);
    }
  });

  it("control: with the remote reachable, git fetches the blob and the range is judged by main's policy", () => {
    const up = upstreamWithPr();
    const work = ciClone(up, ['--filter=blob:none']);
    const r = work.cleanroom(['check', '--range', 'origin/main..HEAD', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('evals/tasks/q1.json');
  });
});

describe('pre-push without origin/HEAD', () => {
  /** The normal state after `git init`, `git remote add`, `git push -u`: origin/HEAD unset. */
  function pushedOnce(): { work: TestRepo; server: TestRepo } {
    const server = TestRepo.init({ bare: true });
    const work = repoWithPolicy();
    work.git('remote', 'add', 'origin', server.dir);
    work.git('push', '-q', '-u', '--no-verify', 'origin', 'main');
    expect(work.tryGit(['rev-parse', '-q', '--verify', 'refs/remotes/origin/HEAD']).code).not.toBe(
      0,
    );
    return { work, server };
  }

  it('a push that relaxes .cleanroom/ and adds AI content is judged by the remote default branch (git ls-remote --symref)', () => {
    const { work, server } = pushedOnce();
    work.write('.cleanroom/policy.yaml', RELAXED);
    work.write('evals/tasks/q.json', '{}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'relax and add', '-m', CLAUDE);
    const r = work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('.cleanroom/policy.yaml');
    expect(r.stderr).toContain('evals/tasks/q.json');
    expect(server.git('rev-parse', 'main').trim()).not.toBe(work.head());
  });

  it('human control: a human change outside .cleanroom/ pushes', () => {
    const { work, server } = pushedOnce();
    work.write('src/x.ts', 'export {}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'human code');
    const r = work.tryGit(['push', 'origin', 'main']);
    expect(r.code, r.stderr).toBe(0);
    expect(server.git('rev-parse', 'main').trim()).toBe(work.head());
  });

  it('a remote that does not answer: pre-push ends by itself with exit 2 (git ls-remote is stopped), not a hang', () => {
    const { work } = pushedOnce();
    work.git('config', 'protocol.ext.allow', 'always');
    // A sleep no other process on the machine runs (parallel suites run this test too),
    // so the check below sees only this push's transport.
    const nap = `40.${process.pid}${Date.now() % 1000}`;
    work.git('remote', 'add', 'slow', `ext::sh -c sleep% ${nap}`);
    const zero = '0'.repeat(40);
    const started = Date.now();
    const r = spawnSync(
      process.execPath,
      [CLI, 'hook', 'pre-push', 'slow', `ext::sh -c sleep% ${nap}`],
      {
        cwd: work.dir,
        env: work.env,
        input: `refs/heads/main ${work.head()} refs/heads/main ${zero}\n`,
        encoding: 'utf8',
        timeout: 38_000,
      },
    );
    expect(r.status, `${r.stderr} (after ${Date.now() - started} ms)`).toBe(2);
    expect(r.stderr).toContain('no answer within 15 s');
    // nothing left behind: the transport's own process (sh -c sleep 40…) was ended too.
    // SIGKILL takes effect when the process is next scheduled: on a loaded machine it can
    // still be listed for a moment, so it is given 5 s to go (a leak would run 40 s).
    const leftover = (): string =>
      spawnSync('pgrep', ['-f', `sleep ${nap}`], { encoding: 'utf8' }).stdout.trim();
    const until = Date.now() + 5_000;
    while (leftover() && Date.now() < until) spawnSync('sleep', ['0.2']);
    expect(leftover()).toBe('');
  });

  it('the remote cannot be asked: fails loudly (exit 2, how to fix), does not judge by the work tree', () => {
    const { work, server } = pushedOnce();
    work.write('src/x.ts', 'export {}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'human code');
    renameSync(server.dir, `${server.dir}-gone`);
    try {
      const zero = '0'.repeat(40);
      const r = work.cleanroom(['hook', 'pre-push', 'origin', server.dir], {
        input: `refs/heads/main ${work.head()} refs/heads/main ${zero}\n`,
      });
      expectCleanError(r, 2);
      expect(r.stderr).toContain('git remote set-head origin --auto');
    } finally {
      renameSync(`${server.dir}-gone`, server.dir);
    }
  });
});
