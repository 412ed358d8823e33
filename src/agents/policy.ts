// The policy an agent hook judges by: the committed one (HEAD) and the staged one (the
// index), never the work-tree file — an agent can write files (through a script, if not
// through its tools), and a policy it rewrote must not judge it. Both are read in one
// `git cat-file --batch`; when they differ (a human staged an edit), both hold and the
// stricter answer wins, so a staged tightening counts at once and a loosening counts
// once committed. Compiled through the policy cache (src/policy/cache.ts: the YAML
// parser loads only on a miss). A policy that history had and HEAD lost (`git rm -r
// .cleanroom && git commit --no-verify`) is not "no policy": the hook fails closed.

import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CleanroomError } from '../errors.js';
import type { GitContext } from '../git/git.js';
import { loadPolicyCached } from '../policy/cache.js';
import type { Policy } from '../policy/compile.js';
import { VERSION } from '../version.js';
import type { PolicyLookup } from './decide.js';
import { MAX_POLICY_BYTES } from '../policy/limits.js';
import { POLICY_PATH } from '../policy/paths.js';

/** `$(git rev-parse --git-path cleanroom)` without starting git: `.git` is a directory or a `gitdir:` file. */
export function stateDirOf(root: string): string | undefined {
  const dotgit = join(root, '.git');
  try {
    if (statSync(dotgit).isDirectory()) return join(dotgit, 'cleanroom');
    const m = /^gitdir: (.+)$/m.exec(readFileSync(dotgit, 'utf8'));
    return m ? join(resolve(root, m[1]!.trim()), 'cleanroom') : undefined;
  } catch {
    return undefined;
  }
}

async function compile(text: string, display: string, root: string): Promise<Policy> {
  const cacheDir = stateDirOf(root);
  if (cacheDir) return loadPolicyCached(text, display, cacheDir, VERSION);
  return (await import('../policy/load.js')).loadPolicyText(text, display);
}

