// The local verdict on what `git commit` is about to record.

import { readFile } from 'node:fs/promises';
import type { FileChange, Identity, Signal } from '../core/types.js';
import { evaluate } from '../core/evaluate.js';
import { parseIdentLine } from '../git/commit-object.js';
import { runGit, verifyRev, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { stagedChanges } from '../git/staged.js';
import type { Policy } from '../policy/compile.js';
import type { Report } from '../core/types.js';
import { cleanupMessage } from '../signals/trailers.js';
import { envSignals } from '../signals/detect.js';
import { inputError } from '../errors.js';
import { buildChange } from './change.js';
import { movedContentSignals, movesIntoZones } from './provenance.js';
import type { Trust } from './grants.js';

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Author and committer of the commit being made, from one `git var -l`: it honours
 * --author, GIT_AUTHOR_* and config, like the commit will.
 */
export async function identities(ctx: GitContext): Promise<{ author?: Identity | undefined; committer?: Identity | undefined }> {
  let text: string;
  try {
    text = (await runGit(ctx, ['var', '-l'])).stdout.toString('utf8');
  } catch {
    return {}; // no identity configured: nothing to match
  }
  const pick = (key: string): Identity | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${key}=`));
    return line ? parseIdentLine(line.slice(key.length + 1).trim())?.id : undefined;
  };
  return { author: pick('GIT_AUTHOR_IDENT'), committer: pick('GIT_COMMITTER_IDENT') };
}

/** `git commit -v` appends the diff below this line; it is not part of the message. */
const VERBOSE_CUT = /^# -{24} >8 -{24}\n# Do not modify or remove the line above\.\n/m;

/**
 * The message as git will store it (`cleaned`, for grants: what `strip` cleanup leaves),
 * and as written (`raw`, for restricting signals: with `git commit -m` git keeps "#"
 * lines, so a marker on such a line is in the stored commit and must be judged here too).
 */
export async function readMessageFile(file: string): Promise<{ raw: string; cleaned: string }> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw inputError(`cannot read the message file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (buf.length > MAX_MESSAGE_BYTES) throw inputError(`the commit message in ${file} is larger than 4 MiB`, 'write a shorter message');
  const text = buf.toString('utf8');
  const cut = VERBOSE_CUT.exec(text);
  return { raw: cut ? text.slice(0, cut.index) : text, cleaned: cleanupMessage(text) };
}

export interface StagedOptions {
  messageFile?: string | undefined;
  /** Signals from the workstation for these staged files (ledger hits). The environment is read here. */
  localSignals?: (files: readonly FileChange[]) => Promise<Signal[]>;
  /** Diff against this instead of HEAD (the parent of the commit being amended). */
  base?: string | undefined;
}

export async function checkStaged(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  trust: Trust,
  opts: StagedOptions,
  now: Date,
): Promise<Report> {
  const [files, { author, committer }, message] = await Promise.all([
    stagedChanges(ctx, repo, opts.base),
    identities(ctx),
    opts.messageFile ? readMessageFile(opts.messageFile) : Promise.resolve({ raw: '', cleaned: '' }),
  ]);
  // A rename into a zone is rare: only then is the parent looked up (hooks stay fast).
  const moved = movesIntoZones(policy, files).length ? await movedContentSignals(ctx, policy, files, await verifyRev(ctx, `${opts.base ?? 'HEAD'}^{commit}`)) : [];
  const local = opts.localSignals ? await opts.localSignals(files) : [];
  const extraSignals = [...envSignals(policy.tools, ctx.env), ...local, ...moved];
  const change = buildChange(
    policy,
    { commit: null, files, message: message.cleaned, signalMessage: message.raw, author, committer, extraSignals },
    trust,
    now,
  );
  return { findings: evaluate(policy, change), notes: change.notes ?? [] };
}
