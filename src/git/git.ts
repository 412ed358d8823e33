// The one door to git. Argument arrays, never a shell; stdin fed as data; output read
// as bytes (callers ask for -z); one GitError carrying the command and git's stderr.
// The environment is passed in whole so GIT_INDEX_FILE (git commit -a / PATH) and the
// pre-receive quarantine variables reach git untouched.

import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Writable } from 'node:stream';
import { CleanroomError } from '../errors.js';
import { gitEnded, live, teardown } from './live.js';

export interface GitContext {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Called with each argv when CLEANROOM_DEBUG=1. */
  readonly trace?: ((line: string) => void) | undefined;
  /**
   * Aborted when the work must stop (a deadline): every git process started with this
   * context is ended at once, and starting another throws `GitStopped`.
   */
  readonly signal?: AbortSignal | undefined;
}

export class GitError extends CleanroomError {
  readonly args: readonly string[];
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    const first =
      stderr.trim().split('\n').slice(0, 3).join(' / ') || `exit code ${String(exitCode)}`;
    // git's own words always reach the user; an object git cannot read gets the fix too.
    const absent =
      /(?:unable to read|could not read|could not fetch|missing (?:blob|tree|object)|bad object) ([0-9a-f]{40,64})/i.exec(
        stderr,
      )?.[1];
    super(
      'git',
      `git ${args.slice(0, 4).join(' ')}${args.length > 4 ? ' …' : ''} failed: ${first}`,
      absent
        ? `the repository lacks object ${absent} (a partial clone made with --filter, or a damaged object store): fetch it (git fetch --refetch, or clone without --filter; on a server, git fsck) and run again`
        : undefined,
    );
    this.name = 'GitError';
    this.args = args;
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

// --no-replace-objects: refs/replace/* can be pushed by anyone who can push; honouring
// them would let a pusher swap what cleanroom reads (a commit, the policy blob) for a
// decoy while everybody else's git shows the original.
// The `-c` pins: settings that change what the plumbing below prints, from any config
// file (an agent's `git config KEY VALUE` is not refused), GIT_CONFIG_COUNT/KEY_n/VALUE_n
// or GIT_CONFIG_PARAMETERS — a `-c` given here is read after all of those, so it wins
// (docs/design/field-notes.md, "git configuration and environment that shape plumbing
// output", has the table of what was tried and what changed nothing):
// - log.showRoot=false: `git log --find-object` (provenance) leaves the root commit's
//   diff out, so AI content a root commit added traced to no commit;
// - log.showSignature=true: `git log --format=…` prints "No signature"/gpg's words into
//   stdout before the commit (and runs gpg.program / gpg.ssh.program on every signed one);
// - i18n.logOutputEncoding: `git log --format` re-encodes everything it prints (UTF-16:
//   the audit's `%H %P` and the replayed commits' messages became unreadable);
// - diff.relative=true: run from a subdirectory, `git log --raw` lists only paths under it;
// - diff.orderFile: reorders the entries of `git log --raw` (/dev/null: none);
// - grep.lineNumber / grep.column: `git grep -z` puts numbers between path and text;
// - core.fsmonitor: every command that reads an index carrying the fsmonitor extension
//   runs that program (diff-index --cached and ls-files included);
// - submodule.recurse=true: `git grep HEAD` also searches checked-out submodules' trees;
// - log.mailmap: changed nothing cleanroom reads on git 2.39 (%an/%ae and --pretty=raw are
//   the stored identities); pinned so a .mailmap in the tree can never rename an author.
const BASE_ARGS = [
  '--no-replace-objects',
  '-c',
  'core.quotePath=false',
  '-c',
  'log.showRoot=true',
  '-c',
  'log.showSignature=false',
  '-c',
  'i18n.logOutputEncoding=UTF-8',
  '-c',
  'diff.relative=false',
  '-c',
  'diff.orderFile=/dev/null',
  '-c',
  'grep.lineNumber=false',
  '-c',
  'grep.column=false',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'log.mailmap=false',
  '-c',
  'submodule.recurse=false',
];

/**
 * Every diff and log cleanroom runs lists gitlink (submodule, mode 160000) changes.
 * `submodule.<name>.ignore = all` — in a committed `.gitmodules` (read from the work tree,
 * so a CI checkout or a local commit obeys the pusher's file), in config, or in
 * GIT_CONFIG_* / GIT_CONFIG_PARAMETERS — hides them from diff-tree, diff-index and log
 * --raw; `diff.ignoreSubmodules` hides them from log. A gitlink at `evals` over a deny
 * zone then passed where the same commit without the line was refused. The command-line
 * option wins over every such setting (diff.c handle_ignore_submodules_arg sets
 * override_submodule_config), on every git this tool supports.
 */
export const SHOW_GITLINKS = '--ignore-submodules=none';
// The commands whose output a setting above can thin; spawnGit refuses them without
// SHOW_GITLINKS, so a diff added later cannot forget it.
const DIFF_VERBS = new Set([
  'diff',
  'diff-tree',
  'diff-index',
  'diff-files',
  'log',
  'show',
  'whatchanged',
]);

/**
 * `ctx` for a git call that must not fetch absent objects from a promisor remote (a
 * partial clone): rename detection or a size query over history would otherwise fetch
 * blobs one by one, for minutes. `GIT_NO_LAZY_FETCH` is git ≥ 2.44's switch; on older
 * git, `GIT_ALLOW_PROTOCOL=none` (git's transport allow-list, git-config(1)
 * `protocol.allow`) makes the lazy fetch fail at once instead. Either way the absent
 * object is an error the caller handles (audit: scan.ts reports it as absent). Both win
 * over the caller's environment. Only for reads a decision can do without; content a
 * decision needs is fetched as git would.
 */
export const withoutLazyFetch = (ctx: GitContext): GitContext => ({
  ...ctx,
  env: { ...ctx.env, GIT_NO_LAZY_FETCH: '1', GIT_ALLOW_PROTOCOL: 'none' },
});

const DROPPED_ENV = [
  'GIT_LITERAL_PATHSPECS',
  'GIT_GLOB_PATHSPECS',
  'GIT_NOGLOB_PATHSPECS',
  'GIT_ICASE_PATHSPECS',
  'GIT_DIFF_OPTS',
  'GIT_EXTERNAL_DIFF',
  'GIT_SHALLOW_FILE',
];

function cleanEnv(env: GitContext['env']): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  // Plumbing output must not depend on the user's pager or locale-specific quoting.
  out.GIT_PAGER = 'cat';
  out.GIT_NO_REPLACE_OBJECTS = '1';
  // Messages are matched in a few places (bare repository, unborn HEAD): keep git's
  // English. LC_ALL=C also makes gettext ignore LANGUAGE.
  out.LC_ALL = 'C';
  out.GIT_TERMINAL_PROMPT = '0';
  // Variables that reshape what git reads or prints, which git never sets for a hook (the
  // agent's shell can: docs/design/field-notes.md). Pathspec magic: cleanroom writes its
  // own pathspecs (`:(top,literal)…`); GIT_LITERAL_PATHSPECS made that one a literal name
  // that matches nothing (a sparse checkout's staged policy was not found), and GLOB/ICASE
  // make ls-tree fail. GIT_DIFF_OPTS (-U) changes the patches `patch-id` compares;
  // GIT_EXTERNAL_DIFF runs a program for a textual diff. GIT_SHALLOW_FILE cuts history at
  // any commit it lists (git's own --shallow-file is an option, not this variable).
  for (const k of DROPPED_ENV) delete out[k];
  // Grafts rewrite parents for every walk and diff (`GIT_GRAFT_FILE`, or the repository's
  // info/grafts, deprecated since git 2.18 but still read): a walk stopped at a grafted
  // "root". A graft file that cannot exist (/dev/null is no directory: git skips ENOTDIR
  // silently) turns both off, as --no-replace-objects does replace refs. /dev/null itself
  // would too, but git then prints its deprecation hint over every error it reports.
  out.GIT_GRAFT_FILE = '/dev/null/grafts';
  return out;
}

