// Moved content keeps its provenance. An agent writes drafts/q1.json (outside every
// zone, allowed); later a human runs `git mv drafts/q1.json evals/tasks/q1.json`. The
// commit doing the move carries no AI signal, yet it puts model output into a deny zone.
// For a rename into a zone, the commit that last wrote the source path and the commit
// that first introduced the exact content (`--find-object`) are looked up, and their
// AI signals become signals for the destination path.
//
// Only renames (git's similarity detection) into zones are followed, so the cost is
// zero for ordinary commits; content copied without a rename is found by the ledger
// locally, not here.

import { checkDeadline } from '../core/deadline.js';
import { UNKNOWN_AI, type FileChange, type Signal } from '../core/types.js';
import { parseCommitObject, withGitView } from '../git/commit-object.js';
import { runGit, SHOW_GITLINKS, splitZ, type GitContext } from '../git/git.js';
import { revList, shownByGit, smallPackWindows, splitCatFile } from '../git/commits.js';
import { BatchCheck } from '../git/stream.js';
import type { Policy } from '../policy/compile.js';
import { zonesOfFile } from '../policy/links.js';
import { detectSignals } from '../signals/detect.js';
import { isObjectId } from '../git/object-id.js';

/**
 * Distinct contents traced per commit. The whole search is one `git log` walk whatever
 * the count (it used to be two walks per moved file: 45 s for 50 files on a 20,000-commit
 * history); the bound keeps its argument list and its diff filter small. Moves beyond
 * it are not traced, and count as unidentified AI (fail closed, the limit named).
 */
export const MAX_TRACED_OBJECTS = 500;

/** An object id that is not all zeros (git's "no blob" side of an added or deleted file). */
const isRealBlob = (o: string): boolean => isObjectId(o) && !/^0+$/.test(o);

/**
 * The renamed or copied files (R, C, with their source) that land in a zone. A plain
 * loop, not a filter with a callback: a staged commit of 100,000 files, none of them a
 * rename, asks it of every file, cold.
 */
export function movesIntoZones(policy: Policy, files: readonly FileChange[]): FileChange[] {
  const out: FileChange[] = [];
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (
      (f.status === 'R' || f.status === 'C') &&
      f.from !== undefined &&
      zonesOfFile(policy, f).length > 0
    )
      out.push(f);
  }
  return out;
}

/**
 * Where a walk over history already knows who wrote what (the audit: parents before
 * children), it answers instead of a `git log` walk: the commit that last wrote a path
 * before the one being judged, and that commit's signals.
 */
export interface WalkProvenance {
  /**
   * The commit that last wrote `path` with content `blob`, and the one that wrote that
   * content (followed through renames); undefined when the walk cannot vouch for it (it
   * holds another blob there — a merge took the other line's — or none, or what a merge
   * wrote): then git is asked, as without a walk.
   */
  writersOf(path: string, blob: string | undefined): readonly (string | undefined)[] | undefined;
  signalsOf(commit: string): Promise<Signal[]>;
}

interface Touch {
  commit: string;
  path: string;
  blob: string;
}

/** One entry `git log --find-object --raw` shows: a commit, a path, its old and new blob. */
export interface Pair {
  commit: string;
  path: string;
  old: string;
  new: string;
}

/**
 * The `git log` of pairsOf: every commit reachable from `tips` that adds or removes one
 * of `objects`, with its raw entries (exported so tests run the very command).
 */
export const findObjectArgs = (objects: readonly string[], tips: readonly string[]): string[] => [
  'log',
  '-z',
  '--format=%H',
  '--raw',
  '--no-abbrev',
  '--no-renames',
  // A merge's own entries (docs/signals.md, "What a merge wrote"): without this, git log
  // shows no diff for a merge, and content an evil merge wrote reads as nobody's. Named
  // in full: `-c` would also imply `-p`, and `-m` is what log.diffMerges redefines.
  '--diff-merges=combined',
  '--no-show-signature',
  '--no-ext-diff',
  '--no-textconv',
  SHOW_GITLINKS,
  ...objects.map((o) => `--find-object=${o}`),
  '--end-of-options',
  ...tips,
];

/**
 * The pair one raw entry of `commit` stands for, from its meta field (`:100644 100644
 * <old> <new> M`, or a merge's combined `::100644 100644 100644 <p1> <p2> <result> MM`,
 * one colon per parent) and its one path (--no-renames); undefined for a merge entry that
 * wrote nothing. A merge's pair is what it wrote (docs/signals.md, "What a merge wrote"):
 * its result blob, when that differs from the blob of every parent at the path (a
 * combined entry lists a path whose result differs from every parent's in blob or mode;
 * a mode change alone wrote no content). Its `old` is empty: the parents' blobs are their
 * writers' — content the merge took or dropped from a parent is not re-attributed to it.
 */
export function entryPair(commit: string, meta: string, path: string): Pair | undefined {
  let n = 0;
  while (meta[n] === ':') n++;
  const parts = meta.slice(n).split(' ');
  if (n <= 1) return { commit, path, old: parts[2] ?? '', new: parts[3] ?? '' };
  // n modes and blobs of the parents, then the result's: `<modes…> <blobs…> <letters>`.
  const result = parts[2 * n + 1] ?? '';
  const parentBlobs = parts.slice(n + 1, 2 * n + 1);
  if (parentBlobs.length !== n || !isRealBlob(result) || parentBlobs.includes(result))
    return undefined;
  return { commit, path, old: '', new: result };
}

