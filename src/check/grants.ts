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
import {
  AllowedSignersError,
  findSigner,
  keyNames,
  matchPatternList,
  parseAllowedSigners,
  parseRevokedKeys,
  revokedBy,
  type AllowedSigner,
} from '../sign/allowed-signers.js';
import {
  armorFromBase64,
  sameKey,
  SshsigError,
  verifySshsig,
  type SshPublicKey,
} from '../sign/sshsig.js';
import {
  canonicalText,
  coverage,
  NAMESPACE,
  parseTrailerValue,
  validityProblem,
  type GrantKind,
} from '../sign/statement.js';
import type { ChangeInput } from '../core/types.js';
import { revokedOf, type AcceptedGrant, type SignerFacts, type Trust } from '../sign/trust.js';

// Their home is src/sign/trust.ts (the override log verifies grants too).
export { revokedOf, type AcceptedGrant, type SignerFacts, type Trust } from '../sign/trust.js';

/** Clock skew tolerated for a statement's creation time. */
const SKEW_MS = 5 * 60_000;

const parsed = new Map<string, AllowedSigner[] | string>();
function signersOf(
  trust: { file: string; text: string } | undefined,
  what: string,
): AllowedSigner[] | string {
  if (!trust) return `no ${what} file is configured or it is missing`;
  const key = `${trust.file}\0${trust.text}`;
  let got = parsed.get(key);
  if (got === undefined) {
    try {
      got = parseAllowedSigners(trust.text, trust.file);
    } catch (e) {
      // One line: notes are printed through an escaper that would show a newline as "\n".
      got = `${what} file is invalid: ${e instanceof AllowedSignersError ? e.errors.map((x) => x.message).join('; ') : String(e)}`;
    }
    parsed.set(key, got);
  }
  return got;
}

