// What a signed review or override says, canonically, and how it travels in one trailer.
//
// The signed text binds the repository id (from the verifier's policy), the zones, every
// covered (path, blob id) pair — as a digest of the sorted pairs, so a thousand files
// still make a short trailer; the verifier recomputes it from the commit — the reason,
// the signer's principal, and creation and expiry times:
//
//   cleanroom override v1
//   repository github.com/acme/metacode
//   zones eval-tasks,training-data
//   files 2 sha256:5f1c…
//   reason Hand-checked fixtures from the 2025 set
//   principal alice@acme.com
//   created 2026-11-24T10:00:00Z
//   expires 2026-12-01T10:00:00Z
//
// The trailer carries the same fields and the signature (base64 SSHSIG, no armour):
//
//   Cleanroom-Override: v1 repo=github.com/acme/metacode by=alice@acme.com zones=eval-tasks files=2
//     digest=sha256:5f1c… created=2026-11-24T10:00:00Z expires=2026-12-01T10:00:00Z reason=Hand-checked%20… sig=U1NIU0lH…
//   (one line)

import { nodeCrypto } from '../lazy-crypto.js';
import { CONFIG_ZONE, type FileChange } from '../core/types.js';
import type { Policy } from '../policy/compile.js';
import { zonesOfFile } from '../policy/links.js';
import { configGuard } from '../policy/paths.js';

export type GrantKind = 'override' | 'review';

export const NAMESPACE: Readonly<Record<GrantKind, string>> = {
  override: 'cleanroom-override',
  review: 'cleanroom-review',
};
export const TRAILER_KEY: Readonly<Record<GrantKind, string>> = {
  override: 'Cleanroom-Override',
  review: 'Cleanroom-Review',
};

/** Longest trailer value accepted; a real one is well under 2 KiB even with an RSA-4096 key. */
export const MAX_TRAILER_VALUE = 8 * 1024;
const MAX_REASON = 500;
/** Longest validity a statement may claim (`--expires` allows at most a year). */
export const MAX_VALIDITY_MS = 366 * 86_400_000;

export interface Coverage {
  /** (path, blob) pairs sorted by path, bytewise. */
  pairs: [string, string][];
  /** The git mode of each pair (`100644`, `120000`, …), same order. */
  modes: string[];
  zones: string[];
  digest: string;
}

export interface Statement {
  kind: GrantKind;
  repository: string;
  zones: string[];
  files: number;
  digest: string;
  reason: string;
  principal: string;
  created: string;
  expires: string;
}

const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * What a grant covers in a change: every changed path (deletions included, with their
 * zero id) that lies in a zone of the policy or under .cleanroom/. Independent of the
 * AI signals, so it is the same at request time and at verification time.
 */
export function coverage(policy: Policy, files: readonly FileChange[]): Coverage {
  const zones = new Set<string>();
  const triples: [string, string, string][] = [];
  const guarded = configGuard(policy);
  for (const f of files) {
    // Content seen through a link (`via`) is derived from the tree, not a change of its own.
    if (f.via !== undefined) continue;
    const inZones = zonesOfFile(policy, f);
    const config = guarded(f.path) || (f.from !== undefined && guarded(f.from));
    if (!inZones.length && !config) continue;
    for (const z of inZones) zones.add(z.name);
    if (config) zones.add(CONFIG_ZONE);
    triples.push([f.path, f.blob, f.mode]);
  }
  triples.sort((a, b) => byBytes(a[0], b[0]));
  return {
    pairs: triples.map(([p, b]) => [p, b]),
    modes: triples.map((t) => t[2]),
    zones: [...zones].sort(),
    digest: coverageDigest(triples),
  };
}

/**
 * Modes written implicitly: a regular file (100644, 100755) or a deletion (000000) hashes
 * as `blob\0path\0`, the form every earlier statement used. Any other mode — a symlink
 * (120000), a gitlink (160000) — is bound as `mode blob\0path\0`: the same blob approved
 * as a file must not validate as a link, whose "content" is a path that puts other
 * content under the zone (issue 10 §6). The space cannot occur in a blob id, so the two
 * forms never collide.
 */
