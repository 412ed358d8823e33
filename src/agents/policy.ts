// The policy an agent hook judges by. The hook runs on every tool call, so it goes
// through the compiled-policy cache (src/policy/cache.ts: the YAML parser loads only on
// a miss) and starts no git process on the way.
//
// Where the work-tree policy is missing or broken, the committed one (HEAD) still
// holds: an agent that deletes or mangles .cleanroom/policy.yaml does not escape it.

import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CleanroomError } from '../errors.js';
import type { GitContext } from '../git/git.js';
import { loadPolicyCached } from '../policy/cache.js';
import type { Policy } from '../policy/compile.js';
import { VERSION } from '../version.js';
import type { PolicyLookup } from './decide.js';
import { POLICY_PATH } from '../policy/paths.js';

/** @deprecated the same path as POLICY_PATH (src/policy/paths.ts); kept for code written before the merge. */
export const POLICY_FILE = POLICY_PATH;
const MAX_POLICY_BYTES = 1024 * 1024;

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
    if (statSync(file).size > MAX_POLICY_BYTES) throw new CleanroomError('policy', `${file} is larger than 1 MiB`);
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if (e instanceof CleanroomError) throw e;
    throw new CleanroomError('policy', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const firstLine = (s: string): string => s.split('\n', 1)[0] ?? s;

/**
 * The policy for the repository at `root`: $CLEANROOM_POLICY when set (relative to
 * `cwd`), else the work tree's, else the committed one. `notes` collects what the user
 * should hear (a broken work-tree policy judged by the committed one).
 */
export async function lookupPolicy(ctx: GitContext, root: string, notes: string[]): Promise<PolicyLookup> {
  const explicit = ctx.env.CLEANROOM_POLICY;
  const file = explicit ? resolve(ctx.cwd, explicit) : join(root, POLICY_PATH);
  const display = explicit ? file : POLICY_PATH;
  let problem: string | undefined;
  try {
    const text = readPolicyText(file);
    if (text !== undefined) return { kind: 'policy', policy: await compile(text, display, root) };
    if (explicit) problem = `CLEANROOM_POLICY names ${file}, which does not exist`;
  } catch (e) {
    if (!(e instanceof CleanroomError)) throw e;
    problem = `the policy is invalid (${firstLine(e.message)})`;
  }
  if (explicit) return { kind: 'invalid', reason: problem! };
  const { gitText, GitError } = await import('../git/git.js');
  let committed: string | undefined;
  try {
    committed = await gitText({ ...ctx, cwd: root }, ['show', `HEAD:${POLICY_PATH}`]);
  } catch (e) {
    if (!(e instanceof GitError)) throw e; // no HEAD, or no committed policy
  }
  if (committed !== undefined) {
    try {
      const policy = await compile(committed, `HEAD:${POLICY_PATH}`, root);
      notes.push(`cleanroom: ${problem ?? `${POLICY_PATH} is missing`} — judged by the committed policy (HEAD:${POLICY_PATH})`);
      return { kind: 'policy', policy };
    } catch (e) {
      if (!(e instanceof CleanroomError)) throw e;
      problem ??= `the committed policy is invalid (${firstLine(e.message)})`;
    }
  }
  return problem ? { kind: 'invalid', reason: problem } : { kind: 'none' };
}
