// Installing the local hooks without clobbering anything.
//
// git mode   — into the hooks directory git really uses (core.hooksPath honoured,
//              linked worktrees share the common one). A hook that is already there
//              is kept as HOOK.pre-cleanroom and chained: it runs first, then ours.
// husky mode — into .husky/HOOK, the scripts husky 9 runs with `sh -e`: our block is
//              put at the top (so an `exit 0` further down cannot skip it); the rest
//              of the file — lint-staged, commitlint — runs after it as before.
// Running init twice changes nothing; every write is atomic.

import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CleanroomError } from '../errors.js';
import { writeAtomic } from '../fsutil.js';

export const LOCAL_HOOKS = [
  'pre-commit',
  'prepare-commit-msg',
  'commit-msg',
  'pre-push',
  'applypatch-msg',
] as const;
export type LocalHook = (typeof LOCAL_HOOKS)[number];

/**
 * The hooks `cleanroom init` writes in git mode. Not `pre-commit`: cleanroom has nothing to
 * judge before the message exists (hooks/pre-commit exits at once), and merely having a
 * pre-commit hook costs every commit: git then discards the index it holds and reads it
 * again from disk after the hook (builtin/commit.c, `invoked_hook`: ~7 ms on a
 * 50,000-file index), on top of a fork and a shell start (issue 14 §1). hooks/pre-commit
 * stays for hook managers that name it; husky runs a pre-commit stub in any case.
 */
export const GIT_MODE_HOOKS: readonly LocalHook[] = LOCAL_HOOKS.filter((h) => h !== 'pre-commit');
/** Hooks earlier versions wrote in git mode that `cleanroom init` now takes out again. */
export const RETIRED_GIT_HOOKS: readonly LocalHook[] = ['pre-commit'];

export const BEGIN = '# >>> cleanroom >>>';
export const END = '# <<< cleanroom <<<';
export const CHAINED_SUFFIX = '.pre-cleanroom';

export type InstallResult = {
  hook: string;
  file: string;
  action: 'created' | 'unchanged' | 'updated' | 'chained' | 'removed' | 'restored';
};

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Hooks that read stdin need it buffered to give it to both the old hook and ours. */
const READS_STDIN: ReadonlySet<string> = new Set(['pre-push', 'pre-receive']);

/**
 * A line that stops the hook with cleanroom's own message when the shim is gone — a
 * teammate who has not run `npm install`, a new worktree, a server whose global install
 * moved — instead of `husky - command not found` or `not found` (exit 127). Fails closed.
 */
function missingCheck(hook: string, shim: string): string {
  const at = shim.lastIndexOf('node_modules/');
  const [why, fix] =
    hook === 'pre-receive'
      ? [
          'the cleanroom installation this hook names was moved or removed',
          'reinstall cleanroom on the server and run cleanroom install-server again',
        ]
      : at >= 0
        ? [
            "cleanroom is one of this project's dependencies, and they are not installed in this clone (a new clone or worktree, or npm install not run yet)",
            `install the dependencies in this clone: npm install${at > 0 ? ` (in ${shim.slice(0, at).replace(/\/$/, '') || '.'})` : ''}${shim.startsWith('/') ? '; if the repository was moved or copied, run cleanroom init again there (this hook names the old place)' : ''}; CLEANROOM=0 skips the hook once (the server and CI still check)`,
          ]
        : [
            'the cleanroom installation this hook names was moved or removed',
            'reinstall cleanroom and run cleanroom init again; CLEANROOM=0 skips the hook once (the server and CI still check)',
          ];
  const skip = hook === 'pre-receive' ? '' : `[ "\${CLEANROOM-}" = 0 ] || `;
  return `[ -f ${quote(shim)} ] || ${skip}{ printf 'cleanroom: cannot run the %s check: %s is missing\\n  why: %s\\n  fix: %s\\n' ${quote(hook)} ${quote(shim)} ${quote(why)} ${quote(fix)} >&2; exit 1; }\n`;
}

function block(hook: string, shim: string): string {
  return `${BEGIN}\n# Added by \`cleanroom init\`; \`cleanroom doctor\` checks it. CLEANROOM=0 skips it, loudly.\n${missingCheck(hook, shim)}[ ! -f ${quote(shim)} ] || ${quote(shim)} "$@" || exit $?\n${END}\n`;
}

/** Who wrote the hook, and what skips it: the server hook is not skippable by a pusher. */
const origin = (hook: string): string =>
  hook === 'pre-receive' ? '`cleanroom install-server`' : '`cleanroom init`';
const about = (hook: string): string =>
  hook === 'pre-receive'
    ? 'the authoritative check: CLEANROOM=0 on a client does not skip it.'
    : '`cleanroom doctor` checks it. CLEANROOM=0 skips it, loudly.';

