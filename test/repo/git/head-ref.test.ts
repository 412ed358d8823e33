// The server's pre-receive learns the default branch from the rev-parse it runs anyway
// (`openRepo(ctx, { head: true })`: `--symbolic-full-name HEAD`) instead of a separate
// `git symbolic-ref -q HEAD` (issue 14 §3: one git process less per push). The fast answer
// must be the one symbolic-ref gives, in every state HEAD can be in; where it cannot be
// (detached, unborn), symbolic-ref still runs.

import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../../src/git/repo.js';
import { defaultBranch, idsToPeel } from '../../../src/server/pre-receive.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

/** A bare server with main, feature (one commit each) and an annotated tag v1. */
function server(): TestRepo {
  const work = TestRepo.init();
  work.write('a.txt', 'a\n');
  work.git('add', '-A');
  work.git('commit', '-q', '-m', 'one');
  work.git('branch', 'feature');
  work.write('a.txt', 'b\n');
  work.git('commit', '-q', '-am', 'two');
  work.git('tag', '-a', '-m', 'v1', 'v1');
  const s = TestRepo.init({ bare: true });
  s.git('fetch', '-q', work.dir, 'main:main', 'feature:feature', 'refs/tags/v1:refs/tags/v1');
  return s;
}

const states: [string, (s: TestRepo) => void, boolean][] = [
  ['HEAD names main, which exists', () => undefined, true],
  [
    'HEAD names another existing branch',
    (s) => s.git('symbolic-ref', 'HEAD', 'refs/heads/feature'),
    true,
  ],
  ['HEAD names an unborn branch', (s) => s.git('symbolic-ref', 'HEAD', 'refs/heads/absent'), false],
  [
    'HEAD is detached',
    (s) => s.git('update-ref', '--no-deref', 'HEAD', s.git('rev-parse', 'main').trim()),
    false,
  ],
  [
    'HEAD names a symbolic ref to an existing branch (a chain)',
    (s) => {
      s.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/feature');
      s.git('symbolic-ref', 'HEAD', 'refs/heads/alias');
    },
    true,
  ],
  [
    'HEAD names a symbolic ref to an unborn branch',
    (s) => {
      s.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/absent');
      s.git('symbolic-ref', 'HEAD', 'refs/heads/alias');
    },
    false,
  ],
  [
    // git prints no answer for an ambiguous HEAD: symbolic-ref decides.
    'a branch named HEAD exists too (ambiguous)',
    (s) => s.git('update-ref', 'refs/heads/HEAD', 'feature'),
    false,
  ],
  ['HEAD names a tag', (s) => s.git('symbolic-ref', 'HEAD', 'refs/tags/v1'), true],
  // A pusher deletes the default branch and has pushed a ref named HEAD: rev-parse then
  // guesses that ref for HEAD (its DWIM rules), and its policy would be trusted.
  ...(['refs/tags/HEAD', 'refs/heads/HEAD', 'refs/HEAD', 'refs/remotes/HEAD'] as const).map(
    (ref): [string, (s: TestRepo) => void, boolean] => [
      `HEAD names a deleted branch and ${ref} exists (a pusher's ref)`,
      (s) => {
        s.git('update-ref', ref, 'feature');
        s.git('symbolic-ref', 'HEAD', 'refs/heads/absent');
      },
      false,
    ],
  ),
];

