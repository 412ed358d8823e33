// Signed grants: `Cleanroom-Override:` (an approver's exception) and, in
// `review.mode: signed`, `Cleanroom-Review:` (a reviewer's attestation). Both are real
// trailers (Git's rules), verified in-process: the statement is rebuilt from the
// verifier's policy and the commit's own content, so a trailer copied to another
// repository, path, content or zone does not verify; the key must be in the trusted
// allowed_signers file with a matching principal and namespace, valid at the verifier's
// clock; an override's signer may not be the commit's author. Every refusal says which
// rule failed.

import type { Attestation, Override } from '../core/types.js';
import type { Policy } from '../policy/compile.js';
import { parseTrailers } from '../signals/trailers.js';
import { mailbox } from '../signals/attest.js';
import { AllowedSignersError, findSigner, matchPatternList, parseAllowedSigners, type AllowedSigner } from '../sign/allowed-signers.js';
import { armorFromBase64, SshsigError, verifySshsig } from '../sign/sshsig.js';
import { canonicalText, coverage, NAMESPACE, parseTrailerValue, validityProblem, type GrantKind } from '../sign/statement.js';
import type { ChangeInput } from '../core/types.js';

export interface Trust {
  /** The approvers allowed_signers file (name for messages, text), or undefined when missing. */
  approvers?: { file: string; text: string } | undefined;
  reviewers?: { file: string; text: string } | undefined;
}

/** Clock skew tolerated for a statement's creation time. */
const SKEW_MS = 5 * 60_000;

const parsed = new Map<string, AllowedSigner[] | string>();
function signersOf(trust: { file: string; text: string } | undefined, what: string): AllowedSigner[] | string {
  if (!trust) return `no ${what} file is configured or it is missing`;
  const key = `${trust.file}\0${trust.text}`;
  let got = parsed.get(key);
  if (got === undefined) {
    try {
      got = parseAllowedSigners(trust.text, trust.file);
    } catch (e) {
      got = `${what} file is invalid: ${e instanceof AllowedSignersError ? e.message : String(e)}`;
    }
    parsed.set(key, got);
  }
  return got;
}

interface Verified {
  by: string;
  reason: string;
  paths: Set<string>;
}

function verifyOne(
  kind: GrantKind,
  value: string,
  policy: Policy,
  input: ChangeInput,
  signers: AllowedSigner[] | string,
  now: Date,
): Verified | string {
  const t = parseTrailerValue(value);
  if (!t.ok) return t.reason;
  const st = t.statement;
  if (st.repository !== policy.repository) return `it was signed for repository ${st.repository}, and this is ${policy.repository}`;
  const cov = coverage(policy, input.files);
  if (!cov.pairs.length) return 'this change has no file in a zone for it to cover';
  if (st.zones.join(',') !== cov.zones.join(',')) return `it covers zones ${st.zones.join(', ') || '(none)'}, and this change touches ${cov.zones.join(', ')}`;
  if (st.files !== cov.pairs.length || st.digest !== cov.digest) {
    return `it covers other content (${st.files} file${st.files === 1 ? '' : 's'}, ${st.digest.slice(0, 19)}…) than this change (${cov.pairs.length}, ${cov.digest.slice(0, 19)}…): paths or blobs differ — request a new one`;
  }
  const expires = Date.parse(st.expires);
  const created = Date.parse(st.created);
  // NaN must never reach a comparison: every comparison with NaN is false, i.e. "not expired".
  if (Number.isNaN(expires) || Number.isNaN(created)) return 'created=/expires= are not real instants';
  if (now.getTime() > expires) return `it expired at ${st.expires}`;
  if (created > now.getTime() + SKEW_MS) return `it was created in the future (${st.created})`;
  const window = validityProblem(st.created, st.expires);
  if (window) return window;
  const namespace = NAMESPACE[kind];
  let armored: string;
  try {
    armored = armorFromBase64(t.signature);
  } catch (e) {
    // A malformed sig= must be a refusal with a reason, never an exception that fails the whole check.
    return `sig= is not a signature (${e instanceof SshsigError ? e.message : String(e)})`;
  }
  const v = verifySshsig({ armored, message: canonicalText({ kind, ...st }), namespace });
  if (!v.ok) return `the signature does not verify (${v.reason})`;
  if (typeof signers === 'string') return signers;
  const who = findSigner(signers, { principal: st.principal, key: v.publicKey, namespace, now });
  if (!who.ok) return who.reason;
  // Self-approval is judged by the key, not only by the principal it claims: a key listed
  // for "alice@acme.com,alice@home.example" must not approve alice@acme.com's commit by
  // signing as alice@home.example. Emails compare case-insensitively here (unlike ssh
  // patterns): refusing too much is the safe side.
  // The people who made the commit: its author and its committer (an approver who
  // commits their own work under someone else's name is still approving it).
  const makers = [input.author, input.committer].filter((x): x is NonNullable<typeof x> => x !== undefined);
  for (const maker of makers) {
    const email = maker.email.toLowerCase();
    const claims = mailbox(email) === mailbox(st.principal);
    const keyIs = matchPatternList(email, who.entry.principals.map((p) => p.toLowerCase())) === 1;
    if (!claims && !keyIs) continue;
    const role = maker === input.author ? 'author' : 'committer';
    const keyOf = `the signing key is listed for ${who.entry.principals.join(',')} (${who.entry.file}:${who.entry.line}), which includes the ${role} ${maker.email}`;
    if (kind === 'override') return `self-approval is refused: ${claims ? `${st.principal} is the commit's ${role}` : keyOf}`;
    if (policy.review.independent) return `the reviewer ${st.principal} is the commit's ${role} (review.independent is true)${claims ? '' : `: ${keyOf}`}`;
  }
  return { by: st.principal, reason: st.reason, paths: new Set(cov.pairs.map(([p]) => p)) };
}

export function verifyGrants(
  policy: Policy,
  input: ChangeInput,
  trust: Trust,
  now: Date,
): { attestations: Attestation[]; overrides: Override[]; notes: string[] } {
  const attestations: Attestation[] = [];
  const overrides: Override[] = [];
  const notes: string[] = [];
  let sawReview = false;
  for (const t of parseTrailers(input.message, { noDivider: true })) {
    const key = t.key.toLowerCase();
    const kind: GrantKind | undefined = key === 'cleanroom-override' ? 'override' : key === 'cleanroom-review' ? 'review' : undefined;
    if (!kind) continue;
    const short = t.text.length > 90 ? `${t.text.slice(0, 87)}…` : t.text;
    if (kind === 'review' && policy.review.mode !== 'signed') {
      notes.push(`"${short}" is not counted: review.mode is "${policy.review.mode}"`);
      continue;
    }
    sawReview ||= kind === 'review';
    const signers = kind === 'override' ? signersOf(trust.approvers, 'approvers') : signersOf(trust.reviewers, 'reviewers');
    const r = verifyOne(kind, t.value, policy, input, signers, now);
    if (typeof r === 'string') {
      notes.push(`${kind === 'override' ? 'override' : 'signed review'} not accepted: ${r}`);
      continue;
    }
    if (kind === 'override') overrides.push({ by: r.by, reason: r.reason, evidence: short, paths: r.paths });
    else attestations.push({ kind: 'signed', by: r.by, evidence: short, paths: r.paths });
  }
  if (policy.review.mode === 'signed' && !sawReview) {
    notes.push(`review.mode is "signed": review zones need a Cleanroom-Review trailer signed by a key in ${policy.review.reviewers} (cleanroom review request | cleanroom review sign)`);
  }
  return { attestations, overrides, notes };
}
