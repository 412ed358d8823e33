// Shared set-up for commands: the repository, the policy and its trust files.

import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CleanroomError } from '../errors.js';
import { runGit, type GitContext } from '../git/git.js';
import { openRepo, type Repo } from '../git/repo.js';
import type { Policy } from '../policy/compile.js';
import { MAX_POLICY_BYTES } from '../policy/limits.js';
import { loadPolicyCached } from '../policy/cache.js';
import { VERSION } from '../version.js';
import type { Trust } from '../check/grants.js';
import type { PolicySource } from '../check/policy-source.js';
import type { Io } from './io.js';
import { POLICY_PATH } from '../policy/paths.js';

export { POLICY_PATH };

export function gitContext(io: Io, cwd = io.cwd): GitContext {
  const debug = io.env.CLEANROOM_DEBUG === '1';
  return {
    cwd,
    env: io.env,
    trace: debug ? (l) => io.stderr(`cleanroom[debug]: ${l}\n`) : undefined,
  };
}

function readBounded(file: string, what: string, hint: string): string {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CleanroomError('usage', `no ${what} at ${file}`, hint);
    if (code === 'EISDIR')
      throw new CleanroomError('usage', `${file} is a directory, not a ${what}`, hint);
    throw new CleanroomError(
      'usage',
      `cannot read ${what} ${file}: ${code ?? (e as Error).message}`,
      hint,
    );
  }
  if (buf.length > MAX_POLICY_BYTES)
    throw new CleanroomError(
      'policy',
      `${file} is larger than 1 MiB`,
      'this cannot be a real policy',
    );
  return buf.toString('utf8');
}

/** Loads a policy file; `display` is the name used in FILE:LINE:COL messages. */
export async function loadPolicyFile(file: string, display = file): Promise<Policy> {
  const text = readBounded(
    file,
    'cleanroom policy',
    'run `cleanroom init` to write one (preset eval-cleanroom), or pass --policy FILE',
  );
  const { loadPolicyText } = await import('../policy/load.js'); // yaml loads only when needed
  return loadPolicyText(text, display);
}

export interface Workspace {
  ctx: GitContext;
  repo: Repo;
  policy: Policy;
  policyFile: string;
  /** The policy text that was compiled into `policy` (not read again: the file may change meanwhile). */
  policyText: string;
  trust: Trust;
  /**
   * `policy` is the work tree's own `.cleanroom/policy.yaml` (not --policy,
   * CLEANROOM_POLICY or a server's cleanroom.policy): a change to it is then judged by the
   * copy committed before it (src/check/policy-source.ts configBefore).
   */
  own: boolean;
}

/** The policy the user asked for: --policy, $CLEANROOM_POLICY, or the work tree's. */
export function policyPath(io: Io, root: string | null, flag: string | undefined): string {
  const chosen = flag ?? io.env.CLEANROOM_POLICY;
  if (chosen) return isAbsolute(chosen) ? chosen : resolve(io.cwd, chosen);
  if (!root)
    throw new CleanroomError(
      'usage',
      'a bare repository has no work-tree policy',
      'pass --policy FILE or set git config cleanroom.policy',
    );
  return join(root, POLICY_PATH);
}

function readTrust(base: string, rel: string): { file: string; text: string } | undefined {
  const file = isAbsolute(rel) ? rel : join(base, rel);
  try {
    return { file: rel, text: readFileSync(file, 'utf8') };
  } catch {
    return undefined;
  }
}

/** Trust files named by the policy, relative to the work tree (local use). */
export function localTrust(repo: Repo, policy: Policy): Trust {
  const base = repo.root ?? repo.gitDir;
  const revoked = (rel: string | undefined) =>
    rel === undefined ? undefined : (readTrust(base, rel) ?? 'missing');
  return {
    approvers: readTrust(base, policy.overrides.approvers),
    reviewers: readTrust(base, policy.review.reviewers),
    revokedApprovers: revoked(policy.overrides.revoked),
    revokedReviewers: revoked(policy.review.revoked),
  };
}

/**
 * A repository file that a sparse checkout left out of the work tree: its staged copy,
 * when the index marks `rel` skip-worktree (`git ls-files -t` tag "S"); undefined
 * otherwise (absent means absent). With `git sparse-checkout set --cone src evals`,
 * `.cleanroom/` is in the index but not on disk; the policy still applies to the commit.
 * Sample: `git ls-files -t -z -- .cleanroom/policy.yaml` → "S .cleanroom/policy.yaml\0".
 */
export async function sparseCopy(
  ctx: GitContext,
  root: string,
  rel: string,
): Promise<string | undefined> {
  if (isAbsolute(rel) || rel.split('/').includes('..')) return undefined;
  const top: GitContext = { ...ctx, cwd: root };
  const ls = (
    await runGit(top, ['ls-files', '-t', '-z', '--', `:(top,literal)${rel}`])
  ).stdout.toString('utf8');
  if (!ls.split('\0').includes(`S ${rel}`)) return undefined;
  const r = await runGit(top, ['cat-file', 'blob', `:${rel}`], { maxBytes: MAX_POLICY_BYTES + 1 });
  if (r.stdout.length > MAX_POLICY_BYTES)
    throw new CleanroomError('policy', `:${rel} (staged) is larger than 1 MiB`);
  return r.stdout.toString('utf8');
}

