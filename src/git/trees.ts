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

import { readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { checkDeadline } from '../core/deadline.js';
import { CleanroomError, RefusedContent } from '../errors.js';
import { safePath } from '../escape.js';
import { withoutHfsIgnored } from '../names.js';
import type { Readable } from 'node:stream';
import { GitError, spawnGit, spawnGitInto, withoutLazyFetch, type GitContext } from './git.js';
import { teardown as teardownGit } from './live.js';
import { exited } from './stream.js';

const MODES = new Set([0o100644, 0o100755, 0o100664, 0o120000, 0o40000, 0o160000]);
const TREE = 0o40000;

/** Whether a checkout on HFS+ or NTFS would write into `.git` through the entry `name`. */
export function isDotGitName(name: string): boolean {
  const hfs = withoutHfsIgnored(name).toLowerCase();
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
 * A byte scan (`plainTree`) takes the trees Git writes without building a string per
 * entry; anything it is not sure of (a mode or name it does not know at a glance, a byte
 * past ASCII, a name starting ".git" or "git~") is judged by `slowTreeProblem`, the
 * reference, which test/unit/git/trees.test.ts checks the scan against.
 */
export function treeProblem(body: Buffer, idBytes: number): string | undefined {
  return plainTree(body, idBytes) ? undefined : slowTreeProblem(body, idBytes);
}

/** The problem `slowTreeProblem` would find, name by name: exported for the differential test. */
export function slowTreeProblem(body: Buffer, idBytes: number): string | undefined {
  const names = new Set<string>();
  let prev: Buffer | undefined;
  for (let pos = 0, entry = 0; pos < body.length; entry++) {
    // One tree can hold millions of entries: the deadline is looked at inside it too.
    if ((entry & 0xff) === 0xff) checkDeadline();
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

/** Name offsets of the tree `plainTree` scans (reused: one scan at a time, synchronous). */
let nameStarts: Int32Array = new Int32Array(256);
let nameEnds: Int32Array = new Int32Array(256);

/**
 * Whether the tree object `body` (its bytes `from` to `to`: the scan reads nothing
 * outside them) is certainly one Git writes: modes 100644, 100755,
 * 100664, 120000, 40000 (or 040000), 160000; names of ASCII bytes, no "/", not "" / "." /
 * "..", not ".git" in any case followed only by dots and spaces up to the end, a ":" or a
 * "\\", not starting with "git~" in any case; strictly in Git's order (a tree
 * compared as its name and "/", tree.c base_name_compare), so that two entries of one name
 * can only be a file and a tree, found by looking back over the names it prefixes.
 * False means "not sure", never "malformed".
 */
export function plainTree(body: Buffer, idBytes: number, from = 0, to = body.length): boolean {
  const n = to;
  let count = 0;
  let prevStart = -1;
  let prevLen = 0;
  let prevTree = false;
  for (let pos = from; pos < n;) {
    if ((count & 0x3ff) === 0x3ff) checkDeadline();
    let sp = pos;
    let mode = 0;
    for (; sp < n; sp++) {
      const c = body[sp]!;
      if (c === 0x20) break;
      if (c < 0x30 || c > 0x37) return false;
      mode = mode * 8 + (c - 0x30);
    }
    if (sp >= n || sp === pos || sp - pos > 6) return false;
    const tree = mode === 0o40000;
    if (
      !tree &&
      mode !== 0o100644 &&
      mode !== 0o100755 &&
      mode !== 0o120000 &&
      mode !== 0o160000 &&
      mode !== 0o100664
    )
      return false;
    const start = sp + 1;
    let nul = start;
    for (; nul < n; nul++) {
      const c = body[nul]!;
      if (c === 0 || c === 0x2f || c >= 0x80) break;
    }
    if (nul >= n || body[nul] !== 0 || nul === start || nul + 1 + idBytes > n) return false;
    const len = nul - start;
    const c0 = body[start]!;
    if (c0 === 0x2e) {
      if (len === 1 || (len === 2 && body[start + 1] === 0x2e)) return false;
      if (
        len >= 4 &&
        (body[start + 1]! | 0x20) === 0x67 &&
        (body[start + 2]! | 0x20) === 0x69 &&
        (body[start + 3]! | 0x20) === 0x74
      ) {
        // ".git" then only dots and spaces up to the end, a ":" or a "\\" (NTFS) is .git to
        // a checkout; ".github", ".gitignore" are not.
        let i = start + 4;
        while (i < nul && (body[i] === 0x2e || body[i] === 0x20)) i++;
        if (i === nul || body[i] === 0x3a || body[i] === 0x5c) return false;
      }
    } else if (
      (c0 | 0x20) === 0x67 &&
      len >= 4 &&
      (body[start + 1]! | 0x20) === 0x69 &&
      (body[start + 2]! | 0x20) === 0x74 &&
      body[start + 3] === 0x7e
    )
      return false;
    if (prevStart >= 0 && compareEntries(body, prevStart, prevLen, prevTree, start, len, tree) >= 0)
      return false;
    if (tree && count > 0 && fileOfName(body, count, start, len)) return false;
    if (count === nameStarts.length) {
      const grow = (a: Int32Array): Int32Array => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      nameStarts = grow(nameStarts);
      nameEnds = grow(nameEnds);
    }
    nameStarts[count] = start;
    nameEnds[count] = nul;
    count++;
    prevStart = start;
    prevLen = len;
    prevTree = tree;
    pos = nul + 1 + idBytes;
  }
  return true;
}

/**
 * Git's order of two entries of `body` (names at `a`/`b` of `aLen`/`bLen` bytes): < 0, 0
 * or > 0, a tree's name compared as if it ended in "/" (tree.c base_name_compare).
 */
function compareEntries(
  body: Buffer,
  a: number,
  aLen: number,
  aTree: boolean,
  b: number,
  bLen: number,
  bTree: boolean,
): number {
  const aKey = aLen + (aTree ? 1 : 0);
  const bKey = bLen + (bTree ? 1 : 0);
  const min = aKey < bKey ? aKey : bKey;
  for (let i = 0; i < min; i++) {
    const x = i < aLen ? body[a + i]! : 0x2f;
    const y = i < bLen ? body[b + i]! : 0x2f;
    if (x !== y) return x - y;
  }
  return aKey - bKey;
}

/**
 * Whether one of the first `count` names scanned (strictly ordered) equals the tree name at
 * `start` (`len` bytes): in Git's order only names that start with it and go on with a
 * byte below "/" lie between a file of that name and the tree, so the look back stops at
 * the first name that does not.
 */
function fileOfName(body: Buffer, count: number, start: number, len: number): boolean {
  for (let k = count - 1; k >= 0; k--) {
    const s = nameStarts[k]!;
    const l = nameEnds[k]! - s;
    if (l < len) return false;
    for (let i = 0; i < len; i++) if (body[s + i] !== body[start + i]) return false;
    if (l === len) return true;
    if (body[s + len]! >= 0x2f) return false;
  }
  return false;
}

/**
 * The `receive.fsck.<msg-id>` keys (lower case, as `git config --get-regexp` prints them)
 * of the rules above: Git's receive-pack refuses a tree that breaks one only while each is
 * at its strict level (fsck.h: TREE_NOT_SORTED and DUPLICATE_ENTRIES are errors, the name
 * rules warnings that `receive.fsckObjects` turns into errors; BAD_FILEMODE is only "info"
 * there, so it must be raised to "error").
 */
const GIT_TREE_RULES = [
  'duplicateentries',
  'treenotsorted',
  'emptyname',
  'fullpathname',
  'hasdot',
  'hasdotdot',
  'hasdotgit',
];

const TRUE = new Set(['true', 'yes', 'on', '1']);

/**
 * Whether `config` (as gitRefusesMalformedTrees takes it) hides refs from pushers
 * (`receive.hideRefs` or `transfer.hideRefs`, any value). Source: git-config(1).
 */
export function hidesRefs(config: Readonly<Record<string, string>>): boolean {
  return config['receive.hiderefs'] !== undefined || config['transfer.hiderefs'] !== undefined;
}

/**
 * Whether the server's own Git refuses, before any hook runs, every tree
 * `assertWellFormedTrees` refuses, so a pre-receive hook need not read the push's trees
 * again: `receive.fsckObjects` (or, when unset, `transfer.fsckObjects`) is true, no
 * `receive.fsck.<msg-id>` lowers a rule of GIT_TREE_RULES below "error",
 * `receive.fsck.badFilemode` is "error", no `receive.fsck.skipList` names objects to
 * pass unchecked, and no refs are hidden (hidesRefs): Git's fsck reads only the objects a
 * push sends, so a commit only a hidden ref holds (a forge's pull-request ref, written
 * without this hook) reaches a branch through a push that sends no object (hostile
 * review, seventh pass). `config`: `git config --get-regexp` output as key (lower case)
 * → last value; a key given without a value (Git's "true") counts as not set, so the hook keeps
 * its own pass. Source: git-config(1) receive.fsckObjects, receive.fsck.<msg-id>; fsck.h.
 */
export function gitRefusesMalformedTrees(config: Readonly<Record<string, string>>): boolean {
  const objects = config['receive.fsckobjects'] ?? config['transfer.fsckobjects'];
  if (objects === undefined || !TRUE.has(objects.toLowerCase())) return false;
  if (config['receive.fsck.skiplist'] !== undefined) return false;
  if (hidesRefs(config)) return false;
  if (config['receive.fsck.badfilemode']?.toLowerCase() !== 'error') return false;
  return GIT_TREE_RULES.every((id) => {
    const level = config[`receive.fsck.${id}`];
    return level === undefined || level.toLowerCase() === 'error';
  });
}

/**
 * Whether the repository at `commonDir` (`git rev-parse --git-common-dir`, absolute) reads
 * objects from another object store: an `objects/info/alternates` file naming one, or a
 * directory in `env.GIT_ALTERNATE_OBJECT_DIRECTORIES` (":"-separated) other than its own
 * `objects` (receive-pack's quarantine names that one). Git's fsck reads only the objects
 * a push sends, so a tree a fork pushed into a shared store (or any object already
 * there) reaches a ref unchecked: gitRefusesMalformedTrees is no reason to skip the hook's
 * pass then. A file that cannot be read (other than absent) counts as borrowing.
 * Source: gitrepository-layout(5) objects/info/alternates, git(1) GIT_ALTERNATE_OBJECT_DIRECTORIES.
 */
export function borrowsObjects(
  commonDir: string,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const own = resolve(commonDir, 'objects');
  const extra = env['GIT_ALTERNATE_OBJECT_DIRECTORIES'];
  if (extra && extra.split(delimiter).some((d) => d !== '' && resolve(d) !== own)) return true;
  try {
    const text = readFileSync(join(own, 'info', 'alternates'), 'utf8');
    return text.split('\n').some((l) => l.trim() !== '' && !l.startsWith('#'));
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** What to do about a malformed tree (`id`: its full id, when known). */
const hint = (id?: string): string =>
  `Git never writes such a tree. Whoever made the commits: rewrite them without it (\`git log --all --find-object=${id ?? 'TREE'}\` names them). A server admin: \`git config receive.fsckObjects true\` and \`git config receive.fsck.badFilemode error\` make Git refuse such trees at push time (docs/server.md)`;

/**
 * The refusal of a malformed tree (a verdict fail-open does not accept): what, where, and
 * what to do.
 */
export function malformedTree(id: string, problem: string): RefusedContent {
  return new RefusedContent(`malformed tree ${id.slice(0, 12)}: ${problem}`, hint(id));
}

/** `git cat-file --batch` could not be read as its documented output: fail closed. */
const badOutput = (what: string): CleanroomError =>
  new CleanroomError('internal', `git cat-file --batch output: ${what}`);

/**
 * Judges the trees of `git cat-file --batch` output handed to `push` in chunks of any
 * size, each as soon as it is whole, without a Buffer per object: a tree wholly inside a
 * chunk is scanned where it lies (`treeProblem` over that range), one that spans chunks is
 * copied into a scratch buffer that grows to the largest such tree. Other objects (rev-list
 * names the tip commit) are skipped. Output per object: `<id> <type> <size>\n<content>\n`,
 * `<id> missing\n` (git-cat-file(1), BATCH OUTPUT). Sample: `13a4b1… tree 758\n<758 bytes>\n`.
 * Errors, thrown by `push` or `end`: input "malformed tree …" for the first tree fsck
 * refuses; internal for an object git could not read, a header or separator that is not
 * git's, or output that ends inside an object. A chunk is not kept: its bytes are judged or
 * copied before `push` returns, so the caller may reuse it.
 */
export class TreeBatchScan {
  /** Trees judged so far. */
  trees = 0;
  /** A header cut by a chunk's end (its bytes so far, `headLen` of them). */
  private head = Buffer.allocUnsafe(160);
  private headLen = 0;
  /** Bytes of the current object still to come, its closing newline included; -1 between objects. */
  private left = -1;
  private size = 0;
  private isTree = false;
  private idBytes = 20;
  private id = '';
  /** A tree that spans chunks, gathered (`size` + 1 bytes once whole). */
  private scratch = Buffer.allocUnsafe(0);

  push(chunk: Buffer, end = chunk.length): void {
    let pos = 0;
    while (pos < end) {
      if (this.left < 0) {
        const nl = chunk.indexOf(0x0a, pos);
        if (nl < 0 || nl >= end) {
          this.keepHead(chunk, pos, end);
          return;
        }
        if (this.headLen) {
          this.keepHead(chunk, pos, nl);
          this.header(this.head, 0, this.headLen);
          this.headLen = 0;
        } else this.header(chunk, pos, nl);
        pos = nl + 1;
        this.left = this.size + 1;
      }
      const whole = this.size + 1;
      if (this.left === whole && end - pos >= whole) {
        // The whole object and its newline are in this chunk.
        if (this.isTree) this.judge(chunk, pos);
        if (chunk[pos + this.size] !== 0x0a) throw badOutput('an object does not end in a newline');
        pos += whole;
        this.left = -1;
        continue;
      }
      const k = Math.min(this.left, end - pos);
      if (this.isTree) {
        if (this.scratch.length < whole) this.scratch = Buffer.allocUnsafe(whole);
        chunk.copy(this.scratch, whole - this.left, pos, pos + k);
      }
      this.left -= k;
      pos += k;
      if (this.left === 0) {
        if (chunk[pos - 1] !== 0x0a) throw badOutput('an object does not end in a newline');
        if (this.isTree) this.judge(this.scratch, 0);
        this.left = -1;
      }
    }
  }

  /** The output has ended: throws when it ended inside an object or a header. */
  end(): void {
    if (this.left >= 0 || this.headLen) throw badOutput('it ended inside an object');
  }

  private keepHead(chunk: Buffer, from: number, to: number): void {
    const need = this.headLen + (to - from);
    // A header is an id, a type and a size: git's are under 100 bytes.
    if (need > this.head.length) throw badOutput('a header line is too long');
    chunk.copy(this.head, this.headLen, from, to);
    this.headLen = need;
  }

  /** Reads the header `b[from, to)`: `<id> <type> <size>`, or throws. */
  private header(b: Buffer, from: number, to: number): void {
    const shown = (): string => JSON.stringify(b.toString('latin1', from, to).slice(0, 100));
    const sp = b.indexOf(0x20, from);
    const idLen = sp - from;
    if (sp < 0 || sp >= to || (idLen !== 40 && idLen !== 64))
      throw badOutput(`a bad header ${shown()}`);
    for (let i = from; i < sp; i++) {
      const c = b[i]!;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)))
        throw badOutput(`a bad header ${shown()}`);
    }
    const sp2 = b.indexOf(0x20, sp + 1);
    if (sp2 < 0 || sp2 >= to) {
      // `<id> missing` (or `ambiguous`): an object rev-list named that git cannot read.
      throw new CleanroomError(
        'internal',
        `git cat-file could not read ${b.toString('latin1', from, sp)}`,
      );
    }
    // At most 15 digits: below 2^53, and no object git stores is larger.
    let size = 0;
    let ok = sp2 + 1 < to && to - sp2 - 1 <= 15;
    for (let i = sp2 + 1; ok && i < to; i++) {
      const c = b[i]! - 0x30;
      if (c < 0 || c > 9) ok = false;
      else size = size * 10 + c;
    }
    if (!ok) throw badOutput(`a bad size in ${shown()}`);
    this.size = size;
    this.isTree =
      sp2 - sp === 5 &&
      b[sp + 1] === 0x74 &&
      b[sp + 2] === 0x72 &&
      b[sp + 3] === 0x65 &&
      b[sp + 4] === 0x65;
    this.idBytes = idLen / 2;
    this.id = this.isTree ? b.toString('latin1', from, sp) : '';
  }

  /** Judges the tree at `b[from, from + size)`. */
  private judge(b: Buffer, from: number): void {
    checkDeadline();
    this.trees++;
    const to = from + this.size;
    if (plainTree(b, this.idBytes, from, to)) return;
    const problem = slowTreeProblem(b.subarray(from, to), this.idBytes);
    if (problem) throw malformedTree(this.id, problem);
  }
}

/**
 * Reads `out` (cat-file's output) to its end through `scan`. Resolves once every byte is
 * judged; rejects with the scan's first error (and destroys `out`: cat-file's next write
 * fails, so it ends), or when `out` closes before its end (destroyed by a deadline or the
 * command's end: what arrived was not all there was, so nothing is taken). Settles once.
 */
function scanOutput(out: Readable, scan: TreeBatchScan): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: unknown): void => {
      if (!settled) reject(e);
      settled = true;
      out.destroy();
    };
    out.on('data', (chunk: Buffer) => {
      if (settled) return;
      try {
        scan.push(chunk);
      } catch (e) {
        fail(e);
      }
    });
    out.on('end', () => {
      if (settled) return;
      settled = true;
      try {
        scan.end();
        resolve();
      } catch (e) {
        reject(e);
      }
    });
    out.on('error', () => undefined);
    out.on('close', () => fail(new CleanroomError('internal', 'git cat-file output was cut off')));
  });
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
  opts: { absent?: 'fetch' | 'skip' } = {},
): Promise<void> {
  // A partial clone's absent trees: fetched by default (git rev-list fetches each from
  // the promisor remote), as the judgement that reads them next would fetch them, so no
  // tree is judged unchecked (a treeless CI clone, `--filter=tree:0`). `skip` (audit,
  // whose walks never fetch and report absent objects themselves): neither fetched nor
  // listed.
  const skip = opts.absent === 'skip';
  const listArgs = [
    'rev-list',
    '--objects',
    '--filter=object:type=tree',
    '--no-object-names',
    ...(skip ? ['--missing=allow-any'] : []),
    ...revArgs,
  ];
  const quiet = skip ? withoutLazyFetch(ctx) : ctx;
  // rev-list writes its ids straight into cat-file's stdin (spawnGitInto): Node holds no
  // end of that pipe once rev-list has started, so cat-file reads to the end of rev-list's
  // output and then ends; if cat-file is gone first, rev-list's next write fails and it ends.
  const catArgs = ['cat-file', '--batch', '--buffer'];
  const cat = spawnGit(quiet, catArgs);
  const catted = exited(cat, catArgs);
  catted.catch(() => undefined);
  let list: ReturnType<typeof spawnGitInto> | undefined;
  try {
    cat.stdin.on('error', () => undefined);
    list = spawnGitInto(quiet, listArgs, cat.stdin);
    cat.stdin.destroy();
    list.stdin.end();
    const listed = exited(list, listArgs);
    listed.catch(() => undefined);
    // cat-file first: ended early (a malformed tree), its reader gone, rev-list's next
    // write fails (the finally ends it anyway); ended normally, rev-list has closed its
    // output.
    await scanOutput(cat.stdout, new TreeBatchScan());
    await catted;
    try {
      await listed;
    } catch (e) {
      // "bad tree object ID" is a tree git cannot read (absent, damaged): not the pusher's
      // malformed tree, and its own error (with its hint) says so.
      const tree =
        e instanceof GitError && !/bad tree object/i.test(e.stderr)
          ? /in tree entry|tree object|tree entry/i.exec(e.stderr)
          : null;
      if (e instanceof GitError && tree)
        throw new RefusedContent(
          `malformed tree: git cannot walk it (${e.stderr.trim().split('\n')[0]!.slice(0, 120)})`,
          hint(),
        );
      throw e;
    }
  } finally {
    if (list) teardownGit(list);
    teardownGit(cat);
  }
}
