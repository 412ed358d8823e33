// The symlinks of a commit's tree, resolved as a checkout resolves them (the rule is in
// src/policy/links.ts). Every symlink counts, wherever it is: `src -> lib` on the way to
// a zone link's target changes what the zone shows.
//
// Cost. Reading trees was the main CPU cost of pre-receive and audit on long histories,
// so trees are read as little as possible:
// * a commit's links are derived from its parent's and its own diff (the raw diff the
//   caller already read gives every link added, changed, renamed, deleted or turned into
//   a file): a non-merge commit costs no read at all, and a history without symlinks
//   never reads a tree after the first;
// * a tree is read only where no parent is known (the first commit of a range) or for a
//   merge, and then through one long-lived `git cat-file --batch`, a level of the tree at
//   a time, each tree id once (kept per id: trees the history shares are not read again).

import { CleanroomError } from '../errors.js';
import type { FileChange } from '../core/types.js';
import { runGit, type GitContext } from '../git/git.js';
import { decodePath } from '../git/raw.js';
import { assertSpecLine, CatFileBatch, writeLine } from '../git/stream.js';
import type { LinkCache } from './link-cache.js';
import type { Policy } from '../policy/compile.js';
import { resolveLinks, SYMLINK_MODE, type RawLink, type ZoneLink } from '../policy/links.js';

/** More trees than this in one tree walk: stop and fail closed (a crafted, huge tree). */
const MAX_TREES = 200_000;

export interface TreeEntry {
  mode: string;
  name: Buffer;
  id: string;
}

/**
 * A raw tree object → entries. Sample (the id is raw bytes, 20 for sha1, 32 for sha256):
 *   100644 q1.json\0<20 bytes>40000 tasks\0<20 bytes>120000 extra\0<20 bytes>
 */
export function parseTree(content: Buffer, idBytes: number): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (let pos = 0; pos < content.length;) {
    const sp = content.indexOf(0x20, pos);
    const nul = content.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + idBytes > content.length)
      throw new CleanroomError('internal', 'unexpected tree object from git');
    out.push({
      mode: content.subarray(pos, sp).toString('latin1'),
      name: content.subarray(sp + 1, nul),
      id: content.subarray(nul + 1, nul + 1 + idBytes).toString('hex'),
    });
    pos = nul + 1 + idBytes;
  }
  return out;
}

/** A link as the tree holds it: path and blob id (its text is read only when needed). */
interface LinkEntry {
  path: string;
  blob: string;
}

const NONE: readonly LinkEntry[] = Object.freeze([]);

/** What a commit's diff says about links: those it removes (by path) and those it writes. */
interface LinkDelta {
  parent: string;
  removes: readonly string[];
  adds: readonly LinkEntry[];
}

/**
 * A merge: every path of its tree is a parent's, or in its combined diff (which shows
 * each path that differs from all parents, with the merge's mode).
 */
interface MergeInfo {
  parents: readonly string[];
  /** Paths of the combined diff → the link the merge holds there, or null (not a link). */
  combined: ReadonlyMap<string, LinkEntry | null>;
}

/** Trees `filesUnder` reads at most; past it the caller lists with ls-tree. */
const MAX_LISTED_TREES = 2_000;

/** A path a tree lookup by name finds exactly as a literal pathspec does. */
const isPlainPath = (p: string): boolean =>
  /^[\x20-\x7e]+$/.test(p) && p.split('/').every((c) => c !== '' && c !== '.' && c !== '..');

/**
 * A raw tree entry's mode as git shows it (canon_mode, cache.h): any regular file is
 * 100644 or 100755 by its owner-execute bit, a symlink 120000, a tree 40000, anything
 * else a gitlink 160000. A hand-made tree may hold `100664`; ls-tree shows `100644`.
 */
