// The links the zone path may let by (issue 14 §1): `CLAUDE.md -> AGENTS.md`, a vendored
// submodule at `third_party/x`. The zone path (hooks/lib/no-ai-signal.sh,
// cleanroom_no_zone_path) skips Node only when no staged path can be in a zone; a symlink
// or gitlink in the index could put content there (src/policy/links.ts), so any link used
// to send every commit of the repository to the full check. Now the full check records,
// in `<state>/fastpath.links`, the exact index entries of the links it judged harmless
// under this policy, and the zone path compares the index's links with that list: the
// same set, entry for entry (mode, object id, stage 0, path), or the full check.
//
// Why that is enough. The full check finds something through a link in two ways only
// (src/check/staged.ts, src/policy/links.ts): the link itself is staged (added, changed,
// removed: judged by every zone that holds it or could match below it), or a staged file
// lies at or under a symlink's resolved target (`withLinkAliases` judges it again at the
// link's path; every further alias starts from such a first one). So the note also holds
// grep patterns, matched (case-insensitively) against the staged paths beside the zone
// patterns: each link's own path, and each symlink's resolved target and everything under
// it. A commit that stages none of them, with the index's links exactly those listed,
// makes the full check alias nothing, and its own paths are in no zone: no finding.
// Recorded are links whose target resolves (relative to its directory, `..` taken
// physically, chains of links followed, both readings of a `\`, as `resolveLinks`) to a
// plain path inside the repository other than its root, and is no loop (a self-containing
// link shows every staged path); a target outside the repository aliases nothing. A path
// the shell cannot compare byte for byte (outside printable ASCII, `"` or `\`, which `git
// ls-files` quotes) is not recorded. Any link not recorded, any conflict stage, or a note
// written for another policy text: the full check.
//
// Trust: as fastpath and fastpath.zones, the note is this user's own file beside the
// hooks (regular, owned, not a link); whoever can write it can as well delete the hook.
//
// The note: the policy's sha256, `links-v1`, `links N`, N `git ls-files -s` lines, then
// the guard patterns (basic regular expressions). The shell gives the whole file to grep
// as patterns: the header and entry lines match no real path.
// test/repo/core/fast-path-links.test.ts compares the decision with the full check.

import { lstatSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runGit, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { decodePath } from '../git/raw.js';
import type { Policy } from '../policy/compile.js';
import { GITLINK_MODE, resolveLinks, SYMLINK_MODE } from '../policy/links.js';
import { writeAtomic } from '../fsutil.js';

export const LINKS_NOTE = 'fastpath.links';
/** The note's second line: its count, then the entries, follow. */
const LINKS_FORM = 'links-v1';

/**
 * How many times a link's mode is in an index file: the four bytes 00 00 A0 00 (symlink,
 * 0120000 big-endian) or 00 00 E0 00 (gitlink, 0160000), overlapping ones counted, as
 * the shell's `grep -o -P '\x00\x00\K[\xa0\xe0](?=\x00)'` counts them. Every link entry
 * holds one (index versions 2, 3 and 4 alike); other bytes may by chance: the count is
 * never below the number of links.
 */
export function indexLinkModeCount(index: Uint8Array): number {
  let n = 0;
  for (const b of [0xa0, 0xe0]) {
    for (let i = index.indexOf(b, 2); i >= 0 && i + 1 < index.length; i = index.indexOf(b, i + 1))
      if (index[i - 2] === 0 && index[i - 1] === 0 && index[i + 1] === 0) n++;
  }
  return n;
}

/** A link entry of the index, as `git ls-files -s -z` lists it. */
export interface IndexLink {
  mode: string;
  id: string;
  stage: string;
  path: string;
}

/**
 * The symlink and gitlink records of `git ls-files -s -z` output, in index order.
 * Sample: `120000 1f2e… 0\tCLAUDE.md\0160000 9a0b… 0\tvendor/x\0`. Found by search, as
 * src/check/links.ts does: `NUL MODE SP` starts a record (no path holds a NUL).
 */
export function indexLinks(stdout: Buffer): IndexLink[] {
  const out: IndexLink[] = [];
  const take = (start: number): void => {
    const nul = stdout.indexOf(0, start);
    const rec = stdout.subarray(start, nul < 0 ? stdout.length : nul);
    const tab = rec.indexOf(0x09);
    if (tab < 0) return;
    const [mode = '', id = '', stage = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
    out.push({ mode, id, stage, path: decodePath(rec.subarray(tab + 1)) });
  };
  const starts: number[] = [];
  for (const mode of [SYMLINK_MODE, GITLINK_MODE]) {
    const head = Buffer.from(`${mode} `, 'latin1');
    if (stdout.subarray(0, head.length).equals(head)) starts.push(0);
    const mark = Buffer.from(`\0${mode} `, 'latin1');
    for (let at = stdout.indexOf(mark); at >= 0; at = stdout.indexOf(mark, at + 1))
      starts.push(at + 1);
  }
  for (const s of starts.sort((a, b) => a - b)) take(s);
  return out;
}

/** Printable ASCII without `"` and `\`: what `git ls-files -s` prints unquoted. */
const PLAIN_PATH = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;

/** `path` as a basic regular expression that matches it literally. */
const bre = (path: string): string => path.replace(/[.[\]*^$\\]/g, '\\$&');

/**
 * The `git ls-files -s` lines of `links` and the guard patterns (see the top of this
 * file) when every link can be recorded; undefined when any cannot. `texts`: each
 * symlink's blob id → its text (a symlink whose text is unknown is not recorded).
 */
export function recordableLinks(
  policy: Policy,
  links: readonly IndexLink[],
  texts: ReadonlyMap<string, string>,
): { lines: string[]; guards: string[] } | undefined {
  const raw: { path: string; text: string }[] = [];
  const guards = new Set<string>();
  for (const l of links) {
    if (l.stage !== '0' || !PLAIN_PATH.test(l.path) || !/^[0-9a-f]{40,64}$/.test(l.id))
      return undefined;
    if (l.mode !== SYMLINK_MODE && l.mode !== GITLINK_MODE) return undefined;
    guards.add(`^${bre(l.path)}$`);
    if (l.mode === SYMLINK_MODE) {
      const text = texts.get(l.id);
      if (text === undefined) return undefined;
      raw.push({ path: l.path, text });
    }
  }
  for (const z of resolveLinks(raw, !policy.caseSensitive)) {
    if (z.unbounded || z.target === '' || !PLAIN_PATH.test(z.target)) return undefined;
    guards.add(`^${bre(z.target)}$`);
    guards.add(`^${bre(z.target)}/`);
  }
  return {
    lines: links.map((l) => `${l.mode} ${l.id} ${l.stage}\t${l.path}`),
    guards: [...guards],
  };
}

/**
 * After a full check: record the index's links in `<state>/fastpath.links` when they are
 * all harmless under the policy whose text hashes to `digest`, else remove the note. The
 * index is listed only when its file holds a link's mode bytes (`indexLinkModeCount`).
 */
export async function noteHarmlessLinks(
  ctx: GitContext,
  repo: Repo,
  policy: Policy,
  digest: string,
  indexFile: string,
): Promise<void> {
  const note = join(repo.stateDir, LINKS_NOTE);
  const drop = (): void => rmSync(note, { force: true });
  let count: number;
  try {
    count = indexLinkModeCount(readFileSync(indexFile));
  } catch {
    return drop();
  }
  if (count === 0) return drop(); // the zone path finds no link: nothing to compare
  const listed = await runGit(ctx, ['ls-files', '-s', '-z']);
  const links = indexLinks(listed.stdout);
  // More mode bytes than links (chance bytes in stat data or ids): the shell's count will
  // not match either; no note.
  if (!links.length || links.length !== count) return drop();
  const texts = new Map<string, string>();
  const ids = [...new Set(links.filter((l) => l.mode === SYMLINK_MODE).map((l) => l.id))];
  if (ids.some((id) => !/^[0-9a-f]{40,64}$/.test(id))) return drop();
  if (ids.length) {
    const { stdout } = await runGit(ctx, ['cat-file', '--batch'], {
      input: ids.join('\n') + '\n',
    });
    let pos = 0;
    for (const id of ids) {
      const nl = stdout.indexOf(0x0a, pos);
      if (nl < 0) break;
      const [got = '', type = '', size] = stdout.subarray(pos, nl).toString('latin1').split(' ');
      pos = nl + 1;
      if (type !== 'blob' || size === undefined || got !== id) return drop();
      const n = Number(size);
      if (n <= 4096) texts.set(id, stdout.subarray(pos, pos + n).toString('utf8'));
      pos += n + 1;
    }
  }
  const got = recordableLinks(policy, links, texts);
  if (!got) return drop();
  const text = [
    digest,
    LINKS_FORM,
    `links ${got.lines.length}`,
    ...got.lines,
    ...got.guards,
    '',
  ].join('\n');
  const current = lstatSync(note, { throwIfNoEntry: false })?.isFile()
    ? readFileSync(note, 'utf8')
    : undefined;
  if (current !== text) writeAtomic(note, text);
}

/**
 * Are the index's links exactly those the note records for the policy hashing to
 * `digest`, and does no staged path (`paths`: both sides of every change) match its
 * guard patterns? `count` is `indexLinkModeCount` of the index file. The note must be a
 * regular file of this user; the entries are compared with `git ls-files -s` of their
 * paths. Any doubt answers false.
 */
export async function linksAreKnown(
  ctx: GitContext,
  repo: Repo,
  digest: string,
  count: number,
  paths: readonly string[],
): Promise<boolean> {
  const note = join(repo.stateDir, LINKS_NOTE);
  try {
    const st = lstatSync(note);
    if (!st.isFile() || (process.getuid && st.uid !== process.getuid())) return false;
    const [sum, form, k, ...rest] = readFileSync(note, 'utf8').split('\n');
    if (sum !== digest || form !== LINKS_FORM || k !== `links ${count}`) return false;
    const lines = rest.slice(0, count);
    if (lines.length !== count || rest.at(-1) !== '') return false;
    // The guards as the shell's grep -i reads them: `^PATH$` or `^PATH/`, PATH with
    // backslash escapes (compared as text here: a JS RegExp would read `+` or `(`
    // otherwise than a basic regular expression does). Any other line: maybe.
    const guards: { lit: string; under: boolean }[] = [];
    for (const g of rest.slice(count, -1)) {
      const m = /^\^((?:\\.|[^\\$/]|\/(?!$))*)(\$|\/)$/.exec(g);
      if (!m) return false;
      guards.push({ lit: m[1]!.replace(/\\(.)/g, '$1').toLowerCase(), under: m[2] === '/' });
    }
    const hit = (p: string): boolean => {
      const q = p.toLowerCase();
      return guards.some((g) => (g.under ? q.startsWith(`${g.lit}/`) : q === g.lit));
    };
    if (paths.some(hit)) return false;
    const specs: string[] = [];
    for (const l of lines) {
      const m = /^1[26]0000 [0-9a-f]{40,64} 0\t(.+)$/.exec(l);
      if (!m || !PLAIN_PATH.test(m[1]!)) return false;
      specs.push(`:(literal)${m[1]!}`);
    }
    const { stdout } = await runGit(ctx, ['ls-files', '-s', '--', ...specs]);
    return stdout.toString('latin1') === lines.map((l) => `${l}\n`).join('');
  } catch {
    return false;
  }
}
