// The authoritative check: git's pre-receive hook on the server.
//
// * Input is hostile: every "<old> <new> <ref>" line is validated before use.
// * The policy and trust files come only from the server (--policy, git config
//   cleanroom.policy) or from the default branch as it was before this push — never
//   from the pushed commits. Changes to .cleanroom/** need an approver's override.
// * Every newly reachable commit is judged: per ref, NEW minus what visible refs already
//   reach (`--exclude-hidden=receive`, so a commit parked on a hidden ref such as
//   refs/pull/* is not trusted). Objects are read through git, which sees the quarantine.
// * For the default branch, every commit newly reachable from it (OLD..NEW) is judged,
//   even one another ref already held: what enters the default branch meets the policy
//   as it is before the push.
// * Fail closed: any error rejects, unless the admin chose --fail-open; a malformed tree
//   (RefusedContent) rejects even then: it is a verdict, not a failed check.

import { CleanroomError, PolicyError } from '../errors.js';
import type { Finding } from '../core/types.js';
import { GitError, runGit, spawnGit, verifyRev, type GitContext } from '../git/git.js';
import { ByteReader, exited } from '../git/stream.js';
import { assertWellFormedTrees } from '../git/trees.js';
import type { CommitRecord } from '../git/commits.js';
import { isZeroId } from '../git/repo.js';
import { longRun } from '../long-run.js';
import { guardedChanges, judgePushCommits } from '../check/range.js';
import { CONFIG_ZONE, configGuard, touchesGuard } from '../check/config-guard.js';
import {
  policyFromFile,
  policyFromFileCached,
  policyFromRev,
  readBlobAt,
  type PolicySource,
} from '../check/policy-source.js';
import { POLICY_PATH } from '../policy/paths.js';
import { addNotes } from '../check/grants.js';
import { LinkCache } from '../check/link-cache.js';

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export const MAX_INPUT_BYTES = 4 * 1024 * 1024;
const MAX_REFS = 10_000;

/** Parses and validates pre-receive stdin. Ids must have the repository's hash length. */
export function parseReceiveInput(text: string, objectFormat: 'sha1' | 'sha256'): RefUpdate[] {
  const len = objectFormat === 'sha256' ? 64 : 40;
  const id = new RegExp(`^[0-9a-f]{${len}}$`);
  const out: RefUpdate[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    const parts = line.split(' ');
    const [oldId = '', newId = '', ref = ''] = parts;
    const shown = JSON.stringify(line.slice(0, 100));
    if (parts.length !== 3 || !id.test(oldId) || !id.test(newId)) {
      throw new CleanroomError(
        'input',
        `pre-receive input line ${i + 1} is not "<old> <new> <ref>" with ${len}-hex ids: ${shown}`,
        'this hook must be run by git receive-pack',
      );
    }
    // eslint-disable-next-line no-control-regex
    if (!ref.startsWith('refs/') || /[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|\/$|\.lock$/.test(ref)) {
      throw new CleanroomError(
        'input',
        `pre-receive input line ${i + 1} has an invalid ref name: ${shown}`,
      );
    }
    out.push({ old: oldId, new: newId, ref });
  }
  if (out.length > MAX_REFS)
    throw new CleanroomError(
      'input',
      `more than ${MAX_REFS} refs in one push`,
      'push in smaller batches',
    );
  return out;
}

export interface ServerConfig {
  policyFile?: string | undefined;
  logFile?: string | undefined;
  failOpen: boolean;
  deadlineMs: number;
  /**
   * Where the compiled trusted policy is cached by content (`$(git rev-parse --git-path
   * cleanroom)`, admin-owned); none: parsed on every push.
   */
  cacheDir?: string | undefined;
}

/**
 * `git config` keys `cleanroom.*`, `receive.fsck*`, `transfer.fsckObjects` and
 * `receive.hideRefs` / `transfer.hideRefs` of the repository (admin-controlled; pushers
 * cannot set them): key in lower case → last value.
 */
export async function serverConfig(ctx: GitContext): Promise<Record<string, string>> {
  // receive.fsck*, transfer.fsckObjects, *.hideRefs: whether Git itself refuses malformed
  // trees (src/git/trees.ts gitRefusesMalformedTrees), read in the same process.
  const r = await runGit(
    ctx,
    [
      'config',
      '--get-regexp',
      '^(cleanroom\\.|receive\\.fsck|(receive|transfer)\\.hiderefs$|transfer\\.fsckobjects$)',
    ],
    { okCodes: [1] },
  );
  const out: Record<string, string> = {};
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0) out[line.slice(0, sp).toLowerCase()] = line.slice(sp + 1);
  }
  return out;
}

