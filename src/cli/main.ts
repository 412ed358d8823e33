// bin: the only module that touches `process`. Everything below it takes an Io.

import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CleanroomError } from '../errors.js';
import { checkCommand } from './check.js';
import { doctorCommand } from './doctor.js';
import { explainCommand } from './explain.js';
import { hookCommand } from './hook.js';
import { initCommand } from './init.js';
import type { Command, Io } from './io.js';
import { policyCommand } from './policy-cmd.js';
import { extraCommands } from './commands.js';

export const VERSION = '0.1.0';

export const HELP = `cleanroom ${VERSION} — keeps model-generated content out of eval and training directories

usage: cleanroom COMMAND [options]

  check --staged [--message-file F]     the local verdict on what is about to be committed
  check --range A..B | --commit REV      judge existing commits (CI, pre-push)
  pre-receive [--policy F]               server hook: reads "<old> <new> <ref>" lines
  explain PATH [--tool T]                which zones, which verdict, why
  policy validate [F] | policy test [F]  check the policy; run its test cases
  init [--preset P] [--hooks auto|husky|git] [--agents LIST]
  doctor                                 is everything wired, what is bypassed
  audit [--range R] [--format text|json|sarif|html] [--output F]
  agent-hook TOOL                        agent hook protocol on stdin/stdout
  override request|sign, review request|sign   signed exceptions and reviews

common: --policy F, --format text|json|sarif, --quiet, --help, --version; NO_COLOR
exit: 0 clean, 1 violations found, 2 usage, policy or internal error
docs: README.md`;

const COMMANDS: Record<string, Command> = {
  check: checkCommand,
  explain: explainCommand,
  policy: policyCommand,
  init: initCommand,
  doctor: doctorCommand,
  hook: hookCommand,
  ...extraCommands,
};

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
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`cleanroom: unknown command "${name}"\n  → run cleanroom --help for the list\n`);
    return 2;
  }
  try {
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

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === (await import('node:fs')).realpathSync(process.argv[1]);
if (isMain) {
  const io: Io = {
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stderrIsTTY: process.stderr.isTTY === true,
    now: () => new Date(),
    packageRoot: join(dirname(fileURLToPath(import.meta.url)), '..'),
  };
  process.stdout.on('error', () => undefined); // `cleanroom … | head` must not crash
  const code = await run(process.argv.slice(2), io);
  process.exitCode = code;
}
