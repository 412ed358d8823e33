// `cleanroom hook NAME ARGS…` — what the shims in hooks/ exec. Each local hook does one
// job; the verdict is commit-msg's (it is the first hook that sees the message).

import { checkStaged } from '../check/staged.js';
import { judgeCommits } from '../check/range.js';
import type { FileChange, Finding, Signal } from '../core/types.js';
import { CleanroomError, usageError } from '../errors.js';
import { runGit, verifyRev, type GitContext } from '../git/git.js';
import { revList } from '../git/commits.js';
import { isZeroId, openRepo, type Repo } from '../git/repo.js';
import { compileToolTable, type ToolTable, type ToolTableSpec } from '../signals/tools.js';
import builtinTools from '../policy/generated/builtin-tools.js';
import { envSignals } from '../signals/detect.js';
import { styleFor } from '../report/escape.js';
import { renderText } from '../report/text.js';
import { gitContext, openWorkspace, POLICY_PATH, policyPath, workTreeSource } from './context.js';
import type { PolicySource } from '../check/policy-source.js';
import { ledgerSignalsForStaged } from './local-signals.js';
import { readStdin, type Io } from './io.js';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';
import { loadPolicyCached } from '../policy/cache.js';
import { VERSION } from '../version.js';
import { isObjectId } from '../git/object-id.js';

function report(io: Io, findings: readonly Finding[], notes: readonly string[], context: 'commit' | 'push'): number {
  const text = renderText({ findings, notes }, { style: styleFor(io.env, io.stderrIsTTY), context, quiet: true });
  if (text) io.stderr(text);
  return findings.some((f) => f.outcome === 'violation') ? 1 : 0;
}

async function preCommit(_io: Io): Promise<number> {
  // Nothing to judge yet: reviews and overrides live in the message, which pre-commit
  // cannot see. The heads-up for deny zones is prepare-commit-msg's (headsUp below),
  // which sees the message so far and stays quiet when it carries a valid override.
  return 0;
}

/**
 * Before the editor opens: staged AI-attributed changes in deny zones that the message
 * so far (-m, -F, --trailer, a template) does not cover with a valid signed override.
 * Only a heads-up: the verdict is commit-msg's. Any failure here is commit-msg's to report.
 */
async function headsUp(io: Io, messageFile: string): Promise<void> {
  let v: Finding[];
  try {
    const ws = await openWorkspace(io, undefined);
    const localSignals = (files: readonly FileChange[]) => ledgerSignalsForStaged(ws.ctx, ws.repo, ws.policy.tools, files);
    const r = await checkStaged(ws.ctx, ws.repo, ws.policy, ws.trust, { messageFile, localSignals }, io.now());
    v = r.findings.filter((f) => f.outcome === 'violation' && f.verdict === 'deny');
  } catch {
    return;
  }
  if (!v.length) return;
  const zones = [...new Set(v.map((f) => f.zone))].join(', ');
  io.stderr(
    `cleanroom: heads-up — ${v.length} staged change${v.length === 1 ? '' : 's'} in ${zones} (deny) carr${v.length === 1 ? 'ies' : 'y'} AI attribution ` +
      `(${[...new Set(v.map((f) => f.tool))].join(', ')}); the commit will be refused unless its message carries an approver's signed override.\n`,
  );
}

/** The tool table without requiring a valid policy: provenance is recorded regardless. */
async function toolTable(io: Io, repo: Repo): Promise<ToolTable> {
  try {
    const file = policyPath(io, repo.root, undefined);
    if (existsSync(file)) return (await loadPolicyCached(readFileSync(file, 'utf8'), POLICY_PATH, repo.stateDir, VERSION)).tools;
  } catch {
    // An invalid policy is commit-msg's to report; the built-in table still records provenance.
  }
  return compileToolTable(builtinTools as ToolTableSpec);
}

/** One `Assisted-by: TOOL[:MODEL]` per tool (kernel convention AGENT:MODEL). */
export function assistedByTrailers(signals: readonly Signal[]): string[] {
  const models = new Map<string, string | undefined>();
  for (const s of signals) if (!models.get(s.tool)) models.set(s.tool, s.model?.replace(/[^\w.@/+-]/g, '') || undefined);
  return [...models].sort(([a], [b]) => a.localeCompare(b)).map(([t, m]) => `Assisted-by: ${t}${m ? `:${m}` : ''}`);
}

async function prepareCommitMsg(io: Io, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw usageError('hook prepare-commit-msg: missing the message file argument');
  const ctx = gitContext(io);
  const repo = await openRepo(ctx);
  await recordAmend(ctx, repo, args[1], args[2]);
  const table = await toolTable(io, repo);
  const signals = [...envSignals(table, io.env)];
  signals.push(...(await ledgerSignalsForStaged(ctx, repo, table)));
  const trailers = assistedByTrailers(signals);
  if (trailers.length) await addTrailers(ctx, file, trailers);
  if (args[1] !== 'merge' && args[1] !== 'squash') await headsUp(io, file);
  return 0;
}

// `git commit --amend` replaces HEAD, and only prepare-commit-msg is told ("commit HEAD").
// It leaves a note for commit-msg, which then judges against the amended commit's parent.
const AMEND_NOTE = 'amending';

async function recordAmend(ctx: GitContext, repo: Repo, source: string | undefined, sha: string | undefined): Promise<void> {
  const note = join(repo.stateDir, AMEND_NOTE);
  rmSync(note, { force: true });
  if (source !== 'commit' || !sha) return;
  if ((await verifyRev(ctx, 'HEAD')) === sha) writeAtomic(note, sha);
}

