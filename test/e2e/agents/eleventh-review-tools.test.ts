// Bypasses of the agents' own tools found by the eleventh hostile review, each refused
// through the built hook, with a control beside it that an agent may still run:
// searches rooted above the repository, Claude Code's Grep glob lists, the hosts' user
// settings (and CLEANROOM_POLICY), Codex patch headers with padding, MCP arguments by
// other names and MCP tools that run commands, and text typed into a running shell.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTempDirs, repoWithPolicy, tempDir } from '../../helpers/repo.js';
import { hook, ledger } from './world.js';

afterAll(removeTempDirs);

const repo = repoWithPolicy({ init: false });
repo.write('evals/tasks/q1.json', '{"secret": "HELDOUT"}\n').write('src/a.py', 'print(1)\n');
repo.git('add', '-A');
repo.git('commit', '-q', '--no-verify', '-m', 'content');
const home = tempDir('cleanroom-home-');

const claude = (tool: string, input: Record<string, unknown>, env?: NodeJS.ProcessEnv) =>
  hook(
    repo,
    'claude-code',
    JSON.stringify({
      session_id: 's',
      cwd: repo.dir,
      hook_event_name: 'PreToolUse',
      tool_name: tool,
      tool_input: input,
    }),
    env ? { env } : {},
  );
/** Claude Code's answer: 2 refused, 0 allowed. */
const claudeCode = (tool: string, input: Record<string, unknown>, env?: NodeJS.ProcessEnv) =>
  claude(tool, input, env).code;

describe('a directory read rooted above the repository reads the repository', () => {
  const parent = dirname(repo.dir);
  it.each([
    ['Grep', { pattern: 'HELDOUT', path: parent }],
    ['Grep', { pattern: 'HELDOUT', path: `${parent}/` }],
    ['Grep', { pattern: 'HELDOUT', path: '/' }],
    ['Grep', { pattern: 'HELDOUT', path: '..' }],
    ['Bash', { command: 'grep -r HELDOUT ..' }],
    ['Bash', { command: `rg HELDOUT ${parent}` }],
    ['Bash', { command: 'cp -r .. /tmp/cleanroom-copy' }],
    ['Bash', { command: 'cp -r . /tmp/cleanroom-copy' }],
    ['Bash', { command: 'cp -r evals /tmp/cleanroom-copy' }],
  ])('%s %j is refused', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(2);
  });
  it.each([
    ['Grep', { pattern: 'x', path: `${repo.dir}/src` }],
    ['Grep', { pattern: 'x', path: parent, glob: '*.py' }],
    ['Grep', { pattern: 'x', glob: '*.py' }],
    ['Bash', { command: 'grep -r x src' }],
    ['Bash', { command: 'ls ..' }],
    ['Bash', { command: 'cp -r src /tmp/cleanroom-copy' }],
    ['Glob', { pattern: '**/*.py', path: parent }],
  ])('control: %s %j is allowed', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(0);
  });
});

describe("Claude Code's Grep glob is a list (whitespace, and commas outside braces)", () => {
  it.each(['*.py *.json', '*.py,*.json', '*.py\t*.json', '*.md, *.json', '{*.md,*.py} *.json'])(
    'glob %j is refused',
    (glob) => {
      expect(claudeCode('Grep', { pattern: 'HELDOUT', glob })).toBe(2);
    },
  );
  it.each(['*.py', '*.py *.md', '*.py,*.md', '{*.py,*.md}'])(
    'control: glob %j is allowed',
    (glob) => {
      expect(claudeCode('Grep', { pattern: 'x', glob })).toBe(0);
    },
  );
});

