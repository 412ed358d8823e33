// Its own file because both init.ts and init-agents.ts need it (one importing the other
// made a runtime import cycle).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from './io.js';

/** A file of the cleanroom package as a hook should name it: the project's own node_modules copy when there is one. */
export function packageFile(io: Io, root: string, file: string): { path: string; local: boolean } {
  const local = join(root, 'node_modules', 'cleanroom', file);
  return existsSync(local) ? { path: local, local: true } : { path: join(io.packageRoot, file), local: false };
}
