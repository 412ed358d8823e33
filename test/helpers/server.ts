// A protected server for end-to-end push tests: a bare repository with cleanroom's
// pre-receive hook (installed by `cleanroom install-server`) and a clone to push from.

import { join } from 'node:path';
import { expect } from 'vitest';
import { repoWithPolicy, tempDir, TestRepo } from './repo.js';

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
