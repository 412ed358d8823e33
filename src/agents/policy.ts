// The policy an agent hook judges by: the committed one (HEAD) and the staged one (the
// index), never the work-tree file — an agent can write files (through a script, if not
// through its tools), and a policy it rewrote must not judge it. Both are read in one
// `git cat-file --batch`; when they differ (a human staged an edit), both hold and the
// stricter answer wins, so a staged tightening counts at once and a loosening counts
// once committed. Compiled through the policy cache (src/policy/cache.ts: the YAML
// parser loads only on a miss). A policy that history had and HEAD lost (`git rm -r
// .cleanroom && git commit --no-verify`) is not "no policy": the hook fails closed.

import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CleanroomError } from '../errors.js';
import type { GitContext } from '../git/git.js';
import { loadPolicyCached, readOwnFile } from '../policy/cache.js';
import { writeAtomic } from '../fsutil.js';
import type { Policy } from '../policy/compile.js';
import { VERSION } from '../version.js';
import type { PolicyLookup } from './decide.js';
import { MAX_POLICY_BYTES } from '../policy/limits.js';
import { POLICY_PATH } from '../policy/paths.js';

/** `$(git rev-parse --git-path cleanroom)` without starting git: `.git` is a directory or a `gitdir:` file. */
export function stateDirOf(root: string): string | undefined {
  const dotgit = join(root, '.git');
  try {
    if (statSync(dotgit).isDirectory()) return join(dotgit, 'cleanroom');
    const m = /^gitdir: (.+)$/m.exec(readFileSync(dotgit, 'utf8'));
    return m ? join(resolve(root, m[1]!.trim()), 'cleanroom') : undefined;
  } catch {
    return undefined;
  }
}

async function compile(text: string, display: string, root: string): Promise<Policy> {
  const cacheDir = stateDirOf(root);
  if (cacheDir) return loadPolicyCached(text, display, cacheDir, VERSION);
  return (await import('../policy/load.js')).loadPolicyText(text, display);
}

