// Commits with their changed paths and metadata, streamed: the same ids go to one
// `git diff-tree --stdin` (paths; merges as combined diffs = paths that differ from every
// parent) and one `git cat-file --batch` (author, committer, message), read in lockstep.

import { checkDeadline } from '../core/deadline.js';
import type { FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';
import { runGit, SHOW_GITLINKS, spawnGit, splitZ, type GitContext } from './git.js';
import {
  parseCommitObject,
  parseIdentLine,
  withGitView,
  type CommitObject,
  type GitShown,
} from './commit-object.js';
import { parseRawEntries } from './raw.js';
import { ByteReader, CatFileBatch, exited, writeLine } from './stream.js';
import { DiffTreeSession } from './diff-tree-session.js';
import {
  addDeleteCounts,
  pairExactRenames,
  RENAME_LIMIT,
  withSourceBlobs,
  type RenameLimit,
} from './renames.js';
import { isObjectId } from './object-id.js';

export interface CommitRecord extends CommitObject {
  id: string;
  files: FileChange[];
  /** Set when the commit was too big for git's rename detection (see renames.ts). */
  renameLimit?: RenameLimit;
}

const CAT_FILE = ['cat-file', '--batch', '--buffer'];
// Two passes (renames.ts): every commit without rename detection, then `-M` for the
// commits that have both added and deleted files, within RENAME_LIMIT.
const DIFF_TREE = [
  'diff-tree',
  '--stdin',
  '-z',
  '-r',
  '--no-renames',
  '-c',
  '--raw',
  '--no-abbrev',
  '--root',
  '--always',
  SHOW_GITLINKS,
];
const DIFF_TREE_M = [
  'diff-tree',
  '--stdin',
  '-z',
  '-r',
  '-M',
  `-l${RENAME_LIMIT}`,
  '--raw',
  '--no-abbrev',
  '--root',
  '--always',
  SHOW_GITLINKS,
];
// Merges keep the combined form (-c): a merge whose resolution moves content into place
// shows it as renamed against the parent it came from ("AR"), which provenance follows.
export const DIFF_TREE_MC = [
  'diff-tree',
  '--stdin',
  '-z',
  '-r',
  '-M',
  `-l${RENAME_LIMIT}`,
  '-c',
  '--raw',
  '--no-abbrev',
  '--root',
  '--always',
  SHOW_GITLINKS,
];

/**
 * Ids of `git rev-list ARGS`, streamed. GitError when rev-list fails. A consumer that
 * stops early (`break`, `return`, a throw) ends the process then: rev-list never takes
 * back a line it printed, so what was read stands, and its exit status after the kill
 * is not read.
 */
export async function* revList(ctx: GitContext, args: readonly string[]): AsyncGenerator<string> {
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
      const id = line.toString('latin1');
      if (id) yield id;
    }
    await done;
  } finally {
    child.kill();
  }
}

/**
 * Commits per diff-tree process. `git diff-tree --stdin` keeps every commit and tree it
 * parsed for its whole life (~6 KB a commit: 600 MB at 100,000); a fresh pair of
 * processes per batch keeps memory bounded whatever the history length.
 */
export const BATCH = 5_000;

