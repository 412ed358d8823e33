// `cleanroom hook NAME ARGS…` — what the shims in hooks/ exec. Each local hook does one
// job; the verdict is commit-msg's (it is the first hook that sees the message).

import type { FileChange, Finding, Signal } from '../core/types.js';
import { CleanroomError, usageError } from '../errors.js';
import { runGit, spawnGit, verifyRev, type GitContext } from '../git/git.js';
import { isZeroId, openRepo, type Repo } from '../git/repo.js';
import { compileToolTable, type ToolTable, type ToolTableSpec } from '../signals/tools.js';
import builtinTools from '../policy/generated/builtin-tools.js';
import { envSignals } from '../signals/detect.js';
import { detectReplay } from './replay.js';
import { configGuard, touchesGuard } from '../policy/paths.js';
import {
  gitContext,
  loadPolicyOnce,
  openWorkspace,
  POLICY_PATH,
  policyPath,
  sparseCopy,
  workTreeSource,
} from './context.js';
import type { PolicySource } from '../check/policy-source.js';
import { stagedDiff, type StagedDiff } from '../git/staged.js';
import {
  indexLinkModeCount,
  linksAreKnown,
  LINKS_NOTE,
  noteHarmlessLinks,
} from './fastpath-links.js';
import { ledgerSize } from '../signals/ledger-file.js';
import { localInvocation, readStdin, type Io } from './io.js';
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Policy } from '../policy/compile.js';
import { createHash } from 'node:crypto';
import { writeAtomic } from '../fsutil.js';
import { isObjectId } from '../git/object-id.js';

// The judge (check/staged.ts: grants, SSHSIG, links) and the report load when a hook
// judges, not on every prepare-commit-msg: with a ledger that hook runs on every commit
// and, outside the zones, needs neither (issue 14).
const judge = () => import('../check/staged.js');
const textReport = () => import('../report/text.js');

async function report(
  io: Io,
  findings: readonly Finding[],
  notes: readonly string[],
  context: 'commit' | 'push',
  noApprovers: string | undefined,
): Promise<number> {
  const [{ renderText }, { styleFor }] = await Promise.all([textReport(), import('../escape.js')]);
  const violated = findings.some((f) => f.outcome === 'violation');
  const text = renderText(
    { findings, notes },
    {
      style: styleFor(io.env, io.stderrIsTTY),
      context,
      quiet: true,
      noApprovers,
      // Both hooks run on the machine where the ways out are typed (the server's
      // pre-receive reports through src/cli/pre-receive.ts, which never says this).
      run: violated ? localInvocation(io) : undefined,
    },
  );
  if (text) io.stderr(text);
  return violated ? 1 : 0;
}

/**
 * The ledger's signals for the staged files (src/cli/local-signals.ts), or none when the
 * repository has no ledger entries: the ledger code (key log, zlib) then never loads.
 */
async function ledgerSignals(
  ctx: GitContext,
  repo: Repo,
  tools: ToolTable,
  files: readonly FileChange[],
): Promise<Signal[]> {
  if (repo.bare || ledgerSize(repo.ledgerDir) === 0) return [];
  const { ledgerSignalsForStaged } = await import('./local-signals.js');
  return ledgerSignalsForStaged(ctx, repo, tools, files);
}

async function preCommit(_io: Io): Promise<number> {
  // Nothing to judge yet: reviews and overrides live in the message, which pre-commit
  // cannot see. The heads-up for deny zones is prepare-commit-msg's (headsUp below),
  // which sees the message so far and stays quiet when it carries a valid override.
  return 0;
}

/** The policy prepare-commit-msg loaded (its text, for the fast-path notes' sha256). */
interface LoadedPolicy {
  policy: Policy;
  text: string;
}

/**
 * Before the editor opens: staged AI-attributed changes in deny zones that the message
 * so far (-m, -F, --trailer, a template) does not cover with a valid signed override.
 * Only a heads-up: the verdict is commit-msg's. Any failure here is commit-msg's to report.
 */
