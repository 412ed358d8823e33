/**
 * Parser and matcher for OpenSSH `allowed_signers` files (ssh-keygen(1),
 * "ALLOWED SIGNERS"), mirroring OpenSSH 9.2 sshsig.c so that findSigner()
 * agrees with `ssh-keygen -Y verify -f FILE -I principal -n namespace`.
 *
 * Line format:  principals [options] keytype base64key [comment]
 *
 *  - principals: comma-separated patterns with `*` and `?` wildcards and `!`
 *    negation (ssh match_pattern_list, case-sensitive, byte-wise on UTF-8).
 *    The field may be double-quoted.
 *  - options (comma-separated, names case-insensitive):
 *      namespaces="pattern,pattern"   limit the signature namespaces
 *      valid-after="YYYYMMDD[HHMM[SS]][Z|UTC]"
 *      valid-before="YYYYMMDD[HHMM[SS]][Z|UTC]"
 *      cert-authority                 the key is a CA: signatures made with a
 *                                     certificate it signed are accepted for
 *                                     the certificate's principals (as
 *                                     sshkey_cert_check_authority: a user
 *                                     certificate, principal listed exactly,
 *                                     inside its validity window). Stricter:
 *                                     certificates with critical options are
 *                                     refused (ssh-keygen ignores them; a
 *                                     source-address cannot be honoured here).
 *    Quoted values may contain commas and spaces (`\"` escapes a quote).
 *
 * TIME ZONES: ssh-keygen interprets a time without a `Z`/`UTC` suffix in the
 * local time zone of whoever runs the verification. cleanroom always
 * interprets such times as UTC, so a check gives the same answer on every
 * machine; write the `Z` suffix to make files mean the same thing to both
 * tools.
 *
 * Stricter than ssh-keygen: every line is parsed and all errors are
 * reported (ssh-keygen only reports errors on lines whose principals match),
 * impossible dates (e.g. 20240231) are rejected instead of normalised,
 * patterns longer than 1022 bytes are rejected (ssh-keygen silently treats
 * the whole list as "no match"), and unsupported key types are errors.
 */
import {
  KEY_TYPES,
  parsePublicKey,
  sameKey,
  SshsigError,
  type SshCertificate,
  type SshPublicKey,
} from './sshsig.js';

export interface AllowedSigner {
  /** Principal patterns, `!`-prefixed entries are negations. */
  principals: string[];
  /** Namespace patterns from namespaces="...", or null when unrestricted. */
  namespaces: string[] | null;
  validAfter: Date | null;
  validBefore: Date | null;
  /** `cert-authority`: `key` is a CA whose user certificates may sign. */
  certAuthority: boolean;
  key: SshPublicKey;
  /** 1-based line number in the file. */
  line: number;
  /** The file name given to parseAllowedSigners (for messages). */
  file: string;
}

export interface AllowedSignersProblem {
  line: number;
  /** Full message: "FILE:LINE: what is wrong — how to fix". */
  message: string;
}

export class AllowedSignersError extends Error {
  readonly file: string;
  /** Line of the first problem (0 for whole-file problems). */
  readonly line: number;
  readonly errors: AllowedSignersProblem[];
  constructor(file: string, errors: AllowedSignersProblem[]) {
    const first = errors[0] ?? { line: 0, message: `${file}: invalid allowed signers file` };
    super(
      errors.length <= 1
        ? first.message
        : `${errors.length} problems in ${file}:\n${errors.map((e) => `  ${e.message}`).join('\n')}`,
    );
    this.name = 'AllowedSignersError';
    this.file = file;
    this.line = first.line;
    this.errors = errors;
  }
}

export type FindSignerResult =
  | { ok: true; entry: AllowedSigner }
  | {
      ok: false;
      code: 'unknown-key' | 'principal' | 'namespace' | 'not-yet-valid' | 'expired';
      reason: string;
    };

/** Largest allowed_signers file accepted. */
export const MAX_ALLOWED_SIGNERS_BYTES = 1024 * 1024;
/** ssh match_pattern_list copies each sub-pattern into a 1024-byte buffer. */
const MAX_PATTERN_BYTES = 1022;
/** Principals longer than this are refused by findSigner (bounded matching). */
export const MAX_PRINCIPAL_BYTES = 4096;