function canonMode(raw: string): string {
  if (!/^[0-7]{1,7}$/.test(raw))
    throw new CleanroomError('input', `malformed mode in tree entry: ${raw}`);
  const m = parseInt(raw, 8);
  switch (m & 0o170000) {
    case 0o100000:
      return m & 0o100 ? '100755' : '100644';
    case 0o120000:
      return SYMLINK_MODE;
    case 0o040000:
      return '40000';
    default:
      return '160000';
  }
}

/** Commits remembered: past this, the memory is dropped (only slower, never wrong). */
const MAX_COMMITS = 1_000_000;
const MAX_TREE_MEMO = 200_000;

/**
 * The links a non-merge commit's diff changes, or undefined when it changes none (the
 * commit's links are its parent's). A link path stops being a link only by a deletion, a
 * type change, or a rename away; every write of a link shows with mode 120000.
 */
function linkDelta(parent: string, files: readonly FileChange[]): LinkDelta | undefined {
  const removes: string[] = [];
  const adds: LinkEntry[] = [];
  for (const f of files) {
    if (f.via !== undefined) continue;
    if (f.status === 'R' && f.from !== undefined) removes.push(f.from);
    if (f.status === 'D' || f.status === 'T') removes.push(f.path);
    if (f.mode === SYMLINK_MODE && f.status !== 'D') adds.push({ path: f.path, blob: f.blob });
  }
  return removes.length || adds.length ? { parent, removes, adds } : undefined;
}

export class TreeLinks {
  private cat: CatFileBatch | undefined;
  /** commit → its links, or the delta from its parent (resolved on demand). */
  private readonly commits = new Map<
    string,
    readonly LinkEntry[] | LinkDelta | MergeInfo | string
  >();
  /** tree id → links below it (paths relative to the tree). */
  private readonly treeMemo = new Map<string, readonly LinkEntry[]>();
  private readonly texts = new Map<string, string>();
  private readonly resolved = new WeakMap<readonly LinkEntry[], ZoneLink[]>();
  private trees = 0;
  constructor(
    private readonly ctx: GitContext,
    private readonly policy: Policy,
    /**
     * The server's links of earlier pushes' tips (link-cache.ts): a commit it knows is not
     * read from git. Absent (local checks, the audit): every commit is read.
     */
    private readonly cache?: LinkCache,
  ) {}

  /** One object through the long-lived cat-file (also lent to the judge for commit messages). */
  async object(spec: string): Promise<{ type: string; content: Buffer }> {
    // cat-file reads a spec a line at a time, and strips a CR at its end: such a spec
    // would be two requests (every later answer shifted by one) or another object's.
    assertSpecLine(spec);
    this.open();
    await writeLine(this.cat!.child.stdin, spec + '\n');
    return this.cat!.next();
  }

  private open(): CatFileBatch {
    if (!this.cat) {
      this.cat = new CatFileBatch(this.ctx);
      this.cat.child.stdin.on('error', () => undefined);
    }
    return this.cat;
  }

  /**
   * Learn a commit from its diff (free: no git call). A non-merge commit's links are its
   * parent's with the diff applied; a merge's are read from its tree when asked for.
   */
  follow(c: { id: string; parents: readonly string[]; files: readonly FileChange[] }): void {
    if (this.commits.has(c.id) || !c.parents.length) return;
    if (this.commits.size >= MAX_COMMITS) this.commits.clear();
    if (c.parents.length > 1) {
      const combined = new Map<string, LinkEntry | null>();
      for (const f of c.files)
        if (f.via === undefined)
          combined.set(
            f.path,
            f.mode === SYMLINK_MODE && f.status !== 'D' ? { path: f.path, blob: f.blob } : null,
          );
      this.commits.set(c.id, { parents: c.parents, combined });
    } else this.commits.set(c.id, linkDelta(c.parents[0]!, c.files) ?? c.parents[0]!);
  }

  /** Does the commit's diff add, change or remove a link (as `follow` reads it)? */
  static changesLinks(files: readonly FileChange[]): boolean {
    return linkDelta('', files) !== undefined;
  }

