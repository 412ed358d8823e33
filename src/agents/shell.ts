// What a shell command line names, as far as can be seen without running it: every
// word that could be a path ("mentioned"), the words it clearly writes to ("written":
// redirection targets, `tee` operands, the destination of cp/mv/install/ln/rsync/git mv,
// `-t DIR` / `--target-directory=DIR`, files an embedded `apply_patch` heredoc adds),
// what a copy lands where ("copies", expanded against the file system by decide.ts),
// directories whose whole content is read (`grep -r`, `rg`, `git grep`, `git archive`,
// the sources of a recursive copy) and `REV:path` blobs (`git show HEAD:evals/x`).
// Words given to a program cleanroom does not understand are "opaque": decide.ts
// refuses them when they name a zone or a directory above one, as the docs promise.
// What it cannot see: paths built at run time ($VAR, $(…), globs that only expand into
// a zone), `cd` before a relative path, and what a script does once it runs.

import { posix, resolve } from 'node:path';
import { expandGlob, globPattern, newBudget } from './glob-expand.js';
import { patchWrites } from './patch.js';
/**
 * A heredoc: its body, and whether bash expands it (`expands`: the delimiter word had no
 * quote and no backslash, so `$(…)`, backquotes and `${…}` in the body run).
 */
type Here = { body: string; expands?: boolean };
type Token = { op: string; here?: Here } | { word: string; raw: string };

const OPS = [
  '&>>',
  '<<<',
  '<<-',
  '&&',
  '||',
  ';;',
  '|&',
  '>>',
  '>|',
  '&>',
  '<<',
  '<>',
  '<&',
  '>&',
  ';',
  '|',
  '&',
  '(',
  ')',
  '<',
  '>',
  '\n',
];

/** Splits a command line into words and operators (quotes and escapes honoured, heredoc bodies skipped). */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  const heredocs: { delim: string; strip: boolean; here: Here }[] = [];
  let i = 0;
  let expectDelim: { strip: boolean; here: Here } | undefined;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\n' && heredocs.length) {
      // Skip heredoc bodies: their lines are data, not words.
      out.push({ op: '\n' });
      i++;
      for (const h of heredocs.splice(0)) {
        for (;;) {
          const end = src.indexOf('\n', i);
          const line = src.slice(i, end < 0 ? src.length : end);
          i = end < 0 ? src.length : end + 1;
          if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim) break;
          h.here.body += `${line}\n`;
          if (end < 0) break;
        }
      }
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      if (op === '<<' || op === '<<-') {
        // The body is filled in when the tokenizer reaches it (after the line ends).
        const here: Here = { body: '' };
        out.push({ op, here });
        expectDelim = { strip: op === '<<-', here };
      } else out.push({ op });
      continue;
    }
    let word = '';
    let raw = '';
    while (i < src.length) {
      const ch = src[i]!;
      if (' \t\r\n;&|<>()'.includes(ch)) break;
      if (ch === "'") {
        const end = src.indexOf("'", i + 1);
        const stop = end < 0 ? src.length : end;
        word += src.slice(i + 1, stop);
        raw += src.slice(i, stop + 1);
        i = stop + 1;
        continue;
      }
      if (ch === '"') {
        let j = i + 1;
        while (j < src.length && src[j] !== '"') {
          if (src[j] === '$' && src[j + 1] === '(') {
            // "$(cmd "with quotes")": the inner quotes do not end the word.
            const close = closeParen(src, j + 1);
            const stop = close < 0 ? src.length : close + 1;
            word += src.slice(j, stop);
            j = stop;
          } else if (src[j] === '\\' && j + 1 < src.length) {
            // A backslash-newline is a line continuation: bash drops both.
            if (src[j + 1] !== '\n') word += src[j + 1];
            j += 2;
          } else word += src[j++];
        }
        raw += src.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (ch === '\\' && i + 1 < src.length) {
        // `cat ev\<newline>als/x` is `cat evals/x`: a line continuation inside a word.
        if (src[i + 1] !== '\n') {
          word += src[i + 1];
          raw += src.slice(i, i + 2);
        }
        i += 2;
        continue;
      }
      // `$(…)` and backquotes belong to the word they stand in, spaces and all: what
      // runs inside is read by segments(), and the word is unknown until it runs.
      if ((ch === '$' && src[i + 1] === '(') || ch === '`') {
        const end = ch === '`' ? src.indexOf('`', i + 1) : closeParen(src, i + 1);
        const stop = end < 0 ? src.length : end + 1;
        word += src.slice(i, stop);
        raw += src.slice(i, stop);
        i = stop;
        continue;
      }
      word += ch;
      raw += ch;
      i++;
    }
    // "2>file": a file descriptor number glued to a redirection is not a word.
    if (/^\d+$/.test(raw) && (src[i] === '>' || src[i] === '<')) continue;
    if (expectDelim) {
      // bash: any quoting of the delimiter word leaves the body as it is; none, and the
      // body is expanded like a double-quoted string.
      expectDelim.here.expands = !/['"\\]/.test(raw);
      heredocs.push({ delim: word, strip: expectDelim.strip, here: expectDelim.here });
      expectDelim = undefined;
      continue;
    }
    out.push({ word, raw });
  }
  return out;
}

/** The index of the `)` closing the `(` at `open` (quotes skipped), or -1. */
function closeParen(src: string, open: number): number {
  let level = 0;
  for (let j = open; j < src.length; j++) {
    const c = src[j];
    if (c === "'" || c === '"') {
      const end = src.indexOf(c, j + 1);
      if (end < 0) return -1;
      j = end;
    } else if (c === '\\') j++;
    else if (c === '(') level++;
    else if (c === ')' && --level === 0) return j;
  }
  return -1;
}

const SEPARATORS = new Set([';', ';;', '&&', '||', '|', '|&', '&', '(', ')', '\n']);
const WRITE_REDIRECTS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);
/** Words that run the next word as the command (their own options are skipped). */
const WRAPPERS = new Set([
  'sudo',
  'doas',
  'env',
  'time',
  'nohup',
  'exec',
  'command',
  'builtin',
  'nice',
  'ionice',
  'timeout',
  'stdbuf',
  'xargs',
  // Programs that start the command after their options (and, for some, one operand:
  // see WRAPPER_OPERAND): util-linux, strace/ltrace, numactl, faketime, systemd-run, …
  // A shell named after any of them is still a shell (`setsid bash` reads its input).
  'setsid',
  'chrt',
  'taskset',
  'flock',
  'unshare',
  'nsenter',
  'strace',
  'ltrace',
  'numactl',
  'prlimit',
  'setpriv',
  'faketime',
  'fakeroot',
  'firejail',
  'valgrind',
  'systemd-run',
  'torsocks',
  'proxychains',
  'proxychains4',
  'caffeinate',
  'catchsegv',
  'busybox',
  'toybox',
  'then',
  'do',
  'else',
  'elif',
  'if',
  'while',
  'until',
  '!',
  '{',
  '}',
  'fi',
  'done',
]);
/**
 * Wrapper options that take a value: short letters (`-a NAME`, glued `-aNAME`, or last in
 * a cluster `-la NAME`) and long names (`--chdir DIR`, any unambiguous prefix `--ch DIR`,
 * as getopt_long takes it). A value read as the command name hid the program: `exec -a
 * cat ./t/cat evals/x` runs ./t/cat, `xargs -tI echo ./t/cat …` too. Options that take
 * their value only glued (`xargs -i`, `-e`, `-l`) take no word. bash(1) `exec`, env(1),
 * xargs(1), sudo(8), nice(1), ionice(1), timeout(1), stdbuf(1), doas(1).
 */
const WRAPPER_ARGS: Record<string, { short: string; long: string[] }> = {
  exec: { short: 'a', long: [] },
  sudo: {
    short: 'ugCDhprtUTR',
    long: [
      'user',
      'group',
      'close-from',
      'chdir',
      'host',
      'prompt',
      'role',
      'type',
      'other-user',
      'command-timeout',
      'chroot',
    ],
  },
  doas: { short: 'uC', long: [] },
  env: { short: 'uCSa', long: ['unset', 'chdir', 'split-string', 'argv0'] },
  nice: { short: 'n', long: ['adjustment'] },
  ionice: { short: 'cnpPu', long: ['class', 'classdata', 'pid', 'pgid', 'uid'] },
  xargs: {
    short: 'InPLsdEa',
    long: ['arg-file', 'delimiter', 'max-args', 'max-procs', 'max-chars', 'process-slot-var'],
  },
  timeout: { short: 'sk', long: ['signal', 'kill-after'] },
  stdbuf: { short: 'ioe', long: ['input', 'output', 'error'] },
  // GNU time(1) (`/usr/bin/time -o FILE -f FMT`); bash's keyword `time -p` takes none.
  time: { short: 'of', long: ['output', 'format'] },
  chrt: { short: 'TPD', long: ['sched-runtime', 'sched-period', 'sched-deadline'] },
  // flock(1) `-c CMD` is a command line (read in unwrap).
  flock: { short: 'wEc', long: ['wait', 'timeout', 'conflict-exit-code', 'command'] },
  unshare: {
    short: 'RwSG',
    long: [
      'root',
      'wd',
      'setuid',
      'setgid',
      'propagation',
      'map-user',
      'map-group',
      'map-users',
      'map-groups',
      'setgroups',
    ],
  },
  nsenter: { short: 'tSG', long: ['target', 'setuid', 'setgid'] },
  strace: {
    short: 'abeEIoOpPsSuXU',
    long: ['output', 'attach', 'user', 'env', 'trace-path', 'string-limit', 'columns'],
  },
  ltrace: { short: 'aADeFlnopsuwx', long: ['output', 'library', 'config'] },
  numactl: {
    short: 'iNpCmP',
    long: ['interleave', 'cpunodebind', 'preferred', 'physcpubind', 'membind'],
  },
  prlimit: { short: 'po', long: ['pid', 'output'] },
  'systemd-run': {
    short: 'pEuHM',
    long: ['property', 'setenv', 'unit', 'host', 'machine', 'description', 'slice', 'uid', 'gid'],
  },
  proxychains: { short: 'f', long: [] },
  proxychains4: { short: 'f', long: [] },
};
/**
 * Wrappers that take one operand before the command: `chrt PRIO CMD`, `taskset MASK CMD`,
 * `flock FILE CMD`, `faketime STAMP CMD`, `timeout DURATION CMD`.
 */
const WRAPPER_OPERAND = new Set(['chrt', 'taskset', 'flock', 'faketime', 'timeout']);

/**
 * Whether the wrapper option `word` takes the next word as its value (see WRAPPER_ARGS),
 * and the value it names when glued (`-S'…'`, `--split-string=…`), for the callers that
 * need it. Errs on the side of taking: a value taken by mistake becomes the command,
 * judged as a program cleanroom cannot read.
 */
function wrapperOption(
  wrapper: string,
  word: string,
): { takesNext: boolean; key: string; glued?: string } {
  const spec = WRAPPER_ARGS[wrapper];
  if (!spec) return { takesNext: false, key: word };
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const hit = name ? spec.long.find((l) => l.startsWith(name)) : undefined;
    if (!hit) return { takesNext: false, key: word };
    return eq < 0
      ? { takesNext: true, key: `--${hit}` }
      : { takesNext: false, key: `--${hit}`, glued: word.slice(eq + 1) };
  }
  for (let k = 1; k < word.length; k++) {
    const letter = word[k]!;
    if (!spec.short.includes(letter)) continue;
    const rest = word.slice(k + 1);
    return rest
      ? { takesNext: false, key: `-${letter}`, glued: rest }
      : { takesNext: true, key: `-${letter}` };
  }
  return { takesNext: false, key: word };
}
const DEST_LAST = new Set(['cp', 'mv', 'install', 'ln', 'rsync']);
/** Options of cp/mv/install/ln/rsync that take a value (which is not an operand). */
const COPY_ARGS = new Set([
  '-S',
  '--suffix',
  '-m',
  '--mode',
  '-o',
  '--owner',
  '-g',
  '--group',
  '-e',
  '--rsh',
  '--exclude',
  '--include',
  '-f',
  '--filter',
  '--exclude-from',
  '--include-from',
  '--files-from',
  '--chmod',
  '--chown',
  '--log-file',
  '-B',
  '--backup-dir',
  '-T',
  '--temp-dir',
  '--partial-dir',
  '--link-dest',
  '--compare-dest',
  '--copy-dest',
  '--port',
  '--password-file',
  '--timeout',
  '--bwlimit',
  '--max-size',
  '--min-size',
  '--rsync-path',
]);
/** Shells by the names programFamily gives them (`rbash` is `bash`, `mksh` is `ksh`). */
const SHELLS = new Set([
  'sh',
  'bash',
  'zsh',
  'dash',
  'ksh',
  'ash',
  'busybox',
  'hush',
  'msh',
  'yash',
  'posh',
  'fish',
  'tcsh',
  'csh',
  'elvish',
  'xonsh',
  'osh',
  'ysh',
  'nu',
]);

/**
 * Programs that only read the files they name (and write nothing but their output):
 * their words are judged as reads. `find` only without its acting predicates.
 */
const READERS = new Set([
  'cat',
  'tac',
  'less',
  'more',
  'head',
  'tail',
  'ls',
  'stat',
  'file',
  'wc',
  'diff',
  'cmp',
  'tree',
  'du',
  'df',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'cksum',
  'realpath',
  'readlink',
  'basename',
  'dirname',
  'test',
  '[',
  'echo',
  'printf',
  'true',
  'false',
  'pwd',
  'which',
  'type',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'ack',
  'jq',
  'nl',
  'od',
  'xxd',
  'hexdump',
  'strings',
  'sort',
  'uniq',
  'cut',
  'column',
  'fold',
  'comm',
  'join',
  'paste',
  'tr',
  'sleep',
  'date',
  'whoami',
  'id',
  'uname',
  'hostname',
  'find',
  'fd',
  'bat',
  'cleanroom',
  // `command -v NAME` (unwrap leaves `command` only where it runs nothing).
  'command',
]);
/** cleanroom's own subcommands that only read (`init`, `hook`, `agent-hook`, … write). */
const CLEANROOM_READS = new Set([
  'explain',
  'check',
  'audit',
  'doctor',
  'policy',
  'log',
  'help',
  '',
]);
const FIND_ACTIONS = /^-(delete|exec|execdir|ok|okdir|fprint|fprint0|fprintf|fls)$/;
/** Programs that change names, modes or existence but put no content anywhere (deletion is the cure). */
// tee, cp, mv, install, ln, rsync write where this module says; sh -c / eval are read inside.
const NO_CONTENT = new Set([
  'rm',
  'rmdir',
  'unlink',
  'mkdir',
  'touch',
  'chmod',
  'chown',
  'chgrp',
  'cd',
  'pushd',
  'popd',
  'set',
  'shopt',
  'export',
  'unset',
  'declare',
  'typeset',
  'local',
  'readonly',
  'alias',
  'wait',
  'kill',
  'exit',
  'return',
  'trap',
  'tee',
  'cp',
  'mv',
  'install',
  'ln',
  'rsync',
  'apply_patch',
  'sh',
  'bash',
  'zsh',
  'dash',
  'eval',
]);

/** Builtins whose `NAME=value` words set variables the rest of the command line (and its programs) sees. */
const EXPORTERS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
/** Of NO_CONTENT, the programs that put content where their words say (and shells, which run them). */
const WRITES_WHERE_NAMED = new Set([
  'tee',
  'cp',
  'mv',
  'install',
  'ln',
  'rsync',
  'apply_patch',
  'eval',
  ...SHELLS,
]);

/** git subcommands that only read. */
const GIT_READS = new Set([
  'status',
  'log',
  'show',
  'diff',
  'ls-files',
  'ls-tree',
  'cat-file',
  'rev-parse',
  'rev-list',
  'grep',
  'blame',
  'describe',
  'shortlog',
  'whatchanged',
  'reflog',
  'show-ref',
  'for-each-ref',
  'name-rev',
  'merge-base',
  'var',
  'help',
  'version',
  'check-ignore',
  'check-attr',
  'diff-tree',
  'diff-index',
  'diff-files',
  'archive',
  'count-objects',
  'fsck',
  'verify-commit',
  'verify-tag',
  'interpret-trailers',
]);
/** git subcommands that take content only from git's own history or the index, never from the agent. */
const GIT_NO_NEW_CONTENT = new Set([
  'add',
  'rm',
  'commit',
  'push',
  'fetch',
  'pull',
  'checkout',
  'switch',
  'restore',
  'reset',
  'stash',
  'branch',
  'tag',
  'merge',
  'rebase',
  'cherry-pick',
  'revert',
  'init',
  'clone',
  'remote',
  'config',
  'worktree',
  'submodule',
  'notes',
  'clean',
  'gc',
  'prune',
  'mv',
]);

