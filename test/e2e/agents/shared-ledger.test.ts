// One repository, one ledger (issue 12 §2): linked worktrees share the ledger in the
// common git dir, so an agent's draft written in worktree B and copied by a human into
// worktree A's deny zone is still the agent's. And shared lines are not provenance (§3):
// a licence header an agent wrote into one file does not make a human's file with the
// same header the agent's, and a finding says which lines matched.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';
import { hook, payload } from './world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

/** The agent (Claude Code) writes `content` to `path` in the worktree at `wt`, through its PostToolUse hook. */
function agentWrites(wt: TestRepo, path: string, content: string): void {
  wt.write(path, content);
  const input = payload('claude', 'PostToolUse-Write', wt, (o) => {
    o.cwd = wt.dir;
    o.tool_input = { file_path: join(wt.dir, path), content };
    o.tool_response = {
      type: 'create',
      filePath: join(wt.dir, path),
      content,
      structuredPatch: [],
    };
  });
  const r = hook(wt, 'claude', input);
  if (r.code !== 0) throw new Error(`agent hook failed: ${r.stderr}`);
}

const DRAFT =
  '{"id": "q9", "question": "Which planet has the longest day of all?", "answer": "Venus"}\n';

describe('linked worktrees share one ledger', () => {
  it("an agent's draft from worktree B, copied by a human into worktree A's deny zone, is refused at commit", () => {
    const a = repoWithPolicy();
    const bDir = join(tempDir(), 'wt-b');
    a.git('worktree', 'add', '-q', '-b', 'agent-work', bDir);
    const b = new TestRepo(bDir, a.env);
    agentWrites(b, 'drafts/q9.json', DRAFT);
    const common = a.git('rev-parse', '--path-format=absolute', '--git-common-dir').trim();
    expect(existsSync(join(common, 'cleanroom', 'ledger.jsonl'))).toBe(true);
    expect(existsSync(join(common, 'worktrees', 'wt-b', 'cleanroom', 'ledger.jsonl'))).toBe(false);
    // A human copies the draft into A's eval tasks and commits there.
    a.write('evals/tasks/q9.json', readFileSync(join(bDir, 'drafts', 'q9.json')));
    const r = a.commit('Add q9');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('claude-code');
  });
  it('control: a task the human wrote in A commits clean while B has drafts', () => {
    const a = repoWithPolicy();
    const bDir = join(tempDir(), 'wt-b');
    a.git('worktree', 'add', '-q', '-b', 'agent-work', bDir);
    agentWrites(new TestRepo(bDir, a.env), 'drafts/q9.json', DRAFT);
    a.write(
      'evals/tasks/q1.json',
      '{"id": "q1", "question": "Hana wrote this one herself, by hand?", "answer": "yes"}\n',
    );
    const r = a.commit('Add q1');
    expect(r.code, r.stderr).toBe(0);
  });
  it('a commit made in worktree B sees the ledger too (the shim looks in the common dir)', () => {
    const a = repoWithPolicy();
    const bDir = join(tempDir(), 'wt-b');
    a.git('worktree', 'add', '-q', '-b', 'agent-work', bDir);
    const b = new TestRepo(bDir, a.env);
    agentWrites(b, 'drafts/q9.json', DRAFT);
    b.write('evals/tasks/q9.json', DRAFT);
    const r = b.commit('Add q9', { add: ['evals/tasks/q9.json'], args: ['--no-verify'] });
    expect(r.code, r.stderr).toBe(0);
    expect(b.lastMessage()).toContain('Assisted-by: claude-code');
  });
});

const HEADER =
  '# Copyright 2026 Acme Evals Ltd. Licensed under the Apache License, Version 2.0 (see LICENSE at the repository root).';

describe('shared lines are not provenance', () => {
  it('a licence header the agent wrote elsewhere does not make a hand-written grader the agent’s', () => {
    const repo = repoWithPolicy();
    // The header is in the repository already (a human-written file at HEAD).
    repo.write('src/util.py', `${HEADER}\n\ndef util():\n    return 1\n`);
    expect(repo.commit('util').code).toBe(0);
    agentWrites(
      repo,
      'src/loader.py',
      `${HEADER}\n\nimport json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n`,
    );
    repo.write(
      'evals/tasks/grader.py',
      `${HEADER}\n\ndef grade(answer, expected):\n    return answer.strip() == expected.strip()\n`,
    );
    const r = repo.commit('Add grader', { add: ['evals/tasks/grader.py'] });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).not.toContain('Assisted-by');
  });
  it('control: the agent’s own lines pasted into the grader are still found, and the finding names them', () => {
    const repo = repoWithPolicy();
    const body =
      'def grade(answer, expected):\n    normalised_answer = " ".join(answer.lower().split())\n    normalised_expected = " ".join(expected.lower().split())\n    return normalised_answer == normalised_expected\n';
    agentWrites(repo, 'src/scoring.py', `import sys\n\n${body}`);
    repo.write('evals/tasks/grader.py', `# grader, by Hana\n\n${body}`);
    const r = repo.commit('Add grader', { add: ['evals/tasks/grader.py'] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('(lines 3–6)');
    expect(r.stderr).toContain('src/scoring.py');
  });
});

describe('shared lines cannot launder an agent draft', () => {
  it('an agent draft committed outside the zones, its lines rearranged into a zone file: still the agent’s', () => {
    const repo = repoWithPolicy();
    const lines = [
      '{"id": "q9", "question": "Which planet has the longest day of all the planets?"}',
      '{"id": "q10", "question": "Which moon of Saturn has a thick nitrogen atmosphere?"}',
    ];
    agentWrites(repo, 'drafts/tasks.jsonl', `${lines.join('\n')}\n`);
    expect(repo.commit('drafts', { add: ['drafts/tasks.jsonl'], args: ['--no-verify'] }).code).toBe(
      0,
    );
    repo.write('evals/tasks/set.jsonl', `${lines[1]}\n${lines[0]}\n`);
    const r = repo.commit('Add set', { add: ['evals/tasks/set.jsonl'] });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('drafts/tasks.jsonl');
  });
});
