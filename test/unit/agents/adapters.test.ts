import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ADAPTERS, adapterFor } from '../../../src/agents/index.js';
import {
  AGENTS,
  HookInputError,
  type AgentEvent,
  type Decision,
} from '../../../src/agents/types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/agents/', import.meta.url));
const R = '/workspace/acme-evals';
const fixture = (agent: string, name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, agent, `${name}.json`), 'utf8'));

const SCORE_LINE = '    return float(" ".join(answer.split()) == " ".join(expected.split()))';
/** The harness file the fixtures' agents write. */
const HARNESS = (fixture('claude-code', 'PostToolUse-Write') as { tool_input: { content: string } })
  .tool_input.content;

type Expect = Partial<AgentEvent> & Pick<AgentEvent, 'kind'>;

// Every recorded payload, and the neutral event it must become.
const CASES: Record<string, Record<string, Expect>> = {
  'claude-code': {
    'PreToolUse-Write': {
      kind: 'write',
      name: 'Write',
      paths: [`${R}/evals/tasks/q1.json`],
      cwd: R,
      session: '9f1c2d3e-4b5a-4789-9bcd-ef0123456789',
      tool: 'claude-code',
    },
    'PreToolUse-Edit': { kind: 'write', paths: [`${R}/evals/harness/score.py`] },
    'PreToolUse-MultiEdit': { kind: 'write', paths: [`${R}/evals/harness/score.py`] },
    'PreToolUse-NotebookEdit': { kind: 'write', paths: [`${R}/analysis/explore.ipynb`] },
    'PreToolUse-Read': { kind: 'read', paths: [`${R}/evals/tasks/q1.json`] },
    'PreToolUse-Grep': { kind: 'search', paths: ['.'] },
    'PreToolUse-Glob': { kind: 'read', paths: ['evals/tasks'] },
    'PreToolUse-Bash': { kind: 'shell', paths: [], command: 'jq -r .answer evals/tasks/q1.json' },
    'PreToolUse-mcp__filesystem__write_file': {
      kind: 'access',
      name: 'mcp__filesystem__write_file',
      paths: [`${R}/evals/tasks/q9.json`],
    },
    'PreToolUse-mcp__filesystem__read_text_file': {
      kind: 'read',
      paths: [`${R}/evals/tasks/q1.json`],
    },
    'PostToolUse-Write': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [HARNESS],
    },
    'PostToolUse-Edit': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [SCORE_LINE],
    },
    'PostToolUse-MultiEdit': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: ['import unicodedata'],
    },
    'PostToolUse-NotebookEdit': {
      kind: 'after-write',
      paths: [`${R}/analysis/explore.ipynb`],
      content: ["results = load_results('runs/latest')\nresults.groupby('model').score.mean()"],
    },
  },
  codex: {
    'PreToolUse-mcp__filesystem__write_file': {
      kind: 'access',
      paths: ['evals/tasks/q9.json'],
      model: 'gpt-5-codex',
    },
    'PreToolUse-apply_patch': {
      kind: 'write',
      name: 'apply_patch',
      paths: ['evals/harness/score.py', 'evals/harness/run.py'],
      model: 'gpt-5-codex',
      session: '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
      tool: 'codex',
    },
    'PreToolUse-Bash': { kind: 'shell', command: "sed -n '1,40p' evals/tasks/q1.json" },
    'PostToolUse-apply_patch': {
      kind: 'after-write',
      paths: ['evals/harness/score.py', 'evals/harness/run.py'],
      content: [
        HARNESS.replace(/\n$/, ''),
        '    print(f"score={score(a, b):.3f} for {len(sys.argv)} arguments")',
      ],
    },
  },
  cursor: {
    beforeMCPExecution: { kind: 'access', name: 'write_file', paths: [`${R}/evals/tasks/q9.json`] },
    beforeTabFileRead: {
      kind: 'read',
      name: 'beforeTabFileRead',
      paths: [`${R}/evals/tasks/q1.json`],
    },
    afterTabFileEdit: { kind: 'after-write', paths: [`${R}/evals/harness/score.py`] },
    preToolUse: {
      kind: 'write',
      name: 'Write',
      paths: [`${R}/evals/tasks/q1.json`],
      cwd: R,
      model: 'claude-4.5-sonnet',
      session: 'c7e2b9d0-5f4a-4c3b-9a8e-1d2f3a4b5c6d',
      tool: 'cursor',
    },
    beforeReadFile: { kind: 'read', name: 'beforeReadFile', paths: [`${R}/evals/tasks/q1.json`] },
    beforeShellExecution: { kind: 'shell', command: 'cat evals/tasks/q1.json', cwd: R },
    afterFileEdit: {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [HARNESS],
    },
  },
  gemini: {
    'BeforeTool-mcp__filesystem__read_text_file': {
      kind: 'read',
      paths: [`${R}/evals/tasks/q1.json`],
    },
    'BeforeTool-write_file': {
      kind: 'write',
      paths: ['evals/tasks/q1.json'],
      cwd: R,
      session: '5d7c3a1e-2b4f-4e6a-8c9d-0f1e2d3c4b5a',
      tool: 'gemini',
    },
    'BeforeTool-replace': { kind: 'write', paths: [`${R}/evals/harness/score.py`] },
    'BeforeTool-read_file': { kind: 'read', paths: ['evals/tasks/q1.json'] },
    'BeforeTool-read_many_files': { kind: 'search', paths: ['evals/tasks', 'README.md'] },
    'BeforeTool-list_directory': { kind: 'read', paths: ['evals/tasks'] },
    'BeforeTool-glob': { kind: 'read', paths: ['evals/tasks'] },
    'BeforeTool-grep_search': { kind: 'search', paths: ['evals'] },
    'BeforeTool-run_shell_command': { kind: 'shell', command: 'head -c 200 evals/tasks/q1.json' },
    'AfterTool-write_file': {
      kind: 'after-write',
      paths: ['evals/harness/score.py'],
      content: [HARNESS],
    },
    'AfterTool-replace': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [SCORE_LINE],
    },
  },
  copilot: {
    'preToolUse-apply_patch': {
      kind: 'write',
      name: 'apply_patch',
      paths: ['evals/tasks/q9.json'],
      tool: 'copilot',
    },
    'preToolUse-create': {
      kind: 'write',
      name: 'create',
      paths: [`${R}/evals/tasks/q1.json`],
      cwd: R,
      tool: 'copilot',
      session: 'unknown',
    },
    'preToolUse-edit': { kind: 'write', paths: [`${R}/evals/harness/score.py`] },
    'preToolUse-view': { kind: 'read', paths: [`${R}/evals/tasks/q1.json`] },
    'preToolUse-bash': { kind: 'shell', command: 'cat evals/tasks/q1.json' },
    'postToolUse-create': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [HARNESS],
    },
    'postToolUse-edit': {
      kind: 'after-write',
      paths: [`${R}/evals/harness/score.py`],
      content: [SCORE_LINE],
    },
  },
};

