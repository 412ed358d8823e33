// Where the policy and its trust files come from decides what the check is worth.
//
//   work tree  — local hooks and `check --staged`: the developer's own copy (advisory);
//                a change to that configuration itself is judged by the copy committed
//                before it (`configBefore`), as CI and the server judge it.
//   a commit   — CI (`check --range BASE..HEAD`) and the server: the policy as it was on
//                the base / default branch *before* the change, read from git objects, so
//                a pull request or a push cannot weaken the policy that judges it.
//   a file     — the server's own configuration (`--policy`, `git config cleanroom.policy`).

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { FileChange } from '../core/types.js';
import { CleanroomError, PolicyError } from '../errors.js';
import { runGit, verifyRev, type GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import { MAX_POLICY_BYTES } from '../policy/limits.js';
import type { Trust } from './grants.js';
import { configGuard, POLICY_PATH, touchesGuard } from '../policy/paths.js';
import { loadTrustedPolicy } from '../policy/trusted-cache.js';
import { VERSION } from '../version.js';

export interface PolicySource {
  policy: Policy;
  trust: Trust;
  /** Where it came from, for messages: `main:.cleanroom/policy.yaml`, a file path. */
  origin: string;
}

const SHALLOW_FIX =
  'fetch the whole history: `git fetch --unshallow` (GitHub: actions/checkout with `fetch-depth: 0`; GitLab: GIT_DEPTH: "0")';
const PARTIAL_FIX =
  'make the remote reachable so git can fetch the missing object, or clone without --filter';

/** Is this a shallow clone (`git rev-parse --is-shallow-repository`)? */
export async function isShallow(ctx: GitContext): Promise<boolean> {
  return (
    (await runGit(ctx, ['rev-parse', '--is-shallow-repository'])).stdout.toString('utf8').trim() ===
    'true'
  );
}

/** The error for a revision whose history or objects this clone lacks (shallow or partial). */
export async function unreadableBase(ctx: GitContext, what: string): Promise<CleanroomError> {
  return (await isShallow(ctx))
    ? new CleanroomError(
        'git',
        `${what}: this is a shallow clone, and the base's history is not here`,
        SHALLOW_FIX,
      )
    : new CleanroomError(
        'git',
        `${what}: the object is not in this clone (a partial clone whose remote cannot be reached?)`,
        PARTIAL_FIX,
      );
}

/**
 * A file of `rev`, or undefined when the path does not exist there. Absent means absent
 * from the commit's tree: a commit, tree or blob this clone cannot read (shallow clone,
 * blobless partial clone with the remote out of reach) is an error, never "no policy" —
 * or CI would judge a pull request by the pull request's own policy.
 */
export async function readBlobAt(
  ctx: GitContext,
  rev: string,
  path: string,
): Promise<string | undefined> {
  // The common case costs one process, as before; only a failure asks why.
  const direct = await runGit(ctx, ['cat-file', 'blob', `${rev}:${path}`], {
    okCodes: [128],
    maxBytes: MAX_POLICY_BYTES + 1,
  });
  if (direct.code === 0) {
    if (direct.stdout.length > MAX_POLICY_BYTES)
      throw new CleanroomError('policy', `${rev}:${path} is larger than 1 MiB`);
    return direct.stdout.toString('utf8');
  }
  // Sample: `git ls-tree -z REV -- .cleanroom/policy.yaml` → "100644 blob 5c1e…\t.cleanroom/policy.yaml\0"
  const ls = await runGit(
    ctx,
    ['ls-tree', '-z', '--full-tree', '--end-of-options', rev, '--', path],
    { okCodes: [128] },
  );
  if (ls.code !== 0)
    throw await unreadableBase(ctx, `cannot read the tree of ${rev} (for ${path})`);
  const entry = ls.stdout
    .toString('utf8')
    .split('\0')
    .find((e) => e.slice(e.indexOf('\t') + 1) === path);
  if (entry === undefined) return undefined;
  const [, type, id] = entry.slice(0, entry.indexOf('\t')).split(' ');
  if (type !== 'blob' || id === undefined)
    throw new CleanroomError('policy', `${rev}:${path} is not a file (${type ?? 'unknown'})`);
  const r = await runGit(ctx, ['cat-file', 'blob', id], {
    okCodes: [128],
    maxBytes: MAX_POLICY_BYTES + 1,
  });
  if (r.code !== 0) throw await unreadableBase(ctx, `cannot read ${rev}:${path} (blob ${id})`);
  if (r.stdout.length > MAX_POLICY_BYTES)
    throw new CleanroomError('policy', `${rev}:${path} is larger than 1 MiB`);
  return r.stdout.toString('utf8');
}

/** The policy as committed in `rev` (e.g. the base of a pull request). */
export async function policyFromRev(
  ctx: GitContext,
  rev: string,
  label = rev,
  /** The server's state directory: the compiled policy is cached there by content (trusted-cache.ts). */
  cacheDir?: string,
): Promise<PolicySource | undefined> {
  const text = await readBlobAt(ctx, rev, POLICY_PATH);
  if (text === undefined) return undefined;
  const display = `${label}:${POLICY_PATH}`;
  const policy = cacheDir
    ? await loadTrustedPolicy(text, display, cacheDir, VERSION)
    : (await import('../policy/load.js')).loadPolicyText(text, display);
  const read = async (p: string) => {
    if (isAbsolute(p) || p.split('/').includes('..')) return undefined; // trust files live in the repository
    const t = await readBlobAt(ctx, rev, p);
    return t === undefined ? undefined : { file: `${label}:${p}`, text: t };
  };
  const revoked = async (p: string | undefined) =>
    p === undefined ? undefined : ((await read(p)) ?? ('missing' as const));
  const [approvers, reviewers, revokedApprovers, revokedReviewers] = await Promise.all([
    read(policy.overrides.approvers),
    read(policy.review.reviewers),
    revoked(policy.overrides.revoked),
    revoked(policy.review.revoked),
  ]);
  return {
    policy,
    trust: { approvers, reviewers, revokedApprovers, revokedReviewers },
    origin: `${label}:${POLICY_PATH}`,
  };
}

/**
 * The policy and trust files a change to cleanroom's own configuration is judged by,
 * locally: those committed at `base` (HEAD for staged changes, a commit's first parent),
 * as pre-push, CI and the server judge such a change by the policy before it
 * (docs/overrides-and-reviews.md, "Changing the policy"). Undefined, and the caller keeps
 * the work tree's `policy`, when no file of `files` (paths and rename sources) is
 * `.cleanroom/**` or a trust file of `policy`, when `base` is not a commit (an unborn
 * branch), or when it holds no policy or an invalid one (the commit that fixes it is
 * judged by the fix). Errors: git's, reading `base` (CleanroomError).
 */
export async function configBefore(
  ctx: GitContext,
  policy: Policy,
  files: readonly Pick<FileChange, 'path' | 'from' | 'via'>[],
  base: string,
): Promise<PolicySource | undefined> {
  const guard = configGuard(policy);
  if (!files.some((f) => touchesGuard(f, guard))) return undefined;
  const rev = await verifyRev(ctx, `${base}^{commit}`);
  if (!rev) return undefined;
  try {
    return await policyFromRev(ctx, rev, base);
  } catch (e) {
    if (e instanceof PolicyError) return undefined;
    throw e;
  }
}

/**
 * A policy file from server configuration. Its trust files are looked up beside it:
 * `approvers: .cleanroom/approvers` → `<dir of the policy>/approvers` (copy the
 * repository's .cleanroom/ folder to the server as it is), absolute paths as given.
 */
export async function policyFromFile(file: string): Promise<PolicySource> {
  // yaml loads only here, not on every push whose policy comes from the trusted cache.
  const { loadPolicyText } = await import('../policy/load.js');
  return besideFile(file, loadPolicyText(configuredText(file), file));
}

/** policyFromFile, with the compiled policy cached by content in `cacheDir` (trusted-cache.ts). */
export async function policyFromFileCached(file: string, cacheDir: string): Promise<PolicySource> {
  return besideFile(file, await loadTrustedPolicy(configuredText(file), file, cacheDir, VERSION));
}

function configuredText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CleanroomError(
      'policy',
      `cannot read the configured policy ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      'fix --policy or git config cleanroom.policy',
    );
  }
  return text;
}

/** The source of a configured policy file, with its trust files looked up beside it. */
function besideFile(file: string, policy: Policy): PolicySource {
  return { policy, trust: trustBeside(file, policy), origin: file };
}

/**
 * The trust files of the policy file `file`, looked up beside it as the server does:
 * `.cleanroom/approvers` → `<dir of file>/approvers`, other relative paths below that
 * directory, absolute paths as given. Absent files are `undefined` (a revocation list
 * named but absent is `'missing'`: fail closed in grants.ts).
 */
export function trustBeside(file: string, policy: Policy): Trust {
  const read = (p: string) => {
    const path = isAbsolute(p) ? p : join(dirname(file), p.replace(/^\.cleanroom\//, ''));
    try {
      return { file: path, text: readFileSync(path, 'utf8') };
    } catch {
      return undefined;
    }
  };
  const revoked = (p: string | undefined) =>
    p === undefined ? undefined : (read(p) ?? ('missing' as const));
  return {
    approvers: read(policy.overrides.approvers),
    reviewers: read(policy.review.reviewers),
    revokedApprovers: revoked(policy.overrides.revoked),
    revokedReviewers: revoked(policy.review.revoked),
  };
}