// ---------------------------------------------------------------------------
// Pattern matching (ssh match.c)
// ---------------------------------------------------------------------------

function matchBytes(pat: Buffer, str: Buffer): boolean {
  // Iterative glob matching with single-star backtracking: equivalent to
  // OpenSSH's recursive match_pattern() for '*' and '?', but O(len(pat) *
  // len(str)) in the worst case instead of exponential.
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  const P = pat.length;
  const T = str.length;
  while (t < T) {
    if (p < P && pat[p] === 0x2a /* * */) {
      starP = p++;
      starT = t;
    } else if (p < P && (pat[p] === 0x3f /* ? */ || pat[p] === str[t])) {
      p++;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else {
      return false;
    }
  }
  while (p < P && pat[p] === 0x2a) p++;
  return p === P;
}

/**
 * ssh-style wildcard match: `*` matches any run of bytes (including none),
 * `?` exactly one byte; everything else matches itself, case-sensitively.
 * Matching is over the UTF-8 bytes, as OpenSSH does.
 */
export function matchPattern(pattern: string, s: string): boolean {
  if (typeof pattern !== 'string' || typeof s !== 'string') return false;
  return matchBytes(Buffer.from(pattern, 'utf8'), Buffer.from(s, 'utf8'));
}

/**
 * Split a comma-separated pattern list the way match_pattern_list walks it:
 * "a," is ["a"], ",a" is ["", "a"], "" is [].
 */
export function splitPatternList(list: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < list.length) {
    let j = list.indexOf(',', i);
    if (j < 0) j = list.length;
    out.push(list.slice(i, j));
    i = j < list.length ? j + 1 : j;
  }
  return out;
}

/**
 * ssh match_pattern_list(): 1 if some pattern matches and no negated
 * (`!pattern`) one does, -1 if a negated pattern matches, 0 otherwise.
 */
