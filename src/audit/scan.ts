// The audit: one streaming pass over history (history.ts: the commits in order, parents
// before children, each judged as the server would), folded by the accumulator; then one
// `ls-tree` per tip says which paths exist now, and report.ts builds the report.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCommit, revArg } from '../check/range.js';
import type { Trust } from '../check/grants.js';
import { usageError } from '../errors.js';
import {
  GitError,
  gitText,
  runGit,
  spawnGit,
  withoutLazyFetch,
  type GitContext,
} from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { decodePath } from '../git/raw.js';
import { ByteReader, exited } from '../git/stream.js';
import { TreeLinks } from '../check/links.js';
import {
  isLinkMode,
  foldPath,
  isAscii,
  physicalPaths,
  resolveLinks,
  SYMLINK_MODE,
  type RawLink,
  type ZoneLink,
} from '../policy/links.js';
import type { Policy } from '../policy/compile.js';
import { AuditAccumulator, mergeEntries, type PathEntry } from './accumulate.js';
import { judgeHistoryBatches } from './history.js';
import { buildReport, type AuditReport } from './report.js';
import { isObjectId } from '../git/object-id.js';
import { assertWellFormedTrees } from '../git/trees.js';

export interface ScanOptions {
  /** `A..B`, `A...B` or one revision; default HEAD. Ignored with `all`. */
  range?: string | undefined;
  all?: boolean;
  /**
   * Only history since this date, defined by the walk (see `sinceCut`): committer dates
   * are the pusher's to choose, so one date never stops the walk.
   */
  since?: string | undefined;
  version: string;
  /** Called after each commit with the number done, and the total when known. */
  onProgress?: ((done: number, total: number | undefined) => void) | undefined;
  /** Ask git for the number of commits first (for an ETA). */
  countFirst?: boolean;
  maxEvents?: number;
  /**
   * When the server (or CI) accepted each commit's grants, from a verified override log
   * (`--grant-log`): expiry is judged at that time. Commits not in it are judged by the
   * audit's own clock — a commit's date is the pusher's to choose.
   */
  grantTimes?: ReadonlyMap<string, Date> | undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** `--since` takes an ISO 8601 date: git's approxidate would read a typo as "now". */
export function sinceArg(since: string): string {
  if (!ISO_DATE.test(since) || Number.isNaN(Date.parse(since.replace(' ', 'T')))) {
    throw usageError(
      `audit: --since wants a date such as 2025-01-31 or 2025-01-31T12:00:00Z, not ${JSON.stringify(since)}`,
    );
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
    const head = await runGit(ctx, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], {
      okCodes: [1, 128],
    });
    if (head.code !== 0) return null; // no commits yet
  }
  for (const p of parts) if (p) await resolveCommit(ctx, p);
  return ['--end-of-options', range, '--'];
}

/** The commits the walk starts from: each ref's tip (tags peeled), or the range's tip. */
async function walkTips(ctx: GitContext, walk: readonly string[]): Promise<string[]> {
  const out = await gitText(ctx, ['rev-list', '--no-walk', ...walk.filter((a) => a !== '--')]);
  return out.split('\n').filter((l) => isObjectId(l));
}

/**
 * Where \`--since DATE\` cuts history, per tip: the first parent of the OLDEST commit on the
 * tip's first-parent line whose committer date is on or after DATE (the tip itself when
 * none is). So the walk does not stop at the first old-looking commit: a commit on top
 * with a backdated committer date hides nothing below it, and a side branch merged after
 * the cut is audited whatever dates its commits claim. A commit dated in the future only
 * moves the cut deeper (more is audited). Sample: \`git rev-list --first-parent
 * --timestamp --parents TIP\` → \`1700000000 <id> <parent> [<parent>…]\`, newest first.
 */
export async function sinceCut(
  ctx: GitContext,
  tips: readonly string[],
  since: number,
): Promise<string[]> {
  const cut = new Set<string>();
  for (const tip of tips) {
    const out = await gitText(ctx, ['rev-list', '--first-parent', '--timestamp', '--parents', tip]);
    let base: string | undefined = tip;
    for (const line of out.split('\n')) {
      const [ts = '', , parent] = line.split(' ');
      if (ts && Number(ts) >= since) base = parent; // undefined at the root: nothing is cut
    }
    if (base) cut.add(base);
  }
  return [...cut];
}