/** A word we cannot resolve to a path without running the shell. */
const dynamic = (raw: string): boolean => /[$`]/.test(raw) || raw.startsWith('~');

/** One simple command: its assignments, its words (wrappers removed), its redirections. */
export interface Segment {
  /** `NAME=value` words before the command, and those given to `env`. */
  assigns: string[];
  /** Options given to `env` (`-i`, `-u NAME`, …), kept for the bypass checks. */
  envOptions: string[];
  /** The command name (basename) and its arguments, as words. */
  cmd: string | undefined;
  args: { word: string; raw: string }[];
  redirects: { op: string; word: string; raw: string }[];
  /** Bodies of the heredocs given to it (its standard input). */
  heredocs: string[];
  /** The command word as written (`$CMD` runs a command nobody can name beforehand). */
  cmdRaw?: string;
  /**
   * The command name may not be the program it names: a path outside the system's
   * directories (`./cat`, `tools/git`), a name a function, alias, `hash -p` or `enable`
   * of the same command line redefines, or any program after the line changes `PATH`,
   * `BASH_ENV` or `ENV` or sources a file. Judged as the named program and as a program
   * cleanroom cannot read, both (see `markShadowed`).
   */
  untrusted?: boolean;
  /** Run through `xargs`: more arguments come from its input. */
  xargs?: boolean;
  /** The segment's words before unwrapping (for messages). */
  text: string;
  /**
   * Not a command of its own: it stands for a program the segment before it reads from
   * its standard input (`… | /bin/bash -o posix`, `sed e`, `script`): see stdinProgram.
   */
  stdinProgram?: boolean;
  /**
   * Not a command of its own: the git command before it runs git's hooks with a PATH
   * (or another variable that picks the programs they run) the command line changed:
   * see markHookEnv.
   */
  hookEnv?: string;
  /**
   * The program files the command runs as its program (`bash x.sh`, `awk -f p.awk`,
   * `make -f mk`, `gdb -x cmds`), each as written (`raw`), with its family (see programOf):
   * bypass.ts refuses one that does not exist yet, one the same line writes, or one named
   * by a word only the shell expands, and reads a shell's one level. `opaque`: the program
   * runs commands its files build in ways cleanroom does not read (m4's syscmd).
   */
  program?: { family: string; scripts: { word: string; raw: string }[]; opaque?: boolean };
}

/** Splits a command line into simple commands; `sh -c STR`, `eval STR`, `$(…)`, backquotes and a heredoc fed to a shell are read inside too (depth ≤ 3). */
export function segments(command: string, depth = 0): Segment[] {
  const out: Segment[] = [];
  let words: { word: string; raw: string }[] = [];
  let redirects: Segment['redirects'] = [];
  let heres: Here[] = [];
  let inner: Segment[] = [];
  let pending: string | undefined;
  const flush = (): void => {
    if (words.length || redirects.length) {
      const segs = unwrap(words, redirects, depth);
      segs[0]!.heredocs = heres.map((h) => h.body);
      // `GIT_PAGER='cat evals/x' git log`, `git -c core.pager=… log`, `git config
      // diff.x.textconv …`: a command line git or a program runs later, read now.
      for (const run of commandValues(segs[0]!))
        segs.push(...(depth < 3 ? segments(run, depth + 1) : [unreadable(run)]));
      // `bash <<EOF … EOF`: the body is a command line of its own.
      // `/bin/bash -o posix <<EOF`, `sed e <<EOF`: whatever runs its input as a shell.
      if (segs.some((s) => s.stdinProgram && SHELLS.has(s.cmd ?? '')))
        for (const body of [
          ...heres.map((h) => h.body),
          ...redirects.filter((d) => d.op === '<<<').map((d) => d.word),
        ])
          segs.push(...(depth < 3 ? segments(body, depth + 1) : [unreadable(body)]));
      out.push(...segs, ...inner);
    }
    words = [];
    redirects = [];
    heres = [];
    inner = [];
  };
  for (const t of tokenize(command)) {
    if ('op' in t) {
      if (SEPARATORS.has(t.op)) {
        flush();
        pending = undefined;
      } else if (t.here) {
        heres.push(t.here);
        // `cat <<EOF` then `$(cat evals/x)` in the body: bash runs it while it reads the
        // body, whatever the command does with its input.
        if (t.here.expands)
          for (const sub of substitutions(t.here.body, true))
            inner.push(...(depth < 3 ? segments(sub, depth + 1) : [unreadable(sub)]));
        pending = undefined;
      } else pending = t.op;
      continue;
    }
    // `$(cat evals/x)` inside a word (quoted or not) runs a command line of its own.
    for (const sub of substitutions(t.raw))
      inner.push(...(depth < 3 ? segments(sub, depth + 1) : [unreadable(sub)]));
    if (pending) {
      redirects.push({ op: pending, word: t.word, raw: t.raw });
      pending = undefined;
      continue;
    }
    words.push(t);
  }
  flush();
  if (depth === 0) {
    markShadowed(command, out);
    markHookEnv(out);
  }
  return out;
}

/** git commands that run the commit or push hooks (an alias may be any of them). */
const GIT_HOOKED = new Set([
  'commit',
  'merge',
  'am',
  'rebase',
  'cherry-pick',
  'revert',
  'push',
  'pull',
  'stash',
]);