describe("the hosts' user settings are not the agent's to write", () => {
  const env = cleanEnv({ HOME: home });
  it.each([
    join(home, '.claude', 'settings.json'),
    join(home, '.claude', 'settings.local.json'),
    join(home, '.claude.json'),
    join(home, '.gemini', 'settings.json'),
    join(home, '.gemini', 'trustedFolders.json'),
    join(home, '.copilot', 'config.json'),
    join(home, '.config', '.copilot', 'config.json'),
    join(home, '.codex', 'config.toml'),
    join(home, '.codex', 'hooks.json'),
    join(home, '.cursor', 'hooks.json'),
  ])('Write %s is refused', (file) => {
    const r = claude('Write', { file_path: file, content: '{"disableAllHooks":true}' }, env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/agent host's own settings/);
  });
  it('under CLAUDE_CONFIG_DIR and CODEX_HOME too', () => {
    const e = { ...env, CLAUDE_CONFIG_DIR: join(home, 'cc'), CODEX_HOME: join(home, 'cx') };
    expect(claudeCode('Write', { file_path: join(home, 'cc', 'settings.json') }, e)).toBe(2);
    expect(claudeCode('Write', { file_path: join(home, 'cx', 'config.toml') }, e)).toBe(2);
  });
  it.each([
    'echo \'{"disableAllHooks":true}\' > ~/.claude/settings.json',
    'printf "[features]\\nhooks = false\\n" >> $HOME/.codex/config.toml',
    'cp /tmp/x.json ~/.gemini/settings.json',
  ])('the shell: %s is refused', (command) => {
    expect(claudeCode('Bash', { command }, env)).toBe(2);
  });
  it.each([join(home, 'notes.txt'), join(home, '.claude', 'CLAUDE.md')])(
    'control: Write %s is allowed',
    (file) => {
      expect(claudeCode('Write', { file_path: file, content: 'x' }, env)).toBe(0);
    },
  );

  it('CLEANROOM_POLICY adds to the committed policy, never replaces it', () => {
    const dir = tempDir('cleanroom-weak-');
    const weak = join(dir, 'weak.yaml');
    writeFileSync(
      weak,
      'version: 1\nrepository: x/y\nzones:\n  - name: src-secret\n    paths: ["src/**"]\n    ai: deny\n    read: deny\n',
    );
    const e = cleanEnv({ CLEANROOM_POLICY: weak });
    // The committed zone still holds...
    expect(claudeCode('Read', { file_path: `${repo.dir}/evals/tasks/q1.json` }, e)).toBe(2);
    expect(claudeCode('Write', { file_path: `${repo.dir}/evals/tasks/q9.json` }, e)).toBe(2);
    // ...and the named file's zone counts too.
    expect(claudeCode('Read', { file_path: `${repo.dir}/src/a.py` }, e)).toBe(2);
    // Control: without it, src/a.py is the agent's to read.
    expect(claudeCode('Read', { file_path: `${repo.dir}/src/a.py` })).toBe(0);
    // A file that does not exist blocks (fail closed).
    expect(
      claudeCode(
        'Read',
        { file_path: `${repo.dir}/src/a.py` },
        cleanEnv({ CLEANROOM_POLICY: join(dir, 'none.yaml') }),
      ),
    ).toBe(2);
  });
});

describe('Codex apply_patch headers with padding are read as Codex reads them', () => {
  const codex = (patch: string, event = 'PreToolUse') =>
    hook(
      repo,
      'codex',
      JSON.stringify({
        session_id: 's',
        turn_id: 't',
        cwd: repo.dir,
        hook_event_name: event,
        model: 'gpt-5-codex',
        tool_name: 'apply_patch',
        tool_input: { command: patch },
        tool_use_id: 'c',
        ...(event === 'PostToolUse' ? { tool_response: 'Success' } : {}),
      }),
    );
  const denied = (r: { stdout: string }) => /"deny"|"block"/.test(r.stdout);
  it.each([
    '*** Begin Patch\n  *** Add File: evals/tasks/q7.json\n+x\n*** End Patch',
    '  *** Begin Patch\n\t*** Add File: evals/tasks/q7.json\n+x\n  *** End Patch  ',
    '*** Begin Patch\n*** Add File: evals/tasks/q7.json   \n+x\n*** End Patch',
    '*** Begin Patch\n*** Update File: src/a.py\n   *** Move to: evals/tasks/q8.json\n@@\n-print(1)\n+print(2)\n*** End Patch',
    '*** Begin Patch\r\n *** Update File: evals/tasks/q1.json\r\n@@\r\n-x\r\n+y\r\n*** End Patch',
  ])('%j is refused', (patch) => {
    expect(denied(codex(patch))).toBe(true);
  });
  it('control: an indented header outside the zones is allowed', () => {
    const r = codex('*** Begin Patch\n  *** Add File: src/new.py\n+x\n*** End Patch');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
  });
  it('the ledger records the file an indented header wrote', () => {
    const before = ledger(repo).entries.length;
    repo.write('src/added.py', 'print(3)\n'); // what Codex wrote
    const r = codex(
      '*** Begin Patch\n  *** Add File: src/added.py\n+print(3)\n*** End Patch',
      'PostToolUse',
    );
    expect(r.code).toBe(0);
    const entries = ledger(repo).entries;
    expect(entries.length).toBe(before + 1);
    expect(JSON.stringify(entries[entries.length - 1])).toContain('src/added.py');
  });
});

describe('MCP arguments by other names, and MCP tools that run commands', () => {
  it.each([
    [
      'mcp__jetbrains__create_new_file_with_text',
      { pathInProject: 'evals/tasks/q5.json', text: 'x' },
    ],
    ['mcp__jetbrains__get_file_text_by_path', { pathInProject: 'evals/tasks/q1.json' }],
    ['mcp__somefs__read_file', { relativePath: 'evals/tasks/q1.json' }],
    ['mcp__fs__write_text', { absolutePath: `${repo.dir}/evals/tasks/q6.json`, text: 'x' }],
    ['mcp__fs__copy', { sourceFile: 'evals/tasks/q1.json', outputDir: '/tmp' }],
    ['mcp__fetch__fetch', { url: `file://${repo.dir}/evals/tasks/q1.json` }],
    ['mcp__x__open', { resource: { href: `file://${repo.dir}/evals/tasks/q1.json` } }],
    ['mcp__jetbrains__execute_terminal_command', { command: 'cat evals/tasks/q1.json' }],
    ['mcp__desktop__start_process', { command: 'git commit --no-verify -am x', timeout_ms: 1 }],
    ['mcp__x__run', { cmd: ['cat', 'evals/tasks/q1.json'] }],
    ['mcp__x__spawn', { command: 'cat', args: ['evals/tasks/q1.json'] }],
    ['mcp__desktop__interact_with_process', { pid: 1, input: 'cat evals/tasks/q1.json' }],
    ['mcp__ide__executeCode', { code: 'print(open("evals/tasks/q1.json").read())' }],
    ['mcp__x__run_script', { script: 'import os' }],
  ])('%s %j is refused', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(2);
  });
  it.each([
    ['mcp__jetbrains__get_file_text_by_path', { pathInProject: 'src/a.py' }],
    ['mcp__jetbrains__execute_terminal_command', { command: 'ls src' }],
    ['mcp__github__create_issue', { title: 'x', body: 'evals/tasks/q1.json is flaky' }],
    ['mcp__jetbrains__create_new_file_with_text', { pathInProject: 'src/b.py', text: 'evals/x' }],
    ['mcp__memory__search_nodes', { query: 'anything' }],
  ])('control: %s %j is allowed', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(0);
  });
});

