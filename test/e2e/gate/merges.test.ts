// What enters the default branch is judged (issue 10 §3), and a merge that itself moves
// an AI draft into a zone is caught (moved-content tracing through merges). Each attack
// beside its human control, at every point it concerns.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef } from '../../helpers/server.js';
import { contaminated } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 120_000 };
const LAX = POLICY; // no zone covers benchmarks/
const STRICT = POLICY.replace(
  'zones:\n',
  'zones:\n  - name: bench\n    paths: ["benchmarks/**"]\n    ai: deny\n',
);

describe('commits newly reachable from the default branch are judged by its policy before the push', () => {
  const scenario = (ai: boolean) => {
    const s = protectedServer({ policy: LAX });
    const { work } = s;
    // An AI branch, pushed while no zone covers its files: accepted.
    work.git('checkout', '-q', '-b', 'feat');
    work.write('benchmarks/q.json', '{}\n');
    work.git('add', '-A');
    work.git(
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'benchmark question',
      ...(ai ? ['-m', CLAUDE] : []),
    );
    const branch = work.tryGit(['push', '--no-verify', 'origin', 'feat']);
    expect(branch.code, branch.stderr).toBe(0);
    // main adds the zone (the admin puts it there), then merges the branch.
    work.git('checkout', '-q', 'main');
    work.write('.cleanroom/policy.yaml', STRICT);
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'benchmarks are held out');
    s.server.git('fetch', '-q', work.dir, 'main:refs/heads/main');
    work.git('fetch', '-q', 'origin');
    work.git('remote', 'set-head', 'origin', 'main');
    const base = work.head();
    work.git('merge', '-q', '--no-ff', '--no-edit', 'feat');
    const tip = work.head();
    const prePush = work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
      input: `refs/heads/main ${tip} refs/heads/main ${base}\n`,
    });
    const preReceive = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    const range = work.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
    const audit = work.cleanroom(['audit', '--format', 'json']);
    return { s, prePush, preReceive, range, audit, base, tip };
  };

  it('attack: an AI branch pushed before the zone existed, merged into main after', T, () => {
    const r = scenario(true);
    expect(r.preReceive.code, 'pre-receive').not.toBe(0);
    expect(r.preReceive.stderr).toContain('benchmarks/q.json');
    expect(serverRef(r.s, 'main')).toBe(r.base);
    expect(r.prePush.code, `pre-push ${r.prePush.stderr}`).toBe(1);
    expect(r.prePush.stderr).toContain('benchmarks/q.json');
    expect(r.range.code).toBe(1);
    expect(r.range.stdout).toContain('benchmarks/q.json');
    expect(r.audit.code).toBe(1);
    expect(contaminated(r.audit)).toContain('benchmarks/q.json');
  });

  it('human control: the same branch written by a human merges', T, () => {
    const r = scenario(false);
    expect(r.preReceive.code, r.preReceive.stderr).toBe(0);
    expect(serverRef(r.s, 'main')).toBe(r.tip);
    expect(r.prePush.code, r.prePush.stderr).toBe(0);
    expect(r.range.code).toBe(0);
    expect(r.audit.code).toBe(0);
  });

  it(
    'control: a branch that is not the default branch still skips commits the server already has',
    T,
    () => {
      const r = scenario(true);
      // Pushing the merge to another branch: its AI commit was accepted before and is not on main.
      const other = r.s.work.tryGit(['push', '--no-verify', 'origin', 'HEAD:refs/heads/other']);
      expect(other.code, other.stderr).toBe(0);
    },
  );
});

describe('a merge commit that itself renames an AI draft into a zone', () => {
  const scenario = (ai: boolean) => {
    const s = protectedServer();
    const { work } = s;
    work.cleanroom(['init', '--hooks', 'git']);
    work.git('remote', 'set-head', 'origin', 'main');
    const base = work.head();
    work.git('checkout', '-q', '-b', 'side');
    work.write('drafts/q2.json', '{"q":"capital of France"}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'a draft', ...(ai ? ['-m', CLAUDE] : []));
    work.git('checkout', '-q', 'main');
    work.write('NOTES.md', 'x\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'notes');
    work.git('merge', '-q', '--no-ff', '--no-commit', 'side');
    mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
    work.git('mv', 'drafts/q2.json', 'evals/tasks/q2.json');
    // commit-msg: a real `git commit` concluding the merge, hooks on.
    const commitMsg = work.tryGit(['commit', '-q', '-m', 'Merge side']);
    if (commitMsg.code !== 0) work.git('commit', '-q', '--no-verify', '-m', 'Merge side');
    const tip = work.head();
    const prePush = work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
      input: `refs/heads/main ${tip} refs/heads/main ${base}\n`,
    });
    const preReceive = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    const range = work.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
    const audit = work.cleanroom(['audit', '--format', 'json']);
    return { s, commitMsg, prePush, preReceive, range, audit };
  };
  const PATH = 'evals/tasks/q2.json';

  it('attack: the merge resolution moves an AI draft into evals/tasks', T, () => {
    const r = scenario(true);
    expect(r.commitMsg.code, 'commit-msg').not.toBe(0);
    expect(r.commitMsg.stderr).toContain(PATH);
    expect(r.prePush.code, `pre-push ${r.prePush.stderr}`).toBe(1);
    expect(r.prePush.stderr).toContain(PATH);
    expect(r.preReceive.code, 'pre-receive').not.toBe(0);
    expect(r.preReceive.stderr).toContain(PATH);
    expect(r.range.code).toBe(1);
    expect(JSON.parse(r.range.stdout).violations.map((v: { path: string }) => v.path)).toContain(
      PATH,
    );
    expect(r.audit.code).toBe(1);
    expect(contaminated(r.audit)).toContain(PATH);
  });

  it('human control: a human draft moved into the zone by a merge passes everywhere', T, () => {
    const r = scenario(false);
    expect(r.commitMsg.code, r.commitMsg.stderr).toBe(0);
    expect(r.prePush.code, r.prePush.stderr).toBe(0);
    expect(r.preReceive.code, r.preReceive.stderr).toBe(0);
    expect(r.range.code).toBe(0);
    expect(r.audit.code).toBe(0);
  });
});