async function headsUp(
  io: Io,
  messageFile: string,
  opened: {
    ctx: GitContext;
    repo: Repo;
    staged: () => Promise<StagedDiff>;
    loaded: LoadedPolicy | undefined;
  },
): Promise<void> {
  let v: Finding[];
  try {
    // Nothing in a zone and no link to put it there: no deny finding can come (issue 14:
    // prepare-commit-msg runs on every commit of a repository with a ledger). Asked of the
    // policy already loaded for the tool table, before the trust files and the judge load.
    const files = (await opened.staged()).files;
    if (opened.loaded && !(await mayReachZones(io, opened, opened.loaded, files))) return;
    const ws = await openWorkspace(io, undefined, opened);
    if (
      !opened.loaded &&
      !(await mayReachZones(io, ws, { policy: ws.policy, text: ws.policyText }, files))
    )
      return;
    const localSignals = (files: readonly FileChange[]) =>
      ledgerSignals(ws.ctx, ws.repo, ws.policy.tools, files);
    const { checkStaged } = await judge();
    const r = await checkStaged(
      ws.ctx,
      ws.repo,
      ws.policy,
      ws.trust,
      { messageFile, localSignals, diff: await opened.staged(), configFromBase: ws.own },
      io.now(),
    );
    v = r.findings.filter((f) => f.outcome === 'violation' && f.verdict === 'deny');
  } catch {
    return;
  }
  if (!v.length) return;
  const zones = [...new Set(v.map((f) => f.zone))].join(', ');
  io.stderr(
    `cleanroom: heads-up — ${v.length} staged change${v.length === 1 ? '' : 's'} in ${zones} (deny) carr${v.length === 1 ? 'ies' : 'y'} AI attribution ` +
      `(${[...new Set(v.map((f) => f.tool))].join(', ')}); the commit will be refused unless its message carries an approver's signed override.\n` +
      // Which content matched (the ledger names the lines): the verdict may show only the trailer.
      v.map((f) => `  ${f.path}: ${f.signal}\n`).join(''),
  );
}

/** The index file git uses for this commit (`GIT_INDEX_FILE`: `commit -a`, `--only`). */
function indexFileOf(io: Io, repo: Repo): string {
  return io.env.GIT_INDEX_FILE
    ? resolve(io.cwd, io.env.GIT_INDEX_FILE)
    : join(repo.gitDir, 'index');
}

/**
 * Can any staged change be judged in a zone? True when a staged path (or a rename's
 * source) is in one, or when the index holds a symlink, which can alias a staged file
 * into a zone (src/check/links.ts), or a gitlink, judged by the zones under its path —
 * unless they are exactly the links the full check last recorded under this policy and
 * no staged path is one of them or at or under a symlink's target
 * (src/cli/fastpath-links.ts). A symlink's mode is stored in the index file as
 * the bytes 00 00 A0 00, a gitlink's as 00 00 E0 00, so their absence proves there is
 * none. A split index (entries in sharedindex.*), a sparse one (`sdir`) or an index that
 * cannot be read counts as maybe.
 */