  /** Every symlink of `commit`'s tree, resolved as a checkout would (see resolveLinks). */
  async at(commit: string): Promise<ZoneLink[]> {
    const entries = await this.entries(commit);
    let r = this.resolved.get(entries);
    if (!r) {
      const raw = [];
      for (const e of entries) {
        const text = await this.text(e.blob);
        if (text !== undefined) raw.push({ path: e.path, text });
      }
      r = resolveLinks(raw, !this.policy.caseSensitive);
      this.resolved.set(entries, r);
    }
    return r;
  }

  /**
   * `at`, answered without a promise where it is already known: the commit's links, or
   * its parent's when its diff changes none (most commits of a long history, asked once
   * each by a push), have been resolved before. Undefined: ask `at`. The same answer as
   * `at`, which walks the same one step and keeps it the same way.
   */
  atKnown(commit: string): ZoneLink[] | undefined {
    let m = this.commits.get(commit);
    if (typeof m === 'string') {
      const parent = this.commits.get(m);
      if (!Array.isArray(parent)) return undefined;
      this.commits.set(commit, parent as readonly LinkEntry[]);
      m = parent;
    }
    return Array.isArray(m) ? this.resolved.get(m as readonly LinkEntry[]) : undefined;
  }

  /**
   * The links of `commit`'s tree where they are already known whole (read, or followed
   * from a known commit through diffs), without a git call; undefined: not known.
   */
  known(commit: string): readonly LinkEntry[] | undefined {
    let m = this.commits.get(commit);
    if (typeof m === 'string') m = this.commits.get(m);
    return Array.isArray(m) ? (m as readonly LinkEntry[]) : undefined;
  }

  private async entries(commit: string): Promise<readonly LinkEntry[]> {
    // Walk back to a commit whose links are known (or must be read), then forward.
    const chain: { id: string; delta: LinkDelta | undefined }[] = [];
    let id = commit;
    let base: readonly LinkEntry[] | undefined;
    for (;;) {
      const m = this.commits.get(id);
      if (m === undefined) break;
      if (Array.isArray(m)) {
        base = m as readonly LinkEntry[];
        break;
      }
      if (typeof m === 'object' && 'combined' in m) {
        base = await this.mergeLinks(id, m);
        this.commits.set(id, base);
        break;
      }
      const delta = typeof m === 'string' ? undefined : (m as LinkDelta);
      chain.push({ id, delta });
      id = typeof m === 'string' ? m : (m as LinkDelta).parent;
    }
    let cur: readonly LinkEntry[] | undefined = base ?? this.cache?.get(id);
    if (!cur) {
      cur = await this.readCommit(id);
      this.cache?.learn(id, cur);
    }
    if (!base) this.commits.set(id, cur);
    for (let i = chain.length - 1; i >= 0; i--) {
      const { id: cid, delta } = chain[i]!;
      if (delta) {
        const gone = new Set([...delta.removes, ...delta.adds.map((a) => a.path)]);
        const next: LinkEntry[] = cur.filter((e) => !gone.has(e.path)).concat(delta.adds);
        cur = next.length ? next : NONE;
      }
      this.commits.set(cid, cur);
    }
    return cur;
  }

