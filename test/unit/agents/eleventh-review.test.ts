// The readers behind the eleventh hostile review's fixes: Codex patch headers with
// padding, Claude Code's Grep glob lists, MCP argument names and command-running tools,
// and text typed into a running shell (Copilot write_bash, Cursor WriteShellStdin).

import { describe, expect, it } from 'vitest';
import { globList, searchFilter } from '../../../src/agents/decide.js';
import { copilot } from '../../../src/agents/copilot.js';
import { cursor } from '../../../src/agents/cursor.js';
import {
  gitTool,
  isPathKey,
  pathArguments,
  runArguments,
  typedLines,
  unknownTool,
} from '../../../src/agents/mcp.js';
import { parsePatch } from '../../../src/agents/patch.js';

describe('parsePatch reads headers as leniently as Codex', () => {
  it.each([
    '  *** Add File: evals/q.json',
    '\t*** Add File: evals/q.json',
    '*** Add File: evals/q.json   ',
    '*** add file: evals/q.json',
    '***  Add File :  evals/q.json',
  ])('%j adds evals/q.json', (header) => {
    const files = parsePatch(`*** Begin Patch\n${header}\n+x\n*** End Patch`);
    expect(files.map((f) => [f.op, f.path])).toEqual([['add', 'evals/q.json']]);
    expect(files[0]!.added).toEqual(['x']);
  });
  it('an indented Move to is the file written', () => {
    const files = parsePatch(
      '*** Begin Patch\n *** Update File: a.py\n   *** Move to: evals/q.json\n@@\n-a\n+b\n *** End Patch',
    );
    expect(files).toEqual([{ op: 'update', path: 'evals/q.json', from: 'a.py', added: ['b'] }]);
  });
  it('control: the column-0 form still reads the same', () => {
    expect(
      parsePatch('*** Begin Patch\n*** Add File: a.py\n+x\n*** Delete File: b.py\n*** End Patch'),
    ).toEqual([
      { op: 'add', path: 'a.py', added: ['x'] },
      { op: 'delete', path: 'b.py', added: [] },
    ]);
  });
});

describe("Claude Code's Grep glob list", () => {
  it('splits on whitespace, and on commas outside braces', () => {
    expect(globList('*.py *.json')).toEqual(['*.py', '*.json']);
    expect(globList('*.py,*.json')).toEqual(['*.py', '*.json']);
    expect(globList(' *.md,  *.json ')).toEqual(['*.md', '*.json']);
    expect(globList('{*.py,*.md} *.json')).toEqual(['{*.py,*.md}', '*.json']);
  });
  it('a file any piece lets through is read', () => {
    const f = searchFilter('*.py *.json', undefined)!;
    expect(f('evals/tasks/q1.json')).toBe(true);
    expect(f('src/a.py')).toBe(true);
    expect(searchFilter('*.py,*.json', undefined)!('evals/q.json')).toBe(true);
    // control
    expect(searchFilter('*.py *.md', undefined)!('evals/q.json')).toBe(false);
  });
});

describe('MCP arguments', () => {
  it.each([
    'path',
    'pathInProject',
    'relativePath',
    'absolutePath',
    'relative_path',
    'filePath',
    'sourceFile',
    'outputDir',
    'working_directory',
    'targetFolder',
  ])('%s names a path', (key) => {
    expect(isPathKey(key)).toBe(true);
  });
  it.each(['text', 'content', 'file_text', 'fileContent', 'pathPattern', 'title', 'query'])(
    'control: %s does not',
    (key) => {
      expect(isPathKey(key)).toBe(false);
    },
  );
  it('a file:// URL is a path under any name', () => {
    expect(pathArguments({ url: 'file:///r/evals/q.json', href: 'https://x/y' })).toEqual([
      '/r/evals/q.json',
    ]);
  });
  it('tools that run commands or code', () => {
    expect(runArguments('mcp__j__execute_terminal_command', { command: 'cat x' })).toEqual({
      commands: ['cat x'],
      code: [],
    });
    expect(runArguments('mcp__x__spawn', { command: 'cat', args: ["it's"] }).commands).toEqual([
      `cat 'it'\\''s'`,
    ]);
    expect(runArguments('mcp__d__interact_with_process', { pid: 1, input: 'ls' }).commands).toEqual(
      ['ls'],
    );
    expect(runArguments('mcp__ide__executeCode', { code: 'print(1)' }).code).toEqual(['print(1)']);
    const e = unknownTool(
      { tool: 'claude-code', name: '', cwd: '/r', session: 's' },
      'mcp__j__run',
      { cmd: 'ls', cwd: 'src' },
    );
    expect(e).toMatchObject({ kind: 'shell', command: 'ls', paths: ['src'] });
  });
  it('control: ordinary tools stay ordinary', () => {
    const base = { tool: 'claude-code' as const, name: '', cwd: '/r', session: 's' };
    expect(unknownTool(base, 'mcp__github__create_issue', { title: 't', body: 'b' }).kind).toBe(
      'other',
    );
    expect(unknownTool(base, 'mcp__memory__search_nodes', { query: 'ls' }).kind).toBe('other');
    expect(runArguments('mcp__github__create_issue', { title: 'run', text: 'cat x' })).toEqual({
      commands: [],
      code: [],
    });
  });
});

