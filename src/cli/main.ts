// bin: the only module that touches `process`. Everything below it takes an Io.
// Dispatch, --help and the did-you-mean list come from the command table (commands.ts).

import { isatty } from 'node:tty';
import { CleanroomError, PolicyError, usageError } from '../errors.js';
import { endGitProcesses } from '../git/git.js';
import type { Io } from './io.js';
import { didYouMean } from '../policy/suggest.js';
import { VERSION } from '../version.js';
import { parse } from './args.js';
import { commandSpec, COMMANDS, type CommandSpec } from './commands.js';
import { commandHelp, globalHelp } from './help.js';
import { platformFor } from '../server/platforms.js';

const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h';

/**
 * Checks `rest` against the table row before the command runs: `--help` anywhere
 * (before `--`) prints the row's help; an unknown subcommand or a flag the command does
 * not take is a usage error. Returns the help's exit code when help was printed.
 */
function preflight(spec: CommandSpec, rest: readonly string[], io: Io): number | undefined {
  if (spec.raw) {
    if (!isHelp(rest[0]) && rest[0] !== undefined) return undefined;
    if (rest[0] === undefined && spec.name === 'agent-hook') return undefined; // its own "missing the agent name"
    io.stdout(commandHelp(spec));
    return rest[0] === undefined ? 2 : 0;
  }
  if (spec.subcommands) {
    const [sub, ...subArgs] = rest;
    if (sub === undefined || isHelp(sub) || sub === 'help') {
      io.stdout(commandHelp(spec));
      return sub === undefined ? 2 : 0;
    }
    if (!Object.hasOwn(spec.subcommands, sub)) {
      const subs = Object.keys(spec.subcommands);
      throw usageError(
        `${spec.name}: unknown subcommand "${sub}"${didYouMean(sub, subs)}`,
        `use ${subs.map((s) => `${spec.name} ${s}`).join(' or ')}`,
      );
    }
    if (parse(`${spec.name} ${sub}`, subArgs).values.help) {
      io.stdout(commandHelp(spec));
      return 0;
    }
    return undefined;
  }
  if (parse(spec.name, rest).values.help) {
    io.stdout(commandHelp(spec));
    return 0;
  }
  return undefined;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || isHelp(name)) {
    io.stdout(globalHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  try {
    if (name === 'help') {
      const topic = rest[0];
      if (topic === undefined) {
        io.stdout(globalHelp());
        return 0;
      }
      const spec = commandSpec(topic);
      if (!spec || rest.length > 1)
        throw usageError(
          `help: unknown command "${rest.join(' ')}"${didYouMean(
            topic,
            COMMANDS.map((c) => c.name),
          )}`,
          'run cleanroom --help for the list',
        );
      io.stdout(commandHelp(spec));
      return 0;
    }
    const spec = commandSpec(name);
    if (!spec) {
      const known = COMMANDS.filter((c) => !c.hidden).map((c) => c.name);
      io.stderr(
        `cleanroom: unknown command "${name}"${name.startsWith('-') ? '' : didYouMean(name, known)}\n  → run cleanroom --help for the list\n`,
      );
      return 2;
    }
    const helped = preflight(spec, rest, io);
    if (helped !== undefined) return helped;
    return await (
      await spec.load()
    )(rest, io);
  } catch (e) {
    if (wantsJson(rest)) io.stdout(errorJson(e));
    return reportError(e, io, name, rest[0]);
  }
}

/** `--format json` / `--format=json` among the arguments (before `--`). */
function wantsJson(args: readonly string[]): boolean {
  for (let i = 0; i < args.length && args[i] !== '--'; i++) {
    if (args[i] === '--format=json' || (args[i] === '--format' && args[i + 1] === 'json'))
      return true;
  }
  return false;
}

/**
 * The error as the JSON a script reads when it asked for `--format json`: the same
 * `format` key as a report, `ok: false`, and `error.kind` (usage, policy, git, input,
 * signature, internal) to tell a bad invocation from a broken policy or a bug. The exit
 * code stays 2 for all of them; the message also goes to stderr as always.
 */
export function errorJson(e: unknown): string {
  const error =
    e instanceof CleanroomError
      ? { kind: e.kind, message: e.message, hint: e.hint ?? null }
      : {
          kind: 'internal' as const,
          message: e instanceof Error ? e.message : String(e),
          hint: null,
        };
  return JSON.stringify({ format: 1, ok: false, error }, null, 2) + '\n';
}

/**
 * Prints `e` to stderr the way every command reports a failure (`cleanroom: MESSAGE`, then
 * `  → HINT`) and returns the exit code, 2. `command` and `sub` are the command line's
 * first two words: a local hook (`hook commit-msg`, …) that fails on an invalid policy
 * says first that it blocks the commit or push, and last how to go on, because git
 * prints nothing of its own about a failed hook.
 */
export function reportError(e: unknown, io: Io, command: string, sub?: string): number {
  const prefix = command === 'pre-receive' ? platformFor(io.env).errorPrefix : '';
  if (e instanceof CleanroomError) {
    const lines = e.message.split('\n').map((l) => `${prefix}cleanroom: ${l}`);
    if (e.hint) lines.push(`${prefix}  → ${e.hint}`);
    if (command === 'hook' && e instanceof PolicyError) {
      const what = sub === 'pre-push' ? 'push' : 'commit';
      lines.unshift(
        `cleanroom: the ${sub ?? 'hook'} check cannot run, so this ${what} is blocked: the policy is invalid`,
      );
      lines.push(
        `  → fix the lines above (cleanroom policy validate shows them again), then ${what} again; CLEANROOM=0 skips this hook once, loudly (the server and CI still check)`,
      );
    }
    io.stderr(lines.join('\n') + '\n');
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(
      `${prefix}cleanroom: internal error: ${msg}\n${prefix}  → this is a bug; CLEANROOM_DEBUG=1 shows the stack. Nothing was let through.\n`,
    );
  }
  if (io.env.CLEANROOM_DEBUG === '1' && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
  return 2;
}

let stdoutReady = false;
/** process.stdout, with the handler that keeps `cleanroom … | head` from crashing (EPIPE). */
function stdout(): NodeJS.WriteStream {
  if (!stdoutReady) {
    stdoutReady = true;
    process.stdout.on('error', () => undefined);
  }
  return process.stdout;
}

/** The process entry (src/cli/bin.ts): wires the real process into an Io. */
export function main(packageRoot: string): void {
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    // process.stdin is a stream Node builds when first read (a socket for a pipe, a file
    // stream for a file: ~2-3 ms): only a command that reads it as a stream builds it;
    // readStdin reads descriptor 0 itself (stdinFd).
    get stdin() {
      return process.stdin;
    },
    stdinIsTTY: isatty(0),
    stdinFd: 0,
    // Likewise stdout and stderr: built on the first write (a push accepted in silence
    // writes neither), their terminal-ness asked of the descriptors.
    stdout: (s) => void stdout().write(s),
    stderr: (s) => void process.stderr.write(s),
    stderrIsTTY: isatty(2),
    stdoutIsTTY: isatty(1),
    now: () => new Date(),
    ppid: process.ppid,
    packageRoot,
  };
  run(process.argv.slice(2), io).then(
    (code) => exit(code),
    (e: unknown) => exit(reportError(e, io, 'cleanroom')),
  );
}

/**
 * The exit path of every command: the answer is out, so every git process still running
 * (a rev-list blocked on a full pipe after an error or a deadline) is ended, and the
 * process leaves even if some handle (a pipe, a stray timer) would keep Node alive — a
 * hook that never exits blocks `git push` forever.
 */
export function exit(code: number): void {
  process.exitCode = code;
  endGitProcesses();
  // Normally Node exits on its own right now; this fires only if something still holds
  // the event loop. stdout/stderr to pipes and files are synchronous on POSIX, so
  // nothing written is lost.
  setTimeout(() => process.exit(code), 250).unref();
}
