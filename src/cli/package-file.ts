// Its own file because both init.ts and init-agents.ts need it (one importing the other
// made a runtime import cycle).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_NAME } from '../install/husky.js';
import type { Io } from './io.js';

/**
 * A file of the cleanroom package as a hook should name it: the project's own
 * node_modules copy when there is one — in `projectDir` (a monorepo's frontend/, where
 * husky and package.json live) or at the root — else this running copy.
 */
export function packageFile(
  io: Io,
  root: string,
  file: string,
  projectDir: string = root,
): { path: string; local: boolean } {
  for (const dir of new Set([projectDir, root])) {
    const local = join(dir, 'node_modules', ...PACKAGE_NAME.split('/'), file);
    if (existsSync(local)) return { path: local, local: true };
  }
  return { path: join(io.packageRoot, file), local: false };
}
