// The provenance ledger: what agents wrote, recorded by the agent hooks and matched at
// commit time. One JSON object per line in `<git-path cleanroom>/ledger.jsonl`:
//
//   {"v":1,"time":"2026-11-24T09:12:03.120Z","tool":"claude-code","model":"opus-4.5",
//    "session":"1a2b3c4d…","path":"evals/harness/run.py","blob":"8e27be7…",
//    "lines":["3f1c0a9b22de","…"]}
//
// `blob` is the git blob id of the whole file right after the agent wrote it (computed
// here exactly as git does: sha1 or sha256 of "blob <len>\0" + content), so a staged
// file with that content is found without spawning git, whatever its path now is.
// `lines` are short hashes of the lines the agent itself emitted (normalised: trimmed,
// whitespace runs collapsed, trivial lines skipped), so its lines pasted into another
// file are still found. Paths never decide a match: a renamed or copied file is caught.
//
// Writers append one line each under a lock file (several agents may write at once);
// compaction rewrites the file without the entries whose content is gone from the
// work tree and the index, under the same lock, and renames it into place.

import * as crypto from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import type { ToolId } from '../core/types.js';
import { withFileLock } from '../fs/lock.js';
import { openRegular } from '../fsutil.js';
import { CleanroomError } from '../errors.js';
import { isObjectId } from '../git/object-id.js';
import {
  appendKeyLog,
  buildKeyLog,
  identityOf,
  keyAt,
  keyLogCandidates,
  keyOf,
  keyRecords,
  sameIdentity,
  statIdentity,
  writeKeyLog,
} from './ledger-keys.js';

import { LEDGER_FILE, ledgerPath, ledgerSize } from './ledger-file.js';

export { LEDGER_FILE, ledgerPath, ledgerSize };
const LOCK_FILE = 'ledger.lock';
/** The ledger's size in bytes right after the last compaction (decimal text). */
const COMPACTED_FILE = 'ledger.compacted';
/**
 * A ledger over its size bound is compacted again only once it has grown by this factor
 * since the last compaction: a ledger whose entries are all still live (an agent that
 * keeps many files) would otherwise be rewritten on every write — seconds per write.
 */
export const COMPACT_GROWTH = 2;

export interface LedgerEntry {
  time: string;
  tool: ToolId;
  model?: string;
  session: string;
  path: string;
  blob: string;
  lines: string[];
}

// ---- pure parts ------------------------------------------------------------------

/** Lines that say nothing about who wrote them: braces, `else:`, `import os`, blanks. */
export const MIN_LINE_CHARS = 12;
/** A file is attributed by line matches alone once the matched lines hold this many characters. */
export const MIN_MATCHED_CHARS = 80;

export function normalizeLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

export const isTrivialLine = (normalized: string): boolean =>
  normalized.length < MIN_LINE_CHARS || !/[\p{L}\p{N}]/u.test(normalized);

