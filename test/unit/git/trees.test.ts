// The tree-entry rules of src/git/trees.ts against Git's fsck.c: each name fsck refuses,
// beside names that only look like them (which Git writes, and cleanroom must take).

import { describe, expect, it } from 'vitest';
import {
  gitRefusesMalformedTrees,
  isDotGitName,
  plainTree,
  slowTreeProblem,
  TreeBatchScan,
  treeEntryProblem,
  treeProblem,
} from '../../../src/git/trees.js';
import { prng } from '../../helpers/prng.js';
import { armDeadline } from '../../../src/core/deadline.js';

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

describe('the byte scan of a range of a larger buffer (cat-file output scanned in place)', () => {
  it('judges bytes `from` to `to` exactly as the tree alone, reading nothing around them', () => {
    const rand = prng(0x5ca7);
    const names = ['a', 'b', 'a.c', '.git', 'x/y', '..', 'git~1', 'é', ''];
    const modes = ['100644', '40000', '100600', '160000'];
    let cutTaken = 0;
    for (let round = 0; round < 5000; round++) {
      const count = 1 + Math.floor(rand() * 5);
      const entries = Array.from({ length: count }, () => ({
        mode: modes[Math.floor(rand() * modes.length)]!,
        name: names[Math.floor(rand() * names.length)]!,
      }));
      if (rand() < 0.8)
        entries.sort((x, y) => Buffer.compare(key(x.name, x.mode), key(y.name, y.mode)));
      const full = Buffer.concat(entries.map((x) => entry(x.mode, x.name)));
      // Often cut: the bytes after `to` are then the rest of the tree, which a scan that
      // read past `to` would take as complete.
      const len = rand() < 0.3 ? Math.floor(rand() * full.length) : full.length;
      const body = full.subarray(0, len);
      const before = Buffer.from(full.subarray(Math.floor(rand() * full.length)));
      const around = Buffer.concat([before, full]);
      const from = before.length;
      const alone = plainTree(Buffer.from(body), 20);
      expect(plainTree(around, 20, from, from + len)).toBe(alone);
      if (len < full.length && plainTree(full, 20)) cutTaken += alone ? 0 : 1;
    }
    // Cuts of trees the scan takes whole happened, and were refused within their range.
    expect(cutTaken).toBeGreaterThan(50);
  });
  const key = (name: string, mode: string): Buffer =>
    Buffer.from(parseInt(mode, 8) === 0o40000 ? `${name}/` : name);
});

