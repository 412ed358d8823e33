// Judging existing commits: a range for CI and pre-push, one commit, or whole history.
// Streams: one commit in memory at a time.

import type { FileChange, Finding } from '../core/types.js';
import { readFileSync } from 'node:fs';
import { readCommitBatches, revList, type CommitRecord } from '../git/commits.js';
import { gitText, GitError, runGit, verifyRev, type GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import { usageError } from '../errors.js';
import { guardedChanges, type Guard } from './config-guard.js';
import { isShallow, unreadableBase } from './policy-source.js';
import type { Trust } from './grants.js';
import { CommitJudge, type JudgeOptions } from './judge.js';
import { isObjectId } from '../git/object-id.js';

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
