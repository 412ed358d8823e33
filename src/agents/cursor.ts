// Cursor: `.cursor/hooks.json` ({"version":1,"hooks":{EVENT:[{"command":…}]}}). Stdin
// always carries conversation_id, generation_id, hook_event_name, workspace_roots (and
// model where known), plus per event:
//
//   beforeReadFile        {"file_path":"/repo/evals/fixtures/a.json","content":"…","attachments":[…]}
//   beforeShellExecution  {"command":"cat evals/fixtures/a.json","cwd":"/repo"}
//   preToolUse            {"tool_name":"Write","tool_input":{"file_path":"…","contents":"…"}}
//   afterFileEdit         {"file_path":"/repo/x.py","edits":[{"old_string":"…","new_string":"…"}]}
//   beforeMCPExecution    {"tool_name":"write_file","tool_input":"{\"path\":\"…\"}","url"|"command":…}
//   beforeTabFileRead     {"file_path":"…","content":"…"}        (Tab reads a file into the model)
//   afterTabFileEdit      {"file_path":"…","edits":[{"old_string":"…","new_string":"…",…}]}
//
// Answer: {"permission":"deny","user_message":…,"agent_message":…} on stdout blocks.
// "allow" would also skip Cursor's own approval prompt, so "no decision" is `{}` (and
// {"permission":"allow"} only for beforeReadFile, which has no prompt). Exit 2 blocks
// too — the error path; any other exit fails open unless the entry has failClosed: true,
// which init sets on the blocking events.

import { globRoot } from './glob-root.js';
import { typedLines, typedText, unknownTool } from './mcp.js';
import {
  addedText,
  firstStr,
  HookInputError,
  isRecord,
  record,
  str,
  type Adapter,
  type AgentEvent,
} from './types.js';
import { flatWiring } from './wiring.js';

const WRITE_TOOLS = new Set([
  'Write',
  'Edit',
  'StrReplace',
  'MultiEdit',
  'EditNotebook',
  'NotebookEdit',
  'write',
  'edit',
]);

export const cursor: Adapter = {
  id: 'cursor',
  tool: 'cursor',
  aliases: ['cursor-agent'],
  projectDirVar: 'CURSOR_PROJECT_DIR',
  commandPrefix: '"${CURSOR_PROJECT_DIR:-.}"/', // project hooks run from the root when it is unset
  envMarkers: ['CURSOR_AGENT'],
  parse(payload) {
    const p = record(payload, 'Cursor');
    const event = str(p.hook_event_name) ?? '';
    const roots = Array.isArray(p.workspace_roots)
      ? p.workspace_roots.filter((r): r is string => typeof r === 'string')
      : [];
    const base: Omit<AgentEvent, 'kind' | 'paths'> = {
      tool: 'cursor',
      name: event,
      cwd: str(p.cwd) ?? roots[0],
      session: str(p.conversation_id) ?? 'unknown',
    };
    const model = str(p.model);
    if (model) base.model = model;
    const other: AgentEvent = { ...base, kind: 'other', paths: [] };
    const file = str(p.file_path);
    switch (event) {
      case 'beforeReadFile':
      case 'beforeTabFileRead':
        return file ? { ...base, kind: 'read', paths: [file] } : other;
      case 'beforeShellExecution':
        return { ...base, kind: 'shell', paths: [], command: str(p.command) ?? '' };
      case 'afterFileEdit':
      case 'afterTabFileEdit': {
        if (!file) return other;
        const edits = (Array.isArray(p.edits) ? p.edits : []).filter(isRecord);
        return {
          ...base,
          kind: 'after-write',
          paths: [file],
          content: [
            edits.map((e) => addedText(str(e.old_string), str(e.new_string) ?? '')).join('\n'),
          ],
        };
      }
      case 'beforeMCPExecution': {
        // tool_input is a JSON string (or an object): every path-like argument is judged.
        let input: unknown = p.tool_input;
        if (typeof input === 'string') {
          try {
            input = JSON.parse(input) as unknown;
          } catch {
            throw new HookInputError('Cursor beforeMCPExecution tool_input is not JSON');
          }
        }
        const e = unknownTool(base, str(p.tool_name) ?? event, input);
        return e.kind === 'other' ? { ...e, name: event } : e;
      }
      case 'preToolUse': {
        const name = str(p.tool_name) ?? '';
        const input = isRecord(p.tool_input) ? p.tool_input : {};
        const target = firstStr(input, 'file_path', 'path', 'target_file', 'target_notebook');
        const named = { ...base, name };
        if (WRITE_TOOLS.has(name))
          return target ? { ...named, kind: 'write', paths: [target] } : other;
        if (name === 'Read' || name === 'read_file')
          return target ? { ...named, kind: 'read', paths: [target] } : other;
        if (name === 'Grep') {
          const e: AgentEvent = { ...named, kind: 'search', paths: [target ?? '.'] };
          const glob = firstStr(input, 'glob', 'include');
          if (glob) e.glob = glob;
          return e;
        }
        if (name === 'Glob')
          return {
            ...named,
            kind: 'read',
            paths: [globRoot(target ?? '.', firstStr(input, 'glob_pattern', 'pattern') ?? '')],
          };
        if (name === 'Shell')
          return { ...named, kind: 'shell', paths: [], command: str(input.command) ?? '' };
        if (name === 'WriteShellStdin')
          // Text typed into a running shell (what Shell started): judged as command lines.
          return {
            ...named,
            kind: 'shell',
            paths: [],
            command: typedLines(typedText(input)).join('\n'),
          };
        return unknownTool(base, name, input);
      }
      default:
        return other;
    }
  },
  reply(d, event) {
    const none =
      event?.name === 'beforeReadFile' || event?.name === 'beforeTabFileRead'
        ? '{"permission":"allow"}\n'
        : '{}\n';
    if (d.action === 'allow') return { code: 0, stdout: none, stderr: '' };
    const deny =
      JSON.stringify({ permission: 'deny', user_message: d.reason, agent_message: d.reason }) +
      '\n';
    if (d.action === 'deny') return { code: 0, stdout: deny, stderr: '' };
    return d.block
      ? { code: 2, stdout: deny, stderr: d.reason + '\n' }
      : { code: 1, stdout: '{}\n', stderr: d.reason + '\n' };
  },
  wiring: flatWiring({
    file: '.cursor/hooks.json',
    label: 'Cursor',
    agent: 'cursor',
    aliases: ['cursor-agent'],
    commandKey: 'command',
    events: [
      'preToolUse',
      'beforeReadFile',
      'beforeShellExecution',
      'beforeMCPExecution',
      'beforeTabFileRead',
      'afterFileEdit',
      'afterTabFileEdit',
    ],
    entry: (event) => (event.startsWith('after') ? {} : { failClosed: true }),
  }),
};
