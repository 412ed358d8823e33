// The registry of agents: `cleanroom agent-hook ID`, `init --agents`, doctor, the help,
// the demo and hooks/prepare-commit-msg all read it (test/unit/agents/registry.test.ts
// holds the shell shim equal to it).

import { claude } from './claude.js';
import { codex } from './codex.js';
import { copilot } from './copilot.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import { AGENTS, type Adapter, type AgentId } from './types.js';

export const ADAPTERS: Readonly<Record<AgentId, Adapter>> = {
  'claude-code': claude,
  codex,
  copilot,
  cursor,
  gemini,
};

/** The adapter an id or an alias names (case-insensitive), or undefined. */
export function adapterFor(name: string): Adapter | undefined {
  const n = name.trim().toLowerCase();
  if ((AGENTS as readonly string[]).includes(n)) return ADAPTERS[n as AgentId];
  return AGENTS.map((a) => ADAPTERS[a]).find((a) => a.aliases.includes(n));
}

/** Every environment variable that marks a commit as made in an agent's session, with its tool id. */
export const ENV_MARKERS: readonly (readonly [string, string])[] = AGENTS.flatMap((a) =>
  ADAPTERS[a].envMarkers.map((m) => [m, ADAPTERS[a].tool] as const),
);

/**
 * The agent whose payload this is. Copilot CLI and Cursor run the hooks of
 * `.claude/settings.json` too, sending their own payload shapes (and no
 * CLAUDE_PROJECT_DIR): a payload is read by the adapter of the host that sent it, and
 * judged as that host's tool. Shapes: Copilot has `toolName`/`toolArgs`; Cursor has
 * `conversation_id` / `workspace_roots` / `cursor_version`. Anything else is `named`'s.
 */
export function hostOf(payload: unknown, named: Adapter): Adapter {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return named;
  const p = payload as Record<string, unknown>;
  if (named.id !== 'copilot' && ('toolName' in p || 'toolArgs' in p) && !('tool_name' in p))
    return ADAPTERS.copilot;
  if (
    named.id !== 'cursor' &&
    ('conversation_id' in p || 'workspace_roots' in p || 'cursor_version' in p)
  )
    return ADAPTERS.cursor;
  return named;
}
