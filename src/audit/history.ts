// The audit's one pass over history, built for long histories:
//
//   git rev-list --reverse --topo-order --children --timestamp RANGE   ids, time, children
//   git log -z --reverse --topo-order --raw -c --no-renames RANGE   the same commits, same order,
//                                                            with parents and paths
//   git cat-file --batch                                     messages, only where needed
//
// Why not `judgeCommits` (diff-tree --stdin + cat-file for every commit)? A commit whose
// paths are all outside every zone cannot produce a finding whatever its message says
// (`evaluate` judges only paths in zones), and most commits of a real repository never
// touch its eval directories. So the audit reads every commit's paths in one buffered
// `git log` stream — git's fastest way to replay history — and asks `cat-file` only for
// the commits that touch a zone: a path in a zone, a link a zone could match below, or
// a path under the target of such a link (content seen through it). Those are judged by
// the same judge as `check --range` and the server (check/judge.ts: moved content,
// links, undecodable messages, grants), on the object read by `cat-file` (never on a
// message reformatted by `git log`, which a hostile message could shape).
//
// rev-list and log walk the same revisions with the same options, so their outputs are
// zipped line by line (and checked); neither reads stdin, so reading them in turn cannot
// deadlock. cat-file requests run ahead of the commit being judged by at most WINDOW
// commits, which bounds memory.