describe('agent adapters read recorded hook payloads', () => {
  it('has a case for every fixture, and a fixture for every case', () => {
    for (const agent of AGENTS) {
      const files = readdirSync(join(FIXTURES, agent))
        .map((f) => f.replace(/\.json$/, ''))
        .sort();
      expect(files, agent).toEqual(Object.keys(CASES[agent]!).sort());
    }
  });

  for (const [agent, cases] of Object.entries(CASES)) {
    for (const [name, want] of Object.entries(cases)) {
      it(`${agent} ${name} → ${want.kind}`, () => {
        const event = adapterFor(agent)!.parse(fixture(agent, name));
        expect(event).toMatchObject(want);
      });
    }
  }

  it('calls outside its concern are "other": Claude WebFetch, a Codex MCP tool, Copilot post-view, a Cursor stop', () => {
    expect(
      ADAPTERS['claude-code'].parse({
        hook_event_name: 'PreToolUse',
        tool_name: 'WebFetch',
        tool_input: { url: 'https://x' },
      }).kind,
    ).toBe('other');
    expect(
      ADAPTERS['claude-code'].parse({
        hook_event_name: 'PostToolUse',
        tool_name: 'Read',
        tool_input: { file_path: '/x' },
      }).kind,
    ).toBe('other');
    expect(
      ADAPTERS.codex.parse({
        hook_event_name: 'PreToolUse',
        tool_name: 'mcp__db__query',
        tool_input: { sql: 'select 1' },
      }).kind,
    ).toBe('other'); // names no path
    expect(
      ADAPTERS.copilot.parse({
        toolName: 'view',
        toolArgs: '{"path":"a"}',
        toolResult: { resultType: 'success' },
      }).kind,
    ).toBe('other');
    expect(ADAPTERS.cursor.parse({ hook_event_name: 'stop', status: 'completed' }).kind).toBe(
      'other',
    );
  });

  it('a failed Copilot write is not recorded', () => {
    const failed = {
      toolName: 'create',
      toolArgs: '{"path":"a.txt","file_text":"x"}',
      toolResult: { resultType: 'failure' },
    };
    expect(ADAPTERS.copilot.parse(failed).kind).toBe('other');
  });

  it('refuses input that is not what the agent sends, with a reason', () => {
    for (const agent of AGENTS) {
      expect(() => adapterFor(agent)!.parse([1, 2])).toThrow(HookInputError);
      expect(() => adapterFor(agent)!.parse('text')).toThrow(/not a JSON object/);
    }
    expect(() =>
      ADAPTERS['claude-code'].parse({
        hook_event_name: 'PreToolUse',
        tool_name: 'Write',
        tool_input: { content: 'x' },
      }),
    ).toThrow(/without a file_path/);
    expect(() => ADAPTERS.copilot.parse({ toolName: 'create', toolArgs: '{not json' })).toThrow(
      /toolArgs is not a JSON object/,
    );
  });

  it('a field of the wrong type is ignored, never trusted', () => {
    const e = ADAPTERS['claude-code'].parse({
      hook_event_name: 'PreToolUse',
      tool_name: 'Write',
      session_id: 42,
      cwd: ['/x'],
      tool_input: { file_path: '/r/a.txt' },
    });
    expect(e).toMatchObject({ kind: 'write', session: 'unknown', cwd: undefined });
  });
});

