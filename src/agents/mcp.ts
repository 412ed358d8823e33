// MCP tools (and any tool an adapter does not know by name). Claude Code, Codex and
// Gemini CLI pass MCP calls through their tool hooks as `mcp__<server>__<tool>`; Cursor
// has `beforeMCPExecution`; Copilot names them `<server>-<tool>`. cleanroom cannot know
// what a server's tool does, so it judges every path-like argument: a tool whose name
// says it only reads (read_text_file, list_directory, search_files, get_…) is judged as a
// read; anything else as a write AND a read — the filesystem server's write_file into a
// deny zone, or its read_text_file of a `read: deny` zone, is refused.
//
//   {"tool_name":"mcp__filesystem__write_file","tool_input":{"path":"/repo/evals/tasks/q.json","content":"…"}}

import { isRecord, type AgentEvent } from './types.js';

/** Argument names that hold paths (path, file_path, paths, source, destination, uri, cwd, …). */
const PATH_KEY =
  /(^|_|-)(path|paths|file|files|filename|filepath|dir|dirs|directory|directories|folder|dest|destination|source|src|target|uri|root|cwd|location)s?$/i;
/** Tool names that only read (names, or contents) what they are given. */
const READS =
  /(?:^|[_\-.])(?:read|get|list|search|find|grep|view|show|stat|info|tree|cat|head|tail|glob|ls|query|fetch|open|describe|inspect|diff|log|blame)(?:[_\-.]|$)|^(?:read|get|list|search|find|view)[A-Z]/;
const WRITES =
  /(write|edit|create|move|rename|copy|delete|remove|put|set|update|patch|append|insert|replace|mkdir|upload|save|apply|commit|push|exec|run|shell|command)/i;
/** Deeper than this, or more values than this, and the call is refused unjudged (decide.ts MAX_PATHS). */
const MAX_DEPTH = 6;

/** `file:///repo/x` → `/repo/x`; other URIs are not local paths. */
function asPath(v: string): string | undefined {
  if (v.startsWith('file://')) {
    try {
      return decodeURIComponent(new URL(v).pathname);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.includes('\n') || v === '' || v.length > 4096)
    return undefined;
  return v;
}

/** Every path-like value under `input`: values of path-named keys, at any depth. */
export function pathArguments(input: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, key: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (typeof v === 'string') {
      if (PATH_KEY.test(key)) {
        const p = asPath(v);
        if (p !== undefined) out.push(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x, key, depth + 1);
      return;
    }
    if (isRecord(v)) for (const [k, x] of Object.entries(v)) visit(x, k, depth + 1);
  };
  visit(input, '', 0);
  return out;
}

/** Does this tool name say it only reads? (`mcp__filesystem__read_text_file` yes, `…__write_file` no.) */
export function readsOnly(name: string): boolean {
  const tool = name.split(/__|\//).pop() ?? name;
  return READS.test(tool) && !WRITES.test(tool);
}

/**
 * The event for a tool the adapter does not know: its path-like arguments judged as a
 * read (a reading tool) or as both (anything else), or `other` when it names no path.
 */
export function unknownTool(
  base: Omit<AgentEvent, 'kind' | 'paths'>,
  name: string,
  input: unknown,
): AgentEvent {
  const paths = pathArguments(input);
  if (!paths.length) return { ...base, name, kind: 'other', paths: [] };
  return { ...base, name, kind: readsOnly(name) ? 'read' : 'access', paths };
}
