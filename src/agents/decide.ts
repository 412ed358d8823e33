// The judgement every adapter shares: where a path an agent names really lands, and
// whether the policy lets that agent write or read it there.
//
// A path is judged twice — as written and after symlinks are resolved — and the
// stricter answer wins: `link/q.json`, with `link -> evals/tasks`, is a write into
// evals/tasks; so is `/tmp/x/q.json` when /tmp/x points there. Each path is judged by
// EVERY repository that holds it (each ancestor directory with a `.git`), strictest
// answer winning: an empty `evals/.git` the agent creates adds a "repository" with no
// policy, and takes nothing away from the project's own. A path outside every
// repository is none of our business. No git process is started here; the policy
// lookup (policy.ts) starts one per repository.

import {
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { Policy, Zone } from '../policy/compile.js';
import { safe } from '../escape.js';
import { bypassReason } from './bypass.js';
import { managedPaths } from './switches.js';
import { gitAliasReason } from './git-alias.js';
import type { GitContext } from '../git/git.js';
import { commitSpelled, revPath, shellPaths, type Extraction, type GitRead } from './shell.js';
import { aliasesOf } from '../policy/links.js';
import { diskZoneLinks } from './zone-links.js';
import type { AgentEvent, Decision } from './types.js';

export interface Target {
  /** The repository's work tree, symlinks resolved. */
  root: string;
  /** Repository-relative path with "/" separators. */
  rel: string;
}

export type PolicyLookup =
  /** `others`: further policies that also hold (the index's beside HEAD's): the strictest answer wins. */
  | { kind: 'policy'; policy: Policy; others?: Policy[] }
  /** No policy anywhere: cleanroom is not set up in this repository. */
  | { kind: 'none' }
  /** A policy exists but cannot be used: judging is impossible, so writes fail closed. */
  | { kind: 'invalid'; reason: string };

/** More paths than this in one call are refused unjudged (a patch of thousands of files). */
const MAX_PATHS = 2000;

/** The nearest ancestor of `dir` (itself included) holding a `.git`. */
export function findRoot(dir: string): string | undefined {
  return findRoots(dir)[0];
}

/** Every ancestor of `dir` (itself included) holding a `.git`, nearest first. */
export function findRoots(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== '.git' && existsSync(join(d, '.git'))) out.push(d);
    if (dirname(d) === d) return out;
  }
}

/** realpath of the longest existing prefix of `abs`, with the rest appended (new files, new dirs). */
export function realpathDeep(abs: string): string {
  const rest: string[] = [];
  let d = abs;
  for (;;) {
    try {
      return join(realpathSync(d), ...rest.reverse());
    } catch {
      const up = dirname(d);
      if (up === d) return abs;
      rest.push(basename(d));
      d = up;
    }
  }
}

const toPosix = (p: string): string => (sep === '/' ? p : p.split(sep).join('/'));

function targetsIn(abs: string, realRoot: boolean): Target[] {
  const out: Target[] = [];
  for (const root of findRoots(abs)) {
    const rel = toPosix(relative(root, abs));
    if (rel.startsWith('../') || rel === '..' || isAbsolute(rel)) continue;
    let real = root;
    if (!realRoot) {
      try {
        real = realpathSync(root);
      } catch {
        // keep the path as found
      }
    }
    out.push({ root: real, rel });
  }
  return out;
}

/** Every place `given` (absolute, or relative to `cwd`) lands in a repository: nearest repository first, then the ones around it. */
export function targetsOf(given: string, cwd: string): Target[] {
  const abs = resolve(cwd, given);
  const out: Target[] = [];
  for (const t of [...targetsIn(abs, false), ...targetsIn(realpathDeep(abs), true)]) {
    if (!out.some((o) => o.root === t.root && o.rel === t.rel)) out.push(t);
  }
  return out;
}

// Its own module: the adapters use it, and importing this file (the judge, which reads
// the agent registry through bypass.ts) from them made a runtime import cycle.
export { globRoot } from './glob-root.js';

/**
 * What agents may not change, whatever the policy says: cleanroom's own configuration,
 * any `.git` (hooks, config, a fake nested repository), husky's hooks, and the agent
 * hook configs cleanroom is wired into (an agent that edits its own hooks away is not
 * judged the next time).
 */
const PROTECTED =
  /^(\.cleanroom|\.husky|\.githooks)(\/|$)|(^|\/)\.git(\/|$)|^\.claude\/settings(\.local)?\.json$|^\.codex\/(hooks\.json|config\.toml)$|^\.cursor\/hooks\.json$|^\.gemini\/settings\.json$|^\.github\/hooks(\/|$)/i;
/**
 * git's own config files outside the repository (git-config(1) FILES): a `core.hooksPath`
 * written there switches cleanroom off in every repository of the user. Matched by
 * resolved absolute path: $HOME/.gitconfig, $XDG_CONFIG_HOME/git/config (default
 * ~/.config), GIT_CONFIG_GLOBAL / GIT_CONFIG_SYSTEM, and, since the system file's
 * directory depends on how git was built ($(prefix)/etc/gitconfig), every file named
 * `gitconfig` or `.gitconfig` and every `git/config`. Files named by `include.path` are
 * not known here (include.* keys are refused in bypass.ts).
 */
function gitConfigFile(abs: string): boolean {
  const env = process.env;
  const home = env.HOME ?? env.USERPROFILE;
  const xdg = env.XDG_CONFIG_HOME || (home ? join(home, '.config') : undefined);
  const named = [
    home && join(home, '.gitconfig'),
    xdg && join(xdg, 'git', 'config'),
    env.GIT_CONFIG_GLOBAL,
    env.GIT_CONFIG_SYSTEM,
    '/etc/gitconfig',
  ].filter((f): f is string => !!f && f !== '/dev/null');
  const real = new Set(named.flatMap((f) => [resolve(f), realpathDeep(resolve(f))]));
  return [abs, realpathDeep(abs)].some(
    (p) => real.has(p) || /^\.?gitconfig$/i.test(basename(p)) || /[\\/]git[\\/]config$/i.test(p),
  );
}

/**
 * The agent hosts' own settings outside the repository, where a hook is switched off or
 * its environment set (docs/agents.md "Making it stick"): Claude Code's user settings
 * (`~/.claude/settings.json`, `settings.local.json`, or under $CLAUDE_CONFIG_DIR) and
 * `~/.claude.json`; Gemini CLI's `~/.gemini/settings.json` and `trustedFolders.json`;
 * Copilot CLI's `~/.copilot/config.json` and user hooks (also under $XDG_CONFIG_HOME or
 * $COPILOT_HOME); Codex's `config.toml`, `hooks.json`, `requirements.toml` under
 * `~/.codex` or $CODEX_HOME; Cursor's user `~/.cursor/hooks.json`; and every host's
 * managed or system settings (switches.ts managedPaths). Matched by resolved absolute
 * path, and by name wherever the file lies (a host's home moved by a variable the hook
 * does not see): `…/.claude/settings*.json`, `…/.gemini/settings.json`, … — the agent has
 * no business writing any of them. A project's own copies are PROTECTED (relative).
 */
const HOST_CONFIG_NAMES =
  /[\\/]\.claude[\\/]settings(\.local)?\.json$|[\\/]\.claude\.json$|[\\/]\.gemini[\\/](settings|trustedFolders)\.json$|[\\/]\.copilot[\\/](config\.json$|hooks([\\/]|$))|[\\/]\.codex[\\/](config\.toml|hooks\.json|requirements\.toml)$|[\\/]\.cursor[\\/]hooks\.json$|[\\/]managed-settings\.json$/i;
