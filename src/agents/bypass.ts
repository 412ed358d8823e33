// Shell commands that would switch cleanroom off from inside the agent's own session.
// The agent's shell runs with the agent's environment (CLAUDECODE=1, …), which
// prepare-commit-msg turns into `Assisted-by:`; the local hooks judge the commit. A
// command that skips the hooks, points git at other hooks, strips the environment, or
// types a human's review into a commit message would let the agent drop its own
// provenance — so the agent hook refuses it before it runs (docs/design/contract.md §4, issue 15 §1):
//
//   CLEANROOM=0 git commit …            HUSKY=0 / SKIP=… / GIT_CONFIG_* / GIT_DIR=…
//   env -u CLAUDECODE git commit …      env -i …, unset CLAUDECODE, export -n, CLAUDECODE=0
//   git -c core.hooksPath=/dev/null …   git config core.hooksPath …, alias.*, include.*
//   git commit --no-verify / -n         --no-verify on push, merge, rebase, am …
//   git commit-tree / fast-import / filter-branch / replace   (commits made without hooks)
//   git commit --trailer "Reviewed-by: …", -m "…Reviewed-by: …", -F file holding one
//
// A reason comes back in words the model can act on; undefined means "nothing of the sort".

import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ENV_MARKERS } from './index.js';
import { homedir } from 'node:os';
import { gitSub, programFamily, segments, shellPaths, type Segment } from './shell.js';

/** Variables that switch cleanroom's or git's hooks off, or point git at other hooks and config. */
// HOME and XDG_CONFIG_HOME choose the global git config (a core.hooksPath there turns the
// hooks off); GIT_WORK_TREE pairs with GIT_DIR to commit through another repository.
// GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES / GIT_QUARANTINE_PATH: git sets
// them for a server's pre-receive (quarantine), so cleanroom's git calls must honour them
// (src/git/git.ts cleanEnv keeps them); from an agent's shell they would make the hooks
// read objects — the staged policy's blob among them — from a store the agent wrote,
// where a loose object's content is not checked against its name.
const SWITCHES =
  /^(CLEANROOM\w*|HUSKY\w*|SKIP|PRE_COMMIT\w*|GIT_CONFIG\w*|GIT_DIR|GIT_WORK_TREE|GIT_COMMON_DIR|GIT_EXEC_PATH|GIT_TEMPLATE_DIR|GIT_OBJECT_DIRECTORY|GIT_ALTERNATE_OBJECT_DIRECTORIES|GIT_QUARANTINE_PATH|HOME|XDG_CONFIG_HOME)$/;
/** Trailer keys that grant: only a human (review) or an approver (override) may write them. */
const GRANTS = ['Reviewed-by', 'Cleanroom-Review', 'Cleanroom-Override'];
/** git config keys that run other hooks, other commands, or pull in other config. */
// trailer.*: `trailer.rb.key=Reviewed-by` makes `--trailer rb=…` a review line.
// core.commentChar with commit.cleanup: git cleans the message after commit-msg has run,
// so `git -c core.commentChar=A -c commit.cleanup=strip commit -m …` stored the agent's
// commit without the `Assisted-by:` line prepare-commit-msg had written (a comment line
// to that cleanup): its provenance was gone from the server's view.
// help.autocorrect: git runs the command it guesses for a name it does not know, so
// `git -c help.autocorrect=immediate comit -n` was `git commit --no-verify` (git-alias.ts).
const HOOK_KEYS =
  /^(core\.hookspath|alias\..+|include\.path|includeif\..+\.path|core\.fsmonitor|core\.sshcommand|sequence\.editor|core\.editor|trailer\..+|core\.commentchar|core\.commentstring|commit\.cleanup|help\.autocorrect)$/;