/** Thrown when git is asked for work after the command's signal was aborted (or after `endGitProcesses`). */
export class GitStopped extends CleanroomError {
  constructor(args: readonly string[], why: string) {
    super('internal', `git ${args.slice(0, 2).join(' ')} not started: ${why}`);
    this.name = 'GitStopped';
  }
}

// The live set and endGitProcesses are in ./live.ts, which loads no node:child_process:
// the agent hook's entry calls endGitProcesses on every call, most of which start no git.
export { endGitProcesses, liveGitProcesses } from './live.js';

/** `group`: in a process group of its own, so a timeout can end git's helpers too (ssh, ext:: commands). */
export function spawnGit(
  ctx: GitContext,
  args: readonly string[],
  opts: { group?: boolean } = {},
): ChildProcessWithoutNullStreams {
  return start(ctx, args, 'pipe', opts.group === true) as ChildProcessWithoutNullStreams;
}

/**
 * `spawnGit` whose output goes straight into `into` (the stdin of another git process,
 * `child.stdin` of a spawnGit child): git writes into that pipe's file descriptor, and no
 * byte passes through Node. The returned child's `stdout` is null. The caller closes its
 * own end of `into` (`destroy()`, never `end()`, which would shut the pipe for both
 * writers) once this child has started, so the reader sees the end of input when this
 * child exits; until then the reader waits. Ended with the command like every git process.
 */