const IMPLICIT_MODES = new Set(['100644', '100755', '000000', '0']);

/** `  (mode 120000, a symlink)` for a mode the digest binds explicitly; '' for a regular file. */
export const modeNote = (m: string): string =>
  IMPLICIT_MODES.has(m)
    ? ''
    : `  (mode ${m}${m === '120000' ? ', a symlink' : m === '160000' ? ', a submodule' : ''})`;

/** sha256 over the sorted (path, blob, mode) triples, as coverage() computes it. */
export function coverageDigest(pairs: readonly (readonly [string, string, string])[]): string {
  const h = nodeCrypto().createHash('sha256');
  for (const [path, blob, mode] of pairs)
    h.update(IMPLICIT_MODES.has(mode) ? `${blob}\0${path}\0` : `${mode} ${blob}\0${path}\0`);
  return `sha256:${h.digest('hex')}`;
}

/** The exact bytes that are signed. */
export function canonicalText(st: Statement): string {
  return (
    `cleanroom ${st.kind} v1\n` +
    `repository ${st.repository}\n` +
    `zones ${st.zones.join(',')}\n` +
    `files ${st.files} ${st.digest}\n` +
    `reason ${st.reason}\n` +
    `principal ${st.principal}\n` +
    `created ${st.created}\n` +
    `expires ${st.expires}\n`
  );
}

