// Issue 15 §6: how many calls of a typical agent session the agent hook refuses, with
// the default preset (its eval-environment zone is `read: deny`). Replays a scripted
// Claude Code session through the hook bundle and counts refusals — no timing. To
// compare with another build: BENCH_AGENT_HOOK=/path/to/dist/agent-hook.cjs.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CALLS = [
  ['Grep', { pattern: 'def score' }],
  ['Grep', { pattern: 'TODO', glob: '*.py' }],
  ['Grep', { pattern: 'import', type: 'py' }],
  ['Grep', { pattern: 'answer', path: 'src' }],
  ['Grep', { pattern: 'seed', path: 'evals/harness' }],
  ['Grep', { pattern: 'class ', glob: '**/*.ts' }],
  ['Grep', { pattern: 'prompt', glob: '*.md' }],
  ['Grep', { pattern: 'answer', glob: '*.json' }],
  ['Grep', { pattern: 'secret', path: 'evals' }],
  ['Grep', { pattern: 'fixture' }],
  ['Glob', { pattern: '**/*.py' }],
  ['Glob', { pattern: 'evals/fixtures/**' }],
  ['Read', { file_path: 'README.md' }],
  ['Read', { file_path: 'src/app.py' }],
  ['Read', { file_path: 'evals/harness/run.py' }],
  ['Read', { file_path: 'evals/fixtures/env.json' }],
  ['Bash', { command: 'git status' }],
  ['Bash', { command: 'git diff' }],
  ['Bash', { command: 'npm test' }],
  ['Bash', { command: 'pytest evals/harness' }],
  ['Bash', { command: 'grep -rn TODO src' }],
  ['Bash', { command: 'rg def src evals/harness' }],
  ['Bash', { command: 'ls evals' }],
  ['Bash', { command: 'cat evals/fixtures/env.json' }],
  ['Bash', { command: 'git log --oneline -5' }],
  ['Bash', { command: 'git commit -m "Add scorer"' }],
  // Git and shell forms that print or name files without naming a zone path.
  ['Bash', { command: 'git diff -- src' }],
  ['Bash', { command: 'git show --stat HEAD' }],
  ['Bash', { command: 'git log -p -3' }],
  ['Bash', { command: 'git show HEAD' }],
  ['Bash', { command: 'git diff HEAD~1 --stat' }],
  ['Bash', { command: 'cd src && cat app.py' }],
  ['Bash', { command: 'for f in src/*.py; do wc -l "$f"; done' }],
  ['Bash', { command: 'D=evals/fixtures; cat "$D/env.json"' }],
  ['Write', { file_path: 'src/util.py', content: 'x = 1\n' }],
  ['Write', { file_path: 'evals/harness/score.py', content: 'y = 2\n' }],
  ['Write', { file_path: 'evals/tasks/q9.json', content: '{}\n' }],
  ['Edit', { file_path: 'src/app.py', old_string: 'a', new_string: 'b' }],
];

export default async function (h) {
  const hookPath = process.env.BENCH_AGENT_HOOK || join(h.root, 'dist', 'agent-hook.cjs');
  const dir = h.tmp('cleanroom-session-bench-');
  const env = h.env();
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  const files = {
    'README.md': '# lab\n',
    'src/app.py': 'a = 1\n',
    'evals/harness/run.py': 'print(1)\n',
    'evals/fixtures/env.json': '{"held": "out"}\n',
    'evals/tasks/q1.json': '{}\n',
  };
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(join(dir, dirname(f)), { recursive: true });
    writeFileSync(join(dir, f), t);
  }
  execFileSync(process.execPath, [h.cli, 'init', '--hooks', 'none'], { cwd: dir, env });
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '--no-verify', '-m', 'lab'], { cwd: dir, env });
  const refused = [];
  for (const [tool, input] of CALLS) {
    const payload = JSON.stringify({
      session_id: 'bench',
      cwd: dir,
      hook_event_name: 'PreToolUse',
      tool_name: tool,
      tool_input: input,
    });
    const r = spawnSync(process.execPath, [hookPath, 'claude'], {
      cwd: dir,
      env: { ...env, CLAUDE_PROJECT_DIR: dir },
      input: payload,
      encoding: 'utf8',
    });
    if (r.status === 2) refused.push(`${tool} ${JSON.stringify(input)}`);
  }
  console.log(
    `agent session (default preset): ${refused.length} of ${CALLS.length} calls refused (${hookPath === join(h.root, 'dist', 'agent-hook.cjs') ? 'this build' : hookPath})`,
  );
  for (const r of refused) console.log(`  refused: ${r}`);
}
