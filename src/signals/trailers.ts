// Commit message parsing, in two strengths.
//
// * `parseTrailers` is strict: a port of Git's own trailer rules (trailer.c in git
//   2.39: find_trailer_start, ignore_non_trailer, find_separator), so what it returns is
//   exactly what `git interpret-trailers --parse` returns. Signals that GRANT something
//   (a review, an override) only count when they are real trailers: a "Reviewed-by:"
//   in the middle of the body is not one. A differential test runs this against git.
// * `trailerLikeLines` is liberal: every `Key: value` line anywhere in the message.
//   Signals that RESTRICT are read this way, so moving a Co-authored-by into the body
//   does not hide it.

import type { Identity } from '../core/types.js';

export interface Trailer {
  /** The key as written (`Co-authored-by`); compare case-insensitively. */
  key: string;
  /** The value, continuation lines unfolded, trimmed. */
  value: string;
  /** `key: value` as a user would recognise it. */
  text: string;
}

const GIT_GENERATED_PREFIXES = ['Signed-off-by: ', '(cherry picked from commit '];
export const SCISSORS = ' ------------------------ >8 ------------------------\n';

// Git's own isspace (sane_ctype): space, tab, LF and CR — not \v or \f, and no Unicode
// spaces. A wider notion would make a line git calls prose into a continuation here.
const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r';
/** strbuf_trim: strips git's isspace only (JS trim() would also eat U+00A0, U+FEFF, …). */
const gitTrim = (s: string): string => s.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

function nextLine(buf: string, pos: number): number {
  const nl = buf.indexOf('\n', pos);
  return nl < 0 ? buf.length : nl + 1;
}

function isBlankLine(buf: string, pos: number): boolean {
  let i = pos;
  while (i < buf.length && buf[i] !== '\n' && isSpace(buf[i])) i++;
  return i >= buf.length || buf[i] === '\n';
}

/** Start of the last line before `len` (a final newline belongs to that line). */
function lastLine(buf: string, len: number): number {
  if (len <= 0) return -1;
  if (len === 1) return 0;
  for (let i = len - 2; i >= 0; i--) if (buf[i] === '\n') return i + 1;
  return 0;
}

/** Git's find_separator with separators ":" — the index of ':' after a token, or -1. */
export function findSeparator(line: string): number {
  let whitespaceFound = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\n') return -1;
    if (c === ':') return i;
    if (!whitespaceFound && (isAlnum(c) || c === '-')) continue;
    if (i !== 0 && (c === ' ' || c === '\t')) {
      whitespaceFound = true;
      continue;
    }
    break;
  }
  return -1;
}

/**
 * wt_status_locate_end: the scissors line counts only at the start of a line (the first
 * such line, however many look-alikes sit inside other lines); buf.length when absent.
 */
export function scissorsAt(buf: string, commentChar: string): number {
  const line = commentChar + SCISSORS;
  if (buf.startsWith(line)) return 0;
  const i = buf.indexOf('\n' + line);
  return i < 0 ? buf.length : i + 1;
}

/** Git's ignore_non_trailer: trailing comments, blank lines and an old "Conflicts:" block. */
function trailerEnd(buf: string, len: number, commentChar: string): number {
  const cutoff = Math.min(scissorsAt(buf, commentChar), len);
  let boc = 0;
  let bol = 0;
  let inConflicts = false;
  while (bol < cutoff) {
    const next = nextLine(buf, bol);
    if (buf[bol] === commentChar || buf[bol] === '\n') {
      if (!boc) boc = bol;
    } else if (buf.startsWith('Conflicts:\n', bol)) {
      inConflicts = true;
      if (!boc) boc = bol;
    } else if (inConflicts && buf[bol] === '\t') {
      // a path in the conflicts block
    } else if (boc) {
      boc = 0;
      inConflicts = false;
    }
    bol = next;
  }
  return boc ? boc : cutoff;
}

