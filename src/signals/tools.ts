// The tool table compiled for matching: built-in rows (policies/tools.yaml, embedded at
// build time) merged with the policy's own `tools:`. Matching is by email, trailer key,
// distinctive body marker, aider's name suffix and the agent environment — never by a
// display name alone ("Claude Monet <claude@monet.fr>" is a person).

import { UNKNOWN_AI, type ToolId } from '../core/types.js';

/** One row as written in tools.yaml or a policy's `tools:`. */
export interface ToolSpec {
  id: string;
  name?: string;
  emails?: string[];
  trailers?: string[];
  markers?: string[];
  nameSuffixes?: string[];
  coauthorNames?: string[];
  subjectPrefixes?: string[];
  env?: string[];
  aliases?: string[];
  /** Real strings this tool wrote, with where they were seen (checked at build time). */
  examples?: ToolSample[];
  /** Look-alikes that must not be detected (people, prose). */
  decoys?: ToolSample[];
}

/** One commit's metadata, as written in tools.yaml `examples:`/`decoys:`: `seen` plus exactly one field. */
export interface ToolSample {
  seen: string;
  author?: string;
  committer?: string;
  /** A line of the trailer block. */
  trailer?: string;
  message?: string;
  /** NAME=VALUE in the commit's environment. */
  env?: string;
}

export interface ToolTableSpec {
  tools: ToolSpec[];
  genericTrailers: string[];
}

interface EnvRule {
  tool: ToolId;
  name: string;
  /** undefined: any non-empty value. */
  value?: string;
  prefix: boolean;
  text: string;
}

export interface ToolTable {
  readonly ids: ReadonlySet<ToolId>;
  readonly displayNames: ReadonlyMap<ToolId, string>;
  /** Lower-cased trailer key → rules; `value` (lower-cased) must match when set. */
  readonly trailerKeys: ReadonlyMap<string, readonly { tool: ToolId; value?: string }[]>;
  /** Lower-cased generic AI trailer keys (`assisted-by`, …). */
  readonly genericTrailers: ReadonlySet<string>;
  readonly markers: readonly { tool: ToolId; text: string; lower: string }[];
  readonly nameSuffixes: readonly { tool: ToolId; lower: string }[];
  /** Whole co-author display names (case-insensitive, `*` wildcard) of tools with no stable email. */
  readonly coauthorNames: readonly { tool: ToolId; test: (name: string) => boolean }[];
  /** Case-sensitive starts of the subject line (aider's "aider: "). */
  readonly subjectPrefixes: readonly { tool: ToolId; text: string }[];
  readonly env: readonly EnvRule[];
  /** Rows the policy's own `tools:` added (the commit-msg fast path knows only the built-in ones). */
  readonly extraRows: number;
  toolForEmail(email: string): ToolId | undefined;
  /** `claude`, `claude-code:opus-4.5`, `Claude Code` → claude-code; unknown → undefined. */
  toolForName(value: string): ToolId | undefined;
  /**
   * The tool a whole display name *is* ("Claude", "Copilot", "claude[bot]", "Gemini CLI"):
   * an id, name, alias or co-author name, exactly (case-insensitive, a "[bot]" suffix
   * ignored). For granting signals only — "Claude Monet" is not a tool.
   */
  toolForDisplayName(name: string): ToolId | undefined;
}

/** Distinct emails remembered per table (toolForEmail); past it the memo starts afresh. */
const MAX_MEMO = 10_000;

/** Case-insensitive whole-string match with `*` as the only wildcard. */
function wildcard(pattern: string): (text: string) => boolean {
  const lower = pattern.toLowerCase();
  if (!lower.includes('*')) return (e) => e.toLowerCase() === lower;
  const parts = lower.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`^${parts.join('.*')}$`, 's');
  return (e) => re.test(e.toLowerCase());
}

function parseEnvRule(tool: ToolId, text: string): EnvRule {
  if (text.endsWith('*')) return { tool, name: text.slice(0, -1), prefix: true, text };
  const eq = text.indexOf('=');
  if (eq < 0) return { tool, name: text, prefix: false, text };
  return { tool, name: text.slice(0, eq), value: text.slice(eq + 1), prefix: false, text };
}

