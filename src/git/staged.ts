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

async function diffIndex(ctx: GitContext, base: string): Promise<FileChange[]> {
  const { stdout } = await runGit(ctx, ['diff-index', '--cached', '--raw', '-z', '-M', '--no-abbrev', base, '--']);
  return parseRawEntries(splitZ(stdout));
}

export async function stagedChanges(ctx: GitContext, repo: Repo): Promise<FileChange[]> {
  let changes: FileChange[];
  try {
    changes = await diffIndex(ctx, 'HEAD');
  } catch (e) {
    // Unborn branch: compare with the empty tree (sha1 or sha256, per the repository).
    if (!(e instanceof GitError && /bad revision 'HEAD'|unknown revision|ambiguous argument 'HEAD'/.test(e.stderr))) throw e;
    return diffIndex(ctx, repo.emptyTree);
  }
  const mergeHead = join(repo.gitDir, 'MERGE_HEAD');
  if (!existsSync(mergeHead)) return changes;
  const others = readFileSync(mergeHead, 'utf8').split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l));
  for (const other of others) {
    const vsOther = new Set((await diffIndex(ctx, other)).map((c) => c.path));
    changes = changes.filter((c) => vsOther.has(c.path));
  }
  return changes;
}
