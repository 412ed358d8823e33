// The local verdict on what `git commit` is about to record.

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { FileChange, Identity, Signal } from '../core/types.js';
import { evaluate } from '../core/evaluate.js';
import { parseIdentLine } from '../git/commit-object.js';
import { runGit, verifyRev, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { stagedDiff, type StagedDiff } from '../git/staged.js';
import { indexFileMayHoldLinks } from '../git/index-file.js';
import type { Policy } from '../policy/compile.js';
import type { Report } from '../core/types.js';
import { cleanupMessage, SCISSORS, scissorsAt } from '../signals/trailers.js';
import { envSignals } from '../signals/detect.js';
import { inputError } from '../errors.js';
import { buildChange } from './change.js';
import { renameLimitSignals } from './judge.js';
import { mergedContentSignals, movedContentSignals, movesIntoZones } from './provenance.js';
import { indexZoneLinks } from './links.js';
import { withLinkAliases, zonesOfFile } from '../policy/links.js';
import type { Trust } from './grants.js';
import { configGuard, touchesGuard, type Guard } from '../policy/paths.js';
import { configFindings } from './config-guard.js';

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * What `git var -l` says (author and committer of the commit being made, honouring
 * --author, GIT_AUTHOR_* and config, like the commit will; and the config, -c included),
 * in one process: the commit-msg hook pays for one git call, not two.
 */
async function gitVars(ctx: GitContext): Promise<string> {
  try {
    return (await runGit(ctx, ['var', '-l'])).stdout.toString('utf8');
  } catch {
    return ''; // no identity configured: nothing to match
  }
}

function identitiesIn(text: string): {
  author?: Identity | undefined;
  committer?: Identity | undefined;
} {
  const pick = (key: string): Identity | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
    return line ? parseIdentLine(line.slice(key.length + 1).trim())?.id : undefined;
  };
  return { author: pick('GIT_AUTHOR_IDENT'), committer: pick('GIT_COMMITTER_IDENT') };
}

export async function identities(
  ctx: GitContext,
): Promise<{ author?: Identity | undefined; committer?: Identity | undefined }> {
  return identitiesIn(await gitVars(ctx));
}

/** `core.commentChar` as git reads it (the last value wins; `-c` reaches hooks through GIT_CONFIG_PARAMETERS). */
export function commentSetting(vars: string): string | undefined {
  let value: string | undefined;
  for (const line of vars.split('\n'))
    if (/^core\.commentchar=/i.test(line)) value = line.slice(line.indexOf('=') + 1);
  return value === '' ? undefined : value;
}

// builtin/commit.c adjust_comment_line_char: `auto` tries these in order.
const AUTO_CANDIDATES = '#;@!$%^&|:';

/**
 * The comment character git used in this message file. A plain setting is taken as it is.
 * For `auto` git chose, before the editor, the first of AUTO_CANDIDATES that starts no
 * line of the message ('#' when the message holds no '#' at all); the file then shows it
 * at the head of git's own lines: the `-v` scissors line, else the comment block at the
 * end. Without either, git's choice is replayed on the text.
 */
export function commentCharOf(text: string, setting: string | undefined): string {
  if (setting === undefined) return '#';
  if (setting.toLowerCase() !== 'auto') return setting;
  for (const c of AUTO_CANDIDATES)
    if (text.startsWith(c + SCISSORS) || text.includes('\n' + c + SCISSORS)) return c;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1] ?? '';
  if (
    last &&
    AUTO_CANDIDATES.includes(last[0]!) &&
    (last.length === 1 || last[1] === ' ' || last[1] === '\t')
  )
    return last[0]!;
  if (!text.includes('#')) return '#';
  const used = new Set(text.split(/\r?\n|\r/).map((l) => l[0]));
  return [...AUTO_CANDIDATES].find((c) => !used.has(c)) ?? '#';
}

/**
 * The message as git will store it (`cleaned`, for grants: what `strip` cleanup leaves),
 * and as written (`raw`, for restricting signals: with `git commit -m` git keeps comment
 * lines, so a marker on such a line is in the stored commit and must be judged here too).
 * Both end at the `-v` scissors line, as git's wt_status_locate_end cuts: the diff below
 * it is the staged content, not message. `commentSetting` is core.commentChar (or `auto`):
 * git writes comment and scissors lines with it, and strips them by it.
 */
