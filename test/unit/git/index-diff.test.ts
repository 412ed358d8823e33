// Issue 14 §4: `parseIndexDiff` reads `git diff-index --raw -z --no-renames` output
// straight from the buffer. Wherever it answers, the answer must be what the general
// parsers give (parseRawEntries over splitZ, and addDeleteCounts); wherever the input is
// not of the plain form it must decline (undefined), so the general parsers decide and
// give their errors. Random outputs: valid records (sha1 and sha256 ids, every plain
// status, names with spaces, newlines, colons, invalid UTF-8, empty), renames and
// copies, merge records, and broken ones; each also cut into pieces, as git's pipe
// gives its output (runGitChunks), which must not change the answer.

import { describe, expect, it } from 'vitest';
import { prng } from '../../helpers/prng.js';
import { parseIndexDiff } from '../../../src/git/staged.js';
import { parseRawEntries } from '../../../src/git/raw.js';
import { splitZ } from '../../../src/git/git.js';
import { addDeleteCounts } from '../../../src/git/renames.js';

const NAMES: Buffer[] = [
  Buffer.from('evals/tasks/q1.json'),
  Buffer.from('a b/c d.txt'),
  Buffer.from('line\nbreak'),
  Buffer.from(':100644 100644 x y M'),
  Buffer.from('café/é.json'),
  Buffer.from([0x66, 0xff, 0xfe, 0x2f, 0x78]), // not UTF-8
  Buffer.from('\ufeffevals/tasks/bom.json'), // a BOM first: the decoder drops it
  Buffer.from('evals/\ufeff/x'),
  Buffer.from([0xef, 0xbb]), // a BOM cut short
  Buffer.from('evals/tasks/a-long-ascii-name-that-is-sliced.json'),
  Buffer.from(''),
];