/**
 * The default branch as it is before this push (refs are not updated yet in pre-receive):
 * its ref name, and its tip commit (undefined when the branch does not exist yet). With
 * `tip: false` the tip is not looked up (one git process less) and is undefined: for a
 * server whose policy is a file, nothing reads the branch's tip. `head`: `Repo.head`
 * (`rev-parse --symbolic-full-name HEAD`, asked in openRepo's process): when it names a
 * ref (`refs/…`), HEAD is a symbolic ref to that existing branch, followed to the end as
 * `symbolic-ref` follows it, so no `git symbolic-ref` runs; `HEAD` (detached or unborn)
 * or anything else, and `symbolic-ref -q HEAD` decides as before.
 */
export async function defaultBranch(
  ctx: GitContext,
  opts: { tip?: boolean; head?: string | undefined } = {},
): Promise<{ ref: string; tip: string | undefined }> {
  const known = opts.head?.startsWith('refs/') ? opts.head : undefined;
  const r = known
    ? { code: 0, stdout: Buffer.from(known) }
    : await runGit(ctx, ['symbolic-ref', '-q', 'HEAD'], { okCodes: [1, 128] });
  const ref = r.code === 0 ? r.stdout.toString('utf8').trim() : 'refs/heads/main';
  return { ref, tip: opts.tip === false ? undefined : await verifyRev(ctx, `${ref}^{commit}`) };
}

export async function trustedPolicy(
  ctx: GitContext,
  cfg: ServerConfig,
  def: { ref: string; tip: string | undefined },
): Promise<PolicySource> {
  if (cfg.policyFile)
    return cfg.cacheDir
      ? policyFromFileCached(cfg.policyFile, cfg.cacheDir)
      : policyFromFile(cfg.policyFile);
  if (def.tip) {
    const label = def.ref.replace(/^refs\/heads\//, '');
    const source = await policyFromRev(ctx, def.tip, label, cfg.cacheDir);
    if (source) return source;
  }
  throw new CleanroomError(
    'policy',
    `no trusted policy: ${def.tip ? `the default branch (${def.ref}) has no ${POLICY_PATH}` : `the default branch (${def.ref}) does not exist yet`}, and no server policy is configured`,
    // `git init --bare` points HEAD at master unless init.defaultBranch is set: a missing
    // default branch is most often a HEAD that names the wrong one (docs/server.md).
    `the admin sets one: git config cleanroom.policy /path/to/policy.yaml (or cleanroom install-server --policy FILE)${def.tip ? '' : `, or, if the policy is on another branch, points HEAD at it: git symbolic-ref HEAD refs/heads/BRANCH`}`,
  );
}

export interface RefVerdict {
  update: RefUpdate;
  findings: Finding[];
  notes: string[];
  /** Problems that reject the ref outright (e.g. the pushed policy is invalid). */
  errors: string[];
  commits: number;
}

/** `4.5 s`, `0.25 s`, `0.001 s`: two significant digits below a second, never "0.0 s". */
export const seconds = (ms: number): string =>
  `${ms >= 1000 ? (ms / 1000).toFixed(1) : Number((ms / 1000).toPrecision(2))} s`;

export class DeadlineExceeded extends CleanroomError {
  constructor(ms: number) {
    super(
      'internal',
      `the check did not finish within ${seconds(ms)}`,
      'push fewer commits at a time, or the admin raises cleanroom.deadline',
    );
  }
}

/**
 * Does this git know `--exclude-hidden=receive` (2.39+)? Remembered per process once the
 * first rev-list with it has told (no separate probe process on every push).
 */
let hiddenSupported: boolean | undefined;

/**
 * What each pushed id is, in one `git cat-file --batch-check` for the whole push (2,000
 * tags cost one process, not 4,000): its type, and the commit it peels to (undefined for
 * tags of trees and blobs: nothing to judge). Throws for an id git cannot read.
 * Sample: `9f2c… commit\n` for `9f2c…`, then `9f2c… commit\n` for `9f2c…^{commit}`;
 * `<spec> missing\n` when absent.
 */
async function peelAll(
  ctx: GitContext,
  ids: readonly string[],
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const unique = [...new Set(ids)];
  if (!unique.length) return out;
  const input = unique.map((id) => `${id}\n${id}^{commit}\n`).join('');
  const lines = (
    await runGit(ctx, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], { input })
  ).stdout
    .toString('latin1')
    .split('\n');
  unique.forEach((id, i) => {
    const own = lines[2 * i] ?? '';
    const peeled = lines[2 * i + 1] ?? '';
    if (own.endsWith(' missing') || own.endsWith(' ambiguous') || !own) {
      throw new CleanroomError(
        'input',
        `pushed object ${id} cannot be read`,
        'the push is incomplete or corrupt; push again',
      );
    }
    const [commit = '', type] = peeled.split(' ');
    out.set(id, type === 'commit' ? commit : undefined);
  });
  return out;
}