/**
 * Every entry of a commit reachable from `tips` that adds or removes one of `objects`
 * (either side of the entry), newest first: one `git log --find-object=… --raw` walk.
 * Sample (NUL shown as \0): `56eab…\0\n:100644 000000 ce01… 0000… D\0a\0:000000 100644 0000… ce01… A\0c\0<next id>\0…`
 * and, for a merge (--diff-merges=combined: the paths that differ from every parent),
 * `9d1f…\0\0::000000 000000 100644 0000… 0000… ce01… AA\0drafts/q.json\0`.
 * Entries are read positionally (a meta field, then its one path: --no-renames), so a
 * path cannot pass for a commit id. A merge's entry stands for what it wrote (`entryPair`).
 */
async function pairsOf(
  ctx: GitContext,
  tips: readonly string[],
  objects: readonly string[],
): Promise<Pair[]> {
  const fields = splitZ(
    (await runGit(smallPackWindows(ctx), findObjectArgs(objects, tips))).stdout,
  );
  const out: Pair[] = [];
  let commit = '';
  for (let i = 0; i < fields.length; i++) {
    checkDeadline();
    const f = fields[i]!;
    const start = f[0] === 0x0a ? 1 : 0;
    if (f[start] === 0x3a /* ':' */) {
      const path = fields[++i];
      if (!commit || path === undefined) continue;
      const pair = entryPair(commit, f.toString('latin1', start), path.toString('utf8'));
      // A merge entry listed for a parent's blob alone wrote none of `objects`.
      if (pair && (pair.old !== '' || objects.includes(pair.new))) out.push(pair);
    } else if (f.length) {
      const id = f.toString('latin1');
      if (isObjectId(id)) commit = id;
    }
  }
  return out;
}

/** Each entry as two touches: of its old blob and of its new one. */
const touchesOfPairs = (pairs: readonly Pair[]): Touch[] =>
  pairs.flatMap((p) => [
    { commit: p.commit, path: p.path, blob: p.old },
    { commit: p.commit, path: p.path, blob: p.new },
  ]);

/**
 * The walk's answer, newest first (see `pairsOf`), from the push's `TouchIndex` where it
 * can give it, else from its own `git log` walk. `exact`: the caller looks up only blobs
 * of `objects` (what the index can vouch for).
 */
export async function touchesOf(
  ctx: GitContext,
  tips: readonly string[],
  objects: readonly string[],
  exact: boolean,
): Promise<Touch[]> {
  let known: { pairs: Pair[]; ordered: boolean } | undefined;
  for (const source of exact ? (touchIndexes.get(ctx) ?? []) : []) {
    known = await source.touches(tips, objects);
    if (known) break;
  }
  if (!known) return touchesOfPairs(await pairsOf(ctx, tips, objects));
  if (!known.ordered) {
    // Two commits touch one blob: which is first is git log's order, which `rev-list`
    // over the same tips gives without diffing a tree (same walk, same date order with
    // its ties; see TouchIndex).
    const rank = await ranksIn(ctx, tips, new Set(known.pairs.map((p) => p.commit)));
    if (!rank) return touchesOfPairs(await pairsOf(ctx, tips, objects));
    // Stable: a commit's own entries keep the order its diff gave them.
    known.pairs.sort((a, b) => rank.get(a.commit)! - rank.get(b.commit)!);
  }
  return touchesOfPairs(known.pairs);
}

/**
 * Where each of `wanted` comes in `git rev-list TIPS` (0: printed first, newest by date),
 * or undefined when rev-list ends without printing them all. Sample: `9f2c…\n` per
 * commit. Read as a stream and ended as soon as every one is ranked: on a long history
 * the commits asked about are usually near the tips, and the rest of the walk (13,138
 * lines on Aider, per walk) was read for nothing.
 *
 * Ending it early is safe: rev-list prints its commits in their final order and never
 * takes a line back, so the lines read are those a complete run prints first, and the
 * ranks the same; its exit status after the kill (a signal) says
 * nothing about them and is not checked. It cannot hang: the child is killed at once
 * (and ended with the command in any case: git.ts). A failure before every one is
 * ranked (an unreadable commit) ends its output early, and is thrown (GitError), as the
 * buffered call threw it: fail closed. A failure past the last commit asked about (an
 * unreadable older ancestor) goes unseen here, as it changes no rank; it cannot go unseen
 * by the command: every caller's index has read the whole ancestry of these tips already
 * (TouchIndex's buffered `rev-list --parents` and walk over the same tips; PushedTouches
 * answers only tips whose every ancestor it learnt from git's own output), so git failed
 * there first.
 */
export async function ranksIn(
  ctx: GitContext,
  tips: readonly string[],
  wanted: ReadonlySet<string>,
): Promise<Map<string, number> | undefined> {
  const rank = new Map<string, number>();
  if (!wanted.size) return rank;
  // revList ends its process when the loop leaves it early (its finally).
  let n = 0;
  for await (const id of revList(ctx, ['--end-of-options', ...tips])) {
    checkDeadline();
    if (wanted.has(id) && !rank.has(id)) {
      rank.set(id, n);
      if (rank.size === wanted.size) return rank;
    }
    n++;
  }
  return undefined;
}

/** What can answer a walk without running it (`TouchIndex`, `PushedTouches`). */
export interface TouchSource {
  touches(
    tips: readonly string[],
    objects: readonly string[],
  ): Promise<{ pairs: Pair[]; ordered: boolean } | undefined>;
}

const touchIndexes = new WeakMap<GitContext, readonly TouchSource[]>();