describe('each adapter answers in its own protocol', () => {
  const deny: Decision = { action: 'deny', reason: 'cleanroom: no.' };
  const failClosed: Decision = { action: 'fail', block: true, reason: 'cleanroom: broken.' };
  const failOpen: Decision = { action: 'fail', block: false, reason: 'cleanroom: not recorded.' };
  const allow: Decision = { action: 'allow' };

  it('Claude Code: exit 2 + stderr blocks; errors before a decision also exit 2 (any other code lets the write through)', () => {
    const c = ADAPTERS['claude-code'];
    expect(c.reply(allow, undefined)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(c.reply(deny, undefined)).toEqual({ code: 2, stdout: '', stderr: 'cleanroom: no.\n' });
    expect(c.reply(failClosed, undefined)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cleanroom: broken.\n',
    });
    expect(c.reply(failOpen, undefined)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'cleanroom: not recorded.\n',
    });
  });

  it('Codex: permissionDecision "deny" on stdout (decision "block" after a write); errors exit 2 with the reason on stderr', () => {
    const c = ADAPTERS.codex;
    expect(c.reply(allow, undefined)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(c.reply(deny, undefined)).toEqual({
      code: 0,
      stdout:
        '{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"cleanroom: no."}}\n',
      stderr: '',
    });
    expect(c.reply(deny, { kind: 'after-write' } as AgentEvent)).toEqual({
      code: 0,
      stdout: '{"decision":"block","reason":"cleanroom: no."}\n',
      stderr: '',
    });
    expect(c.reply(failClosed, undefined)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cleanroom: broken.\n',
    });
  });

  it('Gemini CLI: {"decision":"deny","reason"} on stdout; {} for no decision; errors exit 2', () => {
    const g = ADAPTERS.gemini;
    expect(g.reply(allow, undefined)).toEqual({ code: 0, stdout: '{}\n', stderr: '' });
    expect(g.reply(deny, undefined)).toEqual({
      code: 0,
      stdout: '{"decision":"deny","reason":"cleanroom: no."}\n',
      stderr: '',
    });
    expect(g.reply(failClosed, undefined)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'cleanroom: broken.\n',
    });
  });

  it('Cursor: permission deny on stdout; never "allow" where that would skip Cursor\'s own prompt; errors deny and exit 2', () => {
    const c = ADAPTERS.cursor;
    const read = c.parse(fixture('cursor', 'beforeReadFile'));
    const shell = c.parse(fixture('cursor', 'beforeShellExecution'));
    expect(c.reply(allow, read).stdout).toBe('{"permission":"allow"}\n');
    expect(c.reply(allow, shell).stdout).toBe('{}\n');
    const denied = c.reply(deny, shell);
    expect(denied.code).toBe(0);
    expect(JSON.parse(denied.stdout)).toEqual({
      permission: 'deny',
      user_message: 'cleanroom: no.',
      agent_message: 'cleanroom: no.',
    });
    const failed = c.reply(failClosed, undefined);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout).permission).toBe('deny');
  });

  it('Copilot: permissionDecision deny on stdout, exit 0 — also for errors, the one documented way to block', () => {
    const c = ADAPTERS.copilot;
    expect(c.reply(allow, undefined)).toEqual({ code: 0, stdout: '', stderr: '' });
    const want = '{"permissionDecision":"deny","permissionDecisionReason":"cleanroom: no."}\n';
    expect(c.reply(deny, undefined)).toEqual({ code: 0, stdout: want, stderr: '' });
    const failed = c.reply(failClosed, undefined);
    expect(failed.code).toBe(0);
    expect(JSON.parse(failed.stdout)).toEqual({
      permissionDecision: 'deny',
      permissionDecisionReason: 'cleanroom: broken.',
    });
  });
});