interface Verified {
  by: string;
  signer: SignerFacts;
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
  revoked: SshPublicKey[] | string,
  everyLine: readonly AllowedSigner[],
): Verified | string {
  const t = parseTrailerValue(value);
  if (!t.ok) return t.reason;
  const st = t.statement;
  if (st.repository !== policy.repository)
    return `it was signed for repository ${st.repository}, and this is ${policy.repository}`;
  const cov = coverage(policy, input.files);
  if (!cov.pairs.length) return 'this change has no file in a zone for it to cover';
  if (st.zones.join(',') !== cov.zones.join(','))
    return `it covers zones ${st.zones.join(', ') || '(none)'}, and this change touches ${cov.zones.join(', ')}`;
  if (st.files !== cov.pairs.length || st.digest !== cov.digest) {
    // The usual cause is innocent: a pre-commit formatter (prettier via lint-staged)
    // rewrote a file after the request was made. Say so, and the order that works.
    return (
      `it covers other content (${st.files} file${st.files === 1 ? '' : 's'}, ${st.digest.slice(0, 19)}…) than this change (${cov.pairs.length}, ${cov.digest.slice(0, 19)}…): ` +
      `it was signed for another change (${kind === 'override' ? 'an' : 'a'} ${kind} is bound to the exact files and contents it was requested for), or the files changed since it was requested — a pre-commit formatter (lint-staged, prettier) may have rewritten them. ` +
      `Request and sign one for this change; if a formatter runs on commit, run it first (npx lint-staged, or git commit once without the trailer) and stage the result`
    );
  }
  const expires = Date.parse(st.expires);
  const created = Date.parse(st.created);
  // NaN must never reach a comparison: every comparison with NaN is false, i.e. "not expired".
  if (Number.isNaN(expires) || Number.isNaN(created))
    return 'created=/expires= are not real instants';
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
  if (typeof revoked === 'string') return revoked;
  const gone = revokedBy(revoked, v.publicKey, v.certificate);
  if (gone)
    return `the signing key ${v.publicKey.fingerprint} is revoked (${gone.fingerprint}${v.certificate && sameKey(gone, v.certificate.ca) ? ', the CA that certified it,' : ''} is in the revocation file)`;
  const who = findSigner(signers, {
    principal: st.principal,
    key: v.publicKey,
    namespace,
    now,
    certificate: v.certificate,
  });
  if (!who.ok) return who.reason;
  // Self-approval is judged by the key, not by the principal it claims: the same key may
  // be listed on several lines (work and home addresses, a reviewer line beside an
  // approver line); every principal of every line that lists it is the same person
  // (issue 10 §5). Emails compare case-insensitively and without +tags here (unlike ssh
  // patterns): refusing too much is the safe side.
  // The people who made the commit: its author and its committer (an approver who
  // commits their own work under someone else's name is still approving it).
  const sameKeyLines = [...signers, ...everyLine].filter((e) =>
    e.certAuthority
      ? v.certificate !== undefined && sameKey(e.key, v.certificate.ca)
      : sameKey(e.key, v.publicKey),
  );
  const makers = [input.author, input.committer].filter(
    (x): x is NonNullable<typeof x> => x !== undefined,
  );
  for (const maker of makers) {
    const email = maker.email.toLowerCase();
    const claims = mailbox(email) === mailbox(st.principal);
    const line = claims
      ? undefined
      : sameKeyLines.find((e) =>
          keyNames(e, v.certificate).some(
            (p) =>
              matchPatternList(email, [p]) === 1 ||
              (!/[*?!]/.test(p) && mailbox(p) === mailbox(email)),
          ),
        );
    if (!claims && !line) continue;
    const role = maker === input.author ? 'author' : 'committer';
    const keyOf = line
      ? `the signing key ${v.publicKey.fingerprint} is also listed for ${line.principals.join(',')} (${line.file}:${line.line}), which is the ${role} ${maker.email}`
      : '';
    if (kind === 'override')
      return `self-approval is refused: ${claims ? `${st.principal} is the commit's ${role}` : keyOf}`;
    if (policy.review.independent)
      return `the reviewer ${st.principal} is the commit's ${role} (review.independent is true)${claims ? '' : `: ${keyOf}`}`;
  }
  const signer: SignerFacts = {
    principal: st.principal,
    fingerprint: v.publicKey.fingerprint,
    line: `${who.entry.file}:${who.entry.line}`,
  };
  if (v.certificate) {
    signer.ca = v.certificate.ca.fingerprint;
    signer.keyId = v.certificate.keyId;
  }
  return { by: st.principal, signer, reason: st.reason, paths: new Set(cov.pairs.map(([p]) => p)) };
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
    const kind: GrantKind | undefined =
      key === 'cleanroom-override' ? 'override' : key === 'cleanroom-review' ? 'review' : undefined;
    if (!kind) continue;
    const short = t.text.length > 90 ? `${t.text.slice(0, 87)}…` : t.text;
    if (kind === 'review' && policy.review.mode !== 'signed') {
      notes.push(`"${short}" is not counted: review.mode is "${policy.review.mode}"`);
      continue;
    }
    sawReview ||= kind === 'review';
    const signers =
      kind === 'override'
        ? signersOf(trust.approvers, 'approvers')
        : signersOf(trust.reviewers, 'reviewers');
    const revoked =
      kind === 'override'
        ? revokedOf(trust.revokedApprovers, 'approvers')
        : revokedOf(trust.revokedReviewers, 'reviewers');
    // Every line of both trust files names the key's holder (self-approval, issue 10 §5).
    const everyLine = [
      signersOf(trust.approvers, 'approvers'),
      signersOf(trust.reviewers, 'reviewers'),
    ].flatMap((x) => (typeof x === 'string' ? [] : x));
    const r = verifyOne(kind, t.value, policy, input, signers, now, revoked, everyLine);
    if (typeof r === 'string') {
      notes.push(`${kind === 'override' ? 'override' : 'signed review'} not accepted: ${r}`);
      continue;
    }
    if (kind === 'override')
      overrides.push({ by: r.by, reason: r.reason, evidence: short, paths: r.paths });
    else attestations.push({ kind: 'signed', by: r.by, evidence: short, paths: r.paths });
  }
  // Advice that applies: only when the change touches a review zone (a deny-only commit
  // gains nothing from a review), and printed once per report (addNotes).
  if (
    policy.review.mode === 'signed' &&
    !sawReview &&
    input.files.some(
      (f) =>
        f.status !== 'D' &&
        policy
          .zonesFor(f.path)
          .some((z) => z.ai === 'review' || [...z.tools.values()].includes('review')),
    )
  ) {
    notes.push(signedModeNote(policy));
  }
  return { attestations, overrides, notes };
}

/**
 * The override log's entry for one judged commit (src/sign/grant-log.ts `GrantLogInput`):
 * its id, the policy's repository and `acceptedGrants` of its message, files and
 * identities, judged at `now`. Used by `check --grant-log` and `pre-receive --grant-log`.
 */