/** git subcommands that make commits or rewrite history without running the commit hooks. */
const HOOKLESS = new Set([
  'commit-tree',
  'fast-import',
  'filter-branch',
  'filter-repo',
  'replace',
  'mktag',
]);
const CONFIG_READS = new Set([
  '--get',
  '--get-all',
  '--get-regexp',
  '--get-urlmatch',
  '--list',
  '-l',
  '--show-origin',
  '--show-scope',
  '--name-only',
  'get',
  'list',
]);
/** Shells and interpreters that take a program on standard input when given none. */
const STDIN_SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'ash',
  'python',
  'python3',
  'node',
  'perl',
  'ruby',
]);
/** A file name that is a process's standard input (or another inherited descriptor, a pipe). */
const STDIN_FILE = /^(\/dev\/(stdin|fd\/\d+)|\/proc\/[^/]+\/fd\/\d+|\/dev\/tty)$/;
/** Builtins and loops that assign a variable named by one of their words. */
const SETS_BY_WORD = new Set([
  'printf',
  'read',
  'mapfile',
  'readarray',
  'getopts',
  'for',
  'select',
  'let',
  'declare',
  'typeset',
  'local',
  'export',
  'readonly',
]);
/** Message files are read to look for grants; bigger ones are refused unread. */
const MAX_MESSAGE_FILE = 1024 * 1024;

const isMarker = (name: string): boolean =>
  name.startsWith('CODEX_SANDBOX') || ENV_MARKERS.some(([m]) => m === name);
const sensitive = (name: string): string | undefined =>
  isMarker(name)
    ? `it changes ${name}, the variable that tells cleanroom this commit comes from an agent's session`
    : SWITCHES.test(name)
      ? `${name} switches off or redirects cleanroom's and git's hooks`
      : undefined;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The first grant trailer key in `text` (`Reviewed-by:` or `Reviewed-by=`, any case), or undefined. */
export function grantIn(text: string, reviewTrailer?: string): string | undefined {
  const keys = [...new Set([...GRANTS, ...(reviewTrailer ? [reviewTrailer] : [])])];
  const m = new RegExp(`(${keys.map(escape).join('|')})\\s*[:=]`, 'i').exec(text);
  return m?.[1];
}

export interface BypassOptions {
  /** Where relative paths resolve (the shell's cwd). */
  cwd: string;
  /** The policy's review trailer (`review.trailer`), when it is not `Reviewed-by`. */
  reviewTrailer?: string | undefined;
}

/**
 * Words that switch cleanroom off wherever they stand — inside `python -c "…"`,
 * `node -e`, a string handed to another program: a command that carries one is refused
 * unless it only searches (`grep -r -- --no-verify docs/`).
 */