/** The hosts' settings files this environment names, by absolute path (HOME, the hosts' variables, managed). */
let hostPathsMemo: { key: string; paths: string[] } | undefined;
function hostConfigPaths(): string[] {
  const env = process.env;
  const key = [
    env.HOME,
    env.USERPROFILE,
    env.XDG_CONFIG_HOME,
    env.CLAUDE_CONFIG_DIR,
    env.CODEX_HOME,
    env.COPILOT_HOME,
    env.GEMINI_CLI_HOME,
    env.GEMINI_CLI_SYSTEM_SETTINGS_PATH,
  ].join('\0');
  if (hostPathsMemo?.key === key) return hostPathsMemo.paths;
  const home = env.HOME ?? env.USERPROFILE;
  const named: string[] = Object.values(managedPaths());
  const claude = [env.CLAUDE_CONFIG_DIR, home && join(home, '.claude')];
  for (const dir of claude)
    if (dir) named.push(join(dir, 'settings.json'), join(dir, 'settings.local.json'));
  if (home) named.push(join(home, '.claude.json'));
  for (const dir of [env.CODEX_HOME, home && join(home, '.codex')])
    if (dir)
      named.push(join(dir, 'config.toml'), join(dir, 'hooks.json'), join(dir, 'requirements.toml'));
  const xdg = env.XDG_CONFIG_HOME || (home ? join(home, '.config') : undefined);
  for (const dir of [
    env.COPILOT_HOME,
    home && join(home, '.copilot'),
    xdg && join(xdg, '.copilot'),
  ])
    if (dir) named.push(join(dir, 'config.json'), join(dir, 'hooks'));
  for (const dir of [env.GEMINI_CLI_HOME, home])
    if (dir)
      named.push(
        join(dir, '.gemini', 'settings.json'),
        join(dir, '.gemini', 'trustedFolders.json'),
      );
  if (env.GEMINI_CLI_SYSTEM_SETTINGS_PATH) named.push(env.GEMINI_CLI_SYSTEM_SETTINGS_PATH);
  if (home) named.push(join(home, '.cursor', 'hooks.json'));
  const paths = [...new Set(named.flatMap((f) => [resolve(f), realpathDeep(resolve(f))]))];
  hostPathsMemo = { key, paths };
  return paths;
}

function hostConfigFile(abs: string): boolean {
  const known = hostConfigPaths();
  return [resolve(abs), realpathDeep(resolve(abs))].some(
    (p) => HOST_CONFIG_NAMES.test(p) || known.some((k) => p === k || p.startsWith(`${k}${sep}`)), // `hooks` is a directory
  );
}

/** Would a directory tree landing at `abs` (cp -r, rsync) put files where hostConfigFile guards? */
function holdsHostConfig(abs: string): boolean {
  const known = hostConfigPaths();
  return [resolve(abs), realpathDeep(resolve(abs))].some(
    (p) =>
      /^\.(claude|gemini|copilot|codex|cursor)$/i.test(basename(p)) ||
      known.some((k) => k === p || k.startsWith(p.endsWith(sep) ? p : `${p}${sep}`)),
  );
}

/**
 * Where this cleanroom runs from, and what it runs: `dist/` and `hooks/` of the
 * installation whose entry this process is (`node …/dist/agent-hook.cjs`, or
 * `…/dist/cleanroom.cjs agent-hook`), and the per-user V8 code cache its loaders read
 * (src/build/build.mjs: `$XDG_CACHE_HOME/cleanroom`, default `~/.cache/cleanroom`). A
 * code-cache file is code: V8 checks only the source's length against it, so an agent
 * that planted one compiled from a same-length edit of the bundle would run its own
 * hook. Matched by resolved absolute path, like git's config files.
 */
function cleanroomOwnFile(abs: string): boolean {
  const roots = ownRoots();
  return [resolve(abs), realpathDeep(resolve(abs))].some((p) =>
    roots.some((r) => p === r || p.startsWith(r.endsWith(sep) ? r : `${r}${sep}`)),
  );
}

/**
 * The directories cleanroomOwnFile guards, resolved once per environment: a shell
 * command names many paths, and each would otherwise resolve them all again (realpath
 * walks) on the agent hook's hot path. Keyed by what they derive from.
 */
let ownRootsMemo: { key: string; roots: string[] } | undefined;
function ownRoots(): string[] {
  const env = process.env;
  const key = [env.HOME, env.USERPROFILE, env.XDG_CACHE_HOME, process.argv[1]].join('\0');
  if (ownRootsMemo?.key === key) return ownRootsMemo.roots;
  const home = env.HOME ?? env.USERPROFILE;
  const cache = env.XDG_CACHE_HOME || (home ? join(home, '.cache') : undefined);
  const dirs: string[] = [];
  if (cache && isAbsolute(cache)) dirs.push(join(cache, 'cleanroom'));
  if (home) dirs.push(join(home, '.cache', 'cleanroom'));
  const entry = process.argv[1];
  if (entry) {
    const dist = dirname(realpathDeep(resolve(entry)));
    if (basename(dist) === 'dist') dirs.push(dist, join(dirname(dist), 'hooks'));
  }
  const roots = [...new Set(dirs.flatMap((d) => [resolve(d), realpathDeep(resolve(d))]))];
  ownRootsMemo = { key, roots };
  return roots;
}

/** A file name that stands for "anything inside this directory". */
const PROBE = 'cleanroom-probe';

/** A `read: deny` zone holding `rel`, or holding everything in the directory `rel`. */
function readZone(policy: Policy, rel: string): Zone | undefined {
  return policy.readDenied(rel)[0] ?? (rel ? policy.readDenied(`${rel}/${PROBE}`)[0] : undefined);
}

/** A `read: deny` zone that a recursive search of `rel` would reach: `rel` is inside it, above it, or below a glob that reaches down. */
function searchZone(policy: Policy, rel: string): { zone: Zone; base: string } | undefined {
  const inside = readZone(policy, rel);
  if (inside) return { zone: inside, base: rel };
  return zoneBelow(policy, rel, (z) => z.read === 'deny');
}

/**
 * Each glob of each zone `pick` takes, with its fixed leading directories (picomatch's
 * `scan().base`): `shown` as written, `base` folded as the policy compares paths.
 */
function* zoneBases(
  policy: Policy,
  pick: (z: Zone) => boolean,
): Generator<{ zone: Zone; glob: string; base: string; shown: string }> {
  const fold = folder(policy);
  for (const zone of policy.zones) {
    if (!pick(zone)) continue;
    for (const glob of zone.paths) {
      const shown = picomatch.scan(glob).base;
      yield { zone, glob, base: fold(shown), shown };
    }
  }
}

/** Can `glob` still match a path one level (or more) below the directory `dir`? */
const reachesBelow = (glob: string, dir: string): boolean =>
  glob.includes('**') || glob.split('/').length > dir.split('/').length;

/** A path as the policy compares it: normalised, and lower-cased where it ignores case. */
const folder =
  (policy: Policy) =>
  (p: string): string => {
    const n = policy.normalize(p);
    return policy.caseSensitive ? n : n.toLowerCase();
  };

/**
 * A zone (among those `pick` accepts) that some path under the directory `rel` could be
 * in. `deep` false: only zones whose fixed part lies under `rel` (`rel` is a parent
 * directory of the zone), not globs that could match anywhere below (`**\/answer_key*`).
 * `anywhere` false: globs with no fixed part (`**\/answer_key*`, which every directory
 * could hold) are left out.
 */
