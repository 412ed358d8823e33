// The compiled policy, cached per content in the repository's cleanroom state directory,
// so the local hooks — commit-msg, and the agent hook on every tool call — do not parse
// YAML or run the schema validator each time (the yaml module is only loaded on a miss).
// Local use only — the server and CI load the policy they trust through trusted-cache.ts.
//
// An entry is a hit only when it proves itself, else it is a miss and the policy is
// parsed from its text (fail closed: a bad entry can cost time, never change a verdict
// by itself):
//   - it holds the exact policy text, cleanroom's version and the display name, compared
//     in full (the file name is only a locator: a fast non-cryptographic hash, so a hit
//     loads no node:crypto — ~2 ms of every agent-hook call, issue 14 §2);
//   - it is a regular file owned by this user, in a directory owned by this user, neither
//     writable by group or others (another account on a shared machine must not choose
//     what our hooks judge by; a core.sharedRepository git dir therefore never hits);
//   - its data passes the policy schema (precompiled, no YAML) before it is compiled.
// What it cannot stop: a process of the same user (an agent's shell command) can write an
// entry with the real text and weaker zones. That process can equally commit a weaker
// policy with --no-verify or unwire the hook; the server and CI, which never read this
// cache, judge what reaches them (docs/agents.md, limits).

import { closeSync, fstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openRegular, writeAtomic } from '../fsutil.js';
import { compilePolicy, type Policy, type PolicyInput } from './compile.js';
import { MAX_POLICY_BYTES } from './limits.js';
import validatePolicy from './generated/validate-policy.js';

// 3: globs holding "[!" are refused (an entry of 2 may hold one, compiled unchecked).
export const CACHE_VERSION = '3';

/** Largest entry read back: a 1 MiB policy's text and data as JSON, with room to spare. */
const MAX_ENTRY_BYTES = 6 * MAX_POLICY_BYTES;

interface Entry {
  cache: string;
  version: string;
  display: string;
  text: string;
  input: unknown;
}

/**
 * 64 bits of FNV-1a over the UTF-16 code units of `s`, as 16 hex digits (two 32-bit lanes
 * with different offsets). A locator, not a proof: a collision only makes two policies
 * share a file name, and the entry's full text decides.
 */
function locator(s: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 13);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** The entry's file for this policy: `<cacheDir>/policy-<locator>.json`. */
export function policyCacheFile(
  cacheDir: string,
  text: string,
  display: string,
  version: string,
): string {
  return join(
    cacheDir,
    `policy-${locator(`${CACHE_VERSION}\0${version}\0${display}\0${text}`)}.json`,
  );
}

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/** Owned by this user (where there are users) and writable by nobody else. */
const ownAndPrivate = (st: { uid: number; mode: number }): boolean =>
  (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;

/**
 * The compiled policy of `text` (shown as `display` in errors), from the entry in
 * `cacheDir` when it proves itself (see the top of this file), else parsed — the yaml
 * module loaded only then — and the entry rewritten atomically. Errors: PolicyError for
 * an invalid policy, exactly as loadPolicyText (an invalid policy is never cached). A
 * cache that cannot be written (read-only git dir) costs nothing but the parse.
 */
export async function loadPolicyCached(
  text: string,
  display: string,
  cacheDir: string,
  version: string,
): Promise<Policy> {
  const file = policyCacheFile(cacheDir, text, display, version);
  const hit =
    Buffer.byteLength(text) <= MAX_POLICY_BYTES
      ? fromEntry(cacheDir, file, text, display, version)
      : undefined;
  if (hit) return hit;
  const { loadPolicyText, parseYaml } = await import('./load.js');
  const policy = loadPolicyText(text, display);
  try {
    const entry: Entry = {
      cache: CACHE_VERSION,
      version,
      display,
      text,
      input: parseYaml(text, display).value,
    };
    writeAtomic(file, JSON.stringify(entry), 0o644);
  } catch {
    // a read-only .git is fine: no cache
  }
  return policy;
}

/**
 * The text of `file` in `dir` when both pass the checks above (owned by this user,
 * writable by nobody else, a regular file of at most `maxBytes`), else undefined. Also
 * for the agent hook's policy lookup memo (src/agents/policy.ts).
 */
export function readOwnFile(dir: string, file: string, maxBytes: number): string | undefined {
  try {
    if (!ownAndPrivate(statSync(dir))) return undefined;
    // Checked on the descriptor that is read: the file cannot be swapped in between.
    const fd = openRegular(file); // never blocks on a FIFO put here
    try {
      const st = fstatSync(fd);
      if (!st.isFile() || !ownAndPrivate(st) || st.size > maxBytes) return undefined;
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // absent or unreadable: a miss
  }
}

function fromEntry(
  cacheDir: string,
  file: string,
  text: string,
  display: string,
  version: string,
): Policy | undefined {
  const raw = readOwnFile(cacheDir, file, MAX_ENTRY_BYTES);
  if (raw === undefined) return undefined;
  try {
    const e = JSON.parse(raw) as Partial<Entry> | null;
    if (
      !e ||
      e.cache !== CACHE_VERSION ||
      e.version !== version ||
      e.display !== display ||
      e.text !== text ||
      !validatePolicy(e.input)
    )
      return undefined;
    return compilePolicy(
      e.input as PolicyInput,
      { file: display, problem: (_p, message) => ({ file: display, line: 1, col: 1, message }) },
      true,
    );
  } catch {
    return undefined; // corrupt entry: a miss
  }
}