import type { Trust } from '../check/grants.js';
import { CommitJudge } from '../check/judge.js';
import { PushedTouches, setTouchIndex } from '../check/provenance.js';
import type { FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';
import { parseCommitObject, withGitView } from '../git/commit-object.js';
import { DIFF_TREE_MC, shownByGit, twoPaths } from '../git/commits.js';
import { SHOW_GITLINKS, spawnGit, withoutLazyFetch, type GitContext } from '../git/git.js';
import { DiffTreeSession } from '../git/diff-tree-session.js';
import { parseRawEntries } from '../git/raw.js';
import {
  addDeleteCounts,
  pairExactRenames,
  RENAME_LIMIT,
  type RenameLimit,
  withSourceBlobs,
} from '../git/renames.js';
import { ByteReader, CatFileBatch, exited } from '../git/stream.js';
import type { Policy } from '../policy/compile.js';
import {
  isAscii,
  isUnderTarget,
  resolveLinks,
  resolveLinkTarget,
  SYMLINK_MODE,
  zonesOfFile,
  type ZoneLink,
} from '../policy/links.js';
import type { JudgedCommit } from './accumulate.js';
import { isObjectId } from '../git/object-id.js';

const WINDOW = 512;
/** Links met in a walk past which every path counts as below some link's target. */
const MAX_LINKS_RESOLVED = 2_000;

interface Pending {
  id: string;
  parents: string[];
  children: number;
  time: number;
  files: FileChange[];
  /** git log's raw fields of the commit (no renames). */
  raw: Buffer[];
  /** Set when the commit was too big for rename detection (src/git/renames.ts). */
  renameLimit?: RenameLimit | undefined;
  /** A cat-file request was sent: the commit touches a zone. */
  judged: boolean;
  skipped: boolean;
}

/** Options that make `git log` output depend on nothing but the repository. */
// No %ct: git re-encodes the whole object to UTF-8, headers included, before it reads a
// --format date (whatever --encoding says); a commit whose header says `encoding utf-16`
// then has no committer line, and the walk stopped on "unexpected git log output" for
// good. The date comes from `rev-list --timestamp`, read from the parsed object.
export const LOG_ARGS = [
  'log',
  '-z',
  '--raw',
  '-r',
  '-c',
  '--no-renames',
  '--no-abbrev',
  '--root',
  '--no-color',
  '--no-show-signature',
  '--no-relative',
  '--no-ext-diff',
  '--no-textconv',
  SHOW_GITLINKS,
  '--format=%H %P',
];

export interface WalkOptions {
  /** Revision options shared by rev-list and log: --since, then --all or --end-of-options RANGE. */
  walk: readonly string[];
  /** Shallow-clone boundary commits: their "diff" is the whole tree, so they are not judged. */
  boundary: ReadonlySet<string>;
  /** Zone symlinks already in the trees the walk starts from (links added during the walk are seen in it). */
  seedLinks?: readonly ZoneLink[];
  /** False: no rename detection (objects are absent, and -M would have to read them). */
  renames?: boolean;
  /** Grant acceptance times from a verified override log (ScanOptions.grantTimes). */
  grantTimes?: ReadonlyMap<string, Date> | undefined;
  /**
   * The repository is not a shallow clone (grafts and replace refs are off for every git
   * process: git.ts cleanEnv): the
   * judge's "who wrote this blob" walks (`git log --find-object`, provenance.ts) are then
   * answered from the walk's own entries wherever every ancestor of the commit asked
   * about was walked (PushedTouches: a range's or a --since cut's unwalked ancestors
   * leave its commits open, and git is asked as before). False or absent: always git.
   */
  walkAnswers?: boolean;
}

/**
 * `path => some t of targets: isUnderTarget(path, t, nocase)` (src/policy/links.ts), with
 * each target's and the path's ASCII test and case fold done once, not once per pair: the
 * walk asks it for every file of every commit. `targets` may grow between calls.
 * test/unit/audit/under-target.test.ts compares it with isUnderTarget.
 */
export function underAnyTarget(
  targets: ReadonlySet<string>,
  nocase: boolean,
): (path: string) => boolean {
  let known: { t: string; key: string | undefined }[] = [];
  return (p) => {
    if (known.length !== targets.size)
      known = [...targets].map((t) => ({
        t,
        key: isAscii(t) ? (nocase ? t.toLowerCase() : t) : undefined,
      }));
    const ascii = isAscii(p);
    const k = ascii && nocase ? p.toLowerCase() : p;
    for (const { t, key } of known) {
      if (t === '') return true;
      if (ascii && key !== undefined) {
        // ASCII: folding the whole path folds its head alike, and '/' is not folded.
        if (k.length === key.length ? k === key : k[key.length] === '/' && k.startsWith(key))
          return true;
      } else if (isUnderTarget(p, t, nocase)) return true;
    }
    return false;
  };
}

/** The judged commits one by one (judgeHistoryBatches, flattened). */
export async function* judgeHistory(
  ctx: GitContext,
  policy: Policy,
  trust: Trust,
  opts: WalkOptions,
  now: Date,
): AsyncGenerator<JudgedCommit> {
  for await (const batch of judgeHistoryBatches(ctx, policy, trust, opts, now)) yield* batch;
}

/**
 * The findings of a commit not judged. Every JudgedCommit the walk hands over has the same
 * keys in the same order (one hidden class): the fold (AuditAccumulator.add) reads them
 * once per commit, and two shapes made its property loads polymorphic.
 */
const NO_FINDINGS: readonly never[] = Object.freeze([]);

/** Commits handed over per yield: an async generator's step costs promises per item. */
const YIELD_BATCH = 128;

/**
 * Every commit of the walk, parents first, judged as the server would, handed over in
 * arrays of up to YIELD_BATCH (an async iteration per commit was a measurable share of
 * an audit that judges few commits).
 */
export async function* judgeHistoryBatches(
  ctx: GitContext,
  policy: Policy,
  trust: Trust,
  opts: WalkOptions,
  now: Date,
): AsyncGenerator<JudgedCommit[]> {
  const revArgs = [
    'rev-list',
    '--reverse',
    '--topo-order',
    '--children',
    '--timestamp',
    ...opts.walk,
  ];
  const logArgs = [...LOG_ARGS, '--reverse', '--topo-order', ...opts.walk];
  const revs = spawnGit(ctx, revArgs);
  // withoutLazyFetch: in a partial clone, rename detection must not fetch
  // the whole history's blobs one by one from the remote; an absent blob is an error
  // here, and the audit runs again without renames (scan.ts).
  const log = spawnGit(withoutLazyFetch(ctx), logArgs);
  const revsDone = exited(revs, revArgs);
  const logDone = exited(log, logArgs);
  revsDone.catch(() => undefined);
  logDone.catch(() => undefined);
  revs.stdin.end();
  log.stdin.end();
  const revReader = new ByteReader(revs.stdout);
  const logReader = new ByteReader(log.stdout);
  const cat = new CatFileBatch(ctx);
  cat.child.stdin.on('error', () => undefined);
  // Grants (override and signed-review expiry) are judged at the time a verified override
  // log says the server accepted them, else by the audit's own clock: a commit's date is
  // the pusher's to choose, and a backdated commit must not revive an expired override.
  // Who last wrote each path, in the order commits are judged (parents first): moves
  // into a zone are traced from it, without a `git log` walk per move.
  // [last commit that wrote the path, commit that wrote its content, the blob written]: a
  // rename carries the content's writer along, as `git log --find-object` would find it.
  // The map is one line through a branchy history (topo order): after a merge, a path
  // holds what one parent's line wrote, and the map may hold the other line's writer. So
  // it answers only for the very blob asked about; otherwise (and for what merges wrote,
  // which it does not record) the judge asks git (provenance.ts WalkProvenance).
  const writers = new Map<string, [string, string, string]>();
  // The content's writer the map carries is the blob's origin (the server's `originOf`:
  // the oldest commit that introduced it anywhere) only while one commit has written that
  // blob. Written again — a deletion reverted, a file re-added or copied by hand, a move
  // with edits that lands on content someone else wrote — its first writer (parents
  // first) is named too: an agent's draft deleted, restored by a human `git revert` and
  // moved into a zone read as the revert's in the audit alone.
  const firstWriter = new Map<string, string>();
  // The walk's own entries, for the judge's `--find-object` walks (WalkOptions.walkAnswers):
  // `git log --raw -c --no-renames` of a commit is exactly what PushedTouches learns from
  // a push's `diff-tree -r -c --no-renames` (the same fields, parents before children),
  // and it answers a walk only from tips whose every ancestor it has learnt. Read-ahead
  // (commits after the one judged) does not change an answer: only commits reachable
  // from the walk's tips are kept. test/repo/audit/walk-touches.test.ts compares the
  // findings with and without it.
  const touches = opts.walkAnswers === true ? new PushedTouches(ctx) : undefined;
  if (touches) setTouchIndex(ctx, touches);
  const judge = new CommitJudge(ctx, policy, trust, now, {
    grantTime: (id) => opts.grantTimes?.get(id),
    writersOf: (path, blob) => {
      const w = writers.get(path);
      if (!w || blob === undefined || w[2] !== blob) return undefined;
      const first = firstWriter.get(blob);
      return first !== undefined && first !== w[0] && first !== w[1]
        ? [w[0], w[1], first]
        : [w[0], w[1]];
    },
  });
  const wrote = (p: Pending): void => {
    const merge = p.parents.length > 1;
    for (const f of p.files) {
      if (f.status === 'D' || f.via !== undefined) continue;
      // The first commit to write each blob, parents first (a move finds its blob set).
      if (!firstWriter.has(f.blob)) firstWriter.set(f.blob, p.id);
      if (merge) {
        // A merge's entry may be content it wrote or content it moved from another path
        // ("AR"): git's walk tells them apart (entryPair), this map could not.
        writers.delete(f.path);
        continue;
      }
      const carried =
        (f.status === 'R' || f.status === 'C') && f.from !== undefined
          ? writers.get(f.from)?.[1]
          : undefined;
      if (f.status === 'R' && f.from !== undefined) writers.delete(f.from);
      writers.set(f.path, [p.id, carried ?? p.id, f.blob]);
    }
  };

  // Targets of symlinks met so far, any symlink (a link on the way to a zone link's target
  // changes what the zone shows), never forgotten: a commit judged needlessly is only
  // slower; the judge resolves the links the commit's tree really has. A target is taken
  // lexically; where a `..` follows a name (`a/../b`, `a` may be a link that `..` leaves
  // physically) the whole repository counts as its target.
  const targets = new Set((opts.seedLinks ?? []).map((l) => l.target));
  let linkCat: CatFileBatch | undefined;
  const seen = new Map<string, string>();
  const learnLinks = async (files: readonly FileChange[]): Promise<void> => {
    for (const f of files) {
      if (f.status === 'D' || f.mode !== SYMLINK_MODE) continue;
      if (!linkCat) {
        linkCat = new CatFileBatch(ctx);
        linkCat.child.stdin.on('error', () => undefined);
      }
      linkCat.child.stdin.write(f.blob + '\n');
      const b = await linkCat.next();
      const text = b.type === 'blob' ? b.content.toString('utf8') : '';
      const t = /(^|\/)[^/]+\/\.\.(\/|$)/.test(text.replace(/^(\.\.\/)+/, ''))
        ? ''
        : resolveLinkTarget(f.path, text);
      if (t !== undefined) targets.add(t);
      // Chains and loops: resolved over every link met so far (a loop or an over-long
      // chain resolves to the whole repository: fail closed).
      seen.set(f.path, text);
      if (seen.size > MAX_LINKS_RESOLVED) targets.add('');
      else
        for (const l of resolveLinks([...seen].map(([path, text]) => ({ path, text })))) {
          targets.add(l.target);
        }
    }
  };
  const underTarget = underAnyTarget(targets, !policy.caseSensitive);
  // A commit can put content into a zone by writing in it, by writing below a link's
  // target, by changing a link (anywhere: it may expose content written long ago), or, as
  // a merge, by joining a link from one side with content from the other.
  const touchesZone = (files: readonly FileChange[], parents: number): boolean =>
    (targets.size > 0 && parents > 1) ||
    files.some(
      (f) =>
        (f.status === 'D' ? false : zonesOfFile(policy, f).length > 0) ||
        f.mode === SYMLINK_MODE ||
        f.status === 'T' ||
        (f.status !== 'D' && targets.size > 0 && underTarget(f.path)),
    );

  // Rename detection bounded as on the server (src/git/renames.ts): `git log -M` costs
  // grow with the product of added and deleted files per commit, and git 2.39's exact
  // pass is quadratic on identical content even under `-l` — one commit moving 90,000
  // identical files kept the audit's walk busy for minutes. The walk reads every commit
  // without renames; the commits of a read-ahead batch that have both added and deleted
  // files within RENAME_LIMIT are asked again with `-M -l<limit>` (one diff-tree --stdin
  // per batch); bigger ones get their exact renames paired by blob id, and the rest is
  // reported as the limit hit (the judge fails closed on it).
  // The check's own rename pass (merges in their combined form, "AR"), as in the log.
  const renames = new DiffTreeSession(withoutLazyFetch(ctx), [
    ...DIFF_TREE_MC,
    '--no-relative',
    '--no-ext-diff',
    '--no-textconv',
  ]);
  const withRenames = async (batch: readonly Pending[]): Promise<void> => {
    const again: string[] = [];
    for (const p of batch) {
      const { added, deleted } = addDeleteCounts(p.raw);
      const merge = p.parents.length > 1;
      if (opts.renames === false || !added || (!merge && !deleted)) continue;
      if (added <= RENAME_LIMIT && (merge || deleted <= RENAME_LIMIT)) again.push(p.id);
      else if (!merge) {
        const paired = pairExactRenames(p.raw);
        p.files = paired.files;
        p.renameLimit = paired.limit;
      }
    }
    if (!again.length) return;
    // One long-lived process for every window (diff-tree-session.ts), not one per window.
    const byId = new Map((await renames.diffs(again)).map((d) => [d.id, d.raw]));
    for (const p of batch) {
      const raw = byId.get(p.id);
      // The sources' blobs too: the walk's writers answer only for the blob asked about.
      if (raw) p.files = withSourceBlobs(raw, parseRawEntries(raw));
    }
  };

  /** Rethrows git log's failure (GitError with git's stderr) once its output has ended. */
  const gitFailure = async (): Promise<void> => {
    await logDone;
  };

  // Sample (NUL shown as \0): `git log -z --raw -c --format='%H %P'`
  //   82a92f8… e0562da…\0\n:000000 100644 0000… 77fe… A\0evals/q.jsonl\0
  //   :100644 100644 4aa7… 5c1e… M\0src/a.ts\0<next header>\0\n:…      (header, then entries)
  //   594c9df… f5bfa4b… a50d2e8…\0\0::000000 000000 100644 … AA\0src/f.md\0   (a merge:
  //                                                   an empty field, then combined entries)
  // The header holds only ids; entries are read positionally (a meta
  // field starting with ':', then one path, or two for R and C), so no path can pass
  // for a header.
  let field = logReader.untilBuffered(0) ?? (await logReader.until(0));
  const nextCommit = async (): Promise<Pending | null> => {
    while (field !== null && field.length === 0)
      field = logReader.untilBuffered(0) ?? (await logReader.until(0));
    if (field === null) return null;
    const header = field.toString('latin1').replace(/^\n/, '');
    const [id = '', ...rest] = header.split(' ').filter(Boolean);
    if (!isObjectId(id) || !rest.every((p) => isObjectId(p))) {
      throw new CleanroomError('internal', `unexpected git log output: ${header.slice(0, 120)}`);
    }
    const raw: Buffer[] = [];
    for (;;) {
      field = logReader.untilBuffered(0) ?? (await logReader.until(0));
      // A merge's entries follow an empty field ("header\0\0::…"), a commit's a newline.
      if (field !== null && field.length === 0 && !raw.length)
        field = logReader.untilBuffered(0) ?? (await logReader.until(0));
      if (field === null) break;
      const start = field[0] === 0x0a ? 1 : 0;
      if (field[start] !== 0x3a /* ':' */) break;
      const meta = start ? field.subarray(start) : field;
      raw.push(meta);
      const two = twoPaths(meta);
      for (let n = two ? 2 : 1; n > 0; n--) {
        const path = logReader.untilBuffered(0) ?? (await logReader.until(0));
        if (path === null) throw new CleanroomError('internal', 'truncated git log output');
        raw.push(path);
      }
    }
    // Sample: `git rev-list --children --timestamp` → "1694451403 82a92f8… e0562da…" (time, id, children)
    const line = revReader.untilBuffered(0x0a) ?? (await revReader.until(0x0a));
    const [stamp = '', revId = '', ...kids] = (line?.toString('latin1') ?? '').split(' ');
    const time = Number(stamp);
    if (!Number.isFinite(time))
      throw new CleanroomError(
        'internal',
        `unexpected git rev-list output: ${(line?.toString('latin1') ?? '').slice(0, 120)}`,
      );
    if (revId !== id)
      throw new CleanroomError(
        'internal',
        `git rev-list and git log disagree on the order of commits (${revId.slice(0, 12)} vs ${id.slice(0, 12)})`,
      );
    return {
      id,
      parents: rest,
      children: kids.filter(Boolean).length,
      time,
      raw,
      files: parseRawEntries(raw),
      judged: false,
      skipped: opts.boundary.has(id),
    };
  };

  // Commits read ahead of the one being judged; the cat-file requests of the judged ones
  // among them are already on their way (at most WINDOW ids: less than a pipe's buffer).
  const queue: Pending[] = [];
  let head = 0;
  let ended = false;
  const fill = async (): Promise<void> => {
    const batch: Pending[] = [];
    while (!ended && queue.length + batch.length - head < WINDOW) {
      const p = await nextCommit();
      if (!p) ended = true;
      else batch.push(p);
    }
    await withRenames(batch);
    let ids = '';
    for (const p of batch) {
      await learnLinks(p.files);
      p.judged = !p.skipped && touchesZone(p.files, p.parents.length);
      touches?.add(p);
      p.raw = [];
      queue.push(p);
      // One write per batch: a write per id is a syscall (and a wake-up of cat-file) each.
      if (p.judged) ids += p.id + '\n';
    }
    if (ids) cat.child.stdin.write(ids);
    if (ended) cat.child.stdin.end();
    // The merges' link questions of the whole batch in one cat-file round trip, not one
    // per merge (CommitJudge.prepare); every commit is followed first, in order, so the
    // merges' links are known from the diffs read so far.
    for (const p of batch) judge.follow(p);
    await judge.prepare(batch.filter((p) => p.judged));
  };

  let out: JudgedCommit[] = [];
  try {
    for (;;) {
      if (out.length >= YIELD_BATCH) {
        yield out;
        out = [];
      }
      if (!ended && queue.length - head < WINDOW / 2) {
        if (head > WINDOW) {
          queue.splice(0, head);
          head = 0;
        }
        await fill();
      }
      const p = queue[head++];
      if (!p) break;
      if (!p.judged) {
        judge.follow(p);
        wrote(p);
        out.push({
          id: p.id,
          parents: p.parents,
          children: p.children,
          time: p.time,
          files: p.files,
          findings: NO_FINDINGS,
          notes: undefined,
          skipped: p.skipped,
        });
        continue;
      }
      // Usually already here (asked a window ahead): no promise then.
      const obj = cat.nextBuffered() ?? (await cat.next());
      if (obj.id !== p.id || obj.type !== 'commit')
        throw new CleanroomError(
          'input',
          `${p.id} is not a commit that git can read (cat-file says ${obj.type})`,
        );
      const parsed = parseCommitObject(obj.content);
      // A message whose encoding header asks for re-encoding is judged as git log shows it.
      const commit =
        parsed.encoding === undefined
          ? parsed
          : withGitView(parsed, (await shownByGit(ctx, [p.id])).get(p.id));
      // Named fields, not a spread of the parsed object: a copy per commit, measurable.
      const v = await judge.judge({
        id: p.id,
        parents: p.parents,
        files: p.files,
        renameLimit: p.renameLimit,
        message: commit.message,
        signalMessage: commit.signalMessage,
        author: commit.author,
        committer: commit.committer,
        others: commit.others,
        committerTime: commit.committerTime,
        undecodable: commit.undecodable,
      });
      wrote(p);
      out.push({
        id: p.id,
        parents: p.parents,
        children: p.children,
        time: p.time,
        files: v.files,
        findings: v.findings,
        notes: v.notes,
        skipped: false,
      });
    }
    if (out.length) yield out;
    out = [];
    // git log stopped early: its own error (an unreadable object) says why — never a
    // guess about the two walks disagreeing.
    if ((await revReader.until(0x0a)) !== null) {
      await gitFailure();
      throw new CleanroomError('internal', 'git rev-list listed more commits than git log');
    }
    await Promise.all([revsDone, logDone]);
  } finally {
    if (touches) setTouchIndex(ctx, undefined);
    revs.kill();
    log.kill();
    cat.child.kill();
    linkCat?.child.kill();
    renames.close();
    judge.close();
  }
}
