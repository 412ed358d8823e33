// Gemini CLI: `.gemini/settings.json` → hooks.BeforeTool / AfterTool. Stdin:
//
//   {"session_id":"…","transcript_path":"…","cwd":"/repo","hook_event_name":"BeforeTool",
//    "timestamp":"2026-11-24T09:12:03Z","tool_name":"write_file",
//    "tool_input":{"file_path":"evals/tasks/q1.json","content":"…"}}
//
// Tools: write_file, replace (writes); read_file, read_many_files, list_directory,
// glob (names or contents of named paths); grep_search (contents below a directory);
// run_shell_command; MCP tools (`mcp__server__tool`, or `server__tool`). Answer: {"decision":"deny","reason":…} on stdout (exit 0) blocks
// and the reason goes to the model; exit 2 with stderr blocks too and is the error
// path; other exit codes are warnings and the tool runs.

import { resolve } from 'node:path';
import { globRoot } from './glob-root.js';
import { unknownTool } from './mcp.js';
import {
  addedText,
  firstStr,
  str,
  strList,
  type Adapter,
  type AgentEvent,
  toolCallPayload,
} from './types.js';
import { groupedWiring } from './wiring.js';

export const gemini: Adapter = {
  id: 'gemini',
  tool: 'gemini',
  aliases: ['gemini-cli'],
  projectDirVar: 'GEMINI_PROJECT_DIR',
  commandPrefix: '"$GEMINI_PROJECT_DIR"/',
  envMarkers: ['GEMINI_CLI'],
  parse(payload) {
    const { event, name, input, base, other } = toolCallPayload(payload, 'Gemini CLI', 'gemini');
    const file = firstStr(input, 'file_path', 'absolute_path', 'path');
    const dir = firstStr(input, 'dir_path', 'path') ?? '.';
    if (name === 'write_file' || name === 'replace') {
      if (!file) return other;
      if (event === 'BeforeTool') return { ...base, kind: 'write', paths: [file] };
      if (event !== 'AfterTool') return other;
      const text =
        name === 'write_file'
          ? str(input.content)
          : addedText(str(input.old_string), str(input.new_string) ?? '');
      return { ...base, kind: 'after-write', paths: [file], content: [text] };
    }
    if (event !== 'BeforeTool') return other;
    switch (name) {
      case 'read_file':
        return file ? { ...base, kind: 'read', paths: [file] } : other;
      case 'list_directory':
        return { ...base, kind: 'read', paths: [dir] };
      case 'glob':
        return { ...base, kind: 'read', paths: [globRoot(dir, str(input.pattern) ?? '')] };
      case 'read_many_files':
        // Each entry may be a glob whose matches are read: judge where it starts looking.
        return {
          ...base,
          kind: 'search',
          paths: [...strList(input.include), ...strList(input.paths)].map((g) => globRoot('.', g)),
        };
      case 'grep_search':
      case 'search_file_content': {
        const e: AgentEvent = { ...base, kind: 'search', paths: [dir] };
        const include = str(input.include);
        if (include) e.glob = include;
        return e;
      }
      case 'run_shell_command': {
        const sub = firstStr(input, 'dir_path', 'directory');
        return {
          ...base,
          kind: 'shell',
          paths: [],
          command: str(input.command) ?? '',
          cwd: sub && base.cwd ? resolve(base.cwd, sub) : base.cwd,
        };
      }
      default:
        // MCP tools and anything else that names paths (see mcp.ts).
        return unknownTool(base, name, input);
    }
  },
  reply(d) {
    if (d.action === 'allow') return { code: 0, stdout: '{}\n', stderr: '' };
    if (d.action === 'deny')
      return {
        code: 0,
        stdout: JSON.stringify({ decision: 'deny', reason: d.reason }) + '\n',
        stderr: '',
      };
    return { code: d.block ? 2 : 1, stdout: '', stderr: d.reason + '\n' };
  },
  wiring: groupedWiring({
    file: '.gemini/settings.json',
    label: 'Gemini CLI',
    agent: 'gemini',
    aliases: ['gemini-cli'],
    hook: { name: 'cleanroom', timeout: 10_000 },
    groups: [
      {
        event: 'BeforeTool',
        matcher:
          '^(write_file|replace|read_file|read_many_files|list_directory|glob|grep_search|search_file_content|run_shell_command|mcp_.*|.*__.*)$',
      },
      { event: 'AfterTool', matcher: '^(write_file|replace)$' },
    ],
  }),
};
