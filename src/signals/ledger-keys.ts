// The ledger's key log, `ledger.keys`: which ledger lines hold which keys, so a commit finds
// the lines sharing a key with its staged content without reading the whole ledger (issue
// 14 §1: 100,000 entries are ~75 MiB of JSON; a lookup reads ~1 MiB of the key log and
// the few lines it names).
//
// A key is the first 8 hex digits of an entry's blob id or of one of its line hashes, as
// a u32 (keyOf). The file, all integers u32 little-endian unless said:
//
//   header (128 bytes): "CRLKEYS2" | version 2 | bucket bits (16)
//     | u64 dev | u64 ino | u64 size | u64 mtimeNs | u64 ctimeNs   (the ledger described)
//     | N base lines | P base postings | u64 base bytes | crc32 of the meta region
//     | T tail lines | crc32 of the tail
//   meta: 65,537 bucket starts (into the postings) | 65,536 bucket crc32s
//     | N+1 line start offsets (the last = base bytes)
//   postings: P × (key, line number), grouped by bucket (the key's top 16 bits)
//   tail: T records, one per ledger line appended since the base was built:
//     count | length (bytes, "\n" included) | count × key
//
// The base is built from the whole ledger (by a compaction, by the first append that finds
// no usable log, by a lookup that had to scan, or when the tail outgrows a share of the
// base); each append under the ledger's lock adds its lines' records to the tail and
// stamps the header last. A lookup reads the header and the meta region, the buckets of
// the wanted keys, and the tail.
//
// Why it can be trusted no further than the ledger, and never less than a full scan:
// - the header names the ledger it describes: device, inode, size, mtime and ctime (ns) as
//   the writer saw them right after its own write, under the ledger's lock. Any other
//   write to the ledger (a hand edit, an older cleanroom appending, a compaction by rename)
//   moves the ctime, which no user can set back: the key log is stale and the lookup
//   scans the whole ledger (then rebuilds the log);
// - a key log that is truncated or corrupt (the crc32 of the meta region, of every bucket
//   read and of the tail, and the shape: bucket starts and line offsets in order, line
//   numbers in range, lines adding up to the ledger's size), not a regular file, a
//   symlink, owned by another user or writable by group or others, is not used: full scan;
// - keys are prefixes, so equal ids have equal keys: the log can only name *more* lines
//   than match; each one named is read back from the ledger, must sit between line
//   boundaries (else: full scan), and is judged exactly as the full scan judges it.
// What it cannot detect is a log forged, crc32s and all, by someone who can write
// `.git/cleanroom/`: that person can as well delete the ledger's entries (the agent hooks
// refuse the agent writes there they recognise; a program the agent runs can still write
// anything its user can, docs/agents.md). The key log gives no power the ledger does not already
// give, and the server and CI never read either. Without zlib.crc32 (Node < 20.15) there
// is no key log: every lookup scans.

import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  statSync,
  writeSync,
  type BigIntStats,
} from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';

import * as zlib from 'node:zlib';

export const KEYS_FILE = 'ledger.keys';
const MAGIC = Buffer.from('CRLKEYS2');
const VERSION = 2;
const HEADER = 128;
const BUCKET_BITS = 16;
const BUCKETS = 1 << BUCKET_BITS;
/** Bytes of the meta region before the line offsets: bucket starts and bucket crc32s. */
const DIR_BYTES = 4 * (BUCKETS + 1) + 4 * BUCKETS;
/** Wanted buckets beyond this many: the postings are read whole rather than bucket by bucket. */
const MAX_BUCKET_READS = 2048;
/** The tail is folded into a new base once it has more lines than this and than base/8. */
export const MIN_TAIL_LINES = 2048;

const crc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;
/** Little-endian machine and zlib.crc32: else no key log is written or read (full scans). */
export const KEY_LOG_SUPPORTED = endianness() === 'LE' && typeof crc32 === 'function';

/** The identity the header records: a write by anyone moves at least the ctime. */
export interface LedgerIdentity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

export const identityOf = (st: BigIntStats): LedgerIdentity => ({
  dev: st.dev,
  ino: st.ino,
  size: st.size,
  mtimeNs: st.mtimeNs,
  ctimeNs: st.ctimeNs,
});

export const sameIdentity = (a: LedgerIdentity, b: LedgerIdentity): boolean =>
  a.dev === b.dev &&
  a.ino === b.ino &&
  a.size === b.size &&
  a.mtimeNs === b.mtimeNs &&
  a.ctimeNs === b.ctimeNs;

/** The ledger's identity at `file` now, or undefined when it is gone. */
export function statIdentity(file: string): LedgerIdentity | undefined {
  try {
    return identityOf(statSync(file, { bigint: true }));
  } catch {
    return undefined;
  }
}

