// What a command may touch, passed in: only bin (main.ts) touches `process`.

import type { Readable } from 'node:stream';

export interface Io {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdin: Readable;
  stdinIsTTY: boolean;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stderrIsTTY: boolean;
  /** Whether stdout is a terminal (colour is decided per stream); absent: it is not. */
  stdoutIsTTY?: boolean;
  now: () => Date;
  /** The parent process (a hook's git). */
  ppid?: number;
  /** Directory of the installed package (hooks/, policies/, dist/). */
  packageRoot: string;
}

export type Command = (argv: string[], io: Io) => Promise<number>;

/** Reads stdin whole, refusing more than `max` bytes (hook input is hostile). */
export async function readStdin(io: Io, max: number): Promise<Buffer> {
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
