// Writes that are never half-done: a temp file in the same directory, then rename.

import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, basename } from 'node:path';

export function writeAtomic(file: string, content: string | Buffer, mode?: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.cleanroom-${process.pid}-${Date.now()}.tmp`);
  try {
    writeFileSync(tmp, content, mode !== undefined ? { mode } : {});
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Opens `file` for reading without blocking on what is not a regular file: a FIFO planted
 * where cleanroom keeps its state (an agent's script can make one) would block open(2)
 * or read(2) forever, and a local hook has no deadline. Returns the descriptor of a
 * regular file; throws ENOENT as open does, and `ENOTREG` (an Error with that code) for
 * anything else (FIFO, socket, device, directory), after closing it.
 */
export function openRegular(file: string): number {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (fstatSync(fd).isFile()) return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  closeSync(fd);
  throw Object.assign(new Error(`${file} is not a regular file`), { code: 'ENOTREG' });
}