/**
 * The `--find-object` walks of a whole batch of pushed commits in one: a push that moves
 * files into zones in ten commits walked the history ten times (0.8 s of git on Aider).
 * Built by the push (range.ts judgePushCommits) for the objects and tips its judged
 * commits will trace, with `git rev-list --parents` over the same tips for ancestry. A
 * walk's callers read from its touches, newest first, only the first and the last touch
 * of each blob they look up: the order matters only where two commits touch one blob.
 * So the index answers a walk (tips, objects) only when the tips and objects are among
 * its own, and each of the walk's objects is touched by at most one commit reachable
 * from the walk's tips; then the answer is the walk's touches in any order. Otherwise it
 * answers nothing and the walk runs as before (`git log`'s date order decides which
 * commit is "first"; one walk per push cannot reproduce it for ties: docs/design).
 *
 * Exactness: `git log --find-object=A --find-object=B T1 T2` lists, for every commit
 * reachable from T1 or T2, exactly the entries whose old or new blob is A or B (no
 * pathspec, so no history simplification; a merge's combined entries are read as what it
 * wrote, `entryPair`, the same in the index and in the walk). Keeping the
 * entries of commits reachable from a walk's tips (a graph walk over rev-list's parents,
 * which follow the same grafts as log's) with a side among the walk's objects gives that
 * walk's entries exactly.
 */
export class TouchIndex implements TouchSource {
  private constructor(
    private readonly tips: ReadonlySet<string>,
    private readonly byBlob: ReadonlyMap<string, readonly Pair[]>,
    private readonly objects: ReadonlySet<string>,
    private readonly graph: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** One walk over `objects` from `tips`, and the commits' parents (rev-list --parents). */
  static async build(
    ctx: GitContext,
    tips: readonly string[],
    objects: readonly string[],
  ): Promise<TouchIndex> {
    const [pairs, rev] = await Promise.all([
      pairsOf(ctx, tips, objects),
      runGit(ctx, ['rev-list', '--parents', '--end-of-options', ...tips]),
    ]);
    const graph = new Map<string, string[]>();
    // Sample: `b0542cd… 975fbec…\n` (a commit, then its parents).
    for (const line of rev.stdout.toString('latin1').split('\n')) {
      checkDeadline();
      if (!line) continue;
      const [id = '', ...parents] = line.split(' ');
      graph.set(id, parents);
    }
    const want = new Set(objects);
    const byBlob = new Map<string, Pair[]>();
    for (const p of pairs)
      for (const b of new Set([p.old, p.new])) {
        if (!want.has(b)) continue;
        const list = byBlob.get(b);
        if (list) list.push(p);
        else byBlob.set(b, [p]);
      }
    return new TouchIndex(new Set(tips), byBlob, want, graph);
  }

  /**
   * The entries the walk (tips, objects) would give: `ordered` when no blob of `objects`
   * is touched by two of their commits (then any order gives the callers the same
   * answer), else in the index's order, to be put in the walk's; undefined when the
   * walk is not among the index's.
   */
  touches(
    tips: readonly string[],
    objects: readonly string[],
  ): Promise<{ pairs: Pair[]; ordered: boolean } | undefined> {
    if (!tips.every((t) => this.tips.has(t)) || !objects.every((o) => this.objects.has(o)))
      return Promise.resolve(undefined);
    return Promise.resolve(
      keptPairs(this.byBlob, tips, objects, (w) => reachableFrom(this.graph, tips, w)),
    );
  }
}

/**
 * The entries of `byBlob` with a side among `objects` whose commit `reached` keeps:
 * `ordered` when no blob of `objects` is touched by two of their commits (any order then
 * gives the callers the same answer); undefined when `reached` cannot tell.
 */
function keptPairs(
  byBlob: Pick<ReadonlyMap<string, readonly Pair[]>, 'get'>,
  tips: readonly string[],
  objects: readonly string[],
  reached: (wanted: ReadonlySet<string>) => Set<string> | undefined,
): { pairs: Pair[]; ordered: boolean } | undefined {
  const pairs = new Set<Pair>();
  for (const o of objects) for (const p of byBlob.get(o) ?? []) pairs.add(p);
  const found = reached(new Set([...pairs].map((p) => p.commit)));
  if (!found) return undefined;
  const kept = [...pairs].filter((p) => found.has(p.commit));
  const seenBy = new Map<string, string>();
  let ordered = true;
  for (const p of kept)
    for (const b of [p.old, p.new]) {
      if (!objects.includes(b)) continue;
      const other = seenBy.get(b);
      if (other !== undefined && other !== p.commit) ordered = false;
      seenBy.set(b, p.commit);
    }
  return { pairs: kept, ordered };
}

/**
 * Which of `wanted` are reachable from `tips` over `graph` (commit → parents): a walk that
 * stops once all are found. Undefined when it meets a commit `graph` does not know
 * (`closed`: the walk must stay inside it) or takes more than `maxSteps`.
 */
export function reachableFrom(
  graph: ReadonlyMap<string, readonly string[]>,
  tips: readonly string[],
  wanted: ReadonlySet<string>,
  opts: { closed?: boolean; maxSteps?: number } = {},
): Set<string> | undefined {
  const found = new Set<string>();
  if (!wanted.size) return found;
  const seen = new Set(tips);
  const stack = [...tips];
  let steps = 0;
  while (stack.length && found.size < wanted.size) {
    const id = stack.pop()!;
    // A hostile push can ask for thousands of walks: each step keeps to the deadline.
    checkDeadline();
    if (++steps > (opts.maxSteps ?? Infinity)) return undefined;
    if (wanted.has(id)) found.add(id);
    const parents = graph.get(id);
    if (parents === undefined && opts.closed === true) return undefined;
    for (const p of parents ?? [])
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
  }
  return found;
}

/**
 * Where the `n`-th space-separated word after `from` starts in `meta` (`from` is at the
 * start of a word or of the field), or -1: `split(' ')` of the text, done on its bytes.
 */
function wordStart(meta: Buffer, from: number, n: number): number {
  let i = from;
  for (; n > 0; n--) {
    const sp = meta.indexOf(0x20, i);
    if (sp < 0) return -1;
    i = sp + 1;
  }
  return i;
}

/**
 * A 28-bit hash of the word of `meta` at `at` (its first 7 bytes, fewer if it is shorter):
 * the key of `PushedTouches`' index, equal to blobKeyOf of the word's latin1 text. Only
 * candidates are found by it: each is checked against its pair's text.
 */
function blobKey(meta: Buffer, at: number): number {
  let h = 0;
  for (let i = at; i < at + 7 && i < meta.length && meta[i] !== 0x20; i++)
    h = (h * 37 + meta[i]!) & 0xfffffff;
  return h;
}

/** blobKey of a blob id's text. */
function blobKeyOf(o: string): number {
  let h = 0;
  for (let i = 0; i < 7 && i < o.length; i++) h = (h * 37 + o.charCodeAt(i)) & 0xfffffff;
  return h;
}

/**
 * The pushed commits' parents for `PushedTouches`, by index: a walk over a whole history
 * asked of a Map of id strings and two Sets of them cost ~0.3 µs a step, and a push's
 * walks can each visit most of it (10 walks on Aider, 13,138 commits each at most).
 */
export class PushedGraph {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Per index: where its parents' run starts in `parents`, or -1 when not learnt. */
  private readonly first: number[] = [];
  private readonly count: number[] = [];
  private readonly parents: number[] = [];
  /**
   * Per index: 1 when the commit and every ancestor were learnt here (`closed` in
   * PushedTouches), set as it is learnt, parents first; a flag by index, not a Set of id
   * strings, as the parents' indices are at hand (one hash of each id per commit, not two).
   */
  private readonly closedFlag: number[] = [];
  private stamp = new Uint32Array(0);
  private want = new Uint32Array(0);
  private generation = 0;

