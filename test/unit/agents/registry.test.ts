// The agent registry (src/agents/index.ts) is the one list of agents: the lists that
// cannot import it — the shell shim hooks/prepare-commit-msg, the built-in tool table —
// are held equal to it here.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, adapterFor, ENV_MARKERS } from '../../../src/agents/index.js';
import { AGENTS } from '../../../src/agents/types.js';
import { commandSpec } from '../../../src/cli/commands.js';
import { commandHelp } from '../../../src/cli/help.js';
import { ROOT } from '../../helpers/repo.js';

describe('the agent registry', () => {
  it('one id per agent, the policy tool id; the older names stay aliases', () => {
    for (const a of AGENTS) {
      expect(ADAPTERS[a].id).toBe(a);
      expect(ADAPTERS[a].tool).toBe(a);
      expect(adapterFor(a)).toBe(ADAPTERS[a]);
      for (const alias of ADAPTERS[a].aliases) expect(adapterFor(alias)).toBe(ADAPTERS[a]);
    }
    expect(adapterFor('claude')?.id).toBe('claude-code');
    expect(adapterFor('Claude-Code')?.id).toBe('claude-code');
    expect(adapterFor('aider')).toBeUndefined();
  });

  it("hooks/prepare-commit-msg tests every one of the registry's environment markers", () => {
    // A superset: a tool of policies/tools.yaml that sets a variable but has no agent
    // adapter (no hook protocol) is in the shim too (test/unit/hooks/shims.test.ts).
    const shim = readFileSync(join(ROOT, 'hooks', 'prepare-commit-msg'), 'utf8');
    const inShim = new Set(
      [...shim.matchAll(/\$\{([A-Z_]+):\+([a-z-]+)\}/g)].map((m) => `${m[1]} → ${m[2]}`),
    );
    for (const [m, t] of ENV_MARKERS) expect(inShim, `${m} → ${t}`).toContain(`${m} → ${t}`);
  });

  it('the built-in tool table detects every marker as that agent', () => {
    const table = parse(readFileSync(join(ROOT, 'policies', 'tools.yaml'), 'utf8')) as {
      tools: { id: string; env?: string[] }[];
    };
    for (const [marker, tool] of ENV_MARKERS) {
      const rules = table.tools.find((t) => t.id === tool)?.env ?? [];
      expect([
        marker,
        rules.some(
          (r) =>
            r.split('=')[0] === marker || (r.endsWith('*') && marker.startsWith(r.slice(0, -1))),
        ),
      ]).toEqual([marker, true]);
    }
  });

  it('the help names every id and alias', () => {
    const AGENT_HOOK_HELP = commandHelp(commandSpec('agent-hook')!);
    for (const a of AGENTS) {
      expect(AGENT_HOOK_HELP).toContain(a);
      for (const alias of ADAPTERS[a].aliases) expect(AGENT_HOOK_HELP).toContain(alias);
    }
  });

  it("every wired command starts from the agent's project directory variable, where it has one", () => {
    for (const a of AGENTS) {
      const { projectDirVar, commandPrefix } = ADAPTERS[a];
      if (projectDirVar) expect(commandPrefix).toContain(projectDirVar);
    }
  });
});