/**
 * localTrust, with trust files a sparse checkout left out read from the index. Asked only
 * when the policy itself was left out (`sparse`): a missing trust file is common, and the
 * commit hooks must not pay a git call for each on every commit.
 */
async function workspaceTrust(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  sparse: boolean,
): Promise<Trust> {
  const trust = localTrust(repo, policy);
  if (!repo.root || !sparse) return trust;
  const fill = async (rel: string, have: Trust['approvers']): Promise<Trust['approvers']> => {
    if (have) return have;
    const text = await sparseCopy(ctx, repo.root!, rel);
    return text === undefined ? undefined : { file: rel, text };
  };
  const [approvers, reviewers] = await Promise.all([
    fill(policy.overrides.approvers, trust.approvers),
    fill(policy.review.reviewers, trust.reviewers),
  ]);
  return { approvers, reviewers };
}

const loaded = new Map<string, Promise<Policy>>();

/**
 * loadPolicyCached, once per process for the same text, name and state directory:
 * prepare-commit-msg reads the tool table and then opens the workspace for its heads-up,
 * and each load read and revived the cache entry again (~15 ms of the hook). The compiled
 * Policy is frozen, so sharing it is safe; a text that fails fails the same way each time.
 */
export function loadPolicyOnce(text: string, display: string, stateDir: string): Promise<Policy> {
  const key = `${stateDir}\0${display}\0${text}`;
  let p = loaded.get(key);
  if (!p) loaded.set(key, (p = loadPolicyCached(text, display, stateDir, VERSION)));
  return p;
}

/** `opened`: the git context and repository the caller already has (one `rev-parse` per hook). */
export async function openWorkspace(
  io: Io,
  policyFlag: string | undefined,
  opened?: { ctx: GitContext; repo: Repo },
): Promise<Workspace> {
  const ctx = opened?.ctx ?? gitContext(io);
  const repo = opened?.repo ?? (await openRepo(ctx));
  // A bare repository (a server's) has no work tree: the policy its pre-receive hook
  // uses, git config cleanroom.policy, is the one to audit and check against.
  const configured =
    !repo.root && policyFlag === undefined && !io.env.CLEANROOM_POLICY
      ? await configuredPolicy(ctx)
      : undefined;
  const file = policyPath(io, repo.root, policyFlag ?? configured);
  const display =
    repo.root && !relative(repo.root, file).startsWith('..') ? relative(repo.root, file) : file;
  const hint = 'run `cleanroom init` to write one (preset eval-cleanroom), or pass --policy FILE';
  let text: string;
  let sparse = false;
  try {
    text = readBounded(file, 'cleanroom policy', hint);
  } catch (e) {
    // The default policy, absent from disk because a sparse checkout left .cleanroom/ out.
    const isDefault = repo.root !== null && file === join(repo.root, POLICY_PATH);
    const staged =
      isDefault && e instanceof CleanroomError && !existsSync(file)
        ? await sparseCopy(ctx, repo.root!, POLICY_PATH)
        : undefined;
    if (staged === undefined) throw e;
    [text, sparse] = [staged, true];
  }
  const policy = await loadPolicyOnce(text, display, repo.stateDir);
  const own = repo.root !== null && file === join(repo.root, POLICY_PATH);
  const local = await workspaceTrust(ctx, repo, policy, sparse);
  return {
    ctx,
    repo,
    policy,
    policyFile: file,
    policyText: text,
    own,
    // Another policy file (--policy, CLEANROOM_POLICY, a server's cleanroom.policy) has
    // its trust files beside it, as pre-receive reads them (docs/server.md), so an audit
    // on the server accepts the overrides its hook accepted; the work tree's fill in
    // only what is not there.
    // (policy-source and its server-side cache load only then: not on the commit path.)
    trust: own
      ? local
      : mergeTrust((await import('../check/policy-source.js')).trustBeside(file, policy), local),
  };
}

/** `git config cleanroom.policy`, or undefined (a relative path is read from the current directory, as pre-receive, run in the repository, reads it). */
async function configuredPolicy(ctx: GitContext): Promise<string | undefined> {
  const r = await runGit(ctx, ['config', '--get', 'cleanroom.policy'], { okCodes: [1] });
  const v = r.stdout.toString('utf8').trim();
  return v || undefined;
}

/** Each trust file from `first` when it is there, else from `then` (a list `first` misses stays missing only if `then` misses it too). */
function mergeTrust(first: Trust, then: Trust): Trust {
  const pick = <T>(a: T | 'missing' | undefined, b: T | 'missing' | undefined) =>
    a === undefined || a === 'missing' ? (b ?? a) : a;
  return {
    approvers: first.approvers ?? then.approvers,
    reviewers: first.reviewers ?? then.reviewers,
    revokedApprovers: pick(first.revokedApprovers, then.revokedApprovers),
    revokedReviewers: pick(first.revokedReviewers, then.revokedReviewers),
  };
}

/** The work tree's policy as a PolicySource (local use: advisory). */
export async function workTreeSource(
  io: Io,
  policyFlag: string | undefined,
): Promise<PolicySource> {
  const ws = await openWorkspace(io, policyFlag);
  return { policy: ws.policy, trust: ws.trust, origin: ws.policyFile };
}