  private intern(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) {
      i = this.ids.push(id) - 1;
      this.index.set(id, i);
      this.first.push(-1);
      this.count.push(0);
      this.closedFlag.push(0);
    }
    return i;
  }

  /** Learns a commit's parents (learnt again: the last ones, as a Map's `set` kept them). */
  add(id: string, parents: readonly string[]): void {
    const i = this.intern(id);
    const start = this.parents.length;
    let closed = 1;
    for (const p of parents) {
      const k = this.intern(p);
      this.parents.push(k);
      closed &= this.closedFlag[k]!;
    }
    this.first[i] = start;
    this.count[i] = parents.length;
    // Once closed, always (as a Set's `add` kept it when learnt again).
    if (closed) this.closedFlag[i] = 1;
  }

  /** Were `id` and every ancestor of it learnt here, each after its parents? */
  isClosed(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.closedFlag[i] === 1;
  }

  /**
   * reachableFrom(graph, tips, wanted, { closed: true, maxSteps }) over these parents,
   * step for step: the same stack order, the same step count, undefined at the same
   * point (a commit not learnt here, or more than `maxSteps` steps).
   */
  reachable(
    tips: readonly string[],
    wanted: ReadonlySet<string>,
    maxSteps: number,
  ): Set<string> | undefined {
    const found = new Set<string>();
    if (!wanted.size) return found;
    if (this.stamp.length < this.ids.length + tips.length + wanted.size) {
      const size = 2 * (this.ids.length + tips.length + wanted.size);
      this.stamp = new Uint32Array(size);
      this.want = new Uint32Array(size);
      this.generation = 0;
    }
    const gen = ++this.generation;
    // Ids the walk can meet but this graph never learnt (a tip or a wanted commit outside
    // the push) get an index of their own for this walk only.
    const extra = new Map<string, number>();
    const indexOf = (id: string): number => {
      const i = this.index.get(id) ?? extra.get(id);
      if (i !== undefined) return i;
      const e = this.ids.length + extra.size;
      extra.set(id, e);
      return e;
    };
    const name = (i: number): string =>
      i < this.ids.length ? this.ids[i]! : [...extra].find(([, e]) => e === i)![0];
    for (const w of wanted) this.want[indexOf(w)] = gen;
    const stack: number[] = [];
    for (const t of tips) {
      const i = indexOf(t);
      this.stamp[i] = gen;
      stack.push(i);
    }
    let steps = 0;
    while (stack.length && found.size < wanted.size) {
      const i = stack.pop()!;
      // A hostile push can ask for thousands of walks: each step keeps to the deadline.
      checkDeadline();
      if (++steps > maxSteps) return undefined;
      if (this.want[i] === gen) found.add(name(i));
      const start = i < this.ids.length ? this.first[i]! : -1;
      if (start < 0) return undefined;
      for (let k = start, end = start + this.count[i]!; k < end; k++) {
        const p = this.parents[k]!;
        if (this.stamp[p] !== gen) {
          this.stamp[p] = gen;
          stack.push(p);
        }
      }
    }
    return found;
  }
}