/** The hook variable a segment sets for itself or for the rest of the line (`PATH=… git`, `export PATH=…`, `read PATH`, `source x`), or undefined. */
function setsHookEnv(seg: Segment): string | undefined {
  const named = (w: string): string | undefined => {
    const name = w.replace(/^-[a-zA-Z]*\s*/, '').split(/\+?=/)[0]!;
    return HOOK_ENV.test(name) ? name : undefined;
  };
  for (const a of seg.assigns) if (named(a)) return named(a);
  for (let k = 0; k < seg.envOptions.length; k++) {
    const o = seg.envOptions[k]!;
    // `env -u PATH git commit`: bash then looks for programs in the current directory.
    const v = /^(-u|--unset)$/.test(o)
      ? seg.envOptions[k + 1]
      : /^-u./.test(o)
        ? o.slice(2)
        : o.startsWith('--unset=')
          ? o.slice(8)
          : undefined;
    if (v !== undefined && HOOK_ENV.test(v)) return v;
  }
  if (seg.cmd === undefined) return undefined;
  if (seg.cmd === 'source' || seg.cmd === '.') return 'PATH';
  if (ASSIGNERS.has(seg.cmd) || seg.cmd === 'for' || seg.cmd === 'select') {
    const words = seg.args.map((a) => a.word);
    for (const w of words) {
      const hit = w.split(/[=\s]/).find((x) => HOOK_ENV.test(x));
      if (hit) return hit;
    }
    // `export -f node`: bash hands the function to the bash that runs a hook.
    if (EXPORTERS.has(seg.cmd) && words.some((w) => /^-[a-zA-Z]*f/.test(w))) return 'BASH_FUNC';
    // `export ${v}TH=…`: a name only the shell computes may be PATH.
    if (seg.args.some((a) => /^[^=]*[$`]/.test(a.raw))) return 'PATH';
  }
  return undefined;
}

/**
 * `PATH=/tmp/t:$PATH git commit …`, `export PATH=…; git commit`, `env PATH=… git push`:
 * git's hooks inherit the variable, and a `node` (or `grep`, `sh`) the agent wrote in
 * that directory answers for cleanroom's hook. A segment that sets such a variable for
 * itself, or for what follows it (a bare or exported assignment, `read PATH`, sourcing a
 * file, a shell or wrapper it runs), before a git command that runs hooks adds a segment
 * that stands for "git runs other programs" (`hookEnv`, the variable): bypass.ts refuses it
 * as it refuses `--exec-path`. `PATH=… npm test` alone stays allowed.
 */
function markHookEnv(segs: Segment[]): void {
  let inherited: string | undefined;
  const prefixed = new Map<Segment, string>();
  const added: Segment[] = [];
  for (const seg of segs) {
    if (seg.stdinProgram || seg.hookEnv) continue;
    let own = setsHookEnv(seg);
    for (let o = OUTER.get(seg); o && own === undefined; o = OUTER.get(o)) own = prefixed.get(o);
    const sub = seg.cmd === 'git' ? gitSub(seg.args.map((a) => a.word))?.sub : undefined;
    const hooked = sub !== undefined && (GIT_HOOKED.has(sub) || !GIT_KNOWN.has(sub));
    const name = own ?? inherited;
    if (hooked && name !== undefined)
      added.push({
        assigns: [],
        envOptions: [],
        cmd: 'git',
        args: [
          { word: `--exec-path=${name}`, raw: `--exec-path=${name}` },
          { word: sub!, raw: sub! },
        ],
        redirects: [],
        heredocs: [],
        text: `(${name} changed) ${seg.text}`,
        hookEnv: name,
      });
    // A prefix assignment holds for its own command and what that command runs (`PATH=…
    // bash -c 'git commit'`); a bare or exported one, `read PATH`, `source`, for the rest
    // of the line.
    if (own === undefined) continue;
    const lineWide =
      seg.cmd === undefined ||
      ASSIGNERS.has(seg.cmd) ||
      ['source', '.', 'for', 'select'].includes(seg.cmd);
    if (lineWide) inherited ??= own;
    else prefixed.set(seg, own);
  }
  segs.push(...added);
}

/** bash's builtins: `PATH` does not change what these names run (a function still can). */
const BUILTINS = new Set(
  (
    ': . [ alias bg bind break builtin caller cd command compgen complete compopt continue ' +
    'declare dirs disown echo enable eval exec exit export false fc fg getopts hash help ' +
    'history jobs kill let local logout mapfile popd printf pushd pwd read readarray ' +
    'readonly return set shift shopt source suspend test times trap true type typeset ' +
    'ulimit umask unalias unset wait chdir'
  ).split(' '),
);
/**
 * Variables that change which program a name runs (`PATH`), run a file first (`BASH_ENV`,
 * `ENV`) or load code into every program the dynamic loader starts (`LD_PRELOAD=./t/x.so
 * cat …`, `LD_LIBRARY_PATH`, `LD_AUDIT`, macOS's `DYLD_*`, glibc's `GCONV_PATH`).
 */
const RESOLVER_NAMES = '(?:PATH|BASH_ENV|ENV|LD_[A-Z_]+|DYLD_[A-Z_]+|GCONV_PATH)';
const RESOLVES = new RegExp(`^${RESOLVER_NAMES}\\+?=`);
/**
 * Variables that choose the programs git's hooks run: cleanroom's hooks are `sh` scripts
 * that start `node` (and `grep`, `git`, …) from PATH; the dynamic loader and node take
 * code from the others.
 */
const HOOK_ENV = new RegExp(`^(?:${RESOLVER_NAMES}|NODE_OPTIONS|NODE_PATH|SHELL)$`);
/**
 * Such a name written anywhere but right after `$`/`${` (where it is only read): bash sets
 * a variable through many more words than `NAME=`: `printf -v PATH`, `read PATH`,
 * `for PATH in ./t`, `getopts t PATH`, `mapfile PATH`, `declare -n r=PATH; r=./t`,
 * `${PATH:=…}`, `unset PATH` (bash then looks in the current directory). Any mention
 * counts: a false one only makes later programs judged as unreadable.
 */
const RESOLVER_WORD = new RegExp(
  `(?:^|[^$\\w{])${RESOLVER_NAMES}(?!\\w)|\\$\\{${RESOLVER_NAMES}:?=`,
);
/** Builtins that assign a variable a word names: a computed name (`export ${v}TH=./t`) may be PATH. */
const ASSIGNERS = new Set([
  'export',
  'declare',
  'typeset',
  'local',
  'readonly',
  'read',
  'mapfile',
  'readarray',
  'getopts',
  'printf',
  'let',
  'unset',
]);
/** The segment whose program runs a nested one (`bash -c 'git commit'`: the bash segment). */
const OUTER = new WeakMap<Segment, Segment>();
/** Records `outer` as the program that runs each of `inner` (see OUTER). */
function within(outer: Segment, inner: Segment[]): Segment[] {
  for (const s of inner) if (!OUTER.has(s)) OUTER.set(s, outer);
  return inner;
}

/** A function definition, `NAME ()` or `function NAME`, anywhere in the text (nested strings too). */
const FUNCTION_DEF =
  /(?:^|[\s;&|(){}`])(?:function\s+([^\s(){};&|<>]+)|([^\s(){};&|<>'"$`=]+)\s*\(\s*\))/g;

/**
 * Marks the segments whose command name may run something else than the program it
 * names (`Segment.untrusted`): an agent that writes `./t/cat` and runs
 * `PATH=./t:$PATH cat evals/x`, `./t/cat evals/x`, `cat() { tee "$@"; }; cat evals/x`,
 * `alias`, `hash -p FILE cat` or `source env.sh` first would otherwise have its program
 * judged as the reader `cat`. Order-insensitive over the whole command line (a definition
 * after its use only over-approximates). bash(1): "COMMAND EXECUTION", "FUNCTIONS",
 * "ALIASES", `hash -p`, `enable -f`.
 */
function markShadowed(command: string, segs: Segment[]): void {
  const shadowed = new Set<string>();
  let resolves = RESOLVER_WORD.test(command);
  for (const m of command.matchAll(FUNCTION_DEF)) shadowed.add((m[1] ?? m[2])!);
  for (const seg of segs) {
    const words = seg.args.map((a) => a.word);
    const sets = seg.cmd !== undefined && EXPORTERS.has(seg.cmd) ? words : [];
    if ([...seg.assigns, ...sets].some((a) => RESOLVES.test(a))) resolves = true;
    // The words after quote removal too: `printf -v "PA"TH ./t`, `read P\ATH`.
    if (words.some((w) => RESOLVER_WORD.test(w))) resolves = true;
    if (seg.cmd !== undefined && ASSIGNERS.has(seg.cmd)) {
      // Only the name may be computed (`export X="$Y"` sets X): the word before `=`, or
      // for printf the word after -v.
      const v = seg.args.findIndex((a) => a.word === '-v');
      const names =
        seg.cmd === 'printf'
          ? seg.args.filter((a, k) => k === v + 1 && v >= 0).map((a) => a.raw)
          : seg.args.map((a) => a.raw.split('=')[0]!);
      if (names.some(dynamic) || (seg.cmd === 'printf' && words.some((w) => /^-v./.test(w))))
        resolves = true;
    }
    if (seg.cmd === 'source' || seg.cmd === '.') resolves = true;
    if (seg.cmd === 'alias')
      for (const w of words) if (w.includes('=')) shadowed.add(w.slice(0, w.indexOf('=')));
    if (seg.cmd === 'hash' || seg.cmd === 'enable')
      for (const w of words) if (!w.startsWith('-')) shadowed.add(w.split('/').pop()!);
  }
  for (const seg of segs) {
    if (seg.cmd === undefined) continue;
    if (shadowed.has(seg.cmd) || (resolves && !BUILTINS.has(seg.cmd))) seg.untrusted = true;
  }
}

/** A program named by a path in one of the system's own directories (`/usr/bin/cat`), not one a user can drop in the repository. */
const SYSTEM_PROGRAM = /^\/(?:usr\/(?:local\/)?)?s?bin\/[^/]+$/;

/** Environment variables whose value is a command line some program runs. */
const RUNS_ENV =
  /^(GIT_PAGER|PAGER|MANPAGER|GIT_EDITOR|EDITOR|VISUAL|GIT_SEQUENCE_EDITOR|GIT_EXTERNAL_DIFF|GIT_SSH|GIT_SSH_COMMAND|GIT_ASKPASS|SSH_ASKPASS|GIT_PROXY_COMMAND|LESSOPEN|LESSCLOSE|BROWSER|PROMPT_COMMAND|BASH_ENV|ENV)$/;
/** git config keys whose value is a command line git runs. */
const RUNS_KEY =
  /(^core\.(pager|editor|sshcommand|askpass|fsmonitor|hookspath|gitproxy)$|^pager\.|^diff\.external$|\.(textconv|command|cmd|helper|program|tool|path|clean|smudge|process|packobjectshook)$|^sequence\.editor$|^credential\.|^gpg\.)/i;

/** The command lines a segment hands to git or a program to run later (see RUNS_ENV, RUNS_KEY). */
function commandValues(seg: Segment): string[] {
  const out: string[] = [];
  const assigns = [
    ...seg.assigns,
    ...(seg.cmd === 'export' || seg.cmd === 'declare' || seg.cmd === 'typeset' || seg.cmd === 'env'
      ? seg.args.map((a) => a.word)
      : []),
  ];
  for (const a of assigns) {
    const m = /^([A-Za-z_]\w*)=([\s\S]*)$/.exec(a);
    if (m && RUNS_ENV.test(m[1]!)) out.push(m[2]!);
  }
  // `trap 'tee evals/x < a' EXIT` (or DEBUG, ERR, a signal): bash runs the string later.
  // `alias ll='tee evals/x'`: the name runs the value (the name itself is marked untrusted).
  if (seg.cmd === 'trap') {
    const words = seg.args.map((a) => a.word);
    const first = words.findIndex((w) => !/^-[lp]*$/.test(w) || w === '-');
    const action = words[first] === '--' ? words[first + 1] : words[first];
    if (action !== undefined && action !== '-') out.push(action);
  }
  if (seg.cmd === 'alias')
    for (const a of seg.args)
      if (/^[^=\s]+=/.test(a.word)) out.push(a.word.slice(a.word.indexOf('=') + 1));
  if (seg.cmd === 'git') {
    const words = seg.args.map((a) => a.word);
    const g = gitSub(words);
    for (const c of g?.config ?? []) {
      const m = /^([^=]+)=([\s\S]*)$/.exec(c);
      if (m && RUNS_KEY.test(m[1]!)) out.push(m[2]!);
    }
    if (g?.sub === 'config') {
      const kv = g.args.filter((a) => !a.startsWith('-'));
      if (kv.length >= 2 && RUNS_KEY.test(kv[0]!)) out.push(kv.slice(1).join(' '));
    }
  }
  return out;
}

/** A command line nested too deep to read: one segment whose only word is unknown. */
const unreadable = (text: string): Segment => ({
  assigns: [],
  envOptions: [],
  cmd: 'eval',
  args: [{ word: text, raw: '$(…)' }],
  redirects: [],
  heredocs: [],
  text,
});

/**
 * The command lines inside `$(…)` and backquotes of a raw word (single-quoted text is
 * literal and skipped), or of an expanded heredoc body (`body`: no quoting there).
 * `$((…))` arithmetic is read too: it holds no command, so its words only add paths that
 * are judged as reads.
 */
export function substitutions(raw: string, body = false): string[] {
  const out: string[] = [];
  let quote = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    // A heredoc body (`body`) has no quotes: `'$(…)'` there runs as well.
    if (c === "'" && !quote && !body) {
      const end = raw.indexOf("'", i + 1);
      i = end < 0 ? raw.length : end;
      continue;
    }
    if (c === '"' && !body) quote = !quote;
    if (c === '$' && raw[i + 1] === '(') {
      const close = closeParen(raw, i + 1);
      const j = close < 0 ? raw.length : close;
      out.push(raw.slice(i + 2, j));
      i = j;
    } else if (c === '`') {
      const end = raw.indexOf('`', i + 1);
      out.push(raw.slice(i + 1, end < 0 ? raw.length : end));
      i = end < 0 ? raw.length : end;
    }
  }
  return out;
}

function unwrap(
  all: { word: string; raw: string }[],
  redirects: Segment['redirects'],
  depth: number,
): Segment[] {
  const seg: Segment = {
    assigns: [],
    envOptions: [],
    cmd: undefined,
    args: [],
    redirects,
    heredocs: [],
    text: all.map((w) => w.word).join(' '),
  };
  let i = 0;
  let wrapper: string | undefined;
  // The wrapper's operand is still to come (`chrt 10 CMD`, `flock FILE CMD`).
  let operandDue = false;
  // `command -v NAME`, `command -V NAME`: prints what NAME is, runs nothing.
  let noRun = false;
  // `sudo -s`, `sudo -i`, `doas -s` without a command: a shell reading its input.
  let shellOption = false;
  const split: string[] = [];
  // Command lines a wrapper hands to `sh -c` (`flock FILE -c CMD`).
  const lines: string[] = [];
  // Wrappers named by a path the agent may have written (`./t/nohup cat …`).
  const wrapperPaths: { word: string; raw: string }[] = [];
  while (i < all.length) {
    const { word, raw } = all[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word)) {
      seg.assigns.push(word);
      i++;
      continue;
    }
    // `function NAME { BODY; }`: the body is the command (markShadowed records NAME).
    if (word === 'function' && i + 1 < all.length) {
      i += 2;
      continue;
    }
    // `/usr/bin/env bash`, `/usr/bin/nohup cat …`: a wrapper by its path is the wrapper.
    const base = word.includes('/') && !dynamic(raw) ? word.split('/').pop()! : word;
    if (WRAPPERS.has(base) && (base === word || /^[\w.-]+$/.test(base))) {
      wrapper = base;
      operandDue = WRAPPER_OPERAND.has(base);
      if (base !== word && !SYSTEM_PROGRAM.test(word)) wrapperPaths.push(all[i]!);
      if (base === 'xargs') seg.xargs = true;
      i++;
      continue;
    }
    if (wrapper && word.startsWith('-') && word.length > 1) {
      if (wrapper === 'env') seg.envOptions.push(word);
      if (wrapper === 'command' && /^-[a-zA-Z]*[vV]/.test(word)) noRun = true;
      if (
        (wrapper === 'sudo' || wrapper === 'doas') &&
        /^-[a-zA-Z]*[si]|^--(shell|login)$/.test(word)
      )
        shellOption = true;
      const opt = wrapperOption(wrapper, word);
      i++;
      let value = opt.glued;
      let raw = opt.glued;
      if (opt.takesNext && i < all.length) {
        value = all[i]!.word;
        raw = all[i]!.raw;
        if (wrapper === 'env') seg.envOptions.push(value);
        i++;
      }
      // `xargs -a FILE` (`--arg-file`) reads FILE as `xargs < FILE` would.
      if (
        wrapper === 'xargs' &&
        (opt.key === '-a' || opt.key === '--arg-file') &&
        value !== undefined
      )
        seg.redirects = [...seg.redirects, { op: '<', word: value, raw: raw ?? value }];
      // `env -S 'tee evals/x'`: the value is a command line env splits and runs (its
      // own escapes and `${VAR}` aside, which only the program can expand).
      if (wrapper === 'env' && /^(-S|--split-string)$/.test(opt.key)) split.push(value ?? '');
      if (wrapper === 'flock' && /^(-c|--command)$/.test(opt.key)) lines.push(value ?? '');
      continue;
    }
    if (operandDue) {
      operandDue = false;
      i++;
      continue;
    }
    break;
  }
  if (split.length) {
    // `env -S STR ARGS…` runs STR's words followed by ARGS: read as one command line.
    // `env -S '-u CLAUDECODE git commit'`: the string holds env's own options too.
    const line = ['env', ...split, ...all.slice(i).map((w) => w.raw)].join(' ');
    const readable = depth < 3 && !split.some((v) => /[\\$`]/.test(v));
    return [seg, ...within(seg, readable ? segments(line, depth + 1) : [unreadable(line)])];
  }
  const nested = within(
    seg,
    lines.flatMap((l) => (depth < 3 ? segments(l, depth + 1) : [unreadable(l)])),
  );
  if (wrapperPaths.length) {
    seg.untrusted = true;
    seg.args.push(...wrapperPaths);
  }
  if (i >= all.length) {
    if (shellOption) return [seg, stdinProgram(seg, 'sh'), ...nested];
    return [seg, ...nested];
  }
  if (noRun) {
    seg.cmd = 'command';
    seg.args.push(...all.slice(i));
    return [seg];
  }
  seg.cmd = all[i]!.word.split('/').pop() ?? all[i]!.word;
  seg.cmdRaw = all[i]!.raw;
  // `./cat evals/x`: a program the agent may have written, named like a reader.
  if (all[i]!.word.includes('/') && !SYSTEM_PROGRAM.test(all[i]!.word)) seg.untrusted = true;
  const own = all.slice(i + 1);
  seg.args = [...seg.args, ...own];
  if (!dynamic(all[i]!.raw) && all[i]!.word.includes('/'))
    seg.args.unshift({ word: all[i]!.word, raw: all[i]!.raw });
  // `bash -c 'CMD'`, `eval 'CMD'`, `sed e`, `script`, `parallel`: the command lines the
  // program runs are read as command lines of their own; a program read from its input
  // (a shell without a script, `sed e`) is marked by a segment of its own (stdinProgram).
  const out: Segment[] = [seg];
  const run =
    seg.cmd === 'eval'
      ? { lines: [seg.args.map((a) => a.word).join(' ')], stdin: undefined, fromInput: false }
      : programOf(
          seg.cmd,
          own.map((a) => a.word),
        );
  if (run?.stdin) out.push(stdinProgram(seg, run.stdin));
  if (run?.scripts?.length || run?.opaque)
    seg.program = {
      family: programFamily(seg.cmd) ?? seg.cmd,
      scripts: (run.scripts ?? []).map((w) => own.find((a) => a.word === w) ?? { word: w, raw: w }),
      opaque: run.opaque,
    };
  for (const line of run?.lines ?? []) {
    const inner = within(seg, depth < 3 ? segments(line, depth + 1) : [unreadable(line)]);
    if (run!.fromInput) for (const s of inner) s.xargs = true;
    out.push(...inner);
  }
  return [...out, ...nested];
}

/**
 * The shell a program name stands for (`rbash`, `bash5.2`, `mksh` → `bash`, `bash`,
 * `ksh`), or an interpreter's canonical name (`python3.12` → `python3`, `nodejs` →
 * `node`): the names bypass.ts knows. undefined for any other program.
 */
export function programFamily(name: string): string | undefined {
  if (SHELLS.has(name)) return name;
  const rules: [RegExp, string][] = [
    [/^r?bash[\d.-]*$/, 'bash'],
    [/^r?zsh[\d.-]*$/, 'zsh'],
    [/^(?:r?ksh|ksh93|mksh|lksh|pdksh|oksh)[\d.-]*$/, 'ksh'],
    [/^(?:dash|ash|hush|msh|yash|posh|fish|tcsh|csh|elvish|xonsh|osh|ysh|nu)[\d.-]*$/, 'sh'],
    [/^(?:python3|pypy3)[\d.]*$/, 'python3'],
    [/^(?:python2?|pypy)[\d.]*$/, 'python'],
    [/^(?:nodejs|node)[\d.]*$/, 'node'],
    [/^perl[\d.]*$/, 'perl'],
    [/^ruby[\d.]*$/, 'ruby'],
    // Programs that take a program of their own (a file, `-`, /dev/stdin, or their input):
    // how each takes it is its row in INTERPRETERS.
    [/^(?:awk|gawk|mawk|nawk|original-awk|bwk-awk|goawk)$/, 'awk'],
    [/^r?ed$/, 'ed'],
    [/^n?ex$/, 'ex'],
    [/^(?:vim?|nvim|view|gvim|rvim|rview|vimdiff|nvi)$/, 'vim'],
    [/^(?:g|b|p)?make$|^remake$/, 'make'],
    [/^(?:tclsh|wish|jimsh)[\d.]*$/, 'tclsh'],
    [/^expect$/, 'expect'],
    [/^(?:gdb|gdb-multiarch|cgdb)$/, 'gdb'],
    [/^lldb[\d.-]*$/, 'lldb'],
    [/^(?:pwsh|powershell)(?:\.exe)?[\d.-]*$/, 'pwsh'],
    [/^php[\d.]*(?:-cli)?$/, 'php'],
    [/^(?:lua|luajit)[\d.]*$/, 'lua'],
    [/^R$/, 'R'],
    [/^Rscript$/, 'Rscript'],
    [/^osascript$/, 'osascript'],
    [/^bun$/, 'bun'],
    [/^deno$/, 'deno'],
    [/^g?m4$/, 'm4'],
    [
      /^(?:julia|raku|perl6|rakudo|elixir|guile|racket|gnuplot|octave|dc|irb|jshell|ghci|sbcl|clisp|scala|groovy|kotlin|swift|erl|escript|iex|qjs|jjs|tcc)$/,
      'other',
    ],
  ];
  for (const [re, family] of rules)
    if (re.test(name)) return family === 'sh' ? name.replace(/[\d.-]+$/, '') : family;
  return undefined;
}
const isShell = (name: string): boolean => SHELLS.has(programFamily(name) ?? '');

/**
 * The segment that stands for "`name` runs a program read from its input" (a shell
 * without a script or with `-s`, `python3 -`, `sed e`, `script`, `parallel` without a
 * command): a shell or interpreter given no words, which bypass.ts refuses ("would run a
 * program read from its input, which cleanroom cannot read") and which reads nothing.
 */
function stdinProgram(seg: Segment, name: string): Segment {
  return {
    assigns: [],
    envOptions: [],
    cmd: name,
    args: [],
    redirects: [],
    heredocs: [],
    text: seg.text,
    stdinProgram: true,
  };
}

/** A file name that is a process's standard input (or another inherited descriptor). */
const STDIN_FILE = /^(\/dev\/(stdin|fd\/\d+)|\/proc\/[^/]+\/fd\/\d+|\/dev\/tty|-)$/;

interface ProgramSpec {
  valued: string;
  text: string;
  none: string;
  longValued: string[];
  longNone: string[];
  /** Letters and long options whose value is a program file (`awk -f F`, `make -f F`). */
  file?: string;
  longFile?: string[];
  /** Long options whose value is a program text (`gdb -ex CMD`, `make --eval`). */
  longText?: string[];
  /** Options whose value is a program cleanroom cannot read (`pwsh -EncodedCommand`). */
  longOpaque?: string[];
  /** Letters that make it read its program from its input (`vim -e`, `lua -i`). */
  stdinFlag?: string;
  /** Options after which it reads no more program (`gdb -batch`). */
  batch?: string;
  longBatch?: string[];
  /** What its first operand is: its program file (the default), a program text (awk), data. */
  operand?: 'script' | 'text' | 'data';
  /** Without a program on its command line: reads one from its input (default) or none. */
  bare?: 'stdin' | 'none';
  /** Reads its commands from its input whatever else it is given (ed, ex). */
  always?: boolean;
  /** Reads its input after its program files too, unless a batch option (gdb, lldb). */
  afterFiles?: boolean;
  /** Options are words after one dash, of any case (pwsh, gdb, tclsh). */
  dashLong?: boolean;
  /** Operands that make it run no program of its own (`R CMD INSTALL`). */
  noneOperands?: string[];
  /** Subcommands (the first operand) and what follows them (`bun run F`, `deno eval C`). */
  subcommands?: Record<string, 'script' | 'text' | 'stdin'>;
  /** Every operand is a program file (m4's inputs). */
  all?: boolean;
  /** It runs commands its program builds: a program file is refused too (m4). */
  opaque?: boolean;
}

/**
 * How interpreters take their program (see programOf): option letters whose value is
 * the next word, letters whose value is a program text (`-c`, `-e`), letters that run no
 * program from a file (`-m MODULE`, `--version`), long options likewise.
 */
const INTERPRETERS: Record<string, ProgramSpec> = {
  sh: {
    valued: 'oO',
    text: 'c',
    none: '',
    longValued: ['rcfile', 'init-file', 'emulate'],
    longNone: ['version', 'help'],
  },
  fish: {
    valued: 'Cdofp',
    text: 'c',
    none: 'vh',
    longValued: ['init-command', 'debug', 'debug-output', 'features', 'profile', 'profile-startup'],
    longNone: ['version', 'help', 'command'],
  },
  python: {
    valued: 'WX',
    text: 'c',
    none: 'mVh',
    longValued: ['check-hash-based-pycs'],
    longNone: ['version', 'help', 'help-env', 'help-xoptions', 'help-all'],
  },
  node: {
    valued: 'rC',
    text: 'ep',
    none: 'vh',
    longValued: [
      'require',
      'import',
      'loader',
      'experimental-loader',
      'conditions',
      'input-type',
      'title',
    ],
    longNone: ['eval', 'print', 'version', 'help', 'test', 'run', 'v8-options', 'completion-bash'],
  },
  perl: { valued: 'I', text: 'eE', none: 'vh', longValued: [], longNone: ['version', 'help'] },
  ruby: { valued: 'IrCE', text: 'e', none: 'vh', longValued: [], longNone: ['version', 'help'] },
  // The rows below are read by otherProgram (the fields after longNone say how).
  awk: {
    valued: 'vFW',
    text: 'e',
    none: '',
    longValued: ['assign', 'field-separator'],
    longNone: ['version', 'help', 'usage'],
    file: 'fEil',
    longFile: ['file', 'exec', 'include', 'load'],
    longText: ['source'],
    operand: 'text',
    bare: 'none',
  },
  ed: {
    valued: 'p',
    text: '',
    none: 'Vh',
    longValued: ['prompt'],
    longNone: ['version', 'help'],
    operand: 'data',
    always: true,
  },
  ex: {
    valued: 'iTwWtqo',
    text: 'c',
    none: 'h',
    longValued: [],
    longNone: ['version', 'help'],
    file: 'SsuU',
    longText: ['cmd'],
    operand: 'data',
    always: true,
  },
  // vi/vim/nvim: an editor on a terminal unless -e/-E (ex mode reads its commands from input).
  vim: {
    valued: 'iTwWtqo',
    text: 'c',
    none: 'h',
    longValued: [],
    longNone: ['version', 'help'],
    file: 'SsuUl',
    longText: ['cmd'],
    stdinFlag: 'eE',
    operand: 'data',
    bare: 'none',
  },
  make: {
    valued: 'CIWo',
    text: '',
    none: 'vh',
    longValued: [
      'directory',
      'include-dir',
      'old-file',
      'assume-old',
      'what-if',
      'new-file',
      'assume-new',
    ],
    longNone: ['version', 'help'],
    file: 'f',
    longFile: ['file', 'makefile'],
    longText: ['eval'],
    operand: 'data',
    bare: 'none',
  },
  tclsh: {
    valued: '',
    text: '',
    none: '',
    longValued: ['encoding', 'display', 'geometry', 'name', 'use', 'visual', 'colormap'],
    longNone: ['version', 'help'],
    dashLong: true,
  },
  expect: {
    valued: 'D',
    text: 'c',
    none: 'vh',
    longValued: [],
    longNone: ['version', 'help'],
    file: 'fb',
    stdinFlag: 'i',
  },
  // gdb reads its commands from its input after its -x files, unless -batch.
  gdb: {
    valued: '',
    text: '',
    none: '',
    longValued: [
      'p',
      'pid',
      'cd',
      'd',
      'directory',
      's',
      'symbols',
      'e',
      'exec',
      'se',
      'c',
      'core',
      'tty',
      'data-directory',
      'D',
      'b',
      'l',
    ],
    longNone: ['version', 'help', 'configuration'],
    longFile: ['x', 'command', 'ix', 'init-command'],
    longText: ['ex', 'eval-command', 'iex', 'init-eval-command'],
    longBatch: ['batch'],
    operand: 'data',
    dashLong: true,
    afterFiles: true,
  },
  lldb: {
    valued: 'aAcfpPnwl',
    text: 'oOkK',
    none: 'vh',
    longValued: ['arch', 'core', 'file', 'attach-pid', 'attach-name', 'script-language'],
    longNone: ['version', 'help'],
    file: 'sS',
    longFile: ['source', 'source-before-file', 'source-on-crash'],
    longText: ['one-line', 'one-line-before-file', 'one-line-on-crash'],
    batch: 'b',
    longBatch: ['batch'],
    operand: 'data',
    afterFiles: true,
  },
  // pwsh's options are words after one dash, of any case; -EncodedCommand is base64.
  pwsh: {
    valued: '',
    text: '',
    none: '',
    longValued: [
      'executionpolicy',
      'ex',
      'ep',
      'workingdirectory',
      'wd',
      'inputformat',
      'inp',
      'if',
      'outputformat',
      'o',
      'of',
      'configurationname',
      'config',
      'settingsfile',
      'settings',
      'custompipename',
      'windowstyle',
      'w',
      'psconsolefile',
      'version',
      'v',
    ],
    longNone: ['help', 'h', '?'],
    longFile: ['file', 'f'],
    longText: ['command', 'c', 'commandwithargs', 'cwa'],
    longOpaque: ['encodedcommand', 'e', 'ec', 'enc', 'encodedarguments', 'ea'],
    dashLong: true,
  },
  php: {
    valued: 'cdzt',
    text: 'rBRE',
    none: 'vilmhsS',
    longValued: ['php-ini', 'define', 'zend-extension'],
    longNone: ['version', 'info', 'modules', 'help', 'syntax-check', 'ini'],
    file: 'fF',
    longFile: ['file', 'process-file'],
    longText: ['run', 'process-begin', 'process-code', 'process-end'],
    stdinFlag: 'a',
  },
  lua: {
    valued: 'lW',
    text: 'e',
    none: 'v',
    longValued: [],
    longNone: [],
    stdinFlag: 'i',
  },
  // R reads its program from its input unless -f/--file, -e, or `R CMD …`.
  R: {
    valued: 'dg',
    text: 'e',
    none: 'h',
    longValued: ['debugger', 'gui', 'encoding'],
    longNone: ['version', 'help', 'args'],
    file: 'f',
    longFile: ['file'],
    operand: 'data',
    noneOperands: ['CMD', 'RHOME'],
  },
  Rscript: {
    valued: '',
    text: 'e',
    none: '',
    longValued: [],
    longNone: ['version', 'help'],
    bare: 'none',
  },
  osascript: {
    valued: 'ls',
    text: 'e',
    none: '',
    longValued: [],
    longNone: [],
    stdinFlag: 'i',
  },
  // `bun run FILE`, `bun FILE`, `bun x`, `bun install`: a word after `run` is a file or a
  // package.json script; `deno run FILE`, `deno eval CODE`, `deno` (a REPL on its input).
  bun: {
    valued: 'rc',
    text: 'ep',
    none: 'vh',
    longValued: [
      'preload',
      'require',
      'import',
      'config',
      'cwd',
      'env-file',
      'tsconfig-override',
      'filter',
    ],
    longNone: ['version', 'help', 'revision'],
    longText: ['eval', 'print'],
    subcommands: { run: 'script', eval: 'text', repl: 'stdin' },
    bare: 'none',
  },
  deno: {
    valued: 'cL',
    text: '',
    none: 'Vh',
    longValued: [
      'config',
      'import-map',
      'lock',
      'cert',
      'location',
      'seed',
      'env-file',
      'log-level',
    ],
    longNone: ['version', 'help'],
    subcommands: { run: 'script', eval: 'text', repl: 'stdin' },
  },
  // m4 runs shell commands (syscmd, esyscmd) that macros may build from any text: every
  // input it reads (a file, its input) is refused, not only its input.
  m4: {
    valued: 'DUIlotFd',
    text: '',
    none: 'h',
    longValued: [
      'define',
      'undefine',
      'include',
      'nesting-limit',
      'error-output',
      'trace',
      'freeze-state',
      'debugfile',
    ],
    longNone: ['version', 'help'],
    file: 'R',
    longFile: ['reload-state'],
    opaque: true,
    all: true,
  },
  other: {
    valued: '',
    text: 'ecE',
    none: 'vVh',
    longValued: [],
    longNone: ['version', 'help'],
    longText: ['eval'],
  },
};

/** What programOf finds (see there). */
export interface ProgramRun {
  lines: string[];
  stdin: string | undefined;
  fromInput: boolean;
  /** Program files it runs, as given (`bash x.sh`: `x.sh`; `awk -f p.awk`: `p.awk`). */
  scripts?: string[];
  /** It runs commands its program files build, which cleanroom does not read (m4). */
  opaque?: boolean;
}

/** The families programOf reads with the shells' and interpreters' loop below. */
const OLD_FAMILIES = new Set(['python', 'python3', 'node', 'perl', 'ruby']);

/**
 * programOf for the programs whose INTERPRETERS row says how they take their program
 * (awk, ed, ex, vim, make, tclsh, gdb, pwsh, php, lua, R, bun, deno, m4, …): a program
 * file (an option's value or the operand) that is `-`, /dev/stdin, /dev/fd/N or
 * /proc/…/fd/N, a stdin option (`vim -e`), or no program at all where the program then
 * reads its input (`tclsh`, `php`, `ed`, `gdb` without -batch) is a program read from its
 * input; other program files are returned for bypass.ts to judge.
 */
function otherProgram(family: string, spec: ProgramSpec, words: string[]): ProgramRun {
  const files: string[] = [];
  const operands: string[] = [];
  let text = false;
  let none = false;
  let stdin = false;
  let batch = false;
  let opaque = spec.opaque ?? false;
  const long = (key: string, value: () => string | undefined): void => {
    const has = (list?: string[]) => list?.includes(key) ?? false;
    if (has(spec.longOpaque)) {
      opaque = text = true;
      value();
    } else if (has(spec.longFile)) files.push(value() ?? '');
    else if (has(spec.longText)) {
      text = true;
      if (value() === '-') stdin = true;
    } else if (has(spec.longBatch)) batch = true;
    else if (has(spec.longNone)) none = true;
    else if (has(spec.longValued)) value();
  };
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w === '--') {
      operands.push(...words.slice(k + 1));
      break;
    }
    if (operands.length && spec.operand !== 'data' && !spec.all && !spec.subcommands) {
      // `lua x.lua -e …`: words after the program file are its own.
      operands.push(...words.slice(k));
      break;
    }
    const dashed = spec.dashLong ? /^--?[A-Za-z?]/.test(w) : /^--[^-]/.test(w);
    if (dashed) {
      const body = w.replace(/^--?/, '');
      const eq = body.search(/[=:]/);
      const key = spec.dashLong
        ? body.slice(0, eq < 0 ? undefined : eq).toLowerCase()
        : body.slice(0, eq < 0 ? undefined : eq);
      long(key, () => (eq >= 0 ? body.slice(eq + 1) : words[++k]));
      continue;
    }
    if (/^-[A-Za-z0-9]/.test(w)) {
      for (let j = 1; j < w.length; j++) {
        const c = w[j]!;
        const rest = (): string | undefined => (j < w.length - 1 ? w.slice(j + 1) : words[++k]);
        if (spec.file?.includes(c)) {
          files.push(rest() ?? '');
          break;
        }
        if (spec.text.includes(c)) {
          text = true;
          rest();
          break;
        }
        if (spec.batch?.includes(c)) batch = true;
        if (spec.stdinFlag?.includes(c)) stdin = true;
        if (spec.none.includes(c)) none = true;
        if (spec.valued.includes(c)) {
          rest();
          break;
        }
      }
      continue;
    }
    if (w.startsWith('+') && family === 'vim') {
      text = true;
      continue;
    }
    operands.push(w);
  }
  // vim's `-u NONE`: no file.
  const named = files.filter((f) => !/^(NONE|NORC|DEFAULTS|NOPLUGIN)$/.test(f));
  let scripts = named.filter((f) => !STDIN_FILE.test(f));
  if (named.some((f) => STDIN_FILE.test(f))) stdin = true;
  let program = named.length > 0 || text;
  let ops = operands;
  const sub = spec.subcommands && ops.length ? spec.subcommands[ops[0]!] : undefined;
  if (spec.subcommands && ops.length) {
    if (sub === 'text') text = program = true;
    else if (sub === 'stdin') stdin = true;
    else if (sub === 'script') ops = ops.slice(1);
    // `bun install`, `deno fmt`: a subcommand of its own (a file only by a path's spelling).
    else if (!STDIN_FILE.test(ops[0]!) && !/[/.]/.test(ops[0]!)) none = program = true;
  }
  if (spec.noneOperands?.includes(ops[0] ?? '')) none = true;
  const kind = spec.operand ?? 'script';
  if (kind === 'text' && !named.length && ops.length) program = true;
  else if (kind === 'script' && ops.length && !text && !(sub === undefined && none)) {
    const opFiles = spec.all ? ops : [ops[0]!];
    for (const f of opFiles) {
      if (STDIN_FILE.test(f)) stdin = true;
      // `bun run build`: a package.json script, not a file.
      else if (!(sub === 'script' && family === 'bun' && !/[/.]/.test(f)))
        scripts = [...scripts, f];
      program = true;
    }
  }
  if (spec.always && !none) stdin = true;
  if (spec.afterFiles && !batch && !none) stdin = true;
  if (!program && !none && !stdin && (spec.bare ?? 'stdin') === 'stdin') stdin = true;
  return {
    lines: [],
    stdin: stdin ? family : undefined,
    fromInput: false,
    scripts,
    opaque: opaque && (stdin || scripts.length > 0 || program) ? true : undefined,
  };
}

/**
 * What program `cmd WORDS` runs, when it runs one given on its command line or input:
 * `lines` are command lines it hands to a shell (`bash -c STR`, `script -c STR`, `flock
 * -c STR`, `parallel TEMPLATE`, `su -c STR`), `stdin` names the shell or interpreter that
 * reads its program from standard input (a shell with no script operand or with `-s`,
 * whatever options come first: `bash -o posix`, `bash +x`, `bash -O extglob`; `python3
 * -`; `sed e` and `s///e`, which run lines through `sh`; `script` and `parallel` without
 * a command; `su` without `-c`), `fromInput`: the lines get words from the input (xargs).
 */
export function programOf(cmd: string, words: string[]): ProgramRun | undefined {
  const family = programFamily(cmd);
  if (family !== undefined && !isShell(cmd) && !OLD_FAMILIES.has(family))
    return otherProgram(family === 'other' ? cmd : family, INTERPRETERS[family]!, words);
  if (family !== undefined) {
    const shell = isShell(cmd);
    const spec =
      INTERPRETERS[
        family === 'fish' ? 'fish' : shell ? 'sh' : family === 'python3' ? 'python' : family
      ]!;
    const lines: string[] = [];
    let text = false;
    let stdinFlag = false;
    let none = false;
    let k = 0;
    for (; k < words.length; k++) {
      const w = words[k]!;
      if (w === '--' || (w === '-' && isShell(cmd))) {
        k++;
        break;
      }
      if (/^--[^-]/.test(w)) {
        const eq = w.indexOf('=');
        const key = w.slice(2, eq < 0 ? undefined : eq);
        if (cmd === 'fish' && key === 'command') {
          text = true;
          if (eq >= 0) lines.push(w.slice(eq + 1));
        } else if (spec.longNone.includes(key)) none = true;
        else if (spec.longValued.includes(key) && eq < 0) {
          k++;
          if (key === 'init-command' && words[k] !== undefined) lines.push(words[k]!);
        } else if (key === 'init-command') lines.push(w.slice(eq + 1));
        continue;
      }
      if (/^[-+][A-Za-z0-9]+$/.test(w) || (/^-[A-Za-z]/.test(w) && !isShell(cmd))) {
        for (let j = 1; j < w.length; j++) {
          const c = w[j]!;
          if (w[0] === '-' && spec.text.includes(c)) {
            text = true;
            // `python3 -cCODE`, `perl -e CODE`: the rest of the word is the text.
            if (!isShell(cmd) && j < w.length - 1) break;
            if (!isShell(cmd)) k++;
            break;
          }
          if (w[0] === '-' && c === 's' && isShell(cmd)) stdinFlag = true;
          else if (w[0] === '-' && spec.none.includes(c)) none = true;
          else if (spec.valued.includes(c)) {
            if (j === w.length - 1 || isShell(cmd)) {
              k++;
              if (cmd === 'fish' && c === 'C' && words[k] !== undefined) lines.push(words[k]!);
            }
            if (!isShell(cmd)) break;
          }
        }
        continue;
      }
      break;
    }
    if (text && isShell(cmd)) {
      // `bash -c STR`: the first word after the options is the command line.
      if (k < words.length && !(cmd === 'fish' && lines.length)) lines.push(words[k]!);
      return { lines, stdin: undefined, fromInput: false };
    }
    const script = words[k];
    const fromStdin =
      !text &&
      !none &&
      (stdinFlag || script === undefined || STDIN_FILE.test(script) || script === '-');
    return {
      lines,
      scripts: !fromStdin && !text && !none && script !== undefined ? [script] : [],
      // bypass.ts knows these shells by name; any other reads its input as `sh` would.
      stdin: fromStdin
        ? !shell || ['bash', 'zsh', 'dash', 'ksh', 'ash', 'sh'].includes(family)
          ? family
          : 'sh'
        : undefined,
      fromInput: false,
    };
  }
  switch (cmd) {
    case 'sed':
    case 'gsed':
      return sedRuns(words) ? { lines: [], stdin: 'sh', fromInput: false } : undefined;
    case 'script': {
      // util-linux script(1): `script [opts] [FILE]` runs $SHELL on its input; `-c CMD`
      // runs CMD. BSD script: `script [opts] [FILE [COMMAND…]]`.
      const ops: string[] = [];
      const lines: string[] = [];
      for (let k = 0; k < words.length; k++) {
        const w = words[k]!;
        if (w === '--') {
          ops.push(...words.slice(k + 1));
          break;
        }
        if (/^-[a-zA-Z]*c$/.test(w) || isLong(w, 'command')) {
          const v = w.includes('=') ? w.slice(w.indexOf('=') + 1) : words[++k];
          if (v !== undefined) lines.push(v);
        } else if (
          /^-[a-zA-Z]*[EIOBTm]$|^--(echo|log-in|log-out|log-io|log-timing|logging-format|output-limit)$/.test(
            w,
          )
        )
          k++;
        else if (!w.startsWith('-') || w === '-') ops.push(w);
      }
      if (ops.length > 1) lines.push(ops.slice(1).join(' '));
      return { lines, stdin: lines.length ? undefined : 'sh', fromInput: false };
    }
    case 'su': {
      const lines: string[] = [];
      for (let k = 0; k < words.length; k++) {
        const w = words[k]!;
        if (/^-[a-zA-Z]*c$/.test(w) || isLong(w, 'command') || isLong(w, 'session-command')) {
          const v = w.includes('=') ? w.slice(w.indexOf('=') + 1) : words[++k];
          if (v !== undefined) lines.push(v);
        } else if (/^-[a-zA-Z]*[gGsw]$/.test(w)) k++;
      }
      return { lines, stdin: lines.length ? undefined : 'sh', fromInput: false };
    }
    case 'parallel':
    case 'sem': {
      // GNU parallel: `parallel [opts] [TEMPLATE] [::: ARGS | :::: FILES]`; without a
      // template, each input line (or argument) is a command line.
      const template: string[] = [];
      let k = 0;
      for (; k < words.length; k++) {
        const w = words[k]!;
        if (/^::::?\+?$/.test(w)) break;
        if (!template.length && w.startsWith('-') && w.length > 1) {
          if (/^-[a-zA-Z0-9]*[aCdEIjJLnNsSPW]$/.test(w) || PARALLEL_LONG_VALUE.test(w)) k++;
          continue;
        }
        template.push(w);
      }
      const sources = words.slice(k);
      if (template.length) {
        // `parallel gzip ::: a b`: the arguments are on the line; from the input or a
        // `::::` file, they are not (taken as xargs takes them).
        const args = sources.filter((w) => !/^:::\+?$/.test(w));
        const seen = sources.length > 0 && !sources.some((w) => /^::::\+?$/.test(w));
        if (!seen || args.length > 64)
          return { lines: [template.join(' ')], stdin: undefined, fromInput: true };
        const t = template.join(' ');
        return {
          lines: args.map((a) => (/\{[^}]*\}/.test(t) ? t.replace(/\{[^}]*\}/g, a) : `${t} ${a}`)),
          stdin: undefined,
          fromInput: false,
        };
      }
      if (!sources.length || sources.some((w) => /^::::\+?$/.test(w)))
        return { lines: [], stdin: 'sh', fromInput: false };
      return {
        lines: sources.filter((w) => !/^:::\+?$/.test(w)),
        stdin: undefined,
        fromInput: false,
      };
    }
    case 'watch': {
      // watch(1) joins its words and runs them with `sh -c`.
      let k = 0;
      while (k < words.length && words[k]!.startsWith('-')) {
        if (/^-[a-zA-Z]*[nq]$|^--(interval|equexit|errexit)$/.test(words[k]!)) k++;
        k++;
      }
      return words.length > k
        ? { lines: [words.slice(k).join(' ')], stdin: undefined, fromInput: false }
        : undefined;
    }
    default:
      return undefined;
  }
}

/** GNU parallel's long options that take the next word. */
const PARALLEL_LONG_VALUE =
  /^--(jobs|arg-file|colsep|delimiter|eof|replace|max-replace-args|max-lines|max-chars|max-args|sshlogin|sshloginfile|joblog|results|halt|load|memfree|delay|timeout|retries|tmpdir|workdir|basefile|transferfile|return|env|profile|tagstring|header|block|rpl|plus|template|termseq|limit|nice|sqlmaster|sqlworker|sqlandworker|shebang-wrap|ssh|recend|recstart|resume-failed|arg-sep|arg-file-sep)$/;

/**
 * Does `sed WORDS` run a command: GNU sed's `e` command (the pattern space, or its
 * argument, runs through `sh`) or the `e` flag of `s///` (the result runs)? The script is
 * every `-e`/`--expression` value, else the first operand; a script read from standard
 * input (`-f -`, `-f /dev/stdin`) may hold one. `--sandbox` rejects `e`.
 */
function sedRuns(words: string[]): boolean {
  const scripts: string[] = [];
  let file = false;
  const operands: string[] = [];
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    if (w === '--sandbox') return false;
    if (w === '--') {
      operands.push(...words.slice(k + 1));
      break;
    }
    if (isLong(w, 'expression'))
      scripts.push(w.includes('=') ? w.slice(w.indexOf('=') + 1) : (words[++k] ?? ''));
    else if (isLong(w, 'file')) {
      file = true;
      const f = w.includes('=') ? w.slice(w.indexOf('=') + 1) : (words[++k] ?? '');
      if (STDIN_FILE.test(f)) return true;
    } else if (/^-[a-zA-Z]/.test(w)) {
      // `-n`, `-E`, `-i.bak`, `-ne SCRIPT`, `-l 40`, `-f FILE`: letters up to the one taking a value.
      for (let j = 1; j < w.length; j++) {
        const c = w[j]!;
        if (c === 'i') break;
        if (c === 'e' || c === 'f' || c === 'l') {
          const v = j < w.length - 1 ? w.slice(j + 1) : (words[++k] ?? '');
          if (c === 'e') scripts.push(v);
          if (c === 'f') {
            file = true;
            if (STDIN_FILE.test(v)) return true;
          }
          break;
        }
      }
    } else if (!w.startsWith('--')) operands.push(w);
  }
  if (!scripts.length && !file && operands.length) scripts.push(operands[0]!);
  return scripts.some(sedExecutes);
}