/**
 * The commits a push makes newly reachable and their parents, kept compact. A 100,000-
 * commit push held a Map of 100,000 parent arrays (a rest array from `split` is allocated
 * with room for 17 elements: ~150 bytes each) whose ids were slices of rev-list's lines,
 * each keeping its whole line alive: tens of MiB of Node's heap for the graph alone, and
 * every fork of Node (each git process) copies the page tables of that heap.
 * Here every id (a new commit or a parent outside the push) is one flat string and an
 * index; a new commit's parents are a run of indices in one Int32Array.
 */
export class CommitGraph {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  /** Per index: start of its parents' run in `parents`, or -1 when it is not a new commit. */
  private first = new Int32Array(1024).fill(-1);
  private count = new Int32Array(1024);
  private parents = new Int32Array(1024);
  private used = 0;
  private commits = 0;

  /** Number of new commits. */
  get size(): number {
    return this.commits;
  }

  private intern(id: string): number {
    let i = this.index.get(id);
    if (i !== undefined) return i;
    i = this.ids.length;
    this.ids.push(id);
    this.index.set(id, i);
    if (i >= this.first.length) {
      const first = new Int32Array(this.first.length * 2).fill(-1);
      first.set(this.first);
      this.first = first;
      const count = new Int32Array(this.count.length * 2);
      count.set(this.count);
      this.count = count;
    }
    return i;
  }

  /** Adds a new commit and its parents, as rev-list --parents printed them (a repeat is ignored). */
  add(id: string, parents: readonly string[]): void {
    const i = this.intern(id);
    if (this.first[i] !== -1) return;
    if (this.used + parents.length > this.parents.length) {
      const grown = new Int32Array(Math.max(this.parents.length * 2, this.used + parents.length));
      grown.set(this.parents);
      this.parents = grown;
    }
    const start = this.used;
    for (const p of parents) this.parents[this.used++] = this.intern(p);
    this.first[i] = start;
    this.count[i] = parents.length;
    this.commits++;
  }

  /** Is `id` a new commit? */
  has(id: string): boolean {
    const i = this.index.get(id);
    return i !== undefined && this.first[i] !== -1;
  }

