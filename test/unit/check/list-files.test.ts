// TreeLinks.filesUnder (src/check/links.ts) lists the files of a commit below some link
// targets through the long-lived `cat-file --batch`, where the judge used to start
// `git ls-tree -r -z --full-tree C -- :(literal)T…` each time (issue 14 §4: a process
// start costs the audit ~6 ms of CPU each). It must list exactly what ls-tree lists —
// same paths, blobs, modes, order — or decline (undefined) so the caller asks ls-tree:
// nested trees, gitlinks (listed, not entered), executables, symlinks, a file where a
// directory is asked, overlapping and absent targets, names that sort around `/`
// (`a`, `a-b`, `a.b`, `a/`), and a hand-made tree with a non-canonical mode.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { TreeLinks } from '../../../src/check/links.js';
import { compilePolicy } from '../../../src/policy/compile.js';
import type { GitContext } from '../../../src/git/git.js';
import { prng } from '../../helpers/prng.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const policy = compilePolicy(
  { version: 1, zones: [{ name: 'all', paths: ['**'], ai: 'deny' }] } as never,
  { file: 'policy.yaml' } as never,
);

/** ls-tree's answer, the reference. */
function lsTree(repo: TestRepo, commit: string, dirs: readonly string[]): string[] {
  const out = repo.git(
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...dirs.map((d) => `:(literal)${d}`),
  );
  return out
    .split('\0')
    .filter(Boolean)
    .map((rec) => {
      const [meta = '', path = ''] = rec.split('\t');
      const [mode, , blob] = meta.split(' ');
      return `${mode} ${blob} ${path}`;
    });
}

async function viaCatFile(
  repo: TestRepo,
  commit: string,
  dirs: readonly string[],
): Promise<string[] | undefined> {
  const ctx: GitContext = { cwd: repo.dir, env: repo.env };
  const links = new TreeLinks(ctx, policy);
  try {
    const files = await links.filesUnder(commit, dirs);
    return files?.map((f) => `${f.mode} ${f.blob} ${f.path}`);
  } finally {
    links.close();
  }
}

const NAMES = ['a', 'a-b', 'a.b', 'ab', 'b', 'z y', 'q'];

/** A random tree (mktree: sorted, as git writes them) of depth ≤ 3; returns its id and paths. */
function randomTree(
  repo: TestRepo,
  rnd: () => number,
  blobs: string[],
  depth: number,
  prefix: string,
  paths: string[],
): string {
  const lines: string[] = [];
  for (const name of NAMES) {
    if (rnd() < 0.4) continue;
    const path = prefix + name;
    paths.push(path);
    const k = rnd();
    if (k < 0.35 && depth < 3) {
      lines.push(
        `040000 tree ${randomTree(repo, rnd, blobs, depth + 1, path + '/', paths)}\t${name}`,
      );
    } else if (k < 0.5) {
      lines.push(`160000 commit ${'1'.repeat(40)}\t${name}`);
    } else {
      const mode = k < 0.6 ? '100755' : k < 0.7 ? '120000' : '100644';
      lines.push(`${mode} blob ${blobs[Math.floor(rnd() * blobs.length)]}\t${name}`);
    }
  }
  return execMktree(repo, lines.length ? lines : [`100644 blob ${blobs[0]}\tonly`]);
}

function execMktree(repo: TestRepo, lines: string[]): string {
  const r = repo.tryGit(['mktree', '--missing'], { input: lines.join('\n') + '\n' });
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

function commitOf(repo: TestRepo, tree: string): string {
  return repo.git('commit-tree', tree, '-m', 't').trim();
}

describe('filesUnder lists what ls-tree -r lists for literal paths', () => {
  const repo = TestRepo.init({ bare: true });
  const blobs = ['one', 'two', '../x'].map((t) =>
    repo.tryGit(['hash-object', '-w', '--stdin'], { input: t }).stdout.trim(),
  );

  it('named cases: files, directories, gitlinks, a file asked as a directory, absent and overlapping targets', async () => {
    const inner = execMktree(repo, [
      `100644 blob ${blobs[0]}\tq.json`,
      `100755 blob ${blobs[1]}\trun`,
      `120000 blob ${blobs[2]}\tlink`,
      `160000 commit ${'2'.repeat(40)}\tsub`,
    ]);
    const root = execMktree(repo, [
      `040000 tree ${inner}\ta`,
      `100644 blob ${blobs[0]}\ta-b`,
      `100644 blob ${blobs[1]}\ta.b`,
      `040000 tree ${inner}\tevals`,
    ]);
    const c = commitOf(repo, root);
    const cases: string[][] = [
      ['a'],
      ['a/q.json'],
      ['a/sub'],
      ['a-b'],
      ['a.b', 'a'],
      ['a', 'a/q.json'],
      ['evals', 'a/run'],
      ['a-b/x'],
      ['absent'],
      ['a/absent/deeper'],
      ['a/link/x'],
      ['evals/sub/x'],
    ];
    for (const dirs of cases) {
      const want = lsTree(repo, c, dirs);
      expect(await viaCatFile(repo, c, dirs), dirs.join(',')).toEqual(want);
    }
    // The control: a listing is not empty where ls-tree finds files.
    expect((await viaCatFile(repo, c, ['a']))?.length).toBe(4);
  });

  it('a hand-made tree with a non-canonical mode (100664) shows it as git does (100644)', async () => {
    // `hash-object --literally` writes what mktree would refuse to normalise.
    const id = Buffer.from(blobs[0]!, 'hex');
    const raw = Buffer.concat([Buffer.from('100664 odd\0', 'latin1'), id]);
    const tree = execFileSync(
      'git',
      ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'],
      {
        cwd: repo.dir,
        env: repo.env,
        input: raw,
        encoding: 'utf8',
      },
    ).trim();
    expect(repo.git('ls-tree', tree)).toContain('odd');
    const root = execMktree(repo, [`040000 tree ${tree}\tdir`]);
    const c = commitOf(repo, root);
    const ls = lsTree(repo, c, ['dir']);
    const mine = await viaCatFile(repo, c, ['dir']);
    expect(mine).toEqual(ls);
  });

  it('declines paths a tree lookup would not treat as a literal pathspec', async () => {
    const c = commitOf(repo, execMktree(repo, [`100644 blob ${blobs[0]}\ta`]));
    for (const dirs of [[], [''], ['a/'], ['./a'], ['a/../a'], ['a//b'], ['café'], ['a\nb']])
      expect(await viaCatFile(repo, c, dirs), JSON.stringify(dirs)).toBeUndefined();
    expect(await viaCatFile(repo, c, ['a'])).toEqual(lsTree(repo, c, ['a']));
  });

  it('random trees and targets (fuzz, seeded)', async () => {
    const rnd = prng(1414);
    for (let round = 0; round < 20; round++) {
      const paths: string[] = [];
      const c = commitOf(repo, randomTree(repo, rnd, blobs, 0, '', paths));
      for (let k = 0; k < 6; k++) {
        const dirs: string[] = [];
        const n = 1 + Math.floor(rnd() * 3);
        for (let i = 0; i < n; i++) {
          const p = paths[Math.floor(rnd() * paths.length)] ?? 'a';
          const r = rnd();
          dirs.push(r < 0.15 ? `${p}/zz` : r < 0.25 ? p.split('/')[0]! : p);
        }
        expect(await viaCatFile(repo, c, dirs), dirs.join(',')).toEqual(lsTree(repo, c, dirs));
      }
    }
  }, 120_000);
});