/** Entries kept by `PushedTouches` past which it stops (memory), and a walk's step bound. */
const MAX_PUSHED_PAIRS = 50_000;
const MAX_REACH_STEPS = 500_000;

/**
 * The walks of a push whose history is all in the push (a new branch into an empty
 * repository, a new root history), answered from the push's own diffs without any walk:
 * `git log --raw --no-renames` of a non-merge commit is its diff against its parent (the
 * root's against the empty tree, where `log.showRoot` is on, git's default), and of a
 * merge (--diff-merges=combined) its combined diff, which is the rename-free `diff-tree
 * -c` the push already reads for every commit (`add`, parents before children). A walk is
 * answered only when its tips are `closed` (every ancestor is a pushed commit this has
 * learnt), so the entries of every commit the walk would visit are here; a merge's are
 * read as `entryPair` reads them in both. Order, where needed, comes from `rev-list` as
 * for `TouchIndex`. Past MAX_PUSHED_PAIRS entries it stops learning and answers nothing
 * (memory stays bounded; the walks run as before).
 */
export class PushedTouches implements TouchSource {
  private graph = new PushedGraph();
  private readonly roots = new Set<string>();
  private size = 0;
  private off = false;
  private showRoot: Promise<boolean> | undefined;
  /**
   * Every learnt entry, kept as the raw fields git printed (no string, no object): most
   * pushes ask no walk at all (on Aider with a typical policy, 10 walks for 19,470
   * entries), so the pairs are made only for the entries a walk asks about. Entry k is
   * `metas[k]`, `paths[k]`, of the commit `ids[commitOf[k]]`.
   */
  private metas: Buffer[] = [];
  private paths: Buffer[] = [];
  private commitOf: number[] = [];
  private ids: string[] = [];
  /** The pair of each entry made so far (by entry); a merge's is made when learnt. */
  private pairs = new Map<number, Pair | undefined>();
  /** blobKey of each side a blob can be on → its entries, in order; built at the first walk. */
  private byKey = new Map<number, number[]>();
  private indexed = 0;

  /** `off`: never learns nor answers (a push too long for the bound: see judgePushCommits). */
  constructor(
    private readonly ctx: GitContext,
    opts: { off?: boolean } = {},
  ) {
    this.off = opts.off === true;
  }

  /** Learns a pushed commit from its rename-free raw diff (`diff-tree -r -c --no-renames -z` fields). */
  add(c: { id: string; parents: readonly string[]; raw: readonly Buffer[] }): void {
    if (this.off) return;
    this.graph.add(c.id, c.parents);
    if (!c.parents.length) this.roots.add(c.id);
    let commit = -1;
    for (let i = 0; i < c.raw.length; i++) {
      const meta = c.raw[i]!;
      if (meta[0] !== 0x3a) continue;
      const path = c.raw[++i];
      if (path === undefined) break;
      if (commit < 0) commit = this.ids.push(c.id) - 1;
      const k = this.metas.length;
      // `:100644 100644 <old> <new> M` (one colon) always stands for a pair (entryPair);
      // a merge's combined entry (`::…`) only when it wrote content: decided now, as the
      // bound below counts pairs.
      if (meta[1] === 0x3a) {
        const pair = entryPair(c.id, meta.toString('latin1'), path.toString('utf8'));
        if (!pair) continue;
        this.pairs.set(k, pair);
      }
      this.metas.push(meta);
      this.paths.push(path);
      this.commitOf.push(commit);
      if (++this.size > MAX_PUSHED_PAIRS) {
        this.off = true;
        this.metas = [];
        this.paths = [];
        this.commitOf = [];
        this.ids = [];
        this.pairs.clear();
        this.byKey.clear();
        this.graph = new PushedGraph();
        return;
      }
    }
  }

  /** The pair entry `k` stands for, made once (one object per entry, as a walk's answer holds). */
  private pairOf(k: number): Pair | undefined {
    if (this.pairs.has(k)) return this.pairs.get(k);
    const pair = entryPair(
      this.ids[this.commitOf[k]!]!,
      this.metas[k]!.toString('latin1'),
      this.paths[k]!.toString('utf8'),
    );
    this.pairs.set(k, pair);
    return pair;
  }

  /**
   * The entries learnt so far whose old or new blob is `o`, in the order learnt (what an
   * index of pairs by blob held): the candidates under `o`'s key, each kept only when its
   * pair names `o` exactly, as `entryPair` reads it. A key is a hash of a side's text, so
   * a collision, a path that happens to spell an id, or a merge's parent blob costs one
   * comparison and is never an answer.
   */
  private entriesOf(o: string): Pair[] {
    for (; this.indexed < this.metas.length; this.indexed++) {
      const k = this.indexed;
      const meta = this.metas[k]!;
      if (meta[1] === 0x3a) {
        // A merge's pair (made when learnt): old is empty, new is what it wrote.
        this.keyed(blobKeyOf(this.pairs.get(k)!.new), k);
        continue;
      }
      // The third and fourth words after the colon: `<mode> <mode> <old> <new> <status>`.
      const a = wordStart(meta, 1, 2);
      const b = a < 0 ? -1 : wordStart(meta, a, 1);
      const ka = a < 0 ? -1 : blobKey(meta, a);
      const kb = b < 0 ? -1 : blobKey(meta, b);
      if (ka >= 0) this.keyed(ka, k);
      if (kb >= 0 && kb !== ka) this.keyed(kb, k);
    }
    const out: Pair[] = [];
    if (!isRealBlob(o)) return out;
    for (const k of this.byKey.get(blobKeyOf(o)) ?? []) {
      const pair = this.pairOf(k);
      if (pair && (pair.old === o || pair.new === o)) out.push(pair);
    }
    return out;
  }