export async function* readCommits(
  ctx: GitContext,
  ids: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<CommitRecord> {
  for await (const batch of readCommitBatches(ctx, ids)) yield* batch;
}

/**
 * The commits of `readCommits`, a batch (up to BATCH) at a time, so a caller can ask git
 * once for the whole batch where it would otherwise ask once per commit.
 */
export async function* readCommitBatches(
  ctx: GitContext,
  ids: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<CommitRecord[]> {
  // Batches are read one ahead: git works on batch k+1 while the caller judges batch k.
  const it = (
    Symbol.asyncIterator in ids
      ? ids[Symbol.asyncIterator]()
      : (ids as Iterable<string>)[Symbol.iterator]()
  ) as AsyncIterator<string> | Iterator<string>;
  const nextBatch = async (): Promise<string[]> => {
    const batch: string[] = [];
    while (batch.length < BATCH) {
      const r = await it.next();
      if (r.done) break;
      batch.push(r.value);
    }
    return batch;
  };
  let ahead: Promise<CommitRecord[]> | undefined;
  let batch = await nextBatch();
  if (batch.length) ahead = readBatch(ctx, batch);
  while (ahead) {
    const records = await ahead;
    batch = await nextBatch();
    ahead = batch.length ? readBatch(ctx, batch) : undefined;
    ahead?.catch(() => undefined); // awaited on the next turn; errors surface there
    yield records;
  }
}

/** All of a stream, collected from the moment of the call (see ByteReader on flushStdio). */
function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * Does a raw meta field name two paths: a single-parent entry (one colon) whose status is
 * R or C with an optional score, `:100644 100644 <old> <new> R087`? This is the test
 * `/^:[^:].* [RC]\d*$/` on the field's latin1 text, done on its bytes (a string and a
 * regex per entry were a visible share of reading a long history). The regex's `.` stops
 * at CR and LF; so does this.
 */
export function twoPaths(meta: Buffer): boolean {
  if (meta.length < 4 || meta[0] !== 0x3a || meta[1] === 0x3a) return false;
  let i = meta.length - 1;
  while (i >= 0 && meta[i]! >= 0x30 && meta[i]! <= 0x39) i--;
  // the status letter at i, its space at i - 1, which is at 2 or later (after ":x")
  if (i < 3 || (meta[i] !== 0x52 && meta[i] !== 0x43) || meta[i - 1] !== 0x20) return false;
  for (let k = 2; k < i - 1; k++) if (meta[k] === 0x0a || meta[k] === 0x0d) return false;
  return true;
}

/** `diff-tree --stdin -z` output → per commit: its id and raw fields (parsed positionally). */
export function splitDiffTree(out: Buffer): { id: string; raw: Buffer[] }[] {
  const fields = splitZ(out);
  const result: { id: string; raw: Buffer[] }[] = [];
  for (let i = 0; i < fields.length;) {
    checkDeadline();
    const id = fields[i++]!.toString('latin1');
    if (!isObjectId(id))
      throw new CleanroomError('internal', `unexpected diff-tree output: ${id.slice(0, 80)}`);
    const raw: Buffer[] = [];
    while (i < fields.length && fields[i]![0] === 0x3a /* ':' */) {
      const meta = fields[i++]!;
      raw.push(meta);
      const two = twoPaths(meta);
      for (let n = two ? 2 : 1; n > 0; n--) {
        const path = fields[i++];
        if (path === undefined) throw new CleanroomError('internal', 'truncated diff-tree output');
        raw.push(path);
      }
    }
    result.push({ id, raw });
  }
  return result;
}

/** `cat-file --batch` output → objects: `<id> <type> <size>\n<content>\n`, or `<id> missing\n`. */
export function splitCatFile(out: Buffer): { id: string; type: string; content: Buffer }[] {
  const result: { id: string; type: string; content: Buffer }[] = [];
  for (let pos = 0; pos < out.length;) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new CleanroomError('internal', 'truncated cat-file output');
    const [id = '', type = '', size] = out.subarray(pos, nl).toString('latin1').split(' ');
    pos = nl + 1;
    if (type === 'missing' || type === 'ambiguous' || size === undefined) {
      result.push({ id, type: 'missing', content: Buffer.alloc(0) });
      continue;
    }
    const n = Number(size);
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > out.length)
      throw new CleanroomError('internal', 'truncated cat-file output');
    result.push({ id, type, content: out.subarray(pos, pos + n) });
    pos += n + 1;
  }
  return result;
}

/**
 * `ctx` with git's pack windows kept small (`core.packedGitWindowSize=1m`,
 * `core.packedGitLimit=16m`), added after any `GIT_CONFIG_COUNT` entries already there.
 * A process reading a long history otherwise keeps up to 1 GiB windows of every pack it
 * touched mapped: the whole pack counts in its memory (PSS), about 70 MiB of each git
 * process at 100,000 commits, for no CPU gain (git log --raw -M over 100,000 commits:
 * 221 → 150 MiB, the same CPU). Git before 2.31 ignores the variables.
 */
