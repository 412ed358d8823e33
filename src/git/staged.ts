// What `git commit` is about to record: the index (through git, so GIT_INDEX_FILE —
// `git commit -a`, `git commit PATH` — is honoured) against HEAD, or against the empty
// tree for the first commit. For a merge in progress, only the paths that differ from
// every parent count, as for merge commits on the server.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileChange } from '../core/types.js';
import { GitError, runGit, splitZ, type GitContext } from './git.js';
import { parseRawEntries } from './raw.js';
import type { Repo } from './repo.js';
import { isObjectId } from './object-id.js';

async function diffIndex(ctx: GitContext, base: string): Promise<FileChange[]> {
  // --ita-invisible-in-index: an intent-to-add entry (`git add -N`) is not committed, so
  // it is not judged either (it would otherwise show as an added empty file).
  const { stdout } = await runGit(ctx, [
    'diff-index',
    '--cached',
    '--ita-invisible-in-index',
    '--raw',
    '-z',
    '-M',
    '--no-abbrev',
    base,
    '--',
  ]);
  return parseRawEntries(splitZ(stdout));
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
  let changes: FileChange[];
  try {
    changes = await diffIndex(ctx, base);
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
  if (!existsSync(mergeHead)) return changes;
  const others = readFileSync(mergeHead, 'utf8')
    .split('\n')
    .filter((l) => isObjectId(l));
  for (const other of others) {
    const vsOther = new Set((await diffIndex(ctx, other)).map((c) => c.path));
    changes = changes.filter((c) => vsOther.has(c.path));
  }
  return changes;
}
