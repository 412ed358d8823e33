// One scenario, tried at every point that judges it (docs/design/contract.md §6): the local commit-msg
// hook (a real `git commit`), pre-push (the hook program with git's stdin), the server's
// pre-receive (a real `git push` into a bare repository with the hook), `check --range`
// and `audit`. A scenario is a list of commits; the AI ones carry Claude's trailer.

import { symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Run, TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef, type Server } from '../../helpers/server.js';

export interface Step {
  message: string;
  ai: boolean;
  files?: Record<string, string>;
  /** path → symlink target text. */
  symlinks?: Record<string, string>;
  /** paths that become gitlinks (submodules) to some commit. */
  gitlinks?: string[];
  /** `git mv` pairs. */
  moves?: [string, string][];
}

export function stage(work: TestRepo, step: Step): void {
  for (const [path, content] of Object.entries(step.files ?? {})) work.write(path, content);
  for (const [path, target] of Object.entries(step.symlinks ?? {})) {
    mkdirSync(dirname(join(work.dir, path)), { recursive: true });
    symlinkSync(target, join(work.dir, path));
  }
  for (const [from, to] of step.moves ?? []) {
    mkdirSync(dirname(join(work.dir, to)), { recursive: true });
    work.git('mv', from, to);
  }
  work.git('add', '-A');
  // A gitlink needs no checkout: the index entry is what a commit records.
  for (const path of step.gitlinks ?? [])
    work.git('update-index', '--add', '--cacheinfo', `160000,${work.head()},${path}`);
}

const messageArgs = (step: Step): string[] => [
  '-m',
  step.message,
  ...(step.ai ? ['-m', CLAUDE] : []),
];

export interface Points {
  commitMsg: Run;
  prePush: Run;
  preReceive: Run;
  range: Run;
  audit: Run;
  s: Server;
  base: string;
}

/** Runs the scenario at every point. The last step is the one tried with a real `git commit` (hooks on). */
export function tryEverywhere(
  steps: Step[],
  opts: { policy?: string; files?: Record<string, string> } = {},
): Points {
  const s = protectedServer(opts);
  const { work } = s;
  const init = work.cleanroom(['init', '--hooks', 'git']);
  expect(init.code, init.stderr).toBe(0);
  work.git('remote', 'set-head', 'origin', 'main');
  const base = work.head();
  let commitMsg: Run = { code: 0, stdout: '', stderr: '' };
  for (const [i, step] of steps.entries()) {
    stage(work, step);
    if (i === steps.length - 1) {
      // The local verdict: git commit with the hooks installed by `cleanroom init`.
      commitMsg = work.tryGit(['commit', '-q', ...messageArgs(step)]);
      if (commitMsg.code === 0) continue;
    }
    work.git('commit', '-q', '--no-verify', ...messageArgs(step));
  }
  const tip = work.head();
  // pre-push: the hook program as git runs it (remote name and URL, ref lines on stdin).
  const prePush = work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
    input: `refs/heads/main ${tip} refs/heads/main ${base}\n`,
  });
  const preReceive = work.tryGit(['push', '--no-verify', 'origin', 'main']);
  const range = work.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  const audit = work.cleanroom(['audit', '--format', 'json']);
  if (preReceive.code === 0) expect(serverRef(s, 'main')).toBe(tip);
  return { commitMsg, prePush, preReceive, range, audit, s, base };
}

/** Every point rejected the scenario and named `path` (check --range and audit in their JSON). */
export function expectRejectedEverywhere(
  p: Points,
  path: string,
  where: { commitMsg?: boolean } = {},
): void {
  if (where.commitMsg !== false) {
    expect(p.commitMsg.code, 'commit-msg').not.toBe(0);
    expect(p.commitMsg.stderr + p.commitMsg.stdout, 'commit-msg').toContain(path);
  }
  expect(p.prePush.code, `pre-push: ${p.prePush.stderr}`).toBe(1);
  expect(p.prePush.stderr + p.prePush.stdout, 'pre-push').toContain(path);
  expect(p.preReceive.code, 'pre-receive').not.toBe(0);
  expect(p.preReceive.stderr, 'pre-receive').toContain(path);
  expect(p.range.code, `check --range: ${p.range.stderr}`).toBe(1);
  expect(
    JSON.parse(p.range.stdout).violations.map((v: { path: string }) => v.path),
    'check --range',
  ).toContain(path);
  expect(p.audit.code, `audit: ${p.audit.stderr}`).toBe(1);
  expect(contaminated(p.audit), 'audit').toContain(path);
}

/** Paths `audit --format json` reports contaminated. */
export function contaminated(audit: Run): string[] {
  const report = JSON.parse(audit.stdout) as { zones: { contaminated: { path: string }[] }[] };
  return report.zones.flatMap((z) => z.contaminated.map((c) => c.path));
}

/** The human control: every point accepts. */
export function expectAcceptedEverywhere(p: Points): void {
  expect(p.commitMsg.code, `commit-msg: ${p.commitMsg.stderr}`).toBe(0);
  expect(p.prePush.code, `pre-push: ${p.prePush.stderr}`).toBe(0);
  expect(p.preReceive.code, `pre-receive: ${p.preReceive.stderr}`).toBe(0);
  expect(p.range.code, `check --range: ${p.range.stdout}${p.range.stderr}`).toBe(0);
  expect(p.audit.code, `audit: ${p.audit.stdout}`).toBe(0);
}

/** An attack tried at every point, and its human control (the same steps, no AI). */
export interface Scenario {
  name: string;
  /** The zone path every point must name when it rejects the attack. */
  path: string;
  policy?: string;
  /** The last commit is a human's even in the attack: the local hook cannot see it. */
  humanLast?: boolean;
  steps: (ai: boolean) => Step[];
}

/** Per scenario, one test that every point rejects the attack and one that every point accepts the control. */
export function itAtEveryPoint(cases: readonly Scenario[], opts: { timeout: number }): void {
  for (const c of cases) {
    const setup = c.policy ? { policy: c.policy } : {};
    it(`attack: ${c.name}`, opts, () => {
      expectRejectedEverywhere(tryEverywhere(c.steps(true), setup), c.path, {
        commitMsg: c.humanLast !== true,
      });
    });
    it(`human control: ${c.name}`, opts, () => {
      expectAcceptedEverywhere(tryEverywhere(c.steps(false), setup));
    });
  }
}
