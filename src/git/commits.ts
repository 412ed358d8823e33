// Commits with their changed paths and metadata, streamed: the same ids go to one
// `git diff-tree --stdin` (paths; merges as combined diffs = paths that differ from every
// parent) and one `git cat-file --batch` (author, committer, message), read in lockstep.

import type { FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';
import { spawnGit, type GitContext } from './git.js';
import { parseCommitObject, type CommitObject } from './commit-object.js';
import { parseRawEntries } from './raw.js';
import { ByteReader, CatFileBatch, exited, writeLine } from './stream.js';

export interface CommitRecord extends CommitObject {
  id: string;
  files: FileChange[];
}

const DIFF_TREE = ['diff-tree', '--stdin', '-z', '-r', '-M', '-c', '--raw', '--no-abbrev', '--root', '--always'];
const HEX_ID = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

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
  let batch: string[] = [];
  for await (const id of ids) {
    batch.push(id);
    if (batch.length >= BATCH) {
      yield* readBatch(ctx, batch);
      batch = [];
    }
  }
  if (batch.length) yield* readBatch(ctx, batch);
}

async function* readBatch(ctx: GitContext, ids: readonly string[]): AsyncGenerator<CommitRecord> {
  const diff = spawnGit(ctx, DIFF_TREE);
  const diffDone = exited(diff, DIFF_TREE);
  diffDone.catch(() => undefined);
  const cat = new CatFileBatch(ctx);
  diff.stdin.on('error', () => undefined);
  cat.child.stdin.on('error', () => undefined);

  // One pass over the ids feeds both processes. diff-tree and cat-file flush after each
  // commit, and the ids reach diff-tree before cat-file, so reading both in lockstep
  // cannot deadlock however long the history.
  let writeError: unknown;
  const writer = (async () => {
    try {
      for await (const id of ids) {
        if (!HEX_ID.test(id)) throw new CleanroomError('input', `not an object id: ${id.slice(0, 80)}`);
        await writeLine(diff.stdin, id + '\n');
        await writeLine(cat.child.stdin, id + '\n');
      }
    } catch (e) {
      writeError = e;
    } finally {
      diff.stdin.end();
      cat.child.stdin.end();
    }
  })();

  const reader = new ByteReader(diff.stdout);
  let field = await reader.until(0);
  try {
    while (field !== null) {
      const id = field.toString('latin1');
      if (!HEX_ID.test(id)) throw new CleanroomError('internal', `unexpected diff-tree output: ${id.slice(0, 80)}`);
      const raw: Buffer[] = [];
      for (;;) {
        field = await reader.until(0);
        if (field === null || field[0] !== 0x3a /* ':' */) break;
        raw.push(field);
        const two = /^:[^:].* [RC]\d*$/.test(field.toString('latin1'));
        for (let n = two ? 2 : 1; n > 0; n--) {
          const path = await reader.until(0);
          if (path === null) throw new CleanroomError('internal', 'truncated diff-tree output');
          raw.push(path);
        }
      }
      const obj = await cat.next();
      if (obj.id !== id || obj.type !== 'commit') {
        throw new CleanroomError('input', `${id} is not a commit that git can read (cat-file says ${obj.type})`);
      }
      yield { id, ...parseCommitObject(obj.content), files: parseRawEntries(raw) };
    }
    await writer;
    if (writeError) throw writeError;
    await diffDone;
  } finally {
    diff.kill();
    cat.child.kill();
  }
}