  private keyed(key: number, k: number): void {
    const list = this.byKey.get(key);
    if (list) list.push(k);
    else this.byKey.set(key, [k]);
  }

  /** Is every ancestor of `tip` (and `tip`) a pushed commit learnt here? */
  covers(tip: string): boolean {
    return !this.off && this.graph.isClosed(tip);
  }

  async touches(
    tips: readonly string[],
    objects: readonly string[],
  ): Promise<{ pairs: Pair[]; ordered: boolean } | undefined> {
    if (this.off || !tips.every((t) => this.graph.isClosed(t))) return undefined;
    const byBlob = { get: (o: string): Pair[] => this.entriesOf(o) };
    const known = keptPairs(byBlob, tips, objects, (w) =>
      this.graph.reachable(tips, w, MAX_REACH_STEPS),
    );
    if (!known || !known.pairs.some((p) => this.roots.has(p.commit))) return known;
    // `git log` shows a root commit's diff only with log.showRoot (default true).
    this.showRoot ??= runGit(this.ctx, ['config', '--type=bool', '--get', 'log.showroot'], {
      okCodes: [1],
    }).then((r) => r.stdout.toString('utf8').trim() !== 'false');
    if (await this.showRoot) return known;
    const pairs = known.pairs.filter((p) => !this.roots.has(p.commit));
    return keptPairs(
      new Map(objects.map((o) => [o, pairs.filter((p) => p.old === o || p.new === o)])),
      tips,
      objects,
      (w) => new Set(w),
    );
  }
}

/**
 * Lets the walks of `ctx` be answered from `index` (until `clearTouchIndex`): the push
 * sets one per batch of commits it judges.
 */
export function setTouchIndex(ctx: GitContext, ...sources: (TouchSource | undefined)[]): void {
  const list = sources.filter((x): x is TouchSource => x !== undefined);
  if (list.length) touchIndexes.set(ctx, list);
  else touchIndexes.delete(ctx);
}

/**
 * Reads one object (`git cat-file --batch` semantics: type 'missing' when absent). The
 * judge lends its long-lived cat-file, so tracing moved content on a long history does
 * not start a process per commit that moves content.
 */
export type ObjectReader = (id: string) => Promise<{ type: string; content: Buffer }>;

/** The AI signals of each commit, read with one `cat-file --batch` (or through `read`). */
async function signalsOfCommits(
  ctx: GitContext,
  policy: Policy,
  ids: readonly string[],
  read?: ObjectReader,
): Promise<Map<string, Signal[]>> {
  const out = new Map<string, Signal[]>();
  if (!ids.length) return out;
  const objects: { id: string; type: string; content: Buffer }[] = [];
  if (read) for (const id of ids) objects.push({ id, ...(await read(id)) });
  else {
    const r = await runGit(ctx, ['cat-file', '--batch'], { input: ids.join('\n') + '\n' });
    objects.push(...splitCatFile(r.stdout));
  }
  return commitObjectSignals(
    ctx,
    policy.tools,
    objects.filter((o) => o.type === 'commit'),
  );
}

/**
 * The signal of a message neither git nor cleanroom can decode (the `encoding` header
 * names a charset git's iconv and iconv-lite both refuse): fail closed, `unknown-ai`.
 */
export const undecodableSignal = (encoding: string): Signal => ({
  tool: UNKNOWN_AI,
  source: 'trailer',
  evidence: `a message in encoding ${encoding}, which cleanroom cannot read`,
});

/**
 * The restricting signals of each commit object (`{ id, content }`: the bytes `cat-file`
 * gives), read as the judge reads a commit it judges: a message with an `encoding` header
 * in every view anyone may be shown (withGitView: git's re-encoding, asked of one
 * `git log` for all such commits, iconv-lite's, the raw bytes), extra author and committer
 * lines included, and a message that none can decode an `unknown-ai` signal. Provenance
 * reads its writers through this, so a writer's trailer is seen exactly where a commit's
 * own would be (an EBCDIC message, which iconv-lite lacks, read by git alone). Errors:
 * git's (CleanroomError).
 */
export async function commitObjectSignals(
  ctx: GitContext,
  table: Policy['tools'],
  objects: readonly { id: string; content: Buffer }[],
): Promise<Map<string, Signal[]>> {
  const parsed = objects.map((o) => ({ id: o.id, c: parseCommitObject(o.content) }));
  const odd = parsed.filter((p) => p.c.encoding !== undefined).map((p) => p.id);
  const shown = odd.length ? await shownByGit(ctx, odd) : undefined;
  const out = new Map<string, Signal[]>();
  for (const { id, c: stored } of parsed) {
    const c = stored.encoding === undefined ? stored : withGitView(stored, shown?.get(id));
    const signals = detectSignals(table, {
      message: c.signalMessage ?? c.message,
      author: c.author,
      committer: c.committer,
      others: c.others,
    });
    if (c.undecodable) signals.push(undecodableSignal(c.undecodable));
    out.set(id, signals);
  }
  return out;
}

/**
 * One signal per (commit, signal), covering every path it explains: evaluate weighs each
 * file against each signal, so 90,000 moved files must not make 90,000 signals.
 * `describe(files, id)` words the evidence ("moved from a and 3 more, written in …").
 */