function general(out: Buffer): unknown {
  try {
    const fields = splitZ(out);
    const files = parseRawEntries(fields);
    const { added, deleted } = addDeleteCounts(fields);
    return { files, added, deleted };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/**
 * `out` cut into pieces: `k` 0, 4 and 5 at random places, pieces of ~12, ~100 (a record,
 * so a piece may hold a whole meta field and part of a path) and ~300 bytes (several
 * records), an empty piece now and then; 1 into single bytes, 2 just after each NUL,
 * 3 just before each NUL.
 */
function cut(out: Buffer, r: () => number, k: number): Buffer[] {
  const p = k === 4 ? 0.01 : k === 5 ? 0.003 : 0.08;
  const at: number[] = [];
  for (let i = 1; i < out.length; i++)
    if (
      k === 1 ||
      (k === 2 && out[i - 1] === 0) ||
      (k === 3 && out[i] === 0) ||
      ((k === 0 || k >= 4) && r() < p)
    )
      at.push(i);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const i of [...at, out.length]) {
    pieces.push(Buffer.from(out.subarray(from, i)));
    if ((k === 0 || k >= 4) && r() < 0.05) pieces.push(Buffer.alloc(0));
    from = i;
  }
  return pieces;
}

describe('parseIndexDiff', () => {
  it('answers as the general parsers wherever it answers, and answers plain output', () => {
    const r = prng(14);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    let answered = 0;
    let declined = 0;
    for (let round = 0; round < 3000; round++) {
      const parts: Buffer[] = [];
      const plain = r() < 0.6;
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) {
        const len = r() < 0.8 ? 40 : 64;
        const oid = () => (r() < 0.3 ? '0' : r() < 0.5 ? 'a' : '7').repeat(len);
        const mode = () => pick(['100644', '100755', '120000', '160000', '000000']);
        const kind = plain ? 'plain' : pick(['plain', 'plain', 'rename', 'merge', 'broken']);
        if (kind === 'plain') {
          const st = pick(['A', 'M', 'D', 'T', 'U', 'X']);
          parts.push(Buffer.from(`:${mode()} ${mode()} ${oid()} ${oid()} ${st}\0`));
          parts.push(pick(NAMES), Buffer.from('\0'));
        } else if (kind === 'rename') {
          const st = pick(['R100', 'C075', 'R', 'M100']);
          parts.push(Buffer.from(`:${mode()} ${mode()} ${oid()} ${oid()} ${st}\0`));
          parts.push(pick(NAMES), Buffer.from('\0'), pick(NAMES), Buffer.from('\0'));
        } else if (kind === 'merge') {
          parts.push(
            Buffer.from(`::${mode()} ${mode()} ${mode()} ${oid()} ${oid()} ${oid()} MM\0`),
          );
          parts.push(pick(NAMES), Buffer.from('\0'));
        } else {
          parts.push(
            Buffer.from(
              pick([
                `:100644 100644 ${oid()} ${oid()}\0`,
                `:100644 100644 ${oid()} ${oid()} M extra\0`,
                `:100644 ${oid()} ${oid()} M\0`,
                `100644 100644 ${oid()} ${oid()} M\0`,
                `:100644 100644 ${oid()} ${oid()} Z\0`,
                `:100644 100644 ${oid()} ${oid()}  \0`,
                `:100644 100644 ${oid()} ${oid()} M`,
              ]),
            ),
          );
          if (r() < 0.7) parts.push(pick(NAMES), Buffer.from(r() < 0.8 ? '\0' : ''));
        }
      }
      // Sometimes no NUL after the last path (splitZ keeps the tail).
      let out = Buffer.concat(parts);
      if (r() < 0.1 && out.at(-1) === 0) out = out.subarray(0, -1);
      const fast = parseIndexDiff(out);
      // The same bytes cut into pieces anywhere (as git's pipe gives them: inside a
      // field, at a NUL, between two, into single bytes, with empty pieces): the same answer.
      for (let k = 0; k < 6; k++) {
        const pieces = cut(out, r, k);
        expect(Buffer.concat(pieces).equals(out)).toBe(true);
        const cutAnswer = parseIndexDiff(pieces);
        expect(JSON.stringify(cutAnswer)).toBe(JSON.stringify(fast));
        if (cutAnswer) expect(cutAnswer.files).toEqual(fast!.files);
      }
      if (fast === undefined) {
        declined++;
        // Plain output is always read, unless it is broken (then the general parser throws).
        if (plain) expect(general(out)).toHaveProperty('error');
        continue;
      }
      answered++;
      expect(JSON.stringify(fast)).toBe(JSON.stringify(general(out)));
      expect(fast.files).toEqual((general(out) as { files: unknown }).files);
    }
    expect(answered).toBeGreaterThan(1500);
    expect(declined).toBeGreaterThan(200);
  });

  it('declines what it does not read: renames, merges, broken records', () => {
    const id = 'a'.repeat(40);
    for (const s of [
      `:100644 100644 ${id} ${id} R100\0a\0b\0`,
      `:100644 100644 ${id} ${id} R\0a\0b\0`,
      `::100644 100644 100644 ${id} ${id} ${id} MM\0a\0`,
      `:100644 100644 ${id} ${id} M\0`, // no path
      `:100644 100644 ${id} ${id} M`,
      `:100644 100644 ${id} M\0a\0`,
      `:100644 100644 ${id} ${id} M X\0a\0`,
    ])
      expect(parseIndexDiff(Buffer.from(s))).toBeUndefined();
    // The control: the plain form is read, with the counts.
    expect(
      parseIndexDiff(
        Buffer.from(
          `:000000 100644 ${'0'.repeat(40)} ${id} A\0new.txt\0:100644 000000 ${id} ${'0'.repeat(40)} D\0old.txt\0`,
        ),
      ),
    ).toEqual({
      files: [
        { status: 'A', path: 'new.txt', blob: id, mode: '100644' },
        { status: 'D', path: 'old.txt', blob: '0'.repeat(40), mode: '000000' },
      ],
      added: 1,
      deleted: 1,
    });
  });
});