describe('the default branch from the rev-parse the push runs anyway', () => {
  for (const [name, arrange, fast] of states) {
    it(`${name}: the same ref and tip as git symbolic-ref, ${fast ? 'without' : 'with'} it`, async () => {
      const s = server();
      arrange(s);
      const ctx = { cwd: s.dir, env: s.env };
      const before = await defaultBranch(ctx);
      const ran: string[] = [];
      const traced = { ...ctx, trace: (line: string) => void ran.push(line) };
      const repo = await openRepo(traced, { needRoot: false, head: true });
      const after = await defaultBranch(traced, { head: repo.head });
      expect(after).toEqual(before);
      expect(ran.some((l) => l.startsWith('git symbolic-ref'))).toBe(!fast);
      // The rest of the Repo is what the plain call gives.
      const plain = await openRepo(ctx, { needRoot: false });
      expect({ ...repo, head: undefined }).toEqual({ ...plain, head: undefined });
    });
  }

  it('a non-bare repository, opened from inside .git as receive-pack runs hooks there', async () => {
    const s = TestRepo.init();
    s.write('a.txt', 'a\n');
    s.git('add', '-A');
    s.git('commit', '-q', '-m', 'one');
    const ctx = { cwd: `${s.dir}/.git`, env: s.env };
    const repo = await openRepo(ctx, { needRoot: false, head: true });
    expect(repo.head).toBe('refs/heads/main');
    expect(await defaultBranch(ctx, { head: repo.head })).toEqual(await defaultBranch(ctx));
  });

  it('a head that is not a ref name is never taken as one (symbolic-ref decides)', async () => {
    const s = server();
    const ran: string[] = [];
    const ctx = { cwd: s.dir, env: s.env, trace: (line: string) => void ran.push(line) };
    for (const head of ['HEAD', '', 'main', ' refs/heads/feature'])
      expect(await defaultBranch(ctx, { head })).toEqual(await defaultBranch(ctx));
    expect(ran.filter((l) => l.startsWith('git symbolic-ref'))).toHaveLength(8);
  });
});

// The same rev-parse peels the pushed ids (`commits`), saving the push's `cat-file
// --batch-check`; any id it cannot peel to a commit leaves the map undefined, so the
// batch check runs and reports it exactly as before.
describe('the pushed ids peeled in the same rev-parse', () => {
  const setUp = () => {
    const s = server();
    const id = (rev: string): string => s.git('rev-parse', rev).trim();
    const tree = id('main^{tree}');
    const blob = id('main:a.txt');
    s.git('tag', '-a', '-m', 'a tree', 'tt', tree);
    return { s, id, tree, blob, tagOfTree: id('tt') };
  };

  it('commits and annotated tags peel to their commits, in one process', async () => {
    const { s, id } = setUp();
    const ran: string[] = [];
    const ctx = { cwd: s.dir, env: s.env, trace: (l: string) => void ran.push(l) };
    const ids = [id('main'), id('feature'), id('v1')];
    const repo = await openRepo(ctx, { needRoot: false, head: true, commits: ids });
    expect(repo.commits).toEqual(
      new Map([
        [ids[0], id('main')],
        [ids[1], id('feature')],
        [ids[2], id('v1^{commit}')],
      ]),
    );
    expect(repo.head).toBe('refs/heads/main');
    expect(ran).toHaveLength(1);
  });

  for (const [name, pick] of [
    ['a tree', (t: { tree: string }) => t.tree],
    ['a blob', (t: { blob: string }) => t.blob],
    ['a tag of a tree', (t: { tagOfTree: string }) => t.tagOfTree],
    ['an id the repository lacks', () => 'f'.repeat(40)],
    ['an abbreviated id', (t: { id: (r: string) => string }) => t.id('main').slice(0, 12)],
    ['something that is not an id', () => 'main'],
  ] as const) {
    it(`${name} among the ids: no map, and the rest as the plain call gives it`, async () => {
      const t = setUp();
      const ctx = { cwd: t.s.dir, env: t.s.env };
      const repo = await openRepo(ctx, {
        needRoot: false,
        head: true,
        commits: [t.id('main'), pick(t as never)],
      });
      expect(repo.commits).toBeUndefined();
      const plain = await openRepo(ctx, { needRoot: false });
      expect({ ...repo, head: undefined }).toEqual({ ...plain, head: undefined });
    });
  }

  it('idsToPeel: new ids of well-formed lines, not deletions, not refs/replace/*, none past the bound', () => {
    const a = 'a'.repeat(40);
    const b = 'b'.repeat(40);
    const z = '0'.repeat(40);
    const text = [
      `${z} ${a} refs/heads/x`,
      `${a} ${z} refs/heads/gone`,
      `${z} ${b} refs/replace/${a}`,
      `${z} ${b}refs/heads/bad`,
      `${z} ${a} refs/heads/again`,
      '',
    ].join('\n');
    expect(idsToPeel(text)).toEqual([a]);
    const many = Array.from(
      { length: 33 },
      (_, i) => `${z} ${i.toString(16).padStart(40, 'c')} refs/tags/t${i}`,
    );
    expect(idsToPeel(many.join('\n'))).toEqual([]);
    expect(idsToPeel(many.slice(0, 32).join('\n'))).toHaveLength(32);
  });
});