describe('text typed into a running shell', () => {
  it("reads each line, and what an interactive program's shell escape runs", () => {
    expect(typedLines('ls\n!cat a\n.shell cat b\n:!cat c\n')).toEqual([
      'ls',
      '!cat a',
      'cat a',
      '.shell cat b',
      'cat b',
      ':!cat c',
      'cat c',
    ]);
  });
  it('Copilot write_bash is a shell event, and its matcher selects it', () => {
    const e = copilot.parse({
      timestamp: 1,
      cwd: '/r',
      toolName: 'write_bash',
      toolArgs: JSON.stringify({ shellId: '1', input: 'cat evals/q.json\n' }),
    });
    expect(e).toMatchObject({ kind: 'shell', command: 'cat evals/q.json' });
    const cfg = copilot.wiring.install({}, () => 'node x/dist/agent-hook.cjs copilot') as {
      hooks: { preToolUse: { matcher: string }[] };
    };
    const m = new RegExp(cfg.hooks.preToolUse[0]!.matcher);
    expect(['write_bash', 'bash', 'github-get_file'].every((n) => m.test(n))).toBe(true);
    expect(m.test('read_bash')).toBe(false);
  });
  it('Cursor WriteShellStdin is a shell event', () => {
    const e = cursor.parse({
      hook_event_name: 'preToolUse',
      conversation_id: 'c',
      workspace_roots: ['/r'],
      tool_name: 'WriteShellStdin',
      tool_input: { shellId: 1, input: 'cat evals/q.json' },
    });
    expect(e).toMatchObject({ kind: 'shell', command: 'cat evals/q.json' });
  });
});

describe('MCP variants', () => {
  const base = { tool: 'claude-code' as const, name: '', cwd: '/r', session: 's' };
  it('file: URLs without //, in any case, are paths', () => {
    expect(pathArguments({ url: 'file:/r/evals/q.json' })).toEqual(['/r/evals/q.json']);
    expect(pathArguments({ url: 'file:evals/q.json' })).toEqual(['evals/q.json']);
    expect(pathArguments({ url: 'FILE:///r/q.json' })).toEqual(['/r/q.json']);
  });
  it('a path-like value under any key that does not name text', () => {
    expect(pathArguments({ to: 'evals/q.json' })).toEqual(['evals/q.json']);
    expect(pathArguments({ name: './q.json', output: '~/x' })).toEqual(
      expect.arrayContaining(['./q.json', '~/x']),
    );
    expect(pathArguments({ path: 'evals\\q.json' })).toEqual(['evals\\q.json', 'evals/q.json']);
    expect(pathArguments({ dir: 'evals', file: 'tasks/q.json' })).toContain('evals/tasks/q.json');
    // control: text, and words that are not paths
    expect(pathArguments({ body: 'see evals/q.json', title: 'a/b', name: 'alice' })).toEqual([]);
  });
  it('commandLine and argv are commands', () => {
    expect(runArguments('mcp__x__tool', { commandLine: 'cat x' }).commands).toEqual(['cat x']);
    expect(runArguments('mcp__x__tool', { argv: ['cat', 'x'] }).commands).toEqual([`'cat' 'x'`]);
  });
  it('git MCP tools are the git command lines they run', () => {
    expect(gitTool('mcp__git__git_show', { repo_path: '/r', revision: 'HEAD' })).toEqual({
      cwd: '/r',
      command: `git 'show' 'HEAD'`,
    });
    expect(gitTool('mcp__git__git_diff_staged', { repo_path: '/r' })?.command).toBe(
      `git 'diff' '--unified=3' '--cached'`,
    );
    expect(gitTool('git-git_commit', { message: 'm' })?.command).toMatch(/--no-verify/);
    expect(gitTool('mcp__gh__git_read_file', {})?.unread).toMatch(/print file content/);
    expect(unknownTool(base, 'mcp__git__git_diff', { repo_path: '/r', target: 'x' })).toMatchObject(
      { kind: 'shell', cwd: '/r', mcp: true },
    );
    // control: not a git tool, or one that prints nothing unknown
    expect(gitTool('mcp__github__create_issue', {})).toBeUndefined();
    expect(gitTool('mcp__x__git_push', {})).toBeUndefined();
  });
  it('a reading tool that walks a tree is a search', () => {
    expect(unknownTool(base, 'mcp__fs__search_files', { path: '.' }).kind).toBe('search');
    expect(unknownTool(base, 'mcp__fs__directory_tree', { path: '.' }).kind).toBe('search');
    expect(unknownTool(base, 'mcp__fs__list_directory', { path: '.' }).kind).toBe('read');
  });
});
