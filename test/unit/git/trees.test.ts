// The tree-entry rules of src/git/trees.ts against Git's fsck.c: each name fsck refuses,
// beside names that only look like them (which Git writes, and cleanroom must take).

import { describe, expect, it } from 'vitest';
import {
  gitRefusesMalformedTrees,
  isDotGitName,
  plainTree,
  slowTreeProblem,
  treeEntryProblem,
  treeProblem,
} from '../../../src/git/trees.js';
import { prng } from '../../helpers/prng.js';

const entry = (mode: string, name: string, id = 'ab'.repeat(20)): Buffer =>
  Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(id, 'hex')]);

describe('tree entries fsck refuses', () => {
  it.each([
    '.git',
    '.GIT',
    '.Git',
    '.git\u200c',
    '\u200d.git',
    '.g\ufeffit',
    'git~1',
    'GIT~1',
    '.git.',
    '.git ',
    '.git. .',
    '.git::$INDEX_ALLOCATION',
    '.git\\x',
  ])('%j is .git to some checkout', (name) => {
    expect(isDotGitName(name)).toBe(true);
    expect(treeEntryProblem('40000', Buffer.from(name))).toMatch(/\.git/);
  });

  it.each(['.github', '.gitignore', 'git~2', '.gitx', 'x.git', 'git', '..git'])(
    '%j is an ordinary name',
    (name) => {
      expect(isDotGitName(name)).toBe(false);
      expect(treeEntryProblem('100644', Buffer.from(name))).toBeUndefined();
    },
  );

  it.each([
    ['100644', '', /empty/],
    ['100644', '.', /"\."/],
    ['40000', '..', /"\.\."/],
    ['100644', 'evals/q.json', /holds "\/"/],
    ['100600', 'a', /mode 100600/],
    ['10644', 'a', /mode 10644/],
    ['040755', 'a', /mode 040755/],
    ['1x', 'a', /not a number/],
  ])('mode %s name %j', (mode, name, msg) => {
    expect(treeEntryProblem(mode, Buffer.from(name))).toMatch(msg);
  });

  it.each(['100644', '100755', '100664', '120000', '40000', '040000', '160000'])(
    'mode %s is taken',
    (mode) => expect(treeEntryProblem(mode, Buffer.from('a'))).toBeUndefined(),
  );

  it('order and duplicates follow verify_ordered (a tree sorts as its name and "/")', () => {
    const ok = Buffer.concat([entry('100644', 'a.c'), entry('40000', 'a'), entry('100644', 'b')]);
    expect(treeProblem(ok, 20)).toBeUndefined();
    const unsorted = Buffer.concat([entry('100644', 'b'), entry('100644', 'a')]);
    expect(treeProblem(unsorted, 20)).toMatch(/order/);
    const dup = Buffer.concat([entry('100644', 'a'), entry('100644', 'a')]);
    expect(treeProblem(dup, 20)).toMatch(/two entries/);
    // A file and a tree of one name, sorted as git sorts them ("a" < "a.c" < "a/").
    const both = Buffer.concat([entry('100644', 'a'), entry('100644', 'a.c'), entry('40000', 'a')]);
    expect(treeProblem(both, 20)).toMatch(/two entries/);
    expect(treeProblem(Buffer.from('100644 a\0ab'), 20)).toMatch(/truncated/);
  });
});

