// Where a glob starts looking: the adapters turn a search tool's (dir, pattern) into the
// directory it reads, and decide.ts judges it.

import { isAbsolute, posix, sep } from 'node:path';
import picomatch from 'picomatch';

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

/** `pattern`'s fixed leading directories joined to `dir`: where a glob starts looking. */
export function globRoot(dir: string, pattern: string): string {
  const base = picomatch.scan(pattern).base;
  return isAbsolute(base) ? base : posix.join(toPosix(dir), base);
}
