// Where the policy and its trust files come from decides what the check is worth.
//
//   work tree  — local hooks and `check --staged`: the developer's own copy (advisory).
//   a commit   — CI (`check --range BASE..HEAD`) and the server: the policy as it was on
//                the base / default branch *before* the change, read from git objects, so
//                a pull request or a push cannot weaken the policy that judges it.
//   a file     — the server's own configuration (`--policy`, `git config cleanroom.policy`).

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { CleanroomError } from '../errors.js';
import { runGit, type GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import { loadPolicyText, MAX_POLICY_BYTES } from '../policy/load.js';
import type { Trust } from './grants.js';
import { POLICY_PATH } from '../policy/paths.js';

/** @deprecated the same path as POLICY_PATH (src/policy/paths.ts); kept for code written before the merge. */
export const POLICY_REL = POLICY_PATH;

export interface PolicySource {
  policy: Policy;
  trust: Trust;
  /** Where it came from, for messages: `main:.cleanroom/policy.yaml`, a file path. */
  origin: string;
}

/** A file of `rev`, or undefined when the path does not exist there. */
export async function readBlobAt(ctx: GitContext, rev: string, path: string): Promise<string | undefined> {
  const r = await runGit(ctx, ['cat-file', '-p', `${rev}:${path}`], { okCodes: [128], maxBytes: MAX_POLICY_BYTES + 1 });
  if (r.code !== 0) return undefined;
  if (r.stdout.length > MAX_POLICY_BYTES) throw new CleanroomError('policy', `${rev}:${path} is larger than 1 MiB`);
  return r.stdout.toString('utf8');
}

/** The policy as committed in `rev` (e.g. the base of a pull request). */
export async function policyFromRev(ctx: GitContext, rev: string, label = rev): Promise<PolicySource | undefined> {
  const text = await readBlobAt(ctx, rev, POLICY_PATH);
  if (text === undefined) return undefined;
  const policy = loadPolicyText(text, `${label}:${POLICY_PATH}`);
  const read = async (p: string) => {
    if (isAbsolute(p) || p.split('/').includes('..')) return undefined; // trust files live in the repository
    const t = await readBlobAt(ctx, rev, p);
    return t === undefined ? undefined : { file: `${label}:${p}`, text: t };
  };
  const [approvers, reviewers] = await Promise.all([read(policy.overrides.approvers), read(policy.review.reviewers)]);
  return { policy, trust: { approvers, reviewers }, origin: `${label}:${POLICY_PATH}` };
}

/**
 * A policy file from server configuration. Its trust files are looked up beside it:
 * `approvers: .cleanroom/approvers` → `<dir of the policy>/approvers` (copy the
 * repository's .cleanroom/ folder to the server as it is), absolute paths as given.
 */
export function policyFromFile(file: string): PolicySource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CleanroomError('policy', `cannot read the configured policy ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'fix --policy or git config cleanroom.policy');
  }
  const policy = loadPolicyText(text, file);
  const read = (p: string) => {
    const path = isAbsolute(p) ? p : join(dirname(file), p.replace(/^\.cleanroom\//, ''));
    try {
      return { file: path, text: readFileSync(path, 'utf8') };
    } catch {
      return undefined;
    }
  };
  return { policy, trust: { approvers: read(policy.overrides.approvers), reviewers: read(policy.review.reviewers) }, origin: file };
}