function zoneBelow(
  policy: Policy,
  rel: string,
  pick: (z: Zone) => boolean,
  deep = true,
  anywhere = true,
): { zone: Zone; base: string } | undefined {
  const dir = folder(policy)(rel);
  for (const { zone, glob, base, shown } of zoneBases(policy, pick)) {
    if (!anywhere && base === '') continue;
    const above = dir === '' || base === dir || base.startsWith(`${dir}/`);
    // Below the zone's fixed part: the rest of the glob may still match in there.
    const below = base === '' || dir.startsWith(`${base}/`);
    if (above || (deep && below && reachesBelow(glob, dir))) return { zone, base: shown };
  }
  return undefined;
}

/**
 * A zone (of those `pick` takes) a file directly in directory `rel` could belong to: a
 * glob whose fixed part is `rel` or above it and whose rest can still match one level
 * below `rel`. Unlike zoneBelow, a zone deeper than `rel` does not count.
 */
function zoneHolding(policy: Policy, rel: string, pick: (z: Zone) => boolean): Zone | undefined {
  const dir = folder(policy)(rel);
  for (const { zone, glob, base } of zoneBases(policy, pick)) {
    // A glob with no fixed part (`**\/answer_key*`) could hold files in every directory:
    // counted, it would refuse every program anywhere (the preset has one). As for a
    // word given to such a program (opaque), only zones with a directory count.
    if (base === '') continue;
    const within = base === dir || dir.startsWith(`${base}/`);
    if (within && reachesBelow(glob, dir)) return zone;
  }
  return undefined;
}

const show = (rel: string): string => safe(rel || '.');

/** Directories read at most when looking for symlinks under an extraction's destination. */
const MAX_LINK_SCAN_DIRS = 5000;

/**
 * The first symlink under `dir` (repository `root`) whose target, resolved, lies where
 * `zoned` says (a path in or above a deny zone), as a path for the message; past
 * MAX_LINK_SCAN_DIRS directories the answer is "unknown" and the caller refuses.
 */
function linkInto(dir: string, root: string, zoned: (rel: string) => boolean): string | undefined {
  const queue = [dir];
  for (let n = 0; queue.length; n++) {
    if (n >= MAX_LINK_SCAN_DIRS)
      return `a directory too large to search for symlinks (${safe(dir)})`;
    const d = queue.shift()!;
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const abs = join(d, e.name);
      if (e.name === '.git' && d === root) continue;
      if (e.isDirectory()) queue.push(abs);
      else if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathDeep(resolve(d, readlinkSync(abs)));
        } catch {
          continue;
        }
        const rel = toPosix(relative(realpathDeep(root), target));
        if (rel.startsWith('..') || isAbsolute(rel)) continue;
        if (zoned(rel === '' ? '' : rel)) return safe(toPosix(relative(root, abs)));
      }
    }
  }
  return undefined;
}

/** Bytes of a patch file read to find the files it writes; a larger one is judged as unseen. */
const MAX_PATCH_BYTES = 16 << 20;
/** Names a patch may hold before it is judged as unseen (each is tried at every strip level). */
const MAX_PATCH_NAMES = 2000;

/**
 * The files a patch may write, every way `-pN` and `--directory` can read them: each path
 * of its headers (`diff --git a/X b/Y` split at every space, `---`/`+++`/`***`, `rename`/
 * `copy from`/`to`, `Index:`; git-diff(1) "generating patches", GNU patch's "-p" and
 * "Index:" rules) with 0…n leading directories removed. undefined when a name cannot be
 * read here: C-quoted names, symlinks and gitlinks (what they point at is content too),
 * an encoded mail body (`git am` decodes base64 and quoted-printable), too many names.
 * Lines of a hunk that look like headers only add names: the reading errs on the side of
 * refusing.
 */
export function patchTargets(text: string): string[] | undefined {
  if (/^Content-Transfer-Encoding:\s*(base64|quoted-printable)/im.test(text)) return undefined;
  const found = new Set<string>();
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let m: RegExpExecArray | null;
    if (line.startsWith('diff --git ')) {
      const rest = line.slice(11);
      if (rest.startsWith('"') || rest.includes(' "')) return undefined;
      found.add(rest);
      for (let i = rest.indexOf(' '); i >= 0; i = rest.indexOf(' ', i + 1)) {
        found.add(rest.slice(0, i));
        found.add(rest.slice(i + 1));
      }
    } else if ((m = /^(?:---|\+\+\+|\*\*\*) (.*)$/.exec(line))) {
      const name = m[1]!.split('\t')[0]!;
      if (name.startsWith('"')) return undefined;
      if (name !== '/dev/null') found.add(name).add(name.trimEnd());
    } else if ((m = /^(?:(?:rename|copy) (?:from|to)|Index:) (.*)$/.exec(line))) {
      if (m[1]!.startsWith('"')) return undefined;
      found.add(m[1]!);
    } else if (
      /^(new file mode|new mode|old mode|deleted file mode) 1[26]0000/.test(line) ||
      /^index [0-9a-f]+\.\.[0-9a-f]+ 1[26]0000/.test(line)
    )
      return undefined;
    if (found.size > MAX_PATCH_NAMES) return undefined;
  }
  const names = new Set<string>();
  for (const p of found) {
    const parts = p.split('/').filter((x) => x !== '' && x !== '.');
    for (let k = 0; k < parts.length; k++) names.add(parts.slice(k).join('/'));
  }
  return names.size > MAX_PATCH_NAMES * 8 ? undefined : [...names];
}

/** Files a search may list under one directory before cleanroom stops counting and assumes the worst. */
const MAX_SEARCH_FILES = 5000;

/**
 * Would a search of the directory `rel` (in `root`), limited by `filter` (a Grep glob
 * or file type; none: every file), read a file of a `read: deny` zone? Looks at the files that exist
 * under the zone's part of `rel`: an agent cannot add files there (read-deny zones in
 * the presets are deny zones too), so what is on disk is what a search would read.
 * More than MAX_SEARCH_FILES files, or an unreadable directory: assume it would.
 */
function searchReaches(
  policy: Policy,
  root: string,
  rel: string,
  filter: ((rel: string) => boolean) | undefined,
): { zone: Zone; base: string } | undefined {
  const hit = searchZone(policy, rel);
  if (!hit) return undefined;
  filter ??= () => true;
  // Walk the deeper of `rel` and the zone's fixed base: nothing else can be in the zone.
  const dirs = [
    ...new Set(
      policy.zones
        .filter((z) => z.read === 'deny')
        .flatMap((z) => z.paths.map((g) => picomatch.scan(g).base)),
    ),
  ]
    .map((base) =>
      base === '' || (rel !== '' && (rel === base || rel.startsWith(`${base}/`)))
        ? rel
        : base.startsWith(`${rel}/`) || rel === ''
          ? base
          : undefined,
    )
    .filter((d): d is string => d !== undefined);
  let seen = 0;
  const walk = (dir: string): { zone: Zone; base: string } | undefined | 'too-many' => {
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // The search names a file: ripgrep reads a file it is given, whatever its --glob.
      if (code === 'ENOTDIR') {
        const zone = policy.readDenied(dir)[0];
        return zone ? { zone, base: dir } : undefined;
      }
      return code === 'ENOENT' ? undefined : 'too-many';
    }
    for (const e of entries) {
      if (++seen > MAX_SEARCH_FILES) return 'too-many';
      const p = dir ? `${dir}/${e.name}` : e.name;
      if (e.name === '.git') continue;
      if (e.isDirectory()) {
        const r = walk(p);
        if (r) return r;
      } else {
        const zone = policy.readDenied(p)[0];
        if (zone && filter(p)) return { zone, base: p };
      }
    }
    return undefined;
  };
  for (const d of dirs) {
    const r = walk(d);
    if (r === 'too-many') return hit;
    if (r) return r;
  }
  return undefined;
}

