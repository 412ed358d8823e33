// The compiled policy, cached per content in the repository's cleanroom state directory,
// so the commit-msg hook does not parse YAML or run the schema validator on every commit
// (the yaml module is only loaded on a miss). Keyed by cleanroom's version, the file's
// display name and its exact bytes: any edit is a miss. Local use only — the server and
// CI always load the policy they trust from scratch.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';
import { compilePolicy, type Policy, type PolicyInput } from './compile.js';

export const CACHE_VERSION = '1';

export async function loadPolicyCached(
  text: string,
  display: string,
  cacheDir: string,
  version: string,
): Promise<Policy> {
  const key = createHash('sha256')
    .update(`${CACHE_VERSION}\0${version}\0${display}\0${text}`)
    .digest('hex')
    .slice(0, 32);
  const file = join(cacheDir, `policy-${key}.json`);
  try {
    const input = JSON.parse(readFileSync(file, 'utf8')) as PolicyInput;
    return compilePolicy(
      input,
      { file: display, problem: (_p, message) => ({ file: display, line: 1, col: 1, message }) },
      true,
    );
  } catch {
    // miss (or an unreadable cache entry): load for real
  }
  const { loadPolicyText, parseYaml } = await import('./load.js');
  const policy = loadPolicyText(text, display);
  try {
    writeAtomic(file, JSON.stringify(parseYaml(text, display).value));
  } catch {
    // a read-only .git is fine: no cache
  }
  return policy;
}
