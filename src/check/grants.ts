// Signed grants: `Cleanroom-Review:` (review.mode: signed) and `Cleanroom-Override:`.
// Filled in by the signing module; until a trust file is configured, signed reviews and
// overrides cannot verify and say so.

import type { Attestation, Override } from '../core/types.js';
import type { Policy } from '../policy/compile.js';
import { parseTrailers } from '../signals/trailers.js';
import type { ChangeInput } from './change.js';

export interface Trust {
  /** Text of the approvers allowed_signers file, or undefined when missing. */
  approvers?: { file: string; text: string } | undefined;
  reviewers?: { file: string; text: string } | undefined;
}

export function verifyGrants(
  policy: Policy,
  input: ChangeInput,
  _trust: Trust,
  _now: Date,
): { attestations: Attestation[]; overrides: Override[]; notes: string[] } {
  const notes: string[] = [];
  for (const t of parseTrailers(input.message, { noDivider: true })) {
    const key = t.key.toLowerCase();
    if (key === 'cleanroom-override') notes.push('a Cleanroom-Override trailer was found, but signed overrides are not supported by this build');
    if (key === 'cleanroom-review' && policy.review.mode === 'signed') notes.push('a Cleanroom-Review trailer was found, but signed reviews are not supported by this build');
  }
  if (policy.review.mode === 'signed' && !notes.length) {
    notes.push('review.mode is "signed": review zones need a Cleanroom-Review trailer signed by a key in ' + policy.review.reviewers);
  }
  return { attestations: [], overrides: [], notes };
}