function findTrailerStart(buf: string, len: number, commentChar: string): number {
  let s = 0;
  for (; s < len; s = nextLine(buf, s)) {
    if (buf[s] === commentChar) continue;
    if (isBlankLine(buf, s)) break;
  }
  const endOfTitle = s;
  let onlySpaces = true;
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  let possibleContinuationLines = 0;
  for (let l = lastLine(buf, len); l >= endOfTitle; l = lastLine(buf, l)) {
    if (buf[l] === commentChar) {
      nonTrailerLines += possibleContinuationLines;
      possibleContinuationLines = 0;
      continue;
    }
    if (isBlankLine(buf, l)) {
      if (onlySpaces) continue;
      nonTrailerLines += possibleContinuationLines;
      if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) return nextLine(buf, l);
      if (trailerLines && !nonTrailerLines) return nextLine(buf, l);
      return len;
    }
    onlySpaces = false;
    const line = buf.slice(l, nextLine(buf, l));
    if (GIT_GENERATED_PREFIXES.some((p) => line.startsWith(p))) {
      trailerLines++;
      possibleContinuationLines = 0;
      recognizedPrefix = true;
      continue;
    }
    const sep = findSeparator(line);
    if (sep >= 1 && !isSpace(line[0])) {
      trailerLines++;
      possibleContinuationLines = 0;
    } else if (isSpace(line[0])) {
      possibleContinuationLines++;
    } else {
      nonTrailerLines++;
      nonTrailerLines += possibleContinuationLines;
      possibleContinuationLines = 0;
    }
  }
  return len;
}

export interface TrailerOptions {
  /** Ignore a `---` patch divider (true for messages of existing commits, as `%(trailers)` does). */
  noDivider?: boolean;
  commentChar?: string;
}

/**
 * The last answer of parseTrailers: judging one commit asks it of the same message up to
 * four times (the session trailer, review attestations, overrides, signed reviews).
 */
let lastParsed:
  | { message: string; noDivider: boolean; commentChar: string; trailers: readonly Trailer[] }
  | undefined;

/**
 * The message's real trailers, as `git interpret-trailers --parse` sees them. A fresh
 * array each call; its trailers may be shared with an earlier call on the same message
 * (read them, do not change them).
 */
export function parseTrailers(message: string, opts: TrailerOptions = {}): Trailer[] {
  const commentChar = opts.commentChar ?? '#';
  const noDivider = opts.noDivider === true;
  const last = lastParsed;
  if (
    last !== undefined &&
    last.message === message &&
    last.noDivider === noDivider &&
    last.commentChar === commentChar
  )
    return last.trailers.slice();
  const trailers = parseTrailersOnce(message, noDivider, commentChar);
  lastParsed = { message, noDivider, commentChar, trailers };
  return trailers.slice();
}

function parseTrailersOnce(message: string, noDivider: boolean, commentChar: string): Trailer[] {
  let patchStart = message.length;
  if (!noDivider) {
    for (let s = 0; s < message.length; s = nextLine(message, s)) {
      if (message.startsWith('---', s) && isSpace(message[s + 3])) {
        patchStart = s;
        break;
      }
    }
  }
  const end = trailerEnd(message, patchStart, commentChar);
  const start = findTrailerStart(message, end, commentChar);
  if (start >= end) return [];

  const raw: string[] = [];
  let lastIsTrailer = false;
  for (let pos = start; pos < end;) {
    const next = Math.min(nextLine(message, pos), end);
    const line = message.slice(pos, next);
    pos = next;
    if (lastIsTrailer && isSpace(line[0])) {
      raw[raw.length - 1] += line;
      continue;
    }
    raw.push(line);
    lastIsTrailer = findSeparator(line) >= 1;
  }

  const out: Trailer[] = [];
  for (const line of raw) {
    if (line[0] === commentChar) continue;
    const sep = findSeparator(line);
    if (sep < 1) continue;
    const key = gitTrim(line.slice(0, sep));
    const value = unfold(gitTrim(line.slice(sep + 1)));
    out.push({ key, value, text: `${key}: ${value}` });
  }
  return out;
}

/** Git's unfold_value: each newline and the whitespace after it become one space. */
function unfold(value: string): string {
  return gitTrim(value.replace(/\n[ \t\n\r]*/g, ' '));
}

// Linear-time on purpose: these readers see whatever a pusher writes. A length cap on
// the line (the old guard against a backtracking regex) let a trailer padded with a few
// thousand spaces vanish from the server's view; so the line is parsed by hand and only
// the evidence shown to users is shortened.
/** `[A-Za-z0-9]`, by char code (a regex test per character was most of a long history's trailer parsing). */
const isAlnumCode = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
/** `[A-Za-z0-9-]`: a trailer key's characters. */
const isKeyChar = (c: number): boolean => c === 0x2d || isAlnumCode(c);
const MAX_EVIDENCE = 500;

/**
 * A trailer-like line's key and value (`likeTrailer` without its evidence text), or
 * undefined. The restricting reader asks this of every line of every judged message and
 * builds the text only for the few lines that give a signal.
 */
export function trailerParts(line: string): [key: string, value: string] | undefined {
  return trailerPartsAt(line, 0, line.length);
}

