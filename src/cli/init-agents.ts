// `cleanroom init --agents auto|none|LIST`: wires `cleanroom agent-hook AGENT` into each
// agent's own config file by merging — the user's hooks stay, a second run changes
// nothing, and a file we cannot parse is reported and left alone.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ADAPTERS, adapterFor } from '../agents/index.js';
import { AGENTS, isRecord, type AgentId } from '../agents/types.js';
import * as managed from '../agents/switches.js';
import { WiringError } from '../agents/wiring.js';
import { usageError } from '../errors.js';
import { safe, shq } from '../escape.js';
import { writeAtomic } from '../fsutil.js';
import type { GitContext } from '../git/git.js';
import { workTree, type Repo } from '../git/repo.js';
import { packageFile } from './package-file.js';
import type { Io } from './io.js';

/**
 * How an agent's config starts the hook: Node without NODE_EXTRA_CA_CERTS, which Node reads
 * at every start (~50 ms of CPU where it is set, on every tool call); the hook makes no TLS
 * connection. `env -u` is in GNU coreutils, BSD/macOS and busybox; every host runs the
 * command through a shell (the paths below use shell expansion already).
 */
const NODE = 'env -u NODE_EXTRA_CA_CERTS node';

/** The command an agent's config should run, and a warning when it only works on this machine. */
export function agentCommand(
  io: Io,
  root: string,
  agent: AgentId,
): { command: string; warning?: string } {
  // dist/agent-hook.cjs is `cleanroom agent-hook` in a bundle of its own: half the start-up time.
  const f = packageFile(io, root, join('dist', 'agent-hook.cjs'));
  if (f.local)
    return {
      command: `${NODE} ${ADAPTERS[agent].commandPrefix}${shq(relative(root, f.path).split(sep).join('/'))} ${agent}`,
    };
  return {
    command: `${NODE} ${shq(f.path)} ${agent}`,
    warning: `${ADAPTERS[agent].wiring.file} names ${f.path}, a path on this machine only — add cleanroom as a devDependency so teammates get working agent hooks`,
  };
}

export function selectAgents(root: string, which: string): AgentId[] {
  if (which === 'auto')
    return AGENTS.filter((a) => existsSync(join(root, dirname(ADAPTERS[a].wiring.file))));
  if (which === 'all') return [...AGENTS];
  const out: AgentId[] = [];
  for (const raw of which.split(',')) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    const id = adapterFor(name)?.id;
    if (!id)
      throw usageError(
        `init: unknown agent "${raw.trim()}" in --agents`,
        `use auto, none, all, or a list of ${AGENTS.join(', ')}`,
      );
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

/** Reads an agent config: the object, `{}` when there is none, or why it cannot be touched. */
export function readConfig(
  file: string,
): { config: Record<string, unknown>; exists: boolean } | { problem: string } {
  if (!existsSync(file)) return { config: {}, exists: false };
  const text = readFileSync(file, 'utf8');
  if (!text.trim()) return { config: {}, exists: true };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = safe((e as Error).message).slice(0, 120);
    return {
      problem: `not valid JSON (${why}${/\/\/|\/\*/.test(text) ? '; comments are not JSON' : ''})`,
    };
  }
  return isRecord(value) ? { config: value, exists: true } : { problem: 'not a JSON object' };
}

/** Wires one agent; returns the line init prints. */
export function wireAgent(io: Io, root: string, agent: AgentId): string[] {
  const { wiring } = ADAPTERS[agent];
  const file = join(root, wiring.file);
  const read = readConfig(file);
  if ('problem' in read)
    return [
      `! ${wiring.file} is ${read.problem}: left untouched — fix it, then run cleanroom init --agents ${agent} again`,
    ];
  const { command, warning } = agentCommand(io, root, agent);
  let next: Record<string, unknown>;
  try {
    next = wiring.install(read.config, () => command);
  } catch (e) {
    if (!(e instanceof WiringError)) throw e;
    return [
      `! ${e.message}: left untouched — fix it, then run cleanroom init --agents ${agent} again`,
    ];
  }
  const events = wiring.wiredEvents(next).wired.join(', ');
  const lines: string[] = [];
  if (JSON.stringify(next) === JSON.stringify(read.config))
    lines.push(`= ${wiring.file} — ${wiring.label} hooks already wired (${events})`);
  else {
    writeAtomic(file, JSON.stringify(next, null, 2) + '\n');
    lines.push(`${read.exists ? '~' : '+'} ${wiring.file} — ${wiring.label} hooks: ${events}`);
  }
  if (warning) lines.push(`! ${warning}`);
  if (agent === 'codex')
    lines.push(
      "! Codex runs a new or changed hook only after you trust it: start codex and approve cleanroom's hooks under /hooks",
    );
  return lines;
}

/**
 * Checked before init writes anything: an unknown agent name or a config file that
 * cannot be merged stops init with nothing written (exit 2), instead of leaving the
 * policy and hooks installed and the agent half-wired.
 */
