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

import { posix } from 'node:path';
import { patchWrites } from './patch.js';
type Token = { op: string } | { word: string; raw: string };

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
  const heredocs: { delim: string; strip: boolean }[] = [];
  let i = 0;
  let expectDelim: { strip: boolean } | undefined;
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
          if ((h.strip ? line.replace(/^\t+/, '') : line) === h.delim || end < 0) break;
        }
      }
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      out.push({ op });
      i += op.length;
      if (op === '<<' || op === '<<-') expectDelim = { strip: op === '<<-' };
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
          if (src[j] === '\\' && j + 1 < src.length) {
            word += src[j + 1];
            j += 2;
          } else word += src[j++];
        }
        raw += src.slice(i, j + 1);
        i = j + 1;
        continue;
      }
      if (ch === '\\' && i + 1 < src.length) {
        word += src[i + 1];
        raw += src.slice(i, i + 2);
        i += 2;
        continue;
      }
      word += ch;
      raw += ch;
      i++;
    }
    // "2>file": a file descriptor number glued to a redirection is not a word.
    if (/^\d+$/.test(raw) && (src[i] === '>' || src[i] === '<')) continue;
    if (expectDelim) {
      heredocs.push({ delim: word, strip: expectDelim.strip });
      expectDelim = undefined;
      continue;
    }
    out.push({ word, raw });
  }
  return out;
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
/** Wrapper options that take the next word as their value. */
const WRAPPER_ARGS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U']),
  env: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']),
  nice: new Set(['-n', '--adjustment']),
  xargs: new Set([
    '-I',
    '-i',
    '-n',
    '-P',
    '-L',
    '-l',
    '-s',
    '-d',
    '-E',
    '-a',
    '--arg-file',
    '--delimiter',
    '--max-args',
    '--max-procs',
  ]),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
};
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
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'busybox']);

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
  /** The segment's words before unwrapping (for messages). */
  text: string;
}

/** Splits a command line into simple commands; `sh -c STR` and `eval STR` are read inside too (depth ≤ 3). */
export function segments(command: string, depth = 0): Segment[] {
  const out: Segment[] = [];
  let words: { word: string; raw: string }[] = [];
  let redirects: Segment['redirects'] = [];
  let pending: string | undefined;
  const flush = (): void => {
    if (words.length || redirects.length) out.push(...unwrap(words, redirects, depth));
    words = [];
    redirects = [];
  };
  for (const t of tokenize(command)) {
    if ('op' in t) {
      if (SEPARATORS.has(t.op)) {
        flush();
        pending = undefined;
      } else pending = t.op;
      continue;
    }
    if (pending) {
      redirects.push({ op: pending, word: t.word, raw: t.raw });
      pending = undefined;
      continue;
    }
    words.push(t);
  }
  flush();
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
    text: all.map((w) => w.word).join(' '),
  };
  let i = 0;
  let wrapper: string | undefined;
  while (i < all.length) {
    const { word } = all[i]!;
    if (/^[A-Za-z_][A-Za-z0-9_]*\+?=/.test(word)) {
      seg.assigns.push(word);
      i++;
      continue;
    }
    if (WRAPPERS.has(word)) {
      wrapper = word;
      i++;
      continue;
    }
    if (wrapper && word.startsWith('-') && word.length > 1) {
      if (wrapper === 'env') seg.envOptions.push(word);
      const takes = WRAPPER_ARGS[wrapper]?.has(word.split('=')[0]!) && !word.includes('=');
      i++;
      if (takes && i < all.length) {
        if (wrapper === 'env') seg.envOptions.push(all[i]!.word);
        i++;
      }
      continue;
    }
    if (wrapper === 'timeout' && /^\d/.test(word)) {
      i++;
      continue;
    }
    break;
  }
  if (i >= all.length) return [seg];
  seg.cmd = all[i]!.word.split('/').pop() ?? all[i]!.word;
  seg.args = all.slice(i + 1);
  if (!dynamic(all[i]!.raw) && all[i]!.word.includes('/'))
    seg.args.unshift({ word: all[i]!.word, raw: all[i]!.raw });
  // `bash -c 'CMD'`, `eval 'CMD'`: the string is a command line of its own.
  if (depth < 3) {
    if (SHELLS.has(seg.cmd)) {
      const c = seg.args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a.word));
      if (c >= 0 && seg.args[c + 1]) return [seg, ...segments(seg.args[c + 1]!.word, depth + 1)];
    }
    if (seg.cmd === 'eval')
      return [seg, ...segments(seg.args.map((a) => a.word).join(' '), depth + 1)];
  }
  return [seg];
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
  /** Words given to programs that may change files (anything but a pure reader): refused when they name cleanroom's or git's own files. */
  touched: string[];
  /** More than `maxWords` words: the rest was not read. */
  truncated: boolean;
}

const isPath = (w: string): boolean =>
  !!w && w.length <= 4096 && !w.includes('\0') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(w);

/** `HEAD:path`, `:path`, `main~2:path`, `:0:path` → path (repository-relative), else undefined. */
export function revPath(word: string): string | undefined {
  const m = /^(?:[^\s:/]*|:[0-3]):(?!\/\/)(.+)$/.exec(word);
  return m && !/^[a-z][a-z0-9+.-]*$/i.test(word.split(':')[0]!)
    ? m[1]
    : m && /^(HEAD|FETCH_HEAD|ORIG_HEAD|MERGE_HEAD)/.test(word)
      ? m[1]
      : undefined;
}

