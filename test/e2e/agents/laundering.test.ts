// Agent content that a human moves into a zone by hand is still the agent's: the ledger
// knows blobs and lines, not paths, and prepare-commit-msg (which --no-verify does not
// skip) writes Assisted-by into the commit, so the server sees it too.

import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLI,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';
import { HARNESS, hook, payload, REVIEWED } from './world.js';

afterAll(removeTempDirs);

/** An agent (Claude Code) writes `path` outside every zone; the hook records it. */
function agentWrites(repo: TestRepo, path: string, content: string): void {
  const abs = `${repo.dir}/${path}`;
  expect(
    hook(
      repo,
      'claude',
      payload('claude', 'PreToolUse-Write', repo, (o) =>
        Object.assign(o.tool_input, { file_path: abs, content }),
      ),
    ).code,
  ).toBe(0);
  repo.write(path, content);
  expect(
    hook(
      repo,
      'claude',
      payload('claude', 'PostToolUse-Write', repo, (o) =>
        Object.assign(o.tool_input, { file_path: abs, content }),
      ),
    ).code,
  ).toBe(0);
}

const GENERATED_TASKS =
  [
    '{"id": "g1", "question": "A farmer has 17 sheep; all but 9 run away. How many are left?", "answer": "9"}',
    '{"id": "g2", "question": "What is the next prime after 89, and why is 91 not prime?", "answer": "97"}',
  ].join('\n') + '\n';

describe('laundering agent content into a zone', { timeout: 120_000 }, () => {
  it('an agent-written file renamed into a deny zone is refused, reviewed or not', () => {
    const repo = repoWithPolicy();
    agentWrites(repo, 'scratch/tasks.json', GENERATED_TASKS);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    renameSync(join(repo.dir, 'scratch/tasks.json'), join(repo.dir, 'evals/tasks/batch7.json')); // a plain mv, no git
    const r = repo.commit('add batch 7', {
      add: ['evals/tasks/batch7.json'],
      args: ['-m', REVIEWED],
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/batch7.json');
    expect(r.stderr).toContain('zone eval-tasks (deny) · tool claude-code');
  });

  it("its lines pasted into a human's existing zone file are refused", () => {
    const repo = repoWithPolicy();
    repo.write(
      'data/train/corpus.txt',
      'Human-written paragraph one, collected in 2024.\nHuman-written paragraph two, reviewed twice.\n',
    );
    expect(repo.commit('corpus').code).toBe(0);
    agentWrites(repo, 'notes/ideas.md', `# Ideas\n\n${GENERATED_TASKS}`);
    const lines = GENERATED_TASKS.split('\n')[1]!;
    writeFileSync(
      join(repo.dir, 'data/train/corpus.txt'),
      `Human-written paragraph one, collected in 2024.\n${lines}\nHuman-written paragraph two, reviewed twice.\n`,
    );
    const r = repo.commit('more corpus', { add: ['data/train/corpus.txt'] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('data/train/corpus.txt');
    expect(r.stderr).toContain('zone training-data (deny) · tool claude-code');
    // The pre-commit heads-up already names the ledger's finding, and which lines matched (issue 12 §3).
    expect(r.stderr).toContain(
      'data/train/corpus.txt: ledger: 1 of 3 lines (line 2) match what claude-code wrote to notes/ideas.md',
    );
    const check = repo.cleanroom(['check', '--staged', '--format', 'json']);
    const v = JSON.parse(check.stdout).violations as { path: string; signal: string }[];
    expect(v.map((x) => [x.path, x.signal])).toEqual([
      [
        'data/train/corpus.txt',
        'ledger: 1 of 3 lines (line 2) match what claude-code wrote to notes/ideas.md, session 9f1c2d3e…',
      ],
    ]);
  });

  it('committed with --no-verify, then pushed with --no-verify: the commit carries Assisted-by and the server rejects it', () => {
    const repo = repoWithPolicy();
    const server = join(tempDir(), 'server.git');
    repo.git('clone', '-q', '--bare', repo.dir, server);
    const policy = join(tempDir(), 'policy.yaml');
    writeFileSync(policy, POLICY);
    const hookFile = join(server, 'hooks', 'pre-receive');
    writeFileSync(hookFile, `#!/bin/sh\nexec node ${CLI} pre-receive --policy ${policy}\n`);
    chmodSync(hookFile, 0o755);
    repo.git('remote', 'add', 'origin', server);

    agentWrites(repo, 'evals/harness/score.py', HARNESS);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    renameSync(
      join(repo.dir, 'evals/harness/score.py'),
      join(repo.dir, 'evals/tasks/grader_task.py'),
    );
    const c = repo.commit('sneak it in', {
      add: ['evals/tasks/grader_task.py'],
      args: ['--no-verify'],
    });
    expect(c.code, c.stderr).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: claude-code$/m); // prepare-commit-msg ran
    const before = new TestRepo(server).git('rev-parse', 'main').trim();

    const push = repo.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('pre-receive hook declined');
    expect(push.stderr).toContain('evals/tasks/grader_task.py');
    expect(push.stderr).toContain('zone eval-tasks (deny) · tool claude-code');
    expect(push.stderr).toContain('Assisted-by: claude-code');
    expect(new TestRepo(server).git('rev-parse', 'main').trim()).toBe(before);
  });

  it('a human who writes their own task is not accused', () => {
    const repo = repoWithPolicy();
    agentWrites(repo, 'scratch/tasks.json', GENERATED_TASKS);
    repo.write(
      'evals/tasks/q9.json',
      '{"id": "q9", "question": "Written by Hana, from scratch, on paper first.", "answer": "42"}\n',
    );
    const r = repo.commit('human task', { add: ['evals/tasks/q9.json'] });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).not.toContain('Assisted-by');
  });
});