/**
 * Commits at a shallow clone's boundary (git shows their whole tree as added), and
 * whether the clone is shallow. Grafts and replace refs need no test: every git process
 * of cleanroom runs without them (git.ts cleanEnv), so a full clone's history is the
 * one git walks everywhere, and the walk can answer "who wrote this blob" from its own
 * entries (WalkOptions.walkAnswers).
 */
async function shallowBoundary(
  ctx: GitContext,
  repo: Repo,
): Promise<{ boundary: Set<string>; shallow: boolean }> {
  const shallow = (await gitText(ctx, ['rev-parse', '--is-shallow-repository'])).trim() !== 'false';
  if (!shallow) return { boundary: new Set(), shallow };
  let text = '';
  try {
    text = readFileSync(join(repo.commonDir, 'shallow'), 'utf8');
  } catch {
    // A shallow repository always has this file; without it, treat no commit as a boundary.
  }
  return { boundary: new Set(text.split('\n').filter((l) => isObjectId(l))), shallow };
}

/** The paths among `wanted` that exist in `tip`'s tree, read as a stream. */
export async function existingPaths(
  ctx: GitContext,
  tip: string,
  wanted: ReadonlySet<string>,
  links?: Set<string>,
  symlinksOut?: RawLink[],
): Promise<Set<string>> {
  const found = new Set<string>();
  if (!wanted.size) return found;
  // Sample: `git ls-tree -r -z TIP` → 100644 blob 3b18e51…\tevals/tasks/q1.json\0120000 blob 1f2e…\tevals/extra\0…
  const args = ['ls-tree', '-r', '-z', '--full-tree', tip];
  const child = spawnGit(ctx, args);
  const done = exited(child, args);
  done.catch(() => undefined);
  child.stdin.end();
  const reader = new ByteReader(child.stdout);
  const symlinks: { path: string; blob: string }[] = [];
  for (;;) {
    const rec = await reader.until(0);
    if (rec === null) break;
    const tab = rec.indexOf(0x09);
    if (tab < 0) continue;
    const [mode = '', , id = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
    const path = decodePath(rec.subarray(tab + 1)); // as the diff reader names it (non-UTF-8 bytes included)
    if (wanted.has(path)) {
      found.add(path);
      if (isLinkMode(mode)) links?.add(path);
    }
    if (mode === SYMLINK_MODE) symlinks.push({ path, blob: id });
  }
  await done;
  // A path seen through a symlink (evals/extra/more.jsonl, with evals/extra -> ../src/jl)
  // exists when the link does and its target holds the rest of the path.
  const missing = [...wanted].filter((w) => !found.has(w));
  const via = missing.flatMap((w) =>
    symlinks.filter((l) => w.startsWith(l.path + '/')).map((l) => ({ w, l })),
  );
  if (via.length || (symlinksOut && symlinks.length)) {
    const blobs = [...new Set(symlinks.map((l) => l.blob))];
    const { stdout } = await runGit(ctx, ['cat-file', '--batch'], {
      input: blobs.join('\n') + '\n',
    });
    const targets = new Map<string, string>();
    let pos = 0;
    for (const b of blobs) {
      const nl = stdout.indexOf(0x0a, pos);
      if (nl < 0) break;
      const size = Number(stdout.subarray(pos, nl).toString('latin1').split(' ')[2]);
      pos = nl + 1;
      if (!Number.isSafeInteger(size)) continue;
      targets.set(b, stdout.subarray(pos, pos + size).toString('utf8'));
      pos += size + 1;
    }
    // Resolved as a checkout resolves it: every symlink on the way, physical `..`.
    const raw = symlinks
      .filter((l) => targets.has(l.blob))
      .map((l) => ({ path: l.path, text: targets.get(l.blob)! }));
    symlinksOut?.push(...raw);
    const asks = via
      .flatMap(({ w }) => physicalPaths(w, raw).map((real) => ({ w, real })))
      .filter((x): x is { w: string; real: string } => x.real !== undefined && x.real !== '');
    // A name with a newline, or a final CR (git strips it from a spec line), cannot be
    // asked as `TIP:PATH`: git would answer for another path. Those are looked for in the
    // tree's own listing below, as the other-Unicode-form names are.
    const unspeakable = (real: string): boolean => /\n|\r$/.test(real);
    const byName = asks.filter((a) => !unspeakable(a.real));
    if (asks.length) {
      if (byName.length) {
        const { stdout: ids } = await runGit(ctx, ['cat-file', '--batch-check=%(objecttype)'], {
          input: byName.map((a) => `${tip}:${a.real}`).join('\n') + '\n',
        });
        const lines = ids.toString('latin1').split('\n');
        byName.forEach((a, i) => {
          if (lines[i] && !lines[i]!.endsWith('missing')) found.add(a.w);
        });
      }
      // A link text spelled in another Unicode form than the tree (`café` for
      // `cafe\u0301/`) reaches it on APFS and HFS+, not through a literal lookup: the
      // tree's paths are compared in NFC (rare: only when a non-ASCII path is asked).
      const odd = asks.filter((a) => !found.has(a.w) && (!isAscii(a.real) || unspeakable(a.real)));
      if (odd.length) {
        const want = new Map(odd.map((a) => [foldPath(a.real), a.w]));
        const { stdout: names } = await runGit(ctx, [
          'ls-tree',
          '-r',
          '-z',
          '--name-only',
          '--full-tree',
          tip,
        ]);
        for (let at = 0; at < names.length;) {
          const nul = names.indexOf(0, at);
          const end = nul < 0 ? names.length : nul;
          const w = want.get(foldPath(decodePath(names.subarray(at, end))));
          at = end + 1;
          if (w !== undefined) found.add(w);
        }
      }
    }
  }
  return found;
}

export async function scanHistory(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  trust: Trust,
  opts: ScanOptions,
  now: Date,
): Promise<AuditReport> {
  const since = opts.since !== undefined ? sinceArg(opts.since) : undefined;
  const walk = await walkArgs(ctx, opts);
  const { boundary, shallow } = await shallowBoundary(ctx, repo);
  // Every ref tip counts, also one that is an ancestor of another ref (audit --all).
  const refTips = new Set(walk ? await walkTips(ctx, walk) : []);
  const cut =
    walk && since
      ? await sinceCut(ctx, [...refTips], Math.floor(Date.parse(since.replace(' ', 'T')) / 1000))
      : [];
  const newAcc = (): AuditAccumulator =>
    new AuditAccumulator({
      ...(opts.maxEvents !== undefined ? { maxEvents: opts.maxEvents } : {}),
      refTips,
    });
  const seenBoundary: string[] = [];

  let acc = newAcc();
  let absent: string[] = [];
  if (walk) {
    const cutArgs = cut.map((c) => `^${c}`);
    const full =
      walk[walk.length - 1] === '--'
        ? [...walk.slice(0, -1), ...cutArgs, '--']
        : [...walk, ...cutArgs];
    // A tree Git never writes is refused before any of it is judged (src/git/trees.ts).
    await assertWellFormedTrees(ctx, full, { absent: 'skip' });
    // Links into zones that exist where the walk starts (a range, a --since cut) are not
    // seen being added: take them from the tips' trees.
    const trees = new TreeLinks(ctx, policy);
    const seedLinks: ZoneLink[] = [];
    try {
      if (cut.length || opts.range !== undefined)
        for (const t of refTips) seedLinks.push(...(await trees.at(t)));
    } finally {
      trees.close();
    }
    let total: number | undefined;
    if (opts.countFirst)
      total = Number((await gitText(ctx, ['rev-list', '--count', ...full])).trim()) || undefined;
    const pass = async (renames: boolean): Promise<void> => {
      let done = 0;
      for await (const batch of judgeHistoryBatches(
        ctx,
        policy,
        trust,
        {
          walk: full,
          boundary,
          seedLinks,
          renames,
          grantTimes: opts.grantTimes,
          walkAnswers: !shallow,
        },
        now,
      ))
        for (const c of batch) {
          if (c.skipped) seenBoundary.push(c.id);
          acc.add(c);
          opts.onProgress?.(++done, total);
        }
    };
    try {
      await pass(true);
    } catch (e) {
      // A clone without some blobs (`--filter=blob:limit=…`, a damaged store): rename
      // detection needs them, the zone decisions do not (paths and commits are in trees
      // and commit objects). Walk again without renames, and say which objects are absent.
      if (!(e instanceof GitError) || !ABSENT.test(e.stderr)) throw e;
      absent = await absentObjects(ctx, full);
      if (!absent.length) throw e;
      acc = newAcc();
      seenBoundary.length = 0;
      await pass(false);
    }
  }

  const tips = acc.tips();
  const existsAt = new Map<string, Set<string>>();
  const links = new Set<string>();
  const symlinksAt = new Map<string, RawLink[]>();
  for (const tip of tips) {
    const raw: RawLink[] = [];
    existsAt.set(tip, await existingPaths(ctx, tip, acc.candidates(tip), links, raw));
    symlinksAt.set(tip, raw);
  }
  const existing = acc.existing(existsAt);
  const seenAt = new Map(acc.seenAt);
  seenThroughLinks(
    existing,
    existsAt,
    symlinksAt,
    !policy.caseSensitive,
    links,
    acc.maxEvents,
    seenAt,
  );
  const report = buildReport(acc, existing, tips, {
    links,
    seenAt,
    sinceCut: cut,
    policy,
    version: opts.version,
    now,
    range: opts.all ? null : (opts.range ?? 'HEAD'),
    all: opts.all === true,
    since: since ?? null,
    shallowBoundary: seenBoundary,
  });
  if (absent.length) report.history.absentObjects = absent;
  return report;
}

/**
 * What a checkout of each tip shows through its symlinks: a path P with AI-attributed
 * changes in its lineage is shown again at L + rest for every link L whose target
 * resolves (as a checkout resolves it) to P or to a directory above P. The alias carries
 * P's entry and is judged by the zone it is in (`links`: marked as seen through a link).
 * Lineage follows paths, so without this a link added later to contaminated content
 * would not be reported at the link, although the zone shows that content there.
 * `existing` is updated in place; links that resolve out of the tree or loop add nothing
 * here (the judge already failed them closed when they were added).
 */
function seenThroughLinks(
  existing: Map<string, PathEntry>,
  existsAt: ReadonlyMap<string, ReadonlySet<string>>,
  symlinksAt: ReadonlyMap<string, readonly RawLink[]>,
  nocase: boolean,
  links: Set<string>,
  maxEvents: number,
  /** Filled: each alias → where the content is stored and the link (the first seen). */
  seenAt: Map<string, { stored: string; link: string }>,
): void {
  const aliases = new Map<string, PathEntry>();
  for (const [tip, raw] of symlinksAt) {
    if (!raw.length) continue;
    const exists = existsAt.get(tip);
    if (!exists) continue;
    const key = (p: string): string => (nocase ? p.toLowerCase() : p);
    for (const l of resolveLinks(raw, nocase)) {
      if (l.unbounded || !l.target) continue;
      const t = key(l.target);
      for (const [p, entry] of existing) {
        if (!exists.has(p)) continue;
        const k = key(p);
        if (k !== t && !k.startsWith(t + '/')) continue;
        const alias = l.path + p.slice(l.target.length);
        const prev = aliases.get(alias) ?? existing.get(alias);
        aliases.set(alias, prev ? mergeEntries(prev, entry, maxEvents) : entry);
        links.add(alias);
        if (!seenAt.has(alias)) seenAt.set(alias, { stored: p, link: l.path });
      }
    }
  }
  for (const [alias, entry] of aliases) existing.set(alias, entry);
}

/** git's words for an object it cannot read (sha1 or sha256 ids). */
const ABSENT =
  /unable to read [0-9a-f]{40}|missing (blob|tree|object)|could not read [0-9a-f]{40}|could not fetch [0-9a-f]{40}|bad object [0-9a-f]{40}/i;

/**
 * The objects the walk cannot read: `git rev-list --objects --missing=print` marks each
 * with `?` (without fetching it in a partial clone). Sample: `?aa5e3f80…\n`.
 */
async function absentObjects(ctx: GitContext, walk: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  const args = ['rev-list', '--objects', '--missing=print', ...walk];
  const child = spawnGit(withoutLazyFetch(ctx), args);
  const done = exited(child, args);
  done.catch(() => undefined);
  child.stdin.end();
  const reader = new ByteReader(child.stdout);
  for (;;) {
    const line = await reader.until(0x0a);
    if (line === null) break;
    if (line[0] === 0x3f /* ? */) out.push(line.toString('latin1', 1).split(' ')[0]!);
  }
  await done;
  return out;
}
