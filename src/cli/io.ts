// Commands and their input. The Io interface lives in src/io.ts (agent code uses it too).

import type { Io } from '../io.js';

export type { Io };

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
