import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { CleanroomError, usageError } from '../errors.js';
import { writeAtomic } from '../fsutil.js';
import { gitText, runGit, type GitContext } from '../git/git.js';
import { openRepo, workTree } from '../git/repo.js';
import { loadPolicyText } from '../policy/load.js';
import {
  CHAINED_SUFFIX,
  BEGIN,
  installGitHook,
  installHuskyHook,
  GIT_MODE_HOOKS,
  LOCAL_HOOKS,
  RETIRED_GIT_HOOKS,
  retireGitHook,
  type InstallResult,
} from '../install/hooks.js';
import { findHusky, nestedHuskyDirs, PACKAGE_NAME } from '../install/husky.js';
import { frameworkHooks, PRE_COMMIT_CONFIG } from '../install/pre-commit-framework.js';
import { parse, str } from './args.js';
import { gitContext, POLICY_PATH } from './context.js';
import type { Io } from './io.js';
import { initAgents, planAgents } from './init-agents.js';
import { packageFile } from './package-file.js';

export function presetsDir(io: Io): string {
  return join(io.packageRoot, 'policies', 'presets');
}

export function listPresets(io: Io): string[] {
  return readdirSync(presetsDir(io))
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/** `git@github.com:acme/x.git`, `https://github.com/acme/x` → `github.com/acme/x`. */
export function repositoryIdFromUrl(url: string): string | undefined {
  const u = url.trim();
  let m = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?\/?$/.exec(u);
  if (m) return `${m[1]}/${m[2]}`.toLowerCase();
  m = /^(?:https?|ssh|git):\/\/(?:[^@/]+@)?([\w.-]+)(?::\d+)?\/(.+?)(?:\.git)?\/?$/.exec(u);
  if (m) return `${m[1]}/${m[2]}`.toLowerCase();
  return undefined;
}

/** The `repository:` id init writes when none is given: from origin, else a `local/…` placeholder (with a warning). */
async function defaultRepositoryId(
  ctx: GitContext,
  root: string,
  warn: (s: string) => void,
): Promise<string> {
  // The URL as configured first (an insteadOf may point it at a local mirror), then as
  // git resolves it (an insteadOf alias such as gh:acme/x becomes a host/path URL).
  const configured = (
    await gitText(ctx, ['config', '--get', 'remote.origin.url']).catch(() => '')
  ).trim();
  const resolved = configured
    ? (await gitText(ctx, ['remote', 'get-url', 'origin']).catch(() => '')).trim()
    : '';
  const found = repositoryIdFromUrl(configured) ?? repositoryIdFromUrl(resolved);
  if (found) return found;
  const id = `local/${basename(root).replace(/[^\w.-]/g, '-') || 'repo'}`;
  const why = !configured
    ? 'no origin remote'
    : `origin is ${JSON.stringify(resolved && resolved !== configured ? `${configured} (${resolved})` : configured)}, which names no host/path`;
  warn(
    `! ${why}: repository is "${id}" — set repository: in ${POLICY_PATH} to the id signatures should bind (e.g. github.com/acme/metacode) before anyone signs`,
  );
  return id;
}

/** husky's hook-script directory git uses (core.hooksPath `<dir>/_`), else a top-level `.husky/`; see src/install/husky.ts. */
export function detectHuskyDir(root: string, hooksDir: string): string | undefined {
  return findHusky(root, hooksDir)?.dir;
}

/** The shim a hook should call: the project's own node_modules copy when there is one. */
function shimFor(
  io: Io,
  root: string,
  hook: string,
  portable: boolean,
  projectDir: string = root,
): { path: string; warning?: string } {
  const { path: abs, local } = packageFile(io, root, join('hooks', hook), projectDir);
  if (local) return { path: portable ? relative(root, abs) : abs };
  // `npx cleanroom init` runs from npm's cache, which npm cleans: hooks pointing there
  // would one day fail every commit with "not found".
  if (/[\\/]_npx[\\/]/.test(io.packageRoot)) {
    return {
      path: abs,
      warning: `cleanroom runs from npm's temporary cache (${io.packageRoot}): the hooks will break when it is cleaned — install it (npm install --save-dev ${PACKAGE_NAME}) and run init again`,
    };
  }
  return portable
    ? {
        path: abs,
        warning: `cleanroom is not in this project's node_modules: .husky files name ${join(io.packageRoot, 'hooks')}, a path on this machine only — add ${PACKAGE_NAME} as a devDependency so teammates get working hooks`,
      }
    : { path: abs };
}

/**
 * A core.hooksPath from the global or system config (a company-wide or personal hooks
 * directory) is shared by every repository: installing there would make every commit in
 * every other repository run cleanroom — and fail, having no policy. Refused before
 * anything is written; a path set for this repository alone is fine.
 */
async function refuseSharedHooksDir(
  ctx: GitContext,
  root: string,
  commonDir: string,
  hookDir: string,
): Promise<void> {
  const inside = (dir: string): boolean => {
    const rel = relative(dir, hookDir);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (inside(root) || inside(commonDir)) return;
  let scope: string;
  try {
    scope =
      (await gitText(ctx, ['config', '--show-scope', '--get', 'core.hooksPath'])).split(
        '\t',
        1,
      )[0] ?? '';
  } catch {
    return; // not set by config at all (cannot happen when the directory is outside)
  }
  if (scope === 'local' || scope === 'worktree') return;
  throw new CleanroomError(
    'usage',
    `git runs hooks from ${hookDir} (core.hooksPath in your ${scope} git config), a directory every repository shares — installing there would run cleanroom in all of them`,
    'give this repository its own hooks directory (git config core.hooksPath .git/hooks, then chain your shared hooks from it), or use --hooks husky; nothing was written',
  );
}

/**
 * husky set up in a subfolder (a monorepo's `frontend/.husky`, package.json beside it) but
 * not wired in this clone: git runs none of it, and a top-level `.husky/` would not run
 * either. Refused before anything is written, saying where to install husky.
 */
function refuseUnreachableHusky(root: string, hooksDir: string): void {
  const nested = nestedHuskyDirs(root);
  if (!nested.length) return;
  const first = relative(root, nested[0]!);
  const project = dirname(first);
  throw new CleanroomError(
    'usage',
    `husky is set up in ${first}, but git does not run it in this clone (core.hooksPath is ${relative(root, hooksDir) || hooksDir}): hooks written now would never run`,
    `install husky first — cd ${project} && npm install (its "prepare": "husky" sets core.hooksPath=${project}/.husky/_; with package.json in a subfolder use "prepare": "cd .. && husky ${project}/.husky") — then run cleanroom init again; or --hooks git to use git's hooks directory. Nothing was written`,
  );
}

function planHooks(mode: 'husky' | 'git', dir: string): void {
  if (mode !== 'git') return;
  for (const hook of GIT_MODE_HOOKS) {
    const file = join(dir, hook);
    if (
      existsSync(file) &&
      !readFileSync(file, 'utf8').includes(BEGIN) &&
      existsSync(file + CHAINED_SUFFIX)
    ) {
      throw new CleanroomError(
        'usage',
        `${file} is not cleanroom's and ${file}${CHAINED_SUFFIX} exists too`,
        `merge them by hand, then run cleanroom init again (nothing was written)`,
      );
    }
  }
}

/** Where a policy absent from the work tree still exists: 'the index' or 'HEAD', or undefined. */
async function committedPolicy(ctx: GitContext, root: string): Promise<string | undefined> {
  const top: GitContext = { ...ctx, cwd: root };
  const staged = await runGit(top, ['ls-files', '-z', '--', `:(top,literal)${POLICY_PATH}`]);
  if (staged.stdout.length) return 'the index';
  const head = await runGit(top, ['cat-file', '-e', `HEAD:${POLICY_PATH}`], { okCodes: [1, 128] });
  return head.code === 0 ? 'HEAD' : undefined;
}

export async function initCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('init', argv);
  const hooksMode = str(values.hooks) ?? 'auto';
  if (!['auto', 'husky', 'git', 'none'].includes(hooksMode))
    throw usageError(
      `init: unknown --hooks ${JSON.stringify(hooksMode)}`,
      'use auto, husky, git or none',
    );
  const ctx = gitContext(io);
  const repo = await openRepo(ctx);
  const root = workTree(repo);
  const lines: string[] = [];

  // 1. Everything checked before anything is written.
  const presetName = str(values.preset) ?? 'eval-cleanroom';
  const presets = listPresets(io);
  if (!presets.includes(presetName))
    throw usageError(`init: unknown preset "${presetName}"`, `available: ${presets.join(', ')}`);
  const policyFile = join(root, POLICY_PATH);
  let policyText: string | undefined;
  // A policy the team committed but this work tree does not show (sparse checkout, or
  // deleted from disk): never written over. It lives in the index or HEAD.
  const committed = existsSync(policyFile) ? undefined : await committedPolicy(ctx, root);
  if (committed !== undefined) {
    lines.push(
      `= ${POLICY_PATH} (in ${committed}, not in the work tree: left as it is${committed === 'the index' ? '; cleanroom reads it from there' : ''})`,
    );
  } else if (!existsSync(policyFile)) {
    const repoId =
      str(values.repository) ?? (await defaultRepositoryId(ctx, root, (l) => lines.push(l)));
    if (!/^\S{1,200}$/.test(repoId))
      throw usageError(
        `init: invalid --repository ${JSON.stringify(repoId)}`,
        'e.g. github.com/acme/metacode',
      );
    policyText = readFileSync(join(presetsDir(io), `${presetName}.yaml`), 'utf8').replace(
      '__REPOSITORY__',
      repoId,
    );
    loadPolicyText(policyText, POLICY_PATH); // a preset that does not validate is a bug; never write it
  } else if (values.preset !== undefined || values.repository !== undefined) {
    lines.push(
      `! ${POLICY_PATH} exists: left as it is (--preset/--repository apply only to a new policy)`,
    );
  }
  const husky = findHusky(root, repo.hooksDir);
  // The pre-commit framework runs cleanroom's hooks itself (docs/hook-managers.md): hooks of
  // our own chained after its scripts would run every check twice.
  const framework = hooksMode === 'auto' && !husky && frameworkHooks(root).size > 0;
  const mode: 'husky' | 'git' | 'none' =
    hooksMode === 'auto'
      ? husky
        ? 'husky'
        : framework
          ? 'none'
          : 'git'
      : (hooksMode as 'husky' | 'git' | 'none');
  if (framework)
    lines.push(
      `= git hooks: left to the pre-commit framework (${PRE_COMMIT_CONFIG} runs cleanroom's hooks; \`pre-commit install --hook-type prepare-commit-msg --hook-type commit-msg --hook-type pre-push\` wires them)`,
    );
  if ((hooksMode === 'auto' || hooksMode === 'husky') && !husky)
    refuseUnreachableHusky(root, repo.hooksDir);
  const hookDir = mode === 'husky' ? (husky?.dir ?? join(root, '.husky')) : repo.hooksDir;
  const projectDir = mode === 'husky' ? dirname(hookDir) : root;
  if (mode === 'git') await refuseSharedHooksDir(ctx, root, repo.commonDir, hookDir);
  if (mode !== 'none') planHooks(mode, hookDir);
  planAgents(io, root, str(values.agents) ?? 'none', str(values.scope) ?? 'project');

  // 2. Writes, each atomic.
  if (policyText !== undefined) {
    writeAtomic(policyFile, policyText);
    lines.push(`+ ${POLICY_PATH} (preset ${presetName}) — edit the paths to your layout`);
    const testPreset = join(presetsDir(io), `${presetName}.test.yaml`);
    const testFile = policyFile.replace(/\.yaml$/, '.test.yaml');
    if (existsSync(testPreset) && !existsSync(testFile)) {
      writeAtomic(testFile, readFileSync(testPreset, 'utf8'));
      lines.push(`+ ${relative(root, testFile)} — cases for \`cleanroom policy test\``);
    }
  } else if (!lines.length) {
    lines.push(`= ${POLICY_PATH} (exists)`);
  }
  if (mode !== 'none') {
    const results: InstallResult[] = [];
    const warnings = new Set<string>();
    for (const hook of mode === 'husky' ? LOCAL_HOOKS : GIT_MODE_HOOKS) {
      const shim = shimFor(io, root, hook, mode === 'husky', projectDir);
      if (shim.warning) warnings.add(shim.warning);
      results.push(
        mode === 'husky'
          ? installHuskyHook(hookDir, hook, shim.path)
          : installGitHook(hookDir, hook, shim.path),
      );
    }
    if (mode === 'git')
      for (const hook of RETIRED_GIT_HOOKS) {
        const r = retireGitHook(hookDir, hook);
        if (r) results.push(r);
      }
    const sign = {
      created: '+',
      updated: '~',
      chained: '+',
      unchanged: '=',
      removed: '-',
      restored: '~',
    } as const;
    for (const r of results) {
      const what =
        r.action === 'chained'
          ? mode === 'git'
            ? `chained after your existing hook (${r.hook}${CHAINED_SUFFIX})`
            : 'added above your existing commands'
          : r.action === 'removed'
            ? 'removed (cleanroom has nothing to check before the message exists)'
            : r.action === 'restored'
              ? `your hook put back (from ${r.hook}${CHAINED_SUFFIX}); cleanroom has nothing to check before the message exists`
              : r.action;
      lines.push(`${sign[r.action]} ${relative(root, r.file) || r.file} — ${what}`);
    }
    if (mode === 'husky' && !existsSync(join(hookDir, '_'))) {
      lines.push(
        `! husky is not installed in this clone yet (${relative(root, join(hookDir, '_'))} missing): run \`npx --no -- husky\` (or npm install with "prepare": "husky"); without husky in node_modules: npm install --save-dev husky first`,
      );
    }
    for (const w of warnings) lines.push(`! ${w}`);
  }
  lines.push(
    ...(await initAgents(
      io,
      ctx,
      repo,
      str(values.agents) ?? 'none',
      str(values.scope) ?? 'project',
    )),
  );
  lines.push(
    '',
    'next: cleanroom doctor   (check the wiring)   ·   cleanroom explain PATH   ·   cleanroom policy test',
  );
  if (values.quiet !== true) io.stdout(lines.join('\n') + '\n');
  return 0;
}