  /** The parents of a new commit, in order (a fresh array); undefined when `id` is not one. */
  get(id: string): string[] | undefined {
    const i = this.index.get(id);
    if (i === undefined || this.first[i] === -1) return undefined;
    const start = this.first[i]!;
    const out = new Array<string>(this.count[i]!);
    for (let k = 0; k < out.length; k++) out[k] = this.ids[this.parents[start + k]!]!;
    return out;
  }

  /**
   * The new commits reachable from `tip` and not yet in `seen` (added to it), parents
   * before children: a post-order depth-first walk (edges go child → parent, parents in
   * their order), as `rev-list --topo-order --reverse` gives them, so the judge knows each
   * commit's links from its parent's and its diff instead of reading its whole tree. A
   * linear history is as deep as it is long: the walk's stack is two Int32Arrays, not an
   * object per commit (100,000 of them were the largest thing in Node's heap).
   */
  postOrder(tip: string, seen: Set<string>): string[] {
    const out: string[] = [];
    const entered = new Uint8Array(this.ids.length);
    const node = new Int32Array(this.commits);
    const next = new Int32Array(this.commits);
    let top = -1;
    const enter = (i: number): void => {
      if (entered[i] || this.first[i] === -1 || seen.has(this.ids[i]!)) return;
      entered[i] = 1;
      node[++top] = i;
      next[top] = 0;
    };
    const t = this.index.get(tip);
    if (t !== undefined) enter(t);
    while (top >= 0) {
      const i = node[top]!;
      const k = next[top]!;
      if (k < this.count[i]!) {
        next[top] = k + 1;
        enter(this.parents[this.first[i]! + k]!);
        continue;
      }
      top--;
      seen.add(this.ids[i]!);
      out.push(this.ids[i]!);
    }
    return out;
  }
}

/**
 * Whether `e` is a rev-list refusing `--exclude-hidden` as git before 2.39 does, before any
 * output: its usage (exit 129) or "unrecognized argument" (128). Asked only while
 * `hiddenSupported` is not known yet.
 */
const refusesExcludeHidden = (e: unknown): boolean =>
  hiddenSupported === undefined &&
  e instanceof GitError &&
  (e.exitCode === 128 || e.exitCode === 129);

/**
 * The commits the whole push makes newly reachable, with their parents: one `git
 * rev-list --parents TIPS --not --exclude-hidden=receive --all` for every ref at once.
 * Undefined when this git is older than `--exclude-hidden` (then refs are walked one by
 * one, OLD..NEW). Sample: `b0542cd… 975fbec…\n` (a commit, then its parents). Each id is
 * cut from the line's bytes (`toString('latin1', a, b)`: a flat string of its own, not a
 * slice that keeps the line alive).
 */
async function newCommitsOf(
  ctx: GitContext,
  tips: readonly string[],
): Promise<CommitGraph | undefined> {
  const graph = new CommitGraph();
  if (hiddenSupported === false) return undefined;
  if (!tips.length) return graph;
  try {
    await readParents(
      ctx,
      ['--parents', ...new Set(tips), '--not', '--exclude-hidden=receive', '--all'],
      graph,
    );
  } catch (e) {
    // git before 2.39 refuses the option itself, before any output: rev-list prints its
    // usage (exit 129) or "unrecognized argument" (128). Then refs are walked one by one
    // with plain OLD..NEW rev-lists, which fail on their own if the cause was anything
    // else (as the separate probe this replaces did; fail closed either way).
    if (refusesExcludeHidden(e) && !graph.size) {
      hiddenSupported = false;
      return undefined;
    }
    throw e;
  }
  hiddenSupported = true;
  longRun(graph.size);
  return graph;
}

/**
 * Refuses the whole push (an input error, "malformed tree …") when a tree it brings breaks
 * Git's fsck rules (src/git/trees.ts): Git takes such trees while receive.fsckObjects is
 * off, its default. The trees read are those new to the server: one `rev-list --objects
 * TIPS --not --exclude-hidden=receive --all` (objects only a hidden ref holds count as
 * new); older git: each ref's NEW ^OLD (a new branch: its whole history).
 */
