// The audit: one streaming pass over history (history.ts: the commits in order, parents
// before children, each judged as the server would), folded by the accumulator; then one
// `ls-tree` per tip says which paths exist now, and report.ts builds the report.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCommit, revArg } from '../check/range.js';
import type { Trust } from '../check/grants.js';
import { usageError } from '../errors.js';
import { gitText, runGit, spawnGit, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { decodePath } from '../git/raw.js';
import { ByteReader, exited } from '../git/stream.js';
import type { Policy } from '../policy/compile.js';
import { AuditAccumulator } from './accumulate.js';
import { judgeHistory } from './history.js';
import { buildReport, type AuditReport } from './report.js';
import { isObjectId } from '../git/object-id.js';

export interface ScanOptions {
  /** `A..B`, `A...B` or one revision; default HEAD. Ignored with `all`. */
  range?: string | undefined;
  all?: boolean;
  /** Only commits since this date (git's --since, committer date). */
  since?: string | undefined;
  version: string;
  /** Called after each commit with the number done, and the total when known. */
  onProgress?: ((done: number, total: number | undefined) => void) | undefined;
  /** Ask git for the number of commits first (for an ETA). */
  countFirst?: boolean;
  maxEvents?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--since` takes an ISO 8601 date: git's approxidate would read a typo as "now". */
export function sinceArg(since: string): string {
  if (!ISO_DATE.test(since) || Number.isNaN(Date.parse(since.replace(' ', 'T')))) {
    throw usageError(`audit: --since wants a date such as 2025-01-31 or 2025-01-31T12:00:00Z, not ${JSON.stringify(since)}`);
  }
  return since;
}

/** The revisions to walk, checked and resolved so a typo is a clear usage error. */
async function walkArgs(ctx: GitContext, opts: ScanOptions): Promise<string[] | null> {
  if (opts.all) return ['--all'];
  const range = opts.range ?? 'HEAD';
  const parts = range.split(/\.\.\.?/);
  for (const p of parts) if (p) revArg(p, 'range');
  if (range === 'HEAD') {
    const head = await runGit(ctx, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { okCodes: [1, 128] });
    if (head.code !== 0) return null; // no commits yet
  }
  for (const p of parts) if (p) await resolveCommit(ctx, p);
  return ['--end-of-options', range, '--'];
}

/** Commits at a shallow clone's boundary: git shows their whole tree as added. */
async function shallowBoundary(ctx: GitContext, repo: Repo): Promise<Set<string>> {
  const shallow = (await gitText(ctx, ['rev-parse', '--is-shallow-repository'])).trim() === 'true';
  if (!shallow) return new Set();
  let text = '';
  try {
    text = readFileSync(join(repo.commonDir, 'shallow'), 'utf8');
  } catch {
    // A shallow repository always has this file; without it, treat no commit as a boundary.
  }
  return new Set(text.split('\n').filter((l) => isObjectId(l)));
}

/** The paths among `wanted` that exist in `tip`'s tree, read as a stream. */
export async function existingPaths(ctx: GitContext, tip: string, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const found = new Set<string>();
  if (!wanted.size) return found;
  // Sample: `git ls-tree -r -z --name-only TIP` → evals/tasks/q1.json\0evals/tasks/q2.json\0…
  const args = ['ls-tree', '-r', '-z', '--name-only', '--full-tree', tip];
  const child = spawnGit(ctx, args);
  const done = exited(child, args);
  done.catch(() => undefined);
  child.stdin.end();
  const reader = new ByteReader(child.stdout);
  for (;;) {
    const name = await reader.until(0);
    if (name === null) break;
    const path = decodePath(name); // as the diff reader names it (non-UTF-8 bytes included)
    if (wanted.has(path)) found.add(path);
  }
  await done;
  return found;
}

export async function scanHistory(ctx: GitContext, repo: Repo, policy: Policy, trust: Trust, opts: ScanOptions, now: Date): Promise<AuditReport> {
  const since = opts.since !== undefined ? sinceArg(opts.since) : undefined;
  const walk = await walkArgs(ctx, opts);
  const boundary = await shallowBoundary(ctx, repo);
  const acc = new AuditAccumulator(opts.maxEvents !== undefined ? { maxEvents: opts.maxEvents } : {});
  const seenBoundary: string[] = [];

  if (walk) {
    const sinceArgs = since ? [`--since=${since}`] : [];
    let total: number | undefined;
    if (opts.countFirst) total = Number((await gitText(ctx, ['rev-list', '--count', ...sinceArgs, ...walk])).trim()) || undefined;
    let done = 0;
    for await (const c of judgeHistory(ctx, policy, trust, { walk: [...sinceArgs, ...walk], boundary }, now)) {
      if (c.skipped) seenBoundary.push(c.id);
      acc.add(c);
      opts.onProgress?.(++done, total);
    }
  }

  const tips = acc.tips();
  const existsAt = new Map<string, Set<string>>();
  for (const tip of tips) existsAt.set(tip, await existingPaths(ctx, tip, acc.candidates(tip)));
  return buildReport(acc, acc.existing(existsAt), tips, {
    policy,
    version: opts.version,
    now,
    range: opts.all ? null : (opts.range ?? 'HEAD'),
    all: opts.all === true,
    since: since ?? null,
    shallowBoundary: seenBoundary,
  });
}
