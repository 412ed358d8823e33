// The neutral shape every agent adapter maps to and from. An adapter turns one hook
// payload (stdin JSON) into an `AgentEvent`, and one `Decision` back into what that
// agent's protocol wants (exit code, stdout, stderr). Everything in between —
// resolving paths, judging them against the policy, recording the ledger — is shared.

import type { ToolId } from '../core/types.js';

export const AGENTS = ['claude', 'codex', 'cursor', 'gemini', 'copilot'] as const;
export type AgentId = (typeof AGENTS)[number];

/**
 * write        before the agent writes `paths`
 * read         before it reads `paths` (a file, or a directory's names)
 * search       before it reads the contents of everything under `paths` (Grep)
 * shell        before it runs `command`
 * after-write  after it wrote `paths` (record in the ledger)
 * other        anything else: no decision
 */
export type EventKind = 'write' | 'read' | 'search' | 'shell' | 'after-write' | 'other';

export interface AgentEvent {
  kind: EventKind;
  /** The policy / ledger tool id: claude-code, codex, cursor, gemini, copilot. */
  tool: ToolId;
  /** The agent's own name for the call (Write, apply_patch, beforeReadFile), for messages. */
  name: string;
  /** Where relative paths are resolved; undefined: the hook process's cwd. */
  cwd: string | undefined;
  /** Paths as the agent gave them: absolute, or relative to `cwd`. */
  paths: string[];
  /** after-write: the text the agent put into each path (same order); undefined: the whole file. */
  content?: (string | undefined)[];
  /** shell: the command line. */
  command?: string;
  session: string;
  model?: string;
}

export type Decision =
  | { action: 'allow' }
  | { action: 'deny'; reason: string }
  /** cleanroom could not judge; `block` = fail closed (pre-events), else just say so. */
  | { action: 'fail'; reason: string; block: boolean };

/** What the hook process answers: exit code and the two streams. */
export interface Reply {
  code: number;
  stdout: string;
  stderr: string;
}

/** The hook entries one agent needs, and where they live. */
export interface Wiring {
  /** Repo-relative config file. */
  file: string;
  /** Human name of the agent, for init and doctor. */
  label: string;
  /** Merges our entries (running `command`) into a parsed config; returns the new config. */
  install(config: Record<string, unknown>, command: (event: string) => string): Record<string, unknown>;
  /** Events our hook is wired for in `config`, and those it should be. */
  wiredEvents(config: Record<string, unknown>): { wired: string[]; wanted: string[]; commands: string[] };
}

export interface Adapter {
  id: AgentId;
  tool: ToolId;
  /** Hook payload → event; throws HookInputError when the payload is not what this agent sends. */
  parse(payload: unknown): AgentEvent;
  /** Decision → the agent's protocol. `event` is undefined when the input could not be read. */
  reply(decision: Decision, event: AgentEvent | undefined): Reply;
  wiring: Wiring;
}

export class HookInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HookInputError';
  }
}

// Helpers for reading hostile JSON: never trust a field's type.

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

export function record(payload: unknown, agent: string): Record<string, unknown> {
  if (!isRecord(payload)) throw new HookInputError(`${agent} hook input is not a JSON object`);
  return payload;
}

/**
 * The payload shape Claude Code, Codex and Gemini CLI share (`hook_event_name`,
 * `tool_name`, `tool_input`, `session_id`, `cwd`, optional `model`), read once.
 */
export function toolCallPayload(payload: unknown, agent: string, tool: ToolId) {
  const p = record(payload, agent);
  const input = isRecord(p.tool_input) ? p.tool_input : {};
  const base: Omit<AgentEvent, 'kind' | 'paths'> = { tool, name: str(p.tool_name) ?? '', cwd: str(p.cwd), session: str(p.session_id) ?? 'unknown' };
  const model = str(p.model);
  if (model) base.model = model;
  const other: AgentEvent = { ...base, kind: 'other', paths: [] };
  return { p, event: str(p.hook_event_name), name: base.name, input, base, other };
}

/** The first string among `keys` of `o`. */
export function firstStr(o: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/** Lines of `after` that `before` did not have: what an edit added (a multiset difference). */
export function addedText(before: string | undefined, after: string): string {
  if (!before) return after;
  const had = new Map<string, number>();
  for (const l of before.split('\n')) had.set(l.trim(), (had.get(l.trim()) ?? 0) + 1);
  const out: string[] = [];
  for (const l of after.split('\n')) {
    const n = had.get(l.trim()) ?? 0;
    if (n > 0) had.set(l.trim(), n - 1);
    else out.push(l);
  }
  return out.join('\n');
}
