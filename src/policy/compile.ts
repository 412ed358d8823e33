// Schema-valid policy data → frozen Policy with matchers ready. Checks what a schema
// cannot: glob syntax, tool ids that exist, duplicate zone names.

import picomatch from 'picomatch';
import { checkDeadline } from '../core/deadline.js';
import { PolicyError, type PolicyProblem } from '../errors.js';
import {
  UNKNOWN_AI,
  strictestZone,
  type FileChange,
  type ToolId,
  type Verdict,
} from '../core/types.js';
import { verdictOfFile, zonesOfFile } from './links.js';
import {
  compileToolTable,
  type ToolSpec,
  type ToolTable,
  type ToolTableSpec,
} from '../signals/tools.js';
import builtinTools from './generated/builtin-tools.js';
import { didYouMean } from './suggest.js';
import { withoutHfsIgnored } from '../names.js';

/** Places problems in the source (YamlLocator); a cached policy has none to place. */
export interface Locator {
  readonly file: string;
  problem(path: readonly (string | number)[], message: string, key?: string): PolicyProblem;
}

/** The policy as the schema admits it. */
export interface PolicyInput {
  version: 1;
  repository: string;
  matching?: { case?: 'insensitive' | 'sensitive'; unicode?: 'nfc' | 'none' };
  zones: {
    name: string;
    description?: string;
    paths: string[];
    exclude?: string[];
    ai: Verdict;
    read?: 'allow' | 'deny';
    tools?: Record<string, Verdict>;
  }[];
  review?: {
    mode?: 'trailer' | 'signed';
    trailer?: string;
    reviewers?: string;
    revoked?: string;
    independent?: boolean;
  };
  overrides?: { approvers?: string; revoked?: string };
  tools?: ToolSpec[];
}

export interface Zone {
  readonly name: string;
  readonly description: string | undefined;
  readonly paths: readonly string[];
  readonly exclude: readonly string[];
  readonly ai: Verdict;
  readonly read: 'allow' | 'deny';
  readonly tools: ReadonlyMap<ToolId, Verdict>;
  /** Whether `path` (as Git stores it) is in the zone: its paths, less its excludes. */
  readonly matches: (path: string) => boolean;
  /**
   * In the zone's paths but taken out by its `exclude` (for `explain`): `path` as Git
   * stores it, not normalised. An exclude must match it both exactly (case-sensitively,
   * no NFC, no HFS+ folding) and folded as the zone's paths match: either alone widens
   * an exclude, the lax side.
   */
  readonly excludes: (path: string) => boolean;
  verdictFor(tool: ToolId): Verdict;
}

export interface ReviewConfig {
  readonly mode: 'trailer' | 'signed';
  readonly trailer: string;
  readonly reviewers: string;
  /** Revoked reviewer keys (plain public key lines), when the policy names a file. */
  readonly revoked: string | undefined;
  readonly independent: boolean;
}

export interface Policy {
  readonly file: string;
  readonly repository: string;
  readonly zones: readonly Zone[];
  readonly review: ReviewConfig;
  /** `revoked`: revoked approver keys (plain public key lines), when the policy names a file. */
  readonly overrides: { readonly approvers: string; readonly revoked: string | undefined };
  readonly tools: ToolTable;
  readonly caseSensitive: boolean;
  readonly unicode: 'nfc' | 'none';
  normalize(path: string): string;
  zonesFor(path: string): readonly Zone[];
  /** Strictest verdict for `tool` writing `path`, and the zone that gives it. */
  verdictFor(path: string, tool: ToolId): { verdict: Verdict; zone: Zone | undefined };
  /**
   * As verdictFor, for a tree entry: a symlink or gitlink is judged by the zones its
   * path could lead into (src/policy/links.ts). A method, so src/core/evaluate.ts reaches
   * it through the Policy it is given (core imports nothing but types).
   */
  verdictOfFile(
    file: Pick<FileChange, 'path' | 'mode'>,
    tool: ToolId,
  ): { verdict: Verdict; zone: Zone | undefined };
  /**
   * The zones `file` is judged in (src/policy/links.ts zonesOfFile): a symlink or gitlink
   * by the zones its path could lead into, anything else by its own path. verdictOfFile
   * is the strictest of these for a tool; evaluate asks this once per file, not per tool.
   */
  zonesOfFile(file: Pick<FileChange, 'path' | 'mode'>): readonly Zone[];
  /** Zones with `read: deny` that contain `path`. */
  readDenied(path: string): Zone[];
}