export function smallPackWindows(ctx: GitContext): GitContext {
  const n = Number(ctx.env.GIT_CONFIG_COUNT ?? 0);
  if (!Number.isSafeInteger(n) || n < 0 || n > 1000) return ctx;
  return {
    ...ctx,
    env: {
      ...ctx.env,
      GIT_CONFIG_COUNT: String(n + 2),
      [`GIT_CONFIG_KEY_${n}`]: 'core.packedGitWindowSize',
      [`GIT_CONFIG_VALUE_${n}`]: '1m',
      [`GIT_CONFIG_KEY_${n + 1}`]: 'core.packedGitLimit',
      [`GIT_CONFIG_VALUE_${n + 1}`]: '16m',
    },
  };
}

/** One `git diff-tree --stdin` over `ids` (and, with `withCat`, `cat-file --batch` beside it). */
async function diffTrees(
  ctx: GitContext,
  args: readonly string[],
  ids: readonly string[],
  withCat: boolean,
): Promise<{ diffs: { id: string; raw: Buffer[] }[]; cat: Buffer | undefined }> {
  // GIT_FLUSH=0: diff-tree otherwise flushes after every commit (one event each for Node).
  const small = smallPackWindows(ctx);
  const quiet: GitContext = { ...small, env: { ...small.env, GIT_FLUSH: '0' } };
  const diff = spawnGit(quiet, args);
  let cat: ReturnType<typeof spawnGit> | undefined;
  try {
    cat = withCat ? spawnGit(quiet, CAT_FILE) : undefined;
    // Both processes get the whole batch at once, and both outputs are collected as they
    // come (neither process can block on a full pipe), then parsed synchronously: parsing
    // field by field with an await each cost more than git itself. Memory is bounded by
    // the batch (BATCH commits of output).
    const outputs = Promise.all([
      collect(diff.stdout),
      cat ? collect(cat.stdout) : undefined,
      exited(diff, args),
      cat ? exited(cat, CAT_FILE) : undefined,
    ]);
    outputs.catch(() => undefined);
    diff.stdin.on('error', () => undefined);
    cat?.stdin.on('error', () => undefined);
    const input = ids.join('\n') + '\n';
    diff.stdin.end(input);
    cat?.stdin.end(input);
    const [diffOut, catOut] = await outputs;
    return { diffs: splitDiffTree(diffOut), cat: catOut };
  } finally {
    diff.kill();
    cat?.kill();
  }
}

async function readBatch(ctx: GitContext, ids: readonly string[]): Promise<CommitRecord[]> {
  const bad = ids.find((id) => !isObjectId(id));
  if (bad !== undefined) throw new CleanroomError('input', `not an object id: ${bad.slice(0, 80)}`);
  const { diffs, cat } = await diffTrees(ctx, DIFF_TREE, ids, true);
  const objects = splitCatFile(cat!);
  if (diffs.length !== ids.length || objects.length !== ids.length) {
    throw new CleanroomError(
      'internal',
      `git answered ${diffs.length} diffs and ${objects.length} objects for ${ids.length} commits`,
    );
  }
  for (let i = 0; i < ids.length; i++)
    if (diffs[i]!.id !== ids[i])
      throw new CleanroomError(
        'input',
        `${ids[i]} is not a commit that git can read (cat-file says ${objects[i]!.type})`,
      );
  const files = await renamedFiles(ctx, diffs);
  return withObjects(ctx, files, objects);
}

/**
 * The files of each commit of `diffs` (the first, rename-free pass), with renames: the
 * commits that have both added and deleted files are asked again with `-M` (merges with
 * `-M -c`), within RENAME_LIMIT; bigger ones get their exact renames paired by blob id.
 */
