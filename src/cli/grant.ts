// cleanroom override request|sign, cleanroom review request|sign.

import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError, CleanroomError } from '../errors.js';
import { readCommits } from '../git/commits.js';
import { stagedChanges } from '../git/staged.js';
import { resolveCommit, withGuardedMergeChanges } from '../check/range.js';
import { configGuard } from '../check/config-guard.js';
import type { FileChange } from '../core/types.js';
import { gitText } from '../git/git.js';
import { toCompactBase64 } from '../sign/sshsig.js';
import { sshKeygenSign } from '../sign/ssh-keygen.js';
import {
  canonicalText,
  coverage,
  formatRequest,
  formatTrailerValue,
  isoSeconds,
  NAMESPACE,
  parseDuration,
  parseRequest,
  reasonProblem,
  TRAILER_KEY,
  type GrantKind,
} from '../sign/statement.js';
import { parse, str } from './args.js';
import { openWorkspace } from './context.js';
import { readStdin, type Io } from './io.js';

async function changeFiles(io: Io, commit: string | undefined): Promise<{ files: FileChange[]; context: string; ws: Awaited<ReturnType<typeof openWorkspace>> }> {
  const ws = await openWorkspace(io, undefined);
  if (commit === undefined) return { files: await stagedChanges(ws.ctx, ws.repo), context: 'staged changes', ws };
  const id = await resolveCommit(ws.ctx, commit);
  for await (const c of readCommits(ws.ctx, [id])) return { files: await withGuardedMergeChanges(ws.ctx, c, configGuard(ws.policy)), context: `commit ${id}`, ws };
  throw new CleanroomError('internal', `could not read commit ${id}`);
}

async function request(kind: GrantKind, argv: string[], io: Io): Promise<number> {
  const { values } = parse(`${kind} request`, argv);
  const reason = str(values.reason) ?? (kind === 'review' ? 'reviewed every line' : undefined);
  if (reason === undefined) throw usageError('override request: --reason is required', 'say why this exception is right, e.g. --reason "hand-checked by the eval team"');
  const why = reasonProblem(reason);
  if (why) throw usageError(`${kind} request: ${why}`);
  const expiresText = str(values.expires) ?? (kind === 'override' ? '7d' : '30d');
  const ms = parseDuration(expiresText);
  if (ms === undefined) throw usageError(`${kind} request: invalid --expires ${JSON.stringify(expiresText)}`, 'e.g. 7d, 12h or 30m (at most a year)');
  const { files, context, ws } = await changeFiles(io, str(values.commit));
  const cov = coverage(ws.policy, files);
  if (!cov.pairs.length) throw usageError(`${kind} request: nothing in the ${context} lies in a zone`, 'stage the zone files first (or name the commit with --commit)');
  if (kind === 'review' && ws.policy.review.mode !== 'signed') {
    io.stderr(
      `cleanroom: warning: this policy's review.mode is ${ws.policy.review.mode}: a signed Cleanroom-Review trailer will NOT count as a review here\n` +
        `  → add the trailer the policy names instead (${ws.policy.review.mode === 'trailer' ? `"${ws.policy.review.trailer}: Name <email>"` : 'see docs/overrides-and-reviews.md'}), or set review.mode: signed in the policy\n`,
    );
  }
  const now = io.now();
  io.stdout(
    formatRequest(
      { kind, repository: ws.policy.repository, zones: cov.zones, files: cov.pairs.length, digest: cov.digest, reason, created: isoSeconds(now), expires: isoSeconds(new Date(now.getTime() + ms)) },
      cov,
      `${context} in ${ws.policy.repository}`,
    ),
  );
  return 0;
}

const MAX_REQUEST_BYTES = 1024 * 1024;