export function planAgents(io: Io, root: string, which: string, scope = 'project'): void {
  if (scope !== 'project' && scope !== 'managed')
    throw usageError(
      `init: unknown --scope "${scope}"`,
      'use --scope project (the default) or --scope managed',
    );
  if (which === 'none') return;
  if (scope === 'managed') {
    selectAgents(root, which);
    return;
  }
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
    if (problem)
      throw usageError(
        `init: ${problem}`,
        `fix it (or leave ${agent} out of --agents), then run cleanroom init again — nothing was written`,
      );
  }
}

/**
 * What trailer mode means, said plainly (issue 15 §1): a `Reviewed-by:` line is trusted
 * from whoever types it. undefined when the policy is in signed mode (or there is none).
 */
export async function trailerModeWarning(io: Io, root: string): Promise<string | undefined> {
  const { lookupPolicy } = await import('../agents/policy.js');
  const p = await lookupPolicy({ cwd: root, env: io.env }, root, []).catch(() => undefined);
  if (p?.kind !== 'policy') return undefined;
  // Only a policy with a zone that reviews: without one, review.mode is never consulted
  // and the warning would be noise (a deny-only policy keeps init's default mode).
  const policy = [p.policy, ...(p.others ?? [])].find(
    (x) =>
      x.review.mode === 'trailer' &&
      x.zones.some((z) => z.ai === 'review' || [...z.tools.values()].includes('review')),
  );
  if (!policy) return undefined;
  return `review.mode is "trailer": a ${policy.review.trailer}: line is trusted from whoever types it — in an agent's session it counts for nothing (there only an approver's override passes; a human commits reviewed work from their own shell), anywhere else anyone can write it; use review.mode: signed for reviews nobody can type`;
}

export async function initAgents(
  io: Io,
  _ctx: GitContext,
  repo: Repo,
  which: string,
  scope = 'project',
): Promise<string[]> {
  if (which === 'none') return [];
  // Said where agents come in (doctor says it always); init's plain output stays as it was.
  const warning = await trailerModeWarning(io, workTree(repo));
  const head = warning ? [`! ${warning}`] : [];
  if (scope === 'managed') return [...head, ...wireManaged(io, workTree(repo), which)];
  return [...head, ...(await wireAll(io, repo, which))];
}

/**
 * `init --agents LIST --scope managed`: the hosts' managed or system settings, which a
 * user cannot remove or override (issue 15 §5). The command names this installation of
 * cleanroom by its absolute path: install it at the same place on every machine (a
 * global install). CLEANROOM_MANAGED_ROOT puts the files under another root (packaging
 * them for a fleet tool, or tests).
 */
function wireManaged(io: Io, root: string, which: string): string[] {
  const { managedPaths } = managed;
  const paths = managedPaths();
  const prefix = io.env.CLEANROOM_MANAGED_ROOT;
  const lines: string[] = [];
  for (const agent of selectAgents(root, which)) {
    const target = agent === 'copilot' ? undefined : paths[agent];
    if (!target) {
      lines.push(
        '! GitHub Copilot has no managed hooks file: commit .github/hooks/cleanroom.json (cleanroom init --agents copilot) and protect it with a ruleset or CODEOWNERS',
      );
      continue;
    }
    const file = prefix ? join(prefix, target.replace(/^[A-Za-z]:/, '')) : target;
    const read = readConfig(file);
    if ('problem' in read) {
      lines.push(`! ${file} is ${read.problem}: left untouched`);
      continue;
    }
    const f = packageFile(io, root, join('dist', 'agent-hook.cjs'));
    const command = `${NODE} ${shq(f.path)} ${agent}`;
    let next: Record<string, unknown>;
    try {
      next = ADAPTERS[agent].wiring.install(read.config, () => command);
    } catch (e) {
      if (!(e instanceof WiringError)) throw e;
      lines.push(`! ${e.message}: left untouched`);
      continue;
    }
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeAtomic(file, JSON.stringify(next, null, 2) + '\n');
    } catch (e) {
      lines.push(
        `! ${file}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}) — run as an administrator, or deploy it with your fleet tool`,
      );
      continue;
    }
    lines.push(
      `${read.exists ? '~' : '+'} ${file} — ${ADAPTERS[agent].wiring.label} managed hooks: ${ADAPTERS[agent].wiring.wiredEvents(next).wired.join(', ')}`,
    );
  }
  return lines;
}

async function wireAll(io: Io, repo: Repo, which: string): Promise<string[]> {
  const root = workTree(repo);
  const agents = selectAgents(root, which);
  if (!agents.length) {
    const dirs = AGENTS.map((a) => `${dirname(ADAPTERS[a].wiring.file)}/`).join(', ');
    return [
      `! --agents ${which}: no agent config folder here (${dirs}) — name the agents, e.g. --agents claude,codex`,
    ];
  }
  return agents.flatMap((a) => wireAgent(io, root, a));
}