async function renamedFiles(
  ctx: GitContext,
  diffs: readonly { id: string; raw: Buffer[] }[],
  passes?: CompletionPasses,
): Promise<{ id: string; files: FileChange[]; renameLimit?: RenameLimit | undefined }[]> {
  // Renames are possible only where a commit both adds and deletes files.
  const small: string[] = [];
  const smallMerges: string[] = [];
  const big = new Set<number>();
  diffs.forEach((d, i) => {
    const { added, deleted, merge } = addDeleteCounts(d.raw);
    if (merge) {
      // A combined diff shows only paths that differ from every parent: a file the merge
      // moves away from one parent's path is not "deleted" there. Any merge that adds
      // files is asked again with -M. Past the limit it keeps its combined diff without
      // renames: what it brings in is judged by the merge's own signals.
      if (added && added <= RENAME_LIMIT) smallMerges.push(d.id);
      return;
    }
    if (!added || !deleted) return;
    if (added <= RENAME_LIMIT && deleted <= RENAME_LIMIT) small.push(d.id);
    else big.add(i);
  });
  const renamed = new Map<string, Buffer[]>();
  for (const [args, list, session] of [
    [DIFF_TREE_M, small, passes?.renames],
    [DIFF_TREE_MC, smallMerges, passes?.mergeRenames],
  ] as const) {
    if (!list.length) continue;
    const before = renamed.size;
    const answered = session
      ? await session.diffs(list)
      : (await diffTrees(ctx, args, list, false)).diffs;
    for (const d of answered) renamed.set(d.id, d.raw);
    if (renamed.size - before !== list.length)
      throw new CleanroomError(
        'internal',
        `git answered ${renamed.size - before} diffs for ${list.length} commits`,
      );
  }
  return diffs.map((d, i) => {
    if (big.has(i)) {
      const paired = pairExactRenames(d.raw);
      return { id: d.id, files: paired.files, renameLimit: paired.limit };
    }
    const raw = renamed.get(d.id) ?? d.raw;
    return { id: d.id, files: withSourceBlobs(raw, parseRawEntries(raw)) };
  });
}

/** Commits' files joined with their objects (`cat-file --batch`, same order), re-viewed where an encoding asks. */
async function withObjects(
  ctx: GitContext,
  files: readonly { id: string; files: FileChange[]; renameLimit?: RenameLimit | undefined }[],
  objects: readonly { id: string; type: string; content: Buffer }[],
): Promise<CommitRecord[]> {
  const records: CommitRecord[] = [];
  for (let i = 0; i < files.length; i++) {
    const d = files[i]!;
    const obj = objects[i];
    if (!obj || obj.id !== d.id || obj.type !== 'commit') {
      throw new CleanroomError(
        'input',
        `${d.id} is not a commit that git can read (cat-file says ${obj?.type ?? 'nothing'})`,
      );
    }
    const record: CommitRecord = { id: d.id, ...parseCommitObject(obj.content), files: d.files };
    if (d.renameLimit) record.renameLimit = d.renameLimit;
    records.push(record);
  }
  // A message whose `encoding` header asks for re-encoding is read as git log shows it.
  const odd = records.filter((r) => r.encoding !== undefined);
  if (odd.length) {
    const shown = await shownByGit(
      ctx,
      odd.map((r) => r.id),
    );
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.encoding === undefined) continue;
      // withGitView decides `undecodable` afresh: r's own value must not be spread back in.
      const viewed: CommitRecord = { ...withGitView(r, shown.get(r.id)), id: r.id, files: r.files };
      if (r.renameLimit) viewed.renameLimit = r.renameLimit;
      records[i] = viewed;
    }
  }
  return records;
}

/**
 * The processes `completeCommits` asks, kept across batches instead of three new ones
 * per batch (`diff-tree -M`, `diff-tree -M -c`, `cat-file --batch`; range.ts keeps them
 * for a push's first batches only, and ends them with each batch past those, for the
 * process tree's peak memory; they start again when next asked): each start forks
 * Node's heap (~6 ms at 100+ MB) and then git's own start-up, 9 processes on Aider's
 * 13,138 commits and 60 on 100,000. The answers are the same commands' on the same ids
 * (DiffTreeSession: the same `diff-tree --stdin` lines, read positionally; `cat-file
 * --batch` objects in the order asked). The diff-tree sessions replace their process
 * every 5,000 commits (memory); `close` ends them all, and a later call starts them again.
 */