/**
 * A filter for files a search with `glob` (ripgrep's --glob) and `type` (ripgrep's
 * --type) reads, or undefined when it reads all. The filter takes a file's path from the
 * repository root. ripgrep's globs differ from picomatch's where it matters:
 * - a glob without `/` matches the file name anywhere (picomatch's `basename`);
 * - a glob with `/` matches relative to ripgrep's working directory, which is not known
 *   here: it is tried on every tail of the path (`evals/**` against `x/evals/q`), and a
 *   leading `/` (anchored there) is dropped — more files read is the strict side;
 * - `[!…]` is "none of" (picomatch: "!" or …), `{a}` is `a`;
 * - a backslash escape: not modelled, the search reads all.
 */
export function searchFilter(
  glob: string | undefined,
  type: string | undefined,
): ((path: string) => boolean) | undefined {
  const tests: ((path: string) => boolean)[] = [];
  // Each reading of `glob` (the string whole, and each piece Claude Code's Grep makes of
  // it): a file any of them lets through is read. A backslash anywhere: not modelled.
  const pieces = glob ? [glob, ...globList(glob)] : [];
  if (glob && !glob.includes('\\')) {
    const ms = [...new Set(pieces)].map(globTest);
    tests.push((path) => ms.some((m) => m(path)));
  }
  if (type) {
    const exts = FILE_TYPES[type.toLowerCase()];
    if (exts) tests.push((path) => exts.some((x) => path.toLowerCase().endsWith(x)));
  }
  return tests.length ? (path) => tests.every((t) => t(path)) : undefined;
}

/**
 * The globs Claude Code's Grep passes to ripgrep for its `glob` parameter: split on
 * whitespace, then each piece on commas unless it holds a `{…}` alternation (its
 * GrepTool: `glob.split(/\s+/)`, then `split(",")` outside braces), each its own --glob.
 */
export function globList(glob: string): string[] {
  const out: string[] = [];
  for (const raw of glob.split(/\s+/)) {
    if (!raw) continue;
    if (raw.includes('{') && raw.includes('}')) out.push(raw);
    else out.push(...raw.split(',').filter((p) => p !== ''));
  }
  return out;
}

/** One ripgrep --glob as a test of a path from the repository root (see searchFilter). */
function globTest(glob: string): (path: string) => boolean {
  const g = glob
    .replace(/\[!/g, '[^')
    .replace(/\{([^{},]*)\}/g, '$1')
    .replace(/^\/+/, '');
  if (!g.includes('/')) {
    const m = picomatch(g, { dot: true, basename: true });
    return (path) => m(path);
  }
  const m = picomatch(g, { dot: true });
  return (path) => {
    if (m(path)) return true;
    for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1))
      if (m(path.slice(i + 1))) return true;
    return false;
  };
}

/** ripgrep's common --type names and their extensions (an unknown type filters nothing). */
const FILE_TYPES: Record<string, string[]> = {
  ts: ['.ts', '.tsx', '.mts', '.cts'],
  js: ['.js', '.jsx', '.mjs', '.cjs', '.vue'],
  py: ['.py', '.pyi'],
  rust: ['.rs'],
  go: ['.go'],
  java: ['.java', '.jsp'],
  c: ['.c', '.h'],
  cpp: ['.cpp', '.cc', '.cxx', '.hpp', '.hh', '.h'],
  md: ['.md', '.markdown', '.mdx'],
  markdown: ['.md', '.markdown', '.mdx'],
  json: ['.json', '.jsonl', '.json5'],
  yaml: ['.yaml', '.yml'],
  toml: ['.toml'],
  sh: ['.sh', '.bash', '.zsh'],
  css: ['.css', '.scss', '.sass', '.less'],
  html: ['.html', '.htm'],
  rb: ['.rb'],
  ruby: ['.rb'],
};

/** A directory of one repository; false when it does not exist or is a file. */
const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Judges an event. `lookup` gives the policy of a repository root (cached by the caller). */
const policiesOf = (p: Extract<PolicyLookup, { kind: 'policy' }>): Policy[] => [
  p.policy,
  ...(p.others ?? []),
];

