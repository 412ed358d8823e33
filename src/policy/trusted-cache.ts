// The server's policy (pre-receive), cached by content so a push does not parse YAML on
// every run. Unlike the local cache (cache.ts), a hit is trusted only after it proves
// itself: the entry names the sha256 of the exact policy bytes, cleanroom's version and
// the display name it was built for, and its data passes the same schema validator and
// meaning checks as a freshly parsed policy. A corrupt, foreign, stale or hand-edited
// entry is a miss: the policy is parsed from its text and the entry rewritten atomically.
// The entry holds the parsed YAML data only (no code, nothing executed on load).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';
import { compilePolicy, type Policy, type PolicyInput } from './compile.js';
import { MAX_POLICY_BYTES } from './limits.js';
import validatePolicy from './generated/validate-policy.js';

export const TRUSTED_CACHE_FORMAT = 1;

/** Largest entry read back: the data of a 1 MiB policy as JSON, with room to spare. */
const MAX_ENTRY_BYTES = 4 * MAX_POLICY_BYTES;

interface Entry {
  format: number;
  version: string;
  display: string;
  sha256: string;
  input: unknown;
}

/** The entry's file for these policy bytes: `<cacheDir>/policy-server-<sha256 prefix>.json`. */
export function trustedCacheFile(cacheDir: string, text: string): string {
  return join(cacheDir, `policy-server-${sha256(text).slice(0, 32)}.json`);
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The compiled policy of `text` (a trusted policy's exact bytes), from the cache entry in
 * `cacheDir` when one proves itself, else parsed (yaml loaded only then) and cached.
 * Errors: PolicyError for an invalid policy, exactly as loadPolicyText (never cached).
 * A cache that cannot be written (read-only git dir) costs nothing but the parse.
 */
export async function loadTrustedPolicy(
  text: string,
  display: string,
  cacheDir: string | undefined,
  version: string,
): Promise<Policy> {
  const hash = sha256(text);
  // An oversized policy is refused by the parser below, whatever an entry may claim.
  const file =
    cacheDir && Buffer.byteLength(text) <= MAX_POLICY_BYTES
      ? trustedCacheFile(cacheDir, text)
      : undefined;
  if (file) {
    const hit = fromEntry(file, hash, display, version);
    if (hit) return hit;
  }
  const { loadPolicyText, parseYaml } = await import('./load.js');
  const policy = loadPolicyText(text, display);
  if (file) {
    try {
      const entry: Entry = {
        format: TRUSTED_CACHE_FORMAT,
        version,
        display,
        sha256: hash,
        input: parseYaml(text, display).value,
      };
      writeAtomic(file, JSON.stringify(entry));
    } catch {
      // no cache (read-only git dir, full disk): the parse above stands
    }
  }
  return policy;
}

/** The policy of a cache entry, or undefined when the entry is absent or does not prove itself. */
function fromEntry(
  file: string,
  hash: string,
  display: string,
  version: string,
): Policy | undefined {
  try {
    const raw = readFileSync(file);
    if (raw.length > MAX_ENTRY_BYTES) return undefined;
    const e = JSON.parse(raw.toString('utf8')) as Partial<Entry> | null;
    if (
      !e ||
      typeof e !== 'object' ||
      e.format !== TRUSTED_CACHE_FORMAT ||
      e.version !== version ||
      e.display !== display ||
      e.sha256 !== hash ||
      !validatePolicy(e.input)
    )
      return undefined;
    // validated = false: the meaning checks (globs, tool ids, duplicate names) run again;
    // any problem throws, and a throw here is a miss.
    return compilePolicy(e.input as PolicyInput, {
      file: display,
      problem: (_p, message) => ({ file: display, line: 1, col: 1, message }),
    });
  } catch {
    return undefined;
  }
}
