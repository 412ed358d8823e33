// Links are content at their own path (docs/design/contract.md §3). A symlink (mode 120000) or a gitlink
// (160000, a submodule) at `evals` puts whatever it points at under `evals/…` in every
// checkout, while git records only the link's own path and the target's. So:
//
// * a link added or changed at a path under which some zone glob could match (the path
//   itself is in a zone, or it is an ancestor of paths a glob can match: `evals`,
//   `benchmarks/arith` for `benchmarks/*/tasks/**`, `evals/extra` for `evals/**/*.jsonl`)
//   is a change in those zones — the strictest one judges it;
// * content written at a link's target is judged at the linked path as well:
//   `src/jl/more.jsonl` is also `evals/extra/more.jsonl` while `evals/extra -> ../src/jl`.
//
// Pure functions: the policy's globs and plain link records in, zones and paths out.
// Readers of trees, indexes and work trees (src/check/links.ts, src/agents) feed them.

import picomatch from 'picomatch';
import {
  isLinkMode,
  strictestZone,
  type FileChange,
  type ToolId,
  type Verdict,
} from '../core/types.js';
import type { Policy, Zone } from './compile.js';
import { SYMLINK_MODE } from '../core/types.js';
import { checkDeadline } from '../core/deadline.js';
import { tunable } from '../core/tunable.js';
import { CleanroomError } from '../errors.js';
import { withoutHfsIgnored } from '../names.js';

// Plain data about git's tree modes, so their home is src/core/types.ts (evaluate needs them).
export { GITLINK_MODE, isLinkMode, SYMLINK_MODE } from '../core/types.js';

/**
 * A glob cut into path segments. A brace or extglob group that holds a "/" cannot be cut
 * at its slashes: the glob is cut before that segment and ends with "**" — it then may
 * match anything below its fixed part, which over-approximates (the safe side: a link
 * there is judged as a zone change).
 *
 *   "evals/**\/*.jsonl"           → ["evals", "**", "*.jsonl"]
 *   "benchmarks/{a,b/c}/tasks/**" → ["benchmarks", "**"]
 */
