// `cleanroom init --agents auto|none|LIST`: wires `cleanroom agent-hook AGENT` into each
// agent's own config file by merging — the user's hooks stay, a second run changes
// nothing, and a file we cannot parse is reported and left alone.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ADAPTERS } from '../agents/index.js';
import { AGENTS, isRecord, type AgentId } from '../agents/types.js';
import { WiringError } from '../agents/wiring.js';
import { usageError } from '../errors.js';
import { safe } from '../report/escape.js';
import { writeAtomic } from '../fsutil.js';
import type { GitContext } from '../git/git.js';
import { workTree, type Repo } from '../git/repo.js';
import { packageFile } from './package-file.js';
import type { Io } from './io.js';

const ALIASES: Record<string, AgentId> = { 'claude-code': 'claude', 'codex-cli': 'codex', 'gemini-cli': 'gemini', 'github-copilot': 'copilot' };

/** How each agent's hook command finds the project's own copy of cleanroom from wherever it runs. */
const PROJECT_DIR: Record<AgentId, string> = {
  claude: '"$CLAUDE_PROJECT_DIR"/',
  gemini: '"$GEMINI_PROJECT_DIR"/',
  codex: '"$(git rev-parse --show-toplevel)"/', // Codex runs hooks in the session's cwd
  cursor: '', // project hooks run from the project root
  copilot: '', // the entry says "cwd": "."
};

const shq = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command an agent's config should run, and a warning when it only works on this machine. */
export function agentCommand(io: Io, root: string, agent: AgentId): { command: string; warning?: string } {
  // dist/agent-hook.cjs is `cleanroom agent-hook` in a bundle of its own: half the start-up time.
  const f = packageFile(io, root, join('dist', 'agent-hook.cjs'));
  if (f.local) return { command: `node ${PROJECT_DIR[agent]}${shq(relative(root, f.path).split(sep).join('/'))} ${agent}` };
  return {
    command: `node ${shq(f.path)} ${agent}`,
    warning: `${ADAPTERS[agent].wiring.file} names ${f.path}, a path on this machine only — add cleanroom as a devDependency so teammates get working agent hooks`,
  };
}

export function selectAgents(root: string, which: string): AgentId[] {
  if (which === 'auto') return AGENTS.filter((a) => existsSync(join(root, dirname(ADAPTERS[a].wiring.file))));
  if (which === 'all') return [...AGENTS];
  const out: AgentId[] = [];
  for (const raw of which.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const id = (AGENTS as readonly string[]).includes(name) ? (name as AgentId) : ALIASES[name];
    if (!id) throw usageError(`init: unknown agent "${raw.trim()}" in --agents`, `use auto, none, all, or a list of ${AGENTS.join(', ')}`);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** Reads an agent config: the object, `{}` when there is none, or why it cannot be touched. */
export function readConfig(file: string): { config: Record<string, unknown>; exists: boolean } | { problem: string } {
  if (!existsSync(file)) return { config: {}, exists: false };
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return { config: {}, exists: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = safe((e as Error).message).slice(0, 120);
    return { problem: `not valid JSON (${why}${/\/\/|\/\*/.test(text) ? '; comments are not JSON' : ''})` };
  }
  return isRecord(value) ? { config: value, exists: true } : { problem: 'not a JSON object' };
}

/** Wires one agent; returns the line init prints. */
export function wireAgent(io: Io, root: string, agent: AgentId): string[] {
  const { wiring } = ADAPTERS[agent];
  const file = join(root, wiring.file);
  const read = readConfig(file);
  if ('problem' in read) return [`! ${wiring.file} is ${read.problem}: left untouched — fix it, then run cleanroom init --agents ${agent} again`];
  const { command, warning } = agentCommand(io, root, agent);
  let next: Record<string, unknown>;
  try {
    next = wiring.install(read.config, () => command);
  } catch (e) {
    if (!(e instanceof WiringError)) throw e;
    return [`! ${e.message}: left untouched — fix it, then run cleanroom init --agents ${agent} again`];
  }
  const events = wiring.wiredEvents(next).wired.join(', ');
  const lines: string[] = [];
  if (JSON.stringify(next) === JSON.stringify(read.config)) lines.push(`= ${wiring.file} — ${wiring.label} hooks already wired (${events})`);
  else {
    writeAtomic(file, JSON.stringify(next, null, 2) + '\n');
    lines.push(`${read.exists ? '~' : '+'} ${wiring.file} — ${wiring.label} hooks: ${events}`);
  }
  if (warning) lines.push(`! ${warning}`);
  if (agent === 'codex') lines.push('! Codex runs a new or changed hook only after you trust it: start codex and approve cleanroom\'s hooks under /hooks');
  return lines;
}

/**
 * Checked before init writes anything: an unknown agent name or a config file that
 * cannot be merged stops init with nothing written (exit 2), instead of leaving the
 * policy and hooks installed and the agent half-wired.
 */
export function planAgents(io: Io, root: string, which: string): void {
  if (which === 'none') return;
  for (const agent of selectAgents(root, which)) {
    const { wiring } = ADAPTERS[agent];
    const read = readConfig(join(root, wiring.file));
    let problem = 'problem' in read ? `${wiring.file} is ${read.problem}` : undefined;
    if (!('problem' in read)) {
      try {
        wiring.install(read.config, () => agentCommand(io, root, agent).command);
      } catch (e) {
        if (!(e instanceof WiringError)) throw e;
        problem = e.message;
      }
    }
    if (problem) throw usageError(`init: ${problem}`, `fix it (or leave ${agent} out of --agents), then run cleanroom init again — nothing was written`);
  }
}

export async function initAgents(io: Io, _ctx: GitContext, repo: Repo, which: string): Promise<string[]> {
  if (which === 'none') return [];
  const root = workTree(repo);
  const agents = selectAgents(root, which);
  if (!agents.length) {
    const dirs = AGENTS.map((a) => `${dirname(ADAPTERS[a].wiring.file)}/`).join(', ');
    return [`! --agents ${which}: no agent config folder here (${dirs}) — name the agents, e.g. --agents claude,codex`];
  }
  return agents.flatMap((a) => wireAgent(io, root, a));
}
