// Tree objects Git itself never writes, refused before any diff of them is judged. Git
// checks them only where `receive.fsckObjects` / `fetch.fsckObjects` / `transfer.fsckObjects`
// is on (off by default), so a push, a fetch or `hash-object --literally` can bring in a
// tree whose entry is named "evals/tasks/q.json" (one entry, in the root tree), "..", ".",
// "" or ".git" (any case, with the characters HFS+ ignores, or NTFS's "git~1" and trailing
// dots and spaces), two entries of one name, or entries out of Git's order. `git diff-tree
// -r` joins entry names with "/", so such content shows at a path no checkout has
// ("x/../evals/tasks/q.json") or at the path of another entry, and a zone, a link or a
// lookup by path (`REV:PATH`) sees something other than what a checkout writes.
//
// The rules follow Git's fsck.c (fsck_tree, verify_ordered; utf8.c is_hfs_dotgit;
// path.c is_ntfs_dotgit): FULL_PATHNAME, EMPTY_NAME, HAS_DOT, HAS_DOTDOT, HAS_DOTGIT,
// DUPLICATE_ENTRIES, TREE_NOT_SORTED, BAD_FILEMODE (100664, which old Git wrote, is taken,
// as fsck takes it; a mode padded with a leading 0 is taken, as Git reads it the same).
//
// Sample tree object (binary): `100644 README.md\0<20 or 32 id bytes>40000 evals\0<id>`.

import { checkDeadline } from '../core/deadline.js';
import { CleanroomError } from '../errors.js';
import { safePath } from '../escape.js';
import { GitError, spawnGit, withoutLazyFetch, type GitContext } from './git.js';
import { ByteReader, exited } from './stream.js';

const MODES = new Set([0o100644, 0o100755, 0o100664, 0o120000, 0o40000, 0o160000]);
const TREE = 0o40000;

// Code points HFS+ ignores when it compares names (utf8.c next_hfs_char).
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/gu;

/** Whether a checkout on HFS+ or NTFS would write into `.git` through the entry `name`. */
export function isDotGitName(name: string): boolean {
  const hfs = name.replace(HFS_IGNORED, '').toLowerCase();
  if (hfs === '.git') return true;
  const lower = name.toLowerCase();
  // NTFS: ".git" or its 8.3 short name "git~1", then only dots and spaces, or an
  // alternate data stream (".git::$INDEX_ALLOCATION"); "\" separates names on Windows.
  const first = lower
    .split('\\')[0]!
    .split(':')[0]!
    .replace(/[. ]+$/u, '');
  return first === '.git' || first === 'git~1';
}

/**
 * What is wrong with the entry `name` (raw bytes) of mode `mode` (octal digits as stored),
 * or undefined when Git writes such entries.
 */
export function treeEntryProblem(mode: string, name: Buffer): string | undefined {
  if (!/^[0-7]{1,7}$/.test(mode)) return `the mode "${mode.slice(0, 12)}" is not a number`;
  if (!MODES.has(parseInt(mode, 8)))
    return `the mode ${mode} is none Git writes (100644, 100755, 120000, 40000, 160000)`;
  if (!name.length) return 'an entry has an empty name';
  if (name.includes(0x2f)) return `the entry name ${safePath(name.toString('utf8'))} holds "/"`;
  const text = name.toString('utf8');
  if (text === '.' || text === '..') return `an entry is named "${text}"`;
  if (isDotGitName(text))
    return `an entry is named ${safePath(text)}, which a checkout reads as .git`;
  return undefined;
}

/** Git's order of entries: by name bytes, a tree's name compared as if it ended in "/". */
function sortKey(name: Buffer, mode: number): Buffer {
  return mode === TREE ? Buffer.concat([name, Buffer.from('/')]) : name;
}

/**
 * The first problem of the tree object `body` (ids of `idBytes` bytes), or undefined when
 * Git's fsck would take it. Errors: none (a malformed body is a problem, returned).
 */