// crypto.hash (Node ≥ 20.12) is a third of createHash's cost, which adds up over every line of a commit.
const sha1hex: (s: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (s) =>
        (crypto as unknown as { hash(a: string, d: string, e: string): string }).hash(
          'sha1',
          s,
          'hex',
        )
    : (s) => crypto.createHash('sha1').update(s).digest('hex');

export const lineHash = (normalized: string): string => sha1hex(normalized).slice(0, 12);

export interface HashedLine {
  hash: string;
  chars: number;
  /** 1-based line number in the content. */
  line: number;
}

/** The non-trivial lines of `text`, normalised, with their hashes (in order, repeats kept). */
export function hashedLines(text: string): HashedLine[] {
  const out: HashedLine[] = [];
  const raws = text.split('\n');
  for (let i = 0; i < raws.length; i++) {
    const n = normalizeLine(raws[i]!);
    if (!isTrivialLine(n)) out.push({ hash: lineHash(n), chars: n.length, line: i + 1 });
  }
  return out;
}

/** The hashed lines of file content; none for binary content (a NUL in the first 8000 bytes, as git judges). */
export const contentLines = (content: Buffer | undefined): HashedLine[] =>
  !content || content.subarray(0, 8000).includes(0) ? [] : hashedLines(content.toString('utf8'));

/** Distinct line hashes of `text`, for a ledger entry. */
export const lineHashes = (text: string): string[] => [
  ...new Set(hashedLines(text).map((l) => l.hash)),
];

/** The blob id git gives `content` (`git hash-object`), without spawning git. */
export function blobId(content: Buffer | string, format: 'sha1' | 'sha256'): string {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return crypto.createHash(format).update(`blob ${buf.length}\0`).update(buf).digest('hex');
}

export function formatEntry(e: LedgerEntry): string {
  const o: Record<string, unknown> = { v: 1, time: e.time, tool: e.tool };
  if (e.model) o.model = e.model;
  Object.assign(o, { session: e.session, path: e.path, blob: e.blob, lines: e.lines });
  return JSON.stringify(o) + '\n';
}

/** Parses ledger text; lines that are not entries (a torn write, a hand edit) are counted and skipped. */
export function parseLedger(text: string): { entries: LedgerEntry[]; skipped: number } {
  const entries: LedgerEntry[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (
        o.v !== 1 ||
        typeof o.tool !== 'string' ||
        typeof o.path !== 'string' ||
        typeof o.blob !== 'string' ||
        !isObjectId(o.blob)
      ) {
        skipped++;
        continue;
      }
      const lines = Array.isArray(o.lines)
        ? o.lines.filter((h): h is string => typeof h === 'string')
        : [];
      const e: LedgerEntry = {
        time: String(o.time ?? ''),
        tool: o.tool,
        session: typeof o.session === 'string' ? o.session : '',
        path: o.path,
        blob: o.blob,
        lines,
      };
      if (typeof o.model === 'string' && o.model) e.model = o.model;
      entries.push(e);
    } catch {
      skipped++;
    }
  }
  return { entries, skipped };
}

/** What commit-time matching looks for: the staged blob ids and the line hashes of their content. */
export interface Wanted {
  blobs: ReadonlySet<string>;
  lines: ReadonlySet<string>;
}

const BLOB_NAME = Buffer.from('"blob"');
const LINES_NAME = Buffer.from('"lines"');

const hex = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;

