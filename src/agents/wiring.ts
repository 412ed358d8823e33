// Merging our hook entries into an agent's config without clobbering it. Two shapes:
//
//   grouped (Claude Code, Codex, Gemini CLI):
//     { "hooks": { "PreToolUse": [ { "matcher": "Write|Edit", "hooks": [ { "type": "command", "command": "…" } ] } ] } }
//   flat (Cursor, Copilot):
//     { "version": 1, "hooks": { "beforeReadFile": [ { "command": "…" } ] } }
//
// Our entry is recognised by its command (`…/agent-hook.cjs AGENT`), so a
// moved installation is updated in place, the user's own hooks are never touched, and
// merging twice gives the same file.

import { isRecord, type Wiring } from './types.js';

/** Thrown when the existing config has a shape we must not guess about. */
export class WiringError extends Error {}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `node …/dist/agent-hook.cjs claude-code` or `cleanroom agent-hook claude` (the id or an older alias). */
const isOurs = (names: readonly string[], key: string) => {
  const re = new RegExp(
    `(?:\\bcleanroom(?:\\.mjs)?\\S*\\s+agent-hook|/agent-hook\\.c?js['"]?)\\s+(?:${names.map(escape).join('|')})(?![\\w-])`,
  );
  return (h: unknown): boolean =>
    isRecord(h) && typeof h[key] === 'string' && re.test(h[key] as string);
};

function hooksObject(config: Record<string, unknown>, file: string): Record<string, unknown> {
  if (config.hooks === undefined) config.hooks = {};
  if (!isRecord(config.hooks)) throw new WiringError(`${file}: "hooks" is not an object`);
  return config.hooks;
}

function eventList(hooks: Record<string, unknown>, event: string, file: string): unknown[] {
  if (hooks[event] === undefined) hooks[event] = [];
  const list = hooks[event];
  if (!Array.isArray(list)) throw new WiringError(`${file}: "hooks.${event}" is not a list`);
  return list;
}

export interface GroupSpec {
  event: string;
  matcher: string;
  /** Extra fields on our hook entry for this event (e.g. onFailure). */
  extra?: Record<string, unknown>;
}

export function groupedWiring(opts: {
  file: string;
  label: string;
  agent: string;
  aliases: readonly string[];
  groups: GroupSpec[];
  hook: Record<string, unknown>;
}): Wiring {
  const ours = isOurs([opts.agent, ...opts.aliases], 'command');
  return {
    file: opts.file,
    label: opts.label,
    install(config, command) {
      const out = structuredClone(config);
      const hooks = hooksObject(out, opts.file);
      for (const spec of opts.groups) {
        const list = eventList(hooks, spec.event, opts.file);
        const entry = {
          type: 'command',
          command: command(spec.event),
          ...opts.hook,
          ...spec.extra,
        };
        const group = list.find(
          (g) => isRecord(g) && Array.isArray(g.hooks) && g.hooks.some(ours),
        ) as Record<string, unknown> | undefined;
        if (!group) {
          list.push({ matcher: spec.matcher, hooks: [entry] });
          continue;
        }
        const inner = group.hooks as unknown[];
        const i = inner.findIndex(ours);
        inner[i] = { ...(inner[i] as Record<string, unknown>), ...entry };
        // Only a group that is ours alone gets our matcher: a user's group keeps theirs.
        if (inner.length === 1) group.matcher = spec.matcher;
      }
      return out;
    },
    wiredEvents(config) {
      const wanted = [...new Set(opts.groups.map((g) => g.event))];
      const hooks = isRecord(config.hooks) ? config.hooks : {};
      const wired: string[] = [];
      const commands: string[] = [];
      for (const event of wanted) {
        const list = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
        for (const g of list) {
          if (!isRecord(g) || !Array.isArray(g.hooks)) continue;
          const h = g.hooks.find(ours) as Record<string, unknown> | undefined;
          if (h) {
            wired.push(event);
            commands.push(h.command as string);
            break;
          }
        }
      }
      return { wired, wanted, commands };
    },
  };
}

export function flatWiring(opts: {
  file: string;
  label: string;
  agent: string;
  aliases: readonly string[];
  events: string[];
  commandKey: string;
  entry: (event: string) => Record<string, unknown>;
}): Wiring {
  const ours = isOurs([opts.agent, ...opts.aliases], opts.commandKey);
  return {
    file: opts.file,
    label: opts.label,
    install(config, command) {
      const out = structuredClone(config);
      if (out.version === undefined) out.version = 1;
      const hooks = hooksObject(out, opts.file);
      for (const event of opts.events) {
        const list = eventList(hooks, event, opts.file);
        const entry = { ...opts.entry(event), [opts.commandKey]: command(event) };
        const i = list.findIndex(ours);
        if (i < 0) list.push(entry);
        else list[i] = { ...(list[i] as Record<string, unknown>), ...entry };
      }
      return out;
    },
    wiredEvents(config) {
      const hooks = isRecord(config.hooks) ? config.hooks : {};
      const wired: string[] = [];
      const commands: string[] = [];
      for (const event of opts.events) {
        const list = Array.isArray(hooks[event]) ? (hooks[event] as unknown[]) : [];
        const h = list.find(ours) as Record<string, unknown> | undefined;
        if (h) {
          wired.push(event);
          commands.push(h[opts.commandKey] as string);
        }
      }
      return { wired, wanted: [...opts.events], commands };
    },
  };
}