function gitWrapper(hook: string, shim: string, chained: boolean): string {
  const head = `#!/bin/sh\n`;
  if (!chained)
    return `${head}${BEGIN}\n# Added by ${origin(hook)}; ${about(hook)}\n${missingCheck(hook, shim)}[ ! -f ${quote(shim)} ] || exec ${quote(shim)} "$@"\n${END}\n`;
  // Like git, run the old hook only when it is executable: a hook the user disabled with
  // chmod -x must stay disabled, not turn into "Permission denied" on every commit.
  const prevVar = `prev="$(dirname "$0")/${hook}${CHAINED_SUFFIX}"\n`;
  if (READS_STDIN.has(hook)) {
    return (
      `${head}${BEGIN}\n# Added by ${origin(hook)}: runs the hook that was here (${hook}${CHAINED_SUFFIX}), then cleanroom's.\n` +
      prevVar +
      missingCheck(hook, shim) +
      `input=$(cat; echo .); input=\${input%.}\n` +
      `if [ -x "$prev" ]; then printf '%s' "$input" | "$prev" "$@" || exit $?; fi\n` +
      `printf '%s' "$input" | ${quote(shim)} "$@"\n${END}\n`
    );
  }
  return (
    `${head}${BEGIN}\n# Added by ${origin(hook)}: runs the hook that was here (${hook}${CHAINED_SUFFIX}), then cleanroom's.\n` +
    prevVar +
    missingCheck(hook, shim) +
    `if [ -x "$prev" ]; then "$prev" "$@" || exit $?; fi\n` +
    `exec ${quote(shim)} "$@"\n${END}\n`
  );
}

const read = (f: string): string | undefined =>
  existsSync(f) ? readFileSync(f, 'utf8') : undefined;

function replaceBlock(text: string, replacement: string): string {
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END, start);
  if (start < 0 || end < 0) return text;
  const after = text.indexOf('\n', end);
  return text.slice(0, start) + replacement + (after < 0 ? '' : text.slice(after + 1));
}

/** git mode: `dir` is the hooks directory git uses. */
export function installGitHook(dir: string, hook: string, shim: string): InstallResult {
  const file = join(dir, hook);
  const existing = read(file);
  const chainedFile = file + CHAINED_SUFFIX;
  if (existing === undefined) {
    writeAtomic(file, gitWrapper(hook, shim, existsSync(chainedFile)), 0o755);
    return { hook, file, action: 'created' };
  }
  if (existing.includes(BEGIN)) {
    const wanted = gitWrapper(hook, shim, existsSync(chainedFile));
    const current = existing;
    if (current === wanted && (statSync(file).mode & 0o111) !== 0)
      return { hook, file, action: 'unchanged' };
    writeAtomic(file, wanted, 0o755);
    return { hook, file, action: 'updated' };
  }
  if (existsSync(chainedFile)) {
    throw new CleanroomError(
      'usage',
      `${file} is not cleanroom's and ${chainedFile} exists too`,
      `merge them by hand (keep one as ${hook}${CHAINED_SUFFIX}), then run cleanroom init again`,
    );
  }
  // Keep the user's hook byte for byte under a new name, then write the chain.
  renameSync(file, chainedFile);
  try {
    writeAtomic(file, gitWrapper(hook, shim, true), 0o755);
  } catch (e) {
    renameSync(chainedFile, file);
    throw e;
  }
  return { hook, file, action: 'chained' };
}

/**
 * git mode: takes out a hook cleanroom no longer installs (RETIRED_GIT_HOOKS), only when
 * the file is cleanroom's wrapper and nothing else (`#!/bin/sh` and our block): the user's
 * hook it chained (HOOK.pre-cleanroom) is put back in its place byte for byte, else the
 * file is removed. A file with anything of the user's in it, or none of ours, is left
 * alone (undefined): it still works, it only costs the commit a little.
 */
export function retireGitHook(dir: string, hook: string): InstallResult | undefined {
  const file = join(dir, hook);
  const existing = read(file);
  if (existing === undefined || !existing.includes(BEGIN)) return undefined;
  if (replaceBlock(existing, '') !== '#!/bin/sh\n') return undefined;
  const chainedFile = file + CHAINED_SUFFIX;
  if (existsSync(chainedFile)) {
    renameSync(chainedFile, file); // atomic: the user's hook replaces the wrapper
    return { hook, file, action: 'restored' };
  }
  rmSync(file);
  return { hook, file, action: 'removed' };
}

/** husky mode: `dir` is the .husky directory. */
export function installHuskyHook(dir: string, hook: string, shim: string): InstallResult {
  const file = join(dir, hook);
  const existing = read(file);
  const ours = block(hook, shim);
  if (existing === undefined) {
    writeAtomic(file, ours, 0o755);
    return { hook, file, action: 'created' };
  }
  if (existing.includes(BEGIN)) {
    const updated = replaceBlock(existing, ours);
    if (updated === existing) return { hook, file, action: 'unchanged' };
    writeAtomic(file, updated, statSync(file).mode & 0o777);
    return { hook, file, action: 'updated' };
  }
  // After a shebang line if there is one, before everything else.
  const nl = existing.indexOf('\n');
  const updated = existing.startsWith('#!')
    ? existing.slice(0, nl + 1) + ours + existing.slice(nl + 1)
    : ours + existing;
  writeAtomic(file, updated, statSync(file).mode & 0o777);
  return { hook, file, action: 'chained' };
}

/** Is our hook wired in `file`? (for doctor) */
export function hookState(file: string): 'installed' | 'missing' | 'foreign' | 'not-executable' {
  const text = read(file);
  if (text === undefined) return 'missing';
  if (!text.includes(BEGIN)) return 'foreign';
  return (statSync(file).mode & 0o111) === 0 ? 'not-executable' : 'installed';
}
