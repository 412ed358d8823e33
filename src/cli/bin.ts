// The executable. Bundled as CommonJS (dist/cleanroom.cjs) so that Node loads built-in
// modules only when a command needs them: hooks start this on every commit.

import { dirname } from 'node:path';
import { main } from './main.js';

declare const __dirname: string;
main(dirname(__dirname));
