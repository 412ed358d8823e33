// indexLinkEntries (src/check/links.ts) finds the symlink records of `git ls-files -s -z`
// by searching for `NUL 120000 SP` instead of parsing every record (issue 14: ~50 ms of a
// commit hook on a 50,000-file index). It must agree with the record-by-record parse it
// replaced on any listing: paths that hold "120000 ", tabs, newlines, bytes that are not
// UTF-8; links first, last, adjacent; conflict stages; a listing without a final NUL.
// The real-git side (links in a staged commit) is covered by the gate's link scenarios.

import { describe, expect, it } from 'vitest';
import { indexLinkEntries } from '../../../src/check/links.js';
import { decodePath } from '../../../src/git/raw.js';

/** The parse indexZoneLinks used before (735b9ee), kept here as the reference. */
function referenceParse(stdout: Buffer): { path: string; blob: string }[] {
  const found: { path: string; blob: string }[] = [];
  for (let pos = 0; pos < stdout.length;) {
    const nul = stdout.indexOf(0, pos);
    const end = nul < 0 ? stdout.length : nul;
    const rec = stdout.subarray(pos, end);
    pos = end + 1;
    if (rec.subarray(0, 7).toString('latin1') !== '120000 ') continue;
    const tab = rec.indexOf(0x09);
    if (tab < 0) continue;
    const [, blob = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
    found.push({ path: decodePath(rec.subarray(tab + 1)), blob });
  }
  return found;
}

const OID = (n: number) => n.toString(16).padStart(40, '0');
const rec = (mode: string, n: number, stage: number, path: Buffer | string) =>
  Buffer.concat([
    Buffer.from(`${mode} ${OID(n)} ${stage}\t`, 'latin1'),
    typeof path === 'string' ? Buffer.from(path, 'utf8') : path,
    Buffer.from([0]),
  ]);

describe('indexLinkEntries agrees with the record-by-record parse', () => {
  it('named listings: links first, last, adjacent, and paths that spell a link record', () => {
    const cases: Buffer[] = [
      Buffer.alloc(0),
      rec('120000', 1, 0, 'evals/extra'),
      Buffer.concat([rec('120000', 1, 0, 'a'), rec('120000', 2, 0, 'b')]),
      Buffer.concat([rec('100644', 1, 0, 'x120000 y'), rec('120000', 2, 0, 'l')]),
      // a path holding "120000 " and a tab after a space: never a record start
      Buffer.concat([rec('100644', 3, 0, 'dir/120000 f\tg'), rec('100755', 4, 0, 'run')]),
      // conflict stages of a link
      Buffer.concat([
        rec('120000', 5, 1, 'evals/l'),
        rec('120000', 6, 2, 'evals/l'),
        rec('100644', 7, 3, 'evals/l'),
      ]),
      // not UTF-8, newlines in a path
      Buffer.concat([
        rec('120000', 8, 0, Buffer.from([0x65, 0xff, 0x0a, 0x41])),
        rec('40000', 9, 0, 'd'),
      ]),
      // a last record without its NUL, and one without a tab
      Buffer.concat([rec('100644', 1, 0, 'a'), Buffer.from(`120000 ${OID(2)} 0\tend`)]),
      Buffer.concat([rec('100644', 1, 0, 'a'), Buffer.from(`120000 ${OID(2)} 0 no-tab\0`)]),
      Buffer.from(`120000 ${OID(2)}`),
      // mode 1200000 or 120000 without the space is no link record
      Buffer.concat([rec('1200000', 1, 0, 'a'), rec('12000', 2, 0, 'b')]),
    ];
    for (const c of cases) expect(indexLinkEntries(c)).toEqual(referenceParse(c));
    expect(indexLinkEntries(cases[2]!)).toHaveLength(2);
  });

  it('random listings built from hostile pieces', () => {
    const pieces = ['120000 ', '\t', ' ', '\0', 'a', '/', '\n', '1', '0', '\u00e9', '\xff'];
    const modes = ['100644', '100755', '120000', '160000', '12000', '1200000'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let t = 0; t < 2000; t++) {
      const parts: Buffer[] = [];
      const count = rnd(8);
      for (let i = 0; i < count; i++) {
        if (rnd(5) === 0) {
          // raw noise, NULs included
          let s = '';
          for (let k = rnd(12); k > 0; k--) s += pieces[rnd(pieces.length)];
          parts.push(Buffer.from(s, 'latin1'));
          continue;
        }
        let path = '';
        for (let k = 1 + rnd(10); k > 0; k--) path += pieces[rnd(pieces.length)]!.replace('\0', '');
        parts.push(rec(modes[rnd(modes.length)]!, rnd(1000), rnd(4), Buffer.from(path, 'latin1')));
      }
      const b = Buffer.concat(parts);
      const cut = rnd(3) === 0 ? b.subarray(0, rnd(b.length + 1)) : b;
      expect(indexLinkEntries(cut)).toEqual(referenceParse(cut));
    }
  });
});