describe('the byte scan against the reference (differential)', () => {
  // Names from an alphabet of the bytes the rules turn on; sorted as Git sorts, or not.
  const ALPHABET = [
    'a',
    'b',
    '.',
    '-',
    '!',
    'g',
    'G',
    'i',
    'I',
    't',
    'T',
    '~',
    '1',
    '/',
    '\\',
    ':',
    ' ',
    '\u200c',
    '\u00e9',
  ];
  const MODES = [
    '100644',
    '100755',
    '100664',
    '120000',
    '40000',
    '040000',
    '160000',
    '100600',
    '0100644',
    '4000',
  ];
  const key = (name: string, mode: string): Buffer =>
    Buffer.from(parseInt(mode, 8) === 0o40000 ? `${name}/` : name);

  it('never takes a tree the reference refuses, and takes the trees Git writes', () => {
    const rand = prng(0x7e11);
    let plain = 0;
    for (let round = 0; round < 20000; round++) {
      const count = 1 + Math.floor(rand() * 6);
      const entries: { mode: string; name: string }[] = [];
      for (let e = 0; e < count; e++) {
        const gitLike = rand() < 0.7;
        const mode = gitLike
          ? (['100644', '40000', '100755', '120000', '160000'][Math.floor(rand() * 5)] ?? '100644')
          : (MODES[Math.floor(rand() * MODES.length)] ?? '100644');
        const len = Math.floor(rand() * 5);
        let name = '';
        for (let i = 0; i < len; i++)
          name +=
            gitLike && rand() < 0.6
              ? 'ab'[Math.floor(rand() * 2)]
              : ALPHABET[Math.floor(rand() * ALPHABET.length)];
        if (rand() < 0.05)
          name =
            [
              '.git',
              '.GIT',
              'git~1',
              '..',
              '.',
              '.github',
              'Git~1x',
              '.git. x',
              '.git :a',
              '.git.\\b',
              '.gitx.',
            ][Math.floor(rand() * 11)] ?? '';
        entries.push({ mode, name });
      }
      // Usually in Git's order (duplicates and a file beside a tree of one name kept).
      if (rand() < 0.8)
        entries.sort((x, y) => Buffer.compare(key(x.name, x.mode), key(y.name, y.mode)));
      const body = Buffer.concat(entries.map((x) => entry(x.mode, x.name)));
      const cut = rand() < 0.05 ? body.subarray(0, Math.floor(rand() * body.length)) : body;
      const reference = slowTreeProblem(cut, 20);
      if (plainTree(cut, 20)) {
        plain++;
        expect(reference, JSON.stringify(entries)).toBeUndefined();
      }
      expect(treeProblem(cut, 20)).toBe(reference);
    }
    // The scan must take most well-formed trees, or it saves nothing.
    expect(plain).toBeGreaterThan(2000);
  });

  it('takes a file and a tree whose names only share a prefix, refuses one name twice', () => {
    const ok = Buffer.concat([entry('100644', 'a'), entry('40000', 'a-b'), entry('40000', 'ab')]);
    expect(plainTree(ok, 20)).toBe(true);
    const both = Buffer.concat([
      entry('100644', 'a'),
      entry('40000', 'a-b'),
      entry('100644', 'a.c'),
      entry('40000', 'a'),
    ]);
    expect(plainTree(both, 20)).toBe(false);
    expect(treeProblem(both, 20)).toMatch(/two entries/);
  });
});

describe('gitRefusesMalformedTrees (git-config(1) receive.fsckObjects, receive.fsck.<msg-id>)', () => {
  const strict = { 'receive.fsckobjects': 'true', 'receive.fsck.badfilemode': 'error' };
  it('trusts Git only when every rule is at "error"', () => {
    expect(gitRefusesMalformedTrees(strict)).toBe(true);
    expect(gitRefusesMalformedTrees({ ...strict, 'receive.fsckobjects': 'Yes' })).toBe(true);
    expect(
      gitRefusesMalformedTrees({
        'transfer.fsckobjects': 'on',
        'receive.fsck.badfilemode': 'ERROR',
      }),
    ).toBe(true);
    expect(
      gitRefusesMalformedTrees({ ...strict, 'receive.fsck.zeropaddedfilemode': 'ignore' }),
    ).toBe(true);
  });
  it.each([
    [{}],
    [{ 'receive.fsckobjects': 'true' }],
    [{ ...strict, 'receive.fsckobjects': 'false' }],
    [{ ...strict, 'receive.fsckobjects': 'false', 'transfer.fsckobjects': 'true' }],
    [{ ...strict, 'receive.fsck.hasdotdot': 'warn' }],
    [{ ...strict, 'receive.fsck.fullpathname': 'ignore' }],
    [{ ...strict, 'receive.fsck.treenotsorted': 'warn' }],
    [{ ...strict, 'receive.fsck.skiplist': '/srv/skip' }],
    [{ ...strict, 'receive.fsckobjects': 'maybe' }],
    [{ ...strict, 'receive.hiderefs': 'refs/pull' }],
    [{ ...strict, 'transfer.hiderefs': 'refs/keep-around' }],
  ])('keeps its own pass with %j', (config: Record<string, string>) => {
    expect(gitRefusesMalformedTrees(config)).toBe(false);
  });
});
