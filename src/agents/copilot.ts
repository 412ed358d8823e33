// GitHub Copilot (coding agent and CLI): `.github/hooks/*.json`, our own file
// `.github/hooks/cleanroom.json`. Stdin has no event name; postToolUse adds toolResult:
//
//   preToolUse   {"timestamp":1704614600000,"cwd":"/repo","toolName":"create",
//                 "toolArgs":"{\"path\":\"evals/tasks/q1.json\",\"file_text\":\"…\"}"}
//   postToolUse  {…same…,"toolResult":{"resultType":"success","textResultForLlm":"…"}}
//
// toolArgs is a JSON *string*. Tools: create, edit (writes), apply_patch (a patch, as
// Codex writes them: every file it adds, updates or moves to is a write; a patch that
// cannot be read is refused), view (a file, or a directory's names), bash/powershell,
// write_bash (text typed into a running shell session: judged as command lines);
// MCP tools (`<server>-<tool>`) and any other tool naming paths are judged by their path
// arguments (mcp.ts). A hook that times out counts as "allow" for Copilot: the entry's
// timeoutSec is 10 and agent-hook answers "blocked" after 5 s (JUDGE_BUDGET_MS). Answer: {"permissionDecision":"deny",
// "permissionDecisionReason":…} on stdout with exit 0 — the one documented way to block,
// so it is also the error path (exit codes are not documented to block).

import { globRoot } from './glob-root.js';
import { typedLines, typedText, unknownTool } from './mcp.js';
import { parsePatch, patchText } from './patch.js';
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

function args(v: unknown): Record<string, unknown> {
  if (isRecord(v)) return v;
  if (typeof v !== 'string' || v === '') return {};
  try {
    const o: unknown = JSON.parse(v);
    if (isRecord(o)) return o;
  } catch {
    // fall through
  }
  throw new HookInputError('Copilot toolArgs is not a JSON object');
}

const WRITES = new Set(['create', 'edit', 'str_replace', 'insert', 'write', 'str_replace_editor']);
/** The tools judged before they run, and any MCP tool (`github-mcp-server-get_file_contents`, `server__tool`). */
const PRE_MATCHER =
  '^(create|edit|str_replace|insert|write|str_replace_editor|apply_patch|view|read|grep|rg|glob|bash|powershell|shell|write_bash|write_powershell|write_shell)$|-|__';
const POST_MATCHER = '^(create|edit|str_replace|insert|write|str_replace_editor|apply_patch)$';

export const copilot: Adapter = {
  id: 'copilot',
  tool: 'copilot',
  aliases: ['github-copilot'],
  projectDirVar: undefined,
  commandPrefix: '', // the entry says "cwd": "."
  envMarkers: [],
  parse(payload) {
    const p = record(payload, 'Copilot');
    const name = firstStr(p, 'toolName', 'tool_name') ?? '';
    const post =
      p.toolResult !== undefined ||
      /^post/i.test(firstStr(p, 'hookEventName', 'hook_event_name') ?? '');
    if (name === 'apply_patch') {
      const files = parsePatch(patchText(p.toolArgs ?? p.tool_input, 'Copilot')).filter(
        (f) => f.op !== 'delete',
      );
      const base = {
        tool: 'copilot',
        name,
        cwd: str(p.cwd),
        session: firstStr(p, 'sessionId', 'session_id') ?? 'unknown',
      };
      if (!post) return { ...base, kind: 'write', paths: files.map((f) => f.path) };
      const result = isRecord(p.toolResult) ? str(p.toolResult.resultType) : undefined;
      if (result && result !== 'success') return { ...base, kind: 'other', paths: [] };
      return {
        ...base,
        kind: 'after-write',
        paths: files.map((f) => f.path),
        content: files.map((f) => f.added.join('\n')),
      };
    }
    const a = args(p.toolArgs ?? p.tool_input);
    const base: Omit<AgentEvent, 'kind' | 'paths'> = {
      tool: 'copilot',
      name,
      cwd: str(p.cwd),
      session: firstStr(p, 'sessionId', 'session_id') ?? 'unknown',
    };
    const model = str(p.model);
    if (model) base.model = model;
    const other: AgentEvent = { ...base, kind: 'other', paths: [] };
    const file = firstStr(a, 'path', 'file_path');
    if (WRITES.has(name)) {
      if (!file) return other;
      if (!post) return { ...base, kind: 'write', paths: [file] };
      const result = isRecord(p.toolResult) ? str(p.toolResult.resultType) : undefined;
      if (result && result !== 'success') return other;
      const text =
        name === 'create' ? str(a.file_text) : addedText(str(a.old_str), str(a.new_str) ?? '');
      return { ...base, kind: 'after-write', paths: [file], content: [text] };
    }
    if (post) return other;
    switch (name) {
      case 'view':
      case 'read':
        return file ? { ...base, kind: 'read', paths: [file] } : other;
      case 'grep':
      case 'rg':
        return { ...base, kind: 'search', paths: [file ?? '.'] };
      case 'glob':
        return { ...base, kind: 'read', paths: [globRoot(file ?? '.', str(a.pattern) ?? '')] };
      case 'bash':
      case 'powershell':
      case 'shell':
        return { ...base, kind: 'shell', paths: [], command: str(a.command) ?? '' };
      case 'write_bash':
      case 'write_powershell':
      case 'write_shell':
        // Text typed into a running session (`bash {mode: "async"}`): judged as the
        // command lines it is, and as what an interactive program's `!cmd` would run.
        return {
          ...base,
          kind: 'shell',
          paths: [],
          command: typedLines(typedText(a)).join('\n'),
        };
      default:
        return unknownTool(base, name, a);
    }
  },
  reply(d) {
    if (d.action === 'allow') return { code: 0, stdout: '', stderr: '' };
    const deny =
      JSON.stringify({ permissionDecision: 'deny', permissionDecisionReason: d.reason }) + '\n';
    if (d.action === 'deny') return { code: 0, stdout: deny, stderr: '' };
    return d.block
      ? { code: 0, stdout: deny, stderr: d.reason + '\n' }
      : { code: 1, stdout: '', stderr: d.reason + '\n' };
  },
  wiring: flatWiring({
    file: '.github/hooks/cleanroom.json',
    label: 'GitHub Copilot',
    agent: 'copilot',
    aliases: ['github-copilot'],
    commandKey: 'bash',
    events: ['preToolUse', 'postToolUse'],
    // Every tool: MCP tools have names cleanroom cannot list in advance (`<server>-<tool>`).
    entry: (event) => ({
      type: 'command',
      cwd: '.',
      timeoutSec: 10,
      matcher: event === 'preToolUse' ? PRE_MATCHER : POST_MATCHER,
    }),
  }),
};