/** Seconds precision, UTC, `Z`: one spelling per instant. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Why a reason cannot be signed, or undefined. Newlines would let a reason forge lines. */
export function reasonProblem(reason: string): string | undefined {
  if (!reason.trim()) return 'the reason is empty — say why this exception is right';
  if (reason.length > MAX_REASON) return `the reason is longer than ${MAX_REASON} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u2028\u2029]/.test(reason))
    return 'the reason must be one line without control characters';
  return undefined;
}

/** Percent-encoding of everything but a readable safe set (emails and repository ids stay legible). */
const enc = (s: string): string =>
  s.replace(/[^A-Za-z0-9._~:/@+-]/gu, (c) => encodeURIComponent(c));

export function formatTrailerValue(st: Statement, signatureBase64: string): string {
  return [
    'v1',
    `repo=${enc(st.repository)}`,
    `by=${enc(st.principal)}`,
    `zones=${st.zones.map(enc).join(',')}`,
    `files=${st.files}`,
    `digest=${st.digest}`,
    `created=${st.created}`,
    `expires=${st.expires}`,
    `reason=${enc(st.reason)}`,
    `sig=${signatureBase64}`,
  ].join(' ');
}

/** Longest line a folded trailer writes (commitlint's config-conventional allows 100). */
export const FOLD_WIDTH = 76;
const CHUNK = 64;

/**
 * The trailer value folded with git's continuation lines (a newline and a space; git
 * and parseTrailers unfold them back into single spaces): fields are packed into lines
 * of at most FOLD_WIDTH characters, counting the `Cleanroom-Override: ` key on the
 * first; a reason or signature longer than a line is cut into CHUNK-character pieces.
 * parseTrailerValue reads the folded and the one-line form alike.
 */
export function foldTrailerValue(value: string, keyWidth = 'Cleanroom-Override: '.length): string {
  const lines: string[] = [];
  let line = '';
  let width = FOLD_WIDTH - keyWidth;
  const put = (tok: string): void => {
    if (line && line.length + 1 + tok.length > width) {
      lines.push(line);
      line = '';
      width = FOLD_WIDTH - 1;
    }
    line = line ? `${line} ${tok}` : tok;
  };
  for (const tok of value.split(' ')) {
    if (tok.length <= FOLD_WIDTH - 1 || !(tok.startsWith('sig=') || tok.startsWith('reason=')))
      put(tok);
    else for (let i = 0; i < tok.length; i += CHUNK) put(tok.slice(i, i + CHUNK));
  }
  if (line) lines.push(line);
  return lines.join('\n ');
}

/**
 * Undo the chunking of foldTrailerValue on an unfolded value: the pieces of reason=
 * (percent-encoded, so never an "=") and everything after sig= rejoin their field.
 */
function unchunk(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      (last.startsWith('sig=') || (last.startsWith('reason=') && !p.includes('=')))
    )
      out[out.length - 1] = last + p;
    else out.push(p);
  }
  return out;
}

const FIELDS = [
  'repo',
  'by',
  'zones',
  'files',
  'digest',
  'created',
  'expires',
  'reason',
  'sig',
] as const;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * A real instant in the one spelling isoSeconds() writes. The pattern alone would let
 * "2026-13-45T99:99:99Z" through, and Date.parse() of that is NaN — an expiry that every
 * comparison passes, i.e. a grant that never expires. Feb 30 or 24:00 would roll over.
 */
export const isIsoInstant = (s: string): boolean =>
  ISO.test(s) && !Number.isNaN(Date.parse(s)) && isoSeconds(new Date(Date.parse(s))) === s;

/** Why the validity window cannot be signed or accepted, or undefined. */
export function validityProblem(created: string, expires: string): string | undefined {
  if (!isIsoInstant(created) || !isIsoInstant(expires))
    return 'created/expires must be real instants written YYYY-MM-DDTHH:MM:SSZ';
  const span = Date.parse(expires) - Date.parse(created);
  if (span <= 0) return 'it expires before it was created';
  if (span > MAX_VALIDITY_MS)
    return 'it is valid for more than a year (expires - created > 366 days); request a shorter one';
  return undefined;
}

export type ParsedTrailer =
  | { ok: true; statement: Omit<Statement, 'kind'>; signature: string }
  | { ok: false; reason: string };

/**
 * Strict parse of a trailer value: every field once, in order, nothing else, each in the
 * one spelling formatTrailerValue() writes (so what a reader sees in `git log` is byte
 * for byte what was signed), written on one line or folded by foldTrailerValue().
 */
export function parseTrailerValue(value: string): ParsedTrailer {
  if (value.length > MAX_TRAILER_VALUE)
    return {
      ok: false,
      reason: `the trailer is ${value.length} bytes long; a real one is under ${MAX_TRAILER_VALUE}`,
    };
  const parts = unchunk(value.trim().split(' '));
  if (parts[0] !== 'v1') return { ok: false, reason: 'unknown trailer version (expected "v1 …")' };
  if (parts.length !== FIELDS.length + 1)
    return { ok: false, reason: `expected ${FIELDS.length} fields (${FIELDS.join(', ')})` };
  const got: Record<string, string> = {};
  for (const [i, name] of FIELDS.entries()) {
    const part = parts[i + 1]!;
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq) !== name)
      return { ok: false, reason: `field ${i + 1} should be ${name}=…` };
    got[name] = part.slice(eq + 1);
  }
  let repository: string, principal: string, reason: string, zones: string[];
  try {
    repository = decodeURIComponent(got.repo!);
    principal = decodeURIComponent(got.by!);
    reason = decodeURIComponent(got.reason!);
    zones = got.zones ? got.zones.split(',').map(decodeURIComponent) : [];
  } catch {
    return { ok: false, reason: 'a field is not valid percent-encoding' };
  }
  const canonical: [string, string][] = [
    ['repo', enc(repository)],
    ['by', enc(principal)],
    ['zones', zones.map(enc).join(',')],
    ['reason', enc(reason)],
  ];
  for (const [name, want] of canonical) {
    if (got[name] !== want)
      return {
        ok: false,
        reason: `${name}= is not percent-encoded the way cleanroom writes it (expected ${want.length > 60 ? `${want.slice(0, 57)}…` : want})`,
      };
  }
  if (zones.some((z) => !z)) return { ok: false, reason: 'zones= has an empty zone name' };
  const files = Number(got.files);
  if (!/^(0|[1-9]\d{0,6})$/.test(got.files!)) return { ok: false, reason: 'files= is not a count' };
  if (!/^sha256:[0-9a-f]{64}$/.test(got.digest!))
    return { ok: false, reason: 'digest= is not sha256:<64 hex>' };
  if (!isIsoInstant(got.created!) || !isIsoInstant(got.expires!))
    return {
      ok: false,
      reason: 'created=/expires= must be real instants written YYYY-MM-DDTHH:MM:SSZ',
    };
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(got.sig!) || got.sig!.length % 4 !== 0)
    return { ok: false, reason: 'sig= is not base64 (one line of standard base64 with padding)' };
  const why = reasonProblem(reason);
  if (why) return { ok: false, reason: why };
  // eslint-disable-next-line no-control-regex
  if (!principal || /[\u0000-\u0020\u007f]/.test(principal) || /[\u0000-\u001f]/.test(repository))
    return {
      ok: false,
      reason: 'by=/repo= contain characters a principal or repository id cannot have',
    };
  return {
    ok: true,
    statement: {
      repository,
      principal,
      zones,
      files,
      digest: got.digest!,
      created: got.created!,
      expires: got.expires!,
      reason,
    },
    signature: got.sig!,
  };
}

/** `7d`, `12h`, `30m` → milliseconds (at most a year). */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,4})([dhm])$/.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
  return ms > 0 && ms <= 366 * 86_400_000 ? ms : undefined;
}

// ---- the request document: what `request` prints and `sign` reads ----------------

/** What `request` prints: a statement before anyone signs it (no principal yet). */
export type Request = Omit<Statement, 'principal'>;

export function formatRequest(req: Request, cov: Coverage, context: string): string {
  const lines = [
    `cleanroom ${req.kind} request v1`,
    `repository ${req.repository}`,
    `zones ${req.zones.join(',')}`,
    `files ${req.files} ${req.digest}`,
    `reason ${req.reason}`,
    `created ${req.created}`,
    `expires ${req.expires}`,
    `# ${context}. Covered files (path, blob):`,
    ...cov.pairs
      .slice(0, 200)
      .map(
        ([p, b], i) => `#   ${JSON.stringify(p).slice(1, -1)}  ${b}${modeNote(cov.modes[i] ?? '')}`,
      ),
    ...(cov.pairs.length > 200 ? [`#   … and ${cov.pairs.length - 200} more`] : []),
    `# Sign with: cleanroom ${req.kind} sign [--key ~/.ssh/id_ed25519] FILE|-`,
  ];
  return lines.join('\n') + '\n';
}

