// cleanroom override request|sign, cleanroom review request|sign.

import { closeSync, openSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError, CleanroomError } from '../errors.js';
import { readCommits } from '../git/commits.js';
import { stagedChanges } from '../git/staged.js';
import { resolveCommit, withGuardedMergeChanges } from '../check/range.js';
import { configGuard } from '../check/config-guard.js';
import type { FileChange } from '../core/types.js';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { gitText, runGit } from '../git/git.js';
import { toCompactBase64, type SshPublicKey } from '../sign/sshsig.js';
import { sshKeygenSign } from '../sign/ssh-keygen.js';
import { resolveSigningKey } from '../sign/signing-key.js';
import {
  findPrincipals,
  findSigner,
  parseAllowedSigners,
  revokedBy,
  type AllowedSigner,
} from '../sign/allowed-signers.js';
import {
  bundleProblem,
  isBundle,
  makeBundle,
  MAX_BUNDLE_BYTES,
  openBundle,
  showBundle,
  type BundleFile,
} from '../sign/bundle.js';
import { revokedOf, type Trust } from '../check/grants.js';
import { configBefore, policyFromFile, policyFromRev } from '../check/policy-source.js';
import {
  canonicalText,
  coverage,
  formatRequest,
  foldTrailerValue,
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

async function changeFiles(
  io: Io,
  commit: string | undefined,
  policy: string | undefined,
): Promise<{
  files: FileChange[];
  context: string;
  ws: Awaited<ReturnType<typeof openWorkspace>>;
}> {
  // --policy: a server-owned policy (install-server --policy) has no copy in the work
  // tree; the admin publishes it and the author names it here.
  const ws = await openWorkspace(io, policy);
  // A change to the configuration is judged by the configuration committed before it
  // (HEAD for staged changes, the commit's first parent), as the gate judges it: the
  // request is made against that policy, whose zones and trust files the gate will use.
  const before = async (files: FileChange[], base: string | undefined) => {
    const src = ws.own && base ? await configBefore(ws.ctx, ws.policy, files, base) : undefined;
    return src ? { ...ws, policy: src.policy, trust: src.trust } : ws;
  };
  if (commit === undefined) {
    const files = await stagedChanges(ws.ctx, ws.repo);
    return { files, context: 'staged changes', ws: await before(files, 'HEAD') };
  }
  const id = await resolveCommit(ws.ctx, commit);
  for await (const c of readCommits(ws.ctx, [id])) {
    const files = await withGuardedMergeChanges(ws.ctx, c, configGuard(ws.policy));
    const used = await before(files, c.parents[0]);
    if (used === ws && ws.own) await warnPolicyMoved(io, ws, id);
    return { files, context: `commit ${id}`, ws: used };
  }
  throw new CleanroomError('internal', `could not read commit ${id}`);
}

/**
 * Warns when the commit `id` holds a policy whose repository or approvers differ from the
 * work tree's, which the request is made against: at a `git rebase -i` stop on that
 * commit, the commit-msg hook judges the amend by the commit's own policy and cannot take
 * this override (a newcomer's adoption order: the agent commit first, `repository:` and
 * the approvers file later in the same series). pre-push and the server judge it by the
 * policy they trust (docs/overrides-and-reviews.md, "An older commit"). A commit without
 * a readable policy says nothing. Errors: git's.
 */
async function warnPolicyMoved(
  io: Io,
  ws: Awaited<ReturnType<typeof openWorkspace>>,
  id: string,
): Promise<void> {
  let at: Awaited<ReturnType<typeof policyFromRev>>;
  try {
    at = await policyFromRev(ws.ctx, id, id.slice(0, 12));
  } catch (e) {
    if (e instanceof CleanroomError && e.kind === 'policy') return;
    throw e;
  }
  if (!at) return;
  const moved = [
    ...(at.policy.repository !== ws.policy.repository
      ? [`repository ${at.policy.repository} there, ${ws.policy.repository} here`]
      : []),
    ...(at.trust.approvers?.text !== ws.trust.approvers?.text
      ? [`the approvers file ${at.trust.approvers ? 'differs' : 'does not exist there'}`]
      : []),
  ];
  if (!moved.length) return;
  io.stderr(
    `cleanroom: note: commit ${id.slice(0, 12)} holds another policy than this work tree (${moved.join('; ')}): this request is made against the work tree's\n` +
      `  → at a git rebase -i stop on that commit the commit-msg hook judges by the commit's own policy and will not take this override: amend there with --no-verify; pre-push and the server check it by the policy they trust (docs/overrides-and-reviews.md, "An older commit")\n`,
  );
}

async function request(kind: GrantKind, argv: string[], io: Io): Promise<number> {
  const { values } = parse(`${kind} request`, argv);
  const reason = str(values.reason) ?? (kind === 'review' ? 'reviewed every line' : undefined);
  if (reason === undefined)
    throw usageError(
      'override request: --reason is required',
      'say why this exception is right, e.g. --reason "hand-checked by the eval team"',
    );
  const why = reasonProblem(reason);
  if (why) throw usageError(`${kind} request: ${why}`);
  const expiresText = str(values.expires) ?? (kind === 'override' ? '7d' : '30d');
  const ms = parseDuration(expiresText);
  if (ms === undefined)
    throw usageError(
      `${kind} request: invalid --expires ${JSON.stringify(expiresText)}`,
      'e.g. 7d, 12h or 30m (at most a year)',
    );
  const { files, context, ws } = await changeFiles(io, str(values.commit), str(values.policy));
  const cov = coverage(ws.policy, files);
  if (!cov.pairs.length)
    throw usageError(
      `${kind} request: nothing in the ${context} lies in a zone`,
      'stage the zone files first (or name the commit with --commit)',
    );
  if (kind === 'review' && ws.policy.review.mode !== 'signed') {
    io.stderr(
      `cleanroom: warning: this policy's review.mode is ${ws.policy.review.mode}: a signed Cleanroom-Review trailer will NOT count as a review here\n` +
        `  → add the trailer the policy names instead (${ws.policy.review.mode === 'trailer' ? `"${ws.policy.review.trailer}: Name <email>"` : 'see docs/overrides-and-reviews.md'}), or set review.mode: signed in the policy\n`,
    );
  }
  const now = io.now();
  const text = formatRequest(
    {
      kind,
      repository: ws.policy.repository,
      zones: cov.zones,
      files: cov.pairs.length,
      digest: cov.digest,
      reason,
      created: isoSeconds(now),
      expires: isoSeconds(new Date(now.getTime() + ms)),
    },
    cov,
    `${context} in ${ws.policy.repository}`,
  );
  const bundleFile = str(values.bundle);
  if (bundleFile) {
    const out: BundleFile[] = [];
    let size = 0;
    for (const [i, [path, blob]] of cov.pairs.entries()) {
      const mode = cov.modes[i] ?? '100644';
      let content: Buffer | null = null;
      if (!/^0+$/.test(blob) && mode !== '160000') {
        content = (await runGit(ws.ctx, ['cat-file', 'blob', blob], { maxBytes: MAX_BUNDLE_BYTES }))
          .stdout;
        size += content.length;
        if (size > MAX_BUNDLE_BYTES / 2)
          throw usageError(
            `${kind} request: the covered files are larger than ${MAX_BUNDLE_BYTES >> 21} MiB together — too large for a bundle`,
            'send the request without --bundle and share the content another way',
          );
      }
      out.push({ path, mode, blob, content });
    }
    // Written whole or not at all: a half-written bundle must not reach an approver.
    const target = resolve(io.cwd, bundleFile);
    const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, makeBundle(text, out));
    renameSync(tmp, target);
    io.stderr(
      `cleanroom: wrote ${bundleFile} (the request and the ${out.length} covered file(s)); the approver runs: cleanroom ${kind} sign ${bundleFile}\n`,
    );
  }
  io.stdout(text);
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

interface SignerTrust {
  signers: AllowedSigner[];
  revoked: SshPublicKey[];
  file: string;
  repository: string | undefined;
}

/**
 * The trust file that decides who the key is: --allowed-signers FILE, else the policy's
 * (the repository's work tree, or --policy FILE, e.g. the copy a server publishes).
 */
async function signerTrust(
  kind: GrantKind,
  io: Io,
  values: Record<string, unknown>,
): Promise<SignerTrust> {
  const what = kind === 'override' ? 'approvers' : 'reviewers';
  const explicit = str(values['allowed-signers']);
  const parseOrFail = (file: string, text: string): AllowedSigner[] => {
    try {
      return parseAllowedSigners(text, file);
    } catch (e) {
      throw usageError(
        `${kind} sign: the ${what} file is invalid:\n${e instanceof Error ? e.message : String(e)}`,
        'fix the file (cleanroom policy validate checks it)',
      );
    }
  };
  if (explicit) {
    let text: string;
    try {
      text = readBounded(resolve(io.cwd, explicit), MAX_REQUEST_BYTES).toString('utf8');
    } catch (e) {
      throw usageError(
        `${kind} sign: cannot read ${explicit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    return {
      signers: parseOrFail(explicit, text),
      revoked: [],
      file: explicit,
      repository: undefined,
    };
  }
  let trust: Trust;
  let repository: string;
  let trustFile: string;
  try {
    const ws = await openWorkspace(io, str(values.policy));
    trust = ws.trust;
    repository = ws.policy.repository;
    trustFile = kind === 'override' ? ws.policy.overrides.approvers : ws.policy.review.reviewers;
  } catch (e) {
    const policy = str(values.policy);
    if (!policy) {
      throw usageError(
        `${kind} sign: cannot tell who this key is: no cleanroom policy here (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
        `run it in a clone of the repository, or pass --policy FILE (the policy with its ${what} file beside it) or --allowed-signers FILE`,
      );
    }
    const src = await policyFromFile(resolve(io.cwd, policy));
    trust = src.trust;
    repository = src.policy.repository;
    trustFile = kind === 'override' ? src.policy.overrides.approvers : src.policy.review.reviewers;
  }
  const t = kind === 'override' ? trust.approvers : trust.reviewers;
  if (!t)
    throw usageError(
      `${kind} sign: the policy's ${what} file (${trustFile}) is missing`,
      // A trailer signed against --allowed-signers alone is refused at commit, in CI and on
      // the server: they read the file the policy names, and only once it is committed.
      `${kind === 'override' ? 'an override' : 'a review'} counts only once ${trustFile} (the policy's ${kind === 'override' ? 'overrides.approvers' : 'review.reviewers'}) lists the key and is committed — on the default branch for CI and the server; --allowed-signers FILE only checks the signature locally`,
    );
  const revoked = revokedOf(
    kind === 'override' ? trust.revokedApprovers : trust.revokedReviewers,
    what,
  );
  if (typeof revoked === 'string') throw usageError(`${kind} sign: ${revoked}`);
  return { signers: parseOrFail(t.file, t.text), revoked, file: t.file, repository };
}

/** One line typed on the terminal (the request came from a FILE, so stdin is free). */
async function askLine(io: Io, prompt: string): Promise<string> {
  io.stderr(prompt);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    for await (const line of rl) return line.trim();
    return '';
  } finally {
    rl.close();
  }
}

async function sign(kind: GrantKind, argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(`${kind} sign`, argv);
  if (positionals.length > 1) throw usageError(`${kind} sign: give at most one request FILE`);
  const file = positionals[0] ?? '-';
  let text: string;
  if (file === '-') {
    if (io.stdinIsTTY)
      throw usageError(
        `${kind} sign: no request on stdin`,
        `pipe one in: cleanroom ${kind} request … | cleanroom ${kind} sign`,
      );
    // readStdin throws a plain Error past the limit; that is the user's input, not a bug.
    const buf = await readStdin(io, MAX_BUNDLE_BYTES).catch(() => undefined);
    if (!buf)
      throw usageError(
        `${kind} sign: the request on stdin is larger than ${MAX_BUNDLE_BYTES >> 20} MiB`,
        `pipe in the output of cleanroom ${kind} request`,
      );
    text = buf.toString('utf8');
  } else {
    let buf: Buffer;
    try {
      buf = readBounded(resolve(io.cwd, file), MAX_BUNDLE_BYTES + 1);
    } catch (e) {
      throw usageError(
        `${kind} sign: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    if (buf.length > MAX_BUNDLE_BYTES)
      throw usageError(
        `${kind} sign: ${file} is larger than ${MAX_BUNDLE_BYTES >> 20} MiB`,
        `a request is the output of cleanroom ${kind} request`,
      );
    text = buf.toString('utf8');
  }
  if (!isBundle(text) && Buffer.byteLength(text) > MAX_REQUEST_BYTES) {
    throw usageError(
      `${kind} sign: the request ${file === '-' ? 'on stdin' : `in ${file}`} is larger than 1 MiB`,
      `a request is a few lines: the output of cleanroom ${kind} request (a bundle is the JSON file request --bundle writes)`,
    );
  }
  if (!text.trim())
    throw usageError(
      `${kind} sign: the request is empty`,
      `did cleanroom ${kind} request fail? Its error is above; fix that and pipe its output in again (or save it for the signer)`,
    );
  let bundle: ReturnType<typeof openBundle> | undefined;
  try {
    bundle = isBundle(text) ? openBundle(text) : undefined;
  } catch (e) {
    throw usageError(
      `${kind} sign: ${(e as Error).message}`,
      `make one with cleanroom ${kind} request --bundle FILE`,
    );
  }
  const r = parseRequest(bundle ? bundle.requestText : text);
  if (!r.ok)
    throw usageError(`${kind} sign: ${r.reason}`, `make one with cleanroom ${kind} request`);
  if (r.request.kind !== kind)
    throw usageError(
      `${kind} sign: this is ${r.request.kind === 'override' ? 'an' : 'a'} ${r.request.kind} request`,
      `use cleanroom ${r.request.kind} sign`,
    );
  if (Date.parse(r.request.expires) <= io.now().getTime())
    throw usageError(
      `${kind} sign: the request expired at ${r.request.expires}`,
      'ask for a new request',
    );
  if (bundle) {
    // The approver signs content they have seen: every blob hashes to its id and the
    // (path, blob, mode) list is exactly what the request's digest covers.
    const why = bundleProblem(bundle, r.request);
    if (why)
      throw usageError(
        `${kind} sign: the bundle does not match its request: ${why}`,
        'ask the author for a new request --bundle',
      );
    io.stderr(showBundle(bundle, values.show === true));
  }

  const spec =
    str(values.key) ??
    (
      await gitText({ cwd: io.cwd, env: io.env }, ['config', 'user.signingkey']).catch(() => '')
    ).trim();
  if (!spec)
    throw usageError(
      `${kind} sign: no --key and no git config user.signingkey`,
      'e.g. --key ~/.ssh/id_ed25519 (or the .pub of a key in ssh-agent, or key::ssh-ed25519 AAAA…)',
    );
  const trust = await signerTrust(kind, io, values);
  if (trust.repository !== undefined && trust.repository !== r.request.repository) {
    throw usageError(
      `${kind} sign: the request is for ${r.request.repository}, and this policy is ${trust.repository}'s`,
      'sign in a clone of the repository the request names (or pass its --policy)',
    );
  }
  let key = resolveSigningKey(spec, io.cwd, io.env);
  // A certificate beside the key is for trust files that name the CA; a file that lists
  // the key itself does not accept certificate signatures (as ssh-keygen): use the key.
  if (
    key.plain &&
    !findPrincipals(trust.signers, {
      key: key.key,
      namespace: NAMESPACE[kind],
      now: io.now(),
      certificate: key.certificate,
    }).length
  )
    key = key.plain;
  try {
    const namespace = NAMESPACE[kind];
    const now = io.now();
    const gone = revokedBy(trust.revoked, key.key, key.certificate);
    if (gone)
      throw usageError(
        `${kind} sign: the key ${key.key.fingerprint} is revoked (${gone.fingerprint} is in the revocation file)`,
        'sign with a current key',
      );
    let principal = str(values.principal);
    if (principal !== undefined) {
      // eslint-disable-next-line no-control-regex
      if (!principal || /[\u0000-\u0020\u007f]/.test(principal))
        throw usageError(`${kind} sign: invalid --principal ${JSON.stringify(principal)}`);
      const who = findSigner(trust.signers, {
        principal,
        key: key.key,
        namespace,
        now,
        certificate: key.certificate,
      });
      if (!who.ok)
        throw usageError(
          `${kind} sign: this key may not sign as ${principal}: ${who.reason}`,
          'nothing was signed',
        );
    } else {
      // ssh-keygen -Y find-principals: the trust file says who the key is.
      const names = findPrincipals(trust.signers, {
        key: key.key,
        namespace,
        now,
        certificate: key.certificate,
      });
      if (names.length === 0) {
        const listed = findPrincipals(trust.signers, {
          key: key.key,
          namespace: NAMESPACE[kind === 'override' ? 'review' : 'override'],
          now,
          certificate: key.certificate,
        });
        throw usageError(
          `${kind} sign: the key ${key.key.fingerprint}${key.certificate ? ` (certificate ${JSON.stringify(key.certificate.keyId)})` : ''} is not listed in ${trust.file} for ${namespace}${listed.length ? ` (it is listed for ${listed.join(', ')} in another namespace: a ${kind === 'override' ? 'reviewer' : 'approver'} key)` : ''} — nothing was signed`,
          `only a key in the ${kind === 'override' ? 'approvers' : 'reviewers'} file can sign; ask a maintainer to add yours`,
        );
      }
      if (names.length === 1) principal = names[0]!;
      else if (file !== '-' && io.stdinIsTTY) {
        const answer = await askLine(
          io,
          `cleanroom: this key is listed as ${names.join(', ')} — sign as which? `,
        );
        if (!names.includes(answer))
          throw usageError(
            `${kind} sign: ${JSON.stringify(answer)} is not one of ${names.join(', ')}`,
            'nothing was signed',
          );
        principal = answer;
      } else {
        throw usageError(
          `${kind} sign: this key is listed as ${names.join(', ')}`,
          `choose one with --principal (nothing was signed)`,
        );
      }
    }
    const st = { ...r.request, principal };
    const armored = await sshKeygenSign({
      key: key.file,
      namespace,
      message: canonicalText(st),
      env: io.env,
    });
    io.stderr(
      `cleanroom: signed ${kind} for ${st.repository} (${st.zones.join(', ')}; ${st.files} file${st.files === 1 ? '' : 's'}) as ${principal}, expires ${st.expires}\n`,
    );
    io.stdout(
      `${TRAILER_KEY[kind]}: ${foldTrailerValue(formatTrailerValue(st, toCompactBase64(armored)), TRAILER_KEY[kind].length + 2)}\n`,
    );
    return 0;
  } finally {
    key.cleanup();
  }
}

function grantCommand(kind: GrantKind) {
  return async (argv: string[], io: Io): Promise<number> => {
    const [sub, ...rest] = argv;
    if (sub === 'request') return request(kind, rest, io);
    if (sub === 'sign') return sign(kind, rest, io);
    // main.ts checked the subcommand against the command table.
    throw usageError(
      `${kind}: unknown subcommand ${JSON.stringify(sub)}`,
      `use ${kind} request or ${kind} sign`,
    );
  };
}

export const overrideCommand = grantCommand('override');
export const reviewCommand = grantCommand('review');
