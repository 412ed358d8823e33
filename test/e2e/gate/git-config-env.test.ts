// The last hostile review left open: which git settings, environment variables and
// in-tree files other than the submodule ones change what cleanroom's git calls print or
// walk? Each setting that did is tried here against the exact command cleanroom runs,
// through the one door (src/git/git.ts), set the way the place that runs it lets an
// attacker set it: an agent's `git config KEY VALUE` (not refused by the agent hook),
// GIT_CONFIG_COUNT/KEY_n/VALUE_n or GIT_CONFIG_PARAMETERS in its shell, a variable it
// exports. The door's output must be the output without the setting; the controls show
// that what git itself sets for a hook (GIT_INDEX_FILE, the quarantine's object
// directories) still reaches git. The table of everything tried, including what changed
// nothing, is in docs/design/field-notes.md.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bypassReason } from '../../../src/agents/bypass.js';
import { LOG_ARGS } from '../../../src/audit/history.js';
import { findObjectArgs } from '../../../src/check/provenance.js';
import { carriedArgs, PATCH_ARGS } from '../../../src/cli/replay.js';
import { runGit, type GitContext } from '../../../src/git/git.js';
import { diffIndexArgs } from '../../../src/git/staged.js';
import { removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const T = { timeout: 120_000 };
const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** A root commit by an agent (evals/a, sub/s, notes/t), then a human's rename and edit, signed with ssh. */
function world(): { repo: TestRepo; root: string; blob: string } {
  const repo = TestRepo.init();
  repo.write('evals/a', 'a\n').write('sub/s', 's\n').write('notes/t', 'one\ntwo\nthree\nfour\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'root', '-m', CLAUDE);
  const root = repo.head();
  const blob = repo.git('rev-parse', 'HEAD:evals/a').trim();
  const key = join(tempDir(), 'k');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key], { stdio: 'ignore' });
  repo.git('mv', 'evals/a', 'evals/b');
  repo.write('notes/t', 'one\ntwo\nthree\nfour\nfive\n');
  repo.git('add', '-A');
  repo.git(
    '-c',
    'gpg.format=ssh',
    '-c',
    `user.signingkey=${key}`,
    'commit',
    '-q',
    '-S',
    '-m',
    'move',
  );
  // Staged: one deletion and two additions.
  repo.git('rm', '-q', 'notes/t');
  repo.write('evals/z', 'z\n').write('sub/a', 'x\n');
  repo.git('add', '-A');
  return { repo, root, blob };
}

const out = async (ctx: GitContext, args: string[]): Promise<Buffer> =>
  (await runGit(ctx, args)).stdout;

interface Shaping {
  name: string;
  /** Repository config (`git config KEY VALUE`, as an agent may run it). */
  config?: [string, string];
  /** Environment of the command (the agent's shell, a hook's parent). */
  env?: Record<string, string>;
  /** Working directory below the top. */
  sub?: string;
  /** The command, as cleanroom runs it (src/… named), given the world. */
  args: (w: { root: string; blob: string }) => string[];
}

// The commands as cleanroom runs them, imported from where it runs them.
const FIND_OBJECT = (w: { blob: string }): string[] => findObjectArgs([w.blob], ['HEAD']);
const CARRIED = (): string[] => carriedArgs(['HEAD', 'HEAD^']);
const AUDIT_LOG = (): string[] => [...LOG_ARGS, 'HEAD'];
const STAGED = (): string[] => diffIndexArgs(['--no-renames'], 'HEAD');
// isPureReplay's diff of the original against its parent (the patches patch-id compares)
const PATCH = (w: { root: string }): string[] => ['diff-tree', ...PATCH_ARGS, w.root, 'HEAD'];