export function parseRequest(
  text: string,
): { ok: true; request: Request } | { ok: false; reason: string } {
  if (text.length > 1024 * 1024) return { ok: false, reason: 'the request is larger than 1 MiB' };
  // CRLF: a request saved by a Windows editor or pasted from a browser is still the same request.
  const lines = text.split(/\r?\n/).filter((l) => l && !l.startsWith('#'));
  const head = /^cleanroom (override|review) request v1$/.exec(lines[0] ?? '');
  if (!head)
    return {
      ok: false,
      reason: 'not a cleanroom request (the first line should be "cleanroom override request v1")',
    };
  const want = ['repository', 'zones', 'files', 'reason', 'created', 'expires'];
  const got: Record<string, string> = {};
  for (const [i, name] of want.entries()) {
    const line = lines[i + 1] ?? '';
    if (!line.startsWith(name + ' ') && line !== name)
      return { ok: false, reason: `line ${i + 2} should start with "${name} "` };
    got[name] = line.slice(name.length + 1);
  }
  if (lines.length !== want.length + 1)
    return { ok: false, reason: 'unexpected extra lines in the request' };
  const files = /^(\d{1,7}) (sha256:[0-9a-f]{64})$/.exec(got.files!);
  if (!files) return { ok: false, reason: 'the files line should be "files N sha256:<hex>"' };
  const window = validityProblem(got.created!, got.expires!);
  if (window) return { ok: false, reason: window };
  const why = reasonProblem(got.reason!);
  if (why) return { ok: false, reason: why };
  return {
    ok: true,
    request: {
      kind: head[1] as GrantKind,
      repository: got.repository!,
      zones: got.zones ? got.zones.split(',') : [],
      files: Number(files[1]),
      digest: files[2]!,
      reason: got.reason!,
      created: got.created!,
      expires: got.expires!,
    },
  };
}
