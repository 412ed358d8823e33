// Trees Git's fsck rejects (fsck.c fsck_tree: FULL_PATHNAME, HAS_DOT, HAS_DOTDOT,
// HAS_DOTGIT, EMPTY_NAME, DUPLICATE_ENTRIES, TREE_NOT_SORTED, BAD_FILEMODE) reach a server
// whenever receive.fsckObjects is off, Git's default. `git diff-tree -r` joins entry names
// with "/", so such a tree shows content at a path no checkout has ("x/../evals/tasks/q.json",
// an entry named "evals/tasks/q.json" in the root tree). cleanroom fails closed on them: the
// push is rejected, `check --range` and `audit` stop with exit 2, each saying what to do.
// Beside each, the same content in a well-formed tree passes.

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectCleanError, removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

interface Entry {
  mode: string;
  name: string | Buffer;
  id: string;
}

function hashObject(repo: TestRepo, type: string, content: Buffer): string {
  return execFileSync('git', ['hash-object', '-t', type, '--literally', '-w', '--stdin'], {
    cwd: repo.dir,
    env: repo.env,
    input: content,
  })
    .toString()
    .trim();
}

/** A tree object written as given: no sorting, no check of the names (`hash-object --literally`). */
function rawTree(repo: TestRepo, entries: readonly Entry[]): string {
  const parts = entries.map((e) =>
    Buffer.concat([
      Buffer.from(`${e.mode} `),
      typeof e.name === 'string' ? Buffer.from(e.name) : e.name,
      Buffer.from([0]),
      Buffer.from(e.id, 'hex'),
    ]),
  );
  return hashObject(repo, 'tree', Buffer.concat(parts));
}

function blob(repo: TestRepo, text: string): string {
  return hashObject(repo, 'blob', Buffer.from(text));
}

/** The entries of HEAD's root tree, as `git ls-tree` gives them. */
function headEntries(repo: TestRepo): Entry[] {
  return repo
    .git('ls-tree', 'HEAD')
    .trim()
    .split('\n')
    .map((l) => {
      const [meta, name] = l.split('\t') as [string, string];
      const [mode, , id] = meta.split(' ') as [string, string, string];
      // ls-tree pads a tree's mode ("040000"); a tree object holds "40000" (fsck: zeroPaddedFilemode).
      return { mode: mode.replace(/^0+/, ''), name, id };
    });
}

/** A commit on top of HEAD whose root tree is HEAD's plus `extra` (sorted as Git sorts unless `raw`). */
function commitTree(repo: TestRepo, tree: string, ai: boolean): string {
  const msg = ai ? `generate\n\n${CLAUDE}\n` : 'by hand\n';
  const id = repo.git('commit-tree', tree, '-p', 'HEAD', '-m', msg).trim();
  repo.git('update-ref', 'refs/heads/main', id);
  return id;
}

const gitSort = (a: Entry, b: Entry): number => {
  const key = (e: Entry): Buffer =>
    Buffer.concat([
      typeof e.name === 'string' ? Buffer.from(e.name) : e.name,
      Buffer.from(e.mode.startsWith('4') ? '/' : ''),
    ]);
  return Buffer.compare(key(a), key(b));
};

type Build = (repo: TestRepo, q: string) => Entry[];

const dir = (repo: TestRepo, name: string, inner: Entry[]): Entry => ({
  mode: '40000',
  name,
  id: rawTree(repo, inner),
});
const evalsTree = (repo: TestRepo, q: string): Entry =>
  dir(repo, 'evals', [dir(repo, 'tasks', [{ mode: '100644', name: 'q.json', id: q }])]);

