// Where cleanroom's own configuration lives in a repository, and which paths are part of
// it. One home for these names: the CLI, the agent hooks, CI and the server read the same
// file, and the guard that protects it (docs/design/contract.md §6) sees the same paths.

import type { FileChange } from '../core/types.js';
import { withoutHfsIgnored } from '../names.js';

/** The policy file, relative to the repository root (git's path form: forward slashes). */
export const POLICY_PATH = '.cleanroom/policy.yaml';

// As a checkout compares names at its most lenient (HFS+: src/names.ts, then NFC, any case).
const norm = (path: string): string =>
  (/[\u0080-\uffff]/.test(path) ? withoutHfsIgnored(path).normalize('NFC') : path).toLowerCase();

/** Paths whose change weakens or widens the rules: .cleanroom/**, and the trust files wherever the policy puts them. */
export interface Guard {
  (path: string): boolean;
}

/**
 * True for `.cleanroom/**`, any case, NFC, with the code points HFS+ ignores left out (the
 * guard must not be dodged by `.CleanRoom/` or `.cleanroom\u200c/`).
 */
export const isConfigPath = (path: string): boolean => norm(path).startsWith('.cleanroom/');

/** The guard for a policy: `.cleanroom/**` plus its approvers, reviewers and revoked-keys files. */
export function configGuard(policy: {
  overrides: { approvers: string; revoked?: string | undefined };
  review: { reviewers: string; revoked?: string | undefined };
}): Guard {
  const trust = new Set(
    [
      policy.overrides.approvers,
      policy.review.reviewers,
      policy.overrides.revoked,
      policy.review.revoked,
    ]
      .filter((p): p is string => p !== undefined)
      .map((p) => norm(p.replace(/^\.\//, '')))
      .filter((p) => !p.startsWith('.cleanroom/')),
  );
  // Called for every file of every commit: the common answer must be cheap.
  return (path: string) =>
    // A name that folds to `.cleanroom` starts with "." or with a code point HFS+ ignores.
    ((path.charCodeAt(0) === 46 /* . */ || path.charCodeAt(0) > 0x7f) && isConfigPath(path)) ||
    (trust.size > 0 && trust.has(norm(path)));
}

/**
 * Does the change `f` touch a guarded path (policy, trust files) at any of its paths: where
 * it is, where a rename came from (`from`), where git recorded content seen through a link
 * (`via`)?
 */
export const touchesGuard = (f: Pick<FileChange, 'path' | 'from' | 'via'>, guard: Guard): boolean =>
  guard(f.path) || (f.from !== undefined && guard(f.from)) || (f.via !== undefined && guard(f.via));
