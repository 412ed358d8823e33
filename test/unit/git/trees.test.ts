// The tree-entry rules of src/git/trees.ts against Git's fsck.c: each name fsck refuses,
// beside names that only look like them (which Git writes, and cleanroom must take).

import { describe, expect, it } from 'vitest';
import { isDotGitName, treeEntryProblem, treeProblem } from '../../../src/git/trees.js';

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
