// Parsers for git's own output, on fixed samples (the shapes documented in each
// parser's header comment). The real-git tier (test/repo/core) feeds them live output.

import { describe, expect, it } from 'vitest';
import { parseCommitObject, parseIdentLine } from '../../../src/git/commit-object.js';
import { parseRawEntries, parseRawMeta } from '../../../src/git/raw.js';
import { CleanroomError } from '../../../src/errors.js';

const A = '3b18e512dba79e4c8300dd08aeb37f8e728b8dad';
const B = '8e27be7d6154a1f68ea9160ef0e18691d20560dc';
const C = 'e556b83b1ba5e0bcd7db1c2fbc6fb1edb6a4ad2d';
const Z = '0'.repeat(40);
const f = (s: string) => Buffer.from(s, 'utf8');

describe('parseRawMeta', () => {
  it('ordinary entries', () => {
    expect(parseRawMeta(`:100644 100644 ${A} ${B} M`)).toEqual({
      parents: 1,
      status: 'M',
      mode: '100644',
      blob: B,
      paths: 1,
    });
    expect(parseRawMeta(`:000000 100644 ${Z} ${B} A`)).toEqual({
      parents: 1,
      status: 'A',
      mode: '100644',
      blob: B,
      paths: 1,
    });
    expect(parseRawMeta(`:100644 000000 ${A} ${Z} D`)).toEqual({
      parents: 1,
      status: 'D',
      mode: '000000',
      blob: Z,
      paths: 1,
    });
    expect(parseRawMeta(`:100644 100644 ${A} ${A} R100`)).toEqual({
      parents: 1,
      status: 'R',
      mode: '100644',
      blob: A,
      paths: 2,
    });
    expect(parseRawMeta(`:100644 100644 ${A} ${B} C075`)).toEqual({
      parents: 1,
      status: 'C',
      mode: '100644',
      blob: B,
      paths: 2,
    });
    expect(parseRawMeta(`:100644 120000 ${A} ${B} T`)).toMatchObject({
      status: 'T',
      mode: '120000',
    });
  });
  it('combined entries of a merge (paths that differ from every parent)', () => {
    expect(parseRawMeta(`::100644 100644 100644 ${A} ${B} ${C} MM`)).toEqual({
      parents: 2,
      status: 'M',
      mode: '100644',
      blob: C,
      paths: 1,
      combined: 'MM',
    });
    expect(parseRawMeta(`::000000 000000 100644 ${Z} ${Z} ${C} AA`)).toEqual({
      parents: 2,
      status: 'A',
      mode: '100644',
      blob: C,
      paths: 1,
      combined: 'AA',
    });
    expect(parseRawMeta(`::100644 100644 000000 ${A} ${B} ${Z} DD`)).toMatchObject({ status: 'D' });
    expect(parseRawMeta(`:::100644 100644 100644 100644 ${A} ${B} ${C} ${C} MMM`)).toMatchObject({
      parents: 3,
      status: 'M',
      blob: C,
    });
  });
  it('sha256 ids', () => {
    const L = 'a'.repeat(64);
    expect(parseRawMeta(`:000000 100644 ${'0'.repeat(64)} ${L} A`)).toMatchObject({ blob: L });
  });
  it('refuses what is not a raw line', () => {
    expect(() => parseRawMeta('evals/tasks/q.json')).toThrow(CleanroomError);
    expect(() => parseRawMeta(`:100644 100644 ${A} ${B} Q`)).toThrow(/unexpected diff status/);
    expect(() => parseRawMeta(`:100644 ${A} M`)).toThrow(/unexpected diff line/);
  });
});

describe('parseRawEntries', () => {
  it('one path, or two for renames and copies; a file named like a raw line is just a name', () => {
    const weird = `:100644 100644 ${A} ${B} M`;
    const fields = [
      f(`:000000 100644 ${Z} ${B} A`),
      f('evals/tasks/a\nb.json'),
      f(`:100644 100644 ${A} ${A} R100`),
      f('drafts/q.json'),
      f('evals/tasks/q.json'),
      f(`:000000 100644 ${Z} ${B} A`),
      f(weird),
      f(`:100644 000000 ${A} ${Z} D`),
      f('evals/tasks/old.json'),
    ];
    expect(parseRawEntries(fields)).toEqual([
      { status: 'A', path: 'evals/tasks/a\nb.json', blob: B, mode: '100644' },
      { status: 'R', path: 'evals/tasks/q.json', from: 'drafts/q.json', blob: A, mode: '100644' },
      { status: 'A', path: weird, blob: B, mode: '100644' },
      { status: 'D', path: 'evals/tasks/old.json', blob: Z, mode: '000000' },
    ]);
  });
  it('a truncated list is an error, not a guess', () => {
    expect(() => parseRawEntries([f(`:100644 100644 ${A} ${A} R100`), f('only-one')])).toThrow(
      /truncated/,
    );
  });
  it('non-UTF-8 bytes in a name are written as git writes them (\\377), keeping names apart', () => {
    const path = Buffer.concat([f('evals/tasks/'), Buffer.from([0xff, 0xfe]), f('.json')]);
    expect(parseRawEntries([f(`:000000 100644 ${Z} ${B} A`), path])[0]!.path).toBe(
      'evals/tasks/\\377\\376.json',
    );
    const other = Buffer.concat([f('evals/tasks/'), Buffer.from([0xff, 0xfd]), f('.json')]);
    expect(parseRawEntries([f(`:000000 100644 ${Z} ${B} A`), other])[0]!.path).not.toBe(
      parseRawEntries([f(`:000000 100644 ${Z} ${B} A`), path])[0]!.path,
    );
    expect(parseRawEntries([f(`:000000 100644 ${Z} ${B} A`), f('évals/ok.json')])[0]!.path).toBe(
      'évals/ok.json',
    );
  });
});