/** Whether a sed script holds the `e` command or an `s` command with the `e` flag. */
export function sedExecutes(s: string): boolean {
  let i = 0;
  const n = s.length;
  const blanks = (): void => {
    while (i < n && (s[i] === ' ' || s[i] === '\t')) i++;
  };
  // Past the text up to an unescaped `delim` (i on the character after the opening one).
  const part = (delim: string): void => {
    while (i < n && s[i] !== delim) i += s[i] === '\\' ? 2 : 1;
    i++;
  };
  const address = (): boolean => {
    if (s[i] === '/' || s[i] === '\\') {
      const delim = s[i] === '\\' ? s[i + 1]! : '/';
      i += s[i] === '\\' ? 2 : 1;
      part(delim);
      while (i < n && /[IM]/.test(s[i]!)) i++;
      return true;
    }
    if (i < n && /[\d$]/.test(s[i]!)) {
      while (i < n && /[\d$~]/.test(s[i]!)) i++;
      return true;
    }
    return false;
  };
  const toEol = (): void => {
    while (i < n && s[i] !== '\n') i++;
  };
  while (i < n) {
    while (i < n && /[\s;]/.test(s[i]!)) i++;
    if (i >= n) break;
    if (address()) {
      blanks();
      if (s[i] === ',') {
        i++;
        blanks();
        if (s[i] === '+' || s[i] === '~') i++;
        address();
      }
    }
    blanks();
    while (s[i] === '!') {
      i++;
      blanks();
    }
    const c = s[i++];
    switch (c) {
      case 'e':
        return true;
      case 's': {
        const delim = s[i++];
        if (delim === undefined) return false;
        part(delim);
        part(delim);
        while (i < n && !/[;\n}]/.test(s[i]!)) {
          if (s[i] === 'e') return true;
          if (s[i] === 'w') {
            toEol();
            break;
          }
          i++;
        }
        break;
      }
      case 'y': {
        const delim = s[i++];
        if (delim === undefined) return false;
        part(delim);
        part(delim);
        break;
      }
      case 'a':
      case 'i':
      case 'c':
      case 'r':
      case 'R':
      case 'w':
      case 'W':
      case ':':
      case '#':
        toEol();
        break;
      case 'b':
      case 't':
      case 'T':
        while (i < n && !/[;\n}]/.test(s[i]!)) i++;
        break;
      default:
        break;
    }
  }
  return false;
}