const hexCode = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;

/** The key of an id or line hash: its first 8 lowercase hex digits as a u32; 0 when it has none. */
export function keyOf(s: string): number {
  if (s.length < 8) return 0;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const d = hexCode(s.charCodeAt(i));
    if (d < 0) return 0;
    n = n * 16 + d;
  }
  return n >>> 0;
}

/** keyOf for the bytes buf[p, end) (the same digits give the same key). */
export function keyAt(buf: Uint8Array, p: number, end: number): number {
  if (end - p < 8) return 0;
  let n = 0;
  for (let i = p; i < p + 8; i++) {
    const d = hexCode(buf[i]!);
    if (d < 0) return 0;
    n = n * 16 + d;
  }
  return n >>> 0;
}

/**
 * Appends the keys of one line, buf[start, end) (end excludes the "\n"), to `out`; returns
 * how many. Called for the lines of one buffer in order.
 */
export type KeysOfLine = (buf: Buffer, start: number, end: number, out: number[]) => number;

interface Header {
  id: LedgerIdentity;
  lines: number;
  postings: number;
  baseBytes: number;
  crcMeta: number;
  tailLines: number;
  crcTail: number;
}

function writeHeader(h: Header): Buffer {
  const b = Buffer.alloc(HEADER);
  MAGIC.copy(b, 0);
  b.writeUInt32LE(VERSION, 8);
  b.writeUInt32LE(BUCKET_BITS, 12);
  b.writeBigUInt64LE(h.id.dev, 16);
  b.writeBigUInt64LE(h.id.ino, 24);
  b.writeBigUInt64LE(h.id.size, 32);
  b.writeBigUInt64LE(h.id.mtimeNs, 40);
  b.writeBigUInt64LE(h.id.ctimeNs, 48);
  b.writeUInt32LE(h.lines, 56);
  b.writeUInt32LE(h.postings, 60);
  b.writeBigUInt64LE(BigInt(h.baseBytes), 64);
  b.writeUInt32LE(h.crcMeta, 72);
  b.writeUInt32LE(h.tailLines, 76);
  b.writeUInt32LE(h.crcTail, 80);
  return b;
}

function readHeader(b: Buffer): Header | undefined {
  if (
    b.length < HEADER ||
    !b.subarray(0, 8).equals(MAGIC) ||
    b.readUInt32LE(8) !== VERSION ||
    b.readUInt32LE(12) !== BUCKET_BITS
  )
    return undefined;
  const baseBytes = b.readBigUInt64LE(64);
  if (baseBytes > 0xffffffffn) return undefined;
  return {
    id: {
      dev: b.readBigUInt64LE(16),
      ino: b.readBigUInt64LE(24),
      size: b.readBigUInt64LE(32),
      mtimeNs: b.readBigUInt64LE(40),
      ctimeNs: b.readBigUInt64LE(48),
    },
    lines: b.readUInt32LE(56),
    postings: b.readUInt32LE(60),
    baseBytes: Number(baseBytes),
    crcMeta: b.readUInt32LE(72),
    tailLines: b.readUInt32LE(76),
    crcTail: b.readUInt32LE(80),
  };
}

const baseEnd = (h: Header): number => HEADER + DIR_BYTES + 4 * (h.lines + 1) + 8 * h.postings;

/**
 * The whole key log for ledger text `buf` (ending with "\n", under 4 GiB) whose identity is
 * `id`: everything in the base, an empty tail. Undefined when `buf` cannot have one: a torn
 * last line (it would join the next append's line) or a ledger of 4 GiB or more.
 */
export function buildKeyLog(
  buf: Buffer,
  id: LedgerIdentity,
  keysOfLine: KeysOfLine,
): Buffer | undefined {
  if (!KEY_LOG_SUPPORTED || buf.length > 0xffffffff) return undefined;
  if (buf.length && buf[buf.length - 1] !== 0x0a) return undefined;
  const starts: number[] = [0];
  const counts: number[] = [];
  const keys: number[] = [];
  for (let pos = 0; pos < buf.length;) {
    const end = buf.indexOf(0x0a, pos);
    counts.push(keysOfLine(buf, pos, end, keys));
    pos = end + 1;
    starts.push(pos);
  }
  const n = counts.length;
  const total = keys.length;
  const dir = new Uint32Array(BUCKETS + 1);
  for (let i = 0; i < total; i++) dir[(keys[i]! >>> 16) + 1]!++;
  for (let b = 0; b < BUCKETS; b++) dir[b + 1]! += dir[b]!;
  const fill = dir.slice(0, BUCKETS);
  const postings = new Uint32Array(2 * total);
  for (let line = 0, i = 0; line < n; line++)
    for (const last = i + counts[line]!; i < last; i++) {
      const k = keys[i]!;
      const at = 2 * fill[k >>> 16]!++;
      postings[at] = k;
      postings[at + 1] = line;
    }
  const postBytes = new Uint8Array(postings.buffer);
  const crcs = new Uint32Array(BUCKETS);
  for (let b = 0; b < BUCKETS; b++)
    crcs[b] = crc32!(postBytes.subarray(8 * dir[b]!, 8 * dir[b + 1]!));
  const meta = Buffer.concat([
    new Uint8Array(dir.buffer),
    new Uint8Array(crcs.buffer),
    new Uint8Array(Uint32Array.from(starts).buffer),
  ]);
  const header = writeHeader({
    id,
    lines: n,
    postings: total,
    baseBytes: buf.length,
    crcMeta: crc32!(meta),
    tailLines: 0,
    crcTail: 0,
  });
  return Buffer.concat([header, meta, postBytes]);
}