const SHAPINGS: Shaping[] = [
  {
    name: 'log.showRoot=false hides the root commit from provenance',
    config: ['log.showRoot', 'false'],
    args: FIND_OBJECT,
  },
  {
    name: 'diff.relative=true, run from a subdirectory, hides every path outside it',
    config: ['diff.relative', 'true'],
    sub: 'sub',
    args: FIND_OBJECT,
  },
  {
    name: 'log.showSignature=true prints the signature check into a --format log',
    config: ['log.showSignature', 'true'],
    args: CARRIED,
  },
  {
    name: 'i18n.logOutputEncoding=UTF-16 re-encodes the replayed commits',
    config: ['i18n.logOutputEncoding', 'UTF-16'],
    args: CARRIED,
  },
  {
    name: 'i18n.logOutputEncoding=UTF-16 re-encodes the audit walk (GIT_CONFIG_COUNT)',
    env: {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'i18n.logOutputEncoding',
      GIT_CONFIG_VALUE_0: 'UTF-16',
    },
    args: AUDIT_LOG,
  },
  {
    // git log honours it; diff-tree and diff-index (plumbing) do not.
    name: 'diff.orderFile reorders the audit walk’s entries (GIT_CONFIG_PARAMETERS)',
    env: { GIT_CONFIG_PARAMETERS: `'diff.orderfile'='${join(tempDir(), 'order')}'` },
    args: AUDIT_LOG,
  },
  {
    name: 'grep.lineNumber=true puts a number between path and text',
    config: ['grep.lineNumber', 'true'],
    // src/cli/local-signals.ts
    args: () => ['grep', '-z', '-F', '-I', '--no-color', '-e', 'five', 'HEAD', '--'],
  },
  {
    name: 'grep.column=true likewise',
    config: ['grep.column', 'true'],
    args: () => ['grep', '-z', '-F', '-I', '--no-color', '-e', 'five', 'HEAD', '--'],
  },
  {
    name: 'GIT_LITERAL_PATHSPECS=1 makes :(top,literal)… a name that matches nothing',
    env: { GIT_LITERAL_PATHSPECS: '1' },
    // src/cli/context.ts sparseCopy
    args: () => ['ls-files', '-t', '-z', '--', ':(top,literal)evals/b'],
  },
  {
    name: 'GIT_ICASE_PATHSPECS=1 makes ls-tree fail',
    env: { GIT_ICASE_PATHSPECS: '1' },
    // src/check/policy-source.ts
    args: () => ['ls-tree', '-z', '--full-tree', '--end-of-options', 'HEAD', '--', 'evals/b'],
  },
  {
    name: 'GIT_GLOB_PATHSPECS=1 likewise',
    env: { GIT_GLOB_PATHSPECS: '1' },
    args: () => ['ls-tree', '-z', '--full-tree', '--end-of-options', 'HEAD', '--', 'evals/b'],
  },
  {
    name: 'GIT_DIFF_OPTS=--unified=0 changes the patches patch-id compares',
    env: { GIT_DIFF_OPTS: '--unified=0' },
    args: PATCH,
  },
  {
    name: 'GIT_SHALLOW_FILE cuts the history at HEAD',
    env: { GIT_SHALLOW_FILE: 'HEAD-LIST' },
    args: () => ['rev-list', '--parents', 'HEAD'],
  },
  {
    name: 'GIT_GRAFT_FILE makes HEAD a root',
    env: { GIT_GRAFT_FILE: 'HEAD-LIST' },
    args: () => ['rev-list', '--parents', 'HEAD'],
  },
];

