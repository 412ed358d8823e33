// Codex CLI: `.codex/hooks.json`, the same nesting as Claude Code. Stdin:
//
//   {"session_id":"…","turn_id":"…","transcript_path":null,"cwd":"/repo",
//    "hook_event_name":"PreToolUse","model":"gpt-5-codex","permission_mode":"default",
//    "tool_name":"apply_patch","tool_input":{"command":"*** Begin Patch\n*** Add File: …"},
//    "tool_use_id":"call_…"}
//
// `apply_patch` (from 0.124.0) carries the patch as tool_input.command; shell calls come
// as tool_name "Bash". Codex has no read tool of its own: it reads through the shell.
// Answer: {"decision":"block","reason":…} on stdout (exit 0) blocks; exit 2 with a
// reason on stderr blocks too and is the error path; any other exit code fails open.
// Codex runs a new or changed hook only after the user trusts it (/hooks) — doctor says so.

import { parsePatch } from './patch.js';
import { str, type Adapter, toolCallPayload } from './types.js';
import { groupedWiring } from './wiring.js';

export const codex: Adapter = {
  id: 'codex',
  tool: 'codex',
  parse(payload) {
    const { event, name, input, base, other } = toolCallPayload(payload, 'Codex', 'codex');
    const command = str(input.command) ?? '';
    if (name === 'apply_patch') {
      const files = parsePatch(command).filter((f) => f.op !== 'delete');
      if (event === 'PreToolUse') return { ...base, kind: 'write', paths: files.map((f) => f.path) };
      if (event === 'PostToolUse') return { ...base, kind: 'after-write', paths: files.map((f) => f.path), content: files.map((f) => f.added.join('\n')) };
      return other;
    }
    if (name === 'Bash' && event === 'PreToolUse') return { ...base, kind: 'shell', paths: [], command };
    return other;
  },
  reply(d) {
    if (d.action === 'allow') return { code: 0, stdout: '', stderr: '' };
    if (d.action === 'deny') return { code: 0, stdout: JSON.stringify({ decision: 'block', reason: d.reason }) + '\n', stderr: '' };
    return { code: d.block ? 2 : 1, stdout: '', stderr: d.reason + '\n' };
  },
  wiring: groupedWiring({
    file: '.codex/hooks.json',
    label: 'Codex CLI',
    agent: 'codex',
    hook: { timeout: 10 },
    groups: [
      { event: 'PreToolUse', matcher: '^(apply_patch|Bash)$' },
      { event: 'PostToolUse', matcher: '^apply_patch$' },
    ],
  }),
};
