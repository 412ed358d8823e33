// The adapters, by the name `cleanroom agent-hook NAME` and `init --agents` use.

import { claude } from './claude.js';
import { codex } from './codex.js';
import { copilot } from './copilot.js';
import { cursor } from './cursor.js';
import { gemini } from './gemini.js';
import { AGENTS, type Adapter, type AgentId } from './types.js';

export const ADAPTERS: Readonly<Record<AgentId, Adapter>> = { claude, codex, cursor, gemini, copilot };

export function adapterFor(name: string): Adapter | undefined {
  return (AGENTS as readonly string[]).includes(name) ? ADAPTERS[name as AgentId] : undefined;
}
