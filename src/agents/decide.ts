// The judgement every adapter shares: where a path an agent names really lands, and
// whether the policy lets that agent write or read it there.
//
// A path is judged twice — as written and after symlinks are resolved — and the
// stricter answer wins: `link/q.json`, with `link -> evals/tasks`, is a write into
// evals/tasks; so is `/tmp/x/q.json` when /tmp/x points there. Each path is judged by
// the repository that holds it (the nearest directory with a `.git`), so a path outside
// every repository is none of our business, and a path in another repository is judged
// by that repository's policy. No git process is started here: this runs on every
// tool call of every agent.

import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { Policy, Zone } from '../policy/compile.js';
import { safe } from '../report/escape.js';
import { shellPaths } from './shell.js';
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
  | { kind: 'policy'; policy: Policy }
  /** No policy anywhere: cleanroom is not set up in this repository. */
  | { kind: 'none' }
  /** A policy exists but cannot be used: judging is impossible, so writes fail closed. */
  | { kind: 'invalid'; reason: string };

/** More paths than this in one call are refused unjudged (a patch of thousands of files). */
const MAX_PATHS = 2000;

/** The nearest ancestor of `dir` (itself included) holding a `.git`. */
export function findRoot(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== '.git' && existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return undefined;
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

function targetIn(abs: string, realRoot: boolean): Target | undefined {
  const root = findRoot(abs);
  if (!root) return undefined;
  const rel = toPosix(relative(root, abs));
  if (rel.startsWith('../') || rel === '..' || isAbsolute(rel)) return undefined;
  let real = root;
  if (!realRoot) {
    try {
      real = realpathSync(root);
    } catch {
      // keep the path as found
    }
  }
  return { root: real, rel };
}

/** Every place `given` (absolute, or relative to `cwd`) lands in a repository. */
export function targetsOf(given: string, cwd: string): Target[] {
  const abs = resolve(cwd, given);
  const out: Target[] = [];
  for (const t of [targetIn(abs, false), targetIn(realpathDeep(abs), true)]) {
    if (t && !out.some((o) => o.root === t.root && o.rel === t.rel)) out.push(t);
  }
  return out;
}

/** `pattern`'s fixed leading directories joined to `dir`: where a glob starts looking. */
export function globRoot(dir: string, pattern: string): string {
  const base = picomatch.scan(pattern).base;
  return isAbsolute(base) ? base : posix.join(toPosix(dir), base);
}

const PROTECTED = /^(\.cleanroom|\.git)(\/|$)/i;
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
  const fold = (p: string): string => {
    const n = policy.normalize(p);
    return policy.caseSensitive ? n : n.toLowerCase();
  };
  const dir = fold(rel);
  for (const zone of policy.zones) {
    if (zone.read !== 'deny') continue;
    for (const glob of zone.paths) {
      const base = fold(picomatch.scan(glob).base);
      const above = dir === '' || base === dir || base.startsWith(`${dir}/`);
      // Below the zone's fixed part: the rest of the glob may still match in there.
      const below = base === '' || dir.startsWith(`${base}/`);
      const deepEnough = glob.includes('**') || glob.split('/').length > dir.split('/').length;
      if (above || (below && deepEnough)) return { zone, base: picomatch.scan(glob).base };
    }
  }
  return undefined;
}

const show = (rel: string): string => safe(rel || '.');

