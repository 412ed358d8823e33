// MCP tools (and any tool an adapter does not know by name). Claude Code, Codex and
// Gemini CLI pass MCP calls through their tool hooks as `mcp__<server>__<tool>`; Cursor
// has `beforeMCPExecution`; Copilot names them `<server>-<tool>`. cleanroom cannot know
// what a server's tool does, so it judges every path-like argument: a tool whose name
// says it only reads (read_text_file, list_directory, search_files, get_…) is judged as a
// read; anything else as a write AND a read — the filesystem server's write_file into a
// deny zone, or its read_text_file of a `read: deny` zone, is refused. An argument is a
// path when a word of its name says so (`path`, `pathInProject`, `relativePath`,
// `outputDir`, `source_file`), or when its value is a `file://` URL. A tool that runs a
// command (`command`/`cmd` arguments, what is typed into a tool named for a shell, a
// terminal or a process) is judged as a shell command line; one that runs program text
// (`code`, `script`: `mcp__ide__executeCode`) is refused wherever a zone exists.
//
//   {"tool_name":"mcp__filesystem__write_file","tool_input":{"path":"/repo/evals/tasks/q.json","content":"…"}}

import { existsSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';
import { isRecord, type AgentEvent } from './types.js';

/** Words of an argument name that say it holds a path (path, file, dir, source, uri, …). */
const PATH_WORDS = new Set([
  'path',
  'paths',
  'pathname',
  'file',
  'files',
  'filename',
  'filenames',
  'filepath',
  'filepaths',
  'dir',
  'dirs',
  'dirname',
  'directory',
  'directories',
  'folder',
  'folders',
  'dest',
  'destination',
  'source',
  'src',
  'target',
  'uri',
  'uris',
  'root',
  'roots',
  'cwd',
  'location',
  'workdir',
  'workspace',
]);
/** Last words of a name that say it holds something else, whatever came before (`file_text`, `pathPattern`). */
const NOT_PATH = new Set([
  'text',
  'content',
  'contents',
  'body',
  'data',
  'size',
  'type',
  'mode',
  'encoding',
  'count',
  'length',
  'format',
  'pattern',
  'query',
  'regex',
  'id',
  'ids',
  'line',
  'lines',
  'offset',
  'limit',
  'hash',
  'sha',
  'title',
  'message',
  'description',
  'comment',
  'summary',
  'subject',
  'note',
  'label',
  'prompt',
]);
/** `pathInProject`, `relative_path`, `absolute-path`, `outputDir` → their words, lower-cased. */
const words = (key: string): string[] =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
/** Does the argument `key` name a path? Any of its words is a path word, and its last word is not content. */
export function isPathKey(key: string): boolean {
  const w = words(key);
  return w.some((x) => PATH_WORDS.has(x)) && !NOT_PATH.has(w[w.length - 1] ?? '');
}
/** An argument holding a command line the tool runs (`command`, `cmd`, `commandLine`, `shell_command`). */
const isCommandKey = (key: string): boolean => {
  const w = words(key);
  const last = w[w.length - 1] ?? '';
  const all = w.join('');
  return (
    ['command', 'cmd', 'commandline', 'cmdline'].includes(last) ||
    /(?:command|cmd)line$|^argv$/.test(all) ||
    (w.length === 1 && ['shell', 'bash', 'sh'].includes(last))
  );
};
/** An argument holding program text in some language the tool runs (`code`, `script`, `sourceCode`). */
const isCodeKey = (key: string): boolean => {
  const w = words(key);
  const last = w[w.length - 1] ?? '';
  return ['code', 'script', 'program', 'snippet'].includes(last);
};
/** Words of a tool name that say it runs what it is given: its text arguments (`input`, `keys`) are typed into a shell or a program. */
const RUN_WORDS = new Set([
  'exec',
  'execute',
  'run',
  'shell',
  'terminal',
  'bash',
  'process',
  'repl',
  'console',
  'pty',
  'tty',
  'stdin',
  'interact',
  'command',
  'spawn',
]);
/** Arguments of such a tool that hold what is typed into it. */
const TYPED = /^(input|inputs|text|keys|stdin|data|line|chars)$/i;
/** Command-line arguments given as a list beside `command` (`{"command":"cat","args":[…]}`). */
const ARGS = /^(args|argv|arguments)$/i;
/** Tool names that only read (names, or contents) what they are given. */
const READS =
  /(?:^|[_\-.])(?:read|get|list|search|find|grep|view|show|stat|info|tree|cat|head|tail|glob|ls|query|fetch|open|describe|inspect|diff|log|blame)(?:[_\-.]|$)|^(?:read|get|list|search|find|view)[A-Z]/;
const WRITES =
  /(write|edit|create|move|rename|copy|delete|remove|put|set|update|patch|append|insert|replace|mkdir|upload|save|apply|commit|push|exec|run|shell|command)/i;
/** Deeper than this, or more values than this, and the call is refused unjudged (decide.ts MAX_PATHS). */
const MAX_DEPTH = 6;

/** A `file:` URL, in every form a server may read as a local file (`file:///x`, `file:/x`, `file:x`, `FILE://x`). */
const FILE_URL = /^file:/i;

/** `file:///repo/x`, `file:/repo/x` → `/repo/x`; `file:rel/x` → `rel/x`; other URIs are not local paths. */
function asPath(v: string): string | undefined {
  if (v.includes('\n') || v === '' || v.length > 4096) return undefined;
  if (FILE_URL.test(v)) {
    const rest = v.slice(5);
    if (rest.startsWith('//')) {
      try {
        return decodeURIComponent(new URL(`file:${rest}`).pathname);
      } catch {
        return undefined;
      }
    }
    try {
      return decodeURIComponent(rest);
    } catch {
      return rest;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return undefined;
  return v;
}

/** Does `v` name something on disk from `cwd` or from a repository root above it? */
function existsNear(v: string, cwd: string): boolean {
  if (v.includes('\0')) return false;
  try {
    if (existsSync(resolve(cwd, v))) return true;
    for (let d = cwd; ; d = dirname(d)) {
      if (existsSync(join(d, '.git')) && existsSync(resolve(d, v))) return true;
      if (dirname(d) === d) return false;
    }
  } catch {
    return false;
  }
}

/** More string arguments in one object than this, and their pairs (`dir` + `file`) are not joined. */
const MAX_PAIRED = 16;

/**
 * Every path-like value under `input`, at any depth: values of path-named keys, `file:`
 * URLs under any name, and — under any key that does not name text (`content`, `query`,
 * `body`, `title`) — a value that looks like a path (a `/` or `\`, a leading `.` or `~`)
 * or names something that exists from `cwd` or a repository root (`name`, `to`, `output`,
 * `input`). A value with `\` is judged a second time with `/` (a Windows-minded server
 * reads it so), and the path-like values of one object are also judged joined (`dir` +
 * `file`). Fail closed: a value is judged where it may be a path, not only where its
 * name says so.
 */
export function pathArguments(input: unknown, cwd: string = process.cwd()): string[] {
  const out = new Set<string>();
  const add = (p: string): void => {
    out.add(p);
    if (p.includes('\\')) out.add(p.replace(/\\/g, '/'));
  };
  const pathLike = (key: string, v: string): string | undefined => {
    if (FILE_URL.test(v)) return asPath(v);
    const p = asPath(v);
    if (p === undefined) return undefined;
    if (isPathKey(key)) return p;
    const w = words(key);
    if (NOT_PATH.has(w[w.length - 1] ?? '')) return undefined;
    if (/[/\\]/.test(p) || /^[.~]/.test(p) || existsNear(p, cwd)) return p;
    return undefined;
  };
  const visit = (v: unknown, key: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      const p = pathLike(key, v);
      if (p !== undefined) add(p);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x, key, depth + 1);
      return;
    }
    if (!isRecord(v)) return;
    const here: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      visit(x, k, depth + 1);
      if (typeof x === 'string') {
        const p = pathLike(k, x);
        if (p !== undefined) here.push(p.replace(/\\/g, '/'));
      }
    }
    // `{"dir": "evals", "file": "fixtures/env.json"}`: the server may join them.
    if (here.length > 1 && here.length <= MAX_PAIRED)
      for (const a of here)
        for (const b of here) if (a !== b && !posix.isAbsolute(b)) add(posix.join(a, b));
  };
  visit(input, '', 0);
  return [...out];
}