export function treeProblem(body: Buffer, idBytes: number): string | undefined {
  const names = new Set<string>();
  let prev: Buffer | undefined;
  for (let pos = 0; pos < body.length;) {
    const sp = body.indexOf(0x20, pos);
    const nul = sp < 0 ? -1 : body.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + idBytes > body.length) return 'the tree object is truncated';
    const mode = body.toString('latin1', pos, sp);
    const name = body.subarray(sp + 1, nul);
    const bad = treeEntryProblem(mode, name);
    if (bad) return bad;
    const key = name.toString('latin1');
    if (names.has(key)) return `two entries are named ${safePath(name.toString('utf8'))}`;
    names.add(key);
    const k = sortKey(name, parseInt(mode, 8));
    if (prev && Buffer.compare(prev, k) >= 0)
      return `the entries are out of Git's order at ${safePath(name.toString('utf8'))}`;
    prev = k;
    pos = nul + 1 + idBytes;
  }
  return undefined;
}

const HINT =
  'Git never writes such a tree; it came in with receive.fsckObjects off. Run `git fsck` to see it, rewrite the commits that hold it, and set `git config receive.fsckObjects true` (and transfer.fsckObjects) so Git refuses such objects';

/** The input error for a malformed tree: what, where, and what to do. */
export function malformedTree(id: string, problem: string): CleanroomError {
  return new CleanroomError('input', `malformed tree ${id.slice(0, 12)}: ${problem}`, HINT);
}

/**
 * Throws an input error (exit 2, "malformed tree …") when any tree reachable from `revArgs`
 * (rev-list arguments: tips, `^BASE`, `--not …`, `--all`) breaks fsck's rules above. One
 * `git rev-list --objects --filter=object:type=tree --no-object-names REVARGS` piped into
 * one `git cat-file --batch`; each tree is read once. A tree Git cannot even walk (an
 * empty name: "empty filename in tree entry") is reported the same way. Both processes
 * end with the call.
 */
export async function assertWellFormedTrees(
  ctx: GitContext,
  revArgs: readonly string[],
): Promise<void> {
  const listArgs = [
    'rev-list',
    '--objects',
    '--filter=object:type=tree',
    '--no-object-names',
    // A partial clone's absent trees are not fetched here (nor listed): the walks that
    // need them fail, or report them, on their own (audit: absent objects).
    '--missing=allow-any',
    ...revArgs,
  ];
  const catArgs = ['cat-file', '--batch'];
  const quiet = withoutLazyFetch(ctx);
  const list = spawnGit(quiet, listArgs);
  list.stdin.end();
  const cat = spawnGit(quiet, catArgs);
  cat.stdin.on('error', () => undefined);
  list.stdout.pipe(cat.stdin);
  const listed = exited(list, listArgs);
  const catted = exited(cat, catArgs);
  listed.catch(() => undefined);
  catted.catch(() => undefined);
  try {
    const reader = new ByteReader(cat.stdout);
    for (;;) {
      checkDeadline();
      const header = await reader.until(0x0a);
      if (header === null) break;
      const [id = '', type = '', size] = header.toString('latin1').trimEnd().split(' ');
      if (type === 'missing' || size === undefined)
        throw new CleanroomError('internal', `git cat-file could not read ${id.slice(0, 80)}`);
      const n = Number(size);
      const body = await reader.exactly(n);
      await reader.exactly(1);
      if (type !== 'tree') continue;
      const problem = treeProblem(body, id.length / 2);
      if (problem) throw malformedTree(id, problem);
    }
    // cat-file first: killed, its reader gone, rev-list would block on a full pipe (the
    // finally ends it); ended normally, rev-list has closed its output.
    await catted;
    try {
      await listed;
    } catch (e) {
      const tree =
        e instanceof GitError ? /in tree entry|tree object|tree entry/i.exec(e.stderr) : null;
      if (e instanceof GitError && tree)
        throw new CleanroomError(
          'input',
          `malformed tree: git cannot walk it (${e.stderr.trim().split('\n')[0]!.slice(0, 120)})`,
          HINT,
        );
      throw e;
    }
  } finally {
    list.kill();
    cat.kill();
  }
}
