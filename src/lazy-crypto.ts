// node:crypto, loaded on first use (issue 14 §3). Loading it costs ~8% of Node's start,
// and the server's pre-receive loads the grant and signature code on every push although
// a push without a signed grant never hashes or verifies anything with it.

import { createRequire } from 'node:module';

let loaded: typeof import('node:crypto') | undefined;

/** The node:crypto module, required on the first call (the same module object after). */
export function nodeCrypto(): typeof import('node:crypto') {
  return (loaded ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto'));
}
