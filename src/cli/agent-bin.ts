// bin for agent hooks: `node dist/agent-hook.cjs AGENT` is `cleanroom agent-hook AGENT`
// without the other commands. It runs on every tool call of every agent, so it starts
// as little as it can: its own bundle (CommonJS, so git and hashing load only after a
// write), and stdin/stdout through plain reads and writes on the file descriptors — a
// pipe opened as a stream loads `net` and friends, ~10 ms on every call. Like
// src/cli/main.ts, this is the only module of its bundle that touches `process`. (In
// src/cli/, not src/agents/: an entry sits above the agents it calls, so the folders
// do not import each other in a circle.)

import { readSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { agentHookCommand, MAX_HOOK_INPUT } from './agent-hook.js';
import type { Io } from './io.js';
import { endGitProcesses } from '../git/live.js';

/** All of stdin, or its first `limit + 1` bytes: enough for the command to refuse it. */
function readInput(limit: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  for (let size = 0; size <= limit;) {
    let n: number;
    try {
      n = readSync(0, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a non-blocking pipe: wait for data
        continue;
      }
      if (code === 'EOF' || code === 'EBADF') break; // closed or absent stdin: empty input
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    size += n;
  }
  return Buffer.concat(chunks);
}

const write = (fd: number) => (s: string) => {
  try {
    writeSync(fd, s);
  } catch {
    // the agent stopped listening: nothing left to tell it
  }
};

let input: Buffer;
try {
  input = readInput(MAX_HOOK_INPUT);
} catch (e) {
  input = Buffer.from(`\0 stdin unreadable: ${(e as Error).message}`); // not JSON: refused, and blocked
}
// The input, already read, as the one chunk readStdin iterates over: node:stream would
// cost every call its loading (issue 14 §2), and nothing here reads stdin as a stream.
const stdin = {
  async *[Symbol.asyncIterator]() {
    yield input;
  },
} as unknown as Readable;
const io: Io = {
  cwd: process.cwd(),
  env: process.env,
  stdin,
  stdinIsTTY: false,
  stdout: write(1),
  stderr: write(2),
  stderrIsTTY: false,
  now: () => new Date(),
  // Computed when read: a file URL and its path cost every call ~0.5 ms, and a pre-write
  // call never reads it.
  get packageRoot() {
    return join(dirname(fileURLToPath(import.meta.url)), '..');
  },
};
agentHookCommand(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
    endGitProcesses(); // no git process outlives the answer (see src/cli/main.ts exit)
  },
  (e: unknown) => {
    endGitProcesses();
    // agentHookCommand answers every failure itself; reaching here is a bug. Exit 2
    // blocks in Claude Code, Codex and Gemini CLI; Cursor and Copilot entries fail closed.
    write(2)(
      `cleanroom: internal error in agent-hook: ${e instanceof Error ? e.message : String(e)} — blocked to be safe\n`,
    );
    process.exitCode = 2;
  },
);
