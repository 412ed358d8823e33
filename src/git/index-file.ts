// Reading git's index file for one question: can it hold a symlink? Format (git's
// Documentation/gitformat-index.txt, read-cache.c): a 12-byte header (`DIRC`, version
// 2, 3 or 4, entry count), the entries, the extensions (4-byte signature, 4-byte size,
// data), then the file's hash. An entry is 40 bytes of stat data (the mode, 32 bits
// big-endian, at byte 24), the object id, 16 bits of flags (bit 14: 16 more bits of
// extended flags follow, version 3 and later; bits 0–11: the name's length, 0xFFF for
// longer), then the name: in versions 2 and 3 NUL-padded to a multiple of 8 bytes, in
// version 4 a varint (bytes dropped from the previous name) and a NUL-ended suffix.

/** A symlink (0120000) and a sparse index's directory entry (040000), by their type bits. */
const TYPE_MASK = 0o170000;
const SYMLINK = 0o120000;
const DIRECTORY = 0o040000;

/**
 * Whether the index file `buf` may hold a symlink entry: false only when every entry has
 * been walked and none is one. True (maybe: ask git) for anything else — a version other
 * than 2–4, an entry or extension running past the end, a split index (the `link`
 * extension: the entries are in sharedindex.*), a sparse index (the `sdir` extension,
 * or a directory entry: it stands for files git would list, links among them), or bytes
 * left over. `idBytes`: 20 (sha1) or 32 (sha256). Pure; never throws.
 */
export function indexMayHoldLinks(buf: Buffer, idBytes: number): boolean {
  const end = buf.length - idBytes; // the trailing hash
  if (end < 12 || buf.toString('latin1', 0, 4) !== 'DIRC') return true;
  const version = buf.readUInt32BE(4);
  if (version < 2 || version > 4) return true;
  const count = buf.readUInt32BE(8);
  let pos = 12;
  let previous = 0; // version 4: the previous name's length
  for (let i = 0; i < count; i++) {
    const flagsAt = pos + 40 + idBytes;
    if (flagsAt + 2 > end) return true;
    const type = buf.readUInt32BE(pos + 24) & TYPE_MASK;
    if (type === SYMLINK || type === DIRECTORY) return true;
    const flags = buf.readUInt16BE(flagsAt);
    const extended = (flags & 0x4000) !== 0;
    if (extended && version < 3) return true;
    let name = flagsAt + 2 + (extended ? 2 : 0);
    if (version === 4) {
      // read-cache.c decode_varint: 7 bits a byte, high bit "more", each continuation +1.
      if (name >= end) return true;
      let c = buf[name++]!;
      let strip = c & 127;
      while (c & 128) {
        if (name >= end || strip > 0xffffff) return true;
        c = buf[name++]!;
        strip = (strip + 1) * 128 + (c & 127);
      }
      const nul = buf.indexOf(0, name);
      if (nul < 0 || nul >= end || strip > previous) return true;
      previous = previous - strip + (nul - name);
      pos = nul + 1;
    } else {
      let length = flags & 0xfff;
      if (length === 0xfff) {
        const nul = buf.indexOf(0, name);
        if (nul < 0) return true;
        length = nul - name;
      }
      // read-cache.c align_flex_name: the entry, its name and 1–8 NULs, to 8 bytes.
      pos += (name - pos + length + 8) & ~7;
    }
    if (pos > end) return true;
  }
  while (pos + 8 <= end) {
    const signature = buf.toString('latin1', pos, pos + 4);
    if (signature === 'link' || signature === 'sdir') return true;
    pos += 8 + buf.readUInt32BE(pos + 4);
  }
  return pos !== end;
}
