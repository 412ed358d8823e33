// A protected server for end-to-end push tests: a bare repository with cleanroom's
// pre-receive hook (installed by `cleanroom install-server`) and a clone to push from.

import { chmodSync, copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoWithPolicy, ROOT, tempDir, TestRepo } from './repo.js';

export const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

export interface Server {
  server: TestRepo;
  work: TestRepo;
  log: string;
}

/** The policy (and anything else in `files`) is pushed to main before the hook is installed. */
export function protectedServer(
  opts: { objectFormat?: 'sha1' | 'sha256'; policy?: string; files?: Record<string, string> } = {},
): Server {
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
  const r = work.cleanroom(['install-server', server.dir, '--log', log]);
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