export function grantLogEntry(
  policy: Policy,
  record: Pick<ChangeInput, 'files' | 'message' | 'author' | 'committer'> & { id: string },
  trust: Trust,
  now: Date,
): { commit: string; repository: string; grants: AcceptedGrant[] } {
  const { id, files, message, author, committer } = record;
  return {
    commit: id,
    repository: policy.repository,
    grants: acceptedGrants(policy, { commit: id, files, message, author, committer }, trust, now),
  };
}

/**
 * Every override and signed review in `input` that verifies, with its signer and the
 * (path, blob, mode) list it covers — the same judgement as verifyGrants (for the
 * override log: nothing is recorded that verifyGrants would not accept).
 */
export function acceptedGrants(
  policy: Policy,
  input: ChangeInput,
  trust: Trust,
  now: Date,
): AcceptedGrant[] {
  const out: AcceptedGrant[] = [];
  const everyLine = [
    signersOf(trust.approvers, 'approvers'),
    signersOf(trust.reviewers, 'reviewers'),
  ].flatMap((x) => (typeof x === 'string' ? [] : x));
  for (const t of parseTrailers(input.message, { noDivider: true })) {
    const key = t.key.toLowerCase();
    const kind: GrantKind | undefined =
      key === 'cleanroom-override'
        ? 'override'
        : key === 'cleanroom-review' && policy.review.mode === 'signed'
          ? 'review'
          : undefined;
    if (!kind) continue;
    const signers =
      kind === 'override'
        ? signersOf(trust.approvers, 'approvers')
        : signersOf(trust.reviewers, 'reviewers');
    const revoked =
      kind === 'override'
        ? revokedOf(trust.revokedApprovers, 'approvers')
        : revokedOf(trust.revokedReviewers, 'reviewers');
    const r = verifyOne(kind, t.value, policy, input, signers, now, revoked, everyLine);
    if (typeof r === 'string') continue;
    const cov = coverage(policy, input.files);
    out.push({
      kind,
      value: t.value,
      signer: r.signer,
      zones: cov.zones,
      files: cov.pairs.map(([path, blob], i) => ({ path, blob, mode: cov.modes[i] ?? '100644' })),
    });
  }
  return out;
}

/** The one note about review.mode: signed (compared by addNotes to print it once). */
export const signedModeNote = (policy: Policy): string =>
  `review.mode is "signed": review zones need a Cleanroom-Review trailer signed by a key in ${policy.review.reviewers} (cleanroom review request | cleanroom review sign); a plain Reviewed-by line does not count`;

const GENERAL_NOTE = /^review\.mode is "signed": /;

/**
 * Add one commit's notes to a report's: notes about that commit get its short id;
 * general advice (the signed-mode note) is added once, however many commits carry it.
 */
export function addNotes(into: string[], commit: string, notes: readonly string[]): void {
  for (const n of notes) {
    if (GENERAL_NOTE.test(n)) {
      if (!into.includes(n)) into.push(n);
    } else into.push(`${commit.slice(0, 12)}: ${n}`);
  }
}

/**
 * Every problem with the trust files a policy names, as `FILE:LINE: what — fix` lines
 * (for `doctor` and `policy validate`: an invalid approvers file must be found before
 * the day an override is needed). `read` returns a file's text, or undefined when absent.
 */
export function trustProblems(
  policy: Policy,
  read: (rel: string) => { file: string; text: string } | undefined,
): string[] {
  const out: string[] = [];
  const signersFile = (rel: string, required: boolean, what: string): void => {
    const t = read(rel);
    if (!t) {
      if (required) out.push(`${rel}: missing — ${what}`);
      return;
    }
    try {
      parseAllowedSigners(t.text, t.file);
    } catch (e) {
      out.push(
        ...(e instanceof AllowedSignersError ? e.errors.map((x) => x.message) : [String(e)]),
      );
    }
  };
  signersFile(policy.overrides.approvers, false, 'nobody can sign an override');
  signersFile(
    policy.review.reviewers,
    policy.review.mode === 'signed',
    'review.mode is signed, so nobody can sign a review',
  );
  for (const rel of [policy.overrides.revoked, policy.review.revoked]) {
    if (rel === undefined) continue;
    const t = read(rel);
    if (!t) {
      out.push(
        `${rel}: missing — the policy names it as a revocation file, so every grant is refused until it exists`,
      );
      continue;
    }
    try {
      parseRevokedKeys(t.text, t.file);
    } catch (e) {
      out.push(
        ...(e instanceof AllowedSignersError ? e.errors.map((x) => x.message) : [String(e)]),
      );
    }
  }
  return out;
}