function groupedSignals(
  pick: ReadonlyMap<FileChange, readonly string[]>,
  signalsOf: ReadonlyMap<string, readonly Signal[]>,
  describe: (files: readonly FileChange[], id: string) => string,
): Signal[] {
  const grouped = new Map<string, { id: string; s: Signal; files: FileChange[] }>();
  for (const [f, ids] of pick) {
    for (const id of new Set(ids)) {
      for (const s of signalsOf.get(id) ?? []) {
        const key = `${id}\0${s.tool}\0${s.source}\0${s.evidence}`;
        const g = grouped.get(key);
        if (g) g.files.push(f);
        else grouped.set(key, { id, s, files: [f] });
      }
    }
  }
  return [...grouped.values()].map(({ id, s, files }) => ({
    tool: s.tool,
    source: s.source,
    evidence: `${describe(files, id)} (${s.evidence})`,
    paths: new Map(files.map((f) => [f.path, 1])),
  }));
}

/** Fail closed past the bound: moves not traced count as unidentified AI, the limit named. */
function limitSignal(untraced: readonly FileChange[], what: string): Signal[] {
  if (!untraced.length) return [];
  return [
    {
      tool: UNKNOWN_AI,
      source: 'marker',
      evidence: `provenance limit hit: this commit ${what} more than ${MAX_TRACED_OBJECTS} distinct files into zones; ${untraced.length} were not traced — split the commit, or have it reviewed or overridden`,
      paths: new Map(untraced.map((f) => [f.path, 1])),
    },
  ];
}

const movedFrom = (fs: readonly FileChange[], id: string): string =>
  `moved from ${fs[0]!.from!}${fs.length > 1 ? ` and ${fs.length - 1} more` : ''}, written in ${id.slice(0, 12)}`;

/**
 * Signals for files renamed into a zone whose content came from an AI-attributed commit:
 * for each, the last commit before this one that wrote the source path (with the content
 * it had), and the oldest commit that introduced its content, old or new, anywhere.
 * With `walk` (the audit), both come from what the walk already knows.
 */
export async function movedContentSignals(
  ctx: GitContext,
  policy: Policy,
  files: readonly FileChange[],
  parent: string | undefined,
  walk?: WalkProvenance,
  read?: ObjectReader,
): Promise<Signal[]> {
  const moved = movesIntoZones(policy, files);
  if (!parent || !moved.length) return [];
  if (walk) {
    const pick = new Map<FileChange, string[]>();
    const unknown: FileChange[] = [];
    for (const f of moved) {
      const w = walk.writersOf(f.from!, f.fromBlob);
      if (w)
        pick.set(
          f,
          w.filter((x): x is string => x !== undefined),
        );
      else unknown.push(f);
    }
    const signalsOf = new Map<string, Signal[]>();
    for (const id of new Set([...pick.values()].flat()))
      signalsOf.set(id, await walk.signalsOf(id));
    const known = groupedSignals(pick, signalsOf, movedFrom);
    if (!unknown.length) return known;
    return [
      ...known,
      ...(await movedContentSignals(ctx, policy, unknown, parent, undefined, read)),
    ];
  }
  // The source's content: from the diff where it says (git's raw output carries both
  // blobs), else asked of one batch-check (the staged diff of older callers). Asking for
  // `parent:path` of 90,000 moved files costs git a tree walk each: tens of seconds.
  const sourceOf = new Map<FileChange, string>();
  // A source named with a newline, or a CR at its end, cannot be a spec line (cat-file
  // reads lines, and strips a final CR: another path's answer): untraced, a signal.
  const ask = moved.filter((f) => f.fromBlob === undefined && !/\n|\r$/.test(f.from!));
  for (const f of moved) if (f.fromBlob !== undefined) sourceOf.set(f, f.fromBlob);
  if (ask.length) {
    const check = new BatchCheck(ctx);
    try {
      const ids = await check.ids(ask.map((f) => `${parent}:${f.from!}`));
      ask.forEach((f, i) => sourceOf.set(f, ids[i]!));
    } finally {
      check.close();
    }
  }
  const tracedPaths = moved.filter((f) => sourceOf.has(f));
  const objects = new Set<string>();
  const traced: FileChange[] = [];
  const untraced: FileChange[] = moved.filter((f) => !sourceOf.has(f));
  for (const f of tracedPaths) {
    const want = [f.blob, sourceOf.get(f)!].filter(isRealBlob);
    const fresh = want.filter((o) => !objects.has(o));
    if (objects.size + fresh.length > MAX_TRACED_OBJECTS) {
      untraced.push(f);
      continue;
    }
    for (const o of fresh) objects.add(o);
    traced.push(f);
  }
  // Every lookup below is of a blob among `objects` when every source is a real blob.
  const exact = traced.every((f) => isRealBlob(sourceOf.get(f)!) && isRealBlob(f.blob));
  const touches = objects.size ? await touchesOf(ctx, [parent], [...objects], exact) : [];
  // Newest first: the first touch setting the source path to its content is its last
  // writer; the last touch of a content is its origin. Indexed, so a commit moving
  // 90,000 files costs a pass, not a product.
  const lastWriterOf = new Map<string, string>();
  const originOf = new Map<string, string>();
  for (const t of touches) {
    const key = `${t.blob}\0${t.path}`;
    if (!lastWriterOf.has(key)) lastWriterOf.set(key, t.commit);
    originOf.set(t.blob, t.commit);
  }
  const pick = new Map<FileChange, string[]>();
  for (const f of traced) {
    const src = sourceOf.get(f)!;
    pick.set(
      f,
      [lastWriterOf.get(`${src}\0${f.from!}`), originOf.get(f.blob), originOf.get(src)].filter(
        (x): x is string => x !== undefined,
      ),
    );
  }
  const signalsOf = await signalsOfCommits(
    ctx,
    policy,
    [...new Set([...pick.values()].flat())],
    read,
  );
  return [
    ...groupedSignals(pick, signalsOf, movedFrom),
    ...limitSignal(untraced, 'moves content of'),
  ];
}