export function matchPatternList(s: string, patterns: readonly string[]): 1 | 0 | -1 {
  const str = Buffer.from(s, 'utf8');
  let positive = false;
  for (const item of patterns) {
    const negated = item.startsWith('!');
    const sub = Buffer.from(negated ? item.slice(1) : item, 'utf8');
    if (sub.length > MAX_PATTERN_BYTES) return 0;
    if (matchBytes(sub, str)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

// ---------------------------------------------------------------------------
// Line parsing
// ---------------------------------------------------------------------------

const SUPPORTED_TYPES: ReadonlySet<string> = new Set(KEY_TYPES);

function looksLikeKeyType(tok: string): boolean {
  return (
    SUPPORTED_TYPES.has(tok) ||
    tok === 'ssh-dss' ||
    tok === 'ssh-xmss@openssh.com' ||
    /-cert-v0[01]@openssh\.com$/.test(tok)
  );
}

class LineError extends Error {
  constructor(message: string) {
    super(message);
  }
}

/** misc.c strdelimw(): next token, honouring one double-quoted section. */
function strdelimw(s: string): { token: string; rest: string | null } {
  const m = /[ \t\r\n"]/.exec(s);
  if (!m) return { token: s, rest: null };
  const i = m.index;
  if (s[i] === '"') {
    const after = s.slice(i + 1);
    const j = after.indexOf('"');
    if (j < 0)
      throw new LineError('unterminated quote in the principals field — add the closing "');
    return {
      token: s.slice(0, i) + after.slice(0, j),
      rest: after.slice(j + 1).replace(/^[ \t\r\n]+/, ''),
    };
  }
  return { token: s.slice(0, i), rest: s.slice(i + 1).replace(/^[ \t\r\n]+/, '') };
}

/** authfile.c sshkey_advance_past_options(): index of first unquoted blank. */
function endOfOptions(s: string): number {
  let quoted = false;
  let i = 0;
  for (; i < s.length && (quoted || (s[i] !== ' ' && s[i] !== '\t')); i++) {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    else if (s[i] === '"') quoted = !quoted;
  }
  if (quoted) throw new LineError('unterminated quote in the options — add the closing "');
  return i;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Parse YYYYMMDD[HHMM[SS]] with an optional Z/UTC suffix (case-insensitive).
 * Times without a suffix are taken as UTC (ssh-keygen uses local time).
 */
export function parseSshTime(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(z|utc)?$/i.exec(value);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = m[4] === undefined ? 0 : Number(m[4]);
  const mi = m[5] === undefined ? 0 : Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59)
    return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  if (!(t > 0)) return null; // ssh-keygen rejects times at or before the epoch
  return new Date(t);
}

interface ParsedOptions {
  namespaces: string[] | null;
  validAfter: Date | null;
  validBefore: Date | null;
  certAuthority: boolean;
}

function startsWithCI(s: string, at: number, word: string): boolean {
  return s.slice(at, at + word.length).toLowerCase() === word;
}

/** opt_dequote(): a "quoted" value with \" escapes; returns value and end index. */
function dequote(s: string, at: number, name: string): { value: string; end: number } {
  if (s[at] !== '"')
    throw new LineError(`${name}= value must be in double quotes, e.g. ${name}="..."`);
  let i = at + 1;
  let v = '';
  while (i < s.length && s[i] !== '"') {
    if (s[i] === '\\' && s[i + 1] === '"') i++;
    v += s[i];
    i++;
  }
  if (i >= s.length) throw new LineError(`${name}= value has no closing quote`);
  return { value: v, end: i + 1 };
}

function checkPatterns(list: string[], what: string): void {
  for (const p of list) {
    const n = Buffer.byteLength(p.startsWith('!') ? p.slice(1) : p, 'utf8');
    if (n > MAX_PATTERN_BYTES) {
      throw new LineError(
        `a ${what} pattern is ${n} bytes long (limit ${MAX_PATTERN_BYTES}) — shorten it`,
      );
    }
  }
}

/** sshsig.c sshsigopt_parse() */
function parseOptions(opts: string): ParsedOptions {
  const out: ParsedOptions = {
    namespaces: null,
    validAfter: null,
    validBefore: null,
    certAuthority: false,
  };
  let p = 0;
  let seenAfter = false;
  let seenBefore = false;
  while (p < opts.length) {
    if (
      startsWithCI(opts, p, 'cert-authority') &&
      (p + 14 === opts.length || opts[p + 14] === ',')
    ) {
      out.certAuthority = true;
      p += 14;
    } else if (startsWithCI(opts, p, 'namespaces=')) {
      if (out.namespaces !== null)
        throw new LineError(
          'namespaces= appears twice — merge the lists into one namespaces="a,b"',
        );
      const { value, end } = dequote(opts, p + 'namespaces='.length, 'namespaces');
      out.namespaces = splitPatternList(value);
      checkPatterns(out.namespaces, 'namespace');
      p = end;
    } else if (startsWithCI(opts, p, 'valid-after=') || startsWithCI(opts, p, 'valid-before=')) {
      const after = startsWithCI(opts, p, 'valid-after=');
      const name = after ? 'valid-after' : 'valid-before';
      if (after ? seenAfter : seenBefore)
        throw new LineError(`${name}= appears twice — keep only one`);
      const { value, end } = dequote(opts, p + name.length + 1, name);
      const t = parseSshTime(value);
      if (!t) {
        throw new LineError(
          `invalid ${name} time ${JSON.stringify(value)} — use YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS, optionally followed by Z (times are UTC)`,
        );
      }
      if (after) {
        seenAfter = true;
        out.validAfter = t;
      } else {
        seenBefore = true;
        out.validBefore = t;
      }
      p = end;
    }
    if (p >= opts.length) break;
    if (opts[p] !== ',') {
      const rest = opts.slice(p);
      const name = /^[^,=]*/.exec(rest)![0];
      throw new LineError(
        `unknown option ${JSON.stringify(name.slice(0, 60))} — supported options are cert-authority, namespaces="...", valid-after="...", valid-before="..."`,
      );
    }
    p++;
    if (p >= opts.length)
      throw new LineError('options end with a comma — remove the trailing comma');
  }
  if (out.validAfter && out.validBefore && out.validBefore.getTime() <= out.validAfter.getTime()) {
    throw new LineError('valid-before is not later than valid-after — fix the dates');
  }
  return out;
}

function keyErrorMessage(e: SshsigError): string {
  switch (e.code) {
    case 'base64':
    case 'truncated':
    case 'trailing-data':
    case 'key-invalid':
      return `${e.message} — copy the whole key line from the signer's .pub file`;
    case 'weak-key':
      return e.message;
    case 'key-type':
      return `${e.message} — list an ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa (>= 2048 bits) or sk-* key`;
    default:
      return e.message;
  }
}

function parseLine(raw: string, file: string, lineNo: number): AllowedSigner | null {
  if (raw.includes('\0')) throw new LineError('line contains a NUL byte — remove it');
  let cp = raw.replace(/^[ \t]+/, '');
  if (cp === '' || cp.startsWith('#') || /^[ \t\r\n]*$/.test(cp)) return null;

  const { token: principalField, rest } = strdelimw(cp);
  if (rest === null || rest === '') {
    throw new LineError(
      'missing key — expected "principals [options] keytype base64key [comment]"',
    );
  }
  if (looksLikeKeyType(principalField)) {
    throw new LineError(
      `the line starts with the key type ${principalField} — put the principal(s) first: "alice@example.com ${principalField} AAAA..."`,
    );
  }
  const principals = splitPatternList(principalField);
  if (principals.length === 0)
    throw new LineError('empty principals field — list at least one principal');
  checkPatterns(principals, 'principal');
  cp = rest;

  let opts: ParsedOptions = {
    namespaces: null,
    validAfter: null,
    validBefore: null,
    certAuthority: false,
  };
  const firstWord = /^[^ \t]*/.exec(cp)![0];
  if (!looksLikeKeyType(firstWord)) {
    const isOptions =
      firstWord.includes('=') || firstWord.includes(',') || /^cert-authority/i.test(firstWord);
    if (!isOptions) {
      if (/^AAAA[A-Za-z0-9+/]/.test(firstWord)) {
        throw new LineError(
          'the key type is missing before the base64 key — copy the whole line from the .pub file ("ssh-ed25519 AAAA...")',
        );
      }
      const next = cp.slice(firstWord.length).replace(/^[ \t]+/, '');
      if (next === '' || next.startsWith('#')) {
        throw new LineError(
          `${JSON.stringify(firstWord.slice(0, 60))} is not a key — expected "keytype base64key" after the principals`,
        );
      }
      throw new LineError(
        `unknown key type ${JSON.stringify(firstWord.slice(0, 60))} — supported: ${[...SUPPORTED_TYPES].join(', ')}`,
      );
    }
    const end = endOfOptions(cp);
    const optText = cp.slice(0, end);
    cp = cp.slice(end).replace(/^[ \t]+/, '');
    opts = parseOptions(optText);
    if (cp === '')
      throw new LineError('missing key after the options — expected "keytype base64key"');
    const kw = /^[^ \t]*/.exec(cp)![0];
    if (!looksLikeKeyType(kw)) {
      throw new LineError(
        `unknown key type ${JSON.stringify(kw.slice(0, 60))} — supported: ${[...SUPPORTED_TYPES].join(', ')}`,
      );
    }
  }
  let key: SshPublicKey;
  try {
    key = parsePublicKey(cp.replace(/[\r\n]+$/, ''));
  } catch (e) {
    if (e instanceof SshsigError) throw new LineError(keyErrorMessage(e));
    throw new LineError('invalid key');
  }
  return {
    principals,
    namespaces: opts.namespaces,
    validAfter: opts.validAfter,
    validBefore: opts.validBefore,
    certAuthority: opts.certAuthority,
    key,
    line: lineNo,
    file,
  };
}

/**
 * Parse an allowed_signers file. Collects every problem and throws one
 * AllowedSignersError listing them all; otherwise returns the entries.
 */
export function parseAllowedSigners(text: string, file: string): AllowedSigner[] {
  const fileName = typeof file === 'string' && file !== '' ? file : 'allowed_signers';
  if (typeof text !== 'string') {
    throw new AllowedSignersError(fileName, [
      { line: 0, message: `${fileName}: contents must be text` },
    ]);
  }
  if (
    text.length > MAX_ALLOWED_SIGNERS_BYTES ||
    Buffer.byteLength(text, 'utf8') > MAX_ALLOWED_SIGNERS_BYTES
  ) {
    throw new AllowedSignersError(fileName, [
      {
        line: 0,
        message: `${fileName}: file is larger than ${MAX_ALLOWED_SIGNERS_BYTES} bytes — is it the right file?`,
      },
    ]);
  }
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const entries: AllowedSigner[] = [];
  const errors: AllowedSignersProblem[] = [];
  lines.forEach((raw, idx) => {
    const n = idx + 1;
    try {
      const e = parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw, fileName, n);
      if (e) entries.push(e);
    } catch (err) {
      const msg = err instanceof LineError ? err.message : 'invalid line';
      errors.push({ line: n, message: `${fileName}:${n}: ${msg}` });
    }
  });
  if (errors.length > 0) throw new AllowedSignersError(fileName, errors);
  return entries;
}

// ---------------------------------------------------------------------------
// Matching a verified signature against the file
// ---------------------------------------------------------------------------

function fmtTime(d: Date): string {
  const iso = d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return iso.endsWith('T00:00:00Z') ? iso.slice(0, 10) : iso;
}

/** Untrusted text in messages: printed raw only when it is plain printable ASCII. */
function show(s: string): string {
  return /^[\x21-\x7e]{1,200}$/.test(s)
    ? s
    : JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}

function fmtList(list: readonly string[]): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  return list.join(',').replace(/[\x00-\x1f\x7f]/g, '?');
}

/**
 * Decide whether `key` may sign for `principal` in `namespace` at `now`,
 * with the semantics of `ssh-keygen -Y verify -f FILE -I principal -n
 * namespace`: some entry must list the key, have a principal pattern list
 * that matches (and no negation that matches), allow the namespace, and be
 * valid at `now` (valid-after <= now <= valid-before, whole seconds).
 * Never throws.
 */
export function findSigner(
  signers: readonly AllowedSigner[],
  opts: {
    principal: string;
    key: SshPublicKey;
    namespace: string;
    now: Date;
    certificate?: SshCertificate | undefined;
  },
): FindSignerResult {
  const file = signers[0]?.file ?? 'the allowed signers file';
  const { principal, key, namespace, now } = opts ?? ({} as typeof opts);
  if (
    typeof principal !== 'string' ||
    principal.includes('\0') ||
    Buffer.byteLength(principal, 'utf8') > MAX_PRINCIPAL_BYTES
  ) {
    return {
      ok: false,
      code: 'principal',
      reason: 'the claimed principal is missing, too long, or contains a NUL character',
    };
  }
  if (!key || !Buffer.isBuffer(key.blob)) {
    return { ok: false, code: 'unknown-key', reason: 'no signing key given' };
  }
  if (typeof namespace !== 'string' || namespace.length === 0) {
    return { ok: false, code: 'namespace', reason: 'no signature namespace given' };
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    return {
      ok: false,
      code: 'not-yet-valid',
      reason: 'the verification time is not a valid date',
    };
  }

  const cert = opts.certificate;
  // sshsig.c check_allowed_keys_line: a plain line matches a plain signing key; a
  // cert-authority line matches the CA that signed the signer's certificate. As in
  // ssh-keygen 9.2, a signature made with a certificate is not matched by a plain line
  // for the certified key (the certificate's limits must not be shed that way).
  const keyEntries = signers.filter((e) =>
    e.certAuthority
      ? cert !== undefined && sameKey(e.key, cert.ca)
      : cert === undefined && sameKey(e.key, key),
  );
  if (keyEntries.length === 0) {
    if (cert) {
      return {
        ok: false,
        code: 'unknown-key',
        reason: `key ${key.fingerprint} and its certificate's CA ${cert.ca.fingerprint} are not in ${file} — add the CA as "PRINCIPALS cert-authority ${cert.ca.type} <key>"`,
      };
    }
    const forPrincipal = signers.filter((e) => matchPatternList(principal, e.principals) === 1);
    const hint =
      forPrincipal.length > 0
        ? `; ${show(principal)} is listed with key ${[...new Set(forPrincipal.map((e) => e.key.fingerprint))].join(', ')} — sign with that key, or add this key to ${file}`
        : ` — add "${show(principal)} ${key.type} <key>" to ${file} to approve it`;
    return {
      ok: false,
      code: 'unknown-key',
      reason: `key ${key.fingerprint} is not in ${file}${hint}`,
    };
  }

  const verdicts = keyEntries.map((e) => ({ e, m: matchPatternList(principal, e.principals) }));
  const principalOk = verdicts.filter((v) => v.m === 1).map((v) => v.e);
  if (principalOk.length === 0) {
    const negated = verdicts.find((v) => v.m === -1);
    if (negated) {
      return {
        ok: false,
        code: 'principal',
        reason: `key ${key.fingerprint} is excluded for ${show(principal)} by a "!" pattern in "${fmtList(negated.e.principals)}" (${file}:${negated.e.line})`,
      };
    }
    const listed = keyEntries.map((e) => `${fmtList(e.principals)} (${file}:${e.line})`).join('; ');
    return {
      ok: false,
      code: 'principal',
      reason: `key ${key.fingerprint} is listed for ${listed} but the signature claims ${show(principal)}`,
    };
  }

  const certOk = principalOk.filter(
    (e) => !e.certAuthority || certificateProblem(cert!, principal, now) === undefined,
  );
  if (certOk.length === 0) {
    const e = principalOk[0]!;
    return {
      ok: false,
      code: certificateProblem(cert!, principal, now)!.code,
      reason: `${certificateProblem(cert!, principal, now)!.reason} (CA ${e.key.fingerprint}, ${file}:${e.line})`,
    };
  }

  const nsOk = certOk.filter(
    (e) => e.namespaces === null || matchPatternList(namespace, e.namespaces) === 1,
  );
  if (nsOk.length === 0) {
    const e = certOk[0]!;
    return {
      ok: false,
      code: 'namespace',
      reason: `namespace ${show(namespace)} not allowed for this key (namespaces="${fmtList(e.namespaces ?? [])}", ${file}:${e.line})`,
    };
  }

  const nowSec = Math.floor(now.getTime() / 1000);
  let firstFailure: FindSignerResult | null = null;
  for (const e of nsOk) {
    if (e.validAfter && nowSec < Math.floor(e.validAfter.getTime() / 1000)) {
      firstFailure ??= {
        ok: false,
        code: 'not-yet-valid',
        reason: `key ${key.fingerprint} is not valid until ${fmtTime(e.validAfter)} (valid-after, ${file}:${e.line})`,
      };
      continue;
    }
    if (e.validBefore && nowSec > Math.floor(e.validBefore.getTime() / 1000)) {
      firstFailure ??= {
        ok: false,
        code: 'expired',
        reason: `key ${key.fingerprint} expired on ${fmtTime(e.validBefore)} (valid-before, ${file}:${e.line})`,
      };
      continue;
    }
    return { ok: true, entry: e };
  }
  return firstFailure!;
}

/** Seconds since the epoch, whole (certificate times are whole seconds). */
const epochSeconds = (d: Date): bigint => BigInt(Math.floor(d.getTime() / 1000));

/**
 * Why a verified certificate may not sign as `principal` at `now`, or undefined:
 * sshkey_cert_check_authority(key, want_host=0, require_principal=1, wildcard=0):
 * a user certificate, the principal listed exactly, valid_after <= now <
 * valid_before. Stricter than ssh-keygen: any critical option refuses it.
 */
export function certificateProblem(
  cert: SshCertificate,
  principal: string,
  now: Date,
): { code: 'principal' | 'not-yet-valid' | 'expired'; reason: string } | undefined {
  if (cert.type !== 1)
    return {
      code: 'principal',
      reason: `the signer's certificate ${show(cert.keyId)} is not a user certificate`,
    };
  if (cert.principals.length === 0)
    return {
      code: 'principal',
      reason: `the signer's certificate ${show(cert.keyId)} has no principals (a certificate valid for anyone is refused)`,
    };
  if (!cert.principals.includes(principal)) {
    return {
      code: 'principal',
      reason: `the signer's certificate ${show(cert.keyId)} is for ${fmtList(cert.principals)}, not ${show(principal)}`,
    };
  }
  const t = epochSeconds(now);
  if (t < cert.validAfter)
    return {
      code: 'not-yet-valid',
      reason: `the signer's certificate ${show(cert.keyId)} is not valid until ${certTime(cert.validAfter)}`,
    };
  if (t >= cert.validBefore)
    return {
      code: 'expired',
      reason: `the signer's certificate ${show(cert.keyId)} expired at ${certTime(cert.validBefore)}`,
    };
  if (cert.criticalOptions.length) {
    return {
      code: 'principal',
      reason: `the signer's certificate ${show(cert.keyId)} has critical options (${fmtList(cert.criticalOptions)}) that a signature cannot honour — issue a certificate without them`,
    };
  }
  return undefined;
}

function certTime(t: bigint): string {
  return t > 253402300799n ? 'forever' : fmtTime(new Date(Number(t) * 1000));
}

/**
 * The principals a key may sign as in `namespace` at `now`, as `ssh-keygen -Y
 * find-principals` lists them: for a plain line, its principals (wildcard and
 * negated patterns left out: one cannot sign "as" a pattern); for a
 * cert-authority line, the certificate's principals its patterns allow.
 * Lines whose namespaces or validity window exclude the signature are skipped.
 */
export function findPrincipals(
  signers: readonly AllowedSigner[],
  opts: {
    key: SshPublicKey;
    namespace: string;
    now: Date;
    certificate?: SshCertificate | undefined;
  },
): string[] {
  const out = new Set<string>();
  for (const e of signers) {
    const names = e.certAuthority
      ? opts.certificate && sameKey(e.key, opts.certificate.ca)
        ? opts.certificate.principals.filter((p) => matchPatternList(p, e.principals) === 1)
        : []
      : !opts.certificate && sameKey(e.key, opts.key)
        ? e.principals.filter((p) => !/[*?!]/.test(p))
        : [];
    for (const p of names) {
      if (
        findSigner([e], {
          principal: p,
          key: opts.key,
          namespace: opts.namespace,
          now: opts.now,
          certificate: opts.certificate,
        }).ok
      )
        out.add(p);
    }
  }
  return [...out];
}

/**
 * The names one line gives the holder of a key, for self-approval: a plain
 * line's principals; for a cert-authority line, the certificate's principals
 * (the line's patterns, such as *@acme.com, name the CA's whole population).
 */
export function keyNames(e: AllowedSigner, cert: SshCertificate | undefined): string[] {
  return e.certAuthority ? (cert?.principals ?? []) : e.principals;
}

/**
 * A revoked-keys file, as `ssh-keygen -Y verify -r` and git's
 * gpg.ssh.revocationFile read it when it is not a KRL: one public key per line
 * ("keytype base64 [comment]"), blank lines and # comments. A key listed here
 * signs nothing: neither itself, nor any certificate it carries, nor any
 * certificate it signed as a CA (sshkey_in_file with check_ca). Throws
 * AllowedSignersError listing every bad line (an unreadable revocation list must
 * not be skipped: fail closed).
 */
export function parseRevokedKeys(text: string, file: string): SshPublicKey[] {
  if (text.startsWith('SSHKRL')) {
    throw new AllowedSignersError(file, [
      {
        line: 0,
        message: `${file}: this is a binary KRL; cleanroom reads revoked keys as plain public key lines — list the keys ("ssh-ed25519 AAAA…")`,
      },
    ]);
  }
  const keys: SshPublicKey[] = [];
  const errors: AllowedSignersProblem[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/\r$/, '').trim();
    if (!l || l.startsWith('#')) return;
    try {
      keys.push(parsePublicKey(l));
    } catch (e) {
      errors.push({
        line: i + 1,
        message: `${file}:${i + 1}: ${e instanceof SshsigError ? keyErrorMessage(e) : 'invalid key'}`,
      });
    }
  });
  if (errors.length) throw new AllowedSignersError(file, errors);
  return keys;
}

/** The revoked key that stops this signer (its key, or its certificate's CA), or undefined. */
export function revokedBy(
  revoked: readonly SshPublicKey[],
  key: SshPublicKey,
  cert: SshCertificate | undefined,
): SshPublicKey | undefined {
  return revoked.find((r) => sameKey(r, key) || (cert !== undefined && sameKey(r, cert.ca)));
}
