// The override log: one JSON line per accepted override or signed review, each line
// carrying the SHA-256 of the line before it, so anyone holding a copy can re-verify
// every signature and see any edited, removed or inserted line (issue 17 §5). Unlike a
// vendor's audit log, nothing in it needs to be trusted: each grant is re-checked
// against the trust files in force when it was accepted.
//
//   {"v":1,"seq":1,"prev":"sha256:000…","time":"2026-11-24T10:00:00Z","commit":"9f2c…",
//    "kind":"override","repository":"github.com/acme/metacode","zones":["eval-tasks"],
//    "files":[{"path":"evals/tasks/q1.json","blob":"3b18…","mode":"100644"}],
//    "principal":"ava@acme.com","fingerprint":"SHA256:…","trust":{"source":"main:.cleanroom/policy.yaml",
//    "rev":"4e1a…","file":"main:.cleanroom/approvers","line":"main:.cleanroom/approvers:2"},
//    "trailer":"v1 repo=… sig=…"}
//
// The chain protects every line but the last against silent edits; ship lines off the
// host as they are written (docs/overrides-and-reviews.md) so the newest is anchored too.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync, fsyncSync } from 'node:fs';
import { withFileLock } from '../fs/lock.js';
import {
  findSigner,
  parseAllowedSigners,
  revokedBy,
  AllowedSignersError,
} from './allowed-signers.js';
import { armorFromBase64, verifySshsig } from './sshsig.js';
import {
  canonicalText,
  coverageDigest,
  NAMESPACE,
  parseTrailerValue,
  type GrantKind,
} from './statement.js';
import { revokedOf, type AcceptedGrant, type Trust } from './trust.js';

export const GENESIS = `sha256:${'0'.repeat(64)}`;

export interface GrantLogRecord {
  v: 1;
  seq: number;
  prev: string;
  time: string;
  commit: string;
  kind: GrantKind;
  repository: string;
  zones: string[];
  files: { path: string; blob: string; mode: string }[];
  principal: string;
  fingerprint: string;
  ca?: string;
  keyId?: string;
  /** Where the trust files came from: the policy's origin and, when read from git, the commit. */
  trust: { source: string; rev?: string; line: string };
  trailer: string;
}

/** What the caller knows about one accepted commit. */
export interface GrantLogInput {
  commit: string;
  repository: string;
  grants: readonly AcceptedGrant[];
}

export const lineHash = (line: string): string =>
  `sha256:${createHash('sha256').update(line, 'utf8').digest('hex')}`;

/** The last complete line of a file (read from its tail: the log can be large). */
function lastLine(fd: number): string | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  let want = 64 * 1024;
  for (;;) {
    const start = Math.max(0, size - want);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    const text = buf.toString('utf8').replace(/\n$/, '');
    const nl = text.lastIndexOf('\n');
    if (nl >= 0 || start === 0) return nl >= 0 ? text.slice(nl + 1) : text;
    want *= 4;
  }
}

/**
 * Append `inputs` to the log at `file`, chained to its last line, under a lock file
 * (concurrent pushes must not both chain to the same line). Throws on any failure: the
 * caller decides whether a push may go on without its log entry (cleanroom: it may not).
 */
