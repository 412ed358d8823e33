// Where husky really runs hooks from, and whether a hook will run at all.
//
// husky 9 sets core.hooksPath to `<dir>/_` (relative to where `husky` ran: `.husky/_`, or
// `frontend/.husky/_` in a monorepo whose package.json lives in frontend/) and writes a
// stub per hook there that runs `<dir>/HOOK` with `sh -e`. `_/` is gitignored, so a fresh
// clone or a linked worktree has no stubs until `npm install` runs husky there; and the
// stub exits 0 early when HUSKY=0. A `.husky/` that git does not reach through
// core.hooksPath is never run: writing there would install nothing.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';

export const PACKAGE_NAME = '@cleanroom-dev/cleanroom';

export interface HuskySetup {
  /** The directory with the user's hook scripts (`.husky`, `frontend/.husky`), absolute. */
  dir: string;
  /** git's hooks directory is `<dir>/_` in this clone/worktree. */
  active: boolean;
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/**
 * The husky set-up git uses: from core.hooksPath (`hooksDir`, absolute) when it is husky's
 * `<dir>/_`, else a top-level `.husky/` not yet active in this clone. Undefined without husky.
 */
export function findHusky(root: string, hooksDir: string): HuskySetup | undefined {
  const rel = relative(root, hooksDir);
  const inside = rel !== '' && !rel.startsWith('..');
  if (
    inside &&
    basename(hooksDir) === '_' &&
    (basename(dirname(hooksDir)) === '.husky' || existsSync(join(hooksDir, 'h')))
  ) {
    return { dir: dirname(hooksDir), active: true };
  }
  const top = join(root, '.husky');
  if (isDir(top)) return { dir: top, active: rel.split(/[\\/]/).includes('.husky') };
  return undefined;
}

/**
 * `.husky/` directories below the top level (a monorepo's `frontend/.husky`), up to three
 * levels deep, skipping node_modules and dot directories: husky is set up there, but git
 * runs none of it until core.hooksPath points at it.
 */
export function nestedHuskyDirs(root: string, depth = 3): string[] {
  const out: string[] = [];
  const walk = (dir: string, left: number): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const e of entries) {
      if (e === 'node_modules' || (e.startsWith('.') && e !== '.husky')) continue;
      const p = join(dir, e);
      if (!isDir(p)) continue;
      if (e === '.husky') {
        if (dir !== root) out.push(p);
      } else if (left > 1) walk(p, left - 1);
    }
  };
  walk(root, depth);
  return out.sort();
}

/** The shim path a cleanroom block or wrapper calls (the last `'…' "$@"` in it). */
export function shimInBlock(text: string): string | undefined {
  const all = [...text.matchAll(/'((?:[^']|'\\'')*)' "\$@"/g)];
  const last = all[all.length - 1];
  return last ? last[1]!.replace(/'\\''/g, "'") : undefined;
}

/**
 * Will git run cleanroom for `hook`? Follows what git and husky do: git runs
 * `hooksDir/HOOK` if executable; husky's stub runs `<dir>/HOOK` if it exists and HUSKY≠0;
 * our block then calls a shim that must exist (relative paths from the work tree root, where
 * git runs hooks). Returns why not, or undefined when it will run.
 */
export function whyHookWontRun(
  root: string,
  hooksDir: string,
  husky: HuskySetup | undefined,
  hook: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const runner = join(hooksDir, hook);
  if (!existsSync(runner)) {
    return husky
      ? `husky is not installed in this clone or worktree (${relative(root, runner) || runner} missing; .husky/_ is gitignored)`
      : `${relative(root, runner) || runner} is missing`;
  }
  if ((statSync(runner).mode & 0o111) === 0)
    return `${relative(root, runner)} is not executable, so git skips it`;
  if (husky && env.HUSKY === '0') return 'HUSKY=0 is set: husky skips every hook';
  // prepare-commit-msg (and applypatch-msg, which runs it) still record provenance under
  // CLEANROOM=0: a skipped check, never a skipped Assisted-by (hooks/prepare-commit-msg).
  if (env.CLEANROOM === '0' && hook !== 'prepare-commit-msg' && hook !== 'applypatch-msg')
    return "CLEANROOM=0 is set: cleanroom's hooks skip their checks";
  const script = husky ? join(husky.dir, hook) : runner;
  if (!existsSync(script)) return `${relative(root, script)} is missing`;
  const shim = shimInBlock(readFileSync(script, 'utf8'));
  if (shim === undefined) return undefined; // not ours: hookState reports it
  const abs = shim.startsWith('/') ? shim : join(root, shim);
  if (!existsSync(abs))
    return `it calls ${shim}, which does not exist here (dependencies not installed in this clone?)`;
  return undefined;
}