/** `{a,b}` brace expansion of one word (bash semantics for the simple cases; at most 64 results). */
export function expandBraces(word: string, limit = 64): string[] {
  const open = word.indexOf('{');
  if (open < 0) return [word];
  let level = 0;
  const commas: number[] = [];
  for (let i = open; i < word.length; i++) {
    const c = word[i];
    if (c === '{') level++;
    else if (c === '}') {
      level--;
      if (level === 0) {
        if (!commas.length) return [word];
        const pre = word.slice(0, open);
        const post = word.slice(i + 1);
        const parts: string[] = [];
        let from = open + 1;
        for (const k of [...commas, i]) {
          parts.push(word.slice(from, k));
          from = k + 1;
        }
        const out: string[] = [];
        for (const p of parts)
          for (const e of expandBraces(pre + p + post, limit)) if (out.length < limit) out.push(e);
        return out;
      }
    } else if (c === ',' && level === 1) commas.push(i);
  }
  return [word];
}

export interface Copy {
  /** What is copied (or moved): files or directories, as written. */
  sources: string[];
  dest: string;
  /** The destination is a directory for sure (`-t`, a trailing `/`, several sources). */
  intoDir: boolean;
  /** cp -r/-R/-a, rsync, git mv of a directory: whole trees may land under dest. */
  recursive: boolean;
  /** `ln -s`: the sources are link texts, resolved from the link's own directory. */
  symbolic?: boolean;
}

export interface ShellPaths {
  /** Every word that could be a path: judged as a read. */
  mentioned: string[];
  /** Files the command writes. */
  written: string[];
  copies: Copy[];
  /** Directories whose whole content the command reads (a recursive search, an archive). */
  searched: string[];
  /** Repository-relative paths read out of git's objects (`HEAD:evals/x.c`). */
  revPaths: string[];
  /** Words given to programs cleanroom does not understand: refused in or above a deny zone. */
  opaque: string[];
  /** Directories a program cleanroom cannot follow runs in (and may write to without naming a file). */
  ranIn: string[];
  /** Words given to programs that may change files (anything but a pure reader): refused when they name cleanroom's or git's own files. */
  touched: string[];
  /**
   * Words in a place where they name a file (an argument of a program that may read or
   * write it, a redirection) that cleanroom cannot resolve without running the shell:
   * `$D/x.c`, `"$(…)"`, any relative word after `cd "$D"`, `cd -` or `popd`, what `xargs`
   * adds, a command named by a variable. decide.ts refuses them when any zone could be there.
   */
  unknown: string[];
  /** git commands that can print file content from history, the index or the work tree. */
  gitReads: GitRead[];
  /** Archives extracted and patches applied: files written under names the line does not show. */
  extracts: Extraction[];
  /** More than `maxWords` words: the rest was not read. */
  truncated: boolean;
}

/**
 * One git command that can print the content of files (`git diff`, `git log -p`, `git show
 * REV`, `git grep PATTERN REV`, `git cat-file -p OBJ`, …). decide.ts allows it only when its
 * pathspecs provably leave every `read: deny` zone out (and its revisions cannot be a
 * blob or a subtree, which pathspecs do not limit).
 */
export interface GitRead {
  /** The command as the agent wrote it (words joined), for the message. */
  text: string;
  /** Where the words before `--` end and pathspecs may be appended (index into `words`). */
  words: string[];
  /** Pathspecs after `--` (relative to the command's directory unless `:/`/`:(top)`). */
  specs: string[];
  /** Words before `--` that are revisions or paths: a word naming something on disk is a path, as git decides. */
  operands: string[];
  /** Whether a revision given must be a commit by its spelling (show, diff, grep, archive, cat-file print blobs and subtrees). */
  commitRevs: boolean;
  /** Pathspecs cannot limit what it prints (`cat-file -p OBJ`): only `REV:path` outside every zone or a commit is allowed. */
  objects: boolean;
  /** Refused outright when a `read: deny` zone exists, with this reason. */
  refuse?: string;
  /** Directories (relative to the session's cwd) the command may run in; undefined: unknown. */
  dirs: string[] | undefined;
  /** Prints no patch (`git show --stat`): only its revisions matter (a blob prints whole). */
  revsOnly?: boolean;
  /** `git -C DIR`: directories the command changes into first, in order. */
  chdir: string[];
  /** Pathspec magic switched off or changed (`--literal-pathspecs`, `GIT_LITERAL_PATHSPECS=1`): specs prove nothing. */
  literal: boolean;
}

const isPath = (w: string): boolean =>
  !!w && w.length <= 4096 && !w.includes('\0') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(w);

/**
 * A command that writes files whose names come from an input the command line does not
 * show: an archive extracted (`tar -x`, `unzip`, `cpio -i`, `7z x`, …) or a patch applied
 * (`git apply`, `git am`, `patch`). decide.ts reads the patch files it can (their
 * headers name every file written) and otherwise refuses the extraction when a deny
 * zone, or git's and cleanroom's own files, could lie under a destination.
 */
export interface Extraction {
  /** The command, for the message (`tar`, `git apply`). */
  what: string;
  /** Directories the files land in (the command's own unless `-C`/`-d`/`--directory`/`-o` says). */
  dests: string[];
  /** Patch or mbox files to read; empty for an archive. */
  patches: string[];
  /** Some input is not on the command line (standard input, `git am --continue`): names unseen. */
  unseen: boolean;
}

/** `HEAD:path`, `:path`, `main~2:path`, `:0:path` → path (repository-relative), else undefined. */
export function revPath(word: string): string | undefined {
  const m = /^(?:[^\s:/]*|:[0-3]):(?!\/\/)(.+)$/.exec(word);
  return m && !/^[a-z][a-z0-9+.-]*$/i.test(word.split(':')[0]!)
    ? m[1]
    : m && /^(HEAD|FETCH_HEAD|ORIG_HEAD|MERGE_HEAD)/.test(word)
      ? m[1]
      : undefined;
}

/**
 * What the shell makes of one raw word before the program sees it: `{a,b}` braces, `~+`
 * (the tracked directory) and pathname expansion (glob-expand.ts) against the files in
 * every directory the command line may be in. undefined: the word is taken as written
 * (no cwd to expand in, or nothing to expand); 'unknown': only the shell can tell.
 */
type Expand = (raw: string) => string[] | 'unknown' | undefined;

/**
 * `cwd`: the absolute directory the command starts in; without it globs and `~+` are not
 * expanded (words are taken as written, `~+` is unknown).
 */
export function shellPaths(command: string, maxWords = 5000, cwd?: string): ShellPaths {
  const r: ShellPaths = {
    mentioned: [],
    written: [],
    copies: [],
    searched: [],
    revPaths: [],
    opaque: [],
    ranIn: [],
    touched: [],
    unknown: [],
    gitReads: [],
    extracts: [],
    truncated: false,
  };
  let words = 0;
  // Segments that may write files: a patch another one may have written first (`cp
  // evil.patch ok.patch && git apply ok.patch`) is not the file the hook reads now.
  let writers = 0;
  const background = /(^|[^&>|])&(?![&>])/.test(command);
  // `cd evals && cp ../drafts/q.json tasks/`: later relative words resolve from the new
  // directory. Every directory the command line may be in by then is kept (a subshell's
  // `cd` ends at its `)`, `cd a || cd b` goes to either): a relative word is judged in
  // each. A `cd` cleanroom cannot follow (`cd "$D"`, `cd -`, `popd`, `cd` to $HOME) makes
  // every later relative word unknown.
  let dirs: string[] | undefined = [''];
  const loopVars = new Map<string, string[] | undefined>();
  const join = (d: string, p: string): string => (d && !p.startsWith('/') ? posix.join(d, p) : p);
  const at = (p: string): string[] =>
    p.startsWith('/') ? [p] : dirs ? [...new Set(dirs.map((d) => join(d, p)))] : [];
  // GIT_LITERAL_PATHSPECS=1 (exported anywhere, or set in the agent's environment before
  // this call: decide.ts checks its own environment too) turns `:(exclude)` into a name.
  // The names below are looked for in the command line and in its words after quote
  // removal: `export "CD"PATH=data`, `shopt -s "cdable"_vars` set them all the same.
  const segs = segments(command);
  const text = [
    command,
    ...segs.flatMap((s) => [...s.assigns, s.cmd ?? '', ...s.args.map((a) => a.word)]),
  ].join('\n');
  const literalEnv = /GIT_(LITERAL|GLOB|NOGLOB|ICASE)_PATHSPECS/.test(text);
  const budget = newBudget(command);
  // `shopt -s globstar` makes `**` cross directories; `set -f` switches globbing off:
  // neither is modelled, so their words are unknown.
  const oddGlob = /globstar|extglob|set\s+[-+][a-zA-Z]*f|noglob|failglob|nullglob/.test(text);
  const expand: Expand = (raw) => {
    let rest = raw;
    let lead = '';
    if (/^~\+(\/|$)/.test(raw)) {
      // `~+` is $PWD: the directory the reader tracks, when it is one directory.
      if (!cwd || !dirs || dirs.length !== 1) return 'unknown';
      lead = resolve(cwd, dirs[0]!);
      rest = raw.slice(2);
    } else if (/^~(\/|$)/.test(raw) && cwd && process.env.HOME?.startsWith('/')) {
      // `~` is the HOME of the agent's shell, which is this hook's (an assignment to HOME
      // in the command line is refused by bypass.ts).
      lead = process.env.HOME;
      rest = raw.slice(1);
    } else if (dynamic(raw)) return undefined;
    const { pattern, glob } = globPattern(rest);
    if (!glob) return lead ? expandBraces(lead + pattern.replace(/\\(.)/g, '$1')) : undefined;
    if (!cwd) return undefined;
    if (oddGlob) return 'unknown';
    const out: string[] = [];
    for (const pat of expandBraces(lead.replace(/[*?[\]\\{}(),!@+^$|.]/g, '\\$&') + pattern)) {
      const absolute = pat.startsWith('/');
      // A relative pattern after a `cd` cleanroom cannot follow: unknown (as for any word).
      if (!absolute && !dirs) return 'unknown';
      for (const d of absolute ? [''] : dirs!) {
        const got = expandGlob(pat, resolve(cwd, d), budget);
        if (!got) return 'unknown';
        out.push(...got);
      }
    }
    return [...new Set(out)];
  };
  for (const seg of segs) {
    const lengths = LISTS.map((k) => r[k].length);
    const copies = r.copies.length;
    const gitReads = r.gitReads.length;
    const extracts = r.extracts.length;
    // `for f in a b; do … "$f" … done`: the loop's words are what `$f` can be.
    if (
      seg.cmd === 'for' &&
      seg.args[1]?.word === 'in' &&
      /^[A-Za-z_]\w*$/.test(seg.args[0]!.word)
    ) {
      const list = seg.args
        .slice(2)
        .map((a) => expand(a.raw) ?? (dynamic(a.raw) ? 'unknown' : [a.word]));
      loopVars.set(
        seg.args[0]!.word,
        list.some((a) => a === 'unknown') ? undefined : list.flatMap((a) => a as string[]),
      );
    }
    const wrote = r.written.length + r.copies.length + r.ranIn.length + r.extracts.length;
    readOne(seg, r, () => ++words > maxWords, loopVars, expand);
    // A patch read after a writer ran (or beside one run in the background) may be another file.
    for (const x of r.extracts.slice(extracts))
      if (x.patches.length && (writers > 0 || background)) x.unseen = true;
    if (r.written.length + r.copies.length + r.ranIn.length + r.extracts.length > wrote) writers++;
    if (r.truncated) return r;
    if (seg.cmdRaw !== undefined && dynamic(seg.cmdRaw)) r.unknown.push(seg.cmdRaw);
    LISTS.forEach((k, i) => {
      const added = r[k].splice(lengths[i]!);
      for (const p of added) {
        const where = at(p);
        if (!where.length) r.unknown.push(p);
        r[k].push(...where);
      }
    });
    for (const c of r.copies.splice(copies)) {
      if (!dirs && ![c.dest, ...c.sources].every((p) => p.startsWith('/'))) r.unknown.push(c.dest);
      for (const d of dirs ?? [])
        r.copies.push({
          ...c,
          dest: join(d, c.dest),
          sources: c.symbolic ? c.sources : c.sources.map((p) => join(d, p)),
        });
    }
    for (const x of r.extracts.splice(extracts)) {
      const rel = [...x.dests, ...x.patches].filter((p) => !p.startsWith('/'));
      if (!dirs && rel.length) r.unknown.push(rel[0]!);
      r.extracts.push({
        ...x,
        dests: x.dests.flatMap(at),
        patches: x.patches.flatMap(at),
      });
    }
    for (const g of r.gitReads.slice(gitReads)) {
      g.dirs = dirs && [...dirs];
      g.literal ||= literalEnv;
    }
    if (seg.cmd === 'cd' || seg.cmd === 'pushd' || seg.cmd === 'popd' || seg.cmd === 'chdir') {
      const operands = seg.args.filter((a) => a.word !== '--' && !/^-[LPe@]+$/.test(a.word));
      const one = operands.length === 1 ? operands[0]! : undefined;
      // CDPATH makes `cd fixtures` land in a directory of its list.
      // A redefined `cd` (`cd() { builtin cd evals; }`) goes where nobody can tell.
      if (
        seg.untrusted ||
        seg.cmd === 'popd' ||
        !one ||
        one.word === '-' ||
        /^[+-]\d/.test(one.word) ||
        dynamic(one.raw) ||
        // `shopt -s cdable_vars`: `cd x` goes to $x when there is no directory x.
        /CDPATH|cdable_vars/.test(text)
      )
        dirs = undefined;
      else if (dirs) {
        // `cd .g*`: the directory the glob expands to.
        const x = expand(one.raw);
        const next = x === 'unknown' ? undefined : (x ?? [one.word]).flatMap(at);
        if (!next) dirs = undefined;
        else dirs = next.length + dirs.length > 16 ? undefined : [...new Set([...dirs, ...next])];
      }
    }
  }
  // TAR_OPTIONS set anywhere on the line (`TAR_OPTIONS=--directory=.. tar -xf a.tar`,
  // an `export` before it) moves every tar's members where the line does not say.
  if (/TAR_OPTIONS/.test(text))
    for (const x of r.extracts) if (/tar$/.test(x.what)) x.dests = ['/'];
  // Codex (before 0.124) ran apply_patch as a shell heredoc.
  if (command.includes('*** Begin Patch'))
    for (const f of patchWrites(command)) r.written.push(f.path);
  return r;
}

const LISTS = ['mentioned', 'written', 'searched', 'opaque', 'ranIn', 'touched'] as const;

/** Programs whose arguments are not file names (a variable given to them reads nothing). */
const NO_FILE_ARGS = new Set([
  'echo',
  'printf',
  'true',
  'false',
  'sleep',
  'date',
  'whoami',
  'id',
  'uname',
  'hostname',
  'pwd',
  'which',
  'type',
  'basename',
  'dirname',
  'test',
  '[',
  'export',
  'unset',
  'local',
  'declare',
  'typeset',
  'readonly',
  'set',
  'shopt',
  'exit',
  'return',
  'kill',
  'wait',
  'trap',
  'alias',
  'cd',
  'pushd',
  'popd',
  'chdir',
  'command',
]);

/**
 * `"$f"` inside `for f in src/*.py; do … done`: the words the loop gives it (a glob stays a
 * glob, judged as written). undefined when any part is not such a variable or plain text.
 */
