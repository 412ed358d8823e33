// Commits with their changed paths and metadata, streamed: the same ids go to one
// `git diff-tree --stdin` (paths; merges as combined diffs = paths that differ from every
// parent) and one `git cat-file --batch` (author, committer, message), read in lockstep.

import type { FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';
import { spawnGit, splitZ, type GitContext } from './git.js';
import { parseCommitObject, type CommitObject } from './commit-object.js';
import { parseRawEntries } from './raw.js';
import { ByteReader, exited } from './stream.js';
import { isObjectId } from './object-id.js';

export interface CommitRecord extends CommitObject {
  id: string;
  files: FileChange[];
}

const CAT_FILE = ['cat-file', '--batch', '--buffer'];
const DIFF_TREE = ['diff-tree', '--stdin', '-z', '-r', '-M', '-c', '--raw', '--no-abbrev', '--root', '--always'];

/** Ids of `git rev-list ARGS`, streamed. */
export async function* revList(ctx: GitContext, args: readonly string[]): AsyncGenerator<string> {
  const full = ['rev-list', ...args];
  const child = spawnGit(ctx, full);
  child.stdin.end();
  const done = exited(child, full);
  done.catch(() => undefined);
  const reader = new ByteReader(child.stdout);
  for (;;) {
    const line = await reader.until(0x0a);
    if (line === null) break;
    const id = line.toString('latin1');
    if (id) yield id;
  }
  await done;
}

/**
 * Commits per diff-tree process. `git diff-tree --stdin` keeps every commit and tree it
 * parsed for its whole life (~6 KB a commit: 600 MB at 100,000); a fresh pair of
 * processes per batch keeps memory bounded whatever the history length.
 */
export const BATCH = 5_000;

export async function* readCommits(ctx: GitContext, ids: AsyncIterable<string> | Iterable<string>): AsyncGenerator<CommitRecord> {
  // Batches are read one ahead: git works on batch k+1 while the caller judges batch k.
  const it = (Symbol.asyncIterator in ids ? ids[Symbol.asyncIterator]() : (ids as Iterable<string>)[Symbol.iterator]()) as
    | AsyncIterator<string>
    | Iterator<string>;
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
    yield* records;
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

/** `diff-tree --stdin -z` output → per commit: its id and raw fields (parsed positionally). */
export function splitDiffTree(out: Buffer): { id: string; raw: Buffer[] }[] {
  const fields = splitZ(out);
  const result: { id: string; raw: Buffer[] }[] = [];
  for (let i = 0; i < fields.length; ) {
    const id = fields[i++]!.toString('latin1');
    if (!isObjectId(id)) throw new CleanroomError('internal', `unexpected diff-tree output: ${id.slice(0, 80)}`);
    const raw: Buffer[] = [];
    while (i < fields.length && fields[i]![0] === 0x3a /* ':' */) {
      const meta = fields[i++]!;
      raw.push(meta);
      const two = /^:[^:].* [RC]\d*$/.test(meta.toString('latin1'));
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
  for (let pos = 0; pos < out.length; ) {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new CleanroomError('internal', 'truncated cat-file output');
    const [id = '', type = '', size] = out.subarray(pos, nl).toString('latin1').split(' ');
    pos = nl + 1;
    if (type === 'missing' || type === 'ambiguous' || size === undefined) {
      result.push({ id, type: 'missing', content: Buffer.alloc(0) });
      continue;
    }
    const n = Number(size);
    if (!Number.isSafeInteger(n) || n < 0 || pos + n > out.length) throw new CleanroomError('internal', 'truncated cat-file output');
    result.push({ id, type, content: out.subarray(pos, pos + n) });
    pos += n + 1;
  }
  return result;
}

async function readBatch(ctx: GitContext, ids: readonly string[]): Promise<CommitRecord[]> {
  const bad = ids.find((id) => !isObjectId(id));
  if (bad !== undefined) throw new CleanroomError('input', `not an object id: ${bad.slice(0, 80)}`);
  // Both processes get the whole batch at once, and both outputs are collected as they
  // come (neither process can block on a full pipe), then parsed synchronously: parsing
  // field by field with an await each cost more than git itself. Memory is bounded by
  // the batch (BATCH commits of output).
  // GIT_FLUSH=0: diff-tree otherwise flushes after every commit (one event each for Node).
  const quiet: GitContext = { ...ctx, env: { ...ctx.env, GIT_FLUSH: '0' } };
  const diff = spawnGit(quiet, DIFF_TREE);
  const cat = spawnGit(quiet, CAT_FILE);
  const outputs = Promise.all([collect(diff.stdout), collect(cat.stdout), exited(diff, DIFF_TREE), exited(cat, CAT_FILE)]);
  outputs.catch(() => undefined);
  diff.stdin.on('error', () => undefined);
  cat.stdin.on('error', () => undefined);
  const input = ids.join('\n') + '\n';
  diff.stdin.end(input);
  cat.stdin.end(input);
  try {
    const [diffOut, catOut] = await outputs;
    const diffs = splitDiffTree(diffOut);
    const objects = splitCatFile(catOut);
    if (diffs.length !== ids.length || objects.length !== ids.length) {
      throw new CleanroomError('internal', `git answered ${diffs.length} diffs and ${objects.length} objects for ${ids.length} commits`);
    }
    const records: CommitRecord[] = [];
    for (let i = 0; i < ids.length; i++) {
      const d = diffs[i]!;
      const obj = objects[i]!;
      if (d.id !== ids[i] || obj.id !== d.id || obj.type !== 'commit') {
        throw new CleanroomError('input', `${ids[i]} is not a commit that git can read (cat-file says ${obj.type})`);
      }
      records.push({ id: d.id, ...parseCommitObject(obj.content), files: parseRawEntries(d.raw) });
    }
    return records;
  } finally {
    diff.kill();
    cat.kill();
  }
}