export function appendGrantLog(
  file: string,
  inputs: readonly GrantLogInput[],
  trust: { source: string; rev?: string | undefined },
  now: Date,
  waitMs = 10_000,
): number {
  const records = inputs.flatMap((i) => i.grants.map((g) => ({ i, g })));
  if (!records.length) return 0;
  const lock = `${file}.lock`;
  // The one lock implementation (src/fs/lock.ts): a killed hook's lock goes stale after a
  // minute and is taken over without the unlink-then-create race of two waiters.
  return withFileLock(
    lock,
    () => {
      const fd = openSync(file, 'a+', 0o644);
      try {
        const last = lastLine(fd);
        let prev = GENESIS;
        let seq = 0;
        if (last !== undefined) {
          prev = lineHash(last);
          try {
            seq = (JSON.parse(last) as { seq?: unknown }).seq as number;
          } catch {
            seq = NaN;
          }
          if (!Number.isSafeInteger(seq))
            throw new Error(
              `the last line of ${file} is not a log record — the log was damaged; run cleanroom log verify ${file}`,
            );
        }
        let out = '';
        for (const { i, g } of records) {
          const rec: GrantLogRecord = {
            v: 1,
            seq: ++seq,
            prev,
            time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
            commit: i.commit,
            kind: g.kind,
            repository: i.repository,
            zones: g.zones,
            files: g.files,
            principal: g.signer.principal,
            fingerprint: g.signer.fingerprint,
            ...(g.signer.ca ? { ca: g.signer.ca, keyId: g.signer.keyId ?? '' } : {}),
            trust: {
              source: trust.source,
              ...(trust.rev ? { rev: trust.rev } : {}),
              line: g.signer.line,
            },
            trailer: g.value,
          };
          const line = JSON.stringify(rec);
          prev = lineHash(line);
          out += line + '\n';
        }
        // One write of whole lines, then fsync: a crash leaves the log as it was or complete.
        writeSync(fd, out);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return records.length;
    },
    {
      timeoutMs: waitMs,
      staleMs: 60_000,
      busy: `the override log ${file} is locked (${lock}); another push is writing it`,
      mode: 0o600,
    },
  );
}

export interface LogProblem {
  line: number;
  message: string;
}

export interface LogVerdict {
  records: number;
  problems: LogProblem[];
  /** Grants whose trust files could not be read again (signature and chain still checked). */
  unchecked: LogProblem[];
  /** The hash of the last line: compare it with a copy shipped off the host. */
  head: string;
}

const MAX_LINE = 256 * 1024;

/**
 * Re-verify a whole log: the hash chain and sequence (a removed, inserted or edited line
 * breaks it), each record's fields against its signed statement, each signature, and the
 * signer against the trust files in force at that commit (`trustAt`, undefined when they
 * cannot be read — reported as unchecked, never as fine). Never throws on bad input.
 */
export async function verifyGrantLog(
  text: string,
  trustAt: (rec: GrantLogRecord) => Promise<Trust | undefined>,
): Promise<LogVerdict> {
  const problems: LogProblem[] = [];
  const unchecked: LogProblem[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prevHash = GENESIS;
  let prevSeq = 0;
  for (const [i, line] of lines.entries()) {
    const n = i + 1;
    const say = (m: string): void => void problems.push({ line: n, message: m });
    const expectedPrev = prevHash;
    prevHash = lineHash(line);
    if (line.length > MAX_LINE) {
      say(`longer than ${MAX_LINE} bytes: not a record cleanroom wrote`);
      continue;
    }
    let rec: GrantLogRecord;
    try {
      rec = JSON.parse(line) as GrantLogRecord;
    } catch {
      say('not JSON — the line was edited or the file damaged');
      continue;
    }
    if (typeof rec !== 'object' || rec === null || rec.v !== 1 || !Number.isSafeInteger(rec.seq)) {
      say('not a v1 log record');
      continue;
    }
    if (rec.seq !== prevSeq + 1)
      say(
        rec.seq > prevSeq + 1
          ? `records ${prevSeq + 1}–${rec.seq - 1} are missing (seq jumps from ${prevSeq} to ${rec.seq})`
          : `seq ${rec.seq} repeats or goes back (after ${prevSeq}): a line was inserted or copied`,
      );
    else if (rec.prev !== expectedPrev)
      say(
        `prev does not match the line before it — ${n === 1 ? 'the first line is not the start of the log' : `line ${n - 1} was edited, or a line was removed or inserted here`}`,
      );
    prevSeq = rec.seq;
    const why = checkRecord(rec);
    if (why) {
      say(why);
      continue;
    }
    const trust = await trustAt(rec).catch(() => undefined);
    if (!trust) {
      unchecked.push({
        line: n,
        message: `the trust files in force at ${rec.trust?.rev ?? rec.trust?.source ?? '?'} could not be read again: the signer was not re-checked`,
      });
      continue;
    }
    const who = checkSigner(rec, trust);
    if (who) say(who);
  }
  return { records: lines.length, problems, unchecked, head: lines.length ? prevHash : GENESIS };
}

const str = (x: unknown): x is string => typeof x === 'string';

/** The record agrees with its own signed statement, and the signature verifies. */
function checkRecord(rec: GrantLogRecord): string | undefined {
  if (
    !str(rec.trailer) ||
    !str(rec.commit) ||
    !str(rec.time) ||
    (rec.kind !== 'override' && rec.kind !== 'review') ||
    !Array.isArray(rec.files) ||
    !rec.trust
  )
    return 'a field is missing or of the wrong type';
  const t = parseTrailerValue(rec.trailer);
  if (!t.ok) return `its trailer is not valid: ${t.reason}`;
  const st = t.statement;
  if (st.repository !== rec.repository)
    return `repository ${JSON.stringify(rec.repository)} is not the signed one (${st.repository})`;
  if (st.principal !== rec.principal)
    return `principal ${JSON.stringify(rec.principal)} is not the signed one (${st.principal})`;
  if (!Array.isArray(rec.zones) || st.zones.join(',') !== rec.zones.join(','))
    return `zones ${JSON.stringify(rec.zones)} are not the signed ones (${st.zones.join(',')})`;
  if (rec.files.some((f) => !f || !str(f.path) || !str(f.blob) || !str(f.mode)))
    return 'files has an entry without path, blob and mode';
  const triples = rec.files.map((f) => [f.path, f.blob, f.mode] as [string, string, string]);
  if (triples.length !== st.files || coverageDigest(triples) !== st.digest)
    return 'files (paths, blobs, modes) are not the ones the signature covers';
  const at = Date.parse(rec.time);
  if (Number.isNaN(at)) return 'time is not an instant';
  if (at > Date.parse(st.expires) || at < Date.parse(st.created) - 5 * 60_000)
    return `accepted at ${rec.time}, outside the grant's validity (${st.created} – ${st.expires})`;
  let armored: string;
  try {
    armored = armorFromBase64(t.signature);
  } catch (e) {
    return `sig= is not a signature (${(e as Error).message})`;
  }
  const v = verifySshsig({
    armored,
    message: canonicalText({ kind: rec.kind, ...st }),
    namespace: NAMESPACE[rec.kind],
  });
  if (!v.ok) return `the signature does not verify (${v.reason}) — forged or edited`;
  if (v.publicKey.fingerprint !== rec.fingerprint)
    return `fingerprint ${rec.fingerprint} is not the key that signed (${v.publicKey.fingerprint})`;
  if ((rec.ca ?? undefined) !== (v.certificate?.ca.fingerprint ?? undefined))
    return 'ca does not match the certificate that signed';
  return undefined;
}

/** The signer was allowed, and not revoked, by the trust files in force, at the time recorded. */
function checkSigner(rec: GrantLogRecord, trust: Trust): string | undefined {
  const t = parseTrailerValue(rec.trailer);
  if (!t.ok) return t.reason;
  const v = verifySshsig({
    armored: armorFromBase64(t.signature),
    message: canonicalText({ kind: rec.kind, ...t.statement }),
    namespace: NAMESPACE[rec.kind],
  });
  if (!v.ok) return v.reason;
  const file = rec.kind === 'override' ? trust.approvers : trust.reviewers;
  if (!file)
    return `no ${rec.kind === 'override' ? 'approvers' : 'reviewers'} file in force at ${rec.trust.rev ?? rec.trust.source}`;
  let signers;
  try {
    signers = parseAllowedSigners(file.text, file.file);
  } catch (e) {
    return e instanceof AllowedSignersError ? e.message : String(e);
  }
  const revoked = revokedOf(
    rec.kind === 'override' ? trust.revokedApprovers : trust.revokedReviewers,
    rec.kind === 'override' ? 'approvers' : 'reviewers',
  );
  if (typeof revoked === 'string') return revoked;
  if (revokedBy(revoked, v.publicKey, v.certificate))
    return `the key ${v.publicKey.fingerprint} was revoked in the trust files in force`;
  const who = findSigner(signers, {
    principal: rec.principal,
    key: v.publicKey,
    namespace: NAMESPACE[rec.kind],
    now: new Date(rec.time),
    certificate: v.certificate,
  });
  return who.ok ? undefined : `the trust files in force do not allow it: ${who.reason}`;
}
