// The local verdict on what `git commit` is about to record.

import { readFile } from 'node:fs/promises';
import type { Identity, Signal } from '../core/types.js';
import { evaluate } from '../core/evaluate.js';
import { parseIdentLine } from '../git/commit-object.js';
import { runGit, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { stagedChanges } from '../git/staged.js';
import type { Policy } from '../policy/compile.js';
import type { Report } from '../report/json.js';
import { cleanupMessage } from '../signals/trailers.js';
import { envSignals } from '../signals/detect.js';
import { inputError } from '../errors.js';
import { buildChange } from './change.js';
import type { Trust } from './grants.js';

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** `git var GIT_AUTHOR_IDENT` honours --author, GIT_AUTHOR_* and config, like the commit will. */
export async function identity(ctx: GitContext, which: 'GIT_AUTHOR_IDENT' | 'GIT_COMMITTER_IDENT'): Promise<Identity | undefined> {
  try {
    const { stdout } = await runGit(ctx, ['var', which]);
    return parseIdentLine(stdout.toString('utf8').trim())?.id;
  } catch {
    return undefined; // no identity configured: nothing to match
  }
}

export async function readMessageFile(file: string): Promise<string> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw inputError(`cannot read the message file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length > MAX_MESSAGE_BYTES) throw inputError(`the commit message in ${file} is larger than 4 MiB`, 'write a shorter message');
  return cleanupMessage(buf.toString('utf8'));
}

export interface StagedOptions {
  messageFile?: string | undefined;
  /** Signals from the workstation: ledger hits. The environment is read here. */
  extraSignals?: readonly Signal[];
}

export async function checkStaged(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  trust: Trust,
  opts: StagedOptions,
  now: Date,
): Promise<Report> {
  const [files, author, committer, message] = await Promise.all([
    stagedChanges(ctx, repo),
    identity(ctx, 'GIT_AUTHOR_IDENT'),
    identity(ctx, 'GIT_COMMITTER_IDENT'),
    opts.messageFile ? readMessageFile(opts.messageFile) : Promise.resolve(''),
  ]);
  const extraSignals = [...envSignals(policy.tools, ctx.env), ...(opts.extraSignals ?? [])];
  const change = buildChange(policy, { commit: null, files, message, author, committer, extraSignals }, trust, now);
  return { findings: evaluate(policy, change), notes: change.notes ?? [] };
}