function withLoopVars(raw: string, vars: Map<string, string[] | undefined>): string[] | undefined {
  // `~` (a home directory, `~+`, `~-`) is the shell's to expand.
  if (/['\\`]|\$\(/.test(raw) || raw.startsWith('~')) return undefined;
  const text = raw.replaceAll('"', '');
  let out = [''];
  const re = /\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const values = vars.get(m[1] ?? m[2]!);
    if (!values) return undefined;
    const lit = text.slice(last, m.index);
    out = out.flatMap((o) => values.map((v) => o + lit + v));
    if (out.length > 64) return undefined;
    last = re.lastIndex;
  }
  const rest = text.slice(last);
  return rest.includes('$') ? undefined : out.map((o) => o + rest);
}

function readOne(
  seg: Segment,
  r: ShellPaths,
  tooMany: () => boolean,
  loopVars: Map<string, string[] | undefined> = new Map(),
  expand: Expand = () => undefined,
): void {
  // `OUT=data/train/x python3 gen.py`, `export OUT=…` (every later program has it),
  // `GIT_TRACE=/repo/data/train/x git status` (git writes its trace there): a variable's
  // value is a word given to the program, judged as its arguments are. Only a reader
  // cleanroom trusts ignores the variables it is given.
  const exported = seg.cmd === undefined || EXPORTERS.has(seg.cmd);
  const assigned = [
    ...seg.assigns,
    ...(exported && seg.cmd !== undefined ? seg.args.map((a) => a.word) : []),
  ].flatMap((a) => {
    const m = /^([A-Za-z_]\w*)\+?=([\s\S]*)$/.exec(a);
    return m ? [{ name: m[1]!, value: m[2]! }] : [];
  });
  for (const { name, value } of assigned) {
    const trusted = !exported && !seg.untrusted && READERS.has(seg.cmd!);
    if (trusted && !/^GIT_TRACE/.test(name)) continue;
    r.opaque.push(...new Set([value, ...slashRuns(value)].filter((v) => isPath(v) && !dynamic(v))));
  }
  for (const d of seg.redirects) {
    // A here-string is input text: `git cat-file --batch <<< HEAD:evals/x.json` reads it.
    if (d.op === '<<<') {
      const rev = revPath(d.word);
      if (rev !== undefined) r.revPaths.push(rev);
      r.mentioned.push(...embeddedPaths(d.word).filter(isPath));
      continue;
    }
    if (/^\d+$/.test(d.word) || d.word === '-' || !isPath(d.word)) continue;
    const x = d.op === '<<' || d.op === '<<-' ? undefined : expand(d.raw);
    if (x === 'unknown') {
      r.unknown.push(d.raw);
      continue;
    }
    if (x) {
      // `>> .gi?/config`: bash writes to what the pattern matches.
      if (WRITE_REDIRECTS.has(d.op)) r.written.push(...x);
      else if (d.op === '<') r.mentioned.push(...x);
      continue;
    }
    if (dynamic(d.raw)) {
      if (WRITE_REDIRECTS.has(d.op) || d.op === '<') r.unknown.push(d.raw);
      continue;
    }
    if (WRITE_REDIRECTS.has(d.op)) r.written.push(...expandBraces(d.word));
    else if (d.op === '<') r.mentioned.push(d.word);
  }
  if (!seg.cmd) return;
  const args: string[] = [];
  const dynamicArgs: string[] = [];
  for (const a of seg.args) {
    if (tooMany()) {
      r.truncated = true;
      return;
    }
    const x = expand(a.raw);
    if (x === 'unknown') {
      if (seg.untrusted || (!NO_FILE_ARGS.has(seg.cmd) && seg.cmd !== 'git')) r.unknown.push(a.raw);
      else if (seg.cmd === 'git') dynamicArgs.push(a.raw);
      continue;
    }
    if (x) {
      args.push(...x);
      continue;
    }
    const known = dynamic(a.raw) ? withLoopVars(a.raw, loopVars) : undefined;
    if (known) {
      args.push(...known);
      continue;
    }
    if (dynamic(a.raw)) {
      // `cat "$F"`, `cat $(echo evals)/fixtures/x.c`: a file nobody can name beforehand.
      // git's own words are judged by what the git command does (gitRead below).
      if (seg.untrusted || (!NO_FILE_ARGS.has(seg.cmd) && seg.cmd !== 'git')) r.unknown.push(a.raw);
      dynamicArgs.push(a.raw);
      continue;
    }
    for (const w of /^['"]/.test(a.raw) ? [a.word] : expandBraces(a.word)) args.push(w);
  }
  // `… | xargs cat`: the files come from the input, unseen. A program that writes where
  // its words say (`echo a.txt evals/x | xargs cp`, `xargs tee`, `xargs -I{} sh -c {}`)
  // writes where nobody saw: only programs that put no content anywhere may take them.
  if (
    seg.xargs &&
    (seg.untrusted ||
      WRITES_WHERE_NAMED.has(seg.cmd) ||
      (!NO_FILE_ARGS.has(seg.cmd) && !NO_CONTENT.has(seg.cmd)))
  )
    r.unknown.push(`xargs ${seg.cmd}`);
  const before = r.gitReads.length;
  // A heredoc or here-string is the program's input, and may be its program
  // (`python3 /dev/stdin <<< 'open("evals/x", "w")'`, `awk -f /dev/stdin <<EOF`): the paths
  // in it are words given to the program, judged as `python3 -c '…'`'s are.
  const input = [
    ...seg.heredocs,
    ...seg.redirects.filter((d) => d.op === '<<<').map((d) => d.word),
  ].flatMap(slashRuns);
  readSegment(seg.cmd, args, r, seg.untrusted, input);
  const x = extractOf(seg.cmd, args);
  if (x) {
    // `patch -p1 < fix.diff`, `git am < mail`: the input file is a redirection; a heredoc,
    // a here-string or a pipe is input nobody reads beforehand.
    const input = seg.redirects.filter((d) => d.op === '<' && !dynamic(d.raw));
    const fed = seg.redirects.some((d) => d.op === '<<' || d.op === '<<-' || d.op === '<<<');
    if (x.stdin && input.length && !fed) x.patches.push(...input.map((d) => d.word));
    else if (x.stdin) x.unseen = true;
    r.extracts.push({ what: x.what, dests: x.dests, patches: x.patches, unseen: x.unseen });
  }
  // `git cat-file --batch <<< HEAD:src/a.txt`: the input is on the command line, and
  // each line names a file from a commit (its path is judged as a revPath above).
  const here = seg.redirects.filter((d) => d.op === '<<<');
  if (seg.cmd === 'git' && here.length && !seg.heredocs.length && !dynamic(here[0]!.raw)) {
    const lines = here[here.length - 1]!.word.split('\n').filter((l) => l.trim());
    const fromCommits = lines.every((l) => {
      const p = revPath(l.trim());
      return p === undefined
        ? commitSpelled(l.trim())
        : commitSpelled(l.trim().slice(0, -p.length - 1) || 'HEAD') && !/^\.\.?\//.test(p);
    });
    for (const g of r.gitReads.slice(before))
      if (fromCommits && g.refuse?.startsWith('it reads the objects')) {
        g.refuse = undefined;
        g.objects = true;
      }
  }
  if (seg.cmd === 'git' && dynamicArgs.length) {
    for (const g of r.gitReads.slice(before))
      g.refuse ??= `it holds ${dynamicArgs[0]}, which only the shell can expand`;
  }
}

/** Archive programs and what extracting with them looks like (GNU, BSD and busybox spellings). */
const ARCHIVERS = new Set([
  'tar',
  'gtar',
  'bsdtar',
  'unzip',
  'cpio',
  'bsdcpio',
  '7z',
  '7za',
  '7zr',
  '7zz',
  'ar',
  'pax',
  'jar',
  'unrar',
  'unar',
]);

/** The value of `-X VALUE`, `-XVALUE`, `--long=VALUE` or `--long VALUE` options, each occurrence. */
function optionValues(args: readonly string[], short: string | undefined, long: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (isLong(a, long))
      out.push(a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args[++i] ?? ''));
    else if (short !== undefined && a === `-${short}`) out.push(args[++i] ?? '');
    else if (short !== undefined && a.startsWith(`-${short}`) && !a.startsWith('--'))
      out.push(a.slice(2));
  }
  return out;
}

/**
 * `--NAME`, `--NAME=…` or any abbreviation of it (two letters or more): getopt_long (GNU
 * tar, patch, cpio) and git's parse-options take an unambiguous prefix, so `--dir=..` is
 * `--directory=..`. An ambiguous one makes the program fail, so reading it as NAME only
 * errs on the side of refusing.
 */
function isLong(a: string, name: string): boolean {
  if (!a.startsWith('--')) return false;
  const key = a.slice(2).split('=')[0]!;
  return key.length >= 2 && name.startsWith(key);
}

/**
 * Does `cmd args` extract an archive or apply a patch, and where to? `stdin`: the names
 * come from standard input unless a file is given (the caller looks at redirections).
 * Listing, testing and printing modes (`tar -t`, `unzip -l`, `git apply --stat`) write
 * nothing and are not extractions.
 */
function extractOf(
  cmd: string,
  args: readonly string[],
):
  | { what: string; dests: string[]; patches: string[]; stdin: boolean; unseen: boolean }
  | undefined {
  const plain = args.filter((a) => !a.startsWith('-'));
  const shortFlags = args.filter((a) => /^-[A-Za-z]/.test(a)).join('');
  const none = { patches: [] as string[], stdin: false, unseen: false };
  if (ARCHIVERS.has(cmd)) {
    const absolute =
      args.includes('--absolute-names') || (/^(g|bsd)?tar$/.test(cmd) && /P/.test(shortFlags));
    const here = (
      dests: string[],
    ): { what: string; dests: string[]; patches: string[]; stdin: boolean; unseen: boolean } => ({
      what: cmd,
      // `-P`/`--absolute-names`: members may name any absolute path, so the destination is `/`.
      dests: absolute ? ['/'] : dests.length ? dests : ['.'],
      ...none,
    });
    switch (cmd) {
      case 'tar':
      case 'gtar':
      case 'bsdtar': {
        // `tar xzf a.tgz` (the old bundled form: its first word, without a dash).
        const old = args[0] !== undefined && /^[A-Za-z]+$/.test(args[0]) ? args[0] : '';
        const extract =
          /x/.test(old) ||
          args.some((a) => /^-[A-Za-z]*x/.test(a) || isLong(a, 'extract') || isLong(a, 'get'));
        if (!extract || args.some((a) => a === '-O' || isLong(a, 'to-stdout'))) return undefined;
        // Where members land is not on the line: TAR_OPTIONS (`--directory=..` in the
        // environment), renamed members (--transform), a directory named by the archive
        // (--one-top-level), a command per member (--to-command), or a bundled C whose
        // word only tar orders (`tar xfC a.tar DIR`). Any repository around is in reach.
        if (
          /C/.test(old) ||
          process.env.TAR_OPTIONS !== undefined ||
          args.some((a) =>
            ['transform', 'xform', 'one-top-level', 'to-command', 'absolute-names'].some((n) =>
              isLong(a, n),
            ),
          )
        )
          return { ...here([]), dests: ['/'] };
        return here(optionValues(args, 'C', 'directory'));
      }
      case 'unzip': {
        // unzip's options bundle (`-qod DIR`, `-ddir`) and negate (`--t`, `-t-`): a
        // negation makes the mode unknown, so the command is taken as an extraction.
        const dests: string[] = [];
        let listing = false;
        let negated = false;
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!;
          if (!a.startsWith('-') || a === '-') continue;
          if (a.startsWith('--') || a.endsWith('-')) negated = true;
          const letters = a.replace(/^-+/, '');
          const d = letters.indexOf('d');
          const modes = d < 0 ? letters : letters.slice(0, d);
          if (/[lvtZpzc]/.test(modes)) listing = true;
          if (d >= 0) dests.push(letters.slice(d + 1) || (args[++i] ?? ''));
        }
        if (listing && !negated) return undefined;
        return here(negated ? ['/'] : dests);
      }
      case 'cpio':
      case 'bsdcpio': {
        const dests = optionValues(args, 'D', 'directory');
        // Copy-pass (`find . | cpio -pdm DEST`): names from standard input, into DEST.
        if (/^-[A-Za-z]*p/.test(shortFlags) || args.some((a) => isLong(a, 'pass-through')))
          return here([...dests, ...plain.slice(-1)]);
        if (/^-[A-Za-z]*i/.test(shortFlags) || args.some((a) => isLong(a, 'extract')))
          return here(dests);
        return undefined;
      }
      case 'pax': {
        const r = args.some((a) => /^-[A-Za-z]*r/.test(a));
        const w = args.some((a) => /^-[A-Za-z]*w/.test(a));
        if (r && w) return here(plain.slice(-1));
        return r ? here([]) : undefined;
      }
      case 'ar':
      case 'jar':
        return /^-?[A-Za-z]*x/.test(args[0] ?? '')
          ? here(optionValues(args, undefined, 'output'))
          : undefined;
      case 'unrar':
        if (!/^[xe]$/.test(plain[0] ?? '')) return undefined;
        return here(
          plain.length > 2 && plain[plain.length - 1]!.endsWith('/') ? plain.slice(-1) : [],
        );
      case 'unar':
        return here(optionValues(args, 'o', 'output-directory'));
      default:
        // 7z x / 7z e, `-oDIR`
        return /^[xe]$/.test(plain[0] ?? '') ? here(optionValues(args, 'o', 'o')) : undefined;
    }
  }
  if (cmd === 'patch') {
    if (args.some((a) => a === '-C' || isLong(a, 'dry-run') || isLong(a, 'check')))
      return undefined;
    const dests = optionValues(args, 'd', 'directory');
    const input = optionValues(args, 'i', 'input');
    // `patch FILE PATCHFILE`: the file written is named (and judged as a word); the patch
    // file is read.
    const patches = input.length ? input : plain.slice(1, 2);
    return {
      what: 'patch',
      dests: dests.length ? dests : ['.'],
      patches,
      stdin: !patches.length,
      unseen: false,
    };
  }
  if (cmd === 'git') {
    const git = gitSub([...args]);
    if (!git || (git.sub !== 'apply' && git.sub !== 'am')) return undefined;
    const a = git.args;
    const dirs = optionValues(a, undefined, 'directory');
    const dests = dirs.length ? dirs : ['.'];
    const files = a.filter((w) => !w.startsWith('-'));
    if (git.sub === 'apply') {
      const reportOnly = a.some((w) =>
        ['stat', 'numstat', 'summary', 'check'].some((n) => w === `--${n}`),
      );
      if (reportOnly && !a.some((w) => isLong(w, 'apply'))) return undefined;
      return { what: 'git apply', dests, patches: files, stdin: !files.length, unseen: false };
    }
    if (a.some((w) => /^--(abort|quit|show-current-patch)/.test(w))) return undefined;
    // `git am --continue`/`--skip`: the rest of a series git keeps in .git/rebase-apply.
    const resume = a.some((w) => /^(--continue|--skip|--resolved|-r)$/.test(w));
    return {
      what: 'git am',
      dests,
      patches: files,
      stdin: !files.length && !resume,
      unseen: resume,
    };
  }
  return undefined;
}

/** An option's value glued to it (`--out=x`) or the word itself. */
const valueOf = (w: string): string | undefined => {
  if (!w.startsWith('-')) return w;
  const eq = w.indexOf('=');
  return eq < 0 ? undefined : w.slice(eq + 1);
};

/**
 * Paths inside a word that is not itself a path: `of=evals/tasks/q.json` (dd), a program
 * text (`python3 -c 'open("evals/tasks/q.json")'`). Restricting reads err on the side of
 * seeing: every run of path characters holding a `/` is taken for a path too.
 */
const embeddedPaths = (w: string): string[] => {
  // `curl -O https://example.com/x.txt`: a network address, not a local path (`file:` is).
  if (/^(https?|ftps?|ssh|git|s3|gs|rsync):\/\//i.test(w)) return [];
  // `curl file:///repo/evals/x`: the local path, absolute (`file://localhost/…` too).
  const file = /^file:\/\/(?:localhost)?(\/.*)$/i.exec(w);
  const eq = /^[A-Za-z_][\w.-]*=(.+)$/.exec(w);
  // `sort -oevals/x`, `wget -Oevals/x`, `tar -Tevals/x`: a short option's value glued to
  // it (after one letter or a cluster `-uo`): each tail after the option letters that
  // looks like a file (a `/` or a `.`; `-sO` is two flags, not a file "O").
  const glued: string[] = [];
  if (/^-[A-Za-z]/.test(w))
    for (let k = 2; k < w.length && /[A-Za-z]/.test(w[k - 1]!); k++)
      if (/[/.]/.test(w.slice(k))) glued.push(w.slice(k));
  return [...(file ? [file[1]!] : []), ...(eq ? [eq[1]!] : []), ...glued, ...slashRuns(w)].filter(
    (p) => p !== w,
  );
};

/**
 * What `w.match(/[\w.@+-]+(?:\/[\w.@+-]+)+\/?/g)` finds — runs of path characters holding
 * a `/` between two non-empty names, with one trailing `/` — in one pass. The regex takes
 * quadratic time on a long run without a `/` (100,000 dashes: 26 s, past every agent
 * host's hook timeout, and some hosts then let the write through).
 */
export function slashRuns(w: string): string[] {
  const out: string[] = [];
  for (const run of w.split(/[^\w.@+\-/]+/)) {
    let group: string[] = [];
    const flush = (slash: boolean): void => {
      if (group.length >= 2) out.push(group.join('/') + (slash ? '/' : ''));
      group = [];
    };
    for (const part of run.split('/')) {
      if (part) group.push(part);
      else flush(group.length > 0);
    }
    flush(false);
  }
  return out;
}

/** A git pathspec that leaves paths out (`:(exclude)evals`, `:!evals`): it names nothing to read. */
const EXCLUDE_SPEC = /^:(\([^)]*\bexclude\b[^)]*\)|[/]*[!^])/;