export function globSegments(glob: string): string[] {
  const segs: string[] = [];
  let cur = '';
  let depth = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      cur += c + (glob[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    else if ((c === '}' || c === ')' || c === ']') && depth > 0) depth--;
    if (c === '/' && depth === 0) {
      segs.push(cur);
      cur = '';
      continue;
    }
    if (c === '/' && depth > 0) return [...segs, '**'];
    cur += c;
  }
  segs.push(cur);
  return segs.filter((s, i) => s !== '' || i === 0);
}

const segMatchers = new Map<string, (s: string) => boolean>();
function segMatch(seg: string, name: string, nocase: boolean): boolean {
  if (!/[*?[\]{}()!+@]/.test(seg))
    return nocase ? seg.toLowerCase() === name.toLowerCase() : seg === name;
  const key = `${nocase ? 'i' : 's'}\0${seg}`;
  let m = segMatchers.get(key);
  if (!m) {
    m = picomatch(seg, { dot: true, nocase, flags: nocase ? 'is' : 's' });
    if (segMatchers.size < 10_000) segMatchers.set(key, m);
  }
  return m(name);
}

/**
 * Could `glob` match some path strictly below the directory `dir` (segments of a
 * repository-relative path)? `**` matches any number of segments; other segments match
 * one segment each, as picomatch matches them (dotfiles included).
 *
 *   globCouldMatchUnder("evals/**\/*.jsonl", ["evals", "extra"])      → true
 *   globCouldMatchUnder("benchmarks/*\/tasks/**", ["benchmarks", "x"]) → true
 *   globCouldMatchUnder("evals/tasks/**", ["evals"])                  → true (an ancestor)
 *   globCouldMatchUnder("evals/tasks/**", ["src"])                    → false
 */
export function globCouldMatchUnder(glob: string, dir: readonly string[], nocase = true): boolean {
  const g = globSegments(glob);
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 4096 + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (j === dir.length)
      r = i < g.length; // the glob has segments left for paths below dir
    else if (i === g.length) r = false;
    else if (g[i] === '**') r = go(i + 1, j) || go(i, j + 1);
    else r = segMatch(g[i]!, dir[j]!, nocase) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

const underCache = new WeakMap<Policy, Map<string, Zone[]>>();

/**
 * Zones one of whose globs could match a path strictly below `dir` (repository-relative,
 * no trailing "/"). `exclude` is not subtracted: a link is judged by every zone that might
 * hold something under it (the strict side).
 */
export function zonesUnder(policy: Policy, dir: string): Zone[] {
  let cache = underCache.get(policy);
  if (!cache) underCache.set(policy, (cache = new Map()));
  const hit = cache.get(dir);
  if (hit) return hit;
  const segs = policy.normalize(dir).split('/');
  const zones = policy.zones.filter((z) =>
    z.paths.some((g) => globCouldMatchUnder(policy.normalize(g), segs, !policy.caseSensitive)),
  );
  if (cache.size < 100_000) cache.set(dir, zones);
  return zones;
}

/** Zones a link at `path` puts content into: the zones holding `path`, and those that could match below it. */
export function linkZones(policy: Policy, path: string): Zone[] {
  const at = policy.zonesFor(path);
  const under = zonesUnder(policy, path);
  return [...at, ...under.filter((z) => !at.includes(z))];
}

/** The zones a changed file is judged in: a link by `linkZones`, anything else by its own path. */
export function zonesOfFile(
  policy: Policy,
  file: Pick<FileChange, 'path' | 'mode'>,
): readonly Zone[] {
  return isLinkMode(file.mode) ? linkZones(policy, file.path) : policy.zonesFor(file.path);
}

/**
 * `zonesOfFile` of each of `files` under `policy`, each looked up at most once, on demand
 * (`at(i)`: the zones of `files[i]`; a deletion, never judged, has none). buildChange and
 * evaluate both ask every file of a change: in a 100,000-file agent commit (issue 14 §4)
 * that was two passes over the zones per file. A reader uses it only for this very
 * `policy` and this very `files` array (identity, not equality: a change whose files
 * were replaced, or judged under another policy, asks its zones afresh). The array is
 * read-only (`readonly FileChange[]`) and nothing changes its entries between
 * buildChange and evaluate; an entry changed in place there would keep its old answer.
 */
export interface FileZones {
  readonly policy: Policy;
  readonly files: readonly FileChange[];
  at(i: number): readonly Zone[];
}

const NO_ZONES: readonly Zone[] = Object.freeze([]);

export function fileZones(policy: Policy, files: readonly FileChange[]): FileZones {
  // Filled in file order (every reader walks the files from the first): a packed array,
  // which V8 keeps flat at any length, where a preallocated one of 100,000 is a dictionary.
  // Kept alive until evaluate ends, so cheap to keep: zonesFor shares its common answers.
  const zones: (readonly Zone[])[] = [];
  return {
    policy,
    files,
    at(i: number): readonly Zone[] {
      while (zones.length <= i) {
        const f = files[zones.length];
        if (f === undefined) return NO_ZONES;
        zones.push(f.status === 'D' ? NO_ZONES : zonesOfFile(policy, f));
      }
      return zones[i]!;
    },
  };
}

/** Strictest verdict for `tool` writing `file`, and the zone that gives it (links: see `linkZones`). */
export function verdictOfFile(
  policy: Policy,
  file: Pick<FileChange, 'path' | 'mode'>,
  tool: ToolId,
): { verdict: Verdict; zone: Zone | undefined } {
  if (!isLinkMode(file.mode)) return policy.verdictFor(file.path, tool);
  return strictestZone(linkZones(policy, file.path), tool);
}

/**
 * Where a symlink at `linkPath` with the text `target` points, as a repository-relative
 * path ('' for the root); undefined when the target is absolute or climbs out of the
 * repository (nothing in the repository can be written there, so there is nothing to
 * alias; the link itself is still judged at its own path). Symlink targets
 * are relative to the link's directory (POSIX): `evals/extra` + `../src/jl` → `src/jl`.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | undefined {
  // Longer than PATH_MAX: no system resolves it (and it must not cost us memory).
  if (target === '' || target.length > 4096 || target.startsWith('/') || target.includes('\0'))
    return undefined;
  if (target.startsWith('\\') || /^[A-Za-z]:/.test(target)) return undefined;
  const out = linkPath.split('/').slice(0, -1);
  // "\\" separates too: a Windows checkout (core.symlinks) resolves `..\\src\\jl` as
  // `../src/jl`. (resolveLinks judges both readings of such a text; this one-answer form
  // takes the Windows one, which is where the text can reach another directory.)
  for (const seg of target.split(/[\\/]/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out.join('/'); // '' for the repository root: every path is seen through the link
}

/**
 * Is `path` the target `target` or below it ('' is the repository root: every path)?
 * `nocase`: compare letters case-insensitively — on macOS and Windows checkouts a link to
 * `../SRC/jl` shows `src/jl`, as the policy's own matching assumes by default.
 */
export function isUnderTarget(path: string, target: string, nocase = false): boolean {
  if (target === '') return true;
  if (isAscii(path) && isAscii(target)) {
    if (path.length !== target.length && path[target.length] !== '/') return false;
    const head = path.slice(0, target.length);
    return nocase ? head.toLowerCase() === target.toLowerCase() : head === target;
  }
  // Not ASCII: compared segment by segment under `foldPath` (NFC, and case when `nocase`),
  // since `café` (NFC) and `cafe\u0301` (NFD) differ in length yet are one directory on
  // APFS and HFS+.
  const p = path.split('/');
  const t = target.split('/');
  if (p.length < t.length) return false;
  return t.every((seg, i) => foldPath(seg, nocase) === foldPath(p[i]!, nocase));
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Is `s` plain ASCII (then NFC leaves it as it is, and lengths compare as names do)? */
export function isAscii(s: string): boolean {
  return !NON_ASCII.test(s);
}

/**
 * A path as link resolution compares it: without the code points HFS+ ignores
 * (src/names.ts), then NFC (a normalisation-insensitive checkout — APFS, HFS+ — shows
 * `cafe\u0301/` through a link to `café`), lower-cased when `nocase`. Always folded so,
 * whatever the policy's `matching.unicode`: more aliases is the strict side.
 */
export function foldPath(path: string, nocase = false): string {
  const n = isAscii(path) ? path : withoutHfsIgnored(path).normalize('NFC');
  return nocase ? n.toLowerCase() : n;
}

/**
 * `path` (at or below `target`, as `isUnderTarget` decides) as seen through the link at
 * `link`. Cut by the target's segment count, not its length: the two may be spelled in
 * different Unicode forms.
 */
export function throughLink(path: string, target: string, link: string): string {
  if (target === '') return `${link}/${path}`;
  let cut = -1;
  for (let n = target.split('/').length; n > 0; n--) {
    cut = path.indexOf('/', cut + 1);
    if (cut < 0) return link;
  }
  return link + path.slice(cut);
}

/**
 * A symlink as a checkout resolves it: `path -> target`, the target a repository-relative
 * physical path ('' the root) with every symlink on its way followed. `unbounded`: what is
 * under the target may appear at any depth below `path` — the link contains its own
 * target (`evals/loop -> ..`), or it does not resolve at all (a loop, or a chain longer
 * than MAX_SYMLINK_HOPS): judged as a change in every zone that could match below `path`.
 */
export interface ZoneLink {
  path: string;
  target: string;
  unbounded?: boolean;
}

/** A symlink as git records it: its path and the text of its blob. */
export interface RawLink {
  path: string;
  text: string;
}

/**
 * Symlinks followed in one resolution, as Linux's MAXSYMLINKS (40; git checks links out
 * for the kernel to follow). A longer chain fails there with ELOOP, but another system
 * (or a future kernel) may follow it: such a link is judged fail-closed (`unbounded`).
 */
export const MAX_SYMLINK_HOPS = 40;

/**
 * Resolve every link of one tree the way a checkout's path lookup does: component by
 * component, a symlink met anywhere on the way (a symlinked directory in the middle, a
 * link to a link) replaced by its text, `..` taken physically (after `a -> b/c`, `a/..` is
 * `b`). Targets that are absolute or climb out of the repository are dropped (nothing in
 * the repository can be written there; the link itself is still judged at its path).
 *
 *   resolveLinks([{ path: "src", text: "lib" }, { path: "evals/tasks", text: "../src/gen" }])
 *     → [{ path: "src", target: "lib" }, { path: "evals/tasks", target: "lib/gen" }]
 */
export function resolveLinks(links: readonly RawLink[], nocase = false): ZoneLink[] {
  const key = (p: string): string => foldPath(p, nocase);
  const byPath = new Map(links.map((l) => [key(l.path), l.text]));
  const out: ZoneLink[] = [];
  const seen = new Set<string>();
  // A text with "\\" reads two ways: a POSIX checkout takes it as part of a name, a
  // Windows one (core.symlinks) as a separator. Both checkouts exist, so both readings
  // are judged (the second only when some text has a "\\").
  const readings = links.some((l) => l.text.includes('\\')) ? [false, true] : [false];
  for (const backslash of readings)
    for (const l of links) {
      checkDeadline();
      const r = resolvePhysical(l.path, l.text, byPath, key, backslash);
      if (r === undefined) continue;
      const z: ZoneLink =
        r === LOOP
          ? { path: l.path, target: '', unbounded: true }
          : { path: l.path, target: r, unbounded: isUnderTarget(l.path, r, nocase) };
      const k = `${z.path}\0${z.target}\0${z.unbounded === true}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(z);
    }
  return out;
}

const LOOP = Symbol('loop');

/**
 * The physical path a checkout reaches for `path` (every symlink on the way followed, as
 * `resolveLinks` does); undefined when it leaves the repository or does not resolve.
 *
 *   physicalPath("evals/tasks/q.json", [{ path: "src", text: "lib" }, { path: "evals/tasks", text: "../src/gen" }])
 *     → "lib/gen/q.json"
 */
export function physicalPath(
  path: string,
  links: readonly RawLink[],
  nocase = false,
): string | undefined {
  return physicalPaths(path, links, nocase)[0];
}

/**
 * Every physical path a checkout may reach for `path`: one, or two where some link text
 * holds a "\\" (the POSIX reading first, then the Windows one; see `resolveLinks`).
 */
export function physicalPaths(path: string, links: readonly RawLink[], nocase = false): string[] {
  const key = (p: string): string => foldPath(p, nocase);
  const byPath = new Map(links.map((l) => [key(l.path), l.text]));
  const out: string[] = [];
  for (const backslash of links.some((l) => l.text.includes('\\')) ? [false, true] : [false]) {
    const r = resolvePhysical('.', path, byPath, key, backslash);
    if (typeof r === 'string' && !out.includes(r)) out.push(r);
  }
  return out;
}

function resolvePhysical(
  linkPath: string,
  text: string,
  byPath: ReadonlyMap<string, string>,
  key: (p: string) => string,
  backslash: boolean,
): string | undefined | typeof LOOP {
  const cur = linkPath.split('/').slice(0, -1);
  let queue = targetSegments(text, backslash);
  if (!queue) return undefined;
  let hops = 1;
  for (let i = 0; i < queue.length; i++) {
    const seg = queue[i]!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!cur.length) return undefined;
      cur.pop();
      continue;
    }
    const t = byPath.get(key([...cur, seg].join('/')));
    if (t === undefined) {
      cur.push(seg);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) return LOOP;
    const more = targetSegments(t, backslash);
    if (!more) return undefined;
    queue = [...more, ...queue.slice(i + 1)];
    i = -1;
  }
  return cur.join('/');
}

/**
 * A link text's segments; undefined when no system resolves it inside the repository.
 * `backslash`: "\\" separates too (a Windows checkout's reading).
 */
function targetSegments(text: string, backslash: boolean): string[] | undefined {
  // Longer than PATH_MAX: no system resolves it (and it must not cost us memory).
  if (text === '' || text.length > 4096 || text.startsWith('/') || text.includes('\0'))
    return undefined;
  // `\\x` or `C:…` is absolute on Windows: nothing in the repository.
  if (backslash && (text.startsWith('\\') || /^[A-Za-z]:/.test(text))) return undefined;
  return text.split(backslash ? /[\\/]/ : '/');
}

/** Aliases of one path beyond this many: the rest is judged fail-closed (see `linkViewOf`). */
const MAX_ALIASES = 256;

/**
 * Steps (one path tried against one link) that resolving the aliases of one commit may
 * take. The work grows with links × aliases × files: one pushed commit with 500 links
 * `s/lN -> ..` and 50 files took minutes, synchronously, past pre-receive's deadline. Past
 * the bound the commit is not judged (fail closed, naming the limit).
 * CLEANROOM_MAX_LINK_STEPS (an integer 1–100000000) lowers or raises it: tests use a
 * small one; a server admin may tune it. The pusher has no say over the hook's environment.
 */
export const MAX_LINK_STEPS = linkStepsFrom(process.env.CLEANROOM_MAX_LINK_STEPS);

/** The bound CLEANROOM_MAX_LINK_STEPS asks for, or 10,000,000 when unset or out of range. */
export function linkStepsFrom(value: string | undefined): number {
  return tunable(value, 1, 100_000_000, 10_000_000);
}

/** What is left of MAX_LINK_STEPS for one commit; share one across the calls judging it. */
export interface LinkBudget {
  left: number;
}

export const linkBudget = (): LinkBudget => ({ left: MAX_LINK_STEPS });

function spend(budget: LinkBudget, steps: number): void {
  budget.left -= steps;
  checkDeadline();
  if (budget.left < 0)
    throw new CleanroomError(
      'input',
      `resolving the symlinks of one commit took more than ${MAX_LINK_STEPS} steps (MAX_LINK_STEPS): too many links showing too many paths`,
      'cleanroom cannot judge it: split the commit, or use fewer symlinks (links to a directory holding them, such as `..`, multiply the paths)',
    );
}

/**
 * Where `path` (a physical path of the tree) shows in a checkout besides itself, through
 * `links` (resolved by `resolveLinks`): below every link whose target holds it, and, a
 * link's own path being visible through other links, below their aliases too. `unbounded`
 * names the links under whose path it may show at any depth (a self-containing or
 * unresolvable link, or more than MAX_ALIASES aliases): judge those as zone changes.
 */
export function linkViewOf(
  path: string,
  links: readonly ZoneLink[],
  nocase = false,
  budget: LinkBudget = linkBudget(),
): { aliases: string[]; unbounded: string[] } {
  const aliases: string[] = [];
  // A set: with many links, a list's `includes` made this links² per path.
  const unbounded = new Set<string>();
  const seen = new Set([path]);
  let frontier = [path];
  for (let hop = 0; hop < MAX_SYMLINK_HOPS && frontier.length; hop++) {
    const next: string[] = [];
    for (const p of frontier) {
      spend(budget, links.length);
      for (const l of links) {
        // Every step: the clock is read every 256th call, and one path's steps through
        // hundreds of links would delay the deadline by that much again.
        checkDeadline();
        if (!isUnderTarget(p, l.target, nocase)) continue;
        if (l.unbounded || isUnderTarget(l.path, l.target, nocase)) {
          unbounded.add(l.path);
          // Once through a self-containing link is a real path of the checkout; going
          // round again is what `unbounded` stands for.
          if (isUnderTarget(p, l.path, nocase)) continue;
        }
        const alias = throughLink(p, l.target, l.path);
        if (seen.has(alias)) continue;
        seen.add(alias);
        if (aliases.length >= MAX_ALIASES) {
          unbounded.add(l.path);
          continue;
        }
        aliases.push(alias);
        next.push(alias);
      }
    }
    frontier = next;
  }
  // Still growing after MAX_SYMLINK_HOPS rounds: the links still leading on are unbounded.
  for (const p of frontier) {
    spend(budget, links.length);
    for (const l of links) if (isUnderTarget(p, l.target, nocase)) unbounded.add(l.path);
  }
  return { aliases, unbounded: [...unbounded] };
}

/**
 * The paths `path` is also visible at through `links` (see `linkViewOf`). Paths are
 * compared exactly, or ignoring case with `nocase` (pass `!policy.caseSensitive`); the
 * aliased path is then judged by the policy, which folds case and Unicode itself.
 *
 *   aliasesOf("src/jl/more.jsonl", [{ path: "evals/extra", target: "src/jl" }]) → ["evals/extra/more.jsonl"]
 */
export function aliasesOf(path: string, links: readonly ZoneLink[], nocase = false): string[] {
  const v = linkViewOf(path, links, nocase);
  return [...v.aliases, ...v.unbounded.filter((l) => !v.aliases.includes(l))];
}

/**
 * The link through which `alias` shows (the one whose path is the longest leading part of
 * `alias`, compared as `linkViewOf` compares), for reports; `alias` itself when none is.
 */
function linkOf(alias: string, links: readonly ZoneLink[], nocase: boolean): string {
  const key = nocase ? alias.toLowerCase() : alias;
  let best: string | undefined;
  for (const l of links) {
    const p = nocase ? l.path.toLowerCase() : l.path;
    if (
      (key === p || key.startsWith(`${p}/`)) &&
      (best === undefined || l.path.length > best.length)
    )
      best = l.path;
  }
  return best ?? alias;
}

/**
 * A commit's changed files plus, for each one visible through a zone link, an entry at the
 * linked path (`via` names the path git recorded), so `evaluate` judges the content where
 * a checkout shows it. Deletions are not aliased (they are the cure).
 */
export function withLinkAliases(
  files: readonly FileChange[],
  links: readonly ZoneLink[],
  nocase = false,
  budget: LinkBudget = linkBudget(),
): FileChange[] {
  if (!links.length) return [...files];
  const out = [...files];
  const seen = new Set(files.map((f) => f.path));
  for (const f of files) {
    if (f.status === 'D' || f.via !== undefined) continue;
    const v = linkViewOf(f.path, links, nocase, budget);
    for (const alias of v.aliases) {
      if (seen.has(alias)) continue;
      seen.add(alias);
      // A rename stays a rename at the linked path, so its content's origin is traced
      // (provenance.ts) as for a rename into the zone itself.
      out.push({
        ...f,
        path: alias,
        via: f.path,
        link: linkOf(alias, links, nocase),
        combined: undefined,
      });
    }
    for (const link of v.unbounded) {
      const key = `${link}\0unbounded`;
      if (seen.has(key)) continue;
      seen.add(key);
      // Content that may show at any depth below the link: a change of the link itself,
      // judged by every zone that could match below it (fail closed).
      out.push({
        status: 'M',
        path: link,
        blob: f.blob,
        mode: SYMLINK_MODE,
        via: f.path,
        link,
      });
    }
  }
  return out;
}
