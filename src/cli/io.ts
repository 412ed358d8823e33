// Commands and their input. The Io interface lives in src/io.ts (agent code uses it too).

import { accessSync, constants, existsSync, readSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import type { Io } from '../io.js';

export type { Io };

export type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * Reads stdin whole, refusing more than `max` bytes (hook input is hostile): rejects with
 * a plain Error once more than `max` bytes have arrived. A non-terminal `io.stdinFd` is
 * read directly (readFd); a terminal, or an Io without a descriptor, through `io.stdin`.
 */
export async function readStdin(io: Io, max: number): Promise<Buffer> {
  if (io.stdinFd !== undefined && !io.stdinIsTTY) return readFd(io.stdinFd, max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > max) throw new Error(`input larger than ${max} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * All of file descriptor `fd` (a pipe or a file: what git gives a hook on stdin) with
 * blocking reads, as src/cli/agent-bin.ts reads its input: no stream, no promise per
 * chunk (issue 14 §3: a small push's pre-receive pays for everything it starts). Throws
 * once more than `max` bytes have arrived; EOF/EBADF (a closed or absent stdin) end the
 * input. A descriptor left non-blocking by the parent (EAGAIN) is waited on in 5 ms
 * steps. The read blocks the event loop, as the stream read it replaces blocked the
 * command: nothing else runs before the input is known (no git process, no timer).
 */
export function readFd(fd: number, max: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.allocUnsafe(1 << 16);
  for (let size = 0; ;) {
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      if (code === 'EOF' || code === 'EBADF') break;
      throw e;
    }
    if (n === 0) break;
    size += n;
    if (size > max) throw new Error(`input larger than ${max} bytes`);
    chunks.push(Buffer.from(buf.subarray(0, n)));
  }
  return Buffer.concat(chunks);
}

/**
 * How the user runs cleanroom from this shell, when the plain name would not work: `npx
 * --no -- cleanroom` when no directory of `PATH` holds an executable `cleanroom` and a
 * `node_modules/.bin/cleanroom` is found from `io.cwd` upwards (the README's local
 * install, which npx finds the same way); undefined otherwise (on PATH, or no local
 * install to point at). Asked only when a report prints ways out. Errors: none.
 */
export function localInvocation(io: Io): string | undefined {
  const onPath = (io.env.PATH ?? '')
    .split(delimiter)
    .filter((d) => d !== '')
    .some((d) => isExecutable(join(d, 'cleanroom')));
  if (onPath) return undefined;
  for (let dir = resolve(io.cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '.bin', 'cleanroom'))) return 'npx --no -- cleanroom';
    if (dirname(dir) === dir) return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