/** Judges an event. `lookup` gives the policy of a repository root (cached by the caller). */
export async function judge(
  event: AgentEvent,
  lookup: (root: string) => Promise<PolicyLookup>,
  defaultCwd: string,
  /** The agent's environment, which its shell's git sees (HOME: the user's aliases). */
  env: GitContext['env'] = {},
): Promise<Decision> {
  const cwd = event.cwd ?? defaultCwd;
  const tool = event.tool;

  const invalid = (rel: string, reason: string): Decision => ({
    action: 'fail',
    block: true,
    reason: `cleanroom: cannot check ${show(rel)} because ${reason} — blocked to be safe; a human must fix the policy (cleanroom policy validate).`,
  });
  const protectedPath = (rel: string): Decision => ({
    action: 'deny',
    reason: `cleanroom: ${show(rel)} belongs to cleanroom's or git's own configuration (or the agent hooks), which agents may not change — ask a human to make this edit.`,
  });

  const ownFile = (given: string): Decision => ({
    action: 'deny',
    reason: `cleanroom: ${safe(given)} is part of cleanroom's own installation or its code cache (what the hooks run), which agents may not change — ask a human to make this edit.`,
  });

  const gitConfig = (given: string): Decision => ({
    action: 'deny',
    reason: `cleanroom: ${safe(given)} is one of git's own config files (a core.hooksPath there switches cleanroom's hooks off in every repository), which agents may not change — ask a human to make this edit.`,
  });

  const hostConfig = (given: string): Decision => ({
    action: 'deny',
    reason: `cleanroom: ${safe(given)} is an agent host's own settings (where its hooks, cleanroom's among them, are switched off or given another environment), which agents may not change — ask a human to make this edit.`,
  });

  /**
   * `lead` starts the sentence ("evals/x is in"), `tail` ends it with what to do instead.
   * `tree`: a whole directory tree of unknown shape lands at `given` (cp -r, rsync): refused
   * when any path below it could be in a deny zone.
   */
  const write = async (
    given: string,
    lead: (rel: string) => string,
    tail = 'a human has to write it by hand',
    tree = false,
  ): Promise<Decision | undefined> => {
    if (gitConfigFile(resolve(cwd, given))) return gitConfig(given);
    if (cleanroomOwnFile(resolve(cwd, given))) return ownFile(given);
    if (hostConfigFile(resolve(cwd, given))) return hostConfig(given);
    if (hostConfigFile(resolve(cwd, given))) return hostConfig(given);
    // A tree landing on a host's home (`cp -r x ~/.claude`) or on the user's home.
    if (tree && holdsHostConfig(resolve(cwd, given))) return hostConfig(given);
    for (const t of targetsOf(given, cwd)) {
      if (PROTECTED.test(t.rel) || (tree && PROTECTED.test(`${t.rel}/x`)))
        return protectedPath(t.rel);
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      for (const policy of policiesOf(p)) {
        const { verdict, zone } = policy.verdictFor(t.rel, tool);
        if (verdict === 'deny' && zone) {
          return {
            action: 'deny',
            reason: `cleanroom: ${lead(show(t.rel))} zone "${zone.name}", which must contain no AI-written content (${tool}) — ${tail}.`,
          };
        }
        const below = tree
          ? zoneBelow(policy, t.rel, (z) => z.verdictFor(tool) === 'deny')
          : undefined;
        if (below) {
          return {
            action: 'deny',
            reason: `cleanroom: ${lead(show(t.rel))} a directory under which zone "${below.zone.name}" (${show(below.base)}) lies, which must contain no AI-written content (${tool}) — copy the files one by one to where they may go, or ask a human.`,
          };
        }
      }
      // Links are content at their own path: src/jl/q.jsonl is evals/extra/q.jsonl too
      // while the symlink evals/extra -> ../src/jl exists.
      for (const alias of aliasesOf(
        t.rel,
        diskZoneLinks(t.root, p.policy),
        !p.policy.caseSensitive,
      )) {
        const a = p.policy.verdictFor(alias, tool);
        if (a.verdict === 'deny' && a.zone) {
          return {
            action: 'deny',
            reason: `cleanroom: ${lead(`${show(t.rel)} (seen through a symlink as ${show(alias)})`)} zone "${a.zone.name}", which must contain no AI-written content (${tool}) — ${tail}.`,
          };
        }
      }
    }
    return undefined;
  };

  /**
   * The repositories a directory read rooted at `given` walks into from above: each known
   * repository (the ones holding `cwd` and the hook's own directory) whose root is
   * `given` or lies below it, as written or with symlinks resolved. `grep -r X ..`,
   * Grep with `path` = the parent directory or $HOME, `cp -r .. /tmp/c`: the path is
   * outside every repository, yet the walk reads the whole repository — judged as a
   * search of its root.
   */
  const reposBelow = (given: string): Target[] => {
    const abs = resolve(cwd, given);
    const spots = [...new Set([abs, realpathDeep(abs)])];
    const out: Target[] = [];
    for (const root of new Set([...findRoots(cwd), ...findRoots(defaultCwd)])) {
      const forms = [...new Set([root, realpathDeep(root)])];
      const under = spots.some((s) =>
        forms.some((r) => r === s || r.startsWith(s.endsWith(sep) ? s : `${s}${sep}`)),
      );
      if (under && !out.some((o) => o.root === forms[forms.length - 1]))
        out.push({ root: forms[forms.length - 1]!, rel: '' });
    }
    return out;
  };

  const read = async (
    given: string,
    mode: 'read' | 'search' | 'mention',
    filter?: (rel: string) => boolean,
  ): Promise<Decision | undefined> => {
    const targets = targetsOf(given, cwd);
    // A walk from above a repository reads all of it: judged as a search of its root. An
    // MCP tool's directory argument may be walked whatever its name says (a list, a
    // tree, a search): above a repository, it is that search too.
    const above: Target[] = [];
    if (mode === 'search' || event.mcp)
      for (const t of reposBelow(given)) if (!targets.some((o) => o.root === t.root)) above.push(t);
    for (const t of above) {
      const p = await lookup(t.root);
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      if (p.kind !== 'policy') continue;
      for (const policy of policiesOf(p)) {
        const hit = searchReaches(policy, t.root, '', filter);
        if (hit)
          return {
            action: 'deny',
            reason: `cleanroom: searching ${safe(given)} (above the repository: the whole repository) would read zone "${hit.zone.name}" (${show(hit.base)}), which agents may not read — search a narrower path (or a glob) that leaves it out.`,
          };
      }
    }
    for (const t of targets) {
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      for (const policy of policiesOf(p)) {
        if (mode === 'search') {
          const hit = searchReaches(policy, t.root, t.rel, filter);
          if (hit) {
            const where = t.rel ? show(t.rel) : 'the whole repository';
            return {
              action: 'deny',
              reason: `cleanroom: searching ${where} would read zone "${hit.zone.name}" (${show(hit.base)}), which agents may not read — search a narrower path (or a glob) that leaves it out.`,
            };
          }
          continue;
        }
        const zone = readZone(policy, t.rel);
        if (zone) {
          const lead =
            mode === 'mention' ? `this command names ${show(t.rel)} in` : `${show(t.rel)} is in`;
          return {
            action: 'deny',
            reason: `cleanroom: ${lead} zone "${zone.name}", which agents may not read (held-out content) — ask a human for what you need without its contents.`,
          };
        }
      }
    }
    return undefined;
  };

  /** A word given to a program cleanroom cannot read: refused inside or above a deny zone, and on protected files. */
  const opaque = async (given: string, touchedOnly: boolean): Promise<Decision | undefined> => {
    if (gitConfigFile(resolve(cwd, given))) return gitConfig(given);
    if (cleanroomOwnFile(resolve(cwd, given))) return ownFile(given);
    for (const t of targetsOf(given, cwd)) {
      if (PROTECTED.test(t.rel)) return protectedPath(t.rel);
      if (touchedOnly || t.rel === '') continue; // the repository root: every `pytest .` would be refused
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      for (const policy of policiesOf(p)) {
        const { verdict, zone } = policy.verdictFor(t.rel, tool);
        const hit =
          verdict === 'deny' && zone
            ? { zone, base: t.rel }
            : isDir(join(t.root, t.rel))
              ? zoneBelow(
                  policy,
                  t.rel,
                  (z) => z.verdictFor(tool) === 'deny' || z.read === 'deny',
                  false,
                )
              : undefined;
        if (hit) {
          return {
            action: 'deny',
            reason: `cleanroom: this command gives ${show(t.rel)} to a program cleanroom cannot follow, and zone "${hit.zone.name}" (${show(hit.base)}) lies there — agents may not write into it (or read it); name files outside the zone, or ask a human.`,
          };
        }
      }
    }
    return undefined;
  };

  /**
   * A program cleanroom cannot follow, run in `dir`: it may write there without naming a
   * file (`curl -O URL`, `git clone URL`, a script's relative writes) and read what is
   * there. Refused when a file directly in `dir` could be in a deny or `read: deny` zone
   * (a directory above a zone is not: `cd data && curl -O …` writes data/x, judged like
   * `curl -o data/x`).
   */
  const ranIn = async (dir: string): Promise<Decision | undefined> => {
    for (const t of targetsOf(dir, cwd)) {
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      for (const policy of policiesOf(p)) {
        const hit = zoneHolding(
          policy,
          t.rel,
          (z) => z.verdictFor(tool) === 'deny' || z.read === 'deny',
        );
        if (hit)
          return {
            action: 'deny',
            reason: `cleanroom: this command runs a program cleanroom cannot follow in ${show(t.rel)}, where it may write or read files of zone "${hit.name}" without naming them — run it from a directory outside the zone, or ask a human.`,
          };
      }
    }
    return undefined;
  };

  /**
   * An archive extracted or a patch applied (shell.ts `Extraction`). Every file a readable
   * patch names is judged as a write, from each destination (and, for git, from each
   * repository root: git apply and git am read a patch's paths from the top). Names
   * nobody can see beforehand (an archive's members, a patch from standard input or one
   * that cannot be read here) are refused when the destination holds a deny zone, lies in
   * one, holds git's or cleanroom's own files (the repository root: an archive member
   * `.git/hooks/pre-commit` switches the hooks off), or holds a symlink into a deny zone.
   */
  const extracted = async (x: Extraction): Promise<Decision | undefined> => {
    const git = x.what.startsWith('git ');
    // An archive's member names are never read here; a patch's are, when it can be.
    let names: string[] | undefined = x.unseen || !x.patches.length ? undefined : [];
    for (const f of x.patches) {
      if (!names) break;
      try {
        const abs = resolve(cwd, f);
        const st = statSync(abs);
        if (!st.isFile() || st.size > MAX_PATCH_BYTES) throw new Error('not a readable patch');
        const got = patchTargets(readFileSync(abs, 'latin1'));
        names = got && names.concat(got);
      } catch {
        names = undefined;
      }
    }
    // GNU patch, given a patch whose headers name nothing (a normal or ed diff), asks.
    if (names && !names.length && x.what === 'patch') names = undefined;
    // The plainest reading first, for the message: `evals/x.json` before `b/evals/x.json`.
    names?.sort((a, b) => a.split(' ').length - b.split(' ').length || b.length - a.length);
    if (names) {
      const dests = [
        ...x.dests,
        ...(git ? x.dests.flatMap((d) => findRoots(resolve(cwd, d))) : []),
      ];
      for (const dest of new Set(dests))
        for (const n of names) {
          const d = await write(
            posix.join(dest, n),
            (rel) => `this command (${x.what}) may write ${rel}, in`,
            'apply the patch outside the zones, or leave it to a human',
          );
          if (d) return d;
        }
      return undefined;
    }
    const refuse = (where: string, why: string): Decision => ({
      action: 'deny',
      reason: `cleanroom: ${x.what} here writes files whose names cleanroom cannot see beforehand (an archive's members, a patch it cannot read) into ${safe(where)}, ${why} — extract or apply it into a directory outside the zones (tar -C DIR, unzip -d DIR), or ask a human.`,
    });
    for (const dest of x.dests) {
      const abs = resolve(cwd, dest);
      const real = realpathDeep(abs);
      for (const root of findRoots(cwd))
        if ([abs, real].some((a) => a === root || root.startsWith(a.endsWith(sep) ? a : a + sep)))
          return refuse(
            dest,
            `which holds the repository ${root} and its own files (.git/hooks, .cleanroom/); name the destination with tar -C DIR or unzip -d DIR (a cd earlier on the line does not count: were it to fail, the command would run where it started)`,
          );
      for (const t of targetsOf(dest, cwd)) {
        const holdsOwn = ['', '/hooks', '/settings.json', '/hooks.json', '/config.toml'].some((s) =>
          PROTECTED.test(`${t.rel}${s}`),
        );
        if (holdsOwn) return refuse(dest, "where git's and cleanroom's own files live");
        const p = await lookup(t.root);
        if (p.kind === 'none') continue;
        if (p.kind === 'invalid') return invalid(t.rel, p.reason);
        for (const policy of policiesOf(p)) {
          const deny = (z: Zone): boolean => z.verdictFor(tool) === 'deny';
          const { verdict, zone } = policy.verdictFor(t.rel, tool);
          const hit =
            verdict === 'deny' && zone
              ? { zone, base: t.rel }
              : zoneBelow(policy, t.rel, deny, true, false);
          if (hit)
            return refuse(
              dest,
              `and zone "${hit.zone.name}" (${show(hit.base)}) lies there, which must contain no AI-written content (${tool})`,
            );
          // A zone symlink showing files under the destination (evals/extra -> ../src/jl).
          const seen = diskZoneLinks(t.root, p.policy).find(
            (l) =>
              t.rel === '' ||
              l.target === t.rel ||
              l.target.startsWith(`${t.rel}/`) ||
              t.rel.startsWith(`${l.target}/`),
          );
          if (seen)
            return refuse(dest, `which zone symlink ${show(seen.path)} shows inside a zone`);
          // A symlink under the destination into a deny zone: members written through it land there.
          const into = linkInto(join(t.root, t.rel), t.root, (rel) => {
            const v = policy.verdictFor(rel, tool);
            return v.verdict === 'deny' || zoneBelow(policy, rel, deny, true, false) !== undefined;
          });
          if (into) return refuse(dest, `and ${into} is a symlink into zone content`);
        }
      }
    }
    return undefined;
  };

  /**
   * `ln -s TARGET`: a link is a second name for TARGET, and a later word of the same
   * command line (`ln -s ../evals/tasks src/x && cat src/x/q1.json`) reads through it
   * before the link exists for realpath to see. So the link itself is refused when its
   * target (`abs`, resolved from the link's directory) is in or above a `deny` or
   * `read: deny` zone, is cleanroom's or git's own files, or holds a repository with
   * such zones (a link to the root, or to a directory above it).
   */
  const linkTo = async (abs: string): Promise<Decision | undefined> => {
    const deny = (what: string): Decision => ({
      action: 'deny',
      reason: `cleanroom: this command makes a symbolic link to ${safe(abs)}, ${what} — agents may not make a second name for files they may not read or write; name the files themselves, or ask a human.`,
    });
    const zoned = (policy: Policy): Zone | undefined => blockingZone([policy], tool);
    const real = realpathDeep(abs);
    for (const t of targetsOf(abs, cwd)) {
      if (PROTECTED.test(t.rel) || PROTECTED.test(`${t.rel}/x`))
        return deny("which holds cleanroom's or git's own files");
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      for (const policy of policiesOf(p)) {
        const v = policy.verdictFor(t.rel, tool);
        const zone =
          t.rel === ''
            ? zoned(policy)
            : (readZone(policy, t.rel) ??
              (v.verdict === 'deny' ? v.zone : undefined) ??
              zoneBelow(
                policy,
                t.rel,
                (z) => z.read === 'deny' || z.verdictFor(tool) === 'deny',
                false,
              )?.zone);
        if (zone) return deny(`where zone "${zone.name}" lies (or the directory holding it)`);
      }
    }
    // A directory above the repository: every zone of it is reachable through the link.
    for (const root of new Set([...findRoots(cwd), ...findRoots(defaultCwd)])) {
      const r = realpathDeep(root);
      if (r !== real && !r.startsWith(real.endsWith(sep) ? real : `${real}${sep}`)) continue;
      const p = await lookup(root);
      if (p.kind === 'invalid') return invalid('', p.reason);
      if (p.kind !== 'policy') continue;
      const zone = policiesOf(p)
        .map(zoned)
        .find((z) => z);
      if (zone) return deny(`above the repository where zone "${zone.name}" lies`);
    }
    return undefined;
  };

  /**
   * The policies of the repositories holding `cwd` and the hook's own directory (the
   * project the hook is wired into: a session started in /tmp may still `cd` into it),
   * for the checks that are not about one path.
   */
  const cwdPolicies = async (): Promise<Policy[] | Decision> => {
    const out: Policy[] = [];
    for (const t of [...targetsOf('.', cwd), ...targetsOf('.', defaultCwd)]) {
      const p = await lookup(t.root);
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      if (p.kind === 'policy') out.push(...policiesOf(p));
    }
    return out;
  };
  /**
   * Refused with `reason(zone)` where the policies at the cwd hold a zone `tool` may not
   * read or write (blockingZone): for what cleanroom cannot read (program text, an unknown
   * content-printing tool). Undefined where no such zone exists.
   */
  const refusedWhereZoned = async (
    reason: (zone: Zone) => string,
  ): Promise<Decision | undefined> => {
    const policies = await cwdPolicies();
    if (!Array.isArray(policies)) return policies;
    const zone = blockingZone(policies, tool);
    return zone ? { action: 'deny', reason: reason(zone) } : undefined;
  };

  const tooMany = (n: number, what: string): Decision => ({
    action: 'fail',
    block: true,
    reason: `cleanroom: this call names ${n} ${what}, more than cleanroom judges at once (${MAX_PATHS}) — blocked to be safe; split it up.`,
  });
  // An MCP server resolves a relative path from its own cwd, which is not known: most
  // often the project root. Each relative path is judged from there too.
  const paths = event.mcp
    ? [
        ...new Set(
          event.paths.flatMap((p) =>
            isAbsolute(p) ? [p] : [p, ...findRoots(cwd).map((r) => join(r, p))],
          ),
        ),
      ]
    : event.paths;
  if (paths.length > MAX_PATHS) return tooMany(paths.length, 'paths');
  let d: Decision | undefined;
  if (event.unread !== undefined) {
    const unread = event.unread;
    d = await refusedWhereZoned(
      (zone) =>
        `cleanroom: ${safe(event.name)} is ${safe(unread)}, which cleanroom cannot judge, and zone "${zone.name}" may be among it — run the git command through the shell tool, where cleanroom reads it, or ask a human.`,
    );
    if (d) return d;
  }
  switch (event.kind) {
    case 'write':
      for (const p of paths) if ((d = await write(p, (rel) => `${rel} is in`))) return d;
      return { action: 'allow' };
    case 'access':
      // A tool that may read or write what it names (an MCP tool): judged both ways.
      for (const p of paths)
        if ((d = (await write(p, (rel) => `${rel} is in`)) ?? (await read(p, 'read')))) return d;
      return { action: 'allow' };
    case 'read':
      for (const p of paths) if ((d = await read(p, 'read'))) return d;
      return { action: 'allow' };
    case 'search': {
      const filter = searchFilter(event.glob, event.fileType);
      for (const p of paths) if ((d = await read(p, 'search', filter))) return d;
      return { action: 'allow' };
    }
    case 'shell': {
      const command = event.command ?? '';
      // An MCP tool that runs a command may also name paths (its cwd, files): judged both ways.
      for (const p of paths)
        if ((d = (await write(p, (rel) => `${rel} is in`)) ?? (await read(p, 'read')))) return d;
      if (event.code !== undefined) {
        const code = event.code;
        d = await refusedWhereZoned(
          (zone) =>
            `cleanroom: ${safe(event.name)} runs program text cleanroom cannot read (${safe(code.slice(0, 60))}…), which could open files of zone "${zone.name}" — run it through the shell tool, where cleanroom reads the command line, or ask a human.`,
        );
        if (d) return d;
      }
      // `cd "$(git rev-parse --show-toplevel)"`, the usual way back to the root: its value
      // is known here (GIT_DIR and friends are refused), so it is not an unknown word.
      const root = findRoot(cwd);
      const sh = shellPaths(
        root && /^[\w./@+-]+$/.test(root)
          ? command.replaceAll('$(git rev-parse --show-toplevel)', root)
          : command,
        undefined,
        cwd,
      );
      const count = sh.written.length + sh.mentioned.length + sh.opaque.length + sh.searched.length;
      if (sh.truncated || count > MAX_PATHS) return tooMany(count, 'words that may be paths');
      const policies = await cwdPolicies();
      if (!Array.isArray(policies)) return policies;
      if (policies.length) {
        const why = bypassReason(command, {
          cwd,
          reviewTrailer: policies.find((p) => p.review.trailer)?.review.trailer,
        });
        if (why) return { action: 'deny', reason: `cleanroom: ${why}` };
        // `git ci -n` with alias.ci = commit: judged by what it runs (git-alias.ts).
        const alias = await gitAliasReason(command, cwd, env);
        if (alias) return { action: 'deny', reason: `cleanroom: ${alias}.` };
      }
      // Paths only the shell can compute (`cd "$D" && cat x.c`, `cat $(…)/x.c`): refused
      // when any zone could be there — the reader fails closed, it does not guess.
      if (sh.unknown.length) {
        const zone = blockingZone(policies, tool);
        if (zone)
          return {
            action: 'deny',
            reason: `cleanroom: this command uses ${safe(sh.unknown[0]!)} where a file or directory goes, and only the shell can tell which one (a variable, $(…), xargs, or a cd cleanroom cannot follow) — zone "${zone.name}" may lie there. Write the path out literally (cd src && cat a.c).`,
          };
      }
      for (const g of sh.gitReads) if ((d = gitContent(g, policies, cwd))) return d;
      for (const p of sh.written)
        if ((d = await write(p, (rel) => `this command writes ${rel} in`))) return d;
      for (const c of sh.copies) {
        if (!c.symbolic) continue;
        const into = c.intoDir || isDir(resolve(cwd, c.dest));
        for (const src of c.sources) {
          const at = resolve(cwd, into ? posix.join(c.dest, basename(src)) : c.dest);
          if ((d = await linkTo(resolve(dirname(at), src)))) return d;
        }
      }
      for (const c of sh.copies) {
        // What lands where: `cp x.jsonl evals/` writes evals/x.jsonl; `cp -r drafts evals/` a tree.
        const into = c.intoDir || isDir(resolve(cwd, c.dest));
        for (const src of c.sources) {
          const tree = c.recursive || isDir(resolve(cwd, src));
          const lands = into ? posix.join(c.dest, basename(src)) : c.dest;
          if (
            (d = await write(
              lands,
              (rel) => `this command puts ${tree ? 'a directory at ' : ''}${rel} in`,
              undefined,
              tree,
            ))
          )
            return d;
        }
      }
      for (const p of sh.mentioned) if ((d = await read(p, 'mention'))) return d;
      for (const p of sh.searched) if ((d = await read(p, 'search'))) return d;
      // A tree copied (`cp -r DIR`, rsync) is read whole, like a recursive search of DIR.
      for (const c of sh.copies) {
        if (c.symbolic) continue;
        for (const src of c.sources)
          if ((c.recursive || isDir(resolve(cwd, src))) && (d = await read(src, 'search')))
            return d;
      }
      for (const p of sh.revPaths) {
        // `HEAD:evals/x.c` names a path from the repository root.
        for (const root of findRoots(cwd)) if ((d = await read(join(root, p), 'mention'))) return d;
      }
      const touched = new Set(sh.touched);
      for (const p of sh.opaque) if ((d = await opaque(p, false))) return d;
      for (const p of touched) if ((d = await opaque(p, true))) return d;
      for (const p of new Set(sh.ranIn)) if ((d = await ranIn(p))) return d;
      for (const x of sh.extracts) if ((d = await extracted(x))) return d;
      return { action: 'allow' };
    }
    case 'after-write':
      // The write happened (its pre-hook was not wired, or the agent has none): say so.
      for (const p of paths)
        if (
          (d = await write(
            p,
            (rel) => `${rel} was just written, but it is in`,
            'undo this change now and leave the file to a human',
          ))
        )
          return d;
      return { action: 'allow' };
    default:
      return { action: 'allow' };
  }
}

