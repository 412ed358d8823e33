// What `git commit` is about to record: the index (through git, so GIT_INDEX_FILE —
// `git commit -a`, `git commit PATH` — is honoured) against HEAD, or against the empty
// tree for the first commit. For a merge in progress, only the paths that differ from
// every parent count, as for merge commits on the server.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileChange } from '../core/types.js';
import { GitError, runGit, splitZ, type GitContext } from './git.js';
import { parseRawEntries } from './raw.js';
import {
  addDeleteCounts,
  pairExactRenames,
  RENAME_LIMIT,
  withSourceBlobs,
  type RenameLimit,
} from './renames.js';
import type { Repo } from './repo.js';
import { isObjectId } from './object-id.js';

/** The staged changes against `base`; `renameLimit` set when the rename limit was hit. */
export interface StagedDiff {
  files: FileChange[];
  renameLimit?: RenameLimit | undefined;
}

/**
 * Rename detection bounded as on the server (src/git/renames.ts): git's `-M` costs grow
 * with the product of added and deleted files, so a staged rename bomb (90,000 files
 * moved) kept the commit hook busy for minutes. The diff is read without renames first;
 * git detects renames (exact, then inexact with `-l`) only within RENAME_LIMIT added and
 * deleted files; past it, exact renames are paired by blob id in linear time, and the
 * rest is reported as the limit hit (the judge treats it as of unknown origin).
 */
async function diffIndex(ctx: GitContext, base: string): Promise<StagedDiff> {
  // --ita-invisible-in-index: an intent-to-add entry (`git add -N`) is not committed, so
  // it is not judged either (it would otherwise show as an added empty file).
  const run = async (renames: string[]): Promise<Buffer[]> =>
    splitZ(
      (
        await runGit(ctx, [
          'diff-index',
          '--cached',
          '--ita-invisible-in-index',
          '--raw',
          '-z',
          ...renames,
          '--no-abbrev',
          base,
          '--',
        ])
      ).stdout,
    );
  const plain = await run(['--no-renames']);
  const { added, deleted } = addDeleteCounts(plain);
  if (!added || !deleted) return { files: parseRawEntries(plain) };
  if (added <= RENAME_LIMIT && deleted <= RENAME_LIMIT) {
    const raw = await run(['-M', `-l${RENAME_LIMIT}`]);
    return { files: withSourceBlobs(raw, parseRawEntries(raw)) };
  }
  const paired = pairExactRenames(plain);
  return { files: paired.files, renameLimit: paired.limit };
}

/**
 * `base` is HEAD unless the commit being made replaces HEAD (`git commit --amend`): then
 * the amended commit's parent, so what the original commit brought in is judged again
 * under the new message.
 */
export async function stagedChanges(
  ctx: GitContext,
  repo: Repo,
  base = 'HEAD',
): Promise<FileChange[]> {
  return (await stagedDiff(ctx, repo, base)).files;
}

/** As stagedChanges, with the rename limit when it was hit (see diffIndex). */
export async function stagedDiff(ctx: GitContext, repo: Repo, base = 'HEAD'): Promise<StagedDiff> {
  let diff: StagedDiff;
  try {
    diff = await diffIndex(ctx, base);
  } catch (e) {
    // Unborn branch: compare with the empty tree (sha1 or sha256, per the repository).
    // Asked by exit code, not by matching git's (translated) error message.
    if (
      !(e instanceof GitError) ||
      (await runGit(ctx, ['rev-parse', '-q', '--verify', base], { okCodes: [1] })).code !== 1
    )
      throw e;
    return diffIndex(ctx, repo.emptyTree);
  }
  const mergeHead = join(repo.gitDir, 'MERGE_HEAD');
  if (!existsSync(mergeHead)) return diff;
  const others = readFileSync(mergeHead, 'utf8')
    .split('\n')
    .filter((l) => isObjectId(l));
  let changes = diff.files;
  for (const other of others) {
    const vsOther = new Set((await diffIndex(ctx, other)).files.map((c) => c.path));
    changes = changes.filter((c) => vsOther.has(c.path));
  }
  return { ...diff, files: changes };
}