function readSegment(
  cmd: string,
  all: string[],
  r: ShellPaths,
  untrusted = false,
  input: string[] = [],
): void {
  const args = cmd === 'git' ? all.filter((a) => !EXCLUDE_SPEC.test(a)) : all;
  const direct = args.map(valueOf).filter((w): w is string => w !== undefined && isPath(w));
  const paths = [
    ...direct,
    ...args.flatMap(embeddedPaths).filter((p) => isPath(p) && !direct.includes(p)),
  ];
  r.mentioned.push(...paths);
  const git = cmd === 'git' ? gitSub(args) : undefined;
  // An untrusted name (Segment.untrusted) is judged as the program it names (its reads
  // below) and as a program cleanroom cannot read (opaque, run where it stands).
  const reader =
    !untrusted &&
    !(
      cmd === 'cleanroom' &&
      (!CLEANROOM_READS.has(args.find((a) => !a.startsWith('-')) ?? '') ||
        args.some((a) => /^(-o|--output|--html|--sarif|--json)/.test(a)))
    ) &&
    !readerWrites(cmd, args, git) &&
    (READERS.has(cmd)
      ? !(cmd === 'find' && args.some((a) => FIND_ACTIONS.test(a)))
      : git !== undefined && GIT_READS.has(git.sub));
  if (!reader) r.touched.push(...paths);
  // `git grep -O./t/cat`: runs a program on the files that match, names only git computes.
  const pager = (a: string): boolean => /^-[a-zA-Z]*O/.test(a) || isLong(a, 'open-files-in-pager');
  if (git?.sub === 'grep' && git.args.some(pager))
    r.unknown.push(`git grep ${git.args.find(pager)!}`);
  // `find . -exec cat {} +` reads every file it finds: a search of its start directories.
  if (
    (cmd === 'find' || cmd === 'fd') &&
    args.some((a) => FIND_ACTIONS.test(a) || a === '-x' || a === '-X' || a.startsWith('--exec'))
  ) {
    const starts =
      cmd === 'find'
        ? args.slice(
            0,
            Math.max(
              0,
              args.findIndex((a) => /^[-(!]/.test(a)),
            ),
          )
        : [];
    const firstExpr = args.findIndex((a) => /^[-(!]/.test(a));
    r.searched.push(...(firstExpr < 0 ? args : starts).filter(isPath));
    if (!starts.length) r.searched.push('.');
    // `find . -path '*ain/d.txt' -exec cp src/a.txt {} \;`: the program gets names only
    // find computes, as from xargs. A reader's reads are the search above; a program that
    // puts content where its words say (cp, tee, sed -i, a script) writes where nobody saw.
    args.forEach((a, k) => {
      if (!(FIND_ACTIONS.test(a) || a === '-x' || a === '-X' || a.startsWith('--exec'))) return;
      const program = args[k + 1];
      if (!/^-(exec|execdir|ok|okdir|x|X)$|^--exec(-batch)?$/.test(a) || program === undefined)
        return;
      const name = program.split('/').pop()!;
      const harmless =
        !program.includes('/') &&
        !WRITES_WHERE_NAMED.has(name) &&
        (NO_FILE_ARGS.has(name) ||
          NO_CONTENT.has(name) ||
          (READERS.has(name) && !readerWrites(name, args.slice(k + 2), undefined)));
      if (!harmless) r.unknown.push(`${cmd} ${a} ${program}`);
    });
  }
  const known =
    !untrusted &&
    (reader || NO_CONTENT.has(cmd) || (git !== undefined && GIT_NO_NEW_CONTENT.has(git.sub)));
  if (!known) r.opaque.push(...paths, ...input.filter(isPath));
  // A program writes where it runs without naming it (`curl -O URL`, `wget URL`, `git
  // clone URL`, a script's relative writes): the directory itself is a word given to it,
  // judged as the others (a deny zone, or a directory above one; the root excepted).
  const script =
    isShell(cmd) &&
    !args.some((a) => /^-[a-zA-Z]*c/.test(a)) &&
    args.some((a) => !a.startsWith('-'));
  if ((!known && (cmd !== 'git' || untrusted)) || script || git?.sub === 'clone') r.ranIn.push('.');
  if (cmd === 'tee') r.written.push(...args.filter((a) => !a.startsWith('-')));
  if (DEST_LAST.has(cmd)) {
    const before = r.copies.length;
    copyOf(cmd === 'rsync', args, r);
    // `ln -s TARGET LINK`: TARGET is text resolved from LINK's directory, not a file read now.
    if (cmd === 'ln' && args.some((a) => /^-[a-zA-Z]*s|^--symbolic$/.test(a)))
      for (const c of r.copies.slice(before)) c.symbolic = true;
  }
  if (
    (cmd === 'grep' || cmd === 'egrep' || cmd === 'fgrep') &&
    args.some((a) => /^-[a-zA-Z]*[rR]|^--(recursive|dereference-recursive)$/.test(a))
  )
    searchOperands(args, r, true);
  if (cmd === 'rg' || cmd === 'ag' || cmd === 'ack') searchOperands(args, r, true, cmd);
  // `zip -r /tmp/a.zip ..`, `tar -czf /tmp/a.tgz ..`, `7z a x.7z ..`: an archive made of
  // whole directories reads every file under them.
  r.searched.push(...archiveInputs(cmd, args));
  if (git) {
    const whole = gitSub(all)!;
    const g = gitRead(whole.sub, whole.args, all);
    if (g) r.gitReads.push(g);
    // `git diff --no-index A B` compares two paths on disk, directories recursively.
    if (git.sub === 'diff' && git.args.includes('--no-index'))
      r.searched.push(...git.args.filter((a) => !a.startsWith('-') && isPath(a)));
    for (const a of git.args) {
      const p = revPath(a);
      if (p !== undefined) r.revPaths.push(p);
    }
    if (git.sub === 'mv') copyOf(false, git.args, r, true);
    // `git grep PATTERN [REV…] [-- PATH…]` and `git archive REV [PATH…]` read whole trees.
    if (git.sub === 'grep' || git.sub === 'archive') {
      // `git archive TREE-ISH PATH…`; `git grep PATTERN [REV…] [-- PATH…]` (without `--`,
      // a word with a `/` or a dot is taken for a path, others for revisions).
      const dash = git.args.indexOf('--');
      const plain = git.args.filter((a) => !a.startsWith('-')).slice(1);
      const operands = (dash >= 0 ? git.args.slice(dash + 1) : plain).filter(isPath);
      const pathspecs = operands.filter(
        (p) => dash >= 0 || git.sub === 'archive' || p.includes('/') || p.includes('.'),
      );
      // Pathspecs are relative to every `git -C DIR` before the subcommand.
      const subAt = all.indexOf(git.sub);
      let base = '.';
      for (let i = 0; i < subAt; i++)
        if (all[i] === '-C') {
          const d = all[++i] ?? '';
          base = d.startsWith('/') ? d : posix.join(base, d);
        }
      const at = (q: string): string =>
        base === '.' || q.startsWith('/') ? q : posix.join(base, q);
      for (const p of pathspecs.length ? pathspecs : ['.']) {
        // A pathspec with magic (`:(top)evals`, `:/`, `:(icase)EVALS`) is not a path:
        // unknown. A glob (`*.txt`, `evals/*`: git's `*` crosses "/") reads everything
        // below the directory its fixed part names.
        if (p.startsWith(':')) r.unknown.push(`git ${git.sub} ${p}`);
        else if (/[*?[]/.test(p)) {
          const fixed = p.slice(0, p.search(/[*?[]/));
          r.searched.push(at(fixed.slice(0, fixed.lastIndexOf('/') + 1) || '.'));
        } else r.searched.push(at(p));
      }
    }
  }
}

/**
 * A reader given what makes it write a file: `sort -o FILE` (`-uo`, `--output`, `--o`),
 * `uniq IN OUT`, `xxd IN OUT`, `tree -o FILE`, `less -o/-O FILE` (`--log-file`),
 * `file -C`, and git's readers with `--output` (`git log -p --output=FILE`), `git archive
 * -o FILE`, `git interpret-trailers --in-place`. Judged as a program cleanroom cannot read
 * (its words refused in or above a deny zone) rather than modelled option by option.
 * Option letters after one that takes a value are that value (`sort -to` is `-t o`).
 */
function readerWrites(
  cmd: string,
  args: readonly string[],
  git: ReturnType<typeof gitSub>,
): boolean {
  const shortOpt = (valued: string, letter: string): boolean =>
    args.some((a) => {
      if (!/^-[^-]/.test(a)) return false;
      for (const c of a.slice(1)) {
        if (c === letter) return true;
        if (valued.includes(c)) return false;
      }
      return false;
    });
  const longOpt = (name: string, min = 1): boolean =>
    args.some((a) => {
      if (!a.startsWith('--')) return false;
      const key = a.slice(2).split('=')[0]!;
      return key.length >= min && name.startsWith(key);
    });
  const operands = (valued: RegExp): string[] => {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--') {
        out.push(...args.slice(i + 1));
        break;
      }
      if (a.startsWith('-') && a !== '-') {
        if (valued.test(a)) i++;
        continue;
      }
      out.push(a);
    }
    return out;
  };
  switch (cmd) {
    case 'sort':
      // sort has one long option starting with `o`: `--o=FILE` is --output.
      return shortOpt('kStT', 'o') || longOpt('output');
    case 'uniq':
      return operands(/^-[fsw]$|^--(skip-fields|skip-chars|check-chars)$/).length > 1;
    case 'xxd':
      return operands(/^-[cglsonR]$|^-(cols|groupsize|len|seek|name)$/).length > 1;
    case 'tree':
      return shortOpt('LPIHT', 'o');
    case 'less':
    case 'more':
      return (
        shortOpt('bhjkpPtTxyz#', 'o') ||
        shortOpt('bhjkpPtTxyz#', 'O') ||
        longOpt('log-file', 2) ||
        longOpt('LOG-FILE', 2)
      );
    case 'file':
      return shortOpt('emfFP', 'C') || longOpt('compile', 2);
    case 'git':
      if (!git) return false;
      return (
        git.args.some((a) => isLong(a, 'output')) ||
        (git.sub === 'archive' && git.args.some((a) => /^-[a-zA-Z]*o/.test(a))) ||
        (git.sub === 'interpret-trailers' && git.args.some((a) => isLong(a, 'in-place')))
      );
    default:
      return false;
  }
}

/**
 * Options of the search programs, by how they take words (GNU grep(1), ripgrep's
 * `rg --help`, ag(1), ack(1)): `value` takes the next word when given without `=`;
 * `flags` are the single letters that take none. Anything else is uncertain and read
 * both ways (searchOperands).
 */
const SEARCH_OPTIONS: Record<'grep' | 'rg' | 'other', { short: string; flags: string }> = {
  grep: { short: 'efmABCDd', flags: 'abcEFGhHiIlLnoPqrRsTUvVwxyzZ0123456789' },
  rg: { short: 'efgtTmABCjMrEd', flags: 'abcFHhiIlLnNopqsSuUvVwxz0.' },
  other: { short: 'efgGtTmABCp', flags: 'acfhHiIlLnoQrRsSuUvVwx0123456789' },
};
const SEARCH_LONG_VALUE =
  /^--(regexp|file|context|after-context|before-context|glob|iglob|type|type-not|type-add|type-clear|max-count|include|exclude|exclude-dir|include-dir|exclude-from|devices|directories|label|binary-files|max-depth|maxdepth|depth|max-filesize|threads|sort|sortr|encoding|engine|pre|pre-glob|ignore-file|ignore|ignore-dir|path-separator|replace|colors|field-match-separator|field-context-separator|context-separator|dfa-size-limit|regex-size-limit|max-columns|file-search-regex)$/;
const SEARCH_LONG_FLAG =
  /^--(color|colour|recursive|dereference-recursive|line-number|ignore-case|files-with-matches|files-without-match|count|count-matches|invert-match|word-regexp|line-regexp|no-filename|with-filename|only-matching|quiet|silent|extended-regexp|fixed-strings|perl-regexp|basic-regexp|null|null-data|text|no-messages|byte-offset|initial-tab|hidden|no-ignore|no-ignore-vcs|no-ignore-parent|no-ignore-dot|follow|smart-case|case-sensitive|json|vimgrep|no-heading|heading|stats|files|multiline|pretty|trim|column|no-line-number|unrestricted|search-zip|binary|one-file-system|passthru|passthrough|sort-files|literal|word|no-config|no-require-git|crlf|pcre2|auto-hybrid-regex|line-buffered|block-buffered|no-unicode|unicode|max-columns-preview|debug|trace|all-types|noheading|nocolor|nogroup|group|skip-vcs-ignores|all-text|filename|nofilename|break|nobreak|ackmate|print0)$/;

/**
 * The paths a search (`grep -r`, `rg`, `ag`, `ack`) reads, as `r.searched`. An option
 * cleanroom does not know may or may not take the next word (`grep -rn env --include
 * '*.json'` read `--include` as a flag, the glob as the pattern and `env` as the one path
 * searched): the command is read both ways and every path either reading searches is
 * judged. Consuming words only ever shrinks the free words, so the two extreme readings
 * cover every mix (the fewest free words give "no path: the whole directory").
 */
function searchOperands(args: string[], r: ShellPaths, patternFirst: boolean, cmd = 'grep'): void {
  const table =
    SEARCH_OPTIONS[cmd === 'rg' ? 'rg' : cmd === 'ag' || cmd === 'ack' ? 'other' : 'grep'];
  const given = args.some(
    (a) => a === '-e' || a === '-f' || a.startsWith('--regexp') || a.startsWith('--file'),
  );
  const reading = (uncertainTakes: boolean): string[] => {
    const operands: string[] = [];
    let pattern = patternFirst && !given;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--') {
        for (const w of args.slice(i + 1)) {
          if (pattern) pattern = false;
          else operands.push(w);
        }
        break;
      }
      if (a.startsWith('--')) {
        if (a.includes('=') || SEARCH_LONG_FLAG.test(a)) continue;
        if (SEARCH_LONG_VALUE.test(a) || uncertainTakes) i++;
        continue;
      }
      if (a.startsWith('-') && a.length > 1) {
        // `-rn`, `-A3`, `-e PATTERN`, `-tjson`: letters up to the first that takes a value.
        let takes = false;
        for (let k = 1; k < a.length; k++) {
          const c = a[k]!;
          if (table.short.includes(c)) {
            takes = k === a.length - 1;
            break;
          }
          if (!table.flags.includes(c)) {
            takes = uncertainTakes && k === a.length - 1;
            if (!uncertainTakes) continue;
            break;
          }
        }
        if (takes) i++;
        continue;
      }
      if (pattern) {
        pattern = false;
        continue;
      }
      operands.push(a);
    }
    return operands.length ? operands : ['.'];
  };
  r.searched.push(...new Set([...reading(false), ...reading(true)]));
}

/** The files and directories an archive is made of (`zip -r`, `tar -c`/`-r`/`-u`, `7z a`), read recursively. */
function archiveInputs(cmd: string, args: string[]): string[] {
  if (cmd === 'zip') {
    if (!args.some((a) => /^-[a-zA-Z]*[rR]|^--recurse/.test(a))) return [];
    const ops: string[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (/^-[a-zA-Z]*[bntxiPOZsI]$|^--(exclude|include|temp-path|out|password|suffixes)$/.test(a))
        k++;
      else if (!a.startsWith('-')) ops.push(a);
    }
    return ops.slice(1).filter(isPath);
  }
  if (/^(g|bsd)?tar$/.test(cmd)) {
    const first = args[0] !== undefined && /^[A-Za-z]+$/.test(args[0]) ? args[0] : undefined;
    const clusters = [first ?? '', ...args.filter((a) => /^-[A-Za-z]/.test(a))];
    const creates =
      clusters.some((c) => /[cru]/.test(c.replace(/^-/, '').replace(/[fCTXbHgKLNV].*$/, ''))) ||
      args.some((a) => ['create', 'append', 'update'].some((n) => isLong(a, n)));
    if (!creates) return [];
    const ops: string[] = [];
    const dirs: string[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k]!;
      if (a === '--') {
        ops.push(...args.slice(k + 1));
        break;
      }
      const cluster = k === 0 && first !== undefined ? a : /^-[A-Za-z]/.test(a) ? a.slice(1) : '';
      if (cluster) {
        // Each letter that takes a value takes the next word (`czf OUT`, `-C DIR`).
        for (const c of cluster) {
          if (!'fCTXbHgKLNV'.includes(c)) continue;
          const v = args[++k] ?? '';
          if (c === 'C') dirs.push(v);
          // -T FILE names the members: unseen, the file itself is read.
          if (c === 'T') ops.push(v);
        }
        continue;
      }
      if (a.startsWith('--')) {
        if (isLong(a, 'directory'))
          dirs.push(a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args[++k] ?? ''));
        else if (
          !a.includes('=') &&
          /^--(file|files-from|exclude-from|exclude|transform|xform|owner|group|mode|mtime|format|label|newer)$/.test(
            a,
          )
        )
          k++;
        continue;
      }
      ops.push(a);
    }
    return [
      ...ops,
      ...dirs.flatMap((d) => ops.map((o) => (o.startsWith('/') ? o : posix.join(d, o)))),
    ].filter(isPath);
  }
  if (/^7z[arz]?$/.test(cmd) && /^[au]$/.test(args.find((a) => !a.startsWith('-')) ?? ''))
    return args
      .filter((a) => !a.startsWith('-'))
      .slice(2)
      .filter(isPath);
  return [];
}