function readPolicyText(file: string): string | undefined {
  try {
    if (statSync(file).size > MAX_POLICY_BYTES)
      throw new CleanroomError('policy', `${file} is larger than 1 MiB`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof CleanroomError) throw e;
    throw new CleanroomError(
      'policy',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

const firstLine = (s: string): string => s.split('\n', 1)[0] ?? s;

/** `git cat-file --batch` output → the contents of each requested object, or undefined when missing. */
function parseBatch(out: Buffer, count: number): (string | undefined)[] {
  const got: (string | undefined)[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const nl = out.indexOf(10, at);
    if (nl < 0) throw new CleanroomError('git', 'git cat-file --batch answered too little');
    // "<oid> blob <size>" then the content and "\n"; or "<name> missing" / "<name> ambiguous".
    const header = out.subarray(at, nl).toString('utf8');
    const m = /^[0-9a-f]{40,64} (\w+) (\d+)$/.exec(header);
    if (!m) {
      got.push(undefined);
      at = nl + 1;
      continue;
    }
    const size = Number(m[2]);
    got.push(m[1] === 'blob' ? out.subarray(nl + 1, nl + 1 + size).toString('utf8') : undefined);
    at = nl + 1 + size + 1;
  }
  return got;
}

/**
 * The policy for the repository at `root`: $CLEANROOM_POLICY when set (relative to
 * `cwd`), else the committed and staged ones (see the top of this file). `notes` collects
 * what the user should hear (a work-tree policy that differs from what judges).
 * A `root` that git does not take for a repository (an empty `.git` file an agent made)
 * has no policy: the repositories around it still judge the path (decide.ts).
 */
export async function lookupPolicy(
  ctx: GitContext,
  root: string,
  notes: string[],
): Promise<PolicyLookup> {
  const explicit = ctx.env.CLEANROOM_POLICY;
  if (explicit) {
    const file = resolve(ctx.cwd, explicit);
    try {
      const text = readPolicyText(file);
      if (text !== undefined) return { kind: 'policy', policy: await compile(text, file, root) };
      return { kind: 'invalid', reason: `CLEANROOM_POLICY names ${file}, which does not exist` };
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      return { kind: 'invalid', reason: `the policy is invalid (${firstLine(e.message)})` };
    }
  }
  const { runGit, GitError } = await import('../git/git.js');
  // GIT_CEILING_DIRECTORIES: git must not walk up from a fake repository to the real one.
  const gctx: GitContext = {
    ...ctx,
    cwd: root,
    env: {
      ...ctx.env,
      GIT_CEILING_DIRECTORIES: dirname(root),
      GIT_DIR: undefined,
      GIT_WORK_TREE: undefined,
      GIT_INDEX_FILE: undefined,
    },
  };
  let staged: string | undefined;
  let committed: string | undefined;
  try {
    const r = await runGit(gctx, ['cat-file', '--batch'], {
      input: `:${POLICY_PATH}\nHEAD:${POLICY_PATH}\n`,
    });
    [staged, committed] = parseBatch(r.stdout, 2);
  } catch (e) {
    if (!(e instanceof GitError)) throw e;
    return { kind: 'none' }; // not a repository git recognises
  }
  for (const t of [staged, committed])
    if (t !== undefined && Buffer.byteLength(t) > MAX_POLICY_BYTES)
      return { kind: 'invalid', reason: `the committed policy is larger than 1 MiB` };

  let worktree: string | undefined;
  let worktreeProblem: string | undefined;
  try {
    worktree = readPolicyText(join(root, POLICY_PATH));
  } catch (e) {
    if (!(e instanceof CleanroomError)) throw e;
    worktreeProblem = firstLine(e.message);
  }

  if (staged === undefined && committed === undefined) {
    // Nothing staged or committed. Did history have one? Then it was removed, and the
    // removal is not a human's decision the hook can see: fail closed.
    const r = await runGit(gctx, ['log', '-1', '--all', '--format=%H', '--', POLICY_PATH], {
      okCodes: [128],
    });
    const last = r.code === 0 ? r.stdout.toString('utf8').trim() : '';
    if (last)
      return {
        kind: 'invalid',
        reason: `the committed policy was removed (it is in the history, last changed by ${last.slice(0, 12)}, but neither in HEAD nor staged) — restore it (git checkout ${last.slice(0, 12)} -- ${POLICY_PATH}) or commit a new one`,
      };
    if (worktree === undefined)
      return worktreeProblem
        ? { kind: 'invalid', reason: `the policy cannot be read (${worktreeProblem})` }
        : { kind: 'none' };
    // A fresh `cleanroom init`: the only policy there is, until it is committed.
    try {
      return { kind: 'policy', policy: await compile(worktree, POLICY_PATH, root) };
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      return { kind: 'invalid', reason: `the policy is invalid (${firstLine(e.message)})` };
    }
  }

  const policies: Policy[] = [];
  const problems: string[] = [];
  const sources: [string | undefined, string][] =
    committed === staged
      ? [[committed, `HEAD:${POLICY_PATH}`]]
      : [
          [committed, `HEAD:${POLICY_PATH}`],
          [staged, `:${POLICY_PATH}`],
        ];
  for (const [text, display] of sources) {
    if (text === undefined) continue;
    try {
      policies.push(await compile(text, display, root));
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      problems.push(`${display} is invalid (${firstLine(e.message)})`);
    }
  }
  const judgedBy = sources
    .filter(([t]) => t !== undefined)
    .map(([, d]) => d)
    .join(' and ');
  if (!policies.length)
    return { kind: 'invalid', reason: `the committed policy is invalid (${problems.join('; ')})` };
  for (const p of problems) notes.push(`cleanroom: ${p} — judged by the other one`);
  if (worktree === undefined && !worktreeProblem)
    notes.push(
      `cleanroom: ${POLICY_PATH} is missing — judged by the committed policy (${judgedBy})`,
    );
  else if (worktree !== staged && worktree !== committed) {
    let problem: string | undefined = worktreeProblem;
    if (!problem && worktree !== undefined) {
      try {
        await compile(worktree, POLICY_PATH, root);
      } catch (e) {
        if (!(e instanceof CleanroomError)) throw e;
        problem = firstLine(e.message);
      }
    }
    notes.push(
      problem
        ? `cleanroom: the policy is invalid (${problem}) — judged by the committed policy (${judgedBy})`
        : `cleanroom: ${POLICY_PATH} differs from the committed policy — agents are judged by ${judgedBy}; stage or commit the change to make it count`,
    );
  }
  const [policy, ...others] = policies;
  return others.length
    ? { kind: 'policy', policy: policy!, others }
    : { kind: 'policy', policy: policy! };
}