describe('TreeBatchScan: cat-file --batch output in chunks of any size (differential)', () => {
  const hex = (rand: () => number, n: number): string =>
    Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rand() * 16)]).join('');

  /** A random tree body: usually well formed, sometimes not, sometimes cut short. */
  function treeBody(rand: () => number, idBytes: number, big: boolean): Buffer {
    const names = ['a', 'b', 'c.txt', 'evals', '.github'];
    const bad = ['.git', 'x/y', '..', 'GIT~1', ''];
    const count = big ? 3000 + Math.floor(rand() * 3000) : Math.floor(rand() * 6);
    const entries: { mode: string; name: string }[] = [];
    for (let e = 0; e < count; e++) {
      const name = big
        ? `f${e.toString().padStart(5, '0')}`
        : rand() < 0.03
          ? bad[Math.floor(rand() * bad.length)]!
          : names[Math.floor(rand() * names.length)]!;
      entries.push({ mode: rand() < 0.3 ? '40000' : rand() < 0.02 ? '100600' : '100644', name });
    }
    if (rand() < 0.85)
      entries.sort((x, y) =>
        Buffer.compare(
          Buffer.from(x.mode === '40000' ? `${x.name}/` : x.name),
          Buffer.from(y.mode === '40000' ? `${y.name}/` : y.name),
        ),
      );
    const body = Buffer.concat(
      entries.map((x) =>
        Buffer.concat([Buffer.from(`${x.mode} ${x.name}\0`), Buffer.alloc(idBytes, 0xab)]),
      ),
    );
    return rand() < 0.05 ? body.subarray(0, Math.floor(rand() * body.length)) : body;
  }

  /** cat-file output for random objects, and what reading it whole must give. */
  function output(rand: () => number): { bytes: Buffer; want: string | undefined; trees: number } {
    const parts: Buffer[] = [];
    let want: string | undefined;
    let trees = 0;
    const count = 1 + Math.floor(rand() * 12);
    const idBytes = rand() < 0.8 ? 20 : 32;
    for (let i = 0; i < count; i++) {
      const id = hex(rand, idBytes * 2);
      const kind = rand();
      if (kind < 0.7) {
        const body = treeBody(rand, idBytes, rand() < 0.03);
        parts.push(Buffer.from(`${id} tree ${body.length}\n`), body, Buffer.from('\n'));
        if (want === undefined) {
          trees++;
          const problem = treeProblem(body, idBytes);
          if (problem) want = `malformed tree ${id.slice(0, 12)}: ${problem}`;
        }
      } else {
        // A commit or blob: skipped, whatever it holds (newlines, header-like lines).
        const size = rand() < 0.1 ? 70_000 + Math.floor(rand() * 70_000) : Math.floor(rand() * 50);
        const body = Buffer.alloc(size);
        for (let k = 0; k < size; k++)
          body[k] = rand() < 0.2 ? 0x0a : rand() < 0.1 ? 0x20 : Math.floor(rand() * 256);
        const type = kind < 0.85 ? 'commit' : 'blob';
        parts.push(Buffer.from(`${id} ${type} ${size}\n`), body, Buffer.from('\n'));
      }
    }
    return { bytes: Buffer.concat(parts), want, trees };
  }

  /** Feeds `bytes` in chunks of random size through one reused buffer, garbled after each push. */
  function scan(
    bytes: Buffer,
    rand: () => number,
    maxChunk: number,
  ): { error?: string; trees: number } {
    const s = new TreeBatchScan();
    const reused = Buffer.alloc(maxChunk);
    try {
      for (let pos = 0; pos < bytes.length;) {
        const n = Math.min(bytes.length - pos, 1 + Math.floor(rand() * maxChunk));
        bytes.copy(reused, 0, pos, pos + n);
        s.push(reused, n);
        reused.fill(0x0a);
        pos += n;
      }
      s.end();
      return { trees: s.trees };
    } catch (e) {
      return { error: (e as Error).message, trees: s.trees };
    }
  }

  it('finds the first malformed tree, and only it, however the output is cut into chunks', () => {
    const rand = prng(0xca7f11e);
    let malformed = 0;
    let clean = 0;
    for (let round = 0; round < 1000; round++) {
      const { bytes, want, trees } = output(rand);
      for (const maxChunk of [1, 7, 64, 4096, 65_536, bytes.length]) {
        if (maxChunk < 64 && bytes.length > 20_000) continue; // a byte at a time: small outputs
        const got = scan(bytes, rand, Math.max(1, maxChunk));
        expect(got.error, `round ${round}, chunks of up to ${maxChunk}`).toBe(want);
        expect(got.trees).toBe(trees);
      }
      if (want) malformed++;
      else clean++;
    }
    expect(malformed).toBeGreaterThan(100);
    expect(clean).toBeGreaterThan(100);
  }, 60_000); // ~2 s alone; several times that beside the other files on a loaded 2-core machine

  it('refuses output that is not cat-file --batch output (fail closed)', () => {
    const rand = prng(7);
    const tree = entry('100644', 'a');
    const id = 'ab'.repeat(20);
    const good = Buffer.concat([
      Buffer.from(`${id} tree ${tree.length}\n`),
      tree,
      Buffer.from('\n'),
    ]);
    expect(scan(good, rand, 3)).toEqual({ trees: 1 });
    const bad: [string, Buffer, RegExp][] = [
      ['cut inside an object', good.subarray(0, good.length - 1), /ended inside an object/],
      ['cut inside a header', good.subarray(0, 10), /ended inside an object/],
      [
        'no newline after the content',
        Buffer.concat([good.subarray(0, -1), Buffer.from('x')]),
        /newline/,
      ],
      ['a missing object', Buffer.from(`${id} missing\n`), /could not read ab/],
      ['an ambiguous name', Buffer.from(`${id} ambiguous\n`), /could not read/],
      ['a short id', Buffer.from(`abc tree 0\n\n`), /bad header/],
      ['an upper-case id', Buffer.from(`${id.toUpperCase()} tree 0\n\n`), /bad header/],
      ['a size that is no number', Buffer.from(`${id} tree 1x\n`), /bad size/],
      ['no size', Buffer.from(`${id} tree \n`), /bad size/],
      ['a size past 2^53', Buffer.from(`${id} tree 9999999999999999\n`), /bad size/],
      ['a header past any git writes', Buffer.from(`${id} ${'x'.repeat(200)}`), /too long/],
    ];
    for (const [what, bytes, msg] of bad)
      for (const max of [1, 5, bytes.length])
        expect(scan(bytes, rand, max).error, what).toMatch(msg);
    // The empty output (rev-list named nothing) is whole.
    expect(scan(Buffer.alloc(0), rand, 1)).toEqual({ trees: 0 });
  });
});

// Hostile review, seventh pass: one tree of millions of entries (names past ASCII go the
// slow way) was judged in one synchronous call that never looked at the deadline, so a
// push held the hook seconds past --deadline. Both scans now look at it inside a tree.
describe('a huge tree is judged within the deadline', () => {
  const entries = (n: number, name: (i: number) => string): Buffer =>
    Buffer.concat(
      Array.from({ length: n }, (_, i) =>
        Buffer.concat([Buffer.from(`100644 ${name(i)}\0`), Buffer.alloc(20, 1)]),
      ),
    );
  const big = {
    slow: entries(70_000, (i) => `\u00e9${String(i).padStart(8, '0')}`),
    plain: entries(300_000, (i) => `f${String(i).padStart(8, '0')}`),
  };
  class Late extends Error {}
  it.each(['slow', 'plain'] as const)('the %s scan stops at a passed deadline', (which) => {
    // Without the deadline both take the tree (well formed, sorted).
    expect(which === 'slow' ? slowTreeProblem(big.slow, 20) : plainTree(big.plain, 20)).toBe(
      which === 'slow' ? undefined : true,
    );
    const disarm = armDeadline(Date.now() - 1, () => new Late('late'));
    try {
      expect(() =>
        which === 'slow' ? slowTreeProblem(big.slow, 20) : plainTree(big.plain, 20),
      ).toThrow(Late);
    } finally {
      disarm();
    }
  });
});