export function spawnGitInto(
  ctx: GitContext,
  args: readonly string[],
  into: Writable,
): ChildProcess & { stdin: Writable; stderr: NonNullable<ChildProcess['stderr']> } {
  return start(ctx, args, into, false) as ChildProcess & {
    stdin: Writable;
    stderr: NonNullable<ChildProcess['stderr']>;
  };
}

function start(
  ctx: GitContext,
  args: readonly string[],
  stdout: 'pipe' | Writable,
  group: boolean,
): ChildProcess {
  if (ctx.signal?.aborted)
    throw new GitStopped(args, String(ctx.signal.reason ?? 'the command was stopped'));
  if (gitEnded()) throw new GitStopped(args, 'the command has ended');
  if (DIFF_VERBS.has(args[0] ?? '') && !args.includes(SHOW_GITLINKS))
    throw new CleanroomError('internal', `git ${args[0]} without ${SHOW_GITLINKS}`);
  ctx.trace?.(`git ${args.join(' ')}`);
  const child = spawn('git', [...BASE_ARGS, ...args], {
    cwd: ctx.cwd,
    env: cleanEnv(ctx.env),
    stdio: ['pipe', stdout, 'pipe'],
    detached: group,
  });
  live.add(child);
  const signal = ctx.signal;
  const abort = (): void => teardown(child);
  signal?.addEventListener('abort', abort, { once: true });
  child.on('close', () => {
    live.delete(child);
    signal?.removeEventListener('abort', abort);
  });
  // spawn failures (ENOENT) surface as 'error' then 'close'; keep the set exact either way.
  child.on('error', () => live.delete(child));
  return child;
}

export interface RunOptions {
  input?: string | Buffer;
  /** Exit codes that are answers, not failures (e.g. 1 for `rev-parse --verify -q`). */
  okCodes?: readonly number[];
  maxBytes?: number;
}

export interface RunResult {
  stdout: Buffer;
  code: number;
}

/** Runs git to completion and returns its stdout; throws GitError on failure. */
export async function runGit(
  ctx: GitContext,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const { chunks, code } = await runGitChunks(ctx, args, opts);
  return { stdout: Buffer.concat(chunks), code };
}

/**
 * As runGit, with stdout as the pieces the pipe gave (in order, each a Buffer of its
 * own, up to 64 KB): a caller that reads them in turn (src/git/staged.ts
 * parseIndexDiff) is spared the copy that joins them, 12 MB of fresh pages for a
 * 100,000-file diff.
 */
export function runGitChunks(
  ctx: GitContext,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<{ chunks: Buffer[]; code: number }> {
  const maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawnGit(ctx, args);
    } catch (e) {
      reject(e instanceof GitStopped ? e : new GitError(args, null, (e as Error).message));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let failed: Error | undefined;
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > maxBytes) {
        failed = new GitError(args, null, `output larger than ${maxBytes} bytes`);
        child.kill();
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 64) err.push(b);
    });
    child.on('error', (e) => {
      failed = new GitError(
        args,
        null,
        e.message.includes('ENOENT') ? 'git is not installed or not on PATH' : e.message,
      );
    });
    child.stdin.on('error', () => {
      /* git may exit before reading all input; its exit code tells */
    });
    child.on('close', (code) => {
      if (failed) return reject(failed);
      if (code === null && ctx.signal?.aborted)
        return reject(new GitStopped(args, String(ctx.signal.reason ?? 'the command was stopped')));
      const c = code ?? -1;
      if (c === 0 || opts.okCodes?.includes(c)) resolve({ chunks: out, code: c });
      else reject(new GitError(args, code, Buffer.concat(err).toString('utf8')));
    });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

export async function gitText(
  ctx: GitContext,
  args: readonly string[],
  opts?: RunOptions,
): Promise<string> {
  return (await runGit(ctx, args, opts)).stdout.toString('utf8');
}

/** The object id `spec` names (`HEAD`, `main^{commit}`, `X^1`), or undefined when it names none. */
export async function verifyRev(ctx: GitContext, spec: string): Promise<string | undefined> {
  const r = await runGit(ctx, ['rev-parse', '-q', '--verify', spec], { okCodes: [1, 128] });
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** Splits `-z` output into fields (the trailing NUL terminates the last one). */
export function splitZ(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (;;) {
    const i = buf.indexOf(0, start);
    if (i < 0) break;
    out.push(buf.subarray(start, i));
    start = i + 1;
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}
