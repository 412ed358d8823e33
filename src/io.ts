// What a command may touch, passed in: only the entries (src/cli/bin.ts, main.ts and
// agent-bin.ts) touch `process`. Here, not in src/cli/, because agent code records
// through it too (src/agents/record.ts) and folders must not import each other in circles.

import type { Readable } from 'node:stream';

export interface Io {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdin: Readable;
  stdinIsTTY: boolean;
  /**
   * The file descriptor `stdin` reads, when this Io is the real process (src/cli/main.ts):
   * readStdin (src/cli/io.ts) then reads a non-terminal stdin with blocking reads of it,
   * not through the `stdin` stream, whose machinery (a socket or file stream, an async
   * iterator) costs milliseconds of every hook run. Absent (tests, the agent hook's
   * pre-read input): `stdin` is read.
   */
  stdinFd?: number;
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