/** At most `max` bytes of a file (a FIFO or /dev/zero named by mistake must not hang or fill memory). */
function readBounded(file: string, max: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(max);
    let n = 0;
    while (n < max) {
      const got = readSync(fd, buf, n, max - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

async function sign(kind: GrantKind, argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(`${kind} sign`, argv);
  const key = str(values.key);
  if (!key) throw usageError(`${kind} sign: --key is required`, 'e.g. --key ~/.ssh/id_ed25519 (or the .pub of a key in ssh-agent)');
  if (positionals.length > 1) throw usageError(`${kind} sign: give at most one request FILE`);
  const file = positionals[0] ?? '-';
  let text: string;
  if (file === '-') {
    if (io.stdinIsTTY) throw usageError(`${kind} sign: no request on stdin`, `pipe one in: cleanroom ${kind} request … | cleanroom ${kind} sign --key KEY`);
    // readStdin throws a plain Error past the limit; that is the user's input, not a bug.
    const buf = await readStdin(io, MAX_REQUEST_BYTES).catch(() => undefined);
    if (!buf) throw usageError(`${kind} sign: the request on stdin is larger than 1 MiB`, `a request is a few lines: pipe in the output of cleanroom ${kind} request`);
    text = buf.toString('utf8');
  } else {
    let buf: Buffer;
    try {
      buf = readBounded(resolve(io.cwd, file), MAX_REQUEST_BYTES + 1);
    } catch (e) {
      throw usageError(`${kind} sign: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (buf.length > MAX_REQUEST_BYTES) throw usageError(`${kind} sign: ${file} is larger than 1 MiB`, `a request is a few lines: the output of cleanroom ${kind} request`);
    text = buf.toString('utf8');
  }
  // Usually `cleanroom … request | cleanroom … sign` where the request failed: its error
  // is on the terminal above, and "not a cleanroom request" would send the user astray.
  if (!text.trim()) {
    throw usageError(`${kind} sign: the request is empty`, `did cleanroom ${kind} request fail? Its error is above; fix that and pipe its output in again`);
  }
  const r = parseRequest(text);
  if (!r.ok) throw usageError(`${kind} sign: ${r.reason}`, `make one with cleanroom ${kind} request`);
  if (r.request.kind !== kind) throw usageError(`${kind} sign: this is ${r.request.kind === 'override' ? 'an' : 'a'} ${r.request.kind} request`, `use cleanroom ${r.request.kind} sign`);
  if (Date.parse(r.request.expires) <= io.now().getTime()) throw usageError(`${kind} sign: the request expired at ${r.request.expires}`, 'ask for a new request');
  let principal = str(values.principal);
  if (!principal) {
    principal = (await gitText({ cwd: io.cwd, env: io.env }, ['config', 'user.email']).catch(() => '')).trim();
    if (!principal) throw usageError(`${kind} sign: no --principal and no git config user.email`, 'give the principal your key is listed under in the allowed_signers file');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(principal)) throw usageError(`${kind} sign: invalid --principal ${JSON.stringify(principal)}`);
  const st = { ...r.request, principal };
  const armored = await sshKeygenSign({ key: resolve(io.cwd, key), namespace: NAMESPACE[kind], message: canonicalText(st), env: io.env });
  io.stderr(`cleanroom: signed ${kind} for ${st.repository} (${st.zones.join(', ')}; ${st.files} file${st.files === 1 ? '' : 's'}) as ${principal}, expires ${st.expires}\n`);
  io.stdout(`${TRAILER_KEY[kind]}: ${formatTrailerValue(st, toCompactBase64(armored))}\n`);
  return 0;
}

function grantCommand(kind: GrantKind) {
  return async (argv: string[], io: Io): Promise<number> => {
    const [sub, ...rest] = argv;
    if (sub === 'request') return request(kind, rest, io);
    if (sub === 'sign') return sign(kind, rest, io);
    // main.ts checked the subcommand against the command table.
    throw usageError(`${kind}: unknown subcommand ${JSON.stringify(sub)}`, `use ${kind} request or ${kind} sign`);
  };
}

export const overrideCommand = grantCommand('override');
export const reviewCommand = grantCommand('review');