async function mayReachZones(
  io: Io,
  opened: { ctx: GitContext; repo: Repo },
  loaded: LoadedPolicy,
  files: readonly FileChange[],
): Promise<boolean> {
  const { policy } = loaded;
  const inZone = (p: string | undefined) => p !== undefined && policy.zonesFor(p).length > 0;
  if (files.some((f) => inZone(f.path) || inZone(f.from))) return true;
  try {
    // hooks/prepare-commit-msg counts them in shell (two greps) when it can: reading the
    // whole index here costs more (issue 14). The shim sets the variable itself, never
    // passes the caller's on; and it only decides whether this heads-up is computed.
    const told = io.env.CLEANROOM_INDEX_LINKS;
    let count: number;
    if (told !== undefined && /^[0-9]{1,9}$/.test(told)) count = Number(told);
    else {
      if (readdirSync(opened.repo.gitDir).some((n) => n.startsWith('sharedindex.'))) return true;
      const index = readFileSync(indexFileOf(io, opened.repo));
      if (index.indexOf('sdir') >= 0) return true;
      count = indexLinkModeCount(index);
    }
    if (count === 0) return false;
    const digest = createHash('sha256').update(loaded.text, 'utf8').digest('hex');
    const paths = files.flatMap((f) => (f.from === undefined ? [f.path] : [f.path, f.from]));
    return !(await linksAreKnown(opened.ctx, opened.repo, digest, count, paths));
  } catch {
    return true;
  }
}

/**
 * The work tree's policy and its text, without requiring a valid one (provenance is
 * recorded regardless): undefined when it is absent or invalid (commit-msg reports it).
 */
async function workTreePolicy(io: Io, repo: Repo): Promise<LoadedPolicy | undefined> {
  try {
    const file = policyPath(io, repo.root, undefined);
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      return { policy: await loadPolicyOnce(text, POLICY_PATH, repo.stateDir), text };
    }
    // A sparse checkout that leaves .cleanroom/ out: the staged policy still names the tools.
    const staged =
      repo.root && file === join(repo.root, POLICY_PATH)
        ? await sparseCopy(gitContext(io), repo.root, POLICY_PATH)
        : undefined;
    if (staged !== undefined)
      return { policy: await loadPolicyOnce(staged, POLICY_PATH, repo.stateDir), text: staged };
  } catch {
    // An invalid policy is commit-msg's to report; the built-in table still records provenance.
  }
  return undefined;
}

/** One `Assisted-by: TOOL[:MODEL]` per tool (kernel convention AGENT:MODEL). */
export function assistedByTrailers(signals: readonly Signal[]): string[] {
  const models = new Map<string, string | undefined>();
  for (const s of signals)
    if (!models.get(s.tool)) models.set(s.tool, s.model?.replace(/[^\w.@/+-]/g, '') || undefined);
  return [...models]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([t, m]) => `Assisted-by: ${t}${m ? `:${m}` : ''}`);
}