async function assertPushTrees(
  ctx: GitContext,
  updates: readonly RefUpdate[],
  peeled: ReadonlyMap<string, string | undefined>,
): Promise<void> {
  const tips = [
    ...new Set(updates.map((u) => peeled.get(u.new)).filter((t): t is string => t !== undefined)),
  ];
  if (!tips.length) return;
  if (hiddenSupported !== false) {
    try {
      await assertWellFormedTrees(ctx, [...tips, '--not', '--exclude-hidden=receive', '--all']);
      hiddenSupported = true;
      return;
    } catch (e) {
      // git before 2.39: fall back as newCommitsOf does, and tell it (no second try). The
      // stderr test tells that refusal from a tree git cannot walk (also exit 128).
      if (!(refusesExcludeHidden(e) && /exclude-hidden|usage/i.test((e as GitError).stderr)))
        throw e;
      hiddenSupported = false;
    }
  }
  for (const u of updates) {
    const tip = peeled.get(u.new);
    if (tip) await assertWellFormedTrees(ctx, isZeroId(u.old) ? [tip] : [tip, `^${u.old}`]);
  }
}

/**
 * `git rev-list ARGS` (ARGS with `--parents`) read whole into `graph` (one flat id string
 * per commit, cut from the line's bytes with `toString('latin1', a, b)`, not a slice that
 * keeps the line alive; parents as indices), and each commit's id pushed onto `order` when
 * given, in the order printed. Sample line: `b0542cd… 975fbec…\n` (a commit, then its
 * parents). Ids are not checked here: readDiffBatches refuses any id or parent that is not
 * one before git reads it (a regex per id was measurable at 100,000 commits). Throws
 * GitError when rev-list fails; the process ends with the call.
 */
async function readParents(
  ctx: GitContext,
  args: readonly string[],
  graph: CommitGraph,
  order?: string[],
): Promise<void> {
  const full = ['rev-list', ...args];
  const child = spawnGit(ctx, full);
  child.stdin.end();
  const done = exited(child, full);
  done.catch(() => undefined);
  try {
    const reader = new ByteReader(child.stdout);
    for (;;) {
      const line = reader.untilBuffered(0x0a) ?? (await reader.until(0x0a));
      if (line === null) break;
      if (!line.length) continue;
      let id = '';
      const parents: string[] = [];
      for (let pos = 0; pos <= line.length;) {
        const sp = line.indexOf(0x20, pos);
        const end = sp < 0 ? line.length : sp;
        if (pos === 0) id = line.toString('latin1', pos, end);
        else parents.push(line.toString('latin1', pos, end));
        pos = end + 1;
      }
      graph.add(id, parents);
      order?.push(id);
    }
    await done;
  } finally {
    child.kill();
  }
}

/** `git rev-list ARGS` (with `--parents`) read whole: the commits in the order printed, and their graph. */
async function orderedCommits(
  ctx: GitContext,
  args: readonly string[],
): Promise<{ graph: CommitGraph; order: string[] }> {
  const graph = new CommitGraph();
  const order: string[] = [];
  await readParents(ctx, args, graph, order);
  longRun(order.length);
  return { graph, order };
}

/**
 * What `orderedCommits(ctx, ['--topo-order', '--reverse', '--parents', TIP, '^OLD'])` gives
 * when TIP's parents (`parentsOf`, rev-parse `TIP^!`) are exactly [OLD]: TIP alone, with
 * OLD as its parent — everything else TIP reaches, OLD reaches, and OLD cannot reach TIP
 * (its child). Undefined otherwise (a new branch, a merge, a root, several commits, a
 * rewind, parents not known): the rev-list runs. Differential test:
 * test/repo/server/one-commit-push.test.ts.
 */
function oneCommitOnto(
  old: string,
  tip: string,
  parentsOf: ReadonlyMap<string, readonly string[]> | undefined,
): { graph: CommitGraph; order: string[] } | undefined {
  const parents = parentsOf?.get(tip);
  if (isZeroId(old) || parents?.length !== 1 || parents[0] !== old || tip === old) return undefined;
  const graph = new CommitGraph();
  graph.add(tip, [old]);
  return { graph, order: [tip] };
}

