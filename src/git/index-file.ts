// Reading git's index file for one question: can it hold a symlink? Format (git's
// Documentation/gitformat-index.txt, read-cache.c): a 12-byte header (`DIRC`, version
// 2, 3 or 4, entry count), the entries, the extensions (4-byte signature, 4-byte size,
// data), then the file's hash. An entry is 40 bytes of stat data (the mode, 32 bits
// big-endian, at byte 24), the object id, 16 bits of flags (bit 14: 16 more bits of
// extended flags follow, version 3 and later; bits 0–11: the name's length, 0xFFF for
// longer), then the name: in versions 2 and 3 NUL-padded to a multiple of 8 bytes, in
// version 4 a varint (bytes dropped from the previous name) and a NUL-ended suffix.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The bytes walked: `buf` holds the file's bytes from `start`, `length` of them (the whole
 * file for a buffer). `reach(pos, n)` makes [pos, pos + n) held, or answers false (past
 * the end, wider than the window).
 */
interface Bytes {
  readonly size: number;
  buf: Buffer;
  start: number;
  length: number;
  reach(pos: number, n: number): boolean;
}

/** The first NUL at or after `from` (a file position), reading on as needed; -1 when none is within reach. */
function nulFrom(b: Bytes, from: number): number {
  if (!b.reach(from, 1)) return -1;
  let i = b.buf.indexOf(0, from - b.start);
  if (i >= 0 && i < b.length) return b.start + i;
  // Past the window: read on from `from` once (a name wider than the window is maybe).
  if (b.start + b.length >= b.size || from === b.start) return -1;
  if (!b.reach(from, Math.min(b.size - from, b.buf.length))) return -1;
  i = b.buf.indexOf(0, 0);
  return i >= 0 && i < b.length ? b.start + i : -1;
}

/**
 * Whether the index file `buf` may hold a symlink entry: false only when every entry has
 * been walked and none is one. True (maybe: ask git) for anything else — a version other
 * than 2–4, an entry or extension running past the end, an extension other than the four
 * that cannot hide an entry (KNOWN: so a split index, a sparse one, offset tables), a
 * directory entry (a sparse index: it stands for files git would list, links among
 * them), or bytes left over. `idBytes`: 20 (sha1) or 32 (sha256). Pure; never throws.
 */
export function indexMayHoldLinks(buf: Buffer, idBytes: number): boolean {
  const size = buf.length;
  return walk({ size, buf, start: 0, length: size, reach: (pos, n) => pos + n <= size }, idBytes);
}

/**
 * `indexMayHoldLinks` of the file at `path`, read `window` bytes at a time (1 MiB: a
 * 150,000-entry index is 12 MB, and a buffer of that size costs its page faults on
 * every run). An entry wider than the window counts as maybe. @throws the file's read
 * errors (ENOENT: no index yet)
 */
export function indexFileMayHoldLinks(path: string, idBytes: number, window = 1 << 20): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.allocUnsafe(Math.max(1, Math.min(window, size)));
    const bytes: Bytes = {
      size,
      buf,
      start: 0,
      length: 0,
      reach(pos, n) {
        if (pos >= this.start && pos + n <= this.start + this.length) return true;
        if (pos + n > size || n > buf.length) return false;
        this.start = pos;
        this.length = 0;
        const want = Math.min(buf.length, size - pos);
        while (this.length < want) {
          const got = readSync(fd, buf, this.length, want - this.length, pos + this.length);
          if (got === 0) break;
          this.length += got;
        }
        return pos + n <= this.start + this.length;
      },
    };
    return walk(bytes, idBytes);
  } finally {
    closeSync(fd);
  }
}

/**
 * Extensions that add no entry and move none: the cache tree, resolve-undo, the
 * untracked cache, fsmonitor. Any other counts as maybe: `link` (split index: entries in
 * sharedindex.*), `sdir` (sparse), and `EOIE`/`IEOT`, whose offsets let git's threaded
 * loader read entries and extensions from elsewhere than this sequential walk (a crafted
 * index could show git a link this walk never reaches), and any git adds later.
 */
const KNOWN = new Set(['TREE', 'REUC', 'UNTR', 'FSMN']);

/** A symlink's (0120000) and a directory's (040000, a sparse index) type nibble in byte 26. */
const SYMLINK = 0xa0;
const DIRECTORY = 0x40;

function walk(b: Bytes, idBytes: number): boolean {
  const end = b.size - idBytes; // the trailing hash
  if (end < 12 || !b.reach(0, 12)) return true;
  const head = b.buf;
  if (head.toString('latin1', 0, 4) !== 'DIRC' || head[4] || head[5] || head[6]) return true;
  const version = head[7]!;
  if (version < 2 || version > 4) return true;
  const count = head.readUInt32BE(8);
  let pos = 12;
  let previous = 0; // version 4: the previous name's length
  const fixed = 40 + idBytes + 4; // stat data, id, flags, extended flags (within any entry)
  for (let i = 0; i < count; i++) {
    if (pos + fixed > end) return true;
    let at = pos - b.start;
    if (at < 0 || at + fixed > b.length) {
      if (!b.reach(pos, fixed)) return true;
      at = 0;
    }
    const buf = b.buf;
    const type = buf[at + 26]! & 0xf0;
    if (type === SYMLINK || type === DIRECTORY) return true;
    const flagsAt = at + 40 + idBytes;
    const flags = (buf[flagsAt]! << 8) | buf[flagsAt + 1]!;
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return true;
    let name = pos + 40 + idBytes + 2 + (extended ? 2 : 0); // a file position
    if (version === 4) {
      // read-cache.c decode_varint: 7 bits a byte, high bit "more", each continuation +1.
      if (!b.reach(name, 1)) return true;
      let c = b.buf[name++ - b.start]!;
      let strip = c & 127;
      while (c & 128) {
        if (name >= end || strip > 0xffffff || !b.reach(name, 1)) return true;
        c = b.buf[name++ - b.start]!;
        strip = (strip + 1) * 128 + (c & 127);
      }
      const nul = nulFrom(b, name);
      if (nul < 0 || nul >= end || strip > previous) return true;
      // read-cache.c create_from_disk sizes the entry from the flags' name length
      // (len - copied + 1 bytes), and reads to the NUL only for 0xFFF: a suffix whose
      // NUL is not where the flags say would be cut one way here and another by git
      // (a crafted index hid a link that way). Anything but agreement: ask git.
      const length = flags & 0xfff;
      if (length !== 0xfff && previous - strip + (nul - name) !== length) return true;
      previous = previous - strip + (nul - name);
      pos = nul + 1;
    } else {
      let length = flags & 0xfff;
      if (length === 0xfff) {
        const nul = nulFrom(b, name);
        if (nul < 0) return true;
        length = nul - name;
      }
      // read-cache.c align_flex_name: the entry, its name and 1–8 NULs, to 8 bytes.
      pos += (name - pos + length + 8) & ~7;
    }
    if (pos > end) return true;
  }
  while (pos + 8 <= end) {
    if (!b.reach(pos, 8)) return true;
    const at = pos - b.start;
    if (!KNOWN.has(b.buf.toString('latin1', at, at + 4))) return true;
    pos += 8 + b.buf.readUInt32BE(at + 4);
  }
  return pos !== end;
}
