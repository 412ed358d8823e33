// Issue 14 §4: `check --staged` in an agent's session listed the whole index
// (`git ls-files -s`, ~70 ms of git's CPU at 150,000 entries) to find the symlinks that
// can alias a staged file into a zone. It now walks the index file itself
// (src/git/index-file.ts) and asks git only when that walk cannot prove there is none.
// The walk must never say "no link" where git lists one: random indexes written by real
// git (sha1 and sha256, versions 2, 3 and 4, extended flags, names longer than the
// 12-bit length, split indexes, links and gitlinks anywhere), then the gate itself with
// a link only in the index, through each kind of index and GIT_INDEX_FILE.

import { createHash } from 'node:crypto';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { indexFileMayHoldLinks, indexMayHoldLinks } from '../../../src/git/index-file.js';
import { prng } from '../../helpers/prng.js';
import { removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
afterAll(removeTempDirs);

function git(repo: TestRepo, args: string[], input?: string): string {
  const r = repo.tryGit(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function listsLink(repo: TestRepo): boolean {
  return git(repo, ['ls-files', '-s', '-z'])
    .split('\0')
    .some((r) => r.startsWith('120000 '));
}

describe('the index walk never misses a link git lists', () => {
  it('random indexes of real git: every version, both hashes, split, extended flags, long names', () => {
    const r = prng(1404);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    let proven = 0;
    let maybe = 0;
    for (let round = 0; round < 24; round++) {
      const format = r() < 0.3 ? 'sha256' : 'sha1';
      const repo = TestRepo.init({ objectFormat: format });
      const blob = git(repo, ['hash-object', '-w', '--stdin'], 'x\n').trim();
      const lines: string[] = [];
      const n = 1 + Math.floor(r() * 300);
      const links = r() < 0.5;
      for (let i = 0; i < n; i++) {
        const long = r() < 0.02 ? `${'d'.repeat(250)}/`.repeat(18) : ''; // > 0xFFF bytes
        const path = `${long}${pick(['src', 'evals/tasks', 'a b', 'é'])}/${pick(['f', 'g', '120000 x', 'sdir', 'link'])}${i}`;
        const mode = links && r() < 0.05 ? '120000' : pick(['100644', '100644', '100755']);
        lines.push(`${mode} ${blob}\t${path}`);
      }
      if (r() < 0.2) lines.push(`160000 ${blob}\tsub/module`);
      git(repo, ['update-index', '--add', '--index-info'], lines.join('\n') + '\n');
      const version = pick([2, 3, 4]);
      git(repo, ['update-index', `--index-version=${version}`]);
      if (version >= 3 && r() < 0.5)
        git(repo, ['update-index', '--skip-worktree', lines[0]!.split('\t')[1]!]);
      if (r() < 0.15) git(repo, ['update-index', '--split-index']);
      const file = join(repo.dir, '.git', 'index');
      const index = readFileSync(file);
      const ids = format === 'sha256' ? 32 : 20;
      const said = indexMayHoldLinks(index, ids);
      const has = listsLink(repo);
      if (has) expect(said, `round ${round}: git lists a link`).toBe(true);
      // Read a window at a time: the same answer, or maybe where a name is wider than it.
      expect(indexFileMayHoldLinks(file, ids)).toBe(said);
      for (const window of [64, 100, 333, 4096]) {
        const windowed = indexFileMayHoldLinks(file, ids, window);
        if (said || window > 5000 || !lines.some((l) => l.length > window - 120))
          expect(windowed, `round ${round}, window ${window}`).toBe(said);
        else expect(windowed || !said).toBe(true);
      }
      if (said) maybe++;
      else proven++;
      // Cut or damaged, the walk may say maybe but never throws.
      for (let k = 0; k < 20; k++) {
        const cut = index.subarray(0, Math.floor(r() * index.length));
        expect(typeof indexMayHoldLinks(cut, 20)).toBe('boolean');
        const bent = Buffer.from(index);
        const at = Math.floor(r() * bent.length);
        bent[at] = bent[at]! ^ (1 << Math.floor(r() * 8));
        expect(typeof indexMayHoldLinks(bent, 20)).toBe('boolean');
      }
    }
    // The control: plain indexes without links are proven (the walk is not always "maybe").
    expect(proven).toBeGreaterThan(4);
    expect(maybe).toBeGreaterThan(4);
  });

  it('a plain index without links is proven, with one link it is not (each version)', () => {
    for (const version of [2, 3, 4]) {
      const repo = TestRepo.init();
      repo.write('a.txt', 'a\n').write('evals/tasks/q.json', '{}\n');
      git(repo, ['add', '-A']);
      git(repo, ['update-index', `--index-version=${version}`]);
      const index = () => readFileSync(join(repo.dir, '.git', 'index'));
      expect(indexMayHoldLinks(index(), 20)).toBe(false);
      symlinkSync('a.txt', join(repo.dir, 'zz-link'));
      git(repo, ['add', '-A']);
      expect(indexMayHoldLinks(index(), 20)).toBe(true);
    }
  });

  it('a v4 name whose NUL is not where its flags put it is maybe (a crafted index hid a link)', () => {
    // The hostile review's index: a first entry whose flags give a long name while a NUL
    // comes early; between the two, fake plain entries and a TREE extension running to
    // the end, which a walk cutting names at the NUL read, while git, which sizes the
    // entry from the flags (read-cache.c create_from_disk), reads every real entry.
    const repo = TestRepo.init();
    repo.write('src/ai/q9.json', '{}\n');
    symlinkSync('../../src/ai', join(repo.dir, 'zz-link'));
    git(repo, ['add', '-A']);
    const real = git(repo, ['ls-files', '-s', '-z'])
      .split('\0')
      .filter(Boolean)
      .map((rec) => {
        const [meta, path] = rec.split('\t') as [string, string];
        const [mode, oid] = meta.split(' ') as [string, string];
        return { mode: parseInt(mode, 8), oid: Buffer.from(oid, 'hex'), path: Buffer.from(path) };
      });
    const varint = (v: number): Buffer => {
      const out = [v & 127];
      for (v >>= 7; v; v >>= 7) out.unshift(128 | (--v & 127));
      return Buffer.from(out);
    };
    const stat = (mode: number): Buffer => {
      const b = Buffer.alloc(40, 0);
      for (let i = 0; i < 24; i += 4) b.writeUInt32BE(0x01010101, i);
      b.writeUInt32BE(mode, 24);
      return b;
    };
    const EMPTY = Buffer.from('e69de29bb2d1d6434b8b29ae775ad8c2e48c5391', 'hex');
    const flags = (n: number): Buffer => Buffer.from([n >> 8, n & 255]);
    const n = real.length + 1;
    const build = (treeSize: number) => {
      const fake: Buffer[] = [];
      for (let i = 0; i < n - 1; i++)
        fake.push(stat(0o100644), EMPTY, flags(1), varint(0), Buffer.from('b\0'));
      const size = Buffer.alloc(4);
      size.writeUInt32BE(treeSize);
      const garbage = Buffer.concat([...fake, Buffer.from('TREE'), size]);
      const name = Buffer.concat([Buffer.from('!\0'), garbage, Buffer.from('\0')]);
      const length = name.length - 1;
      const first = Buffer.concat([
        stat(0o100644),
        EMPTY,
        flags(0x4000 | Math.min(length, 0xfff)),
        flags(0x2000), // intent-to-add: git leaves it out of the tree
        varint(0),
        name,
      ]);
      let previous = length;
      const rest = real.map((e) => {
        const b = Buffer.concat([
          stat(e.mode),
          e.oid,
          flags(e.path.length),
          varint(previous),
          e.path,
          Buffer.from('\0'),
        ]);
        previous = e.path.length;
        return b;
      });
      const head = Buffer.concat([Buffer.from('DIRC'), Buffer.from([0, 0, 0, 4]), Buffer.alloc(4)]);
      head.writeUInt32BE(n, 8);
      return { data: Buffer.concat([head, first, ...rest]), garbage };
    };
    let treeSize = 0;
    for (let i = 0; i < 5; i++) {
      const { data, garbage } = build(treeSize);
      treeSize = data.length - (data.indexOf(garbage) + garbage.length);
    }
    const { data } = build(treeSize);
    const index = Buffer.concat([data, createHash('sha1').update(data).digest()]);
    writeFileSync(join(repo.dir, '.git', 'index'), index);
    expect(listsLink(repo)).toBe(true); // git reads the link
    expect(indexMayHoldLinks(index, 20)).toBe(true);
  });

  it('a split index or a sparse one is maybe (their entries are not all in the file)', () => {
    const repo = TestRepo.init();
    repo.write('a.txt', 'a\n').write('dir/b.txt', 'b\n');
    git(repo, ['add', '-A']);
    git(repo, ['update-index', '--split-index']);
    expect(indexMayHoldLinks(readFileSync(join(repo.dir, '.git', 'index')), 20)).toBe(true);
    const sparse = TestRepo.init();
    sparse.write('a.txt', 'a\n').write('dir/b.txt', 'b\n');
    git(sparse, ['add', '-A']);
    git(sparse, ['commit', '-q', '--no-verify', '-m', 'x']);
    git(sparse, ['sparse-checkout', 'set', '--cone', '--sparse-index', 'other']);
    expect(indexMayHoldLinks(readFileSync(join(sparse.dir, '.git', 'index')), 20)).toBe(true);
  });

  it('an end-of-entries offset (EOIE) is maybe: git may read from it, not from this walk', () => {
    const repo = TestRepo.init();
    repo.write('a.txt', 'a\n').write('dir/b.txt', 'b\n');
    const index = () => readFileSync(join(repo.dir, '.git', 'index'));
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '--no-verify', '-m', 'x']); // a cache tree (TREE)
    git(repo, ['-c', 'core.untrackedCache=true', 'status', '-s']); // UNTR
    // The control: the harmless extensions leave the index proven.
    expect(index().includes('TREE')).toBe(true);
    expect(indexMayHoldLinks(index(), 20)).toBe(false);
    git(repo, ['-c', 'index.recordEndOfIndexEntries=true', 'update-index', '--really-refresh']);
    git(repo, ['-c', 'index.recordEndOfIndexEntries=true', 'add', '--renormalize', '.']);
    repo.write('c.txt', 'c\n');
    git(repo, ['-c', 'index.recordEndOfIndexEntries=true', 'add', 'c.txt']);
    expect(index().includes('EOIE')).toBe(true);
    expect(indexMayHoldLinks(index(), 20)).toBe(true);
  });
});

describe('check --staged still sees content through a link that only the index holds', () => {
  // evals/extra -> ../src/jl committed by a human; an agent stages src/jl/more.jsonl,
  // which shows in the zone (evals/**/*.jsonl) at evals/extra/more.jsonl.
  const setup = () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('src/jl/a.txt', 'a\n').write('evals/README.md', '# evals\n');
    symlinkSync('../src/jl', join(repo.dir, 'evals', 'extra'));
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '--no-verify', '-m', 'link (by a human)']);
    repo.write('src/jl/more.jsonl', '{"q":2}\n');
    git(repo, ['add', '-A']);
    return repo;
  };
  const judged = (repo: TestRepo, env: Record<string, string> = {}, cwd?: string) => {
    const r = repo.cleanroom(['check', '--staged', '--format', 'json'], {
      env: { ...repo.env, CLAUDECODE: '1', ...env },
      ...(cwd ? { cwd } : {}),
    });
    expect(r.code, r.stderr).not.toBe(2);
    return (JSON.parse(r.stdout).violations as { path: string }[]).map((v) => v.path);
  };

  it.each([
    ['a plain index', []],
    ['index version 4', ['update-index', '--index-version=4']],
    ['a split index', ['update-index', '--split-index']],
  ])('%s', (_name, args) => {
    const repo = setup();
    if (args.length) git(repo, args);
    expect(judged(repo)).toEqual(['evals/extra/more.jsonl']);
  });

  it('GIT_INDEX_FILE: absolute, relative at the top, relative from a subdirectory', () => {
    const repo = setup();
    const other = join(repo.dir, '.git', 'other-index');
    git(repo, ['read-tree', `--index-output=${other}`, 'HEAD']);
    repo.env = { ...repo.env, GIT_INDEX_FILE: other };
    git(repo, ['add', 'src/jl/more.jsonl']);
    delete repo.env.GIT_INDEX_FILE;
    git(repo, ['reset', '-q']); // the default index stages nothing now
    expect(judged(repo)).toEqual([]);
    expect(judged(repo, { GIT_INDEX_FILE: other })).toEqual(['evals/extra/more.jsonl']);
    expect(judged(repo, { GIT_INDEX_FILE: '.git/other-index' })).toEqual([
      'evals/extra/more.jsonl',
    ]);
    // From a subdirectory git reads a relative GIT_INDEX_FILE from the top of the work
    // tree (it moves there first): the check must read the same file, or ask git.
    const sub = join(repo.dir, 'src');
    expect(judged(repo, { GIT_INDEX_FILE: '.git/other-index' }, sub)).toEqual([
      'evals/extra/more.jsonl',
    ]);
  });

  it('from a subdirectory: the link elsewhere in the index still counts (base missed it)', () => {
    const repo = setup();
    expect(judged(repo, {}, join(repo.dir, 'src'))).toEqual(['evals/extra/more.jsonl']);
    expect(judged(repo, {}, join(repo.dir, 'src', 'jl'))).toEqual(['evals/extra/more.jsonl']);
  });

  it('human control: the same staged file without the link is outside every zone', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('src/jl/more.jsonl', '{"q":2}\n');
    git(repo, ['add', '-A']);
    expect(judged(repo)).toEqual([]);
  });
});