/**
 * Can the guarded paths of OLD and NEW be known equal from the judged commits alone,
 * without a `git diff-tree OLD NEW`? Yes when every commit of OLD..NEW was judged here
 * (none skipped as judged for another ref), none is a merge or touches a guarded path,
 * and one has OLD as its parent. Then OLD is an ancestor of NEW and NEW reaches it through
 * a chain of single-parent commits, each of them in OLD..NEW: a path that differs between
 * OLD and NEW differs between some commit of the chain and its parent, so it is in that
 * commit's diff. A merge (whose combined diff hides a path taken from one parent), a
 * rewind (OLD not an ancestor) or any doubt: the diff runs.
 */
function linearUntouched(chain: {
  walked: boolean;
  skipped: boolean;
  parentIsOld: boolean;
  mergeOrGuarded: boolean;
}): boolean {
  return chain.walked && !chain.skipped && !chain.mergeOrGuarded && chain.parentIsOld;
}

/**
 * The new ids of `text` (pre-receive input, not yet validated) worth peeling in openRepo's
 * rev-parse (`Repo.commits`): those of lines shaped "<old> <new> <ref>" with full hex ids,
 * except deletions and refs/replace/* (never judged). At most `max` (the rest of a big
 * push is one cat-file anyway); none when there are more. A line of any other shape is
 * skipped: parseReceiveInput rejects it later, whatever this says.
 */
export function idsToPeel(text: string, max = 32): string[] {
  const ids = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^(?:[0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/\S+)$/.exec(line);
    if (!m || isZeroId(m[1]!) || m[2]!.startsWith('refs/replace/')) continue;
    ids.add(m[1]!);
    if (ids.size > max) return [];
  }
  return [...ids];
}

