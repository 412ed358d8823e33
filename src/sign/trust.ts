// The trust a grant is judged by (the policy's allowed_signers and revocation files, as
// read by whoever verifies: work tree, a pinned commit, the server's files) and what a
// verified grant records. Here, in src/sign/, because the override log (grant-log.ts)
// verifies grants again and src/check/grants.ts uses sign/ — a home in check/ made the
// folders import each other in a circle.

import { AllowedSignersError, parseRevokedKeys } from './allowed-signers.js';
import type { SshPublicKey } from './sshsig.js';
import type { GrantKind } from './statement.js';

export interface Trust {
  /** The approvers allowed_signers file (name for messages, text), or undefined when missing. */
  approvers?: { file: string; text: string } | undefined;
  reviewers?: { file: string; text: string } | undefined;
  /**
   * Revoked keys (`overrides.revoked`, `review.revoked`: plain public key lines, as
   * `ssh-keygen -Y verify -r`). `missing` when the policy names a file that cannot be
   * read: every grant of that kind is then refused (fail closed).
   */
  revokedApprovers?: { file: string; text: string } | 'missing' | undefined;
  revokedReviewers?: { file: string; text: string } | 'missing' | undefined;
}

const parsedRevoked = new Map<string, SshPublicKey[] | string>();
/** The revoked keys, or the reason none can be trusted (a named file missing or invalid). */
export function revokedOf(r: Trust['revokedApprovers'], what: string): SshPublicKey[] | string {
  if (r === undefined) return [];
  if (r === 'missing')
    return `the ${what} revocation file named by the policy is missing — grants are refused until it can be read`;
  const key = `${r.file}\0${r.text}`;
  let got = parsedRevoked.get(key);
  if (got === undefined) {
    try {
      got = parseRevokedKeys(r.text, r.file);
    } catch (e) {
      got = `the ${what} revocation file is invalid: ${e instanceof AllowedSignersError ? e.errors.map((x) => x.message).join('; ') : String(e)}`;
    }
    parsedRevoked.set(key, got);
  }
  return got;
}

/** What a verified grant says about its signer (for the override log). */
export interface SignerFacts {
  principal: string;
  fingerprint: string;
  /** CA fingerprint and certificate key id when a certificate signed. */
  ca?: string;
  keyId?: string;
  /** The trust file line that let it in. */
  line: string;
}

/** A grant that verified, with what the override log records about it. */
export interface AcceptedGrant {
  kind: GrantKind;
  /** The trailer value as git unfolds it (folded and one-line trailers give the same). */
  value: string;
  signer: SignerFacts;
  zones: string[];
  files: { path: string; blob: string; mode: string }[];
}