/**
 * A merge commit that itself brings content into a zone (an "evil merge": the merge
 * resolution renames drafts/q1.json to evals/tasks/q1.json) shows that file as new
 * against every parent, with no rename to follow. Its content's origin is looked up
 * across all parents in one `--find-object` walk: the commit that first wrote it, and
 * its signals.
 */
export async function mergedContentSignals(
  ctx: GitContext,
  policy: Policy,
  files: readonly FileChange[],
  parents: readonly string[],
  read?: ObjectReader,
): Promise<Signal[]> {
  if (parents.length < 2) return [];
  // Combined letters, one per parent: R (or C) = git found this content at another path
  // of that parent — content the merge moved into place. A file new against every parent
  // ("AA") is the merge's own new content, judged by the merge's own signals; looking its
  // origin up would walk the whole history for nothing.
  const added = files.filter(
    (f) =>
      f.status !== 'D' &&
      f.via === undefined &&
      /[RC]/.test(f.combined ?? '') &&
      zonesOfFile(policy, f).length > 0,
  );
  if (!added.length) return [];
  const { pick, signalsOf, untraced } = await blobOrigins(ctx, policy, added, parents, read);
  return [
    ...groupedSignals(
      pick,
      signalsOf,
      (_fs, id) => `brought in by the merge, written in ${id.slice(0, 12)}`,
    ),
    ...limitSignal(untraced, 'brings content of'),
  ];
}

/**
 * The commit that introduced each file's blob, looked up from `tips` (one bounded
 * `--find-object` walk: `touchesOf`), and those commits' signals. At most
 * MAX_TRACED_OBJECTS distinct blobs are traced; files past that are `untraced` (the
 * caller fails them closed with `limitSignal`). Files without a real blob id are skipped.
 */
async function blobOrigins(
  ctx: GitContext,
  policy: Policy,
  files: readonly FileChange[],
  tips: readonly string[],
  read?: ObjectReader,
): Promise<{
  pick: Map<FileChange, string[]>;
  signalsOf: Map<string, Signal[]>;
  untraced: FileChange[];
}> {
  const objects = new Set<string>();
  const traced: FileChange[] = [];
  const untraced: FileChange[] = [];
  for (const f of files) {
    if (!isRealBlob(f.blob)) continue;
    if (!objects.has(f.blob) && objects.size >= MAX_TRACED_OBJECTS) {
      untraced.push(f);
      continue;
    }
    objects.add(f.blob);
    traced.push(f);
  }
  const originOf = new Map<string, string>();
  for (const t of objects.size ? await touchesOf(ctx, tips, [...objects], true) : [])
    originOf.set(t.blob, t.commit);
  const pick = new Map<FileChange, string[]>();
  for (const f of traced) {
    const origin = originOf.get(f.blob);
    if (origin) pick.set(f, [origin]);
  }
  const signalsOf = await signalsOfCommits(
    ctx,
    policy,
    [...new Set([...pick.values()].flat())],
    read,
  );
  return { pick, signalsOf, untraced };
}

/**
 * Content a commit makes visible in a zone without writing it: a link added or changed
 * (or a merge joining a link from one side with content from the other) shows files
 * that already existed at their own path, now at `f.path` (`f.via` is where git holds
 * them). They carry the signals of the commit that wrote their content: with `walk`
 * (the audit), the writers it knows; else the oldest commit reachable from `tips` that
 * introduced each blob (one `--find-object` walk, bounded; past the bound, fail closed).
 */
export async function exposedContentSignals(
  ctx: GitContext,
  policy: Policy,
  exposed: readonly FileChange[],
  tips: readonly string[],
  walk?: WalkProvenance,
  read?: ObjectReader,
): Promise<Signal[]> {
  if (!exposed.length || !tips.length) return [];
  const describe = (fs: readonly FileChange[], id: string): string =>
    `shown through a link from ${fs[0]!.via!}${fs.length > 1 ? ` and ${fs.length - 1} more` : ''}, written in ${id.slice(0, 12)}`;
  const pick = new Map<FileChange, string[]>();
  let known: Signal[] = [];
  let unknown = exposed;
  if (walk) {
    const asked: FileChange[] = [];
    for (const f of exposed) {
      const w = walk.writersOf(f.via ?? f.path, f.blob);
      if (w)
        pick.set(
          f,
          w.filter((x): x is string => x !== undefined),
        );
      else asked.push(f);
    }
    unknown = asked;
    const signalsOf = new Map<string, Signal[]>();
    for (const id of new Set([...pick.values()].flat()))
      signalsOf.set(id, await walk.signalsOf(id));
    known = groupedSignals(pick, signalsOf, describe);
    if (!unknown.length) return known;
  }
  const origins = await blobOrigins(ctx, policy, unknown, tips, read);
  return [
    ...known,
    ...groupedSignals(origins.pick, origins.signalsOf, describe),
    ...limitSignal(origins.untraced, 'shows (through links) content of'),
  ];
}
