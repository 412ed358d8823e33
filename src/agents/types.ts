// The neutral shape every agent adapter maps to and from. An adapter turns one hook
// payload (stdin JSON) into an `AgentEvent`, and one `Decision` back into what that
// agent's protocol wants (exit code, stdout, stderr). Everything in between —
// resolving paths, judging them against the policy, recording the ledger — is shared.

import type { ToolId } from '../core/types.js';

/**
 * One id per agent, the same as the policy's tool id (docs/design/contract.md §4, §7): `cleanroom
 * agent-hook claude-code`, `init --agents claude-code`, `tools: { claude-code: … }` and
 * the ledger all say the same word. Older names stay accepted as each adapter's aliases.
 */
export const AGENTS = ['claude-code', 'codex', 'copilot', 'cursor', 'gemini'] as const;
export type AgentId = (typeof AGENTS)[number];

/**
 * write        before the agent writes `paths`
 * read         before it reads `paths` (a file, or a directory's names)
 * search       before it reads the contents of everything under `paths` (Grep)
 * access       before a tool that may read or write `paths` (an MCP tool): judged as both
 * shell        before it runs `command`
 * after-write  after it wrote `paths` (record in the ledger)
 * other        anything else: no decision
 */
export type EventKind = 'write' | 'read' | 'access' | 'search' | 'shell' | 'after-write' | 'other';

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
  /**
   * shell (an MCP tool): program text in a language cleanroom does not read (a `code` or
   * `script` argument), which the tool runs: refused wherever a zone exists.
   */
  code?: string;
  /**
   * An MCP (or unknown) tool's call: its paths were found by their look, not by a schema.
   * Relative ones are also judged from each repository root (the server's own cwd is not
   * known), and a directory above a repository is judged as a search of it.
   */
  mcp?: boolean;
  /** A call cleanroom cannot read (a git tool it does not know that prints content): refused wherever a zone exists. */
  unread?: string;
  /** search: only files matching this glob (ripgrep --glob semantics) are read. */
  glob?: string;
  /** search: only files of this type (ripgrep --type) are read. */
  fileType?: string;
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
  install(
    config: Record<string, unknown>,
    command: (event: string) => string,
  ): Record<string, unknown>;
  /** Events our hook is wired for in `config`, and those it should be. */
  wiredEvents(config: Record<string, unknown>): {
    wired: string[];
    wanted: string[];
    commands: string[];
  };
}

/**
 * One agent, everything cleanroom knows about it in one place (the registry that
 * init, doctor, the help, the demo and hooks/prepare-commit-msg read — or that a test
 * holds them equal to).
 */
export interface Adapter {
  /** The agent's id, which is also its policy tool id. */
  id: AgentId;
  tool: ToolId;
  /** Other names accepted on the command line and in --agents (the ids of older versions). */
  aliases: readonly string[];
  /**
   * The variable the agent sets to the project root when it runs a hook; the wired
   * command starts with it so it works from any cwd. undefined: the agent runs project
   * hooks from the root (or we find it with git).
   */
  projectDirVar: string | undefined;
  /** How the wired command names the project root (`"$CLAUDE_PROJECT_DIR"/`, or '' for cwd). */
  commandPrefix: string;
  /**
   * Environment variables the agent sets in the processes its shell tool runs: a commit
   * made with one of them set is made in that agent's session. hooks/prepare-commit-msg
   * tests them in shell (`${CLAUDECODE:+claude-code}`); a test holds the two lists equal.
   */
  envMarkers: readonly string[];
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

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const strList = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string')
    : typeof v === 'string'
      ? [v]
      : [];

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
  const base: Omit<AgentEvent, 'kind' | 'paths'> = {
    tool,
    name: str(p.tool_name) ?? '',
    cwd: str(p.cwd),
    session: str(p.session_id) ?? 'unknown',
  };
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