/** Judges an event. `lookup` gives the policy of a repository root (cached by the caller). */
export async function judge(event: AgentEvent, lookup: (root: string) => Promise<PolicyLookup>, defaultCwd: string): Promise<Decision> {
  const cwd = event.cwd ?? defaultCwd;
  const tool = event.tool;

  const invalid = (rel: string, reason: string): Decision => ({
    action: 'fail',
    block: true,
    reason: `cleanroom: cannot check ${show(rel)} because ${reason} — blocked to be safe; a human must fix the policy (cleanroom policy validate).`,
  });

  /** `lead` starts the sentence ("evals/x is in"), `tail` ends it with what to do instead. */
  const write = async (given: string, lead: (rel: string) => string, tail = 'a human has to write it by hand'): Promise<Decision | undefined> => {
    for (const t of targetsOf(given, cwd)) {
      if (PROTECTED.test(t.rel)) {
        return { action: 'deny', reason: `cleanroom: ${show(t.rel)} belongs to cleanroom's or git's own configuration, which agents may not change — ask a human to make this edit.` };
      }
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      const { verdict, zone } = p.policy.verdictFor(t.rel, tool);
      if (verdict === 'deny' && zone) {
        return { action: 'deny', reason: `cleanroom: ${lead(show(t.rel))} zone "${zone.name}", which must contain no AI-written content (${tool}) — ${tail}.` };
      }
      // Links are content at their own path: src/jl/q.jsonl is evals/extra/q.jsonl too
      // while the symlink evals/extra -> ../src/jl exists.
      for (const alias of aliasesOf(t.rel, diskZoneLinks(t.root, p.policy), !p.policy.caseSensitive)) {
        const a = p.policy.verdictFor(alias, tool);
        if (a.verdict === 'deny' && a.zone) {
          return { action: 'deny', reason: `cleanroom: ${lead(`${show(t.rel)} (seen through a symlink as ${show(alias)})`)} zone "${a.zone.name}", which must contain no AI-written content (${tool}) — ${tail}.` };
        }
      }
    }
    return undefined;
  };

  const read = async (given: string, mode: 'read' | 'search' | 'mention'): Promise<Decision | undefined> => {
    for (const t of targetsOf(given, cwd)) {
      const p = await lookup(t.root);
      if (p.kind === 'none') continue;
      if (p.kind === 'invalid') return invalid(t.rel, p.reason);
      if (mode === 'search') {
        const hit = searchZone(p.policy, t.rel);
        if (hit) {
          const where = t.rel ? show(t.rel) : 'the whole repository';
          return { action: 'deny', reason: `cleanroom: searching ${where} would read zone "${hit.zone.name}" (${show(hit.base)}), which agents may not read — search a narrower path that leaves it out.` };
        }
        continue;
      }
      const zone = readZone(p.policy, t.rel);
      if (zone) {
        const lead = mode === 'mention' ? `this command names ${show(t.rel)} in` : `${show(t.rel)} is in`;
        return { action: 'deny', reason: `cleanroom: ${lead} zone "${zone.name}", which agents may not read (held-out content) — ask a human for what you need without its contents.` };
      }
    }
    return undefined;
  };

  const tooMany = (n: number, what: string): Decision => ({ action: 'fail', block: true, reason: `cleanroom: this call names ${n} ${what}, more than cleanroom judges at once (${MAX_PATHS}) — blocked to be safe; split it up.` });
  const paths = event.paths;
  if (paths.length > MAX_PATHS) return tooMany(paths.length, 'paths');
  let d: Decision | undefined;
  switch (event.kind) {
    case 'write':
      for (const p of paths) if ((d = await write(p, (rel) => `${rel} is in`))) return d;
      return { action: 'allow' };
    case 'read':
    case 'search':
      for (const p of paths) if ((d = await read(p, event.kind))) return d;
      return { action: 'allow' };
    case 'shell': {
      const { mentioned, written, truncated } = shellPaths(event.command ?? '');
      if (truncated || written.length + mentioned.length > MAX_PATHS) return tooMany(written.length + mentioned.length, 'words that may be paths');
      for (const p of written) if ((d = await write(p, (rel) => `this command writes ${rel} in`))) return d;
      for (const p of mentioned) if ((d = await read(p, 'mention'))) return d;
      return { action: 'allow' };
    }
    case 'after-write':
      // The write happened (its pre-hook was not wired, or the agent has none): say so.
      for (const p of paths) if ((d = await write(p, (rel) => `${rel} was just written, but it is in`, 'undo this change now and leave the file to a human'))) return d;
      return { action: 'allow' };
    default:
      return { action: 'allow' };
  }
}