async function prepareCommitMsg(io: Io, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw usageError('hook prepare-commit-msg: missing the message file argument');
  const ctx = gitContext(io);
  const repo = await openRepo(ctx);
  await recordAmend(ctx, repo, args[1], args[2]);
  const loaded = await workTreePolicy(io, repo);
  const table = loaded?.policy.tools ?? compileToolTable(builtinTools as ToolTableSpec);
  const message = readFileSync(file, 'utf8');
  const replay = await detectReplay(ctx, repo, message, args[1]);
  let env = envSignals(table, io.env);
  // The staged diff is read once for the ledger lookup and the heads-up (nothing changes
  // the index while the hook runs), and only when one of them needs it.
  let diff: Promise<StagedDiff> | undefined;
  const staged = (): Promise<StagedDiff> => (diff ??= stagedDiff(ctx, repo));
  // A replay in an agent's session that changes the policy or its trust files: git runs
  // neither pre-commit nor commit-msg for `git revert` or `git cherry-pick`, so this is
  // the one hook that sees it. An agent that reverts the commit that tightened the policy
  // would be judged by the looser one from then on (its hooks trust the committed
  // policy): refused here, as commit-msg refuses such a commit made by hand. A rebase
  // replays commits already judged and keeps its attribution (the server asks for the
  // override).
  const guard = replay && env.length && loaded ? configGuard(loaded.policy) : undefined;
  const config = guard !== undefined && (await staged()).files.some((f) => touchesGuard(f, guard));
  if (
    config &&
    (replay!.kind === 'revert' || replay!.kind === 'cherry-pick') &&
    io.env.CLEANROOM !== '0'
  ) {
    io.stderr(
      `cleanroom: this ${replay!.kind} changes the cleanroom policy or its trust files in an agent's session (${[...new Set(env.map((s) => s.tool))].join(', ')}): refused — a human makes this change from their own shell, with an approver's override (docs/overrides-and-reviews.md)\n`,
    );
    return 1;
  }
  // An agent that runs a rebase or cherry-pick wrote nothing it replays unchanged.
  if (
    replay &&
    env.length &&
    !config &&
    (await (await import('./replay.js')).isPureReplay(ctx, repo, replay))
  ) {
    io.stderr(
      `cleanroom: ${replay.kind} of ${replay.original?.slice(0, 12)} replays its change unchanged — not attributed to ${[...new Set(env.map((s) => s.tool))].join(', ')}\n`,
    );
    env = [];
  }
  const signals = [...env];
  const withLedger = !repo.bare && ledgerSize(repo.ledgerDir) > 0;
  signals.push(
    ...(withLedger ? await ledgerSignals(ctx, repo, table, (await staged()).files) : []),
  );
  if (replay) {
    // The replayed commits keep their provenance (a fixup!'s message is discarded by --autosquash).
    // Added unless a real trailer (Git's rules) already names the tool: a squash message
    // quotes the squashed commits' trailers indented, where an editor may lose them.
    const [{ parseTrailers }, { detectSignals }, { carriedSignals }] = await Promise.all([
      import('../signals/trailers.js'),
      import('../signals/detect.js'),
      import('./replay.js'),
    ]);
    const block = parseTrailers(message, { noDivider: false }).map((t) => t.text);
    const present = new Set(
      detectSignals(table, { message: `x\n\n${block.join('\n')}\n` }).map((s) => s.tool),
    );
    signals.push(...(await carriedSignals(ctx, table, replay)).filter((s) => !present.has(s.tool)));
  }
  // The agent environment also marks the commit as made in that agent's session: there,
  // only signed grants count.
  const tools = [...new Set(env.map((s) => s.tool))].sort();
  const key = tools.length ? (await import('../check/change.js')).AGENT_SESSION_TRAILER : '';
  const session = tools.map((t) => `${key}: ${t}`);
  const trailers = [...assistedByTrailers(signals), ...session];
  // The deny-zone heads-up is a check: CLEANROOM=0 and --no-verify skip it (provenance is
  // still written). Before the trailers, so it names what matched (the ledger's lines),
  // not the Assisted-by it caused.
  if (
    args[1] !== 'merge' &&
    args[1] !== 'squash' &&
    io.env.CLEANROOM !== '0' &&
    !gitCommitNoVerify(io.ppid ?? 0)
  )
    await headsUp(io, file, {
      ctx,
      repo,
      staged,
      // Another policy file than the work tree's (a bare repository's configured one):
      // openWorkspace finds it.
      loaded: repo.root ? loaded : undefined,
    });
  if (trailers.length) await addTrailers(ctx, file, trailers);
  return 0;
}

// `git commit --amend` replaces HEAD, and only prepare-commit-msg is told ("commit HEAD").
// It leaves a note for commit-msg, which then judges against the amended commit's parent.
const AMEND_NOTE = 'amending';

async function recordAmend(
  ctx: GitContext,
  repo: Repo,
  source: string | undefined,
  sha: string | undefined,
): Promise<void> {
  const note = join(repo.stateDir, AMEND_NOTE);
  rmSync(note, { force: true });
  if (source !== 'commit' || !sha) return;
  if ((await verifyRev(ctx, 'HEAD')) === sha) writeAtomic(note, sha);
}

/**
 * The arguments of the `git commit` that runs this hook, found by walking up from
 * `startPid` (Linux /proc; through husky's shells); undefined elsewhere (macOS, Windows)
 * or when no such process is found. Best effort: what depends on it is advice or a
 * base, and the server and CI judge the commit whatever happens here.
 */