/** What is wrong with a glob, or undefined when it is fine. */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'an empty glob matches nothing — remove it or write a path';
  if (glob.includes('\0')) return 'a glob cannot contain a NUL byte';
  if (glob.includes('\\')) return 'use "/" to separate folders (a backslash is an escape in globs)';
  if (glob.startsWith('/'))
    return `globs are relative to the repository root — write "${glob.replace(/^\/+/, '')}"`;
  if (glob.startsWith('./')) return `write "${glob.slice(2)}" without the leading "./"`;
  if (glob.endsWith('/'))
    return `a trailing "/" matches nothing — write "${glob}**" for everything below it`;
  if (glob.split('/').some((seg) => seg === '..' || seg === '.'))
    return 'a glob cannot contain "." or ".." segments';
  const depth: Record<string, number> = { '[': 0, '{': 0, '(': 0 };
  const close: Record<string, string> = { ']': '[', '}': '{', ')': '(' };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c in depth) depth[c]!++;
    else if (c in close) {
      const open = close[c]!;
      if (depth[open]! === 0) return `unbalanced "${c}" — escape it or add the opening "${open}"`;
      depth[open]!--;
    }
  }
  for (const [open, n] of Object.entries(depth))
    if (n > 0) return `unbalanced "${open}" — close it`;
  // Git's wildmatch and the shell read "[!a]" as "none of a"; picomatch reads it as the
  // characters "!" and "a" (its makeRe: `(?:\[!a\]|[!a])`): a zone written the git way
  // would hold the opposite of what it says, and an exclude let out what it meant to keep.
  if (glob.includes('[!'))
    return 'write "[^…]" for "none of" — picomatch reads "[!…]" as the characters "!" and what follows, not as git and the shell do (for "!" itself, put it later: "[_!]")';
  try {
    picomatch.makeRe(glob, { dot: true });
  } catch (e) {
    return `invalid glob: ${(e as Error).message}`;
  }
  return undefined;
}

const builtin = builtinTools as ToolTableSpec;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');
const DETECTORS = [
  'emails',
  'trailers',
  'markers',
  'env',
  'nameSuffixes',
  'coauthorNames',
  'subjectPrefixes',
] as const;

/**
 * What a schema cannot see: glob syntax, tool ids that exist, duplicate zone names,
 * tool rows with nothing to detect. Tolerant of any shape, so it also runs on a policy
 * that failed the schema and every problem is reported at once.
 */
export function semanticProblems(value: unknown, locator: Locator): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  if (!isObject(value)) return problems;
  const ids = new Set<string>([UNKNOWN_AI, ...builtin.tools.map((t) => t.id)]);
  const extra = Array.isArray(value.tools) ? value.tools : [];
  extra.forEach((t: unknown, i) => {
    if (!isObject(t) || typeof t.id !== 'string') return;
    if (t.id === UNKNOWN_AI)
      problems.push(
        locator.problem(
          ['tools', i, 'id'],
          `"${UNKNOWN_AI}" is reserved for AI signals that name no tool — choose another id`,
        ),
      );
    else ids.add(t.id);
    const detects = DETECTORS.some((k) => isStringList(t[k]) && (t[k] as string[]).length > 0);
    if (!detects && !builtin.tools.some((b) => b.id === t.id)) {
      problems.push(
        locator.problem(
          ['tools', i],
          `tool "${t.id}" has nothing to detect it by — add emails, trailers, markers or env`,
        ),
      );
    }
  });
  const names = new Set<string>();
  const zones = Array.isArray(value.zones) ? value.zones : [];
  zones.forEach((z: unknown, zi) => {
    if (!isObject(z)) return;
    if (typeof z.name === 'string') {
      if (names.has(z.name.toLowerCase()))
        problems.push(
          locator.problem(
            ['zones', zi, 'name'],
            `zone name "${z.name}" is used twice — zone names must be unique`,
          ),
        );
      names.add(z.name.toLowerCase());
    }
    for (const field of ['paths', 'exclude'] as const) {
      const globs = z[field];
      if (!Array.isArray(globs)) continue;
      globs.forEach((g: unknown, gi) => {
        // An empty string is the schema's to report (minLength); everything else is ours.
        if (typeof g !== 'string' || g === '') return;
        const why = globProblem(g);
        if (why) problems.push(locator.problem(['zones', zi, field, gi], `glob "${g}": ${why}`));
      });
    }
    if (isObject(z.tools)) {
      for (const id of Object.keys(z.tools)) {
        if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(id)) continue; // the schema names it
        if (!ids.has(id)) {
          problems.push(
            locator.problem(
              ['zones', zi, 'tools'],
              `unknown tool id "${id}"${didYouMean(id, ids)} — known: ${[...ids].sort().join(', ')}, or define it under tools:`,
              id,
            ),
          );
        }
      }
    }
  });
  return problems;
}