export async function judgePush(
  ctx: GitContext,
  source: PolicySource,
  updates: readonly RefUpdate[],
  now: Date,
  deadlineMs: number,
  /** The default branch before the push (`defaultBranch`), whose policy changes are guarded. */
  defaultRef: string,
  /** Aborted by the caller's wall-clock deadline: the work stops at the next step. */
  signal?: AbortSignal,
  /** Sees every judged commit (the override log collects accepted grants from it). */
  onCommit?: (record: CommitRecord) => void,
  /**
   * Pushed ids already peeled to commits (`Repo.commits`, asked in openRepo's rev-parse):
   * when it holds every id to judge, no `cat-file --batch-check` runs. An id it lacks,
   * and the batch check decides for the whole push, as without it.
   */
  known?: ReadonlyMap<string, string>,
  /**
   * The repository's cleanroom state directory (`ServerConfig.cacheDir`): the links of
   * the commit a push builds on are read from, and its tips' links written to, the link
   * cache there (src/check/link-cache.ts). Absent: read from git every time.
   */
  cacheDir?: string,
  /**
   * Pushed commits' parents (`Repo.parents`, from openRepo's rev-parse): a push onto the
   * default branch of one commit whose only parent is OLD is judged without its `rev-list`
   * (OLD..NEW is then that commit alone: see oneCommitOnto).
   */
  parentsOf?: ReadonlyMap<string, readonly string[]>,
  /**
   * The server's Git refuses malformed trees itself (`gitRefusesMalformedTrees` of its
   * config): the push's trees are not read again here.
   */
  gitChecksTrees = false,
  /**
   * Pushed refs that are symbolic refs (src/git/symrefs.ts symbolicTargets): ref → the
   * ref receive-pack will update, `''` when it cannot be followed. Each update is judged
   * as the ref it moves: a push to refs/heads/master, an alias of the default branch
   * refs/heads/main, is a push to the default branch.
   */
  symbolic?: ReadonlyMap<string, string>,
): Promise<RefVerdict[]> {
  const deadline = Date.now() + deadlineMs;
  // The ref an update moves ('' for a symbolic ref that cannot be followed).
  const refOf = (u: RefUpdate): string => symbolic?.get(u.ref) ?? u.ref;
  const linkCache = cacheDir === undefined ? undefined : new LinkCache(cacheDir);
  const guard = configGuard(source.policy);
  const seen = new Set<string>();
  const verdicts: RefVerdict[] = [];
  // Per-push work, batched: refs cost no process each (a push of 2,000 tags at known
  // commits is one cat-file and one rev-list).
  const toJudge = updates.filter(
    (u) => !isZeroId(u.new) && refOf(u) !== '' && !refOf(u).startsWith('refs/replace/'),
  );
  const peeled: ReadonlyMap<string, string | undefined> =
    known && toJudge.every((u) => known.has(u.new))
      ? known
      : await peelAll(
          ctx,
          toJudge.map((u) => u.new),
        );
  if (!gitChecksTrees) await assertPushTrees(ctx, toJudge, peeled);
  // The graph serves every ref but the default branch (walked OLD..NEW below): a push to
  // the default branch alone needs no such rev-list.
  const graph = toJudge.some((u) => refOf(u) !== defaultRef && peeled.get(u.new) !== undefined)
    ? await newCommitsOf(ctx, [
        ...new Set(
          toJudge
            .filter((u) => refOf(u) !== defaultRef)
            .map((u) => peeled.get(u.new))
            .filter((t): t is string => t !== undefined),
        ),
      ])
    : undefined;
  for (const update of updates) {
    if (Date.now() > deadline || signal?.aborted) throw new DeadlineExceeded(deadlineMs);
    const v: RefVerdict = { update, findings: [], notes: [], errors: [], commits: 0 };
    verdicts.push(v);
    if (isZeroId(update.new)) continue; // deleting a ref introduces no content
    const moved = refOf(update);
    if (moved === '') {
      v.errors.push(
        `${update.ref} is a symbolic ref whose chain git cannot follow (a loop, or more than 5 levels): cleanroom cannot tell which branch this push moves`,
      );
      continue;
    }
    if (moved !== update.ref)
      v.notes.push(`${update.ref} is a symbolic ref: judged as ${moved}, the ref it moves`);
    if (moved.startsWith('refs/replace/')) {
      v.errors.push(
        'refs/replace/* would change what git shows for objects already here (a commit, the policy); cleanroom refuses replace refs',
      );
      continue;
    }
    const tip = peeled.get(update.new);
    if (!tip) {
      v.errors.push(
        `${update.new.slice(0, 12)} is not a commit (a tree or blob): cleanroom cannot judge content pushed that way`,
      );
      continue;
    }
    // What enters the default branch is judged by the policy before the push, even when
    // another ref already held it (docs/design/contract.md §6): an AI branch pushed while no zone covered
    // its files, merged into main after the zone was added, is judged now. OLD..NEW holds
    // every commit new to the server as well; `seen` keeps a commit judged for another ref
    // of this push from being judged again.
    const intoDefault = moved === defaultRef;
    let touchesPolicy = false;
    // Whether OLD..NEW proves by itself that no guarded path differs between OLD and NEW
    // (then guardedChanges below needs no diff-tree): see linearUntouched.
    const fromGraph = graph !== undefined && !intoDefault;
    const chain = { walked: !fromGraph, skipped: false, parentIsOld: false, mergeOrGuarded: false };
    // The graph's commits for this ref, known whole before any is read: their count tells
    // judgePushCommits how long the push is.
    const order = graph && fromGraph ? graph.postOrder(tip, seen) : undefined;
    const ids =
      graph && order
        ? (function* () {
            for (const id of order) yield { id, parents: graph.get(id)! };
          })()
        : await (async () => {
            // The default branch, or older git: per-ref OLD..NEW — never "--all", which would
            // trust hidden refs. Oldest first (parents before children): see reachableNew.
            // Read whole before judging (a topo-ordered, reversed rev-list prints nothing
            // before its walk ends anyway), into the compact graph: then each commit is
            // handed on without a promise (two async generators per commit were a
            // visible share of a 13,000-commit push).
            const { graph: g, order: listed } =
              oneCommitOnto(update.old, tip, parentsOf) ??
              (await orderedCommits(ctx, [
                '--topo-order',
                '--reverse',
                '--parents',
                ...(isZeroId(update.old) ? [tip] : [tip, `^${update.old}`]),
              ]));
            return (function* () {
              for (const id of listed) {
                if (seen.has(id)) {
                  chain.skipped = true;
                  continue;
                }
                seen.add(id);
                yield { id, parents: g.get(id)! };
              }
            })();
          })();
    // Commits that cannot produce a finding are passed over (judgePushCommits); with an
    // override log to feed, every commit's message is read all the same.
    linkCache?.wanted.add(tip);
    const judged = judgePushCommits(ctx, source.policy, source.trust, ids, now, {
      guardConfig: true,
      ...(linkCache ? { linkCache } : {}),
      readAll: onCommit !== undefined,
      ...(order ? { commits: order.length } : {}),
    });
    try {
      for await (const j of judged) {
        v.commits++;
        if (j.record) onCommit?.(j.record);
        v.findings.push(...j.findings);
        if (j.findings.length) addNotes(v.notes, j.id, j.notes);
        // A commit passed over has one parent and touches no guarded path (mayMatter, with
        // the same configGuard of the same policy; the policy file is guarded): its files
        // need no second look (100,000 of them at a long push).
        if (j.judged && j.files.some((f) => f.path === POLICY_PATH)) touchesPolicy = true;
        if (j.judged && (j.parents.length !== 1 || j.files.some((f) => touchesGuard(f, guard))))
          chain.mergeOrGuarded = true;
        else if (j.parents[0] === update.old) chain.parentIsOld = true;
        if (Date.now() > deadline || signal?.aborted) throw new DeadlineExceeded(deadlineMs);
      }
    } finally {
      await judged.return(undefined);
    }
    // The default branch's policy is the one the next push is judged by. Moving the branch
    // (a rewind, a reset to an old merge) can change it without any commit carrying it;
    // then the change needs an approved commit in this push like any other.
    if (intoDefault && !isZeroId(update.old)) {
      const changed = linearUntouched(chain)
        ? []
        : await guardedChanges(ctx, update.old, tip, guard);
      const approved = new Set(
        v.findings
          .filter((f) => f.zone === CONFIG_ZONE && f.outcome === 'overridden')
          .map((f) => f.path),
      );
      const unapproved = changed.filter((f) => !approved.has(f.path));
      if (
        unapproved.length &&
        !v.findings.some((f) => f.zone === CONFIG_ZONE && f.outcome === 'violation')
      ) {
        v.errors.push(
          `this push changes ${unapproved.map((f) => f.path).join(', ')} on the default branch without a commit that carries an approver's override (a rewind or reset of the branch) — push a commit that makes the change, with a Cleanroom-Override`,
        );
      }
    }
    if (touchesPolicy) {
      // The policy this push would leave behind must itself be valid.
      const text = await readBlobAt(ctx, tip, POLICY_PATH);
      if (text !== undefined) {
        try {
          (await import('../policy/load.js')).loadPolicyText(
            text,
            `${update.ref.replace(/^refs\/heads\//, '')}:${POLICY_PATH}`,
          );
        } catch (e) {
          if (e instanceof PolicyError)
            v.errors.push(
              'the policy this push would leave is invalid:',
              ...e.problems.map((p) => `  ${p.file}:${p.line}:${p.col}: ${p.message}`),
            );
          else throw e;
        }
      }
    }
  }
  // Only a push judged to its end: the links of its tips are then known (and correct
  // whatever the verdict: they are the trees', not the push's).
  linkCache?.save();
  return verdicts;
}

// Who pushed and how errors reach them differ per host: src/server/platforms.ts.
export { pusherOf } from './platforms.js';