describe('git settings an attacker controls do not reshape what the door prints', () => {
  for (const s of SHAPINGS) {
    it(`attack: ${s.name}`, T, async () => {
      const w = world();
      const cwd = s.sub ? join(w.repo.dir, s.sub) : w.repo.dir;
      const plain: GitContext = { cwd, env: w.repo.env };
      const want = await out(plain, s.args(w));
      expect(want.length, 'the command prints something to hide').toBeGreaterThan(0);
      const listFile = join(tempDir(), 'list');
      writeFileSync(listFile, `${w.repo.head()}\n`);
      const env = Object.fromEntries(
        Object.entries(s.env ?? {}).map(([k, v]) => [k, v === 'HEAD-LIST' ? listFile : v]),
      );
      if (s.env?.GIT_CONFIG_PARAMETERS)
        writeFileSync(/'diff.orderfile'='(.*)'/.exec(s.env.GIT_CONFIG_PARAMETERS)![1]!, 'sub/*\n');
      if (s.config) w.repo.git('config', ...s.config);
      const hostile: GitContext = { cwd, env: { ...w.repo.env, ...env } };
      expect((await out(hostile, s.args(w))).toString('latin1')).toBe(want.toString('latin1'));
    });
  }

  it(
    'attack: .git/info/grafts (read by git 2.39 without any variable) makes HEAD a root',
    T,
    async () => {
      const w = world();
      const ctx: GitContext = { cwd: w.repo.dir, env: w.repo.env };
      const want = await out(ctx, ['rev-list', '--parents', 'HEAD']);
      writeFileSync(join(w.repo.dir, '.git/info/grafts'), `${w.repo.head()}\n`);
      expect(w.repo.git('rev-list', '--parents', 'HEAD').trim()).toBe(w.repo.head()); // git obeys it
      expect((await out(ctx, ['rev-list', '--parents', 'HEAD'])).toString()).toBe(want.toString());
    },
  );

  it('attack: core.fsmonitor runs a program for diff-index --cached', T, async () => {
    const w = world();
    const mark = join(tempDir(), 'ran');
    const prog = join(tempDir(), 'fsmonitor');
    writeFileSync(prog, `#!/bin/sh\necho ran >> '${mark}'\nexit 1\n`, { mode: 0o755 });
    w.repo.git('config', 'core.fsmonitor', prog);
    w.repo.git('update-index', '--fsmonitor'); // the index carries the extension (as after a status)
    w.repo.tryGit(['status']);
    spawnSync('rm', ['-f', mark]);
    const ctx: GitContext = { cwd: w.repo.dir, env: w.repo.env };
    await out(ctx, STAGED());
    await out(ctx, ['ls-files', '-s', '-z']);
    expect(existsSync(mark), 'the fsmonitor program ran').toBe(false);
    // GIT_TEST_FSMONITOR, git's test knob honoured by release builds, is outranked too.
    await out({ ...ctx, env: { ...ctx.env, GIT_TEST_FSMONITOR: prog } }, STAGED());
    expect(existsSync(mark), 'GIT_TEST_FSMONITOR ran').toBe(false);
  });

  it('attack: submodule.recurse=true makes git grep HEAD search a submodule too', T, async () => {
    const w = world();
    const inner = TestRepo.init();
    inner.write('f', 'five\n');
    inner.git('add', 'f');
    inner.git('commit', '-q', '-m', 'inner');
    w.repo.git('-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', inner.dir, 'inner');
    w.repo.git('commit', '-q', '--no-verify', '-m', 'submodule');
    // src/cli/local-signals.ts
    const args = ['grep', '-z', '-F', '-I', '--no-color', '-e', 'five', 'HEAD', '--'];
    const ctx: GitContext = { cwd: w.repo.dir, env: w.repo.env };
    // The commit above took the staged deletion of notes/t: nothing outside `inner` matches.
    const grep = async (): Promise<string> =>
      (await runGit(ctx, args, { okCodes: [1] })).stdout.toString();
    const want = await grep();
    w.repo.git('config', 'submodule.recurse', 'true');
    expect(w.repo.git('grep', '-e', 'five', 'HEAD', '--')).toContain('inner/f'); // git obeys it
    expect(await grep()).toBe(want);
  });

  it('control: GIT_INDEX_FILE (git commit -a / --only) still chooses the index', T, async () => {
    const w = world();
    const other = join(tempDir(), 'index');
    w.repo.tryGit(['read-tree', 'HEAD'], { env: { ...w.repo.env, GIT_INDEX_FILE: other } });
    const ctx: GitContext = { cwd: w.repo.dir, env: { ...w.repo.env, GIT_INDEX_FILE: other } };
    expect((await out(ctx, STAGED())).length).toBe(0); // that index is HEAD's tree
    expect((await out({ cwd: w.repo.dir, env: w.repo.env }, STAGED())).length).toBeGreaterThan(0);
  });

  it('control: a quarantine object directory (pre-receive) is still read', T, async () => {
    const w = world();
    const q = join(tempDir(), 'objects');
    mkdirSync(q);
    const env = { ...w.repo.env, GIT_OBJECT_DIRECTORY: q };
    const id = spawnSync('git', ['hash-object', '-w', '--stdin'], {
      cwd: w.repo.dir,
      env,
      input: 'only in quarantine\n',
      encoding: 'utf8',
    }).stdout.trim();
    const ctx: GitContext = {
      cwd: w.repo.dir,
      env: { ...env, GIT_ALTERNATE_OBJECT_DIRECTORIES: join(w.repo.dir, '.git/objects') },
    };
    expect((await out(ctx, ['cat-file', 'blob', id])).toString()).toBe('only in quarantine\n');
    expect((await out(ctx, ['cat-file', '-t', 'HEAD'])).toString()).toBe('commit\n');
  });

  it('control: a setting the door pins is still the caller’s where nothing pins it', T, () => {
    const w = world();
    w.repo.git('config', 'log.showRoot', 'false');
    // The user's own git keeps the user's setting: only cleanroom's reads are pinned.
    expect(w.repo.git('log', '--format=%H', '--raw', 'HEAD').includes(w.root)).toBe(true);
    expect(w.repo.git('log', '--raw', '--format=%H', w.root)).not.toContain('evals/a');
  });
});