/** Builds the table; rows with an id already present add their matchers to that tool. */
export function compileToolTable(
  builtin: ToolTableSpec,
  extra: readonly ToolSpec[] = [],
): ToolTable {
  const ids = new Set<ToolId>([UNKNOWN_AI]);
  const displayNames = new Map<ToolId, string>([[UNKNOWN_AI, 'an unidentified AI tool']]);
  const exactEmails = new Map<string, ToolId>();
  const wildEmails: { tool: ToolId; test: (e: string) => boolean }[] = [];
  const trailerKeys = new Map<string, { tool: ToolId; value?: string }[]>();
  const markers: { tool: ToolId; text: string; lower: string }[] = [];
  const nameSuffixes: { tool: ToolId; lower: string }[] = [];
  const coauthorNames: { tool: ToolId; test: (name: string) => boolean }[] = [];
  const subjectPrefixes: { tool: ToolId; text: string }[] = [];
  const env: EnvRule[] = [];
  const aliases = new Map<string, ToolId>();

  for (const spec of [...builtin.tools, ...extra]) {
    const tool = spec.id;
    ids.add(tool);
    if (spec.name || !displayNames.has(tool)) displayNames.set(tool, spec.name ?? tool);
    aliases.set(tool.toLowerCase(), tool);
    if (spec.name) aliases.set(spec.name.toLowerCase(), tool);
    for (const a of spec.aliases ?? []) aliases.set(a.toLowerCase(), tool);
    for (const e of spec.emails ?? []) {
      if (e.includes('*')) wildEmails.push({ tool, test: wildcard(e) });
      else exactEmails.set(e.toLowerCase(), tool);
    }
    for (const t of spec.trailers ?? []) {
      const colon = t.indexOf(':');
      const key = (colon < 0 ? t : t.slice(0, colon)).trim().toLowerCase();
      const value =
        colon < 0
          ? undefined
          : t
              .slice(colon + 1)
              .trim()
              .toLowerCase();
      const list = trailerKeys.get(key) ?? [];
      list.push(value === undefined ? { tool } : { tool, value });
      trailerKeys.set(key, list);
    }
    for (const m of spec.markers ?? []) markers.push({ tool, text: m, lower: m.toLowerCase() });
    for (const s of spec.nameSuffixes ?? []) nameSuffixes.push({ tool, lower: s.toLowerCase() });
    for (const n of spec.coauthorNames ?? []) coauthorNames.push({ tool, test: wildcard(n) });
    for (const p of spec.subjectPrefixes ?? []) subjectPrefixes.push({ tool, text: p });
    for (const e of spec.env ?? []) env.push(parseEnvRule(tool, e));
  }

  const emailMemo = new Map<string, ToolId | undefined>();
  return Object.freeze({
    ids,
    displayNames,
    trailerKeys,
    genericTrailers: new Set(builtin.genericTrailers.map((k) => k.toLowerCase())),
    markers,
    nameSuffixes,
    coauthorNames,
    subjectPrefixes,
    env,
    extraRows: extra.length,
    toolForEmail(email: string): ToolId | undefined {
      // A long history has few distinct identities but many commits (and every commit is
      // asked for several): each answer is kept per exact spelling. The answer is a pure
      // function of the string, so the memo cannot change it; it is bounded (cleared
      // past MAX_MEMO) so hostile histories with a new email per commit stay in memory.
      if (emailMemo.has(email)) return emailMemo.get(email);
      const e = email.trim().toLowerCase();
      let tool: ToolId | undefined;
      if (e) tool = exactEmails.get(e) || wildEmails.find((w) => w.test(e))?.tool;
      if (emailMemo.size >= MAX_MEMO) emailMemo.clear();
      emailMemo.set(email, tool);
      return tool;
    },
    toolForName(value: string): ToolId | undefined {
      const v = value.trim().toLowerCase();
      if (!v) return undefined;
      const direct = aliases.get(v);
      if (direct) return direct;
      // AGENT:MODEL (kernel convention), "claude-code/1.0", "Claude Code (opus)".
      const head = v.split(/[:/(\s<,;]/, 1)[0] ?? '';
      return aliases.get(head) ?? aliases.get(v.split(/[:/(<,;]/, 1)[0]?.trim() ?? '');
    },
    toolForDisplayName(name: string): ToolId | undefined {
      const n = name
        .trim()
        .replace(/\s*\[bot\]$/i, '')
        .toLowerCase();
      if (!n) return undefined;
      const direct = aliases.get(n);
      if (direct && direct !== UNKNOWN_AI) return direct;
      return coauthorNames.find((c) => c.test(n))?.tool;
    },
  });
}