/**
 * The anchored expressions `res` (picomatch's are `^(?:…)$`) as one alternation with their
 * common flags; undefined when there are none, their flags differ, or the join does not
 * compile — the caller then tests each.
 */
function joined(res: readonly RegExp[]): RegExp | undefined {
  if (!res.length || res.some((r) => r.flags !== res[0]!.flags)) return undefined;
  try {
    return new RegExp(res.map((r) => r.source).join('|'), res[0]!.flags);
  } catch {
    return undefined;
  }
}

/** A path test built once from globs. */
export interface GlobMatcher {
  (path: string): boolean;
  /** One expression for every glob (each anchored, joined by `|`); undefined when there is none. */
  readonly re: RegExp | undefined;
  readonly literals: ReadonlySet<string>;
  /** Each glob's own expression, in the globs' order. */
  readonly each: readonly RegExp[];
}

/**
 * What `picomatch(globs, opts)` answers, in one regular expression instead of one matcher
 * call per glob (a policy's zones are tried on every staged path: 100,000 in a large
 * commit). With the options compilePolicy passes (no `windows`, `format`, `capture`,
 * `matchBase`, `ignore`), picomatch's matcher for one glob is exactly `path !== '' &&
 * (path === glob || makeRe(glob).exec(path) !== null)` (picomatch 4, lib/picomatch.js:
 * `picomatch.test`), so the union over globs is the literal set or the joined expression.
 * test/unit/policy/glob-matcher.test.ts checks it against picomatch on random paths.
 */
