// The server side of `doctor` (and install-server's own checks): is the environment the
// pre-receive hook runs in able to run it? A GitHub Enterprise environment made from
// `node:*-slim` has no git, an old git lacks `--exclude-hidden`, a hook pointing into a
// developer's node_modules breaks on their next `npm install`. Each becomes a line with
// the fix instead of every push being rejected with an unexplained error.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { shq } from '../escape.js';
import { gitText, type GitContext } from '../git/git.js';
import { hookState } from '../install/hooks.js';
import { shimInBlock } from '../install/husky.js';
import { readFileSync } from 'node:fs';
import type { Check } from './doctor.js';

/** git ≥ 2.39 has `rev-list --exclude-hidden=receive` (docs/design/field-notes.md: hidden refs). */
export const GIT_FOR_HIDDEN_REFS = [2, 39] as const;

export function parseGitVersion(text: string): [number, number] | undefined {
  const m = /git version (\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export async function gitVersionCheck(ctx: GitContext): Promise<Check> {
  let text: string;
  try {
    text = (await gitText(ctx, ['version'])).trim();
  } catch (e) {
    return {
      ok: false,
      text: `git cannot be run here: ${(e as Error).message}`,
      fix: 'install git (2.39 or newer) where the hook runs — GitHub Enterprise: in the pre-receive environment; node:*-slim images have none',
    };
  }
  return judgeGitVersion(text);
}

/** `git version X.Y…` → ✓ from 2.39, else a warning saying what cleanroom does instead. */
export function judgeGitVersion(text: string): Check {
  const v = parseGitVersion(text);
  const [maj, min] = GIT_FOR_HIDDEN_REFS;
  if (v && (v[0] > maj || (v[0] === maj && v[1] >= min))) return { ok: true, text };
  return {
    ok: 'warn',
    text: `${text}: older than ${maj}.${min}, which has rev-list --exclude-hidden — cleanroom falls back to each ref's OLD..NEW (a new branch is judged over its whole history: slower, may hit the deadline and be rejected)`,
    fix: `install git ${maj}.${min} or newer where the hook runs`,
  };
}

/**
 * Where this cleanroom runs from, if that is a project's node_modules (a developer's
 * checkout): the server hook would break when that project is moved or reinstalled.
 */
export function projectInstall(packageRoot: string): string | undefined {
  const parts = packageRoot.split(sep);
  const i = parts.lastIndexOf('node_modules');
  if (i <= 0) return undefined;
  const project = parts.slice(0, i).join(sep) || sep;
  // A global install lives in PREFIX/lib/node_modules, with no package.json beside it.
  return existsSync(join(project, 'package.json')) ? project : undefined;
}

/**
 * What the hook needs, found the way the hook finds it (sh, this PATH): node and git on the
 * PATH, and the bundle the shim execs loads and answers. Independent of the policy, so a
 * server without one yet still gets a clear answer about its environment.
 */
export function smokeRun(shim: string, env: Readonly<Record<string, string | undefined>>): Check {
  if (!existsSync(shim))
    return {
      ok: false,
      text: `the hook calls ${shim}, which does not exist`,
      fix: 'reinstall cleanroom and run cleanroom install-server again',
    };
  const bundle = join(dirname(shim), '..', 'dist', 'cleanroom.cjs');
  const script =
    'command -v node >/dev/null 2>&1 || { echo "node is not on the PATH ($PATH)" >&2; exit 1; }; ' +
    'command -v git >/dev/null 2>&1 || { echo "git is not on the PATH ($PATH)" >&2; exit 1; }; ' +
    '[ -f "$1" ] || { echo "$1 is missing" >&2; exit 1; }; exec node "$1" --version';
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', bundle], {
    env: { ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (r.status === 0)
    return {
      ok: true,
      text: `the hook can run here: node and git on this shell's PATH, ${shim} → cleanroom ${r.stdout.trim()}`,
    };
  const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
  return {
    ok: false,
    text: `the hook cannot run here: ${why}`,
    fix: 'make node (20+) and git visible on the PATH the server runs hooks with (GitHub Enterprise: inside the pre-receive environment), then run cleanroom doctor --server as that user',
  };
}

/** The checks of `doctor --server` for a repository's pre-receive file. */
export async function serverChecks(
  ctx: GitContext,
  gitDir: string,
  bare: boolean,
  hookFile: string,
  env: Readonly<Record<string, string | undefined>>,
  packageRoot: string,
): Promise<Check[]> {
  const checks: Check[] = [];
  checks.push(await gitVersionCheck(ctx));
  const node = Number(/^v(\d+)/.exec(process.version)?.[1] ?? 0);
  checks.push({
    ok: node >= 20,
    text: `node ${process.version} (this shell)`,
    fix: 'install Node.js 20 or newer where the hook runs',
  });
  if (!bare)
    checks.push({
      ok: 'warn',
      text: `${dirname(gitDir)} is a working copy, not a bare repository: its pre-receive runs only for pushes into this clone`,
      fix: 'install into the bare repository the server receives pushes in',
    });
  const state = hookState(hookFile);
  checks.push({
    ok: state === 'installed',
    text: `pre-receive: ${state === 'foreign' ? 'a hook is there, but it does not run cleanroom' : state} (${hookFile})`,
    fix: 'run cleanroom install-server',
  });
  if (state === 'installed') {
    const shim = shimInBlock(readFileSync(hookFile, 'utf8'));
    if (shim) {
      const project = projectInstall(dirname(dirname(shim)));
      if (project)
        checks.push({
          ok: 'warn',
          text: `the hook runs cleanroom from ${project}/node_modules, a project's dependencies: it breaks when that project is moved or reinstalled`,
          fix: 'install cleanroom for the server (npm install -g @cleanroom-dev/cleanroom), then run install-server again',
        });
      checks.push(smokeRun(shim, env));
    }
  } else {
    const project = projectInstall(packageRoot);
    if (project)
      checks.push({
        ok: 'warn',
        text: `this cleanroom runs from ${project}/node_modules, a project's dependencies`,
        fix: 'install cleanroom for the server (npm install -g @cleanroom-dev/cleanroom)',
      });
  }
  checks.push(await malformedTreesCheck(ctx, gitDir, env));
  return checks;
}

/**
 * Who refuses trees Git never writes (docs/server.md, "Trees Git never writes are
 * refused"): Git itself while it receives a pack (`gitRefusesMalformedTrees` of the
 * repository's config: ✓, the hook reads no tree), or the hook, reading every tree a
 * push brings (a warning with the config that moves the work into Git, which does it as
 * it unpacks, for a fraction of the cost); a repository that borrows objects or hides
 * refs is walked by the hook either way (Git's fsck reads only what a push sends).
 * `gitDir`: the repository's (common) git directory.
 */
async function malformedTreesCheck(
  ctx: GitContext,
  gitDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Check> {
  const [{ serverConfig }, { borrowsObjects, gitRefusesMalformedTrees, hidesRefs }] =
    await Promise.all([import('../server/pre-receive.js'), import('../git/trees.js')]);
  const conf = await serverConfig(ctx);
  const hidden = hidesRefs(conf);
  if (borrowsObjects(gitDir, env) || hidden)
    return {
      ok: true,
      text: `malformed trees: ${hidden ? 'refs are hidden (receive.hideRefs / transfer.hideRefs)' : 'this repository borrows objects (objects/info/alternates)'}, so the hook reads every tree a push reaches from no ref, whatever Git checks`,
    };
  if (gitRefusesMalformedTrees(conf))
    return {
      ok: true,
      text: 'malformed trees: Git refuses them itself (receive.fsckObjects, receive.fsck.badFilemode error); the hook reads no tree',
    };
  return {
    ok: 'warn',
    text: "malformed trees: the hook reads every tree a push brings (Git's receive.fsckObjects is off); on a long push of wide directories that is most of the hook's time",
    fix: `git --git-dir ${shq(gitDir)} config receive.fsckObjects true && git --git-dir ${shq(gitDir)} config receive.fsck.badFilemode error: Git then refuses them as it receives the pack, for a fraction of the cost (it also refuses any object its fsck finds fault with: docs/server.md, "Trees Git never writes are refused")`,
  };
}
