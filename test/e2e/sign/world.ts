// A workstation and a server for the signing tests, built on test/helpers/repo.ts: a
// repository with the policy and its trust files committed and cleanroom's hooks
// installed (`cleanroom init --hooks git`), a bare "server" repository with
// `cleanroom install-server`, and real SSH keys for an approver and a reviewer.
// The author (hana@example.org, from cleanEnv) is never the approver or reviewer.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { POLICY, repoWithPolicy, tempDir, TestRepo, type Run } from '../../helpers/repo.js';

export const AI = 'Co-authored-by: Claude <noreply@anthropic.com>';
export const APPROVER = 'ava@example.org';
export const REVIEWER = 'rita@example.org';

export const SIGNED_REVIEW_POLICY = POLICY.replace(
  /review:[\s\S]*$/,
  'review:\n  mode: signed\n  reviewers: .cleanroom/reviewers\n  independent: true\n',
);

export interface Key {
  path: string;
  pub: string;
}

export function sshKey(dir: string, name: string, type: 'ed25519' | 'ecdsa'): Key {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path], {
    stdio: 'ignore',
  });
  return { path, pub: readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ') };
}

export interface World {
  repo: TestRepo;
  server: TestRepo;
  keys: { ava: Key; rita: Key };
}

/** The workstation repository, pushed once to a fresh server that then gets cleanroom's pre-receive hook. */
export function world(opts: { policy?: string; keys?: World['keys'] } = {}): World {
  const keyDir = tempDir('cleanroom-keys-');
  const keys = opts.keys ?? {
    ava: sshKey(keyDir, 'ava', 'ed25519'),
    rita: sshKey(keyDir, 'rita', 'ecdsa'),
  };
  const repo = repoWithPolicy({ policy: opts.policy ?? POLICY });
  repo.write(
    '.cleanroom/approvers',
    `# who may sign overrides\n${APPROVER} namespaces="cleanroom-override" ${keys.ava.pub}\n`,
  );
  repo.write(
    '.cleanroom/reviewers',
    `${REVIEWER} namespaces="cleanroom-review" ${keys.rita.pub}\n`,
  );
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'trust files');
  const server = TestRepo.init({ bare: true });
  repo.git('remote', 'add', 'origin', server.dir);
  repo.git('push', '-q', '--no-verify', 'origin', 'main');
  const r = repo.cleanroom(['install-server', server.dir]);
  if (r.code !== 0) throw new Error(`install-server failed: ${r.stderr}`);
  return { repo, server, keys };
}

/** `cleanroom KIND request … | cleanroom KIND sign --key … --principal …` → the trailer, folded into short lines. */
export function grant(
  w: World,
  kind: 'override' | 'review',
  opts: { reason?: string; commit?: string; key?: Key; principal?: string; forge?: boolean } = {},
): string {
  const req = w.repo.cleanroom([
    kind,
    'request',
    ...(opts.reason
      ? ['--reason', opts.reason]
      : kind === 'override'
        ? ['--reason', 'hand-checked by the eval team']
        : []),
    ...(opts.commit ? ['--commit', opts.commit] : []),
  ]);
  expect(req.stderr).toBe('');
  expect(req.code).toBe(0);
  const key = opts.key ?? (kind === 'override' ? w.keys.ava : w.keys.rita);
  const principal = opts.principal ?? (kind === 'override' ? APPROVER : REVIEWER);
  // forge: sign as an attacker would, past cleanroom's own check of the key (an
  // allowed_signers file of their own); the verifier must still refuse the result.
  const forged = opts.forge ? join(tempDir('cleanroom-forge-'), 'allowed_signers') : undefined;
  if (forged) writeFileSync(forged, `${principal} ${key.pub}\n`);
  const signed = w.repo.cleanroom(
    [
      kind,
      'sign',
      '--key',
      key.path,
      '--principal',
      principal,
      ...(forged ? ['--allowed-signers', forged] : []),
    ],
    { input: req.stdout },
  );
  expect(signed.stderr).toMatch(
    new RegExp(
      `^cleanroom: signed ${kind} for example\\.org/acme/evals .* as ${principal.replace('.', '\\.')}, expires \\S+\\n$`,
    ),
  );
  expect(signed.code).toBe(0);
  // One trailer folded with git's continuation lines (issue 16 §6): short lines, each
  // continuation starting with a space, then the final newline.
  const lines = signed.stdout.split('\n');
  expect(lines[lines.length - 1]).toBe('');
  expect(lines[0]).toMatch(
    kind === 'override' ? /^Cleanroom-Override: v1 / : /^Cleanroom-Review: v1 /,
  );
  for (const l of lines.slice(1, -1)) expect(l).toMatch(/^ \S/);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  return lines.slice(0, -1).join('\n');
}

/** The server's ref, or undefined when it does not exist. */
export function serverRef(w: World, ref = 'main'): string | undefined {
  const r = w.server.tryGit(['rev-parse', '-q', '--verify', `refs/heads/${ref}`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** `git push origin REF`: the local pre-push hook judges first (skipped with noVerify), then the server's pre-receive. */
export const push = (w: World, opts: { noVerify?: boolean; ref?: string } = {}): Run =>
  w.repo.tryGit(['push', ...(opts.noVerify ? ['--no-verify'] : []), 'origin', opts.ref ?? 'HEAD']);

/** What the user reads: no stack trace, one screen. */
export function expectOneScreen(text: string): void {
  expect(text).not.toContain('    at ');
  expect(text).not.toMatch(/internal error/);
  expect(text.split('\n').length).toBeLessThanOrEqual(24);
}