function readPolicyText(file: string): string | undefined {
  try {
    if (statSync(file).size > MAX_POLICY_BYTES)
      throw new CleanroomError('policy', `${file} is larger than 1 MiB`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof CleanroomError) throw e;
    throw new CleanroomError(
      'policy',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

const firstLine = (s: string): string => s.split('\n', 1)[0] ?? s;

/** `git cat-file --batch` output → the contents of each requested object, or undefined when missing. */
function parseBatch(out: Buffer, count: number): (string | undefined)[] {
  const got: (string | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = out.indexOf(10, at);
    if (nl < 0) throw new CleanroomError('git', 'git cat-file --batch answered too little');
    // "<oid> blob <size>" then the content and "\n"; or "<name> missing" / "<name> ambiguous".
    const header = out.subarray(at, nl).toString('utf8');
    const m = /^[0-9a-f]{40,64} (\w+) (\d+)$/.exec(header);
    if (!m) {
      got.push(undefined);
      at = nl + 1;
      continue;
    }
    const size = Number(m[2]);
    got.push(m[1] === 'blob' ? out.subarray(nl + 1, nl + 1 + size).toString('utf8') : undefined);
    at = nl + 1 + size + 1;
  }
  return got;
}

// What `git cat-file --batch` answered for the staged and the committed policy, kept in
// `.git/cleanroom/agent-policy-lookup.json` under a key of everything git read to answer: the
// bytes of .git/HEAD and of the loose ref it names, the device, inode, size, mtime and
// ctime (ns) of packed-refs and of .git/index, and the index's own checksum (its last bytes). git replaces each of those files by
// renaming a new one into place, so any change is another key and git runs again. A hit
// spares the agent hook a git process and the modules that start it (~15% of a call,
// issue 14 §2). Only where the key covers every input: a plain `.git` directory (no
// linked worktree, no reftable), HEAD a branch or an id, and no GIT_* variable that
// points git at other objects or refs. The file passes the cache's ownership checks
// (src/policy/cache.ts: what those cannot stop is said there).
const LOOKUP_MEMO = 'agent-policy-lookup.json';

/** The newest committed policy the agent hook judged by here: `{ commit, text }` (policyMark). */
const POLICY_MARK = 'agent-policy-mark.json';

/**
 * The high-water mark of the committed policy (`.git/cleanroom/agent-policy-mark.json`,
 * which agents may not write: `.git` is protected): the HEAD commit and policy text the
 * hook last judged by. `committed` is HEAD's policy now. Returns the marked policy when it
 * must judge beside HEAD's: HEAD's differs and HEAD is not a descendant of the marked
 * commit (an older commit checked out, a branch reset back, a sideways switch). When HEAD
 * moved on from the mark (a commit after it changed the policy: the commit hooks judged
 * that change), or there is no mark yet, HEAD and its policy become the mark. Two git
 * processes (`rev-parse HEAD`, `merge-base --is-ancestor`) only when the texts differ.
 * Errors: none (an unreadable or unwritable mark is no mark).
 */
async function policyMark(
  ctx: GitContext,
  stateDir: string,
  committed: string,
): Promise<{ commit: string; text: string } | undefined> {
  const file = join(stateDir, POLICY_MARK);
  let mark: { commit: string; text: string } | undefined;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as { commit?: unknown; text?: unknown };
    if (
      typeof m.commit === 'string' &&
      /^[0-9a-f]{40,64}$/.test(m.commit) &&
      typeof m.text === 'string'
    )
      mark = { commit: m.commit, text: m.text };
  } catch {
    // no mark yet
  }
  if (mark?.text === committed) return undefined;
  const { runGit } = await import('../git/git.js');
  const head = (
    await runGit(ctx, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { okCodes: [1] })
  ).stdout
    .toString('utf8')
    .trim();
  if (!/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const after =
    mark === undefined ||
    (await runGit(ctx, ['merge-base', '--is-ancestor', mark.commit, head], { okCodes: [1, 128] }))
      .code === 0;
  if (!after) return mark;
  try {
    writeAtomic(file, JSON.stringify({ commit: head, text: committed }), 0o644);
  } catch {
    // a read-only .git: no mark
  }
  return undefined;
}
const MEMO_FORMAT = 1;
/** Variables that change what `HEAD:` or `:` would name without touching the key's files. */
const MEMO_BREAKERS = [
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_REPLACE_REF_BASE',
  'GIT_COMMON_DIR',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
];

function statKey(file: string): string {
  try {
    const s = statSync(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '-';
    throw e;
  }
}

/**
 * The last 32 bytes of the index file, in hex: its checksum over the whole content (sha1
 * or sha256), so the key follows the index's content, not only its inode and times (a
 * freed inode can come back, and file times are as coarse as the kernel's tick). An
 * index without a checksum (`index.skipHash` writes zeros) or shorter than that: throws,
 * so no memo.
 */
function indexTrailer(file: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '-';
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(32);
    if (size < 12 + 32 || readSync(fd, tail, 0, 32, size - 32) !== 32)
      throw new Error('short index');
    if (tail.subarray(12).every((b) => b === 0)) throw new Error('index without a checksum');
    return tail.toString('hex');
  } finally {
    closeSync(fd);
  }
}

/** The memo key for the repository at `root`, or undefined where a key cannot cover git's inputs. */
function lookupKey(root: string, env: NodeJS.ProcessEnv): string | undefined {
  if (MEMO_BREAKERS.some((v) => env[v] !== undefined)) return undefined;
  const gitDir = join(root, '.git');
  try {
    if (!statSync(gitDir).isDirectory() || existsSync(join(gitDir, 'reftable'))) return undefined;
    if (existsSync(join(gitDir, 'commondir'))) return undefined;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8');
    const branch = /^ref: (refs\/heads\/[^\0\n]+)\n?$/.exec(head)?.[1];
    if (branch === undefined && !/^[0-9a-f]{40}(?:[0-9a-f]{24})?\n?$/.test(head)) return undefined;
    if (branch !== undefined && branch.split('/').some((c) => c === '..' || c === '.' || c === ''))
      return undefined;
    // The loose ref's bytes (its commit id), or '-' when the branch lives in packed-refs;
    // a loose ref that is itself symbolic would send git to a file the key does not name.
    let ref = '-';
    if (branch !== undefined) {
      try {
        ref = readFileSync(join(gitDir, branch), 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
      }
      if (ref.startsWith('ref:')) return undefined;
    }
    return [
      MEMO_FORMAT,
      VERSION,
      head,
      ref,
      statKey(join(gitDir, 'packed-refs')),
      statKey(join(gitDir, 'index')),
      indexTrailer(join(gitDir, 'index')),
    ].join('\0');
  } catch {
    return undefined;
  }
}

/** [staged, committed] from the memo when its key is `key`, else undefined. */
function readMemo(
  stateDir: string,
  key: string,
): [string | undefined, string | undefined] | undefined {
  const raw = readOwnFile(stateDir, join(stateDir, LOOKUP_MEMO), 3 * MAX_POLICY_BYTES);
  if (raw === undefined) return undefined;
  try {
    const m = JSON.parse(raw) as { key?: unknown; staged?: unknown; committed?: unknown } | null;
    const text = (v: unknown): v is string | null => v === null || typeof v === 'string';
    if (!m || m.key !== key || !text(m.staged) || !text(m.committed)) return undefined;
    if (m.staged === null && m.committed === null) return undefined;
    return [m.staged ?? undefined, m.committed ?? undefined];
  } catch {
    return undefined;
  }
}

/**
 * The policy for the repository at `root`:/**
 * The policy for the repository at `root`: the committed and staged ones (see the top of
 * this file), and $CLEANROOM_POLICY (relative to `cwd`) BESIDE them when set — never in
 * their place. The agent hook runs in the agent's environment, which the agent can shape
 * (a host's settings `env`, a variable its own session exports): a CLEANROOM_POLICY that
 * replaced the repository's policy would let it choose its own judge. So the named file
 * only adds zones (the strictest answer wins, decide.ts); one that does not load blocks
 * (fail closed); and with no repository policy at all it judges alone (a test, or a
 * repository cleanroom is not committed to). `notes` collects what the user should hear
 * (a work-tree policy that differs from what judges).
 * A `root` that git does not take for a repository (an empty `.git` file an agent made)
 * has no policy: the repositories around it still judge the path (decide.ts).
 */
export async function lookupPolicy(
  ctx: GitContext,
  root: string,
  notes: string[],
): Promise<PolicyLookup> {
  const own = await repositoryPolicy(ctx, root, notes);
  const explicit = ctx.env.CLEANROOM_POLICY;
  if (!explicit || own.kind === 'invalid') return own;
  const file = resolve(ctx.cwd, explicit);
  let named: Policy;
  try {
    const text = readPolicyText(file);
    if (text === undefined)
      return { kind: 'invalid', reason: `CLEANROOM_POLICY names ${file}, which does not exist` };
    named = await compile(text, file, root);
  } catch (e) {
    if (!(e instanceof CleanroomError)) throw e;
    return { kind: 'invalid', reason: `the policy is invalid (${firstLine(e.message)})` };
  }
  if (own.kind === 'none') return { kind: 'policy', policy: named };
  return { kind: 'policy', policy: own.policy, others: [...(own.others ?? []), named] };
}

/** The repository's own policy: committed and staged (CLEANROOM_POLICY plays no part). */
async function repositoryPolicy(
  ctx: GitContext,
  root: string,
  notes: string[],
): Promise<PolicyLookup> {
  // GIT_CEILING_DIRECTORIES: git must not walk up from a fake repository to the real one.
  const gctx: GitContext = {
    ...ctx,
    cwd: root,
    env: {
      ...ctx.env,
      GIT_CEILING_DIRECTORIES: dirname(root),
      GIT_DIR: undefined,
      GIT_WORK_TREE: undefined,
      GIT_INDEX_FILE: undefined,
    },
  };
  let staged: string | undefined;
  let committed: string | undefined;
  // The key is taken before git runs: a change while it runs makes the next key differ.
  const stateDir = stateDirOf(root);
  const key = stateDir ? lookupKey(root, ctx.env) : undefined;
  const memo = stateDir && key ? readMemo(stateDir, key) : undefined;
  if (memo) [staged, committed] = memo;
  else {
    const { runGit, GitError } = await import('../git/git.js');
    try {
      const r = await runGit(gctx, ['cat-file', '--batch'], {
        input: `:${POLICY_PATH}\nHEAD:${POLICY_PATH}\n`,
      });
      [staged, committed] = parseBatch(r.stdout, 2);
    } catch (e) {
      if (!(e instanceof GitError)) throw e;
      return { kind: 'none' }; // not a repository git recognises
    }
    if (stateDir && key && (staged !== undefined || committed !== undefined))
      try {
        writeAtomic(
          join(stateDir, LOOKUP_MEMO),
          JSON.stringify({ key, staged: staged ?? null, committed: committed ?? null }),
          0o644,
        );
      } catch {
        // a read-only .git: git runs every time
      }
  }
  for (const t of [staged, committed])
    if (t !== undefined && Buffer.byteLength(t) > MAX_POLICY_BYTES)
      return { kind: 'invalid', reason: `the committed policy is larger than 1 MiB` };

  let worktree: string | undefined;
  let worktreeProblem: string | undefined;
  try {
    worktree = readPolicyText(join(root, POLICY_PATH));
  } catch (e) {
    if (!(e instanceof CleanroomError)) throw e;
    worktreeProblem = firstLine(e.message);
  }

  if (staged === undefined && committed === undefined) {
    // Nothing staged or committed. Did history have one? Then it was removed, and the
    // removal is not a human's decision the hook can see: fail closed.
    const { runGit, SHOW_GITLINKS } = await import('../git/git.js');
    const r = await runGit(
      gctx,
      ['log', '-1', '--all', '--format=%H', SHOW_GITLINKS, '--', POLICY_PATH],
      {
        okCodes: [128],
      },
    );
    const last = r.code === 0 ? r.stdout.toString('utf8').trim() : '';
    if (last)
      return {
        kind: 'invalid',
        reason: `the committed policy was removed (it is in the history, last changed by ${last.slice(0, 12)}, but neither in HEAD nor staged) — restore it (git checkout ${last.slice(0, 12)} -- ${POLICY_PATH}) or commit a new one`,
      };
    if (worktree === undefined)
      return worktreeProblem
        ? { kind: 'invalid', reason: `the policy cannot be read (${worktreeProblem})` }
        : { kind: 'none' };
    // A fresh `cleanroom init`: the only policy there is, until it is committed.
    try {
      return { kind: 'policy', policy: await compile(worktree, POLICY_PATH, root) };
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      return { kind: 'invalid', reason: `the policy is invalid (${firstLine(e.message)})` };
    }
  }

  const policies: Policy[] = [];
  const problems: string[] = [];
  const sources: [string | undefined, string][] =
    committed === staged
      ? [[committed, `HEAD:${POLICY_PATH}`]]
      : [
          [committed, `HEAD:${POLICY_PATH}`],
          [staged, `:${POLICY_PATH}`],
        ];
  // A checkout of an older commit (`git checkout HEAD~1`, `git reset --hard OLD`) changes
  // the committed policy with no commit for a hook to judge: the newest policy this
  // repository's agents were judged by judges beside it (policyMark).
  const mark =
    stateDir && committed !== undefined ? await policyMark(gctx, stateDir, committed) : undefined;
  if (mark !== undefined) {
    sources.push([mark.text, `${mark.commit.slice(0, 12)}:${POLICY_PATH}`]);
    notes.push(
      `cleanroom: HEAD is not after ${mark.commit.slice(0, 12)}, whose policy agents were judged by here: both judge (a human removes .git/cleanroom/${POLICY_MARK} to judge by HEAD's alone)`,
    );
  }
  for (const [text, display] of sources) {
    if (text === undefined) continue;
    try {
      policies.push(await compile(text, display, root));
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      problems.push(`${display} is invalid (${firstLine(e.message)})`);
    }
  }
  const judgedBy = sources
    .filter(([t]) => t !== undefined)
    .map(([, d]) => d)
    .join(' and ');
  if (!policies.length)
    return { kind: 'invalid', reason: `the committed policy is invalid (${problems.join('; ')})` };
  for (const p of problems) notes.push(`cleanroom: ${p} — judged by the other one`);
  if (worktree === undefined && !worktreeProblem)
    notes.push(
      `cleanroom: ${POLICY_PATH} is missing — judged by the committed policy (${judgedBy})`,
    );
  else if (worktree !== staged && worktree !== committed) {
    let problem: string | undefined = worktreeProblem;
    if (!problem && worktree !== undefined) {
      try {
        await compile(worktree, POLICY_PATH, root);
      } catch (e) {
        if (!(e instanceof CleanroomError)) throw e;
        problem = firstLine(e.message);
      }
    }
    notes.push(
      problem
        ? `cleanroom: the policy is invalid (${problem}) — judged by the committed policy (${judgedBy})`
        : `cleanroom: ${POLICY_PATH} differs from the committed policy — agents are judged by ${judgedBy}; a policy change counts once a human commits it (an agent's commit of it needs an approver's override)`,
    );
  }
  const [policy, ...others] = policies;
  return others.length
    ? { kind: 'policy', policy: policy!, others }
    : { kind: 'policy', policy: policy! };
}
