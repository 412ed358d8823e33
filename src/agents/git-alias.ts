// Git aliases in an agent's shell command. `git ci -n` with `alias.ci = commit` in the
// user's or the repository's config is `git commit --no-verify`; `git m a evals/x` with
// `alias.m = mv` writes into a zone; `alias.x = !sh -c …` runs a command line. The agent
// hook reads `git SUB` by SUB (bypass.ts, shell.ts), so an alias would be judged as some
// other command. Git never lets an alias shadow one of its own commands (git.c run_argv:
// builtins, then git-SUB programs, then aliases), so a SUB that is a builtin is what it
// says; any other SUB is looked up in git's config as git would look it up (the same
// `-C` directories, includes followed), and a command that runs an alias is refused with
// the command the alias stands for: the agent writes that out, and it is judged as such.
// With help.autocorrect on, git runs the command it guesses for a name that is neither a
// command nor an alias (`git comit -n`): such a name is refused too.
// Aliases from `-c alias.…`, `--config-env` and GIT_CONFIG_* are refused in bypass.ts; an
// agent cannot write a config file (decide.ts: gitConfigFile, PROTECTED).

import { CleanroomError } from '../errors.js';
import { runGit, splitZ, type GitContext } from '../git/git.js';
import { gitSub, segments } from './shell.js';

/**
 * Git builtins (the same on every git cleanroom supports): never an alias, so a command
 * made only of these needs no config read. `git --list-cmds=builtins` lists them all; this
 * set is a fast path, and a name missing from it is only looked up.
 */
const BUILTINS = new Set([
  'add',
  'am',
  'apply',
  'archive',
  'bisect',
  'blame',
  'branch',
  'cat-file',
  'check-ignore',
  'checkout',
  'cherry-pick',
  'clean',
  'clone',
  'commit',
  'config',
  'describe',
  'diff',
  'fetch',
  'format-patch',
  'gc',
  'grep',
  'help',
  'init',
  'log',
  'ls-files',
  'ls-remote',
  'ls-tree',
  'merge',
  'merge-base',
  'mv',
  'notes',
  'pull',
  'push',
  'rebase',
  'reflog',
  'remote',
  'reset',
  'restore',
  'rev-list',
  'rev-parse',
  'revert',
  'rm',
  'shortlog',
  'show',
  'stash',
  'status',
  'switch',
  'tag',
  'version',
  'worktree',
]);

/**
 * Why `command` (run in `cwd` by the agent's shell) is refused because it runs a git
 * alias, or that git would guess (help.autocorrect on, the name no command), or undefined.
 * One `git config -z --get-regexp ^(alias\..*|help\.autocorrect)$` per distinct set of `-C`
 * directories, only for a `git SUB` whose SUB is not a builtin above. Sample output:
 * `alias.ci\ncommit\0alias.sh\n!git commit\0`. A config git cannot read (a syntax error) is
 * refused too: cleanroom cannot tell what the name stands for.
 */
