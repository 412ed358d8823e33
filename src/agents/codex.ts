// Codex CLI: `.codex/hooks.json`, the same nesting as Claude Code. Stdin:
//
//   {"session_id":"…","turn_id":"…","transcript_path":null,"cwd":"/repo",
//    "hook_event_name":"PreToolUse","model":"gpt-5-codex","permission_mode":"default",
//    "tool_name":"apply_patch","tool_input":{"command":"*** Begin Patch\n*** Add File: …"},
//    "tool_use_id":"call_…"}
//
// `apply_patch` (from 0.124.0) carries the patch as tool_input.command; shell calls come
// as tool_name "Bash". Codex has no read tool of its own: it reads through the shell.
// MCP tools come as `mcp__server__tool` (judged by their path arguments, see mcp.ts).
// Answer before a tool: {"hookSpecificOutput":{"hookEventName":"PreToolUse",
// "permissionDecision":"deny","permissionDecisionReason":…}} on stdout (exit 0), the
// current form (`decision: block` is the older one, still used after a tool); exit 2
// with a reason on stderr blocks too and is the error path; other exit codes fail open.
// An apply_patch whose input is not a patch cleanroom can read is refused (fail closed).
// Codex runs a new or changed hook only after the user trusts it (/hooks) — doctor says so.

import { unknownTool } from './mcp.js';
import { parsePatch, patchText } from './patch.js';
import { HookInputError, type Adapter, toolCallPayload } from './types.js';
import { groupedWiring } from './wiring.js';

export const codex: Adapter = {
  id: 'codex',
  tool: 'codex',
  aliases: ['codex-cli'],
  projectDirVar: undefined,
  commandPrefix: '"$(git rev-parse --show-toplevel)"/', // Codex runs hooks in the session's cwd
  envMarkers: ['CODEX_SANDBOX', 'CODEX_SANDBOX_NETWORK_DISABLED'],
  parse(payload) {
    const { event, name, input, base, other } = toolCallPayload(payload, 'Codex', 'codex');
    if (name === 'apply_patch') {
      if (event !== 'PreToolUse' && event !== 'PostToolUse') return other;
      const files = parsePatch(patchText(input, 'Codex')).filter((f) => f.op !== 'delete');
      if (event === 'PreToolUse')
        return { ...base, kind: 'write', paths: files.map((f) => f.path) };
      if (event === 'PostToolUse')
        return {
          ...base,
          kind: 'after-write',
          paths: files.map((f) => f.path),
          content: files.map((f) => f.added.join('\n')),
        };
      return other;
    }
    if (event !== 'PreToolUse') return other;
    if (name === 'Bash' || name === 'shell' || name === 'local_shell') {
      // `command` is a string, or an argv array (["bash","-lc","…"]): judged as one command line.
      const c = input.command;
      const command =
        typeof c === 'string'
          ? c
          : Array.isArray(c) && c.every((x) => typeof x === 'string')
            ? c.map((x: string) => `'${x.replace(/'/g, `'\\''`)}'`).join(' ')
            : undefined;
      if (command === undefined)
        throw new HookInputError(`Codex ${name} call without a command cleanroom can read`);
      return { ...base, kind: 'shell', paths: [], command };
    }
    return unknownTool(base, name, input);
  },
  reply(d, event) {
    if (d.action === 'allow') return { code: 0, stdout: '', stderr: '' };
    if (d.action === 'deny') {
      const answer =
        event?.kind === 'after-write'
          ? { decision: 'block', reason: d.reason }
          : {
              hookSpecificOutput: {
                hookEventName: 'PreToolUse',
                permissionDecision: 'deny',
                permissionDecisionReason: d.reason,
              },
            };
      return { code: 0, stdout: JSON.stringify(answer) + '\n', stderr: '' };
    }
    return { code: d.block ? 2 : 1, stdout: '', stderr: d.reason + '\n' };
  },
  wiring: groupedWiring({
    file: '.codex/hooks.json',
    label: 'Codex CLI',
    agent: 'codex',
    aliases: ['codex-cli'],
    hook: { timeout: 10 },
    groups: [
      { event: 'PreToolUse', matcher: '^(apply_patch|Bash|shell|local_shell|mcp__.*)$' },
      { event: 'PostToolUse', matcher: '^apply_patch$' },
    ],
  }),
};
