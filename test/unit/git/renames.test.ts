// Issue 11 §2: renames past git's limit are paired by content, in linear time, and what
// cannot be paired is reported (the caller fails closed on it).

import { describe, expect, it } from 'vitest';
import { addDeleteCounts, pairExactRenames, withSourceBlobs } from '../../../src/git/renames.js';
import { parseRawEntries } from '../../../src/git/raw.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const del = (path: string, blob: string, mode = '100644'): Buffer[] => [
  Buffer.from(`:${mode} 000000 ${blob} ${Z} D`),
  Buffer.from(path),
];
const add = (path: string, blob: string, mode = '100644'): Buffer[] => [
  Buffer.from(`:000000 ${mode} ${Z} ${blob} A`),
  Buffer.from(path),
];

describe('pairExactRenames', () => {
  it('pairs same content, preferring the same file name, and keeps the rest as adds and deletes', () => {
    const raw = [
      ...del('a/x.txt', A),
      ...del('a/y.txt', A),
      ...del('a/gone.txt', B),
      ...add('b/y.txt', A),
      ...add('b/x.txt', A),
      ...add('b/new.txt', 'c'.repeat(40)),
    ];
    const { files, limit } = pairExactRenames(raw);
    expect(files).toContainEqual({
      status: 'R',
      path: 'b/y.txt',
      from: 'a/y.txt',
      fromBlob: A,
      blob: A,
      mode: '100644',
    });
    expect(files).toContainEqual({
      status: 'R',
      path: 'b/x.txt',
      from: 'a/x.txt',
      fromBlob: A,
      blob: A,
      mode: '100644',
    });
    expect(files).toContainEqual({ status: 'D', path: 'a/gone.txt', blob: Z, mode: '000000' });
    expect(files.find((f) => f.path === 'b/new.txt')?.status).toBe('A');
    // a deleted file is left that could have been edited into b/new.txt: unpaired
    expect(limit).toEqual({ added: 3, deleted: 3, unpaired: ['b/new.txt'] });
  });

  it('a file never pairs with a symlink of the same blob', () => {
    const { files } = pairExactRenames([...del('a/l', A, '120000'), ...add('b/l', A)]);
    expect(files.map((f) => f.status).sort()).toEqual(['A', 'D']);
  });

  it('with every deleted file explained, nothing is unpaired', () => {
    const { limit } = pairExactRenames([...del('a/x', A), ...add('b/x', A), ...add('b/extra', B)]);
    expect(limit.unpaired).toEqual([]);
  });

  it('pairs 90,000 identical files (a rename bomb) in one pass', () => {
    const raw: Buffer[] = [];
    for (let i = 0; i < 90_000; i++) raw.push(...del(`a/f${i}`, A));
    for (let i = 0; i < 90_000; i++) raw.push(...add(`b/f${i}`, A));
    expect(addDeleteCounts(raw)).toEqual({ added: 90_000, deleted: 90_000, merge: false });
    const { files, limit } = pairExactRenames(raw);
    expect(files.length).toBe(90_000);
    expect(files[12_345]).toMatchObject({ status: 'R', path: 'b/f12345', from: 'a/f12345' });
    expect(limit.unpaired).toEqual([]);
  });
});

describe('withSourceBlobs', () => {
  it("takes a rename's source blob from git's raw line", () => {
    const raw = [
      Buffer.from(`:100644 100644 ${A} ${B} M`),
      Buffer.from('m'),
      Buffer.from(`:100644 100644 ${A} ${B} R087`),
      Buffer.from('old'),
      Buffer.from('new'),
    ];
    const files = withSourceBlobs(raw, parseRawEntries(raw));
    expect(files[0]!.fromBlob).toBeUndefined();
    expect(files[1]).toMatchObject({ status: 'R', from: 'old', path: 'new', fromBlob: A, blob: B });
  });
});