/** A pathspec as git reads it (gitglossary "pathspec"): its magic and its path from the repository root. */
interface Spec {
  exclude: boolean;
  icase: boolean;
  /** The path from the repository root; for a wildcard spec, its fixed leading directories. */
  base: string;
  /** The path holds wildcards (`*`, `?`, `[`) that git expands. */
  wild: boolean;
  /** The path as given after the magic (from the root), for `:(exclude,glob)GLOB`. */
  path: string;
}

function parseSpec(spec: string, here: string, literal: boolean): Spec | undefined {
  let magic: string[] = [];
  let rest = spec;
  if (!literal && spec.startsWith(':(')) {
    const end = spec.indexOf(')');
    if (end < 0) return undefined;
    magic = spec
      .slice(2, end)
      .split(',')
      .map((m) => m.trim());
    rest = spec.slice(end + 1);
  } else if (!literal && spec.startsWith(':')) {
    let i = 1;
    for (; i < spec.length && '/!^'.includes(spec[i]!); i++)
      magic.push(spec[i] === '/' ? 'top' : 'exclude');
    rest = spec.slice(spec[i] === ':' ? i + 1 : i);
  }
  for (const m of magic)
    if (!/^(exclude|top|glob|icase|literal|attr:.*)$/.test(m)) return undefined;
  const top = magic.includes('top');
  const path = posix.normalize(top ? rest || '.' : posix.join(here || '.', rest || '.'));
  if (path === '..' || path.startsWith('../')) return undefined;
  const clean = path === '.' ? '' : path.replace(/\/$/, '');
  const wild = !literal && !magic.includes('literal') && /[*?[\\]/.test(clean);
  return {
    exclude: magic.includes('exclude'),
    icase: magic.includes('icase'),
    base: wild ? picomatch.scan(clean).base : clean,
    wild,
    path: clean,
  };
}

/**
 * A git command that can print file content (see GitRead in shell.ts), judged against
 * the `read: deny` zones of `policies`: allowed when its revisions cannot be a blob or
 * a subtree and its pathspecs leave every such zone out; else refused with the command
 * that would be allowed. Starts no process: what git would print is decided from the
 * words (and, as git does, which operands name something on disk).
 */
function gitContent(g: GitRead, policies: Policy[], cwd: string): Decision | undefined {
  const zones = policies.flatMap((p) =>
    p.zones.filter((z) => z.read === 'deny').map((z) => ({ p, z })),
  );
  if (!zones.length) return undefined;
  const name = zones[0]!.z.name;
  const deny = (why: string): Decision => ({
    action: 'deny',
    reason: `cleanroom: "${safe(g.text)}" could print files of zone "${name}", which agents may not read: ${why}.`,
  });
  if (g.refuse) return deny(g.refuse);
  if (!g.dirs)
    return deny('it runs in a directory cleanroom cannot follow (a cd it cannot resolve)');
  const literal =
    g.literal ||
    !!(
      process.env.GIT_LITERAL_PATHSPECS ||
      process.env.GIT_NOGLOB_PATHSPECS ||
      process.env.GIT_ICASE_PATHSPECS ||
      process.env.GIT_GLOB_PATHSPECS
    );
  const caseless = policies.some((p) => !p.caseSensitive);
  const excludes = [
    ...new Set(
      zones.flatMap(({ z }) =>
        z.paths.map((glob) => {
          const base = picomatch.scan(glob).base;
          const i = caseless ? ',icase' : '';
          return base && glob === `${base}/**`
            ? `':(top,exclude${i})${base}'`
            : `':(top,exclude,glob${i})${glob}'`;
        }),
      ),
    ),
  ];
  const suggest = (revs: Map<string, string>, positives: string[]): string =>
    `run ${[...g.words.map((w) => revs.get(w) ?? w), '--', ...(positives.length ? positives : ['.']), ...excludes].join(' ')}`;
  for (const d of g.dirs) {
    const here = resolve(cwd, d, ...g.chdir);
    const root = findRoot(realpathDeep(here)) ?? findRoot(here);
    if (!root) continue;
    const rel = toPosix(relative(root, realpathDeep(here)));
    const hereRel = rel.startsWith('..') ? '' : rel;
    const fixes = new Map<string, string>();
    const pathOperands: string[] = [];
    let why: string | undefined;
    for (const op of g.operands) {
      const rp = op.includes(':') ? revPath(op) : undefined;
      if (rp !== undefined) {
        // `HEAD:evals` is a tree: a diff or grep of it names its files from there, so no
        // pathspec from the root can leave a zone out. It must lie beside every zone.
        const rev = op.slice(0, op.length - rp.length - 1);
        const at = rp.startsWith('./') || rp.startsWith('../') ? posix.join(hereRel, rp) : rp;
        const inZone = policies.some(
          (p) =>
            readZone(p, posix.normalize(at)) ??
            zoneBelow(
              p,
              posix.normalize(at) === '.' ? '' : posix.normalize(at),
              (z) => z.read === 'deny',
            ),
        );
        if (inZone || (rev && !commitSpelled(rev)))
          why ??= `${safe(op)} is a directory or file whose content it prints whole, where pathspecs cannot leave the zone out`;
        continue;
      }
      if (!g.objects && existsSync(resolve(here, op))) {
        pathOperands.push(op);
        continue;
      }
      if ((g.commitRevs || g.objects) && !commitSpelled(op)) {
        fixes.set(op, `${op}^{commit}`);
        why ??= `"${safe(op)}" may name a file's content or a directory (a blob id, a tag), which it prints whole whatever the pathspecs say — write ${safe(op)}^{commit}`;
      }
    }
    if (why)
      return deny(`${why}; to see a commit's changes outside the zone, ${suggest(fixes, [])}`);
    // `git diff HEAD:src HEAD~1:src`: both sides are trees beside every zone; what they
    // hold is all it prints.
    const trees = g.operands.filter((o) => o.includes(':') && revPath(o) !== undefined);
    if (
      g.objects ||
      g.revsOnly ||
      (trees.length && trees.length === g.operands.length - pathOperands.length)
    )
      continue;
    const specs: Spec[] = [];
    for (const s of [...pathOperands, ...g.specs]) {
      const parsed = parseSpec(s, hereRel, literal);
      if (!parsed)
        return deny(`cleanroom cannot read its pathspec ${safe(s)}; ${suggest(fixes, [])}`);
      specs.push(parsed);
    }
    const positives = specs.filter((s) => !s.exclude);
    const ex = specs.filter((s) => s.exclude);
    const lower = (x: string): string => x.toLowerCase();
    for (const { p, z } of zones) {
      for (const glob of z.paths) {
        const gb = lower(p.normalize(picomatch.scan(glob).base));
        const reaches = (positives.length ? positives : [{ base: '' }]).some(({ base }) => {
          const pb = lower(p.normalize(base));
          return (
            pb === '' ||
            gb === '' ||
            gb === pb ||
            gb.startsWith(`${pb}/`) ||
            pb.startsWith(`${gb}/`)
          );
        });
        if (!reaches) continue;
        const fold = (x: string, icase: boolean): string =>
          icase ? lower(p.normalize(x)) : p.normalize(x);
        const covered = ex.some((e) => {
          if (!p.caseSensitive && !e.icase) return false;
          const icase = e.icase;
          const eb = fold(e.path.replace(/\/\*\*?$/, ''), icase);
          if (e.wild && /[*?[\\]/.test(eb)) return fold(e.path, icase) === fold(glob, icase);
          const zb = fold(picomatch.scan(glob).base, icase);
          return zb !== '' && (zb === eb || zb.startsWith(`${eb}/`) || eb === '');
        });
        if (!covered)
          return deny(
            `its pathspecs do not leave the zone (${safe(glob)}) out; ${suggest(
              fixes,
              positives.map((s) => `'${s.path ? `:(top)${s.path}` : ':/'}'`),
            )}`,
          );
      }
    }
  }
  return undefined;
}

/**
 * The first zone of `policies` that `tool` may not read or write (`read: deny`, or a
 * `deny` verdict for it): where a call whose paths cannot be known is refused.
 */
function blockingZone(
  policies: readonly Policy[],
  tool: Parameters<Zone['verdictFor']>[0],
): Zone | undefined {
  for (const p of policies)
    for (const z of p.zones) if (z.read === 'deny' || z.verdictFor(tool) === 'deny') return z;
  return undefined;
}