  /**
   * A merge's links from its parents' and its combined diff: a link all parents hold
   * alike is the merge's unless the diff says otherwise; where they differ, the merge's
   * own directory is read (one tree object each), not its whole tree.
   */
  private async mergeLinks(id: string, m: MergeInfo): Promise<readonly LinkEntry[]> {
    const sets: (readonly LinkEntry[])[] = [];
    for (const p of m.parents) sets.push(await this.entries(p));
    const byPath = new Map<string, LinkEntry[]>();
    for (const set of sets)
      for (const e of set) {
        const list = byPath.get(e.path);
        if (list) list.push(e);
        else byPath.set(e.path, [e]);
      }
    const out: LinkEntry[] = [];
    const dirs = new Map<string, Map<string, TreeEntry>>();
    for (const [path, list] of byPath) {
      if (m.combined.has(path)) continue;
      if (list.length === sets.length && list.every((e) => e.blob === list[0]!.blob)) {
        out.push(list[0]!);
        continue;
      }
      const cut = path.lastIndexOf('/');
      const dir = cut < 0 ? '' : path.slice(0, cut);
      let entries = dirs.get(dir);
      if (!entries) {
        entries = await this.dirEntries(id, dir);
        dirs.set(dir, entries);
      }
      const e = entries.get(path.slice(cut + 1));
      if (e?.mode === SYMLINK_MODE) out.push({ path, blob: e.id });
    }
    for (const e of m.combined.values()) if (e) out.push(e);
    // Most merges keep the first parent's links as they were: then they are that very
    // list, so its resolution (`at`, memoised per list) and every comparison with the
    // parent's (`a === b`) are not done again for each merge. Only the same entries in
    // the same order: the order is what `at` resolves.
    const first = sets[0]!;
    if (
      out.length === first.length &&
      out.every((e, i) => e.path === first[i]!.path && e.blob === first[i]!.blob)
    )
      return first;
    return out.length ? out : NONE;
  }

  /**
   * The entries of the directory `dir` ('' for the root, `/`-separated, as the paths of
   * LinkEntry) of `commit`'s tree, by name (decodePath), or an empty map where `dir` is no
   * directory there (missing, a file, a link: a lookup never follows a link). Read by tree
   * ids from the root, one component at a time, never as a `COMMIT:PATH` spec: cat-file
   * reads its specs a line at a time, so a directory named `d\nx` made one spec two
   * requests (two answers: every later answer of the long-lived cat-file was the one
   * before it: a commit's message, a link's text) and a name ending in `\r` lost it
   * (git strips a CR at a line's end: the answer was another directory's).
   */
  private async dirEntries(commit: string, dir: string): Promise<Map<string, TreeEntry>> {
    const idBytes = commit.length === 64 ? 32 : 20;
    let t = await this.object(`${commit}^{tree}`);
    for (const name of dir === '' ? [] : dir.split('/')) {
      if (t.type !== 'tree') break;
      const e = parseTree(t.content, idBytes).find(
        (x) => x.mode === '40000' && decodePath(x.name) === name,
      );
      if (!e) return new Map();
      t = await this.object(e.id);
    }
    const entries = new Map<string, TreeEntry>();
    if (t.type === 'tree')
      for (const e of parseTree(t.content, idBytes)) entries.set(decodePath(e.name), e);
    return entries;
  }