const hostile: { name: string; build: Build; sorted?: boolean }[] = [
  {
    name: 'an entry named "evals/tasks/q.json" in the root tree (FULL_PATHNAME)',
    build: (_r, q) => [{ mode: '100644', name: 'evals/tasks/q.json', id: q }],
  },
  {
    name: 'an entry named "x/.." (a slash and a dot-dot) holding evals/tasks/q.json',
    build: (r, q) => [dir(r, 'x/..', [evalsTree(r, q)])],
  },
  {
    name: 'a tree named ".." holding evals/tasks/q.json (HAS_DOTDOT)',
    build: (r, q) => [dir(r, 'x', [dir(r, '..', [evalsTree(r, q)])])],
  },
  {
    name: 'a tree named "." holding evals/tasks/q.json (HAS_DOT)',
    build: (r, q) => [dir(r, '.', [evalsTree(r, q)])],
  },
  {
    name: 'a tree with an empty name holding evals/tasks/q.json (EMPTY_NAME)',
    build: (r, q) => [dir(r, '', [evalsTree(r, q)])],
  },
  {
    name: 'a tree named ".GIT" (HAS_DOTGIT, any case)',
    build: (r, q) => [dir(r, '.GIT', [{ mode: '100644', name: 'q.json', id: q }])],
  },
  {
    name: 'a tree named ".git\\u200c" (HFS+ ignores the joiner: .git)',
    build: (r, q) => [dir(r, '.git\u200c', [{ mode: '100644', name: 'q.json', id: q }])],
  },
  {
    name: 'a tree named "git~1" (the NTFS short name of .git)',
    build: (r, q) => [dir(r, 'git~1', [{ mode: '100644', name: 'q.json', id: q }])],
  },
  {
    name: 'a tree named ".git. " (NTFS drops trailing dots and spaces)',
    build: (r, q) => [dir(r, '.git. ', [{ mode: '100644', name: 'q.json', id: q }])],
  },
  {
    name: 'two entries named "evals" (DUPLICATE_ENTRIES): a clean one, then one with the AI file',
    build: (r, q) => [
      dir(r, 'evals', [{ mode: '100644', name: 'README.md', id: blob(r, 'clean\n') }]),
      evalsTree(r, q),
    ],
    sorted: false,
  },
  {
    name: 'a blob and a tree both named "evals" (DUPLICATE_ENTRIES across types)',
    build: (r, q) => [{ mode: '100644', name: 'evals', id: q }, evalsTree(r, q)],
    sorted: false,
  },
  {
    name: 'a root tree out of order (TREE_NOT_SORTED)',
    build: (r, q) => [
      { mode: '100644', name: 'zz', id: q },
      { mode: '100644', name: 'aa', id: q },
    ],
    sorted: false,
  },
  {
    name: 'a mode Git never writes: 010644 (git reads it as a gitlink) in a zone',
    build: (r, q) => [
      dir(r, 'evals', [dir(r, 'tasks', [{ mode: '10644', name: 'q.json', id: q }])]),
    ],
  },
];

/** The hostile cases a client's own git can pack (it refuses an empty name itself). */
const packable = hostile.filter((h) => !/empty name/.test(h.name));

/** Moves `repo`'s main, its index and work tree back to `base` (for the next case). */
function backTo(repo: TestRepo, base: string): void {
  repo.git('update-ref', 'refs/heads/main', base);
  repo.git('reset', '-q', '--hard', base);
}

/** The hostile case most tests push: a tree "x/.." holding evals/tasks/q.json. */
const slashDotDot = hostile.find((h) => h.name.includes('"x/.."'))!;

function hostileCommit(repo: TestRepo, c: (typeof hostile)[number], ai: boolean): string {
  const q = blob(repo, '{"q":1}\n');
  const extra = c.build(repo, q);
  let entries = [...headEntries(repo), ...extra];
  if (c.sorted !== false) entries = entries.sort(gitSort);
  else entries = [...headEntries(repo).sort(gitSort), ...extra];
  return commitTree(repo, rawTree(repo, entries), ai);
}

/**
 * A push written by hand to `server`'s receive-pack: one `OLD NEW REF` command and a pack of
 * `objects` (ids in `from`; none: an empty pack), as no `git push` would send it. Returns
 * what receive-pack and the hook said (stdout and stderr, latin1).
 */
function receivePack(server: TestRepo, from: TestRepo, command: string, objects: string[]): string {
  const pack = execFileSync('git', ['pack-objects', '--stdout', '-q'], {
    cwd: from.dir,
    env: from.env,
    input: objects.length ? `${objects.join('\n')}\n` : '',
  });
  const line = `${command}\0report-status\n`;
  const pkt = `${(line.length + 4).toString(16).padStart(4, '0')}${line}0000`;
  const r = spawnSync('git', ['receive-pack', server.dir], {
    env: from.env,
    input: Buffer.concat([Buffer.from(pkt, 'latin1'), pack]),
  });
  return r.stdout.toString('latin1') + r.stderr.toString('latin1');
}