describe('text typed into a running shell is judged as command lines', () => {
  const copilot = (toolName: string, args: Record<string, unknown>) =>
    hook(
      repo,
      'copilot',
      JSON.stringify({ timestamp: 1, cwd: repo.dir, toolName, toolArgs: JSON.stringify(args) }),
    );
  const cursor = (input: Record<string, unknown>) =>
    hook(
      repo,
      'cursor',
      JSON.stringify({
        conversation_id: 'c',
        generation_id: 'g',
        hook_event_name: 'preToolUse',
        workspace_roots: [repo.dir],
        cwd: repo.dir,
        tool_name: 'WriteShellStdin',
        tool_input: input,
      }),
    );
  it.each([
    'cat evals/tasks/q1.json\n',
    'ls\ncat evals/tasks/q1.json\n',
    '!cat evals/tasks/q1.json\n',
    ':!cat evals/tasks/q1.json\n',
    '.shell cat evals/tasks/q1.json\n',
    'git commit --no-verify -m x\n',
  ])('Copilot write_bash %j is refused', (input) => {
    expect(copilot('write_bash', { shellId: '1', input }).stdout).toMatch(/"deny"/);
  });
  it('Cursor WriteShellStdin is refused', () => {
    expect(cursor({ shellId: '1', input: 'cat evals/tasks/q1.json\n' }).stdout).toMatch(/"deny"/);
    expect(cursor({ shell_id: 1, chars: '!cat evals/tasks/q1.json\n' }).stdout).toMatch(/"deny"/);
  });
  it('controls: ordinary input is allowed', () => {
    expect(copilot('write_bash', { shellId: '1', input: 'ls src\n' }).stdout).toBe('');
    expect(copilot('write_bash', { shellId: '1', input: 'y\n' }).stdout).toBe('');
    expect(cursor({ shellId: '1', input: 'ls src\n' }).stdout).toBe('{}\n');
  });
  it('init wires write_bash into the Copilot matcher', () => {
    const r = repoWithPolicy({ init: false });
    const out = r.cleanroom(['init', '--agents', 'copilot', '-q']);
    expect(out.code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(r.dir, '.github/hooks/cleanroom.json'), 'utf8')) as {
      hooks: { preToolUse: { matcher: string }[] };
    };
    const m = new RegExp(cfg.hooks.preToolUse[0]!.matcher);
    expect(m.test('write_bash')).toBe(true);
    expect(m.test('bash')).toBe(true);
    expect(m.test('read_bash')).toBe(false);
  });
});