  /** All links of a commit's tree: one cat-file request per level, each tree id once. */
  private async readCommit(commit: string): Promise<readonly LinkEntry[]> {
    const root = await this.object(`${commit}^{tree}`);
    if (root.type !== 'tree')
      throw new CleanroomError('input', `${commit} has no tree that git can read`);
    const idBytes = commit.length === 64 ? 32 : 20;
    this.trees = 0;
    // Level by level: the trees of a level are asked for at once (one pipe round trip),
    // then their links are put together bottom-up.
    interface Node {
      dir: string;
      links: LinkEntry[];
      subs: { name: string; id: string }[];
    }
    const nodes = new Map<string, Node>();
    const parse = (content: Buffer): Node => {
      const n: Node = { dir: '', links: [], subs: [] };
      for (const e of parseTree(content, idBytes)) {
        const name = decodePath(e.name);
        if (e.mode === '40000') n.subs.push({ name, id: e.id });
        else if (e.mode === SYMLINK_MODE) n.links.push({ path: name, blob: e.id });
      }
      return n;
    };
    const rootNode = parse(root.content);
    let level = rootNode.subs.map((s) => s.id).filter((i) => !this.treeMemo.has(i));
    while (level.length) {
      const want = [...new Set(level)].filter((i) => !nodes.has(i));
      this.trees += want.length;
      if (this.trees > MAX_TREES)
        throw new CleanroomError(
          'input',
          `a tree with more than ${MAX_TREES} directories`,
          'cleanroom cannot judge links in it',
        );
      const cat = this.open();
      // One write per level: a write per id costs more than the read (a syscall each).
      cat.child.stdin.write(want.join('\n') + '\n');
      const next: string[] = [];
      for (const i of want) {
        const t = await cat.next();
        if (t.type !== 'tree') throw new CleanroomError('input', `tree ${i} cannot be read`);
        const n = parse(t.content);
        nodes.set(i, n);
        for (const s of n.subs) if (!this.treeMemo.has(s.id) && !nodes.has(s.id)) next.push(s.id);
      }
      level = next;
    }
    if (this.treeMemo.size > MAX_TREE_MEMO) this.treeMemo.clear();
    const linksOf = (id: string, stack: Set<string>): readonly LinkEntry[] => {
      const memo = this.treeMemo.get(id);
      if (memo) return memo;
      const n = nodes.get(id);
      if (!n || stack.has(id)) throw new CleanroomError('input', `tree ${id} cannot be read`);
      stack.add(id);
      const out = gather(n, stack);
      stack.delete(id);
      this.treeMemo.set(id, out);
      return out;
    };
    const gather = (n: Node, stack: Set<string>): readonly LinkEntry[] => {
      const out: LinkEntry[] = [...n.links];
      for (const s of n.subs)
        for (const l of linksOf(s.id, stack))
          out.push({ path: `${s.name}/${l.path}`, blob: l.blob });
      return out.length ? out : NONE;
    };
    return gather(rootNode, new Set());
  }

  /**
   * The files of `commit`'s tree at or below each of `dirs`, as `git ls-tree -r -z
   * --full-tree COMMIT -- :(literal)DIR…` lists them (same entries, same order, modes
   * canonical as git shows them, gitlinks listed, not entered), read through the
   * long-lived cat-file instead of a process per call: the audit asked this ~30 times on
   * Aider, and each process start costs Node ~6 ms of CPU (fork of a large heap).
   * Only for plain paths (ASCII, `/`-separated, no empty, `.` or `..` component), where
   * a tree lookup by name is exactly the literal pathspec; undefined otherwise, or past
   * MAX_LISTED_TREES trees, and the caller asks ls-tree. test/unit/check/list-files.test.ts
   * compares the two on hostile trees.
   */
  async filesUnder(commit: string, dirs: readonly string[]): Promise<FileChange[] | undefined> {
    if (!dirs.length || !dirs.every(isPlainPath)) return undefined;
    const idBytes = commit.length === 64 ? 32 : 20;
    const root = await this.object(`${commit}^{tree}`);
    if (root.type !== 'tree') return undefined;
    const out: FileChange[] = [];
    let trees = 0;
    // Depth first, in each tree's order: the order ls-tree prints.
    const walk = async (content: Buffer, prefix: string, all: boolean): Promise<boolean> => {
      for (const e of parseTree(content, idBytes)) {
        const path = prefix + decodePath(e.name);
        const inside = all || dirs.some((d) => path === d || path.startsWith(d + '/'));
        const mode = canonMode(e.mode);
        if (mode === '40000') {
          if (!inside && !dirs.some((d) => d.startsWith(path + '/'))) continue;
          if (++trees > MAX_LISTED_TREES) return false;
          const t = await this.object(e.id);
          if (t.type !== 'tree') throw new CleanroomError('input', `tree ${e.id} cannot be read`);
          if (!(await walk(t.content, path + '/', inside))) return false;
        } else if (inside) out.push({ status: 'A', path, blob: e.id, mode });
      }
      return true;
    };
    return (await walk(root.content, '', false)) ? out : undefined;
  }

