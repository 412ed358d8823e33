// Pathname expansion as bash does it (bash(1) "Pathname Expansion"), so that a word the
// shell turns into `.git/config` or `evals/tasks/q1.json` is judged as that path and not
// as the literal text `.gi?/config` (issue 15: a glob hid .git from the agent hook).
//
// Rules followed: a word is a pattern only where `*`, `?` or `[` stand unquoted; each
// `/`-separated segment is matched against the entries of the directory reached so far;
// a leading `.` must be matched by a literal `.` (unless dotglob is on); a pattern that
// matches nothing stays the word itself (bash without nullglob/failglob). The work is
// bounded: past MAX_RESULTS results or MAX_ENTRIES directory entries read (per command
// line) the word is "unknown" and decide.ts refuses it wherever a zone exists.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';

/** Paths one command line's globs may expand to before the word is taken as unknown. */
export const MAX_RESULTS = 2000;
/** Directory entries one command line's globs may read before the word is taken as unknown. */
export const MAX_ENTRIES = 10_000;

export interface GlobBudget {
  results: number;
  entries: number;
  /** `shopt -s dotglob` (or GLOBIGNORE, which sets it) seen in the command line. */
  dot: boolean;
  /** `shopt -s nocaseglob` seen. */
  nocase: boolean;
}

export const newBudget = (command: string): GlobBudget => ({
  results: 0,
  entries: 0,
  dot: /dotglob|GLOBIGNORE/.test(command),
  nocase: /nocaseglob/.test(command),
});

/**
 * The pattern a raw shell word stands for: unquoted `*?[` stay pattern characters, quoted
 * or backslash-escaped ones are escaped (`\*`). `glob` false: no unquoted glob character,
 * the word is taken literally. `$`/backquote words are not handled here (unknown).
 */
export function globPattern(raw: string): { pattern: string; glob: boolean } {
  let out = '';
  let glob = false;
  let bracket = false;
  const lit = (c: string): string => (/[*?[\]\\{}(),!@+^$|.]/.test(c) ? `\\${c}` : c);
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === "'") {
      const end = raw.indexOf("'", i + 1);
      const stop = end < 0 ? raw.length : end;
      for (const q of raw.slice(i + 1, stop)) out += lit(q);
      i = stop;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === '\\' && j + 1 < raw.length) j++;
        out += lit(raw[j]!);
      }
      i = j;
    } else if (c === '\\' && i + 1 < raw.length) {
      out += lit(raw[++i]!);
    } else if (c === '*' || c === '?' || c === '[' || c === ']' || bracket) {
      if (c === '*' || c === '?' || c === '[') glob = true;
      if (c === '[' && !bracket) {
        bracket = true;
        // bash reads `[!…]` as "none of" (as `[^…]`); picomatch reads it as the
        // characters "!" and what follows: `cat evals/[!_]*/q` would expand to nothing.
        if (raw[i + 1] === '!') {
          out += '[^';
          i++;
          continue;
        }
      } else if (c === ']') bracket = false;
      out += c;
    } else out += '{},'.includes(c) ? c : lit(c); // unquoted braces are expandBraces' to read
  }
  return { pattern: out, glob };
}

/** The pattern with its escapes removed (what the word is when nothing matches). */
const unescape = (p: string): string => p.replace(/\\(.)/g, '$1');
const hasGlob = (seg: string): boolean => /(^|[^\\])(\\\\)*[*?[]/.test(seg);

/**
 * What bash makes of the pattern `pattern` (from globPattern) in the directory `dir`
 * (absolute): the matching paths, spelled as the pattern spells them (relative stays
 * relative), sorted; `[unescape(pattern)]` when nothing matches; undefined when the
 * budget runs out (the word is unknown).
 */
export function expandGlob(pattern: string, dir: string, budget: GlobBudget): string[] | undefined {
  const abs = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => !(abs && i === 0));
  // Each path found so far: its segments as the word spells them, and where it is on disk.
  let found: { spelled: string[]; at: string }[] = [{ spelled: [], at: abs ? '/' : dir }];
  for (const part of parts) {
    if (!hasGlob(part)) {
      const name = unescape(part);
      found = found.map((f) => ({ spelled: [...f.spelled, name], at: join(f.at, name) }));
      continue;
    }
    const explicitDot = part.startsWith('.') || part.startsWith('\\.');
    const dotOk = budget.dot || explicitDot;
    const isMatch = picomatch(part, { dot: dotOk, nocase: budget.nocase });
    const next: typeof found = [];
    for (const f of found) {
      let names: string[];
      try {
        names = readdirSync(f.at);
      } catch {
        continue;
      }
      // bash lists `.` and `..` too: `.*` matches them.
      if (explicitDot) names.push('.', '..');
      budget.entries += names.length;
      if (budget.entries > MAX_ENTRIES) return undefined;
      for (const n of names.sort()) {
        if (!dotOk && n.startsWith('.')) continue;
        if (!isMatch(n)) continue;
        next.push({ spelled: [...f.spelled, n], at: join(f.at, n) });
        if (++budget.results > MAX_RESULTS) return undefined;
      }
    }
    found = next;
    if (!found.length) return [unescape(pattern)];
  }
  return found.map((f) => (abs ? '/' : '') + f.spelled.join('/'));
}
