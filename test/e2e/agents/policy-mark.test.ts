// An agent that checks out an older commit (or resets its branch back) changes the
// committed policy the hook judges by without a commit any hook sees: the newest policy
// the hook judged by here (the mark in .git/cleanroom) judges beside it (second hostile
// review, eleventh pass). A policy a later commit changed, committed by a human, becomes
// the mark.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';
import { hook, payload } from './world.js';

afterAll(removeTempDirs);

const LAX = POLICY.replace(/read: deny/g, 'read: allow');

describe('the policy mark', { timeout: 120_000 }, () => {
  it('an older commit checked out, or the branch reset back, is judged by the newer policy too', () => {
    const repo = repoWithPolicy({ policy: LAX });
    repo.write('evals/tasks/q1.json', '{"answer":42}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'task');
    repo.write('.cleanroom/policy.yaml', POLICY);
    repo.git('commit', '-q', '--no-verify', '-am', 'tasks are read: deny');
    const read = () =>
      hook(
        repo,
        'claude',
        payload('claude', 'PreToolUse-Bash', repo, (o) =>
          Object.assign(o.tool_input, { command: 'cat evals/tasks/q1.json' }),
        ),
      );
    expect(read().code).toBe(2); // the strict policy; the mark is written
    for (const move of [
      ['checkout', '-q', 'HEAD~1'],
      ['checkout', '-q', '-B', 'main', 'HEAD~1'], // the branch itself moved back
    ]) {
      repo.git(...move);
      const r = read();
      expect(r.code, move.join(' ')).toBe(2);
      expect(r.stderr).toContain('both judge');
    }
    // Control: without the mark (a human removes it), the older commit's policy alone judges.
    rmSync(join(repo.dir, '.git', 'cleanroom', 'agent-policy-mark.json'));
    expect(read().code).toBe(0);
  });

  it("a later commit's policy change moves the mark on: a human loosening counts", () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{"answer":42}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'task');
    const read = () =>
      hook(
        repo,
        'claude',
        payload('claude', 'PreToolUse-Bash', repo, (o) =>
          Object.assign(o.tool_input, { command: 'cat evals/tasks/q1.json' }),
        ),
      );
    expect(read().code).toBe(2);
    repo.write('.cleanroom/policy.yaml', LAX);
    repo.git('commit', '-q', '--no-verify', '-am', 'a human opens the tasks');
    const r = read();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('both judge');
  });
});
