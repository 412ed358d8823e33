// bin: the only module that touches `process`. Everything below it takes an Io.

import { CleanroomError } from '../errors.js';
import { endGitProcesses } from '../git/git.js';
import type { Command, Io } from './io.js';
import { didYouMean } from '../policy/suggest.js';

import { VERSION } from '../version.js';

export const HELP = `cleanroom ${VERSION} — keeps model-generated content out of eval and training directories

usage: cleanroom COMMAND [options]

  check --staged [--message-file F]     the local verdict on what is about to be committed
  check --range A..B | --commit REV      judge existing commits (CI, pre-push)
  pre-receive [--policy F]               server hook: reads "<old> <new> <ref>" lines
  install-server [REPO] [--policy F]      install the pre-receive hook into a bare repository
  explain PATH [--tool T]                which zones, which verdict, why
  policy validate [F] | policy test [F]  check the policy; run its test cases
  init [--preset P] [--hooks auto|husky|git|none] [--agents LIST]
  doctor                                 is everything wired, what is bypassed
  audit [--range R] [--format text|json|sarif|html] [--output F]
  agent-hook TOOL                        agent hook protocol on stdin/stdout
  override request|sign, review request|sign   signed exceptions and reviews
  log verify|list FILE                   re-verify the override log (chain, signatures, signers)

common: --policy F, --format text|json|sarif, --quiet, --help, --version; NO_COLOR
exit: 0 clean, 1 violations found, 2 usage, policy or internal error
docs: README.md`;

// Commands load on demand: `cleanroom hook commit-msg` runs on every commit, and should
// not pay for the YAML parser, the audit reports or the server code it does not use.
const COMMANDS: Record<string, () => Promise<Command>> = {
  check: async () => (await import('./check.js')).checkCommand,
  explain: async () => (await import('./explain.js')).explainCommand,
  policy: async () => (await import('./policy-cmd.js')).policyCommand,
  init: async () => (await import('./init.js')).initCommand,
  doctor: async () => (await import('./doctor.js')).doctorCommand,
  hook: async () => (await import('./hook.js')).hookCommand,
};

async function findCommand(name: string): Promise<Command | undefined> {
  const core = COMMANDS[name];
  if (core) return core();
  const { extraCommands } = await import('./commands.js');
  return Object.hasOwn(extraCommands, name) ? extraCommands[name] : undefined;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(HELP + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  try {
    const command = Object.hasOwn(COMMANDS, name) || !name.startsWith('-') ? await findCommand(name) : undefined;
    if (!command) {
      const known = [...Object.keys(COMMANDS), 'pre-receive', 'install-server', 'audit', 'agent-hook', 'override', 'review', 'log'];
      io.stderr(`cleanroom: unknown command "${name}"${didYouMean(name, known)}\n  → run cleanroom --help for the list\n`);
      return 2;
    }
    return await command(rest, io);
  } catch (e) {
    return reportError(e, io, name);
  }
}

export function reportError(e: unknown, io: Io, command: string): number {
  const prefix = io.env.GL_ID !== undefined && command === 'pre-receive' ? 'GL-HOOK-ERR: ' : '';
  if (e instanceof CleanroomError) {
    const lines = e.message.split('\n').map((l) => `${prefix}cleanroom: ${l}`);
    if (e.hint) lines.push(`${prefix}  → ${e.hint}`);
    io.stderr(lines.join('\n') + '\n');
  } else {
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`${prefix}cleanroom: internal error: ${msg}\n${prefix}  → this is a bug; CLEANROOM_DEBUG=1 shows the stack. Nothing was let through.\n`);
  }
  if (io.env.CLEANROOM_DEBUG === '1' && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
  return 2;
}

/** The process entry (src/cli/bin.ts): wires the real process into an Io. */
export function main(packageRoot: string): void {
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stderrIsTTY: process.stderr.isTTY === true,
    now: () => new Date(),
    ppid: process.ppid,
    packageRoot,
  };
  process.stdout.on('error', () => undefined); // `cleanroom … | head` must not crash
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