const TRIPWIRES: [RegExp, string][] = [
  [/--no-ve(?:r(?:i(?:fy?)?)?)?(?![\w-])/, "--no-verify skips cleanroom's hooks"],
  [/core\.hookspath/i, 'core.hooksPath points git at other hooks'],
  // The same key in a config file's own syntax (`printf '[core]\n\thooksPath = …' >> FILE`).
  [
    /\[\s*core\s*(?:"[^"\]]*"\s*)?\][\s\S]*?hookspath\s*=/i,
    'a "[core] hooksPath =" entry points git at other hooks',
  ],
  [/\b(CLEANROOM|HUSKY)=0\b/, "it switches cleanroom's hooks off"],
  // The agent runs as the human, with the human's keys and ssh-agent: a signature made
  // from its shell is a human's review or an approver's override it never gave.
  [
    /\bcleanroom\b[^\n;&|]*?\s(?:review|override)\s+(?:\S+\s+)*?sign\b/,
    'it signs a review or an override, which only a human reviewer or approver may give',
  ],
  [
    /\bssh-keygen\b[^\n;&|]*?\s-[a-zA-Z]*Y\s*['"]?sign\b/,
    'ssh-keygen -Y sign makes an SSH signature, the form of a signed review or override',
  ],
];
/** Scripts the command runs are read too (one level), up to this size. */
const MAX_SCRIPT = 256 * 1024;

/** Why `command` would switch cleanroom off or forge a grant, or undefined. */
export function bypassReason(command: string, opts: BypassOptions, depth = 0): string | undefined {
  const segs = segments(command);
  for (const seg of segs) {
    const why = segmentReason(seg, opts);
    if (why) return why;
  }
  if (!segs.every(searchOnly)) {
    for (const [re, why] of TRIPWIRES)
      if (re.test(command))
        return `this command mentions ${re.exec(command)![0]}, and ${why} — an agent may not switch cleanroom off; commit without it, or ask a human.`;
  }
  // A program file that does not exist yet, that this line writes, or that only the shell
  // names (`… > /tmp/s.sh; bash /tmp/s.sh`, `bash $f`) can only come from this command line
  // or a later one: cleanroom cannot read it, as it cannot read `bash -s`.
  const why = programFileReason(command, segs, opts);
  if (why) return why;
  // `sh x.sh`, `bash ./x.sh`, `source x.sh`, `./x.sh`: a script the agent may have written.
  if (depth === 0) {
    for (const seg of segs) {
      const script = scriptOf(seg);
      if (!script) continue;
      const text = readScript(resolve(opts.cwd, script));
      const why = text === undefined ? undefined : bypassReason(text, opts, depth + 1);
      if (why) return `the script ${script} it runs: ${why}`;
    }
  }
  // A grant typed anywhere into the command line (a -m, a --trailer, a heredoc or printf
  // into a message file, git interpret-trailers …) is the agent attesting a human's review.
  // Pure searches (`git log --grep=Reviewed-by:`) may name the key.
  const key = grantIn(command, opts.reviewTrailer);
  if (key && !segs.every(searchOnly)) {
    return `this command writes a "${key}:" line, and only a human reviewer (or an approver, for an override) may write one — leave the review trailer out; a human adds it when they have reviewed the change`;
  }
  return undefined;
}

function searchOnly(seg: Segment): boolean {
  if (seg.redirects.some((r) => r.op.includes('>'))) return false;
  if (seg.cmd === 'git') {
    const g = gitSub(seg.args.map((a) => a.word));
    return (
      g !== undefined &&
      (['log', 'grep', 'show', 'shortlog', 'rev-list'].includes(g.sub) ||
        (g.sub === 'config' &&
          g.args.some((a) => CONFIG_READS.has(a)) &&
          !g.args.some((a) =>
            /^(--unset|--unset-all|--add|--replace-all|set|unset|-e|--edit)$/.test(a),
          )))
    );
  }
  return seg.cmd === 'grep' || seg.cmd === 'rg' || seg.cmd === 'egrep' || seg.cmd === 'fgrep';
}

function segmentReason(seg: Segment, opts: BypassOptions): string | undefined {
  // shell.ts stdinProgram: any program that would read its program from its input
  // (`awk -f -`, `tclsh`, `vim -es`, `gdb -x /dev/stdin`, `php`, `make -f -`).
  if (seg.stdinProgram)
    return refusal(
      seg,
      `${seg.cmd} would run a program read from its input, which cleanroom cannot read`,
    );
  // shell.ts markHookEnv: a variable set before a git command that runs hooks.
  if (seg.hookEnv)
    return refusal(
      seg,
      `${seg.hookEnv} is changed for a git command that runs hooks: it changes the programs those hooks run (node, grep, sh), and so what cleanroom's hooks check`,
    );
  for (const a of seg.assigns) {
    const why = sensitive(a.slice(0, a.search(/\+?=/)));
    if (why) return refusal(seg, why);
  }
  for (let i = 0; i < seg.envOptions.length; i++) {
    const o = seg.envOptions[i]!;
    if (o === '-i' || o === '-' || o === '--ignore-environment' || /^-[a-zA-Z]*i/.test(o))
      return refusal(seg, "env -i runs the command without the agent's environment");
    const name =
      o === '-u' || o === '--unset'
        ? seg.envOptions[i + 1]
        : o.startsWith('--unset=')
          ? o.slice(8)
          : /^-u./.test(o)
            ? o.slice(2)
            : undefined;
    const why = name ? sensitive(name) : undefined;
    if (why) return refusal(seg, why);
  }
  const words = seg.args.map((a) => a.word);
  // A shell that reads its program from a pipe or a here-document (`… | base64 -d | sh`,
  // `bash <<EOF`, `sh -s`) runs text cleanroom never sees: an agent may not hide a command
  // that way. A script file or `sh -c '…'` is read (above and in shell.ts).
  // Its standard input by another name (`bash /dev/stdin <<< '…'`, `python3 /dev/fd/0`,
  // `source /dev/stdin`) is the same; so is `source <(…)`, which the reader sees as a
  // `source` without a file (the process substitution is read as a command of its own).
  const script = words.find((w) => !w.startsWith('-'));
  if (
    seg.cmd !== undefined &&
    (STDIN_SHELLS.has(seg.cmd) || seg.cmd === 'source' || seg.cmd === '.') &&
    (words.length === 0 ||
      (script !== undefined && STDIN_FILE.test(script)) ||
      (STDIN_SHELLS.has(seg.cmd) &&
        (words.some((w) => /^-[a-z]*s[a-z]*$/.test(w)) ||
          (words.every((w) => w.startsWith('-')) && !words.some((w) => /^-[a-z]*c/.test(w))))))
  ) {
    return refusal(
      seg,
      `${seg.cmd} would run a program read from its input, which cleanroom cannot read`,
    );
  }
  if (seg.cmd === 'eval' && seg.args.some((a) => /\$|`/.test(a.raw)))
    return refusal(seg, 'eval of a computed string runs a command cleanroom cannot read');
  // `printf -v CLAUDECODE ''`, `read CLAUDECODE <<< ''`, `for CLAUDECODE in ''`,
  // `getopts x CLAUDECODE`, `declare -n r=CLAUDECODE; r=`: bash sets a variable through
  // these words as surely as through `NAME=` (an empty marker is no marker).
  if (seg.cmd !== undefined && SETS_BY_WORD.has(seg.cmd))
    for (const w of seg.cmd === 'printf'
      ? words.flatMap((x, k) =>
          x === '-v' ? [words[k + 1] ?? ''] : /^-v./.test(x) ? [x.slice(2)] : [],
        )
      : words)
      for (const name of w.split('='))
        if (/^[A-Za-z_]\w*$/.test(name) && sensitive(name)) return refusal(seg, sensitive(name)!);
  switch (seg.cmd) {
    case undefined:
      return undefined;
    case 'unset':
    case 'unsetenv':
    case 'export':
    case 'declare':
    case 'typeset':
    case 'local':
    case 'readonly':
    case 'setenv': {
      const removing =
        seg.cmd.startsWith('unset') || words.some((w) => w === '-n' || w.startsWith('+'));
      for (const w of words) {
        const name = w.split('=')[0]!;
        if ((removing || w.includes('=') || seg.cmd === 'setenv') && sensitive(name))
          return refusal(seg, sensitive(name)!);
      }
      return undefined;
    }
    case 'env':
      return words.includes('-i')
        ? refusal(seg, "env -i runs the command without the agent's environment")
        : undefined;
    case 'git':
      return gitReason(seg, words, opts);
    default:
      return undefined;
  }
}

function gitReason(seg: Segment, words: string[], opts: BypassOptions): string | undefined {
  const g = gitSub(words);
  if (!g) return undefined;
  for (const c of g.config) {
    const key = c.split('=')[0]!.toLowerCase();
    if (HOOK_KEYS.test(key))
      return refusal(
        seg,
        /^(core\.commentchar|core\.commentstring|commit\.cleanup)$/.test(key)
          ? `git -c ${key} makes git drop lines of the message after the hooks have run (the Assisted-by trailer among them)`
          : `git -c ${key} points git at other hooks or commands`,
      );
  }
  if (g.execPath) return refusal(seg, '--exec-path makes git run other programs for its commands');
  // Another repository's hooks are not cleanroom's: a commit made through it carries no provenance.
  if (words.some((w) => /^--(git-dir|work-tree)(=|$)/.test(w)))
    return refusal(
      seg,
      "--git-dir/--work-tree commit through another repository, whose hooks are not cleanroom's",
    );
  // Commits made without the commit hooks (git stash, stash create, commit-tree elsewhere)
  // reach a server only if pushed by something other than a branch name.
  if (g.sub === 'push') {
    const odd = g.args
      .filter((a) => !a.startsWith('-'))
      .slice(1)
      .find((a) => /stash|[\^~]|@\{|^[0-9a-f]{7,64}(:|$)/i.test(a.split(':')[0]!));
    if (odd)
      return refusal(
        seg,
        `it pushes ${odd.split(':')[0]}, which is not a branch or tag: commits made outside the commit hooks (a stash) would carry no provenance`,
      );
  }
  // git takes any unambiguous prefix of a long option: --no-veri is --no-verify.
  if (g.args.some((a) => /^--no-ve(?:r(?:i(?:fy?)?)?)?$/.test(a)))
    return refusal(seg, "--no-verify skips cleanroom's hooks");
  if (HOOKLESS.has(g.sub))
    return refusal(
      seg,
      `git ${g.sub} writes commits or rewrites history without running the commit hooks`,
    );
  if (g.sub === 'config') {
    const touches = g.args.find((a) => HOOK_KEYS.test(a.toLowerCase()));
    const edit = g.args.some((a) => a === '-e' || a === '--edit' || a === 'edit');
    const readOnly =
      g.args.some((a) => CONFIG_READS.has(a)) &&
      !g.args.some((a) =>
        /^(--unset|--unset-all|--add|--replace-all|--rename-section|--remove-section|set|unset)$/.test(
          a,
        ),
      );
    if (edit) return refusal(seg, 'git config --edit can change which hooks git runs');
    if (touches && !readOnly)
      return refusal(seg, `git config ${touches} changes which hooks or commands git runs`);
  }
  if (g.sub === 'commit' || g.sub === 'merge' || g.sub === 'tag') {
    for (let i = 0; i < g.args.length; i++) {
      const a = g.args[i]!;
      // `-n` is --no-verify for commit; a short cluster stops at the first option that takes a value.
      if (g.sub === 'commit' && /^-[a-zA-Z]+$/.test(a)) {
        for (const ch of a.slice(1)) {
          if ('mFCctuS'.includes(ch)) break;
          if (ch === 'n') return refusal(seg, "-n (--no-verify) skips cleanroom's hooks");
        }
      }
      const file =
        a === '-F' || a === '--file' || a === '-t' || a === '--template'
          ? g.args[i + 1]
          : /^--(file|template)=/.test(a)
            ? a.slice(a.indexOf('=') + 1)
            : /^-[Ft]./.test(a)
              ? a.slice(2)
              : undefined;
      if (file && file !== '-') {
        const key = grantInFile(resolve(opts.cwd, file), opts.reviewTrailer);
        if (key)
          return refusal(
            seg,
            `its message file ${file} carries a "${key}:" line, and only a human reviewer (or an approver) may write one`,
          );
      }
    }
  }
  return undefined;
}

function grantInFile(file: string, reviewTrailer?: string): string | undefined {
  try {
    if (!existsSync(file) || !statSync(file).isFile()) return undefined;
    if (statSync(file).size > MAX_MESSAGE_FILE) return 'an unreadably large message file';
    return grantIn(readFileSync(file, 'utf8'), reviewTrailer);
  } catch {
    return undefined;
  }
}

const refusal = (seg: Segment, why: string): string => {
  const shown = seg.text.length > 80 ? `${seg.text.slice(0, 77)}…` : seg.text;
  return `"${shown}" is refused: ${why}. An agent may not switch cleanroom off or speak for a human reviewer — commit without it (the hooks will tell you what the change needs), or ask a human.`;
};

/** The script file a segment runs, if any: `sh FILE`, `bash FILE`, `source FILE`, `. FILE`, `./FILE`. */
function scriptOf(seg: Segment): string | undefined {
  if (!seg.cmd) return undefined;
  // shell.ts programOf: the script operand after the shell's options (`bash -o posix x.sh`).
  if (seg.program && SHELL_FAMILIES.has(seg.program.family)) return seg.program.scripts[0]?.word;
  const words = seg.args.map((a) => a.word);
  if (['sh', 'bash', 'zsh', 'dash', 'ksh', 'source', '.'].includes(seg.cmd)) {
    if (words.some((w) => /^-[a-z]*c[a-z]*$/.test(w))) return undefined; // `sh -c STR` is read as a command line
    return words.find((w) => !w.startsWith('-'));
  }
  const first = words[0];
  return first && first.includes('/') && first.endsWith(seg.cmd) ? first : undefined;
}
/** Families (shell.ts programFamily) whose script files are read one level as command lines. */
const SHELL_FAMILIES = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash']);

/** The program files a segment runs: its interpreter's (shell.ts programOf), `source F`, `./F`. */
function programFiles(seg: Segment): { word: string; raw: string }[] {
  if (seg.program) return seg.program.scripts;
  if (seg.stdinProgram || seg.hookEnv || !seg.cmd || programFamily(seg.cmd)) return [];
  const script = scriptOf(seg);
  if (script === undefined) return [];
  return [seg.args.find((a) => a.word === script) ?? { word: script, raw: script }];
}

/**
 * Why a program file the command runs cannot be read (see bypassReason), or undefined:
 * m4 (which runs what its macros build), a word only the shell expands (`bash $f`, but
 * `~/x.sh` and `$HOME/x.sh` are looked up), a file the same line writes, a file that does
 * not exist when the hook runs.
 */
function programFileReason(
  command: string,
  segs: Segment[],
  opts: BypassOptions,
): string | undefined {
  let written: Set<string> | undefined;
  // Directories a `cd`/`pushd` on this line may have moved to (literal ones; an
  // expansion or `cd -` makes the directory unknown): a script is "missing" only when it
  // is missing from every one of them (`cd src && python3 app.py > out.txt` runs src/app.py).
  const dirs = [opts.cwd];
  let dirKnown = true;
  for (const seg of segs) {
    if (seg.cmd === 'cd' || seg.cmd === 'pushd') {
      const to = seg.args.find((a) => !a.word.startsWith('-'));
      if (to === undefined) dirs.push(homedir());
      else if (/[$`*?[~]/.test(to.raw)) dirKnown = false;
      else dirs.push(resolve(dirs[dirs.length - 1]!, to.word));
    }
    if (seg.program?.opaque)
      return refusal(
        seg,
        seg.program.family === 'm4'
          ? `${seg.cmd} runs shell commands (syscmd, esyscmd) that its macros may build from any text, which cleanroom cannot read`
          : `${seg.cmd} runs an encoded program, which cleanroom cannot read`,
      );
    for (const { word, raw } of programFiles(seg)) {
      const home = /^(?:~|\$HOME|\$\{HOME\})(?=\/|$)/;
      const named = home.test(raw) && !/[$`]/.test(raw.replace(home, ''));
      if (/[$`*?[]/.test(raw.replace(home, '')) || (raw.startsWith('~') && !named))
        return refusal(
          seg,
          `its program file ${raw} is named by a word only the shell expands, so cleanroom cannot read the program`,
        );
      const file = named
        ? resolve(homedir(), `.${raw.replace(home, '')}`)
        : resolve(opts.cwd, word);
      if (!written) {
        written = new Set(
          segs.flatMap((s) =>
            s.redirects.filter((r) => r.op.includes('>')).map((r) => resolve(opts.cwd, r.word)),
          ),
        );
        try {
          for (const w of shellPaths(command, 5000, opts.cwd).written)
            written.add(resolve(opts.cwd, w));
        } catch {
          // The redirections above remain.
        }
      }
      if (written.has(file))
        return refusal(
          seg,
          `its program file ${word} is written by this same command line, after cleanroom has read it`,
        );
      // Only where this line writes files: a script that is missing and not written here
      // fails to run (a later line's own writes are judged with it).
      if (
        written.size > 0 &&
        dirKnown &&
        !existsSync(file) &&
        (named || !dirs.some((d) => existsSync(resolve(d, word))))
      )
        return refusal(
          seg,
          `its program file ${word} does not exist yet, so cleanroom cannot read the program it would run (it could only come from this command line or a later one)`,
        );
    }
  }
  return undefined;
}

function readScript(file: string): string | undefined {
  try {
    if (!statSync(file).isFile() || statSync(file).size > MAX_SCRIPT) return undefined;
    const bytes = readFileSync(file);
    // A compiled program (`/usr/bin/cat`, an ELF or Mach-O file) is no shell script: its
    // bytes read as words were refused as "eval of a computed string".
    if (bytes.subarray(0, 8192).includes(0)) return undefined;
    return bytes.toString('utf8');
  } catch {
    return undefined;
  }
}
