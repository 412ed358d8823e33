import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../../src/agents/index.js';
import { AGENTS } from '../../../src/agents/types.js';
import { WiringError } from '../../../src/agents/wiring.js';

const cmd = (agent: string) => () => `node /opt/cleanroom/dist/agent-hook.cjs ${agent}`;

describe('merging our hooks into agent configs', () => {
  it('Claude Code: an empty config gets PreToolUse (fail closed) and PostToolUse', () => {
    expect(ADAPTERS['claude-code'].wiring.install({}, cmd('claude'))).toEqual({
      hooks: {
        PreToolUse: [
          {
            matcher: 'Write|Edit|MultiEdit|NotebookEdit|Read|Grep|Glob|Bash|mcp__.*',
            hooks: [
              {
                type: 'command',
                command: 'node /opt/cleanroom/dist/agent-hook.cjs claude',
                timeout: 10,
                onFailure: 'block',
              },
            ],
          },
        ],
        PostToolUse: [
          {
            matcher: 'Write|Edit|MultiEdit|NotebookEdit',
            hooks: [
              {
                type: 'command',
                command: 'node /opt/cleanroom/dist/agent-hook.cjs claude',
                timeout: 10,
              },
            ],
          },
        ],
      },
    });
  });

  it("keeps the user's settings and hooks, and a second merge changes nothing", () => {
    const mine = {
      model: 'opus',
      permissions: { allow: ['Bash(npm test)'] },
      hooks: {
        PreToolUse: [
          { matcher: 'Bash', hooks: [{ type: 'command', command: './scripts/guard.sh' }] },
        ],
        Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }],
      },
    };
    const once = ADAPTERS['claude-code'].wiring.install(mine, cmd('claude'));
    expect(once.model).toBe('opus');
    expect(once.permissions).toEqual(mine.permissions);
    const pre = (once.hooks as Record<string, unknown[]>).PreToolUse!;
    expect(pre[0]).toEqual(mine.hooks.PreToolUse[0]);
    expect(pre).toHaveLength(2);
    expect((once.hooks as Record<string, unknown>).Stop).toEqual(mine.hooks.Stop);
    expect(ADAPTERS['claude-code'].wiring.install(once, cmd('claude'))).toEqual(once);
    expect(mine.hooks.PreToolUse).toHaveLength(1); // the input is not mutated
  });

  it('a moved installation is updated in place, not added twice', () => {
    const old = ADAPTERS.codex.wiring.install(
      {},
      () => 'node /old/place/dist/cleanroom.mjs agent-hook codex',
    );
    const moved = ADAPTERS.codex.wiring.install(old, cmd('codex'));
    const groups = (moved.hooks as Record<string, { hooks: { command: string }[] }[]>).PreToolUse!;
    expect(groups).toHaveLength(1);
    expect(groups[0]!.hooks[0]!.command).toBe('node /opt/cleanroom/dist/agent-hook.cjs codex');
  });

  it("our hook inside a user's group: the command is updated, their matcher kept", () => {
    const shared = {
      hooks: {
        PreToolUse: [
          {
            matcher: 'Write',
            hooks: [
              { type: 'command', command: './mine.sh' },
              { type: 'command', command: 'node /old/dist/agent-hook.cjs claude' },
            ],
          },
        ],
      },
    };
    const out = ADAPTERS['claude-code'].wiring.install(shared, cmd('claude')) as typeof shared;
    expect(out.hooks.PreToolUse).toHaveLength(1);
    expect(out.hooks.PreToolUse[0]!.matcher).toBe('Write');
    expect(out.hooks.PreToolUse[0]!.hooks[1]!.command).toBe(
      'node /opt/cleanroom/dist/agent-hook.cjs claude',
    );
  });

  it("another agent's hook is not ours: wiring Codex leaves a Claude entry alone", () => {
    const claudeOnly = ADAPTERS['claude-code'].wiring.install({}, cmd('claude'));
    expect(ADAPTERS.codex.wiring.wiredEvents(claudeOnly).wired).toEqual([]);
  });

  it('Cursor: version 1, blocking events (MCP and Tab included) fail closed, the after-events do not', () => {
    const out = ADAPTERS.cursor.wiring.install(
      { version: 1, hooks: { afterFileEdit: [{ command: './format.sh' }] } },
      cmd('cursor'),
    );
    expect(out).toEqual({
      version: 1,
      hooks: {
        afterFileEdit: [
          { command: './format.sh' },
          { command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        preToolUse: [
          { failClosed: true, command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        beforeReadFile: [
          { failClosed: true, command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        beforeShellExecution: [
          { failClosed: true, command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        beforeMCPExecution: [
          { failClosed: true, command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        beforeTabFileRead: [
          { failClosed: true, command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' },
        ],
        afterTabFileEdit: [{ command: 'node /opt/cleanroom/dist/agent-hook.cjs cursor' }],
      },
    });
  });

  it('Copilot: bash commands run from the repository root, with matchers (MCP tools included)', () => {
    const out = ADAPTERS.copilot.wiring.install({}, cmd('copilot'));
    expect(out).toEqual({
      version: 1,
      hooks: {
        preToolUse: [
          {
            type: 'command',
            cwd: '.',
            timeoutSec: 10,
            matcher:
              '^(create|edit|str_replace|insert|write|str_replace_editor|apply_patch|view|read|grep|rg|glob|bash|powershell|shell|write_bash|write_powershell|write_shell)$|-|__',
            bash: 'node /opt/cleanroom/dist/agent-hook.cjs copilot',
          },
        ],
        postToolUse: [
          {
            type: 'command',
            cwd: '.',
            timeoutSec: 10,
            matcher: '^(create|edit|str_replace|insert|write|str_replace_editor|apply_patch)$',
            bash: 'node /opt/cleanroom/dist/agent-hook.cjs copilot',
          },
        ],
      },
    });
  });

  it('a shape we must not guess about is refused, never overwritten', () => {
    for (const agent of AGENTS) {
      expect(() => ADAPTERS[agent].wiring.install({ hooks: [] }, cmd(agent))).toThrow(WiringError);
    }
    expect(() =>
      ADAPTERS.gemini.wiring.install({ hooks: { BeforeTool: {} } }, cmd('gemini')),
    ).toThrow(/hooks.BeforeTool" is not a list/);
  });

  it('reports which events are wired', () => {
    for (const agent of AGENTS) {
      const w = ADAPTERS[agent].wiring;
      expect(w.wiredEvents({}).wired).toEqual([]);
      const full = w.wiredEvents(w.install({}, cmd(agent)));
      expect(full.wired).toEqual(full.wanted);
      expect(full.commands.every((c) => c.endsWith(agent))).toBe(true);
    }
  });
});