/**
 * Tail records for ledger text that one append adds (ending with "\n"): count | length |
 * keys per line. Undefined when the text does not end with "\n".
 */
export function keyRecords(buf: Buffer, keysOfLine: KeysOfLine): Buffer | undefined {
  if (buf.length && buf[buf.length - 1] !== 0x0a) return undefined;
  const words: number[] = [];
  for (let pos = 0; pos < buf.length;) {
    const end = buf.indexOf(0x0a, pos);
    const at = words.length;
    words.push(0, end + 1 - pos);
    words[at] = keysOfLine(buf, pos, end, words);
    pos = end + 1;
  }
  return Buffer.from(Uint32Array.from(words, (w) => w >>> 0).buffer);
}

/** Writes a whole key log (atomic: temp file, then rename; mode 0644). */
export function writeKeyLog(stateDir: string, log: Buffer): void {
  writeAtomic(join(stateDir, KEYS_FILE), log, 0o644);
}

/**
 * The key log's file descriptor when it is ours to trust: a regular file (not followed
 * through a symlink; O_NONBLOCK so a FIFO cannot hang us), owned by this user and by the
 * ledger's owner, writable by no one else. Undefined otherwise.
 */
function openOwn(stateDir: string, ledgerUid: bigint, flags: number): number | undefined {
  let fd: number;
  try {
    fd = openSync(join(stateDir, KEYS_FILE), flags | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (
      st.isFile() &&
      (st.mode & 0o022) === 0 &&
      (uid === undefined || (st.uid === uid && BigInt(uid) === ledgerUid))
    )
      return fd;
  } catch {
    // fall through: not usable
  }
  closeSync(fd);
  return undefined;
}

/** `length` bytes at `position`, in a buffer of its own (4-byte aligned for Uint32Array views). */
function readExactly(fd: number, length: number, position: number): Buffer | undefined {
  const b = Buffer.from(new ArrayBuffer(length));
  for (let got = 0; got < length;) {
    const n = readSync(fd, b, got, length - got, position + got);
    if (n <= 0) return undefined;
    got += n;
  }
  return b;
}

/**
 * After text was appended to the ledger under its lock: appends its records (`records`,
 * from keyRecords) to the key log's tail, when the log described the ledger exactly as it
 * was before (`before`), then stamps the header with `after`. Returns 'ok', 'fold' (done,
 * but the tail has outgrown its share: the caller rebuilds the base), or 'stale' (the log
 * was absent, stale or foreign and was not touched: the caller rebuilds it).
 */
export function appendKeyLog(
  stateDir: string,
  before: BigIntStats,
  after: BigIntStats,
  records: Buffer,
  lines: number,
): 'ok' | 'fold' | 'stale' {
  if (!KEY_LOG_SUPPORTED) return 'stale';
  const fd = openOwn(stateDir, after.uid, constants.O_RDWR);
  if (fd === undefined) return 'stale';
  try {
    const size = fstatSync(fd).size;
    const hb = readExactly(fd, HEADER, 0);
    const h = hb && readHeader(hb);
    if (!h || !sameIdentity(h.id, identityOf(before)) || size < baseEnd(h)) return 'stale';
    // Records first, header last: a reader that sees the new header sees the records too;
    // one that sees the old header finds it stale (the ledger's ctime moved) and scans.
    if (writeSync(fd, records, 0, records.length, size) !== records.length) return 'stale';
    const tailLines = h.tailLines + lines;
    writeSync(
      fd,
      writeHeader({ ...h, id: identityOf(after), tailLines, crcTail: crc32!(records, h.crcTail) }),
      0,
      HEADER,
      0,
    );
    return tailLines > MIN_TAIL_LINES && tailLines > h.lines / 8 ? 'fold' : 'ok';
  } catch {
    return 'stale';
  } finally {
    closeSync(fd);
  }
}

/** A line of the ledger the key log says may match: byte offset and length ("\n" included). */
export interface Candidate {
  offset: number;
  length: number;
}

/**
 * The ledger lines holding a key in `keys`, in file order, from the key log of the ledger
 * `st` — or undefined when the log cannot be trusted to describe that ledger (absent,
 * stale, truncated, corrupt, foreign: see the top of this file), so the caller scans in
 * full.
 */
export function keyLogCandidates(
  stateDir: string,
  st: BigIntStats,
  keys: ReadonlySet<number>,
): Candidate[] | undefined {
  if (!KEY_LOG_SUPPORTED) return undefined;
  const fd = openOwn(stateDir, st.uid, constants.O_RDONLY);
  if (fd === undefined) return undefined;
  try {
    return candidates(fd, st, keys);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function candidates(
  fd: number,
  st: BigIntStats,
  keys: ReadonlySet<number>,
): Candidate[] | undefined {
  const fileSize = fstatSync(fd).size;
  const hb = readExactly(fd, HEADER, 0);
  const h = hb && readHeader(hb);
  if (!h || !sameIdentity(h.id, identityOf(st))) return undefined;
  const n = h.lines;
  const end = baseEnd(h);
  if (end > fileSize || h.baseBytes > Number(st.size) || n > h.baseBytes) return undefined;
  const meta = readExactly(fd, DIR_BYTES + 4 * (n + 1), HEADER);
  if (!meta || crc32!(meta) !== h.crcMeta) return undefined;
  const words = new Uint32Array(meta.buffer, meta.byteOffset, meta.length / 4);
  const dir = words.subarray(0, BUCKETS + 1);
  const crcs = words.subarray(BUCKETS + 1, 2 * BUCKETS + 1);
  const starts = words.subarray(2 * BUCKETS + 1);
  // Only the bucket starts and line offsets this lookup uses are checked for shape (the
  // crc32 above already vouches for the region; these keep a forged one from reading out
  // of range): a whole-region check would cost more than the lookup.
  const lines = new Set<number>();
  const buckets = [...new Set([...keys].map((k) => k >>> 16))].sort((a, b) => a - b);
  const postStart = HEADER + DIR_BYTES + 4 * (n + 1);
  const all =
    buckets.length > MAX_BUCKET_READS ? readExactly(fd, 8 * h.postings, postStart) : undefined;
  if (buckets.length > MAX_BUCKET_READS && !all) return undefined;
  for (const b of buckets) {
    const lo = dir[b]!;
    const hi = dir[b + 1]!;
    if (hi < lo || hi > h.postings) return undefined;
    const from = 8 * lo;
    const len = 8 * (hi - lo);
    const raw = !len
      ? Buffer.alloc(0)
      : all
        ? all.subarray(from, from + len)
        : readExactly(fd, len, postStart + from);
    if (!raw || crc32!(raw) !== crcs[b]) return undefined;
    for (let i = 0; i < len; i += 8) {
      const k = raw.readUInt32LE(i);
      const line = raw.readUInt32LE(i + 4);
      if (k >>> 16 !== b || line >= n) return undefined;
      if (keys.has(k)) lines.add(line);
    }
  }
  const out: Candidate[] = [];
  for (const i of [...lines].sort((a, b) => a - b)) {
    const from = starts[i]!;
    const to = starts[i + 1]!;
    if (to <= from || to > h.baseBytes) return undefined;
    out.push({ offset: from, length: to - from });
  }

  // The tail: records since the base, walked in full (it is kept small). A line of L ≥ 1
  // bytes has a record of 8 bytes plus 4 per key, and at most one key per 4 bytes of it
  // (`"x",`): at most 9·L. A tail larger than that for the ledger's size is not ours.
  if (fileSize - end > 9 * (Number(st.size) - h.baseBytes)) return undefined;
  const tail = readExactly(fd, fileSize - end, end);
  if (!tail || tail.length % 4 || crc32!(tail) !== h.crcTail) return undefined;
  const t = new Uint32Array(tail.buffer, tail.byteOffset, tail.length / 4);
  const total = Number(st.size);
  let offset = h.baseBytes;
  let seen = 0;
  for (let i = 0; i < t.length;) {
    if (i + 2 > t.length) return undefined;
    const count = t[i]!;
    const length = t[i + 1]!;
    const first = i + 2;
    const last = first + count;
    if (length === 0 || last > t.length) return undefined;
    for (let j = first; j < last; j++)
      if (keys.has(t[j]!)) {
        out.push({ offset, length });
        break;
      }
    offset += length;
    seen++;
    i = last;
  }
  return offset === total && seen === h.tailLines ? out : undefined;
}
