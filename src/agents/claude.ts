// Claude Code: `.claude/settings.json` → hooks.PreToolUse / PostToolUse. Stdin:
//
//   {"session_id":"…","transcript_path":"…","cwd":"/repo","permission_mode":"default",
//    "hook_event_name":"PreToolUse","tool_name":"Write",
//    "tool_input":{"file_path":"/repo/evals/tasks/q1.json","content":"…"},"tool_use_id":"toolu_…"}
//
// Answer: exit 0 and no output = no decision (Claude's own permission flow goes on);
// exit 2 = block, stderr is shown to the model. ANY other exit code is a non-blocking
// error and the write goes ahead — so a failure to judge a pre-event is answered with
// exit 2 too (fail closed), and the hook entry carries "onFailure": "block" for the
// case where cleanroom cannot even start.

import { globRoot } from './glob-root.js';
import { unknownTool } from './mcp.js';
import {
  addedText,
  firstStr,
  HookInputError,
  isRecord,
  str,
  type Adapter,
  type AgentEvent,
  toolCallPayload,
} from './types.js';
import { groupedWiring } from './wiring.js';

const WRITES = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);

/** The text a write put into the file: the new lines, not the context it repeated. */
function written(name: string, input: Record<string, unknown>): string | undefined {
  switch (name) {
    case 'Write':
      return str(input.content);
    case 'Edit':
      return addedText(str(input.old_string), str(input.new_string) ?? '');
    case 'MultiEdit':
      return (Array.isArray(input.edits) ? input.edits : [])
        .filter(isRecord)
        .map((e) => addedText(str(e.old_string), str(e.new_string) ?? ''))
        .join('\n');
    case 'NotebookEdit':
      return str(input.new_source);
    default:
      return undefined;
  }
}

export const claude: Adapter = {
  id: 'claude-code',
  tool: 'claude-code',
  aliases: ['claude'],
  projectDirVar: 'CLAUDE_PROJECT_DIR',
  // Copilot CLI and Cursor run .claude/settings.json hooks too, without CLAUDE_PROJECT_DIR.
  commandPrefix: '"${CLAUDE_PROJECT_DIR:-$(git rev-parse --show-toplevel)}"/',
  envMarkers: ['CLAUDECODE'],
  parse(payload) {
    const { event, name, input, base, other } = toolCallPayload(
      payload,
      'Claude Code',
      'claude-code',
    );
    if (event !== 'PreToolUse' && event !== 'PostToolUse') return other;
    const file = firstStr(input, 'file_path', 'notebook_path');
    if (WRITES.has(name)) {
      if (!file) throw new HookInputError(`Claude Code ${name} call without a file_path`);
      return event === 'PreToolUse'
        ? { ...base, kind: 'write', paths: [file] }
        : { ...base, kind: 'after-write', paths: [file], content: [written(name, input)] };
    }
    if (event === 'PostToolUse') return other;
    switch (name) {
      case 'Read':
        if (!file) throw new HookInputError('Claude Code Read call without a file_path');
        return { ...base, kind: 'read', paths: [file] };
      case 'Grep': {
        // Only files matching `glob` / `type` are read: a search that cannot reach a zone's files passes.
        const e: AgentEvent = { ...base, kind: 'search', paths: [str(input.path) ?? '.'] };
        const glob = str(input.glob);
        const type = str(input.type);
        if (glob) e.glob = glob;
        if (type) e.fileType = type;
        return e;
      }
      case 'Glob':
        // Glob returns names, not contents: refused only when aimed into a zone.
        return {
          ...base,
          kind: 'read',
          paths: [globRoot(str(input.path) ?? '.', str(input.pattern) ?? '')],
        };
      case 'Bash':
        return { ...base, kind: 'shell', paths: [], command: str(input.command) ?? '' };
      default:
        // MCP tools (mcp__server__tool) and anything else that names paths.
        return unknownTool(base, name, input);
    }
  },
  reply(d) {
    if (d.action === 'allow') return { code: 0, stdout: '', stderr: '' };
    if (d.action === 'deny') return { code: 2, stdout: '', stderr: d.reason + '\n' };
    return { code: d.block ? 2 : 1, stdout: '', stderr: d.reason + '\n' };
  },
  wiring: groupedWiring({
    file: '.claude/settings.json',
    label: 'Claude Code',
    agent: 'claude-code',
    aliases: ['claude'],
    hook: { timeout: 10 },
    groups: [
      {
        event: 'PreToolUse',
        matcher: 'Write|Edit|MultiEdit|NotebookEdit|Read|Grep|Glob|Bash|mcp__.*',
        extra: { onFailure: 'block' },
      },
      { event: 'PostToolUse', matcher: 'Write|Edit|MultiEdit|NotebookEdit' },
    ],
  }),
};