describe('MCP variants: git tools, file: URLs, any key, backslashes, reads above the repository', () => {
  const r = repo.dir;
  const parent = dirname(r);
  it.each([
    ['mcp__git__git_show', { repo_path: r, revision: 'HEAD:evals/tasks/q1.json' }],
    ['mcp__git__git_show', { repo_path: r, revision: 'HEAD' }],
    ['mcp__git__git_diff', { repo_path: r, target: '4b825dc642cb6eb9a060e54bf8d69288fbee4904' }],
    ['mcp__git__git_diff', { repo_path: r, target: 'HEAD~1' }],
    ['mcp__git__git_diff_staged', { repo_path: r }],
    ['mcp__git__git_diff_unstaged', { repo_path: r, context_lines: 3 }],
    ['mcp__git__git_commit', { repo_path: r, message: 'x' }],
    ['mcp__gitx__git_read_file', { repo: r, ref: 'HEAD' }],
    ['mcp__fetch__fetch', { url: `file:${r}/evals/tasks/q1.json` }],
    ['mcp__fetch__fetch', { url: `FILE://${r}/evals/tasks/q1.json` }],
    ['mcp__fs__read_file', { uri: 'file:evals/tasks/q1.json' }],
    ['mcp__fs__tool', { from: 'src/a.py', to: 'evals/tasks/x.json' }],
    ['mcp__fs__tool', { output: 'evals/tasks/x.json', content: 'x' }],
    ['mcp__fs__tool', { name: 'evals/tasks/q1.json' }],
    ['mcp__fs__tool', { input: 'evals/tasks/q1.json' }],
    ['mcp__fs__tool', { dir: 'evals', file: 'tasks/q1.json' }],
    ['mcp__fs__read_file', { path: 'evals\\tasks\\q1.json' }],
    ['mcp__fs__tool', { commandLine: 'cat evals/tasks/q1.json' }],
    ['mcp__fs__tool', { argv: ['cat', 'evals/tasks/q1.json'] }],
    ['mcp__fs__search_files', { path: '..', pattern: 'HELDOUT' }],
    ['mcp__fs__search_files', { path: parent, pattern: '*' }],
    ['mcp__fs__list_directory', { path: parent }],
    ['mcp__fs__directory_tree', { path: '.' }],
  ])('%s %j is refused', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(2);
  });
  it.each([
    ['mcp__git__git_status', { repo_path: r }],
    ['mcp__git__git_log', { repo_path: r, max_count: 5 }],
    ['mcp__git__git_branch', { repo_path: r, branch_type: 'local' }],
    ['mcp__db__query', { sql: 'SELECT a/b FROM t WHERE x = 1' }],
    ['mcp__fetch__fetch', { url: 'https://example.org/evals/tasks/q1.json' }],
    ['mcp__fs__read_file', { uri: 'file:src/a.py' }],
    ['mcp__fs__tool', { name: 'src/a.py' }],
    ['mcp__fs__tool', { dir: 'src', file: 'a.py' }],
    ['mcp__fs__read_file', { path: 'src\\a.py' }],
    ['mcp__fs__list_directory', { path: 'src' }],
    ['mcp__fs__search_files', { path: 'src', pattern: '*.py' }],
  ])('control: %s %j is allowed', (tool, input) => {
    expect(claudeCode(tool, input)).toBe(0);
  });
});