function gitCommitArgv(startPid: number): string[] | undefined {
  let pid = startPid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    let argv: string[];
    let stat: string;
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return undefined; // no /proc (macOS, Windows)
    }
    if (/(^|\/)git$/.test(argv[0] ?? '') && argv.includes('commit')) return argv;
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return undefined;
}

/**
 * Is the `git commit` that runs this hook an `--amend`? With -m, prepare-commit-msg is
 * told "message", not "commit HEAD", so we also look at the git process that started us.
 */
function gitCommitIsAmend(startPid: number): boolean {
  return gitCommitArgv(startPid)?.some((a) => a.length >= 4 && '--amend'.startsWith(a)) ?? false;
}

/**
 * Was the commit started with `--no-verify` (`-n`)? git still runs prepare-commit-msg
 * then, but not commit-msg: a heads-up that "the commit will be refused" would be wrong.
 */
function gitCommitNoVerify(startPid: number): boolean {
  const argv = gitCommitArgv(startPid) ?? [];
  const end = argv.indexOf('--');
  return argv
    .slice(0, end < 0 ? undefined : end)
    .some((a) => a === '-n' || (a.length >= 7 && '--no-verify'.startsWith(a)));
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

export async function addTrailers(
  ctx: GitContext,
  file: string,
  trailers: readonly string[],
): Promise<void> {
  // `git merge` writes MERGE_MSG without a final newline; interpret-trailers would then
  // append to the subject line instead of adding a trailer block.
  const text = readFileSync(file, 'utf8');
  if (text && !text.endsWith('\n')) writeFileSync(file, text + '\n');
  const args = ['interpret-trailers', '--in-place', '--if-exists', 'addIfDifferent'];
  for (const t of trailers) args.push('--trailer', t);
  await runGit(ctx, [...args, file]);
}

/**
 * The zone test of the commit-msg fast path (hooks/lib/no-ai-signal.sh,
 * cleanroom_no_zone_path): for each glob of each zone's `paths`, a grep pattern (basic
 * regular expression, matched case-insensitively against each staged path) that every
 * path the glob matches also matches — the glob's plain runs (letters, digits, `_`, `-`,
 * `.`, `/`) in order, anything else between them as `.*`: `evals/tasks/**` →
 * `^evals/tasks`, `evals/*.py` → `^evals.*\.py`, and a glob that starts with a wildcard
 * (`**`, then `/answer_key*`) → `^.*answer_key`. It can only match more than the glob:
 * - a `/` beside a wildcard is dropped (`a/**` matches `a`; `**`, then `/b`, matches `b`);
 * - from the first to the last bracket of any kind (`{a,b}`, `[ab]`, `@(a|b)`) is all
 *   wildcard: a plain run inside one is not required;
 * - a glob that starts with `!`, `./` or `/`, or holds `//`, `|` or `\` (negation,
 *   picomatch's own rewriting, escapes) gives `^`, which matches every path.
 * Excludes are left out: a path too many only costs the full check.
 * test/repo/core/fast-path.test.ts checks it against the policy's own matcher.
 */
export function zonePrefixPatterns(policy: {
  zones: readonly { paths: readonly string[] }[];
}): string[] {
  const out = new Set<string>();
  for (const z of policy.zones) for (const glob of z.paths) out.add(globPattern(glob));
  return [...out];
}

function globPattern(glob: string): string {
  if (/^(!|\.\/|\/)|\/\/|[|\\]/.test(glob)) return '^';
  const chars = [...glob];
  const bracket = (c: string) => '{[()]}'.includes(c);
  const first = chars.findIndex(bracket);
  const last = chars.length - 1 - [...chars].reverse().findIndex(bracket);
  // `.` is not plain: picomatch leaves it unescaped before a brace range
  // (`data/train.{1..9}/**` matches `data/train_3/x`), so it stands for any character.
  const plain = (c: string, i: number) =>
    /^[A-Za-z0-9_/-]$/.test(c) && (first < 0 || i < first || i > last);
  // The plain runs, each marked with whether a wildcard stands before / after it.
  const runs: { text: string; wildBefore: boolean; wildAfter: boolean }[] = [];
  let cur = '';
  let wild = false;
  chars.forEach((c, i) => {
    if (plain(c, i)) return void (cur += c);
    if (cur) runs.push({ text: cur, wildBefore: wild, wildAfter: true });
    cur = '';
    wild = true;
  });
  if (cur) runs.push({ text: cur, wildBefore: wild, wildAfter: false });
  const body = runs
    .map((r) => {
      let t = r.text;
      if (r.wildBefore) t = t.replace(/^\/+/, '');
      t = t.replace(/\/+$/, ''); // before a wildcard, or a glob's trailing `/`
      return t.replace(/\./g, '\\.');
    })
    .filter((t) => t !== '');
  const leadingWild = chars.length > 0 && !plain(chars[0]!, 0);
  return `^${leadingWild ? '.*' : ''}${body.join('.*')}`;
}

/** The zones note's second line: its zone patterns follow. */
const ZONES_FORM = 'zones-v1';

/**
 * The commit-msg fast path (hooks/lib/no-ai-signal.sh) skips Node only for a policy this
 * full check has loaded without error: record its sha256 in `<state>/fastpath`, and in
 * `<state>/fastpath.zones` followed by `zones-v1` and the zone patterns
 * (zonePrefixPatterns) for an agent's commits; or remove both records when the policy is
 * not the work tree's default file or defines its own tools (the shell knows only the
 * built-in table's needles). Two files, so that a cleanroom without the zone path, run
 * in the same repository, keeps its note as it wrote it. Returns the policy's sha256 when
 * the notes were written (the links note, src/cli/fastpath-links.ts, follows it).
 */
export function noteFastPathPolicy(
  io: Io,
  ws: {
    repo: Repo;
    policy: { tools: ToolTable; zones: readonly { paths: readonly string[] }[] };
    policyFile: string;
    policyText: string;
  },
): string | undefined {
  const note = join(ws.repo.stateDir, 'fastpath');
  const zones = join(ws.repo.stateDir, 'fastpath.zones');
  try {
    const usable =
      !io.env.CLEANROOM_POLICY &&
      ws.repo.root !== null &&
      ws.policyFile === join(ws.repo.root, POLICY_PATH) &&
      ws.policy.tools.extraRows === 0;
    if (!usable) {
      rmSync(zones, { force: true });
      rmSync(note, { force: true });
      return undefined;
    }
    // The text that was judged, never the file read again: a policy changed meanwhile (an
    // editor's save, a pull) must not be vouched for unseen — it may define its own tools.
    // Its bytes, where they were valid UTF-8, are what `sha256sum` in the shell reads.
    const digest = createHash('sha256').update(ws.policyText, 'utf8').digest('hex');
    // lstat first: a FIFO put at a note would block the read (replaced, it is harmless).
    const current = (file: string) =>
      lstatSync(file, { throwIfNoEntry: false })?.isFile() ? readFileSync(file, 'utf8') : undefined;
    if (current(note)?.trim() !== digest) writeAtomic(note, `${digest}\n`);
    const text = [digest, ZONES_FORM, ...zonePrefixPatterns(ws.policy), ''].join('\n');
    if (current(zones) !== text) writeAtomic(zones, text);
    return digest;
  } catch {
    // a read-only .git: no fast path, the full check runs every time
    return undefined;
  }
}

async function commitMsg(io: Io, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw usageError('hook commit-msg: missing the message file argument');
  const ws = await openWorkspace(io, undefined);
  const base = await amendBase(ws.ctx, ws.repo, io.ppid ?? 0);
  const localSignals = (files: readonly FileChange[]) =>
    ledgerSignals(ws.ctx, ws.repo, ws.policy.tools, files);
  const { checkStaged } = await judge();
  const r = await checkStaged(
    ws.ctx,
    ws.repo,
    ws.policy,
    ws.trust,
    { messageFile: file, localSignals, base, configFromBase: ws.own },
    io.now(),
  );
  const digest = noteFastPathPolicy(io, ws);
  try {
    // The index's links, when every one is harmless under this policy: the zone path then
    // compares instead of sending every commit here (src/cli/fastpath-links.ts).
    if (digest !== undefined)
      await noteHarmlessLinks(ws.ctx, ws.repo, ws.policy, digest, indexFileOf(io, ws.repo));
    else rmSync(join(ws.repo.stateDir, LINKS_NOTE), { force: true });
  } catch {
    // no note: links keep taking the full check
  }
  return report(io, r.findings, r.notes, 'commit', (await textReport()).missingApprovers(ws));
}

/** stdin: "<local ref> <local sha> <remote ref> <remote sha>" per ref being pushed. */
export function parsePrePushLines(
  text: string,
): { localRef: string; local: string; remoteRef: string; remote: string }[] {
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

/** How long `git ls-remote` may take to name the remote's default branch. */
const LS_REMOTE_MS = 15_000;

/**
 * `git ls-remote --symref REMOTE HEAD`, ended after LS_REMOTE_MS (a remote that does not
 * answer must not hang the push). Sample output:
 *
 *   ref: refs/heads/main\tHEAD
 *   5c1e0a…\tHEAD
 *
 * Returns the commit the remote's HEAD points at, null when the remote has no HEAD (an
 * empty repository), or throws when the remote cannot be asked.
 */
async function remoteHead(
  ctx: GitContext,
  remote: string,
): Promise<{ ref: string | undefined; id: string } | null> {
  const args = ['ls-remote', '--symref', '--end-of-options', remote, 'HEAD'];
  const child = spawnGit(ctx, args, { group: true });
  child.stdin.end();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.length < 16 && err.push(b));
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', (c) => resolve(c));
    timer = setTimeout(() => {
      // Answer now: an ssh grandchild may hold the pipes open after git is gone.
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL'); // git and whatever transport it started
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
      resolve(null);
    }, LS_REMOTE_MS);
  });
  clearTimeout(timer);
  const why = timedOut
    ? `no answer within ${LS_REMOTE_MS / 1000} s`
    : Buffer.concat(err).toString('utf8').trim().split('\n')[0] || `exit code ${String(code)}`;
  if (code !== 0) {
    throw new CleanroomError(
      'git',
      `pre-push: cannot tell which branch is the default of ${remote} (refs/remotes/${remote}/HEAD is not set, and git ls-remote failed: ${why})`,
      `run \`git remote set-head ${remote} --auto\` (or \`git remote set-head ${remote} main\`) once, then push again`,
    );
  }
  const text = Buffer.concat(out).toString('utf8');
  const ref = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(text)?.[1];
  const id = /^([0-9a-f]{40}|[0-9a-f]{64})\tHEAD$/m.exec(text)?.[1];
  return id === undefined ? null : { ref, id };
}

