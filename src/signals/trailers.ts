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
const SCISSORS = ' ------------------------ >8 ------------------------\n';

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
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

/** Git's ignore_non_trailer: trailing comments, blank lines and an old "Conflicts:" block. */
function trailerEnd(buf: string, len: number, commentChar: string): number {
  let cutoff = len;
  const scissors = buf.indexOf(commentChar + SCISSORS);
  if (scissors === 0 || (scissors > 0 && buf[scissors - 1] === '\n')) cutoff = Math.min(scissors, len);
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

/** The message's real trailers, as `git interpret-trailers --parse` sees them. */
export function parseTrailers(message: string, opts: TrailerOptions = {}): Trailer[] {
  const commentChar = opts.commentChar ?? '#';
  let patchStart = message.length;
  if (!opts.noDivider) {
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
  for (let pos = start; pos < end; ) {
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
    const key = line.slice(0, sep).trim();
    const value = unfold(line.slice(sep + 1));
    out.push({ key, value, text: `${key}: ${value}` });
  }
  return out;
}

function unfold(value: string): string {
  return value.replace(/[ \t\r\v\f]*\n[ \t\r\n\v\f]*/g, ' ').trim();
}

const LIKE_TRAILER = /^[ \t]*([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*?)[ \t\r]*$/;

/** Every `Key: value` line anywhere in the message (liberal; for restricting signals only). */
export function trailerLikeLines(message: string): Trailer[] {
  const out: Trailer[] = [];
  for (const line of message.split('\n')) {
    if (line.length > 4096) continue;
    const m = LIKE_TRAILER.exec(line);
    if (!m) continue;
    out.push({ key: m[1]!, value: m[2]!, text: `${m[1]}: ${m[2]}` });
  }
  return out;
}

/** `Jane Doe <jane@x.org>` → identity; a bare email is accepted; anything else is undefined. */
export function parseIdentity(value: string): Identity | undefined {
  const m = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value.trim());
  if (m) return { name: m[1]!.trim(), email: m[2]! };
  const bare = value.trim();
  if (/^[^<>\s]+@[^<>\s]+$/.test(bare)) return { name: '', email: bare };
  return undefined;
}

/**
 * The message git will store, from a message file as `commit-msg` sees it: comment
 * lines dropped and everything from the scissors line on cut (git's default
 * `--cleanup=strip`/`scissors`), surrounding blank lines removed.
 */
export function cleanupMessage(text: string, commentChar = '#'): string {
  const scissors = text.indexOf(commentChar + SCISSORS);
  const cut = scissors === 0 || (scissors > 0 && text[scissors - 1] === '\n') ? text.slice(0, scissors) : text;
  const lines = cut.split('\n').filter((l) => !l.startsWith(commentChar)).map((l) => l.replace(/\s+$/, ''));
  const collapsed: string[] = [];
  for (const l of lines) {
    if (l === '' && (collapsed.length === 0 || collapsed[collapsed.length - 1] === '')) continue;
    collapsed.push(l);
  }
  while (collapsed.length && collapsed[collapsed.length - 1] === '') collapsed.pop();
  return collapsed.length ? collapsed.join('\n') + '\n' : '';
}
