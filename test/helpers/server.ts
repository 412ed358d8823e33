// A protected server for end-to-end push tests: a bare repository with cleanroom's
// pre-receive hook (installed by `cleanroom install-server`) and a clone to push from.

import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { fromTemplate, repoWithPolicy, ROOT, tempDir, TestRepo } from './repo.js';

export const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

export interface Server {
  server: TestRepo;
  work: TestRepo;
  log: string;
}

type ServerOpts = {
  objectFormat?: 'sha1' | 'sha256';
  policy?: string;
  files?: Record<string, string>;
};

/**
 * The policy (and anything else in `files`) is pushed to main before the hook is installed.
 * A copy of the server and clone this file built first with the same options
 * (`fromTemplate`): the copies get their own decision log and point at each other.
 */
export function protectedServer(opts: ServerOpts = {}): Server {
  const key = JSON.stringify(['protectedServer', opts]);
  const [serverDir, workDir] = fromTemplate(key, () => {
    const t = makeProtectedServer(opts);
    return [t.server.dir, t.work.dir];
  });
  const server = new TestRepo(serverDir!);
  const work = new TestRepo(workDir!);
  work.git('remote', 'set-url', 'origin', server.dir);
  const log = join(tempDir(), 'decisions.jsonl');
  server.git('config', 'cleanroom.log', log);
  return { server, work, log };
}

function makeProtectedServer(opts: ServerOpts): Server {
  const server = TestRepo.init({
    bare: true,
    ...(opts.objectFormat ? { objectFormat: opts.objectFormat } : {}),
  });
  const work = repoWithPolicy({
    init: false,
    ...(opts.objectFormat ? { objectFormat: opts.objectFormat } : {}),
    ...(opts.policy ? { policy: opts.policy } : {}),
  });
  if (opts.files) {
    for (const [path, content] of Object.entries(opts.files)) work.write(path, content);
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'set-up files');
  }
  work.git('remote', 'add', 'origin', server.dir);
  work.git('push', '-q', 'origin', 'main');
  const log = join(tempDir(), 'decisions.jsonl');
  // A deadline far above the load (default 4.5 s): a push judged by a hook starved of CPU
  // (test files run in parallel, beside other work on the machine) must get the judgement
  // the test asserts, not "did not finish". The deadline itself is tested with its own
  // bounds (test/e2e/server/deadline.test.ts, push.test.ts "rejects when the deadline passes").
  const r = work.cleanroom(['install-server', server.dir, '--log', log, '--deadline', '60']);
  expect(r.code, r.stderr).toBe(0);
  return { server, work, log };
}

/** A commit made like an agent that skips local hooks: `git commit --no-verify`. */
export function agentCommit(work: TestRepo, path: string, content: string, extra = ''): string {
  work.write(path, content);
  work.git('add', '-A');
  work.git('commit', '-q', '--no-verify', '-m', `add ${path}`, '-m', `${extra}${CLAUDE}`);
  return work.head();
}

export function humanCommit(work: TestRepo, path: string, content: string): string {
  work.write(path, content);
  work.git('add', '-A');
  work.git('commit', '-q', '--no-verify', '-m', `human: ${path}`);
  return work.head();
}

export const serverRef = (s: Server, ref: string): string =>
  s.server.tryGit(['rev-parse', '-q', '--verify', ref]).stdout.trim();

/**
 * Copies `parts` of this checkout (paths relative to its root: files or whole folders,
 * modes kept) into `pkg`, as an admin deploys cleanroom by hand (a server without npm).
 */
export function copyPackage(pkg: string, parts: readonly string[]): void {
  const copy = (rel: string): void => {
    const from = join(ROOT, rel);
    if (statSync(from).isDirectory()) return readdirSync(from).forEach((e) => copy(join(rel, e)));
    mkdirSync(join(pkg, rel, '..'), { recursive: true });
    copyFileSync(from, join(pkg, rel));
    chmodSync(join(pkg, rel), statSync(from).mode & 0o777);
  };
  for (const p of parts) copy(p);
}