export function globMatcher(
  globs: readonly string[],
  opts: { dot: boolean; nocase: boolean; flags: string },
): GlobMatcher {
  const res = globs.map((g) => picomatch.makeRe(g, opts));
  const re = joined(res);
  const literals = new Set(globs);
  const test = re
    ? (p: string): boolean => p !== '' && (literals.has(p) || re.test(p))
    : (p: string): boolean => p !== '' && (literals.has(p) || res.some((r) => r.test(p)));
  return Object.assign(test, { re: res.length ? re : undefined, literals, each: res });
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const NO_ZONES: readonly Zone[] = Object.freeze([]);

/**
 * A glob path segment the zone index may key on: ASCII letters, digits, `_`, `-`, `.`
 * (not only dots). picomatch turns such a segment into the same characters, escaped, and
 * nothing else; anything with another character (a wildcard, a bracket, a brace, an
 * extglob, an escape, `!`, `|`, non-ASCII) is left to the glob's own expression.
 */
const LITERAL_SEGMENT = /^(?!\.+$)[A-Za-z0-9_.-]+$/;
/** A glob whose required words (runs of LITERAL_WORD) can prefilter its expression. */
const PLAIN_GLOB = /^[A-Za-z0-9_.*?/-]+$/;
const LITERAL_WORD = /[A-Za-z0-9_-]{2,}/g;

/**
 * One include glob of zone `zone` (its index in `Policy.zones`): `test` answers for a
 * path on the glob's branch of the tree; `subtree`: the glob is its node's segments then
 * `/**` and answers without its expression (see `belowNoDotSegment`).
 */
export interface GlobTest {
  readonly zone: number;
  readonly glob: string;
  readonly subtree: boolean;
  readonly test: (normalizedPath: string) => boolean;
}

/** A node of the zone index: the globs whose literal leading segments end here, and the next segments. */
export interface IndexNode {
  readonly tests: GlobTest[];
  /** Each next segment (lowercase when `nocase`), with its node at the same index. */
  readonly keys: string[];
  readonly next: IndexNode[];
}

/**
 * What picomatch 4 makes of `/**` after literal segments (dot: true): the segments alone,
 * or a "/" and then anything without a "." or ".." segment. A glob whose expression is
 * not exactly this (another picomatch, other options) keeps its expression.
 */
const SUBTREE_TAIL = '(?:\\/(?!\\.{1,2}(?:\\/|$))(?:(?:(?!(?:^|\\/)\\.{1,2}(?:\\/|$)).)*?)|$))$';

/**
 * Does `n`, which holds a subtree glob's literal segments up to `from` (then "/" or its
 * end), match the rest of that glob's expression (SUBTREE_TAIL)? It does unless a
 * segment after `from` is "." or ".." — the lookaheads of the expression, without it.
 */
function belowNoDotSegment(n: string, from: number): boolean {
  for (let i = n.indexOf('/.', from); i !== -1; i = n.indexOf('/.', i + 1)) {
    const c = i + 2;
    if (c === n.length || n.charCodeAt(c) === 0x2f) return false;
    if (n.charCodeAt(c) === 0x2e && (c + 1 === n.length || n.charCodeAt(c + 1) === 0x2f))
      return false;
  }
  return true;
}

/** The longest word (LITERAL_WORD) of `part` when it is plain (PLAIN_GLOB), else undefined. */
function requiredWord(part: string): string | undefined {
  if (!PLAIN_GLOB.test(part)) return undefined;
  return part.match(LITERAL_WORD)?.reduce((a, b) => (b.length > a.length ? b : a));
}

/**
 * The zones' include globs as a tree of their literal leading segments (issue 14 §4: a
 * 100,000-file commit asks every path's zones, and the joined expression of every glob
 * cost more than the rest of the judgement). `evals/tasks/**` hangs under
 * `evals` → `tasks`; a path is tried only against the globs on its own leading
 * segments' branch, and the globs with no literal first segment (`**\/answer_key*`,
 * `!x/**`) at the root. Each glob is then tried with the same test globMatcher makes
 * for it (`path === glob` or its picomatch expression): the tree only leaves out globs
 * that cannot match, so `zonesFor` answers what the joined matchers answer.
 *
 * Why leaving them out is exact: picomatch compiles a literal segment to its own
 * characters, escaped, followed by `\/` or the end (`evals/tasks/**` is
 * `^(?:evals\/tasks(?:\/…|$))$`), so a path the expression matches starts with those
 * segments; `nocase` is the `i` flag, under which (without `u`) an ASCII character
 * matches only itself in either case and never a non-ASCII one, so a path's segment
 * reaches a key when it is the key, or ASCII and the key once lowercased (`indexedZones`).
 * A glob starting with `!` (negation) or holding a `|` sits at the root, untried by the
 * tree. What follows a glob's literal segments, when made only of words, `.`, `/`, `*`
 * and `?`, names a word every match holds (in the same case folding): the glob's
 * expression is tried only on paths holding it. A glob that is its segments then `/**`,
 * with the expression picomatch gives that (SUBTREE_TAIL), is answered without it.
 * test/unit/policy/zone-index.test.ts compares this with picomatch on random globs and
 * paths.
 */
export function zoneIndex(
  zones: readonly { globs: readonly string[]; matcher: GlobMatcher }[],
  opts: { nocase: boolean; flags: string },
): IndexNode {
  const node0 = (): IndexNode => ({ tests: [], keys: [], next: [] });
  const root = node0();
  zones.forEach(({ globs, matcher }, zone) => {
    for (const [g, glob] of globs.entries()) {
      const re = matcher.each[g]!;
      let node = root;
      const segs = glob.split('/');
      let depth = 0;
      if (!glob.startsWith('!') && !glob.includes('|')) {
        for (const seg of segs) {
          if (!LITERAL_SEGMENT.test(seg)) break;
          const key = opts.nocase ? seg.toLowerCase() : seg;
          let at = node.keys.indexOf(key);
          if (at < 0) at = node.keys.push(key) - 1;
          node = node.next[at] ??= node0();
          depth++;
        }
      }
      const literal = segs.slice(0, depth).join('/');
      const subtree =
        depth > 0 &&
        depth === segs.length - 1 &&
        segs[depth] === '**' &&
        re.flags === opts.flags &&
        re.source === `^(?:${literal.replace(/[./]/g, '\\$&')}${SUBTREE_TAIL}`;
      const word = requiredWord(depth ? segs.slice(depth).join('/') : glob);
      const has = word ? new RegExp(word, opts.flags) : undefined;
      node.tests.push({
        zone,
        glob,
        subtree,
        test: has
          ? (p) => p === glob || (has.test(p) && re.test(p))
          : (p) => p === glob || re.test(p),
      });
    }
  });
  return root;
}

/**
 * `hits` plus the zones of `tests` that match `n`, whose node's segments end at `at`.
 * No closure: this runs per path, and the build keeps names (a closure made per call
 * costs a defineProperty).
 */
function tryGlobs(
  tests: readonly GlobTest[],
  n: string,
  at: number,
  hits: number[] | undefined,
): number[] | undefined {
  for (const t of tests)
    if (
      (hits === undefined || !hits.includes(t.zone)) &&
      (t.subtree ? n === t.glob || belowNoDotSegment(n, at) : t.test(n))
    )
      (hits ??= []).push(t.zone);
  return hits;
}

/**
 * The zones (indices, ascending) one of whose include globs matches `n` (normalised,
 * not empty), through `zoneIndex`'s tree; undefined for none.
 */
function indexedZones(root: IndexNode, n: string, nocase: boolean): number[] | undefined {
  let hits = root.tests.length ? tryGlobs(root.tests, n, 0, undefined) : undefined;
  let node = root;
  let start = 0;
  walk: while (node.keys.length) {
    for (let k = 0; k < node.keys.length; k++) {
      const key = node.keys[k]!;
      const end = start + key.length;
      // The segment is the key: the same length, then "/" or the end, and the same
      // characters — or, under `nocase`, ASCII ones that lowercase to it (a non-ASCII
      // character never matches an ASCII one under /i without /u, though KELVIN SIGN
      // lowercases to "k").
      if (end > n.length || (end < n.length && n.charCodeAt(end) !== 0x2f)) continue;
      if (!n.startsWith(key, start)) {
        if (!nocase) continue;
        const seg = n.slice(start, end);
        if (!ASCII.test(seg) || seg.toLowerCase() !== key) continue;
      }
      node = node.next[k]!;
      if (node.tests.length) hits = tryGlobs(node.tests, n, end, hits);
      if (end === n.length) break walk;
      start = end + 1;
      continue walk;
    }
    break;
  }
  return hits && hits.length > 1 ? hits.sort((a, b) => a - b) : hits;
}

/** How an exclude glob matches: as written, case-sensitively (`s`: a newline in a name too). */
const EXACT = { dot: true, nocase: false, flags: 's' };

/** `validated`: the input already passed these checks (a cached policy) — skip them. */
export function compilePolicy(input: PolicyInput, locator: Locator, validated = false): Policy {
  const file = locator.file;
  const problems = validated ? [] : semanticProblems(input, locator);
  const caseSensitive = input.matching?.case === 'sensitive';
  const unicode = input.matching?.unicode ?? 'nfc';
  // An ASCII string is its own NFC form: one test instead of ICU for nearly every path.
  // `nfc` folds names as HFS+ compares them: the code points it ignores go first (a zero
  // width joiner between a letter and its accent hides neither), then NFC.
  const normalize = (p: string): string =>
    unicode === 'nfc' && !ASCII.test(p) ? withoutHfsIgnored(p).normalize('NFC') : p;
  // Built on first use: an agent hook's pre-write call judges paths only, and the table's
  // matchers are ~3% of that call (issue 14 §2). compileToolTable cannot fail on rows the
  // schema and the checks above accepted, so building it later changes no verdict.
  let tools: ToolTable | undefined;
  const toolRows = input.tools ?? [];

  // `s`: picomatch's `**` is built from `.`, which without dotAll stops at a newline —
  // "evals/tasks/a\nb.json" would walk out of the zone. Git allows newlines in names.
  const matchOpts = { dot: true, nocase: !caseSensitive, flags: caseSensitive ? 's' : 'is' };
  const includes: { globs: readonly string[]; matcher: GlobMatcher }[] = [];
  // A zone's exclude test, undefined for a zone with none (most: nothing to call).
  const excludes: (((path: string, normalized: string) => boolean) | undefined)[] = [];
  const zones: Zone[] = input.zones.map((z) => {
    const toolVerdicts = new Map<ToolId, Verdict>(Object.entries(z.tools ?? {}));
    // Globs were checked above; with problems the policy is refused below, unbuilt.
    const safe = (globs: string[]): string[] => (problems.length ? [] : globs.map(normalize));
    const include = safe(z.paths);
    // Excludes take a path out of a zone, so each spelling must be out: the path as Git
    // stores it, matched exactly (folded alone, `exclude: evals/tasks/examples/**` let
    // `evals/tasks/EXAMPLES/`, another directory on a case-sensitive checkout, out of a
    // deny zone), and the path as a case- or normalisation-insensitive checkout reads it,
    // matched folded (exact alone, `data/[^t]*/**` let `data/Train/` out, which such a
    // checkout writes into `data/train/`; `draft?/**` let `draft\u200c/` out, which HFS+
    // writes into `draft/`).
    const rawExclude = problems.length ? [] : (z.exclude ?? []);
    const inc = globMatcher(include, matchOpts);
    const exact = globMatcher(rawExclude, EXACT);
    const folded = globMatcher(safe(rawExclude), matchOpts);
    const exc = (path: string, n: string): boolean => exact(path) && folded(n);
    includes.push({ globs: include, matcher: inc });
    excludes.push(rawExclude.length ? exc : undefined);
    return Object.freeze({
      name: z.name,
      description: z.description,
      paths: Object.freeze([...z.paths]),
      exclude: Object.freeze([...(z.exclude ?? [])]),
      ai: z.ai,
      read: z.read ?? 'allow',
      tools: toolVerdicts,
      matches: (p: string) => {
        const n = normalize(p);
        return inc(n) && !exc(p, n);
      },
      excludes: (p: string) => {
        const n = normalize(p);
        return inc(n) && exc(p, n);
      },
      verdictFor: (tool: ToolId) => toolVerdicts.get(tool) ?? z.ai,
    });
  });

  if (problems.length) throw new PolicyError(problems);

  // Most staged paths are in no zone: the index tries a path only against the globs
  // that could match it (zoneIndex), then each matched zone's excludes.
  const index = zoneIndex(includes, matchOpts);
  // The answers of nearly every path (none, or one zone) are shared frozen arrays, not
  // one new array per path: a 100,000-file commit asks every path (issue 14 §4), and
  // what its callers keep alive the collector copies. Frozen, so a caller that tried to
  // change one would throw, not alter the next path's answer.
  const only = zones.map((z) => Object.freeze([z]));
  const zonesFor = (path: string): readonly Zone[] => {
    // Every per-file loop of a judgement asks this: the deadline is checked here once for all.
    checkDeadline();
    const n = normalize(path);
    if (n === '') return NO_ZONES;
    const hits = indexedZones(index, n, !caseSensitive);
    if (!hits) return NO_ZONES;
    // Excludes are tried on the path as given and as folded (see `rawExclude` above).
    if (hits.length === 1) return excludes[hits[0]!]?.(path, n) ? NO_ZONES : only[hits[0]!]!;
    const out: Zone[] = [];
    for (const i of hits) if (!excludes[i]?.(path, n)) out.push(zones[i]!);
    return out;
  };

  const policy: Policy = Object.freeze({
    file,
    repository: input.repository,
    zones: Object.freeze(zones),
    review: Object.freeze({
      mode: input.review?.mode ?? 'trailer',
      trailer: input.review?.trailer ?? 'Reviewed-by',
      reviewers: input.review?.reviewers ?? '.cleanroom/reviewers',
      revoked: input.review?.revoked,
      independent: input.review?.independent ?? false,
    }),
    overrides: Object.freeze({
      approvers: input.overrides?.approvers ?? '.cleanroom/approvers',
      revoked: input.overrides?.revoked,
    }),
    get tools(): ToolTable {
      return (tools ??= compileToolTable(builtin, toolRows));
    },
    caseSensitive,
    unicode,
    normalize,
    zonesFor,
    verdictFor: (path: string, tool: ToolId) => strictestZone(zonesFor(path), tool),
    verdictOfFile: (f: Pick<FileChange, 'path' | 'mode'>, tool: ToolId) =>
      verdictOfFile(policy, f, tool),
    zonesOfFile: (f: Pick<FileChange, 'path' | 'mode'>) => zonesOfFile(policy, f),
    readDenied: (path: string) => zonesFor(path).filter((z) => z.read === 'deny'),
  });
  return policy;
}