export async function gitAliasReason(
  command: string,
  cwd: string,
  env: GitContext['env'],
): Promise<string | undefined> {
  const asked = new Map<string, Promise<GitConfig | undefined>>();
  for (const seg of segments(command)) {
    if (seg.cmd !== 'git') continue;
    const words = seg.args.map((a) => a.word);
    const g = gitSub(words);
    if (!g || BUILTINS.has(g.sub)) continue;
    const dirs: string[] = [];
    for (let i = 0; i < words.length - g.args.length - 1; i++)
      if (words[i] === '-C') dirs.push('-C', words[++i] ?? '');
    const key = JSON.stringify(dirs);
    if (!asked.has(key)) asked.set(key, aliases({ cwd, env }, dirs));
    const config = await asked.get(key)!;
    if (!config)
      return `git's config cannot be read here, so cleanroom cannot tell whether "git ${g.sub}" is an alias — run the git command itself`;
    const value = config.aliases.get(g.sub.toLowerCase());
    if (value === undefined) {
      // `git Commit -n`: no builtin (git compares names case by case), so git runs the
      // program git-Commit, which a case-insensitive file system (macOS, Windows) finds
      // as git-commit in git's exec path: `git commit --no-verify`, judged as an unknown
      // command. Git's commands are lower case; such a SUB is refused.
      if (/[A-Z]/.test(g.sub))
        return `"git ${g.sub}" is no git command as written, and on a case-insensitive file system git runs "git-${g.sub.toLowerCase()}" for it, which cleanroom judges only when it is written out — write it in lower case`;
      if (config.autocorrect && !(await commands({ cwd, env }, dirs)).has(g.sub))
        return `"git ${g.sub}" is no git command and help.autocorrect is "${config.autocorrect.slice(0, 40)}", so git would run the command it guesses, which cleanroom judges only when it is written out — write the command's name out exactly`;
      continue;
    }
    const shown = value.length > 120 ? `${value.slice(0, 117)}…` : value;
    return value.startsWith('!')
      ? `"git ${g.sub}" is a git alias for the shell command "${shown.slice(1)}", which cleanroom judges only when it is written out — run that command itself`
      : `"git ${g.sub}" is a git alias for "git ${shown}", which cleanroom judges only when it is written out — run "git ${shown}${g.args.length ? ' …' : ''}" itself`;
  }
  return undefined;
}

/** What `aliases` reads: alias name (lower case) → value, and a help.autocorrect that runs. */
interface GitConfig {
  aliases: Map<string, string>;
  /** help.autocorrect's value when git runs (or asks to run) its guess: not unset, "0", "never", "show", "false", "no", "off". */
  autocorrect?: string;
}

/** help.autocorrect values under which git only suggests (help.c, git-config(1)). */
const SUGGEST_ONLY = new Set(['0', 'never', 'show', 'false', 'no', 'off']);

/**
 * Aliases and help.autocorrect from `git [-C DIR…] config -z --get-regexp
 * ^(alias\..*|help\.autocorrect)$` (last value wins, as git reads them); undefined when git
 * cannot read its config.
 */
async function aliases(ctx: GitContext, dirs: readonly string[]): Promise<GitConfig | undefined> {
  const out: GitConfig = { aliases: new Map() };
  try {
    // Exit 1: no alias at all.
    const r = await runGit(
      ctx,
      [...dirs, 'config', '-z', '--get-regexp', '^(alias\\..*|help\\.autocorrect)$'],
      { okCodes: [1] },
    );
    if (r.code === 1) return out;
    for (const f of splitZ(r.stdout)) {
      const text = f.toString('utf8');
      const nl = text.indexOf('\n');
      const name = nl < 0 ? text : text.slice(0, nl);
      const value = nl < 0 ? '' : text.slice(nl + 1);
      if (name.toLowerCase() === 'help.autocorrect')
        out.autocorrect = SUGGEST_ONLY.has(value.trim().toLowerCase())
          ? undefined
          : value || 'true';
      else out.aliases.set(name.slice('alias.'.length).toLowerCase(), value);
    }
    return out;
  } catch (e) {
    if (e instanceof CleanroomError) return undefined;
    throw e;
  }
}

/**
 * The commands git runs by name before it guesses: builtins, `git-*` programs in its exec
 * path and on PATH, from `git [-C DIR…] --list-cmds=builtins,main,others` (one a line).
 * Empty when git cannot list them (every name is then unknown: refused, fail closed).
 */
async function commands(ctx: GitContext, dirs: readonly string[]): Promise<Set<string>> {
  try {
    const r = await runGit(ctx, [...dirs, '--list-cmds=builtins,main,others']);
    return new Set(r.stdout.toString('utf8').split('\n').filter(Boolean));
  } catch (e) {
    if (e instanceof CleanroomError) return new Set();
    throw e;
  }
}