export async function readMessageFile(
  file: string,
  commentSetting?: string,
): Promise<{ raw: string; cleaned: string }> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw inputError(
      `cannot read the message file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (buf.length > MAX_MESSAGE_BYTES)
    throw inputError(
      `the commit message in ${file} is larger than 4 MiB`,
      'write a shorter message',
    );
  const text = buf.toString('utf8');
  const c = commentCharOf(text, commentSetting);
  return { raw: text.slice(0, scissorsAt(text, c)), cleaned: cleanupMessage(text, c) };
}

/**
 * Whether the index may hold a symlink; false only when that is proven, so the listing of
 * the whole index (`git ls-files -s`: ~70 ms of git's CPU and ~6 MB to read at 150,000
 * entries, for links that are usually none) is skipped: the index file is walked entry by
 * entry (src/git/index-file.ts), which answers maybe for a split or sparse index. Maybe
 * also when the file cannot be named or read as git would: an empty GIT_INDEX_FILE, or a
 * relative one read from elsewhere than the top of the work tree (git and this process
 * could resolve it differently), or any error.
 */
function mayHoldLinks(ctx: GitContext, repo: Repo): boolean {
  try {
    const named = ctx.env.GIT_INDEX_FILE;
    if (
      named !== undefined &&
      (named === '' || (!isAbsolute(named) && resolve(ctx.cwd) !== repo.root))
    )
      return true;
    const file = named !== undefined ? resolve(ctx.cwd, named) : join(repo.gitDir, 'index');
    return indexFileMayHoldLinks(file, repo.objectFormat === 'sha256' ? 32 : 20);
  } catch {
    return true;
  }
}

export interface StagedOptions {
  messageFile?: string | undefined;
  /** Signals from the workstation for these staged files (ledger hits). The environment is read here. */
  localSignals?: (files: readonly FileChange[]) => Promise<Signal[]>;
  /** Diff against this instead of HEAD (the parent of the commit being amended). */
  base?: string | undefined;
  /** The staged diff against `base` when the caller already read it (one diff-index per hook). */
  diff?: StagedDiff | undefined;
  /**
   * `policy` is the work tree's own: a staged change to `.cleanroom/**` or a trust file is
   * then judged by the policy and trust files committed at `base` (configBefore), as the
   * server will judge it. Off for a policy the user named (`--policy`, CLEANROOM_POLICY).
   */
  configFromBase?: boolean | undefined;
}