/**
 * The policy the server will use: the remote's default branch, as last fetched
 * (`refs/remotes/R/HEAD`) or, when that is not set (the normal state after `git init`,
 * `git remote add`, `git push -u`), as the remote names it now (`git ls-remote --symref`).
 * undefined only when the remote is empty (no default branch, so no policy to guard).
 * Never the work tree's: that would skip the `.cleanroom/` guard.
 */
async function remotePolicy(
  ctx: GitContext,
  remote: string,
  url: string | undefined,
): Promise<PolicySource | undefined> {
  const { policyFromRev } = await import('../check/policy-source.js'); // keeps yaml off the commit path
  const named = /^[\w.-]+$/.test(remote);
  if (named) {
    const head = await verifyRev(ctx, `refs/remotes/${remote}/HEAD^{commit}`);
    if (head !== undefined) return policyFromRev(ctx, head, `${remote}/HEAD`);
  }
  const target = named ? remote : (url ?? remote);
  if (!target || target.startsWith('-'))
    throw usageError(`pre-push: invalid remote ${JSON.stringify(target)}`);
  const head = await remoteHead(ctx, target);
  if (head === null) return undefined;
  const label = head.ref ? `${remote}:${head.ref.replace(/^refs\/heads\//, '')}` : `${remote}/HEAD`;
  if ((await verifyRev(ctx, `${head.id}^{commit}`)) === undefined) {
    throw new CleanroomError(
      'git',
      `pre-push: the default branch of ${remote} (${label}, ${head.id.slice(0, 12)}) is not in this clone, so its policy cannot be read`,
      `run \`git fetch ${named ? remote : '<remote>'}\` (and \`git remote set-head ${named ? remote : '<remote>'} --auto\`), then push again`,
    );
  }
  return policyFromRev(ctx, head.id, label);
}