/**
 * Is the `git commit` that runs this hook an `--amend`? With -m, prepare-commit-msg is
 * told "message", not "commit HEAD", so we also look at the git process that started us
 * (Linux /proc; walking up through husky's shells). Best effort: the server and CI judge
 * the amended commit whatever happens here.
 */
function gitCommitIsAmend(startPid: number): boolean {
  let pid = startPid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    let argv: string[];
    let stat: string;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return false; // no /proc (macOS, Windows)
    }
    if (/(^|\/)git$/.test(argv[0] ?? '') && argv.includes('commit')) return argv.includes('--amend');
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

/** The base commit-msg diffs against: HEAD, or the parent of the commit being amended. */
async function amendBase(ctx: GitContext, repo: Repo, ppid: number): Promise<string | undefined> {
  const note = join(repo.stateDir, AMEND_NOTE);
  let amending = gitCommitIsAmend(ppid);
  if (existsSync(note)) {
    const sha = readFileSync(note, 'utf8').trim();
    rmSync(note, { force: true });
    amending ||= (await verifyRev(ctx, 'HEAD')) === sha; // else stale
  }
  if (!amending) return undefined;
  return (await verifyRev(ctx, 'HEAD^1')) ?? repo.emptyTree;
}

export async function addTrailers(ctx: GitContext, file: string, trailers: readonly string[]): Promise<void> {
  // `git merge` writes MERGE_MSG without a final newline; interpret-trailers would then
  // append to the subject line instead of adding a trailer block.
  const text = readFileSync(file, 'utf8');
  if (text && !text.endsWith('\n')) writeFileSync(file, text + '\n');
  const args = ['interpret-trailers', '--in-place', '--if-exists', 'addIfDifferent'];
  for (const t of trailers) args.push('--trailer', t);
  await runGit(ctx, [...args, file]);
}

async function commitMsg(io: Io, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw usageError('hook commit-msg: missing the message file argument');
  const ws = await openWorkspace(io, undefined);
  const base = await amendBase(ws.ctx, ws.repo, io.ppid ?? 0);
  const localSignals = (files: readonly FileChange[]) => ledgerSignalsForStaged(ws.ctx, ws.repo, ws.policy.tools, files);
  const r = await checkStaged(ws.ctx, ws.repo, ws.policy, ws.trust, { messageFile: file, localSignals, base }, io.now());
  return report(io, r.findings, r.notes, 'commit');
}

/** stdin: "<local ref> <local sha> <remote ref> <remote sha>" per ref being pushed. */
export function parsePrePushLines(text: string): { localRef: string; local: string; remoteRef: string; remote: string }[] {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const parts = line.trim().split(' ');
    if (parts.length !== 4 || !isObjectId(parts[1]!) || !isObjectId(parts[3]!)) {
      throw new CleanroomError('input', `unexpected pre-push input line: ${line.slice(0, 120)}`);
    }
    out.push({ localRef: parts[0]!, local: parts[1]!, remoteRef: parts[2]!, remote: parts[3]! });
  }
  return out;
}

/** The policy the server will use: the remote's default branch as last fetched, if any. */
async function remotePolicy(ctx: GitContext, remote: string): Promise<PolicySource | undefined> {
  if (!/^[\w.-]+$/.test(remote)) return undefined;
  const head = await verifyRev(ctx, `refs/remotes/${remote}/HEAD^{commit}`);
  if (head === undefined) return undefined;
  const { policyFromRev } = await import('../check/policy-source.js'); // keeps yaml off the commit path
  return policyFromRev(ctx, head, `${remote}/HEAD`);
}

async function prePush(io: Io, args: string[]): Promise<number> {
  const remote = args[0] ?? 'origin';
  const ctx = gitContext(io);
  await openRepo(ctx);
  const lines = parsePrePushLines((await readStdin(io, 1024 * 1024)).toString('utf8'));
  // Judge as the server will: its default branch's policy, and guard .cleanroom/ changes.
  const pinned = await remotePolicy(ctx, remote);
  const source: PolicySource = pinned ?? (await workTreeSource(io, undefined));
  const findings: Finding[] = [];
  const notes: string[] = [];
  const remoteName = /^[\w.-]+$/.test(remote) ? remote : 'origin';
  for (const l of lines) {
    if (isZeroId(l.local)) continue; // deleting a ref introduces nothing
    let known = !isZeroId(l.remote);
    if (known) {
      const r = await runGit(ctx, ['cat-file', '-e', `${l.remote}^{commit}`], { okCodes: [1, 128] });
      known = r.code === 0;
    }
    // What the remote lacks: its old tip's history, or (new branch, unknown tip) what no
    // remote-tracking ref of this remote already has.
    const revArgs = known ? [l.local, `^${l.remote}`] : [l.local, '--not', `--remotes=${remoteName}`];
    const ids = revList(ctx, ['--reverse', '--topo-order', ...revArgs]);
    for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), { guardConfig: pinned !== undefined })) {
      findings.push(...j.findings);
      if (j.findings.length) notes.push(...j.notes);
    }
  }
  return report(io, findings, notes, 'push');
}

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) throw usageError('hook: missing the hook name', 'see cleanroom help hook');
  if (io.env.CLEANROOM === '0') {
    io.stderr(`cleanroom: CLEANROOM=0 — ${name} check SKIPPED (server and CI still enforce)\n`);
    return 0;
  }
  switch (name) {
    case 'pre-commit':
      return preCommit(io);
    case 'prepare-commit-msg':
      return prepareCommitMsg(io, args);
    case 'commit-msg':
      return commitMsg(io, args);
    case 'pre-push':
      return prePush(io, args);
    default:
      throw usageError(`hook: unknown hook "${name}"`, 'cleanroom handles pre-commit, prepare-commit-msg, commit-msg and pre-push');
  }
}