describe('parseCommitObject', () => {
  it('a signed merge commit', () => {
    const body = [
      `tree ${A}`,
      `parent ${B}`,
      `parent ${C}`,
      'author Hana Human (aider) <hana@example.org> 1795487531 +0100',
      'committer Claude <noreply@anthropic.com> 1795487600 -0500',
      'gpgsig -----BEGIN SSH SIGNATURE-----',
      ' U1NIU0lH',
      ' -----END SSH SIGNATURE-----',
      '',
      'Merge branch x',
      '',
      'author fake <fake@x> 1 +0000',
      '',
    ].join('\n');
    expect(parseCommitObject(f(body))).toEqual({
      tree: A,
      parents: [B, C],
      author: { name: 'Hana Human (aider)', email: 'hana@example.org' },
      committer: { name: 'Claude', email: 'noreply@anthropic.com' },
      authorTime: 1795487531,
      committerTime: 1795487600,
      message: 'Merge branch x\n\nauthor fake <fake@x> 1 +0000\n',
      others: [],
    });
  });
  it('every author and committer line is kept (git may show any of them), and foreign encodings are decoded', () => {
    const twice = parseCommitObject(
      f(
        `tree ${A}\nauthor Hana <hana@x> 1 +0000\nauthor Claude <noreply@anthropic.com> 1 +0000\ncommitter Hana <hana@x> 1 +0000\n\nmsg\n`,
      ),
    );
    expect(twice.author?.email).toBe('hana@x');
    expect(twice.others).toEqual([{ name: 'Claude', email: 'noreply@anthropic.com' }]);
    const latin1 = Buffer.concat([
      f(`tree ${A}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nencoding ISO-8859-1\n\n`),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    ]);
    expect(parseCommitObject(latin1).message).toBe('café\n');
    const ebcdic = parseCommitObject(
      Buffer.concat([
        f(`tree ${A}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\nencoding IBM037\n\n`),
        Buffer.from([0xc3, 0x96]),
      ]),
    );
    expect(ebcdic.undecodable).toBe('IBM037');
  });
  it('a root commit with an empty message', () => {
    expect(
      parseCommitObject(f(`tree ${A}\nauthor A <a@x> 1 +0000\ncommitter A <a@x> 1 +0000\n\n`)),
    ).toMatchObject({ parents: [], message: '' });
  });
  it('ident lines', () => {
    expect(parseIdentLine('Jane <jane@x.org> 1700000000 +0000')).toEqual({
      id: { name: 'Jane', email: 'jane@x.org' },
      time: 1700000000,
    });
    expect(parseIdentLine('<jane@x.org> 1700000000 +0000')).toEqual({
      id: { name: '', email: 'jane@x.org' },
      time: 1700000000,
    });
    expect(parseIdentLine('garbage')).toBeUndefined();
    expect(parseIdentLine('Jane <jane@x.org')).toBeUndefined();
  });
  it('ident lines git still displays, though malformed, keep their identity', () => {
    // git log shows these as "Claude <noreply@anthropic.com>"; an AI author must not vanish.
    expect(parseIdentLine('Claude <noreply@anthropic.com>')).toEqual({
      id: { name: 'Claude', email: 'noreply@anthropic.com' },
      time: 0,
    });
    expect(parseIdentLine('Claude <noreply@anthropic.com> 1700000000 +0000 junk')).toEqual({
      id: { name: 'Claude', email: 'noreply@anthropic.com' },
      time: 1700000000,
    });
    expect(parseIdentLine('Claude <noreply@anthropic.com>1700000000 +0000')).toEqual({
      id: { name: 'Claude', email: 'noreply@anthropic.com' },
      time: 1700000000,
    });
    expect(parseIdentLine('Claude<noreply@anthropic.com> 1 +0000')?.id).toEqual({
      name: 'Claude',
      email: 'noreply@anthropic.com',
    });
  });
});