function copyOf(recursiveAlways: boolean, args: string[], r: ShellPaths, gitMv = false): void {
  const operands: string[] = [];
  let target: string | undefined;
  let recursive = recursiveAlways;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a === '-t' || a === '--target-directory') {
      target = args[++i];
      continue;
    }
    if (a.startsWith('--target-directory=')) {
      target = a.slice('--target-directory='.length);
      continue;
    }
    if (/^-[a-zA-Z]*t./.test(a) && !a.startsWith('--')) {
      target = a.slice(a.indexOf('t') + 1);
      continue;
    }
    if (a.startsWith('-')) {
      if (/^-[a-zA-Z]*[rRa]|^--(recursive|archive)$/.test(a)) recursive = true;
      // `-f` (--filter), `-T` (--temp-dir), `-e`, `-B` take a value for rsync only: `cp -f`,
      // `ln -s -f`, `ln -T` are flags, and their next word is an operand.
      if (COPY_ARGS.has(a) && (recursiveAlways || !/^-[fTeB]$/.test(a))) i++;
      continue;
    }
    operands.push(a);
  }
  const remote = (p: string): boolean => /^[^/]*:/.test(p) && !gitMv;
  if (target !== undefined) {
    if (!remote(target))
      r.copies.push({ sources: operands, dest: target, intoDir: true, recursive });
    r.written.push(target);
    return;
  }
  if (operands.length < 2) return;
  const dest = operands[operands.length - 1]!;
  if (remote(dest)) return;
  r.written.push(dest);
  r.copies.push({
    sources: operands.slice(0, -1),
    dest,
    intoDir: operands.length > 2 || dest.endsWith('/'),
    recursive: recursive || gitMv,
  });
  // A recursive copy reads every file under its sources.
  if (recursive) r.searched.push(...operands.slice(0, -1).filter((s) => !remote(s)));
}

/** `git [global options] SUB ARGS…`: the subcommand and its arguments, with the global options it was given. */
export function gitSub(
  args: string[],
): { sub: string; args: string[]; config: string[]; execPath: boolean } | undefined {
  const config: string[] = [];
  let execPath = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-c') {
      config.push(args[++i] ?? '');
      continue;
    }
    if (a.startsWith('-c') && a.length > 2 && !a.startsWith('--')) {
      config.push(a.slice(2));
      continue;
    }
    if (a.startsWith('--config-env')) {
      config.push(a.includes('=') ? a.slice(a.indexOf('=') + 1) : (args[++i] ?? ''));
      continue;
    }
    if (a.startsWith('--exec-path=')) {
      execPath = true;
      continue;
    }
    if (
      a === '-C' ||
      a === '--git-dir' ||
      a === '--work-tree' ||
      a === '--namespace' ||
      a === '--super-prefix' ||
      a === '--list-cmds'
    ) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return { sub: a, args: args.slice(i + 1), config, execPath };
  }
  return undefined;
}

/** Options that make diff-like git commands print patches (file content). */
const PATCH_OPT =
  /^(-p|-u|--patch|-U\d*|--unified(=.*)?|--cc|-c|--combined-all-paths|--word-diff(=.*)?|--color-words(=.*)?|--patch-with-stat|--patch-with-raw|-L.*|--line-range.*|-W|--function-context|--full-diff|--textconv|--ext-diff|--check)$/;
/** Options that make `git show` / `git diff` print no patch. */
const NO_PATCH_OPT =
  /^(-s|--no-patch|--stat(=.*)?|--numstat|--shortstat|--name-only|--name-status|--raw|--summary|--dirstat(=.*)?|--compact-summary|--quiet)$/;
/** A cluster of short options holding -p or -u (`-pw`), not an option with a glued value (`-Sfoo`). */
const patchFlag = (a: string): boolean =>
  PATCH_OPT.test(a) || (/^-[a-zA-Z0-9]+$/.test(a) && /^-[^SGOlBMCnXL]*[pu]/.test(a));

/** git's own subcommands (and common helpers) whose output holds no file content, or is judged elsewhere. */
const GIT_KNOWN = new Set([
  ...GIT_READS,
  ...GIT_NO_NEW_CONTENT,
  'am',
  'apply',
  'bisect',
  'cherry',
  'citool',
  'gui',
  'maintenance',
  'repack',
  'rerere',
  'sparse-checkout',
  'stage',
  'show-branch',
  'bugreport',
  'ls-remote',
  'check-ref-format',
  'column',
  'fmt-merge-msg',
  'mailinfo',
  'mailsplit',
  'patch-id',
  'symbolic-ref',
  'verify-pack',
  'show-index',
  'write-tree',
  'unpack-objects',
  'prune-packed',
  'pack-refs',
  'multi-pack-index',
  'commit-graph',
  'hash-object',
  'lfs',
  'format-patch',
  'range-diff',
  'difftool',
  'mergetool',
  'annotate',
  'credential',
  'var',
  'stripspace',
  'merge-base',
]);

/** Options of git's diff family that take the next word as their value. */
const GIT_VALUE_OPTS = new Set([
  '-n',
  '-O',
  '-S',
  '-G',
  '-l',
  '-e',
  '-f',
  '-A',
  '-B',
  '-C',
  '-m',
  '--max-count',
  '--skip',
  '--since',
  '--until',
  '--after',
  '--before',
  '--author',
  '--committer',
  '--grep',
  '--format',
  '--pretty',
  '--encoding',
  '--date',
  '--output',
  '--src-prefix',
  '--dst-prefix',
  '--relative',
  '--diff-filter',
  '--remote',
  '--prefix',
  '--format',
  '-o',
  '--output-directory',
  '--subject-prefix',
  '--in-reply-to',
  '--to',
  '--cc',
  '--from',
  '--add-header',
  '--contents',
  '--reverse',
  '--find-object',
]);

/**
 * Whether `git SUB ARGS` can print file content, and what would make it safe: see
 * GitRead. `all` is the words after `git` (global options included) for the message.
 * undefined: it prints no content (`git status`, `git log --oneline`, `git diff --stat`).
 */
export function gitRead(sub: string, args: string[], all: string[]): GitRead | undefined {
  const dash = args.indexOf('--');
  const before = dash < 0 ? args : args.slice(0, dash);
  const specs = dash < 0 ? [] : args.slice(dash + 1);
  const opts = before.filter((a) => a.startsWith('-'));
  const operands: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    if (a.startsWith('-')) {
      if (GIT_VALUE_OPTS.has(a) && !['-C', '-B', '-M', '-l'].includes(a)) i++;
      continue;
    }
    operands.push(a);
  }
  const subAt = all.length - args.length;
  const global = all.slice(0, subAt - 1);
  const literal = global.some((a) => /^--(literal|glob|noglob|icase)-pathspecs$/.test(a));
  const chdir: string[] = [];
  global.forEach((a, i) => {
    if (a === '-C') chdir.push(global[i + 1] ?? '');
  });
  const redirected = global.some((a) => /^--(git-dir|work-tree)(=|$)/.test(a));
  const base: GitRead = {
    text: `git ${all.join(' ')}`,
    words: ['git', ...all.slice(0, subAt + (dash < 0 ? args.length : dash))],
    specs,
    operands,
    commitRevs: false,
    objects: false,
    dirs: [''],
    chdir,
    literal,
    ...(redirected ? { refuse: '--git-dir/--work-tree point it at another repository' } : {}),
  };
  // `-S STRING` / `-G REGEX` / `--find-object=ID` print only commit names, but answer "does
  // a version of some file hold STRING?": an oracle on a zone's content, judged like -p.
  // `--raw` prints the blob ids of the files changed: a whole-file guess oracle.
  const pickaxe = opts.some((a) =>
    /^(-S|-G|--find-object|--pickaxe-all|--pickaxe-regex|--raw$)/.test(a),
  );
  const patch = opts.some(patchFlag) || pickaxe;
  // diff-tree, diff-index, diff-files and whatchanged print `--raw` (blob ids) unless told otherwise.
  const rawByDefault =
    patch || !opts.some((a) => NO_PATCH_OPT.test(a) && a !== '--raw' && a !== '--summary');
  // `git log -p --follow -- src/x.py` leaves its pathspec at a rename: a file that came
  // out of a zone shows the zone's history. No pathspec can prove that away.
  if (patch && opts.includes('--follow'))
    return {
      ...base,
      refuse: '--follow reads the history of a file before it was renamed, wherever it was',
    };
  // `git log -p --full-diff -- src`: the pathspec picks the commits, and each prints its
  // whole diff, the zone's files too. Judged as a read of the whole repository.
  if (patch && opts.includes('--full-diff'))
    return {
      ...base,
      refuse:
        '--full-diff prints the whole diff of every commit its pathspec selects, files outside the pathspec too',
    };
  const noPatch = opts.some((a) => NO_PATCH_OPT.test(a));
  const read = gitReadOf(sub, opts, operands, specs, before, base, patch, noPatch, rawByDefault);
  // `printf 'HEAD\n--\nevals\n' | git log -p --stdin -- src`: more revisions and, after a
  // `--` line, more pathspecs come from the input, which cleanroom cannot see.
  if (read && !read.refuse && opts.includes('--stdin'))
    return {
      ...read,
      refuse:
        '--stdin reads more revisions and pathspecs from its input, which cleanroom cannot see',
    };
  return read;
}

/** gitRead's verdict by subcommand (the options that hold for every subcommand are judged there). */
function gitReadOf(
  sub: string,
  opts: string[],
  operands: string[],
  specs: string[],
  before: string[],
  base: GitRead,
  patch: boolean,
  noPatch: boolean,
  rawByDefault: boolean,
): GitRead | undefined {
  switch (sub) {
    case 'whatchanged':
      return rawByDefault ? base : undefined;
    case 'log':
    case 'reflog':
    case 'shortlog':
      return patch ? base : undefined;
    case 'stash': {
      const verb = operands[0];
      if (verb === 'show')
        return noPatch && !patch ? undefined : { ...base, operands: operands.slice(1) };
      if (verb === 'list') return patch ? { ...base, operands: [] } : undefined;
      return undefined;
    }
    case 'show':
      // A blob or a tag of one prints whole, whatever --stat says.
      return { ...base, commitRevs: true, revsOnly: noPatch && !patch };
    case 'diff':
      if (opts.includes('--no-index')) return undefined; // two paths on disk: searched by decide.ts
      return noPatch && !patch ? undefined : { ...base, commitRevs: true };
    case 'diff-tree':
    case 'diff-index':
    case 'diff-files':
      return rawByDefault ? { ...base, commitRevs: true } : undefined;
    case 'ls-files':
      // `-s`/`--stage`/`-u` print each entry's blob id (a whole-file guess oracle).
      return opts.some(
        (a) =>
          /^-[a-zA-Z]*[su]|^--(stage|unmerged)$/.test(a) ||
          (a.startsWith('--format') && /objectname/.test(a)),
      )
        ? { ...base, specs: [...specs, ...operands], operands: [] }
        : undefined;
    case 'ls-tree':
      // Prints each entry's object id unless told to print names only.
      return opts.some(
        (a) =>
          a === '--name-only' ||
          a === '--name-status' ||
          (a.startsWith('--format') && !/objectname/.test(a)),
      )
        ? undefined
        : {
            ...base,
            operands: operands.slice(0, 1),
            specs: [...specs, ...operands.slice(1)],
            commitRevs: true,
          };
    case 'rev-list':
      return opts.some((a) => a.startsWith('--objects'))
        ? {
            ...base,
            refuse: "rev-list --objects prints the id of every file in history, the zone's too",
          }
        : undefined;
    case 'hash-object':
      return opts.includes('--stdin-paths')
        ? {
            ...base,
            refuse:
              'hash-object --stdin-paths hashes files named on its input, which cleanroom cannot see',
          }
        : undefined;
    case 'show-index':
    case 'verify-pack':
      return { ...base, refuse: `git ${sub} lists the id of every object, the zone's files too` };
    case 'worktree':
      // A new work tree checks out every file, the zones' included, at a path of its own.
      return operands[0] === 'add'
        ? {
            ...base,
            refuse: "git worktree add checks out every file, the zone's too, at a new path",
          }
        : undefined;
    case 'submodule':
      // `git submodule add ./ sub` clones the repository (or a local one) into the work tree.
      if (operands[0] === 'add') {
        const url = operands[1];
        if (
          url === undefined ||
          /^file:/i.test(url) ||
          !(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/.]+:/.test(url))
        )
          return {
            ...base,
            refuse:
              "a submodule from a repository on this machine copies every file, the zone's too, to a new path",
          };
      }
      return undefined;
    case 'clone': {
      // `git clone . ../copy` (or the origin's local path): the zone's files in a new place.
      const valued =
        /^(-b|--branch|-o|--origin|-u|--upload-pack|--depth|--reference|--reference-if-able|--separate-git-dir|--template|-c|--config|--filter|--shallow-since|--shallow-exclude|-j|--jobs|--bundle-uri|--server-option)$/;
      const ops: string[] = [];
      for (let i = 0; i < before.length; i++) {
        if (before[i]!.startsWith('-')) {
          if (valued.test(before[i]!)) i++;
        } else ops.push(before[i]!);
      }
      const src = ops[0] ?? specs[0];
      const remote =
        src !== undefined &&
        !/^file:/i.test(src) &&
        (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || /^[^/]+:/.test(src));
      return remote
        ? undefined
        : {
            ...base,
            refuse:
              "a clone of a repository on this machine copies every file, the zone's too, to a new path",
          };
    }
    case 'format-patch':
    case 'range-diff':
    case 'difftool':
      return base;
    case 'grep': {
      // Without revisions the work tree is searched (decide.ts looks at the files on
      // disk); with revisions, --cached or a tree, history is: its pathspecs must prove it.
      const revs = operands.slice(opts.some((a) => /^-[ef]$/.test(a)) ? 0 : 1);
      if (!opts.some((a) => a === '--cached' || a === '--untracked') && !revs.length)
        return undefined;
      return { ...base, operands: revs, commitRevs: true };
    }
    case 'archive':
      return {
        ...base,
        operands: operands.slice(0, 1),
        specs: [...specs, ...operands.slice(1)],
        commitRevs: true,
      };
    case 'blame':
    case 'annotate':
      // Names one file; pathspec magic would let it name another.
      return operands.some((a) => a.startsWith(':')) || specs.some((a) => a.startsWith(':'))
        ? { ...base, refuse: 'it names its file with pathspec magic' }
        : undefined;
    case 'cat-file':
      if (opts.some((a) => a === '--batch-all-objects'))
        return { ...base, refuse: "it lists every object of the repository, the zone's files too" };
      if (
        opts.some((a) => /^-[tse]$/.test(a)) ||
        (opts.some((a) => a === '--batch-check' || a.startsWith('--batch-check=')) &&
          !opts.some(
            (a) => a === '--batch' || a.startsWith('--batch=') || a.startsWith('--batch-command'),
          ))
      )
        return undefined;
      if (opts.some((a) => a.startsWith('--batch')))
        return {
          ...base,
          refuse: 'it reads the objects to print from its input, which cleanroom cannot see',
        };
      return {
        ...base,
        objects: true,
        operands: operands.filter((o) => !/^(blob|tree|commit|tag)$/.test(o)),
      };
    case 'tag':
    case 'notes':
    case 'checkout':
    case 'restore':
    case 'reset':
      return bindsObject(sub, before, operands, base);
    default:
      if (GIT_KNOWN.has(sub)) return undefined;
      return {
        ...base,
        refuse: `cleanroom cannot see what "git ${sub}" prints or which objects it binds (an alias, a plumbing command, or a helper program)`,
      };
  }
}

/**
 * `git tag NAME OBJ`, `git notes add -C OBJ`, `git restore --source=OBJ`, `git checkout
 * OBJ -- PATH`, `git reset OBJ -- PATH`: a name (a tag, a note) or work-tree files made
 * from an object. A blob's id or a subtree lets a later `git show NAME` (or the file
 * itself) print a zone's content under another name, so the object must be a commit by
 * its spelling.
 */
function bindsObject(
  sub: string,
  before: string[],
  operands: string[],
  base: GitRead,
): GitRead | undefined {
  const objs: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    if (sub === 'notes' && /^(-[cC]|--reuse-message|--reedit-message)$/.test(a))
      objs.push(before[++i] ?? '');
    else if (sub === 'notes' && /^--(reuse|reedit)-message=/.test(a))
      objs.push(a.slice(a.indexOf('=') + 1));
    else if (sub === 'restore' && (a === '-s' || a === '--source')) objs.push(before[++i] ?? '');
    else if (sub === 'restore' && a.startsWith('--source=')) objs.push(a.slice(9));
  }
  if (sub === 'tag' && !before.some((a) => /^-[dlv]$|^--(delete|list|verify)$/.test(a))) {
    const named = operands.filter((_, i) => i > 0);
    const msg = before.findIndex(
      (a) => a === '-m' || a === '-F' || a === '--message' || a === '--file',
    );
    objs.push(...named.filter((o) => msg < 0 || before.indexOf(o) !== msg + 1));
  }
  if ((sub === 'checkout' || sub === 'reset') && base.specs.length && operands[0])
    objs.push(operands[0]);
  const bad = objs.find((o) => !commitSpelled(o));
  return bad === undefined
    ? undefined
    : {
        ...base,
        refuse: `"${bad}" may name a file's content or a directory rather than a commit (write it as ${bad}^{commit})`,
      };
}

/**
 * A revision that can only name a commit, whatever objects and tags the repository holds:
 * `HEAD`, `main`, `origin/main`, `HEAD~2`, `X^`, `X^{commit}`, `A..B`, `@{1}`. A bare
 * object id (`1a2b3c4`, which may be a blob's) and `REV:path` are not; decide.ts judges
 * `REV:path` by its path.
 */
export function commitSpelled(rev: string): boolean {
  const sides = rev.includes('..') ? rev.split(/\.\.\.?/) : [rev];
  return sides.every((side) => {
    const s = side.replace(/^\^/, '');
    if (s === '') return true;
    if (s.includes(':')) return false;
    if (/(~\d*|\^\d*|\^\{commit\}|\^\{\/[^}]*\}|\^[@!]|\^-\d*)$/.test(s)) return true;
    const name = s.replace(/@\{[^}]*\}$/, '');
    if (/\^\{|\^$/.test(name)) return false;
    // A hex word may be any object's id; a ref name cannot be bound to a blob by the agent (tag is judged above).
    return name === '' || (!/^[0-9a-f]{4,64}$/i.test(name) && /^[\w@][\w./@{}-]*$/.test(name));
  });
}
