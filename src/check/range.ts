// Judging existing commits: a range for CI and pre-push, one commit, or whole history.
// Streams: one commit in memory at a time.

import type { FileChange, Finding } from '../core/types.js';
import { readFileSync } from 'node:fs';
import {
  CompletionPasses,
  completeCommits,
  readCommitBatches,
  readDiffBatches,
  revList,
  smallPackWindows,
  type CommitDiff,
  type CommitRecord,
} from '../git/commits.js';
import { gitText, GitError, runGit, verifyRev, type GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import { usageError } from '../errors.js';
import { configGuard, guardedChanges, type Guard } from './config-guard.js';
import { isShallow, unreadableBase } from './policy-source.js';
import type { Trust } from './grants.js';
import { CommitJudge, type JudgeOptions } from './judge.js';
import { isObjectId } from '../git/object-id.js';
import { isLinkMode, zonesOfFile } from '../policy/links.js';
import { movesIntoZones, PushedTouches, setTouchIndex, TouchIndex } from './provenance.js';

export interface Judged {
  record: CommitRecord;
  findings: Finding[];
  notes: readonly string[];
}

export type { JudgeOptions } from './judge.js';

/** Commits by id, each read (diff-tree --stdin, cat-file --batch) and judged by the one judge (judge.ts). */
export async function* judgeCommits(
  ctx: GitContext,
  policy: Policy,
  trust: Trust,
  ids: AsyncIterable<string> | Iterable<string>,
  now: Date,
  opts: JudgeOptions = {},
): AsyncGenerator<Judged> {
  const judge = new CommitJudge(ctx, policy, trust, now, opts);
  try {
    for await (const batch of readCommitBatches(ctx, ids)) {
      await judge.prepare(batch);
      for (const record of batch) {
        const v = await judge.judge(record);
        record.files = [...v.files];
        yield { record, findings: v.findings, notes: v.notes };
      }
    }
  } finally {
    judge.close();
  }
}

/** A pushed commit, judged or passed over (`judgePushCommits`). */
export interface PushJudged {
  id: string;
  parents: readonly string[];
  /** The judged files; for a commit passed over, its rename-free diff. */
  files: readonly FileChange[];
  findings: Finding[];
  notes: readonly string[];
  /** The whole record (message, identities): every judged commit, and every commit with `readAll`. */
  record?: CommitRecord;
  /**
   * False for a commit passed over: then it has one parent and no path of `files` (nor a
   * rename's source) is guarded by `configGuard(policy)` (mayMatter).
   */
  judged: boolean;
}

/**
 * Could `judge` find anything in a non-merge commit, seen from its rename-free diff
 * alone? `evaluate` judges only paths in zones (and `configFindings` only guarded
 * paths), so a commit can produce a finding only by: a path in a zone (either end of a
 * rename shows as a deletion and an addition here), a guarded path, a link or gitlink
 * written (links.ts: a zone may match below it, or it may expose content), a type change,
 * or — checked after this by the caller — a link in its tree that can show content in a
 * zone (content written below its target is judged where the link shows it). Merges and root commits are always
 * judged. True when any of these holds; deletions in zones count too (never needed by
 * `evaluate`, kept to stay on the safe side).
 */
export function mayMatter(policy: Policy, guard: Guard, c: CommitDiff): boolean {
  if (c.parents.length !== 1) return true;
  for (const f of c.files) {
    if (f.status === 'T' || isLinkMode(f.mode) || guard(f.path)) return true;
    if (f.from !== undefined && (guard(f.from) || policy.zonesFor(f.from).length)) return true;
    if ((f.status === 'D' ? policy.zonesFor(f.path) : zonesOfFile(policy, f)).length) return true;
  }
  return false;
}

/**
 * `judgeCommits` for a push: the commits `items` names (oldest first, with the parents of
 * a `rev-list --parents`), each judged by the one judge — but only those that could
 * produce a finding (`mayMatter`, and links in the tree: `CommitJudge.linksShowZones`). The
 * others, most commits of a long history, cost their rename-free diff and the judge's
 * link following (their diff tells the links of the commits after them); no commit
 * object, rename pass, signal detection or verdict. A passed-over commit yields no
 * finding, which is what `judge` would have said of it (the differential test in
 * test/repo/server/push-skip.test.ts judges every commit both ways). `readAll`: every commit's
 * object is read all the same (the override log reads every pushed message).
 */
export async function* judgePushCommits(
  ctx: GitContext,
  policy: Policy,
  trust: Trust,
  items:
    AsyncIterable<{ id: string; parents: string[] }> | Iterable<{ id: string; parents: string[] }>,
  now: Date,
  opts: JudgeOptions & {
    readAll?: boolean;
    /**
     * How many commits `items` holds, when the caller knows (the push's graph): past
     * MAX_PUSHED_PAIRS commits the push's own index of touches (PushedTouches) would
     * pass its bound of entries anyway, so it is not built (the walks run as git walks,
     * exactly as once it stops; only the CPU of learning 50,000 entries to drop them is
     * saved).
     */
    commits?: number;
  } = {},
): AsyncGenerator<PushJudged> {
  // Every git process of the push reads with bounded memory (pushReadContext); the same
  // context is the judge's, so the walks it asks find the touch index set on it below.
  ctx = pushReadContext(ctx);
  const judge = new CommitJudge(ctx, policy, trust, now, opts);
  const guard = configGuard(policy);
  // Every commit's entries, for walks whose whole history is in the push (provenance.ts).
  const pushed = new PushedTouches(ctx, { off: (opts.commits ?? 0) > MAX_PUSHED_PAIRS });
  // One rename pass of each kind and one cat-file for the first batches of a push, not
  // three per batch (Aider's 13,138 commits: three batches, three processes). Past them
  // the passes end with each batch, as before: a push-long `diff-tree -M` beside the next
  // batch's `diff-tree` raised the whole tree's peak by ~50 MiB at 100,000 commits.
  const passes = new CompletionPasses(ctx);
  let batches = 0;
  // The generator's own body is kept small on purpose: it is resumed once per pushed
  // commit, so V8 optimises it, and each (re)optimisation of a body that inlined the
  // batch's work cost hundreds of milliseconds of compiler time on a long history.
  try {
    for await (const diffs of readDiffBatches(ctx, items)) {
      const batch = await readPushBatch(ctx, policy, judge, guard, pushed, passes, diffs, opts);
      if (++batches >= KEPT_PASS_BATCHES) passes.close();
      for (const item of batch) yield 'judge' in item ? await judgedItem(judge, item.record) : item;
    }
    // Only a walk that ran to its end: its tips' links are then known whole.
    judge.keepLinks();
  } finally {
    setTouchIndex(ctx, undefined);
    passes.close();
    judge.close();
  }
}

/**
 * One batch of `judgePushCommits`, up to the judging: each commit as yielded when passed
 * over (`record` only with `readAll`), or `{ record }` alone for a commit to judge.
 */
async function readPushBatch(
  ctx: GitContext,
  policy: Policy,
  judge: CommitJudge,
  guard: Guard,
  pushed: PushedTouches,
  passes: CompletionPasses,
  diffs: readonly CommitDiff[],
  opts: { readAll?: boolean },
): Promise<(PushJudged | { record: CommitRecord; judge: true })[]> {
  for (const d of diffs) pushed.add(d);
  const judged = new Set<string>();
  for (const d of diffs) if (mayMatter(policy, guard, d)) judged.add(d.id);
  const records = new Map<string, CommitRecord>();
  const complete = async (list: readonly CommitDiff[]): Promise<void> => {
    for (const r of await completeCommits(ctx, list, passes)) records.set(r.id, r);
  };
  await complete(diffs.filter((d) => opts.readAll === true || judged.has(d.id)));
  // In order (parents first), every commit's diff is followed before a later commit's
  // links are asked: a judged commit's as judged (the judge's own follow is then a
  // no-op), a passed-over one's rename-free (the same links: a rename's source shows
  // as deleted, its destination as added with its mode; merges are always judged).
  // A commit whose tree has a link that can show content in a zone is judged after all
  // (`late`).
  const late: CommitDiff[] = [];
  for (const d of diffs) {
    const r = records.get(d.id);
    if (judged.has(d.id)) {
      judge.follow(r!);
      continue;
    }
    judge.follow(d);
    if (judge.linksShowZonesKnown(d.id) ?? (await judge.linksShowZones(d.id))) {
      judged.add(d.id);
      if (!r) late.push(d);
    }
  }
  await complete(late);
  const toJudge = diffs.filter((d) => judged.has(d.id)).map((d) => records.get(d.id)!);
  await judge.prepare(toJudge);
  setTouchIndex(ctx, pushed, await touchIndexFor(ctx, policy, toJudge, pushed));
  return diffs.map((d) => {
    const record = records.get(d.id);
    if (judged.has(d.id)) return { record: record!, judge: true as const };
    return {
      id: d.id,
      parents: d.parents,
      files: d.files,
      judged: false,
      findings: [],
      notes: [],
      ...(record ? { record } : {}),
    };
  });
}

/** A commit of `readPushBatch` to judge, judged. */
async function judgedItem(judge: CommitJudge, record: CommitRecord): Promise<PushJudged> {
  const v = await judge.judge(record);
  record.files = [...v.files];
  return {
    id: record.id,
    parents: record.parents,
    files: record.files,
    judged: true,
    findings: v.findings,
    notes: v.notes,
    record,
  };
}

/**
 * Git's cache of delta bases (core.deltaBaseCacheLimit, 96 MiB by default) for the push's
 * git processes. On a 100,000-commit history it was most of each `diff-tree --stdin`'s
 * 135–150 MiB and most of the judge's long-lived `cat-file`'s 70 MiB, in a process tree
 * bounded to 256 MiB (issue 14). 48 MiB read that history in the same CPU (bench/push:
 * 32 MiB and below cost 40% more and 24 MiB three times as much: the working set of
 * tree deltas); it only ever costs CPU, never changes what git prints.
 */
const PUSH_DELTA_CACHE = '48m';

/**
 * `ctx` for the git processes a push starts: small pack windows (smallPackWindows: the
 * long-lived `cat-file` processes too, which otherwise map the whole pack) and a bounded
 * delta-base cache (PUSH_DELTA_CACHE), added after any `GIT_CONFIG_COUNT` entries already
 * there, as smallPackWindows adds its own.
 */
export function pushReadContext(ctx: GitContext): GitContext {
  const small = smallPackWindows(ctx);
  const n = Number(small.env.GIT_CONFIG_COUNT ?? 0);
  if (small === ctx || !Number.isSafeInteger(n) || n < 0 || n > 1000) return small;
  return {
    ...small,
    env: {
      ...small.env,
      GIT_CONFIG_COUNT: String(n + 1),
      [`GIT_CONFIG_KEY_${n}`]: 'core.deltaBaseCacheLimit',
      [`GIT_CONFIG_VALUE_${n}`]: PUSH_DELTA_CACHE,
    },
  };
}

/** Entries PushedTouches keeps at most (provenance.ts); a push of more commits does not build it. */
const MAX_PUSHED_PAIRS = 50_000;
/** Batches through which a push keeps its completion passes' processes (CompletionPasses). */
const KEPT_PASS_BATCHES = 3;

/** Past this many distinct objects, a batch's walks are not merged (each runs as before). */
const MAX_INDEXED_OBJECTS = 2_000;

/**
 * One provenance walk for the batch (provenance.ts TouchIndex) when its judged commits
 * will trace content in two walks or more: renames into zones (from the first parent)
 * and content a merge moves into a zone (from all parents), predicted from the files as
 * judged without links. A walk the prediction misses (a rename into a zone through a
 * link, content a link exposes) runs by itself as before; undefined: no index.
 */
async function touchIndexFor(
  ctx: GitContext,
  policy: Policy,
  commits: readonly CommitRecord[],
  pushed: PushedTouches,
): Promise<TouchIndex | undefined> {
  const tips = new Set<string>();
  const objects = new Set<string>();
  let walks = 0;
  const real = (o: string | undefined): o is string =>
    o !== undefined && isObjectId(o) && !/^0+$/.test(o);
  for (const c of commits) {
    if (!c.parents.length) continue;
    const files =
      c.parents.length > 1
        ? c.files.filter(
            (f) =>
              f.status !== 'D' &&
              f.via === undefined &&
              /[RC]/.test(f.combined ?? '') &&
              zonesOfFile(policy, f).length > 0,
          )
        : movesIntoZones(policy, c.files);
    if (!files.length) continue;
    walks++;
    for (const t of c.parents.length > 1 ? c.parents : [c.parents[0]!]) tips.add(t);
    for (const f of files) for (const o of [f.blob, f.fromBlob]) if (real(o)) objects.add(o);
  }
  if (walks < 2 || !objects.size || objects.size > MAX_INDEXED_OBJECTS) return undefined;
  // Walks whose history is all in the push are answered from it, without this walk.
  if ([...tips].every((t) => pushed.covers(t))) return undefined;
  return TouchIndex.build(ctx, [...tips], [...objects]);
}

/** A user-given revision, checked so it cannot be read as an option. */
export function revArg(rev: string, what: string): string {
  if (!rev || rev.startsWith('-') || /[\0\n]/.test(rev))
    throw usageError(
      `invalid ${what}: ${JSON.stringify(rev)}`,
      'give a revision such as main, HEAD~3 or a commit id',
    );
  return rev;
}

export async function resolveCommit(ctx: GitContext, rev: string): Promise<string> {
  try {
    return (
      await gitText(ctx, [
        'rev-parse',
        '--verify',
        '--quiet',
        '--end-of-options',
        `${revArg(rev, 'commit')}^{commit}`,
      ])
    ).trim();
  } catch (e) {
    if (e instanceof GitError) {
      // In a shallow clone `HEAD~1` or a base branch may simply not have been fetched.
      const shallow = await shallowCommits(ctx).catch(() => new Set<string>());
      throw usageError(
        `no such commit: ${rev}${shallow.size ? ' (this clone is shallow: the commit may not have been fetched)' : ''}`,
        shallow.size
          ? 'fetch the history: git fetch --unshallow (in CI: fetch-depth: 0), or check the name with git log'
          : 'check the name with git log',
      );
    }
    throw e;
  }
}

/** `A..B`, `A...B` or a single revision → the ids git rev-list gives, oldest first. */
export async function rangeIds(ctx: GitContext, range: string): Promise<AsyncIterable<string>> {
  const parts = range.split(/\.\.\.?/);
  for (const p of parts) if (p) revArg(p, 'range');
  // Resolve first so a typo is a clear usage error, not a git stack of messages.
  for (const p of parts) if (p) await resolveCommit(ctx, p);
  return revList(ctx, ['--reverse', '--topo-order', '--end-of-options', range]);
}

/** The first parent of a commit, or undefined for a root commit. */
export async function parentOf(ctx: GitContext, commit: string): Promise<string | undefined> {
  return verifyRev(ctx, `${commit}^1`);
}

/**
 * Base of `A..B` (A) or `A...B` (their merge base); undefined for a single revision.
 * `A...B` without a merge base is an error (exit 2), never "no base": in a shallow clone
 * the common history is simply not here, and judging without a base would judge the
 * change by its own policy.
 */
export async function rangeBase(ctx: GitContext, range: string): Promise<string | undefined> {
  const sym = range.indexOf('...');
  if (sym >= 0) {
    const [a = 'HEAD', b = 'HEAD'] = [
      range.slice(0, sym) || 'HEAD',
      range.slice(sym + 3) || 'HEAD',
    ];
    const r = await runGit(ctx, ['merge-base', '--end-of-options', a, b], { okCodes: [1] });
    if (r.code === 0) return r.stdout.toString('utf8').trim();
    if (await isShallow(ctx))
      throw await unreadableBase(ctx, `no merge base of ${a} and ${b} in this clone`);
    throw usageError(
      `${a} and ${b} have no common history, so ${range} has no base to take the policy from`,
      'give the base explicitly: --range BASE..HEAD',
    );
  }
  const two = range.indexOf('..');
  if (two < 0) return undefined;
  return resolveCommit(ctx, range.slice(0, two) || 'HEAD');
}

/**
 * A commit's files, plus — for a merge — the guarded paths that differ from its first
 * parent (the combined diff hides a policy taken back from the second parent).
 */
export async function withGuardedMergeChanges(
  ctx: GitContext,
  record: CommitRecord,
  guard: Guard,
): Promise<FileChange[]> {
  if (record.parents.length < 2) return record.files;
  const rolledBack = await guardedChanges(ctx, record.parents[0]!, record.id, guard);
  return rolledBack.length
    ? [...record.files.filter((f) => !rolledBack.some((r) => r.path === f.path)), ...rolledBack]
    : record.files;
}

// Its home is config-guard.ts (judge.ts needs it, and range.ts imports judge.ts).
export { guardedChanges } from './config-guard.js';

/** The commits whose parents a shallow clone cut off (`$GIT_DIR/shallow`); empty when not shallow. */
export async function shallowCommits(ctx: GitContext): Promise<Set<string>> {
  if (!(await isShallow(ctx))) return new Set();
  const file = (
    await gitText(ctx, ['rev-parse', '--path-format=absolute', '--git-path', 'shallow'])
  ).trim();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // shallow but no file: nothing is known to be cut off
  }
  return new Set(text.split('\n').filter((l) => isObjectId(l)));
}

/**
 * `ids`, refusing a commit at a shallow clone's boundary: git shows its whole tree as
 * added by it, so judging it would blame that commit for every file in the zones (and a
 * range that reaches the boundary is not the range the user meant anyway).
 */
export async function* refuseShallowBoundary(
  ctx: GitContext,
  ids: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<string> {
  const cut = await shallowCommits(ctx);
  for await (const id of ids) {
    if (cut.has(id))
      throw await unreadableBase(ctx, `the history before ${id.slice(0, 12)} is missing`);
    yield id;
  }
}
