// What a shell command line names, as far as can be seen without running it: every
// word that could be a path ("mentioned"), and the words it clearly writes to
// ("written": redirection targets, `tee` operands, the destination of cp/mv/install/ln,
// files an embedded `apply_patch` heredoc adds). What it cannot see: paths built at run
// time ($VAR, $(…), globs that only expand into a zone), `cd` before a relative path,
// and programs that write files themselves (python -c "open(…, 'w')", sed -i, dd of=).

import { patchWrites } from './patch.js';

type Token = { op: string } | { word: string; raw: string };

const OPS = ['&>>', '<<<', '<<-', '&&', '||', ';;', '|&', '>>', '>|', '&>', '<<', '<>', '<&', '>&', ';', '|', '&', '(', ')', '<', '>', '\n'];

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
    if (c === '#' ) {
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
const PREFIXES = new Set(['sudo', 'env', 'time', 'nohup', 'exec', 'command', 'builtin', 'then', 'do', 'else', 'if', 'while', 'until', '!', '{', 'xargs']);
const DEST_LAST = new Set(['cp', 'mv', 'install', 'ln', 'rsync']);

/** A word we cannot resolve to a path without running the shell. */
const dynamic = (raw: string): boolean => /[$`]/.test(raw) || raw.startsWith('~');

export interface ShellPaths {
  mentioned: string[];
  written: string[];
  /** More than `maxWords` words: the rest was not read. */
  truncated: boolean;
}

export function shellPaths(command: string, maxWords = 5000): ShellPaths {
  const tokens = tokenize(command);
  const mentioned: string[] = [];
  const written: string[] = [];
  let seg: string[] = [];
  let cmd: string | undefined;
  let pending: 'write' | 'read' | 'skip' | undefined;
  const path = (w: string): string | undefined => {
    if (!w || w.length > 4096 || w.includes('\0') || /^[a-z][a-z0-9+.-]*:\/\//i.test(w)) return undefined;
    return w;
  };
  const endSegment = (): void => {
    if (cmd && DEST_LAST.has(cmd)) {
      const operands = seg.filter((w) => !w.startsWith('-'));
      const dest = operands[operands.length - 1];
      if (operands.length >= 2 && dest) written.push(dest);
    }
    seg = [];
    cmd = undefined;
  };
  let words = 0;
  let truncated = false;
  for (const t of tokens) {
    if ('op' in t) {
      if (SEPARATORS.has(t.op)) {
        endSegment();
        pending = undefined;
      } else if (WRITE_REDIRECTS.has(t.op)) pending = 'write';
      else if (t.op === '<') pending = 'read';
      else pending = 'skip'; // <<< here-string, <& fd duplication
      continue;
    }
    if (++words > maxWords) {
      truncated = true;
      break;
    }
    const { word, raw } = t;
    if (pending) {
      const kind = pending;
      pending = undefined;
      if (kind === 'skip' || dynamic(raw) || /^\d+$/.test(word) || word === '-') continue;
      const p = path(word);
      if (p) (kind === 'write' ? written : mentioned).push(p);
      continue;
    }
    if (cmd === undefined) {
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || PREFIXES.has(word)) continue;
      cmd = word.split('/').pop() ?? word;
      const p = !dynamic(raw) && word.includes('/') ? path(word) : undefined;
      if (p) mentioned.push(p);
      continue;
    }
    if (dynamic(raw)) continue;
    let w = word;
    if (w.startsWith('-')) {
      const eq = w.indexOf('=');
      if (eq < 0) continue;
      w = w.slice(eq + 1);
    }
    const p = path(w);
    if (!p) continue;
    if (cmd === 'tee') written.push(p);
    else {
      mentioned.push(p);
      if (DEST_LAST.has(cmd)) seg.push(word);
    }
  }
  endSegment();
  // Codex (before 0.124) ran apply_patch as a shell heredoc.
  if (command.includes('*** Begin Patch')) for (const f of patchWrites(command)) written.push(f.path);
  return { mentioned, written, truncated };
}