export function shellPaths(command: string, maxWords = 5000): ShellPaths {
  const r: ShellPaths = {
    mentioned: [],
    written: [],
    copies: [],
    searched: [],
    revPaths: [],
    opaque: [],
    touched: [],
    truncated: false,
  };
  let words = 0;
  // `cd evals && cp ../drafts/q.json tasks/`: later relative words resolve from the new
  // directory. (A `cd` cleanroom cannot follow — `cd "$D"` — leaves words unresolved: the
  // commit hooks and the server still judge what lands.)
  let dir = '';
  const at = (p: string): string => (dir && !p.startsWith('/') ? posix.join(dir, p) : p);
  for (const seg of segments(command)) {
    const lengths = LISTS.map((k) => r[k].length);
    const copies = r.copies.length;
    readOne(seg, r, () => ++words > maxWords);
    if (r.truncated) return r;
    if (dir) {
      LISTS.forEach((k, i) => {
        for (let j = lengths[i]!; j < r[k].length; j++) r[k][j] = at(r[k][j]!);
      });
      for (let j = copies; j < r.copies.length; j++) {
        const c = r.copies[j]!;
        r.copies[j] = { ...c, dest: at(c.dest), sources: c.sources.map(at) };
      }
    }
    if (
      (seg.cmd === 'cd' || seg.cmd === 'pushd') &&
      seg.args.length === 1 &&
      !dynamic(seg.args[0]!.raw)
    )
      dir = at(seg.args[0]!.word);
  }
  // Codex (before 0.124) ran apply_patch as a shell heredoc.
  if (command.includes('*** Begin Patch'))
    for (const f of patchWrites(command)) r.written.push(f.path);
  return r;
}

const LISTS = ['mentioned', 'written', 'searched', 'opaque', 'touched'] as const;

function readOne(seg: Segment, r: ShellPaths, tooMany: () => boolean): void {
  for (const d of seg.redirects) {
    // A here-string is input text: `git cat-file --batch <<< HEAD:evals/x.json` reads it.
    if (d.op === '<<<') {
      const rev = revPath(d.word);
      if (rev !== undefined) r.revPaths.push(rev);
      r.mentioned.push(...embeddedPaths(d.word).filter(isPath));
      continue;
    }
    if (dynamic(d.raw) || /^\d+$/.test(d.word) || d.word === '-' || !isPath(d.word)) continue;
    if (WRITE_REDIRECTS.has(d.op)) r.written.push(...expandBraces(d.word));
    else if (d.op === '<') r.mentioned.push(d.word);
  }
  if (!seg.cmd) return;
  const args: string[] = [];
  for (const a of seg.args) {
    if (tooMany()) {
      r.truncated = true;
      return;
    }
    if (dynamic(a.raw)) continue;
    for (const w of /^['"]/.test(a.raw) ? [a.word] : expandBraces(a.word)) args.push(w);
  }
  readSegment(seg.cmd, args, r);
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
  const eq = /^[A-Za-z_][\w.-]*=(.+)$/.exec(w);
  const runs = w.match(/[\w.@+-]+(?:\/[\w.@+-]+)+\/?/g) ?? [];
  return [...(eq ? [eq[1]!] : []), ...runs].filter((p) => p !== w);
};

function readSegment(cmd: string, args: string[], r: ShellPaths): void {
  const direct = args.map(valueOf).filter((w): w is string => w !== undefined && isPath(w));
  const paths = [
    ...direct,
    ...args.flatMap(embeddedPaths).filter((p) => isPath(p) && !direct.includes(p)),
  ];
  r.mentioned.push(...paths);
  const git = cmd === 'git' ? gitSub(args) : undefined;
  const reader = READERS.has(cmd)
    ? !(cmd === 'find' && args.some((a) => FIND_ACTIONS.test(a)))
    : git !== undefined && GIT_READS.has(git.sub);
  if (!reader) r.touched.push(...paths);
  const known =
    reader || NO_CONTENT.has(cmd) || (git !== undefined && GIT_NO_NEW_CONTENT.has(git.sub));
  if (!known) r.opaque.push(...paths);
  if (cmd === 'tee') r.written.push(...args.filter((a) => !a.startsWith('-')));
  if (DEST_LAST.has(cmd)) copyOf(cmd === 'rsync', args, r);
  if (
    (cmd === 'grep' || cmd === 'egrep' || cmd === 'fgrep') &&
    args.some((a) => /^-[a-zA-Z]*[rR]|^--(recursive|dereference-recursive)$/.test(a))
  )
    searchOperands(args, r, true);
  if (cmd === 'rg' || cmd === 'ag' || cmd === 'ack') searchOperands(args, r, true);
  if (git) {
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
      r.searched.push(...(pathspecs.length ? pathspecs : ['.']));
    }
  }
}

function searchOperands(args: string[], r: ShellPaths, patternFirst: boolean): void {
  const operands: string[] = [];
  let pattern =
    patternFirst &&
    !args.some(
      (a) => a === '-e' || a === '-f' || a.startsWith('--regexp') || a.startsWith('--file'),
    );
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') continue;
    if (a.startsWith('-')) {
      if (/^-[efABCmg]$|^--(regexp|file|context|glob|type|max-count)$/.test(a)) i++;
      continue;
    }
    if (pattern) {
      pattern = false;
      continue;
    }
    operands.push(a);
  }
  r.searched.push(...(operands.length ? operands : ['.']));
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
      if (COPY_ARGS.has(a)) i++;
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
