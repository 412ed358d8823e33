// Issue 15 §6: with the default preset (a `read: deny` zone exists), a repository-wide
// Grep is refused only when it can reach a file of that zone: a glob or file type that no
// zone file matches, a path outside the zones, or a zone with no files yet, passes.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { payload, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

function presetRepo(withZoneFiles: boolean): {
  repo: TestRepo;
  grep: (input: Record<string, string>) => number;
} {
  const repo = TestRepo.init();
  repo.write('README.md', '# lab\n');
  repo.write('src/app.ts', 'export const answer = 42;\n');
  repo.write('evals/harness/run.py', 'print("run")\n');
  if (withZoneFiles) repo.write('evals/fixtures/env.json', '{"secret": "held-out answer"}\n');
  const init = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code']);
  if (init.code !== 0) throw new Error(init.stderr);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'lab');
  const command = wiredCommand(repo, 'claude-code');
  const grep = (input: Record<string, string>) =>
    runWired(
      repo,
      command,
      payload(
        'claude-code',
        'PreToolUse-Grep',
        repo,
        (o) => (o.tool_input = { pattern: 'answer', ...input }),
      ),
      { env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir } },
    ).code;
  return { repo, grep };
}

describe('§6 searches that cannot reach zone content pass', { timeout: 120_000 }, () => {
  let lab: ReturnType<typeof presetRepo>;
  beforeAll(() => {
    lab = presetRepo(true);
  }, 60_000);

  it('refused: a repository-wide search that would read evals/fixtures/env.json', () => {
    expect(lab.grep({})).toBe(2);
    expect(lab.grep({ glob: '*.json' })).toBe(2);
    expect(lab.grep({ path: 'evals' })).toBe(2);
    expect(lab.grep({ path: join(lab.repo.dir, 'evals/fixtures') })).toBe(2);
    expect(lab.grep({ glob: 'evals/**' })).toBe(2);
    // ripgrep reads [!…] as "none of" (picomatch alone: "! or _", which reads nothing).
    expect(lab.grep({ glob: '[!_]*' })).toBe(2);
    expect(lab.grep({ glob: '*.[!t]*' })).toBe(2);
    // A file of the zone as the path: ripgrep reads a file it is given, whatever its glob.
    expect(lab.grep({ path: 'evals/fixtures/env.json' })).toBe(2);
    expect(lab.grep({ path: join(lab.repo.dir, 'evals/fixtures/env.json'), glob: '*.ts' })).toBe(2);
    // ripgrep anchors a glob with "/" at its working directory, drops a leading "/",
    // reads {a} as a; a backslash escape is not modelled (the search reads all).
    for (const glob of ['evals/**/*.json', 'fixtures/*.json', '/evals/**', '{*.json}', '*.\\json'])
      expect([glob, lab.grep({ path: 'evals', glob })]).toEqual([glob, 2]);
  });

  it('allowed: a glob, a file type or a path that leaves the zone out', () => {
    expect(lab.grep({ glob: '*.ts' })).toBe(0);
    expect(lab.grep({ glob: '**/*.{ts,py}' })).toBe(0);
    expect(lab.grep({ glob: '*.[!j]s' })).toBe(0);
    expect(lab.grep({ type: 'ts' })).toBe(0);
    expect(lab.grep({ type: 'py' })).toBe(0);
    expect(lab.grep({ path: 'src' })).toBe(0);
    expect(lab.grep({ path: 'evals/harness' })).toBe(0);
    expect(lab.grep({ path: 'src/app.ts' })).toBe(0);
    expect(lab.grep({ glob: 'src/**' })).toBe(0);
  });

  it('allowed: a repository-wide search when the read: deny zone holds no file yet', () => {
    const empty = presetRepo(false);
    expect(empty.grep({})).toBe(0);
  });
});