/**
 * `text` with each trailer-like line's continuation lines joined onto it, as Git reads a
 * folded trailer (trailer.c: a line starting with whitespace, git's isspace: a space, a
 * tab or a CR, continues the one before; `git interpret-trailers --parse` and
 * `%(trailers:unfold)` join them with one space): `Made-with:\n Cursor` → `Made-with:
 * Cursor`. Anywhere in the text, not only in the final block: for the restricting reader.
 * The same string when nothing is folded.
 */
export function unfoldTrailers(text: string): string {
  // Git's isspace (git-compat-util.h sane_ctype): space, tab, CR (and the newline that
  // ends the line above). A line led by a CR continues the trailer too.
  if (!/\n[ \t\r]+\S/.test(text)) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const last = out.length - 1;
    if (last >= 0 && /^[ \t\r]+\S/.test(line) && trailerParts(out[last]!) !== undefined)
      out[last] = `${out[last]!.replace(/[ \t\r]+$/, '')} ${line.trim()}`;
    else out.push(line);
  }
  return out.join('\n');
}

/** ` `, `\t` or `\r`, by char code (a blank that ends a trailer-like line). */
const isBlankCode = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d;

/**
 * `trailerParts` of the line `text.slice(from, to)`, read in place: a message's lines are
 * not cut out one by one (a string each, and strings of mixed kinds that made V8
 * re-optimise the reader).
 */
export function trailerPartsAt(
  text: string,
  from: number,
  to: number,
): [key: string, value: string] | undefined {
  let end = to;
  while (end > from && isBlankCode(text.charCodeAt(end - 1))) end--;
  let i = from;
  while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  const keyStart = i;
  if (i >= end || !isAlnumCode(text.charCodeAt(i))) return undefined;
  while (i < end && isKeyChar(text.charCodeAt(i))) i++;
  const keyEnd = i;
  while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  if (i >= end || text.charCodeAt(i) !== 0x3a /* ':' */) return undefined;
  i++;
  while (i < end && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  // A stray CR (or U+2028) inside the line stays in the value: it must not hide the line.
  return [text.slice(keyStart, keyEnd), text.slice(i, Math.max(i, end))];
}

/** `Key: value` as evidence, shortened past MAX_EVIDENCE characters. */
export function trailerText(key: string, value: string): string {
  const text = `${key}: ${value}`;
  return text.length > MAX_EVIDENCE ? `${text.slice(0, MAX_EVIDENCE)}…` : text;
}

function likeTrailer(line: string): Trailer | undefined {
  const parts = trailerParts(line);
  if (!parts) return undefined;
  const [key, value] = parts;
  return { key, value, text: trailerText(key, value) };
}

/** Every `Key: value` line anywhere in the message (liberal; for restricting signals only). */
export function trailerLikeLines(message: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of message.split('\n')) {
    const t = likeTrailer(line);
    if (t) out.push(t);
  }
  return out;
}

/** `Jane Doe <jane@x.org>` → identity; a bare email is accepted; anything else is undefined. */
export function parseIdentity(value: string): Identity | undefined {
  const v = value.trim();
  const isEmail = (e: string): boolean => /^[^<>\s]+@[^<>\s]+$/.test(e);
  // `Name <email>`: the email is in the last <…> and ends the value (no backtracking regex:
  // values can be long and hostile).
  if (v.endsWith('>')) {
    const lt = v.lastIndexOf('<');
    const email = lt < 0 ? '' : v.slice(lt + 1, -1);
    return lt >= 0 && isEmail(email) ? { name: v.slice(0, lt).trim(), email } : undefined;
  }
  return isEmail(v) ? { name: '', email: v } : undefined;
}

/**
 * The message git will store, from a message file as `commit-msg` sees it: comment
 * lines dropped and everything from the scissors line on cut (git's default
 * `--cleanup=strip`/`scissors`), surrounding blank lines removed.
 */
export function cleanupMessage(text: string, commentChar = '#'): string {
  const cut = text.slice(0, scissorsAt(text, commentChar));
  const lines = cut
    .split('\n')
    .filter((l) => !l.startsWith(commentChar))
    .map((l) => l.replace(/[ \t\r]+$/, ''));
  const collapsed: string[] = [];
  for (const l of lines) {
    if (l === '' && (collapsed.length === 0 || collapsed[collapsed.length - 1] === '')) continue;
    collapsed.push(l);
  }
  while (collapsed.length && collapsed[collapsed.length - 1] === '') collapsed.pop();
  return collapsed.length ? collapsed.join('\n') + '\n' : '';
}