describe('provenance through a root commit, with log.showRoot=false in the repository', () => {
  /** A root commit by an agent writes drafts/q1.json; a human moves it into a deny zone. */
  function moved(config: boolean): ReturnType<TestRepo['cleanroom']> {
    const policy = repoWithPolicy({ init: false });
    const repo = TestRepo.init();
    repo.write('.cleanroom/policy.yaml', policy.git('show', 'HEAD:.cleanroom/policy.yaml'));
    repo.write('drafts/q1.json', '{"q": 1}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'drafts', '-m', CLAUDE);
    if (config) repo.git('config', 'log.showRoot', 'false');
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    repo.git('mv', 'drafts/q1.json', 'evals/tasks/q1.json');
    return repo.cleanroom(['check', '--staged']);
  }
  it('attack: the move is refused as without the setting', T, () => {
    const r = moved(true);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain('moved from drafts/q1.json');
  });
  it('control: without the setting', T, () => {
    const r = moved(false);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain('moved from drafts/q1.json');
  });
});

describe('a sparse checkout whose policy is only in the index, GIT_LITERAL_PATHSPECS=1 in the environment', () => {
  /** `.cleanroom/` left out of the work tree; the commit adds evals/tasks/q.json. */
  function sparse(agent: boolean, literal: boolean): ReturnType<TestRepo['tryGit']> {
    const repo = repoWithPolicy();
    repo.write('src/a', '1\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'src');
    repo.git('sparse-checkout', 'set', '--cone', 'src', 'evals');
    expect(existsSync(join(repo.dir, '.cleanroom/policy.yaml'))).toBe(false);
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', 'evals');
    const env = {
      ...repo.env,
      ...(agent ? { CLAUDECODE: '1' } : {}),
      ...(literal ? { GIT_LITERAL_PATHSPECS: '1' } : {}),
    };
    return repo.tryGit(['commit', '-q', '-m', 'q'], { env });
  }
  // Before: ":(top,literal).cleanroom/policy.yaml" matched nothing, and every commit
  // stopped on "no cleanroom policy" — the agent's for the wrong reason, a human's too.
  it('attack: the agent’s commit into the deny zone is judged by the policy', T, () => {
    const r = sparse(true, true);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('evals/tasks/q.json');
    expect(r.stderr).not.toContain('no cleanroom policy');
  });
  it('control: a human’s commit passes, with the variable as without', T, () => {
    for (const literal of [false, true]) {
      const r = sparse(false, literal);
      expect([literal, r.code, r.stderr]).toEqual([literal, 0, '']);
    }
  });
});

describe('the agent hook refuses settings that make git drop the Assisted-by line', () => {
  const opts = { cwd: '/' };
  it.each([
    ['git -c core.commentChar=A -c commit.cleanup=strip commit -m notes'],
    ['git -c commit.cleanup=scissors commit -m notes'],
    ['git config core.commentChar A'],
    // git 2.45 and later: core.commentString replaces core.commentChar.
    ['git config core.commentString A'],
    ['git -c core.commentString=Assisted -c commit.cleanup=strip commit -m notes'],
    ['git config commit.cleanup strip'],
    ['GIT_OBJECT_DIRECTORY=/tmp/o git commit -m notes'],
    ['GIT_ALTERNATE_OBJECT_DIRECTORIES=/tmp/o git commit -m notes'],
    ['export GIT_OBJECT_DIRECTORY=/tmp/o'],
  ])('attack: %s', (command) => {
    expect(bypassReason(command, opts)).toBeDefined();
  });
  it.each([
    ['git commit -m notes'],
    ['git config --get core.commentChar'],
    ['GIT_PAGER=cat git log -1'],
    ['GIT_INDEX_FILE=/tmp/i git read-tree HEAD'],
    ['git -c color.ui=never status'],
  ])('control: %s', (command) => {
    expect(bypassReason(command, opts)).toBeUndefined();
  });

  it('the hole, in a real commit: the stored message lost the trailer', T, () => {
    const repo = repoWithPolicy();
    repo.write('notes.md', 'x\n');
    repo.git('add', 'notes.md');
    const env = { ...repo.env, CLAUDECODE: '1' };
    const r = repo.tryGit(
      ['-c', 'core.commentChar=A', '-c', 'commit.cleanup=strip', 'commit', '-q', '-m', 'notes'],
      { env },
    );
    expect(r.code, r.stderr).toBe(0);
    // What the agent hook now refuses before it runs: git keeps no Assisted-by line.
    expect(repo.lastMessage()).not.toContain('Assisted-by');
    repo.write('notes.md', 'y\n');
    repo.git('add', 'notes.md');
    expect(repo.tryGit(['commit', '-q', '-m', 'notes 2'], { env }).code).toBe(0);
    expect(repo.lastMessage()).toContain('Assisted-by: claude-code');
  });
});