/** The first 5 hex digits at `buf[p…]` as a number (a 20-bit bucket), or -1. */
function bucketAt(buf: Buffer, p: number): number {
  let n = 0;
  for (let i = p; i < p + 5; i++) {
    const d = hex(buf[i]!);
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/**
 * Where a ledger line in the shape formatEntry writes keeps its keys, read from the bytes:
 * the blob id at [blob, blobEnd) (blob −1: the line has none) and `count` line hashes of 12
 * hex digits, the i-th at `lines + 15·i`. Undefined for any other shape — the caller then
 * parses the line with JSON.parse, so a hand-made line is never judged by its looks.
 * The shape is strict so that the bytes say what JSON.parse would: no backslash (an
 * escape could spell a key, `"bl\u006fb"`, or hide a quote), `"blob"` and `"lines"` each
 * at most once (JSON.parse keeps the last of duplicate keys), `"blob":"…"` and
 * `"lines":["<12 hex>",…]` exactly, without spaces. Without escapes a `"blob"` token can
 * only be a key; one in a nested object, which JSON.parse would not take as the entry's,
 * only makes the line a candidate more.
 */
export function canonicalKeys(
  buf: Buffer,
  pos: number,
  end: number,
  cur: LineCursor = newCursor(),
): { blob: number; blobEnd: number; lines: number; count: number } | undefined {
  cur.bs = nextAt(buf, 0x5c, cur.bs, pos);
  if (cur.bs >= 0 && cur.bs < end) return undefined;
  let blob = -1;
  let blobEnd = -1;
  cur.blob = nextAt(buf, BLOB_NAME, cur.blob, pos);
  const b = cur.blob;
  if (b >= 0 && b < end) {
    cur.blob = buf.indexOf(BLOB_NAME, b + 1);
    if ((cur.blob >= 0 && cur.blob < end) || buf[b + 6] !== 0x3a || buf[b + 7] !== 0x22)
      return undefined;
    const e = buf.indexOf(0x22, b + 8);
    if (e < 0 || e >= end) return undefined;
    blob = b + 8;
    blobEnd = e;
  }
  cur.lines = nextAt(buf, LINES_NAME, cur.lines, pos);
  const l = cur.lines;
  if (l < 0 || l >= end) return { blob, blobEnd, lines: -1, count: 0 };
  cur.lines = buf.indexOf(LINES_NAME, l + 1);
  if ((cur.lines >= 0 && cur.lines < end) || buf[l + 7] !== 0x3a || buf[l + 8] !== 0x5b)
    return undefined;
  let p = l + 9;
  let count = 0;
  if (p >= end) return undefined;
  if (buf[p] !== 0x5d) {
    // "3f1c0a9b22de","…"]: 12 lowercase hex digits in quotes, 15 bytes apart.
    for (;;) {
      if (p + 14 >= end || buf[p] !== 0x22 || buf[p + 13] !== 0x22) return undefined;
      for (let i = p + 1; i < p + 13; i++) if (HEX[buf[i]!] === 0) return undefined;
      count++;
      const next = buf[p + 14];
      if (next === 0x5d) break;
      if (next !== 0x2c) return undefined;
      p += 15;
    }
  }
  return { blob, blobEnd, lines: l + 9, count };
}

/** 1 for the bytes of lowercase hex digits. */
const HEX = new Uint8Array(256);
for (const c of Buffer.from('0123456789abcdef')) HEX[c] = 1;

/**
 * Where the next backslash, `"blob"` and `"lines"` are in a buffer read line after line
 * (−2: not looked for yet; −1: none left): each byte is searched once for the whole
 * buffer, not once per line (Buffer#indexOf's own cost dominated a 100,000-line scan).
 */
export interface LineCursor {
  bs: number;
  blob: number;
  lines: number;
}
export const newCursor = (): LineCursor => ({ bs: -2, blob: -2, lines: -2 });

/** The first occurrence of `needle` at or after `pos`, reusing `known` when it still holds. */
const nextAt = (buf: Buffer, needle: number | Buffer, known: number, pos: number): number =>
  known === -1 || known >= pos ? known : buf.indexOf(needle, pos);

/**
 * The entries that can matter for `want`, without decoding the others: a ledger of
 * 10,000 entries holds some 400,000 line hashes, and a commit needs the few that its
 * staged content shares. Each hash is first looked up by its 20-bit prefix in a bitmap
 * of the wanted ones (nothing allocated for the 99.6% that miss). Lines are read in the
 * shape formatEntry writes (canonicalKeys); any other shape (a hand edit) is parsed in
 * full, so it is never silently ignored. This is the full scan: lookupLedger uses the
 * key log when it can, and must always agree with this.
 */
export function scanLedger(buf: Buffer, want: Wanted): LedgerEntry[] {
  const buckets = new Uint8Array(1 << 20);
  for (const h of want.lines) {
    const k = parseInt(h.slice(0, 5), 16);
    if (k >= 0) buckets[k] = 1;
  }
  const out: LedgerEntry[] = [];
  const cur = newCursor();
  for (let pos = 0; pos < buf.length;) {
    let end = buf.indexOf(0x0a, pos);
    if (end < 0) end = buf.length;
    if (end > pos && relevant(buf, pos, end, want, buckets, cur))
      out.push(...parseLedger(buf.toString('utf8', pos, end)).entries);
    pos = end + 1;
  }
  return out;
}

function relevant(
  buf: Buffer,
  pos: number,
  end: number,
  want: Wanted,
  buckets: Uint8Array,
  cur: LineCursor,
): boolean {
  const k = canonicalKeys(buf, pos, end, cur);
  if (!k) return true; // not our shape: let the parser decide
  if (k.blob >= 0 && want.blobs.has(buf.toString('latin1', k.blob, k.blobEnd))) return true;
  for (let i = 0, p = k.lines; i < k.count; i++, p += 15) {
    const b = bucketAt(buf, p + 1);
    if (buckets[b] && want.lines.has(buf.toString('latin1', p + 1, p + 13))) return true;
  }
  return false;
}

/**
 * The keys (src/signals/ledger-keys.ts) of one ledger line, buf[start, end): its blob id's
 * and its line hashes'. A line in any other shape than formatEntry's is parsed as the full
 * scan parses it; one that is no entry has no key (the full scan drops it too). The keys
 * are appended to `out`; returns how many. Lines are read in order with one cursor.
 */
export function keysOfLine(
  buf: Buffer,
  start: number,
  end: number,
  out: number[],
  cur: LineCursor,
): number {
  const k = canonicalKeys(buf, start, end, cur);
  const before = out.length;
  if (k) {
    if (k.blob >= 0) out.push(keyAt(buf, k.blob, k.blobEnd));
    for (let i = 0, p = k.lines + 1; i < k.count; i++, p += 15) out.push(keyAt(buf, p, p + 12));
  } else {
    const e = parseLedger(buf.toString('utf8', start, end)).entries[0];
    if (e) out.push(keyOf(e.blob), ...e.lines.map(keyOf));
  }
  return out.length - before;
}

export interface LedgerIndex {
  readonly size: number;
  readonly byBlob: ReadonlyMap<string, LedgerEntry[]>;
  /** Line hash → the latest entry that wrote it. */
  readonly byLine: ReadonlyMap<string, LedgerEntry>;
  /** Line hash → the paths the ledger saw it written to. */
  readonly linePaths: ReadonlyMap<string, ReadonlySet<string>>;
}

export function indexLedger(entries: readonly LedgerEntry[]): LedgerIndex {
  const byBlob = new Map<string, LedgerEntry[]>();
  const byLine = new Map<string, LedgerEntry>();
  const paths = new Map<string, Set<string>>();
  for (const e of entries) {
    const list = byBlob.get(e.blob);
    if (list) list.push(e);
    else byBlob.set(e.blob, [e]);
    for (const h of e.lines) {
      byLine.set(h, e);
      const p = paths.get(h);
      if (p) p.add(e.path);
      else paths.set(h, new Set([e.path]));
    }
  }
  return { size: entries.length, byBlob, byLine, linePaths: paths };
}

/** What the ledger says about one file's content, per tool. */
export interface ToolMatch {
  tool: ToolId;
  /** The content is byte for byte what this tool left in a file. */
  exact: boolean;
  /** Non-trivial lines of the content this tool wrote, and how many there are in all. */
  matched: number;
  total: number;
  /** 1-based numbers of the content's lines that matched (empty for an exact match alone). */
  lines: number[];
  /** The most recent entry behind the match (session, model, where it was written). */
  entry: LedgerEntry;
}

/**
 * Which tools wrote (some of) `content`. A tool counts when the blob is one it left,
 * or when its lines in the content carry at least MIN_MATCHED_CHARS characters — so a
 * pasted block or a long data line is caught, and a shared `import numpy as np` is not.
 * Shared lines are not provenance: lines in `shared` (already elsewhere in the
 * repository, e.g. a licence header at HEAD in a file no agent wrote) do not count.
 */
export function matchContent(
  index: LedgerIndex,
  blob: string,
  lines: readonly HashedLine[],
  shared: ReadonlySet<string> = new Set(),
): ToolMatch[] {
  const byTool = new Map<
    ToolId,
    { exact: boolean; matched: number; chars: number; lines: number[]; entry: LedgerEntry }
  >();
  const latest = (a: LedgerEntry, b: LedgerEntry): LedgerEntry => (b.time > a.time ? b : a);
  for (const e of index.byBlob.get(blob) ?? []) {
    const t = byTool.get(e.tool);
    byTool.set(e.tool, {
      exact: true,
      matched: 0,
      chars: 0,
      lines: [],
      entry: t ? latest(t.entry, e) : e,
    });
  }
  const total = lines.length;
  for (const l of lines) {
    const e = index.byLine.get(l.hash);
    if (!e || shared.has(l.hash)) continue;
    const t = byTool.get(e.tool) ?? { exact: false, matched: 0, chars: 0, lines: [], entry: e };
    t.matched++;
    t.chars += l.chars;
    t.lines.push(l.line);
    t.entry = t.exact ? t.entry : latest(t.entry, e);
    byTool.set(e.tool, t);
  }
  const out: ToolMatch[] = [];
  for (const [tool, t] of byTool) {
    if (t.exact || t.chars >= MIN_MATCHED_CHARS)
      out.push({ tool, exact: t.exact, matched: t.matched, total, lines: t.lines, entry: t.entry });
  }
  return out.sort((a, b) => a.tool.localeCompare(b.tool));
}

/** "3, 7–9, 12" for line numbers in order. */
export function lineRanges(lines: readonly number[], max = 8): string {
  const parts: string[] = [];
  for (let i = 0; i < lines.length;) {
    let j = i;
    while (j + 1 < lines.length && lines[j + 1] === lines[j]! + 1) j++;
    parts.push(j > i ? `${lines[i]}–${lines[j]}` : `${lines[i]}`);
    i = j + 1;
  }
  return parts.length > max ? `${parts.slice(0, max).join(', ')}, …` : parts.join(', ');
}

/** What still exists: blob ids in the index or work tree, and each ledger path's current line hashes. */
export interface LiveContent {
  blobs: ReadonlySet<string>;
  linesByPath: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * Entries worth keeping: their content is still in the index or work tree, or their
 * path still holds some of their lines (earlier edits of a file the agent kept
 * editing). Repeats of the same write collapse to the latest.
 */
export function compactEntries(entries: readonly LedgerEntry[], live: LiveContent): LedgerEntry[] {
  const seen = new Set<string>();
  const out: LedgerEntry[] = [];
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const key = `${e.tool}\0${e.session}\0${e.path}\0${e.blob}\0${e.lines.join(',')}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const here = live.linesByPath.get(e.path);
    if (live.blobs.has(e.blob) || (here && e.lines.some((h) => here.has(h)))) out.push(e);
  }
  return out.reverse();
}

// ---- files -----------------------------------------------------------------------

export function readLedger(stateDir: string): { entries: LedgerEntry[]; skipped: number } {
  let text: string;
  try {
    text = readRegular(ledgerPath(stateDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], skipped: 0 };
    throw notRegular(e, stateDir);
  }
  return parseLedger(text);
}

/** A lock held for milliseconds; one older than this was left by a killed process. */
const STALE_LOCK_MS = 30_000;

/**
 * Runs `fn` holding `<stateDir>/ledger.lock` (see withFileLock in src/fs/lock.ts: a token
 * in the lock, take-over of a stale lock by atomic rename, compare before release).
 */
export function withLedgerLock<T>(
  stateDir: string,
  fn: () => T,
  timeoutMs = 10_000,
  staleMs = STALE_LOCK_MS,
): T {
  mkdirSync(stateDir, { recursive: true });
  const lock = join(stateDir, LOCK_FILE);
  return withFileLock(lock, fn, {
    timeoutMs,
    staleMs,
    busy: `the ledger is locked (${lock}) — if no agent is running, delete that file`,
  });
}

/** keysOfLine for one pass over one buffer (its own cursor). */
function lineKeys(): (buf: Buffer, start: number, end: number, out: number[]) => number {
  const cur = newCursor();
  return (buf, start, end, out) => keysOfLine(buf, start, end, out, cur);
}

/** The ledger's stat (ns precision), or undefined when there is none. */
function statLedger(file: string): BigIntStats | undefined {
  try {
    return statSync(file, { bigint: true });
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the key log from the whole ledger. The caller holds the lock. A ledger whose
 * last line is torn (no newline) gets no key log: lookups scan it until the next append.
 */
function rebuildKeyLogLocked(stateDir: string, known?: { buf: Buffer; st: BigIntStats }): void {
  const file = ledgerPath(stateDir);
  if (known) {
    // The caller read the whole ledger already: reused while the file is still that one.
    const now = statIdentity(file);
    if (!now || !sameIdentity(now, identityOf(known.st))) return;
    const log = buildKeyLog(known.buf, identityOf(known.st), lineKeys());
    if (log && known.buf.length === Number(known.st.size)) writeKeyLog(stateDir, log);
    return;
  }
  let fd: number;
  try {
    fd = openRegular(file);
  } catch {
    return;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const log = buildKeyLog(readFileSync(fd), identityOf(st), lineKeys());
    if (log && sameIdentity(identityOf(st), identityOf(fstatSync(fd, { bigint: true }))))
      writeKeyLog(stateDir, log);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends entries under the lock, and keeps the key log (src/signals/ledger-keys.ts) in
 * step: the new lines' records are appended to it when it described the ledger exactly as
 * it was; otherwise (absent, stale, foreign) it is rebuilt from the whole ledger — once,
 * after which appends are incremental again. A key log that cannot be written costs
 * nothing but speed: lookups then scan the ledger.
 */
export function appendEntries(stateDir: string, entries: readonly LedgerEntry[]): void {
  if (!entries.length) return;
  const text = entries.map(formatEntry).join('');
  withLedgerLock(stateDir, () => {
    const file = ledgerPath(stateDir);
    const before = statLedger(file);
    appendFileSync(file, text, { mode: 0o644 });
    try {
      const after = statSync(file, { bigint: true });
      if (!before || before.size === 0n) {
        const log = buildKeyLog(Buffer.from(text), identityOf(after), lineKeys());
        if (log && after.size === BigInt(Buffer.byteLength(text))) writeKeyLog(stateDir, log);
        return;
      }
      const records = keyRecords(Buffer.from(text), lineKeys())!;
      // 'stale' also for a torn last line before ours: no key log ever described it.
      if (appendKeyLog(stateDir, before, after, records, entries.length) !== 'ok')
        rebuildKeyLogLocked(stateDir);
    } catch {
      // only speed is lost: the next lookup scans the ledger and rebuilds the key log
    }
  });
}

/** What lookupLedger found, and whether the key log answered (false: a full scan). */
export interface LedgerLookup {
  entries: LedgerEntry[];
  indexed: boolean;
}

/** Candidates beyond this many are read in one read of the whole ledger. */
const MAX_RANGE_READS = 256;

/**
 * The ledger entries that share a blob id or a line hash with `want` — the entries
 * scanLedger finds, in the same order — through the key log when it describes this very
 * ledger (src/signals/ledger-keys.ts), else by a full scan, after which the key log is
 * rebuilt (without waiting for the lock: an agent hook that holds it is writing). Every
 * doubt falls back to the full scan: the key log can only cost speed, never a match.
 */
export function lookupLedger(stateDir: string, want: Wanted): LedgerLookup {
  const file = ledgerPath(stateDir);
  let fd: number;
  try {
    fd = openRegular(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], indexed: false };
    throw notRegular(e, stateDir);
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const keys = new Set<number>();
    for (const b of want.blobs) keys.add(keyOf(b));
    for (const l of want.lines) keys.add(keyOf(l));
    const found = keyLogCandidates(stateDir, st, keys);
    const read = found && readCandidates(fd, found, Number(st.size));
    if (read) {
      // The same test as the full scan, on the named lines only: equal results by construction.
      const entries = scanLedger(read, want);
      return { entries, indexed: true };
    }
    const buf = readFileSync(fd);
    const entries = scanLedger(buf, want);
    try {
      withLedgerLock(stateDir, () => rebuildKeyLogLocked(stateDir, { buf, st }), 0);
    } catch {
      // busy or read-only: the next lookup scans again
    }
    return { entries, indexed: false };
  } finally {
    closeSync(fd);
  }
}

/**
 * The named lines of the ledger, joined (each ends with its newline), or undefined when one
 * of them does not sit between line boundaries — a key log that lies about the ledger.
 */
function readCandidates(
  fd: number,
  found: readonly { offset: number; length: number }[],
  size: number,
): Buffer | undefined {
  if (!found.length) return Buffer.alloc(0);
  const all = found.length > MAX_RANGE_READS ? readFileSync(fd) : undefined;
  if (all && all.length !== size) return undefined;
  const parts: Buffer[] = [];
  for (const { offset, length } of found) {
    let part: Buffer;
    if (all) part = all.subarray(Math.max(0, offset - 1), offset + length);
    else {
      const from = Math.max(0, offset - 1);
      part = Buffer.alloc(offset + length - from);
      if (readSync(fd, part, 0, part.length, from) !== part.length) return undefined;
    }
    if (part[part.length - 1] !== 0x0a || (offset > 0 && part[0] !== 0x0a)) return undefined;
    parts.push(offset > 0 ? part.subarray(1) : part);
  }
  return Buffer.concat(parts);
}

/**
 * Is a compaction due? The ledger (bytes) is over `maxBytes` and at least COMPACT_GROWTH
 * times the size the last compaction left (`ledger.compacted`), so the cost of
 * compacting is spread over at least as many bytes of appends as it rewrites: amortised
 * O(1) per write at any ledger size. The marker is only a hint: missing, unreadable,
 * not a number, or larger than the ledger (replaced, truncated) counts as "never
 * compacted". Whoever can write it can only delay a compaction, which loses nothing (a
 * compaction only drops entries; the commit-time lookup reads them all).
 */
export function compactionDue(stateDir: string, maxBytes: number): boolean {
  const size = ledgerSize(stateDir);
  if (size <= maxBytes) return false;
  let last = 0;
  try {
    const n = Number(readFileSync(join(stateDir, COMPACTED_FILE), 'utf8').trim());
    if (Number.isSafeInteger(n) && n > 0 && n <= size) last = n;
  } catch {
    // never compacted
  }
  return size >= COMPACT_GROWTH * last;
}

/**
 * Rewrites the ledger keeping what `live` still holds; returns [before, after] entry
 * counts. Records the size it left in `ledger.compacted` (see compactionDue).
 */
export function compactLedger(
  stateDir: string,
  live: (entries: readonly LedgerEntry[]) => LiveContent,
): [number, number] {
  return withLedgerLock(stateDir, () => {
    const file = ledgerPath(stateDir);
    if (!existsSync(file)) return [0, 0];
    const { entries } = parseLedger(readFileSync(file, 'utf8'));
    const kept = compactEntries(entries, live(entries));
    const tmp = `${file}.${process.pid}.tmp`;
    const text = kept.map(formatEntry).join('');
    writeFileSync(tmp, text);
    renameSync(tmp, file);
    try {
      // The compacted ledger is a new file (a new inode): its key log is written afresh.
      const st = statSync(file, { bigint: true });
      const log = buildKeyLog(Buffer.from(text), identityOf(st), lineKeys());
      if (log && st.size === BigInt(Buffer.byteLength(text))) writeKeyLog(stateDir, log);
    } catch {
      // only speed is lost: the next lookup scans and rebuilds
    }
    try {
      writeFileSync(join(stateDir, COMPACTED_FILE), `${Buffer.byteLength(text)}\n`);
    } catch {
      // only a hint: the next write compacts again
    }
    return [entries.length, kept.length];
  });
}

/** The ledger's text, read through `openRegular` (never blocks on a FIFO). */
function readRegular(file: string): string {
  const fd = openRegular(file);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** A ledger that is not a regular file: fail closed, saying what to do. */
function notRegular(e: unknown, stateDir: string): unknown {
  if ((e as NodeJS.ErrnoException).code !== 'ENOTREG') return e;
  return new CleanroomError(
    'input',
    `${ledgerPath(stateDir)} is not a regular file (a FIFO, a device or a directory put there)`,
    'remove it (the agent hooks write a new ledger), then commit again',
  );
}