/** A protected server whose Git refuses malformed trees itself (docs/server.md). */
function fsckServer(): ReturnType<typeof protectedServer> {
  const s = protectedServer();
  s.server.git('config', 'receive.fsckObjects', 'true');
  s.server.git('config', 'receive.fsck.badFilemode', 'error');
  return s;
}

/**
 * A treeless partial clone (`--filter=tree:0`, as a CI checkout may be) of `work`'s main,
 * fetched as its branch `ci` through a plain bare copy that allows filters.
 */
function treelessClone(work: TestRepo): TestRepo {
  const plain = TestRepo.init({ bare: true });
  plain.git('config', 'uploadpack.allowFilter', 'true');
  work.git('push', '-q', plain.dir, 'main');
  const clone = TestRepo.init();
  clone.git('remote', 'add', 'origin', `file://${plain.dir}`);
  clone.git('config', 'remote.origin.promisor', 'true');
  clone.git('config', 'remote.origin.partialclonefilter', 'tree:0');
  clone.git('fetch', '-q', '--filter=tree:0', 'origin', 'main:refs/heads/ci');
  return clone;
}

describe('malformed trees fail closed at every point that reads history', () => {
  for (const c of hostile) {
    for (const ai of [true, false]) {
      it(`${c.name} — ${ai ? 'AI' : 'human'} commit`, T, () => {
        const s = protectedServer();
        const base = s.work.head();
        hostileCommit(s.work, c, ai);
        // The server's git takes it (receive.fsckObjects is off by default) and cleanroom rejects it.
        const push = s.work.tryGit(['push', 'origin', 'main']);
        expect(push.code, push.stderr).not.toBe(0);
        // An empty name: the client's own git cannot pack it ("empty filename in tree entry").
        if (!/empty filename/.test(push.stderr)) {
          expect(push.stderr).toMatch(/malformed tree/);
          expect(push.stderr).toMatch(/receive\.fsckObjects/);
          expect(serverRef(s, 'main')).toBe(base);
        }
        const range = s.work.cleanroom(['check', '--range', `${base}..main`]);
        expectCleanError(range);
        expect(range.stderr).toMatch(/malformed tree/);
        const audit = s.work.cleanroom(['audit']);
        expectCleanError(audit);
        expect(audit.stderr).toMatch(/malformed tree/);
      });
    }
  }

  it('control: the same AI content in a well-formed tree outside the zones is pushed', T, () => {
    const s = protectedServer();
    const base = s.work.head();
    const q = blob(s.work, '{"q":1}\n');
    const entries = [
      ...headEntries(s.work),
      dir(s.work, 'src', [{ mode: '100644', name: 'q.json', id: q }]),
      { mode: '100664', name: 'old-mode.txt', id: q },
    ].sort(gitSort);
    commitTree(s.work, rawTree(s.work, entries), true);
    const push = s.work.tryGit(['push', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
    expect(s.work.cleanroom(['check', '--range', `${base}..main`]).code).toBe(0);
    expect(s.work.cleanroom(['audit']).code).toBe(0);
  });

  // Fail-open accepts a check that could not be completed, not a verdict: a malformed tree
  // is one (src/errors.ts RefusedContent). Else a deny zone's AI content, rejected in a
  // well-formed tree even on a fail-open server, was accepted unchecked once wrapped in a
  // malformed one (hostile review, eighth pass).
  it('a fail-open server still rejects a malformed tree (and logs a rejection)', T, () => {
    const s = protectedServer();
    const base = s.work.head();
    const log = join(s.server.dir, 'decisions.jsonl');
    s.server.git('config', 'cleanroom.failopen', 'true');
    s.server.git('config', 'cleanroom.log', log);
    // Control: the zone's AI content in a well-formed tree is a violation (exit 1), fail-open or not.
    const q = blob(s.work, '{"q":1}\n');
    commitTree(
      s.work,
      rawTree(s.work, [...headEntries(s.work), evalsTree(s.work, q)].sort(gitSort)),
      true,
    );
    const control = s.work.tryGit(['push', 'origin', 'main']);
    expect(control.code, control.stderr).not.toBe(0);
    expect(control.stderr).not.toMatch(/fail open/);
    expect(serverRef(s, 'main')).toBe(base);
    for (const c of packable) {
      backTo(s.work, base);
      hostileCommit(s.work, c, true);
      const push = s.work.tryGit(['push', 'origin', 'main']);
      expect(push.code, `${c.name}: ${push.stderr}`).not.toBe(0);
      expect(push.stderr, c.name).toMatch(/malformed tree/);
      expect(push.stderr, c.name).toMatch(/fail-open does not apply/);
      expect(serverRef(s, 'main'), c.name).toBe(base);
    }
    const decisions = readFileSync(log, 'utf8');
    expect(decisions).toMatch(/"decision":"reject"/);
    expect(decisions).not.toMatch(/accept-fail-open/);
  });

  it('control: a human commit of the zone in a well-formed tree is pushed', T, () => {
    const s = protectedServer();
    const q = blob(s.work, '{"q":1}\n');
    const entries = [...headEntries(s.work), evalsTree(s.work, q)].sort(gitSort);
    commitTree(s.work, rawTree(s.work, entries), false);
    const push = s.work.tryGit(['push', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
  });

  it(
    'with Git refusing such trees itself (receive.fsckObjects, badFilemode error), the hook reads no tree',
    T,
    () => {
      const s = fsckServer();
      const base = s.work.head();
      const traced = { ...s.work.env, CLEANROOM_DEBUG: '1' };
      // Git refuses each hostile tree before the hook runs.
      for (const c of packable) {
        backTo(s.work, base);
        hostileCommit(s.work, c, false);
        const push = s.work.tryGit(['push', 'origin', 'main'], { env: traced });
        expect(push.code, `${c.name}: ${push.stderr}`).not.toBe(0);
        expect(push.stderr, c.name).not.toMatch(/malformed tree/);
        expect(serverRef(s, 'main')).toBe(base);
      }
      // A well-formed push is judged without the tree pass.
      backTo(s.work, base);
      s.work.write('src/a.txt', 'a\n');
      s.work.git('add', 'src/a.txt');
      s.work.git('commit', '-q', '--no-verify', '-m', 'by hand');
      const push = s.work.tryGit(['push', 'origin', 'main'], { env: traced });
      expect(push.code, push.stderr).toBe(0);
      expect(push.stderr).toMatch(/git rev-parse/);
      expect(push.stderr).not.toMatch(/--filter=object:type=tree/);
    },
  );

  it(
    'with receive.fsckObjects but BAD_FILEMODE left at "info", the hook still reads the trees',
    T,
    () => {
      const s = protectedServer();
      s.server.git('config', 'receive.fsckObjects', 'true');
      const base = s.work.head();
      // 100600: a mode Git's fsck only notes (BAD_FILEMODE is "info"), so git takes it.
      const q = blob(s.work, '{"q":1}\n');
      const entries = [
        ...headEntries(s.work),
        dir(s.work, 'evals', [dir(s.work, 'tasks', [{ mode: '100600', name: 'q.json', id: q }])]),
      ].sort(gitSort);
      commitTree(s.work, rawTree(s.work, entries), true);
      const push = s.work.tryGit(['push', 'origin', 'main']);
      expect(push.code, push.stderr).not.toBe(0);
      expect(push.stderr).toMatch(/malformed tree/);
      expect(serverRef(s, 'main')).toBe(base);
    },
  );

  // Hostile review of pass 6: Git's fsck reads only the objects a push sends. A tree
  // already in the object store (here through an alternate, as a fork network shares
  // one; or pushed before receive.fsckObjects was turned on) is sent by no push, so Git
  // never checks it, and the hook must not skip its own pass.
  it(
    'with receive.fsckObjects on, a malformed tree the server already holds through an alternate is refused',
    T,
    () => {
      const s = fsckServer();
      const fork = TestRepo.init({ bare: true });
      writeFileSync(join(s.server.dir, 'objects', 'info', 'alternates'), `${fork.dir}/objects\n`);
      const base = s.work.head();
      hostileCommit(s.work, slashDotDot, true);
      // The fork takes it (no fsck, no hook); the server then holds its objects already,
      // so the push sends none and Git's fsck reads nothing.
      s.work.git('push', '-q', fork.dir, 'main');
      const push = s.work.tryGit(['push', 'origin', 'main']);
      expect(push.code, push.stderr).not.toBe(0);
      expect(push.stderr).toMatch(/malformed tree/);
      expect(serverRef(s, 'main')).toBe(base);
    },
  );

  // Seventh pass, hostile review: Git's fsck reads only what a push sends. A commit only a
  // hidden ref holds (a forge's pull-request ref, written without this hook) reaches a
  // branch through a push whose pack is empty; the client cannot see the ref, so only a
  // hand-made push does this. With hidden refs the hook keeps its own walk.
  it(
    'with receive.fsckObjects on and hidden refs, a malformed commit held by a hidden ref is refused',
    T,
    () => {
      const s = fsckServer();
      s.server.git('config', 'transfer.hideRefs', 'refs/pull');
      const old = s.work.head();
      const bad = hostileCommit(s.work, slashDotDot, true);
      // The forge writes the pull-request ref itself: no push, no fsck, no hook.
      s.server.git('fetch', '-q', s.work.dir, `${bad}:refs/pull/1/head`);
      const r = receivePack(s.server, s.work, `${old} ${bad} refs/heads/main`, []);
      expect(r).toMatch(/malformed tree/);
      expect(serverRef(s, 'main')).toBe(old);
    },
  );

  // The walk reads what a push makes reachable, not what it sends: a malformed tree sent
  // beside a well-formed commit and referenced by nothing is stored, as Git stores it, and
  // refused when a later push names it without sending it again.
  it('a malformed tree stored unreferenced is refused when a later push names it', T, () => {
    const s = protectedServer();
    const old = s.work.head();
    s.work.write('src/a.txt', 'a\n');
    s.work.git('add', 'src/a.txt');
    s.work.git('commit', '-q', '--no-verify', '-m', 'by hand');
    const good = s.work.head();
    const bad = hostileCommit(s.work, slashDotDot, true);
    const objects = s.work
      .git('rev-list', '--objects', '--no-object-names', bad, `^${old}`)
      .trim()
      .split('\n');
    const first = receivePack(s.server, s.work, `${old} ${good} refs/heads/main`, objects);
    expect(first).toMatch(/ok refs\/heads\/main/);
    expect(s.server.tryGit(['cat-file', '-e', bad]).code).toBe(0);
    const second = receivePack(s.server, s.work, `${'0'.repeat(40)} ${bad} refs/heads/f1`, []);
    expect(second).toMatch(/malformed tree/);
    expect(s.server.tryGit(['rev-parse', '-q', '--verify', 'refs/heads/f1']).code).not.toBe(0);
  });

  // Hostile review of pass 6: in a treeless clone (`git clone --filter=tree:0`, as a CI
  // checkout may be) the trees are absent; the pass walked with --missing=allow-any
  // and saw none of them, while the judgement fetched them on demand.
  it('check --range in a treeless clone still refuses a malformed tree', T, () => {
    const s = protectedServer();
    const base = s.work.head();
    hostileCommit(s.work, slashDotDot, true);
    const clone = treelessClone(s.work);
    const range = clone.cleanroom(['check', '--range', `${base}..ci`]);
    expect(range.code, range.stderr + range.stdout).not.toBe(0);
    expect(range.stderr).toMatch(/malformed tree/);
  });

  it('control: check --range in a treeless clone passes a well-formed human commit', T, () => {
    const s = protectedServer();
    const base = s.work.head();
    const q = blob(s.work, '{"q":1}\n');
    commitTree(
      s.work,
      rawTree(s.work, [...headEntries(s.work), evalsTree(s.work, q)].sort(gitSort)),
      false,
    );
    const clone = treelessClone(s.work);
    const range = clone.cleanroom(['check', '--range', `${base}..ci`]);
    expect(range.code, range.stderr + range.stdout).toBe(0);
  });
});