/** Does this tool name say it only reads? (`mcp__filesystem__read_text_file` yes, `…__write_file` no.) */
export function readsOnly(name: string): boolean {
  const tool = name.split(/__|\//).pop() ?? name;
  return READS.test(tool) && !WRITES.test(tool);
}

/** Words of a reading tool's name that say it walks a directory tree and reads what is there. */
const SEARCHES =
  /(?:^|[_\-.])(?:search|find|grep|rg|ripgrep|tree|glob|walk|recursive|scan)(?:[_\-.]|$)|^(?:search|find|grep)[A-Z]/;

/**
 * The event for a tool the adapter does not know: its path-like arguments judged as a
 * search (a reading tool that walks a tree: search_files, directory_tree), a read (a
 * reading tool) or both read and write (anything else), or `other` when it names no
 * path. A git tool (the git MCP server's git_show, git_diff, …) is the git command line
 * it runs, judged by the shell analyser.
 */
export function unknownTool(
  base: Omit<AgentEvent, 'kind' | 'paths'>,
  name: string,
  input: unknown,
): AgentEvent {
  const paths = pathArguments(input, base.cwd ?? process.cwd());
  const git = gitTool(name, input);
  if (git) {
    const e: AgentEvent = { ...base, name, kind: 'shell', paths, mcp: true };
    if (git.cwd) e.cwd = resolve(base.cwd ?? process.cwd(), git.cwd);
    if (git.command !== undefined) e.command = git.command;
    else e.unread = git.unread;
    return e;
  }
  const run = runArguments(name, input);
  if (run.commands.length || run.code.length) {
    // A tool that runs a command: the shell analyser reads it (decide.ts), and its paths
    // are judged as a tool's that may read or write them.
    const e: AgentEvent = {
      ...base,
      name,
      kind: 'shell',
      paths,
      command: run.commands.join('\n'),
      mcp: true,
    };
    if (run.code.length) e.code = run.code.join('\n');
    return e;
  }
  if (!paths.length) return { ...base, name, kind: 'other', paths: [] };
  const tool = name.split(/__|\//).pop() ?? name;
  const kind = readsOnly(name) ? (SEARCHES.test(tool) ? 'search' : 'read') : 'access';
  return { ...base, name, kind, paths, mcp: true };
}

/** Sub-commands (as tool-name words) of a git tool that print file content. */
const GIT_PRINTS =
  /(?:^|_)(?:show|diff|log|read|cat|blame|grep|search|file|files|archive|patch|stash|blob|content|contents|history|format|bundle|apply|am)(?:_|$)/;

/**
 * A git MCP tool (`mcp__git__git_show`, Copilot's `git-git_diff`, a tool named `git_…`)
 * as the git command line it runs, from the official server's tools
 * (modelcontextprotocol/servers src/git: repo.git.show(revision), repo.git.diff(
 * "--unified=N", target), repo.index.commit(message) — which runs no hooks, so
 * `git commit --no-verify`). A git tool cleanroom does not know: `unread` when its name
 * says it prints content (refused where a zone exists), else undefined (its arguments
 * judged as any tool's).
 */
export function gitTool(
  name: string,
  input: unknown,
): { command?: string; unread?: string; cwd?: string } | undefined {
  const m =
    /^mcp__git__(?:git_)?(\w+)$/i.exec(name) ??
    /^git[-_.](?:git_)?(\w+)$/i.exec(name) ??
    /(?:^|__|[-/.])git_(\w+)$/i.exec(name);
  if (!m) return undefined;
  const sub = m[1]!.toLowerCase();
  const a = isRecord(input) ? input : {};
  const s = (k: string): string | undefined =>
    typeof a[k] === 'string' || typeof a[k] === 'number' ? String(a[k]) : undefined;
  const cwd = s('repo_path') ?? s('repoPath') ?? s('repository') ?? s('path');
  const n = s('context_lines') ?? '3';
  const q = (w: string): string => quote(w);
  const list = (v: unknown): string[] =>
    Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : typeof v === 'string'
        ? [v]
        : [];
  let words: string[] | undefined;
  switch (sub) {
    case 'status':
      words = ['status'];
      break;
    case 'diff_unstaged':
      words = ['diff', `--unified=${n}`];
      break;
    case 'diff_staged':
      words = ['diff', `--unified=${n}`, '--cached'];
      break;
    case 'diff':
      words = ['diff', `--unified=${n}`, ...(s('target') !== undefined ? [s('target')!] : [])];
      break;
    case 'show':
      words = ['show', s('revision') ?? 'HEAD'];
      break;
    case 'log':
      words = ['log', `--max-count=${s('max_count') ?? '10'}`];
      if (s('start_timestamp') !== undefined) words.push('--since', s('start_timestamp')!);
      if (s('end_timestamp') !== undefined) words.push('--until', s('end_timestamp')!);
      break;
    case 'commit':
      words = ['commit', '--no-verify', '-m', s('message') ?? ''];
      break;
    case 'commit_signed':
      words = ['commit', '-S', '-m', s('message') ?? ''];
      break;
    case 'add':
      words = ['add', '--', ...list(a.files)];
      break;
    case 'reset':
      words = ['reset'];
      break;
    case 'create_branch':
      words = [
        'branch',
        '--',
        s('branch_name') ?? '',
        ...(s('base_branch') ? [s('base_branch')!] : []),
      ];
      break;
    case 'checkout':
      words = ['checkout', s('branch_name') ?? ''];
      break;
    case 'branch':
      words = ['branch'];
      if (s('contains')) words.push('--contains', s('contains')!);
      if (s('not_contains')) words.push('--no-contains', s('not_contains')!);
      break;
  }
  const out: { command?: string; unread?: string; cwd?: string } = {};
  if (cwd !== undefined) out.cwd = cwd;
  if (words) out.command = ['git', ...words.map(q)].join(' ');
  else if (GIT_PRINTS.test(sub)) out.unread = `a git tool (${sub}) that may print file content`;
  else return undefined;
  return out;
}

const quote = (w: string): string => `'${w.replace(/'/g, `'\\''`)}'`;

/**
 * What an MCP tool runs: command lines (`execute_terminal_command {command}`,
 * desktop-commander `start_process {command}`, `{command, args}`, what a tool named for
 * a shell or a process has typed into it: `interact_with_process {input}`) and program
 * text (`mcp__ide__executeCode {code}`, `{script}`). Top-level and nested arguments alike.
 */
export function runArguments(name: string, input: unknown): { commands: string[]; code: string[] } {
  const commands: string[] = [];
  const code: string[] = [];
  const tool = name.split(/__|\//).pop() ?? name;
  const runs = words(tool).some((w) => RUN_WORDS.has(w));
  const visit = (v: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || !isRecord(v)) {
      if (Array.isArray(v) && depth <= MAX_DEPTH) for (const x of v) visit(x, depth + 1);
      return;
    }
    const list = Object.entries(v).find(
      ([k, x]) => ARGS.test(k) && !isCommandKey(k) && Array.isArray(x),
    )?.[1] as unknown[] | undefined;
    const extra = (list ?? []).filter((x): x is string => typeof x === 'string').map(quote);
    for (const [k, x] of Object.entries(v)) {
      if (isCommandKey(k)) {
        if (typeof x === 'string' && x.trim() !== '') commands.push([x, ...extra].join(' '));
        else if (Array.isArray(x) && x.length && x.every((y) => typeof y === 'string'))
          commands.push([...(x as string[]).map(quote), ...extra].join(' '));
      } else if (isCodeKey(k) && typeof x === 'string' && x.trim() !== '') code.push(x);
      else if (runs && TYPED.test(k) && typeof x === 'string' && x.trim() !== '')
        commands.push(...typedLines(x));
      else if (typeof x === 'object' && x !== null) visit(x, depth + 1);
    }
  };
  visit(input, 0);
  return { commands, code };
}

/**
 * Text typed into a running shell or program (Copilot's `write_bash`, Cursor's
 * `WriteShellStdin`, an MCP `interact_with_process`), read as command lines: each line
 * as typed, and once more without the escape an interactive program runs a shell
 * command with — `!cmd` (ed, vi `:!cmd`, less, more, man, gdb, ftp), `.shell`/`.system`
 * (sqlite3), `shell`/`system` — so that the line is judged as what it runs.
 */
export function typedLines(text: string): string[] {
  const out: string[] = [];
  // eslint-disable-next-line no-control-regex
  for (const raw of text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '\n').split(/\r?\n|\r/)) {
    if (raw.trim() === '') continue;
    out.push(raw);
    const m = /^\s*(?::?\s*!+|\.shell\s|\.system\s|shell\s|system\s|sh\s)\s*(.*)$/.exec(raw);
    if (m && m[1]!.trim() !== '') out.push(m[1]!);
  }
  return out;
}

/**
 * The text a write-to-a-session tool types (Copilot `write_bash {shellId, input}`, Cursor
 * `WriteShellStdin`): its `input` (or a like-named argument); when it has none of those,
 * every string argument, so that a renamed field is still judged.
 */
export function typedText(input: Record<string, unknown>): string {
  for (const k of ['input', 'stdin', 'text', 'keys', 'data', 'content', 'chars', 'command'])
    if (typeof input[k] === 'string') return input[k];
  return Object.entries(input)
    .filter(
      ([k, v]) => typeof v === 'string' && !/^(shell_?id|session_?id|id|description)$/i.test(k),
    )
    .map(([, v]) => v as string)
    .join('\n');
}