export async function checkStaged(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  trust: Trust,
  opts: StagedOptions,
  now: Date,
): Promise<Report> {
  const [{ files, renameLimit }, vars] = await Promise.all([
    opts.diff ?? stagedDiff(ctx, repo, opts.base),
    gitVars(ctx),
  ]);
  // A change to the configuration itself: judged by the configuration before it. The
  // guard is asked first, so the commit path loads policy-source only for such a change.
  let guard: Guard | undefined;
  if (opts.configFromBase) {
    guard = configGuard(policy);
    if (files.some((f) => touchesGuard(f, guard!))) {
      const { configBefore } = await import('./policy-source.js');
      const before = await configBefore(ctx, policy, files, opts.base ?? 'HEAD');
      // Guarded only where a configuration was committed before: the first policy of a
      // repository (an agent that runs `cleanroom init` and commits it) weakens nothing.
      if (before) {
        ({ policy, trust } = before);
        guard = configGuard(policy);
      } else guard = undefined;
    } else guard = undefined;
  }
  const { author, committer } = identitiesIn(vars);
  const message = opts.messageFile
    ? await readMessageFile(opts.messageFile, commentSetting(vars))
    : { raw: '', cleaned: '' };
  // A rename into a zone is rare: only then is the parent looked up (hooks stay fast).
  const moved = movesIntoZones(policy, files).length
    ? await movedContentSignals(
        ctx,
        policy,
        files,
        await verifyRev(ctx, `${opts.base ?? 'HEAD'}^{commit}`),
      )
    : [];
  // Concluding a merge whose resolution itself brings an AI draft into a zone (the draft
  // renamed on the way): the file is new against HEAD and not at that path on the merged
  // side, so its content's origin is looked up across both parents.
  // Asked in that order (a MERGE_HEAD file, one added file in a zone, then MERGE_HEAD
  // resolved, then every added file in a zone): 100,000 staged files are not all matched
  // against the zones for a merge that is not in progress, and no git process is started
  // to resolve a MERGE_HEAD that is not there. The file is git's own test of a merge in
  // progress (builtin/commit.c: `file_exists(git_path_merge_head())` decides whether the
  // commit gets the merged side as a parent; a special ref, a file under every ref
  // backend); stagedDiff reads the same file. Without it `git commit` makes no merge.
  const inZone = (f: FileChange): boolean => f.status === 'A' && zonesOfFile(policy, f).length > 0;
  const mergeHead =
    existsSync(join(repo.gitDir, 'MERGE_HEAD')) && files.some(inZone)
      ? await verifyRev(ctx, 'MERGE_HEAD^{commit}')
      : undefined;
  if (mergeHead) {
    const added = files.filter(inZone);
    const head = await verifyRev(ctx, `${opts.base ?? 'HEAD'}^{commit}`);
    // A name with a newline or a final CR is no spec line (git would answer for another
    // path): such a file counts as the resolution's own, and its origin is looked up.
    const asked = added.filter((f) => !/\n|\r$/.test(f.path));
    const { stdout } = asked.length
      ? await runGit(ctx, ['cat-file', '--batch-check=%(objectname)'], {
          input: asked.map((f) => `${mergeHead}:${f.path}`).join('\n') + '\n',
        })
      : { stdout: Buffer.alloc(0) };
    const lines = stdout.toString('latin1').split('\n');
    const theirs = new Set(asked.filter((f, i) => lines[i]?.startsWith(f.blob)));
    const own = added.filter((f) => !theirs.has(f));
    if (head && own.length)
      moved.push(
        ...(await mergedContentSignals(
          ctx,
          policy,
          own.map((f) => ({ ...f, combined: 'AR' })),
          [head, mergeHead],
        )),
      );
  }
  const local = opts.localSignals ? await opts.localSignals(files) : [];
  // Past the rename limit, a staged file in a zone that no exact rename explains is of
  // unknown origin: fail closed, naming the limit (as the server does).
  const extraSignals = [
    ...envSignals(policy.tools, ctx.env),
    ...local,
    ...moved,
    ...renameLimitSignals(policy, { renameLimit }),
  ];
  const input = {
    commit: null,
    files,
    message: message.cleaned,
    signalMessage: message.raw,
    author,
    committer,
    extraSignals,
  };
  // An AI-attributed change to the configuration needs an approver's override here too,
  // as the server will ask (src/check/config-guard.ts): an agent that rewrites the policy
  // and commits it would otherwise be judged by its own rules from then on, in its own
  // hooks (the agent hook trusts the committed policy). A human's change is left to the
  // server, as before.
  const guarded = guard !== undefined;
  let change = buildChange(policy, input, trust, now, guarded);
  // Content staged at a zone symlink's target is judged at the linked path too (the
  // index is the tree being committed); asked only when an AI signal is present.
  if (change.signals.length && files.some((f) => f.status !== 'D')) {
    // indexZoneLinks lists the whole index from any directory (a link elsewhere than
    // below a subdirectory, evals/extra -> ../src/jl, went unseen there).
    const links = mayHoldLinks(ctx, repo) ? await indexZoneLinks(ctx, policy) : [];
    const aliased = links.length ? withLinkAliases(files, links, !policy.caseSensitive) : files;
    if (aliased.length > files.length)
      change = buildChange(policy, { ...input, files: aliased }, trust, now, guarded);
  }
  const findings = evaluate(policy, change);
  if (guard && change.signals.length) findings.push(...configFindings(change, guard));
  return { findings, notes: change.notes ?? [] };
}