export class CompletionPasses {
  readonly renames: DiffTreeSession;
  readonly mergeRenames: DiffTreeSession;
  private cat: CatFileBatch | undefined;
  private readonly ctx: GitContext;

  constructor(ctx: GitContext) {
    this.ctx = smallPackWindows(ctx);
    this.renames = new DiffTreeSession(this.ctx, DIFF_TREE_M);
    this.mergeRenames = new DiffTreeSession(this.ctx, DIFF_TREE_MC);
  }

  /** `cat-file --batch` of `ids`, in order (`<id> missing` as type 'missing'), as splitCatFile reads them. */
  async objects(ids: readonly string[]): Promise<{ id: string; type: string; content: Buffer }[]> {
    const bad = ids.find((id) => !isObjectId(id));
    if (bad !== undefined)
      throw new CleanroomError('input', `not an object id: ${bad.slice(0, 80)}`);
    if (!this.cat) {
      this.cat = new CatFileBatch(this.ctx);
      this.cat.child.stdin.on('error', () => undefined);
    }
    const cat = this.cat;
    // Written while the answers are read: both pipes may fill.
    const written = writeLine(cat.child.stdin, ids.join('\n') + '\n');
    const out: { id: string; type: string; content: Buffer }[] = [];
    for (let i = 0; i < ids.length; i++) {
      checkDeadline();
      out.push(cat.nextBuffered() ?? (await cat.next()));
    }
    await written;
    return out;
  }

  close(): void {
    this.renames.close();
    this.mergeRenames.close();
    this.cat?.child.stdin.end();
    this.cat?.child.kill();
    this.cat = undefined;
  }
}

/** A pushed commit as the first, rename-free diff pass shows it (`readDiffBatches`). */
export interface CommitDiff {
  id: string;
  /** From the caller's rev-list --parents (the commit object is not read). */
  parents: string[];
  /** diff-tree's raw fields, no renames, merges combined (`-c`). */
  raw: Buffer[];
  /** `raw` parsed: every path the commit changes, both ends of what a rename pass would pair. */
  files: FileChange[];
}

/**
 * The rename-free diff of each commit (one `git diff-tree --stdin` per BATCH, read one
 * batch ahead), without reading commit objects: the caller decides which commits need
 * their object and rename pass (`completeCommits`). `items` come from a `rev-list
 * --parents` the caller trusts for the parents.
 */
export async function* readDiffBatches(
  ctx: GitContext,
  items:
    AsyncIterable<{ id: string; parents: string[] }> | Iterable<{ id: string; parents: string[] }>,
): AsyncGenerator<CommitDiff[]> {
  const it = (
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<{ id: string; parents: string[] }>)[Symbol.iterator]()
  ) as
    AsyncIterator<{ id: string; parents: string[] }> | Iterator<{ id: string; parents: string[] }>;
  const nextBatch = async (): Promise<{ id: string; parents: string[] }[]> => {
    const batch: { id: string; parents: string[] }[] = [];
    while (batch.length < BATCH) {
      const r = await it.next();
      if (r.done) break;
      batch.push(r.value);
    }
    return batch;
  };
  const read = async (batch: { id: string; parents: string[] }[]): Promise<CommitDiff[]> => {
    const bad = batch.find((c) => !isObjectId(c.id) || !c.parents.every(isObjectId));
    if (bad !== undefined)
      throw new CleanroomError('input', `not an object id: ${bad.id.slice(0, 80)}`);
    const { diffs } = await diffTrees(
      ctx,
      DIFF_TREE,
      batch.map((c) => c.id),
      false,
    );
    if (diffs.length !== batch.length)
      throw new CleanroomError(
        'internal',
        `git answered ${diffs.length} diffs for ${batch.length} commits`,
      );
    return diffs.map((d, i) => {
      if (d.id !== batch[i]!.id)
        throw new CleanroomError(
          'internal',
          `git answered the diff of ${d.id} for ${batch[i]!.id}`,
        );
      return { id: d.id, parents: batch[i]!.parents, raw: d.raw, files: parseRawEntries(d.raw) };
    });
  };
  let ahead: Promise<CommitDiff[]> | undefined;
  let batch = await nextBatch();
  if (batch.length) ahead = read(batch);
  while (ahead) {
    const diffs = await ahead;
    batch = await nextBatch();
    ahead = batch.length ? read(batch) : undefined;
    ahead?.catch(() => undefined); // awaited on the next turn; errors surface there
    yield diffs;
  }
}