async function prePush(io: Io, args: string[]): Promise<number> {
  const remote = args[0] ?? 'origin';
  const ctx = gitContext(io);
  await openRepo(ctx);
  const lines = parsePrePushLines((await readStdin(io, 1024 * 1024)).toString('utf8'));
  // Judge as the server will: its default branch's policy, and guard .cleanroom/ changes.
  const pinned = await remotePolicy(ctx, remote, args[1]);
  const source: PolicySource = pinned ?? (await workTreeSource(io, undefined));
  const findings: Finding[] = [];
  const notes: string[] = [];
  const remoteName = /^[\w.-]+$/.test(remote) ? remote : 'origin';
  // The history judge loads only for a push: the commit hooks never walk history.
  const [{ judgeCommits, refuseShallowBoundary }, { revList }, { assertWellFormedTrees }] =
    await Promise.all([
      import('../check/range.js'),
      import('../git/commits.js'),
      import('../git/trees.js'),
    ]);
  for (const l of lines) {
    if (isZeroId(l.local)) continue; // deleting a ref introduces nothing
    let known = !isZeroId(l.remote);
    if (known) {
      const r = await runGit(ctx, ['cat-file', '-e', `${l.remote}^{commit}`], {
        okCodes: [1, 128],
      });
      known = r.code === 0;
    }
    // What the remote lacks: its old tip's history, or (new branch, unknown tip) what no
    // remote-tracking ref of this remote already has.
    const revArgs = known
      ? [l.local, `^${l.remote}`]
      : [l.local, '--not', `--remotes=${remoteName}`];
    await assertWellFormedTrees(ctx, revArgs);
    const ids = refuseShallowBoundary(ctx, revList(ctx, ['--reverse', '--topo-order', ...revArgs]));
    for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), {
      guardConfig: pinned !== undefined,
    })) {
      findings.push(...j.findings);
      if (j.findings.length) notes.push(...j.notes);
    }
  }
  return report(io, findings, notes, 'push', (await textReport()).missingApprovers(source));
}

export async function hookCommand(argv: string[], io: Io): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined)
    throw usageError('hook: missing the hook name', 'see cleanroom help hook');
  // CLEANROOM=0 skips a check, never provenance: prepare-commit-msg (and applypatch-msg
  // through it) still writes Assisted-by, so the server and CI can still judge the commit.
  if (io.env.CLEANROOM === '0' && name !== 'prepare-commit-msg') {
    io.stderr(
      `cleanroom: CLEANROOM=0 — ${name} check SKIPPED (provenance is still recorded; the server and CI judge it where they are set up)\n`,
    );
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
      throw usageError(
        `hook: unknown hook "${name}"`,
        'cleanroom handles pre-commit, prepare-commit-msg, commit-msg and pre-push',
      );
  }
}
