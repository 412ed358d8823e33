// The server's policy (pre-receive), cached by content so a push does not parse YAML on
// every run. Unlike the local cache (cache.ts), a hit is trusted only after it proves
// itself: the entry holds the exact policy text it was built from (compared whole, so no
// digest is needed: node:crypto costs a push ~10% of Node's start to load), cleanroom's
// version and the display name it was built for, and its data passes the same schema
// validator and meaning checks as a freshly parsed policy. A corrupt, foreign, stale or
// hand-edited entry is a miss: the policy is parsed from its text and the entry rewritten
// atomically. The entry holds the text and the parsed YAML data only (no code, nothing
// executed on load).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';
import { compilePolicy, type Policy, type PolicyInput } from './compile.js';
import { MAX_POLICY_BYTES } from './limits.js';
import validatePolicy from './generated/validate-policy.js';

// 3: globs holding "[!" are refused (an entry of 2 may hold one, compiled unchecked).
export const TRUSTED_CACHE_FORMAT = 3;

/** Largest entry read back: a 1 MiB policy's text and data as JSON, with room to spare. */
const MAX_ENTRY_BYTES = 8 * MAX_POLICY_BYTES;

interface Entry {
  format: number;
  version: string;
  display: string;
  /** The exact policy text the entry was built from: a hit needs it equal, in full. */
  text: string;
  input: unknown;
}

/**
 * The entry's file for this policy text: `<cacheDir>/policy-server-<16 hex>-<length>.json`,
 * the hex being two 32-bit FNV-style hashes of the text's UTF-16 code units. The name only
 * spreads texts over files: two texts that share it (by chance or by design) take turns
 * in one file, each a miss for the other, because a hit compares the whole text.
 */
export function trustedCacheFile(cacheDir: string, text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return join(cacheDir, `policy-server-${hex(a)}${hex(b)}-${text.length}.json`);
}

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
  // An oversized policy is refused by the parser below, whatever an entry may claim.
  const file =
    cacheDir && Buffer.byteLength(text) <= MAX_POLICY_BYTES
      ? trustedCacheFile(cacheDir, text)
      : undefined;
  if (file) {
    const hit = fromEntry(file, text, display, version);
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
        text,
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
  text: string,
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
      e.text !== text ||
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