/**
 * The full records of `diffs` (commits `readDiffBatches` read): the rename pass and one
 * `cat-file --batch` for these commits only, exactly as `readCommits` reads them. The
 * parents are the commit object's (a rev-list that disagreed would be an error).
 */
export async function completeCommits(
  ctx: GitContext,
  diffs: readonly CommitDiff[],
  passes?: CompletionPasses,
): Promise<CommitRecord[]> {
  if (!diffs.length) return [];
  const ids = diffs.map((d) => d.id);
  const [files, objects] = await Promise.all([
    renamedFiles(ctx, diffs, passes),
    passes
      ? passes.objects(ids)
      : runGit(smallPackWindows(ctx), CAT_FILE, { input: ids.join('\n') + '\n' }).then((r) =>
          splitCatFile(r.stdout),
        ),
  ]);
  const records = await withObjects(ctx, files, objects);
  records.forEach((r, i) => {
    const want = diffs[i]!.parents;
    if (r.parents.length !== want.length || r.parents.some((p, k) => p !== want[k]))
      throw new CleanroomError(
        'internal',
        `git rev-list and the commit object of ${r.id} disagree on its parents`,
      );
  });
  return records;
}

const SHOW_RAW = [
  'log',
  '-z',
  '--no-walk=unsorted',
  '--stdin',
  '--encoding=UTF-8',
  '--pretty=raw',
  '--no-decorate',
  '--no-notes',
  '--no-show-signature',
  '--no-color',
  '--no-abbrev-commit',
  '--no-expand-tabs',
  SHOW_GITLINKS,
];

/**
 * What `git log` shows for commits whose `encoding` header asks for re-encoding: git
 * itself converts (iconv with the platform's aliases), so the restricting reader sees
 * exactly what people see. `--pretty=raw` keeps the `encoding` header only when git could
 * not convert (pretty.c replaces it on success), which is how `converted` is told.
 *
 * Sample (NUL-separated records; the message is indented by four spaces; git stops a
 * message at its first NUL, so no record can contain one):
 *
 *   commit 3f2a…\ntree 4b82…\nauthor A <a@b.c> 1700000000 +0000\ncommitter …\nencoding cp932\n\n    Subject\n\0
 */
export async function shownByGit(
  ctx: GitContext,
  ids: readonly string[],
): Promise<Map<string, GitShown>> {
  const bad = ids.find((id) => !isObjectId(id));
  if (bad !== undefined) throw new CleanroomError('input', `not an object id: ${bad.slice(0, 80)}`);
  const { stdout } = await runGit(ctx, SHOW_RAW, { input: ids.join('\n') + '\n' });
  const out = new Map<string, GitShown>();
  for (const rec of splitZ(stdout)) {
    const text = rec.toString('utf8').replace(/^\n/, '');
    const split = text.indexOf('\n\n');
    const head = (split < 0 ? text : text.slice(0, split)).split('\n');
    const id = /^commit ([0-9a-f]+)/.exec(head[0] ?? '')?.[1];
    if (id === undefined || !isObjectId(id))
      throw new CleanroomError('internal', `unexpected git log output: ${text.slice(0, 80)}`);
    const identities = head
      .filter((l) => l.startsWith('author ') || l.startsWith('committer '))
      .map((l) => parseIdentLine(l.slice(l.indexOf(' ') + 1))?.id)
      .filter((i) => i !== undefined);
    const message =
      split < 0
        ? ''
        : text
            .slice(split + 2)
            .split('\n')
            .map((l) => l.replace(/^ {4}/, ''))
            .join('\n');
    out.set(id, { converted: !head.some((l) => l.startsWith('encoding ')), message, identities });
  }
  return out;
}