  private async text(blob: string): Promise<string | undefined> {
    if (this.texts.has(blob)) return this.texts.get(blob) || undefined;
    const b = await this.object(blob);
    const t = b.type === 'blob' && b.content.length <= 4096 ? b.content.toString('utf8') : '';
    if (this.texts.size > 100_000) this.texts.clear();
    this.texts.set(blob, t);
    return t || undefined;
  }

  close(): void {
    this.cat?.child.stdin.end();
    this.cat?.child.kill();
    this.cat = undefined;
  }
}

/**
 * The symlinks of the index (the commit being made), resolved as a checkout would:
 * `git ls-files -s -z`, then their texts from one `cat-file --batch`.
 * Sample: `120000 1f2e… 0\tevals/extra\0`.
 */
export async function indexZoneLinks(ctx: GitContext, policy: Policy): Promise<ZoneLink[]> {
  // The whole index, with paths from the top, wherever the command runs: from a
  // subdirectory a bare `ls-files` lists only what is below it, and a link elsewhere
  // (evals/extra -> ../src/jl) went unseen by `explain` (and, before, `check --staged`).
  const { stdout } = await runGit(ctx, ['ls-files', '-s', '-z', '--full-name', '--', ':(top)']);
  return resolveIndexLinks(ctx, policy, indexLinkEntries(stdout));
}

const LINK_RECORD = Buffer.from(`\0${SYMLINK_MODE} `, 'latin1');

/**
 * The symlink records of `git ls-files -s -z` output: (path, blob) for every record whose
 * mode is 120000, in index order (conflict stages included, as listed).
 *
 * Why a search and not a parse: a 50,000-entry index is ~4 MB of records, and cutting
 * each into Buffers and strings cost the commit hooks ~50 ms of CPU, where the links are
 * a handful. A record is `MODE SP OID SP STAGE TAB PATH NUL`; no path holds a NUL, so
 * `NUL 120000 SP` (or `120000 SP` at offset 0) marks exactly the start of a link's record,
 * never the inside of a path. test/unit/check/index-links.test.ts compares it with the
 * record-by-record parse on hostile listings.
 */
export function indexLinkEntries(stdout: Buffer): { path: string; blob: string }[] {
  const found: { path: string; blob: string }[] = [];
  const take = (start: number): number => {
    const nul = stdout.indexOf(0, start);
    const end = nul < 0 ? stdout.length : nul;
    const rec = stdout.subarray(start, end);
    const tab = rec.indexOf(0x09);
    if (tab >= 0) {
      const [, blob = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
      found.push({ path: decodePath(rec.subarray(tab + 1)), blob });
    }
    return end;
  };
  let pos = 0;
  if (stdout.subarray(0, LINK_RECORD.length - 1).equals(LINK_RECORD.subarray(1))) pos = take(0);
  for (;;) {
    const at = stdout.indexOf(LINK_RECORD, pos);
    if (at < 0) break;
    pos = take(at + 1);
  }
  return found;
}

/** The links' texts from one `cat-file --batch`, resolved as a checkout would. */
async function resolveIndexLinks(
  ctx: GitContext,
  policy: Policy,
  found: readonly { path: string; blob: string }[],
): Promise<ZoneLink[]> {
  if (!found.length) return [];
  const { stdout: objs } = await runGit(ctx, ['cat-file', '--batch'], {
    input: found.map((f) => f.blob).join('\n') + '\n',
  });
  const out: RawLink[] = [];
  let pos = 0;
  for (const f of found) {
    const nl = objs.indexOf(0x0a, pos);
    if (nl < 0) break;
    const [, type, size] = objs.subarray(pos, nl).toString('latin1').split(' ');
    pos = nl + 1;
    if (type !== 'blob' || size === undefined) continue;
    const n = Number(size);
    out.push({ path: f.path, text: objs.subarray(pos, pos + n).toString('utf8') });
    pos += n + 1;
  }
  return resolveLinks(out, !policy.caseSensitive);
}
