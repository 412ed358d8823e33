// The text a user reads when cleanroom stops them, compared exactly with golden files
// in test/fixtures/golden/. `UPDATE_GOLDEN=1 npx vitest run test/e2e/core/golden.test.ts`
// rewrites them; read the diff before committing it.

import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectGolden } from '../../helpers/golden.js';
import { cleanEnv, POLICY, removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const FIXED = {
  GIT_AUTHOR_DATE: '2026-11-24T10:00:00Z',
  GIT_COMMITTER_DATE: '2026-11-24T10:00:00Z',
};

describe('golden text output', () => {
  it('a blocked commit (commit-msg hook)', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/arith/q1.json', '{}\n');
    repo.write('evals/harness/run.py', 'print(1)\n');
    repo.write('src/app.ts', 'x\n');
    repo.writeBytes(Buffer.from('evals/tasks/new\nline.json'), '{}\n');
    const r = repo.commit(
      'Add tasks\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>\nReviewed-by: Codex <noreply@openai.com>',
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectGolden('blocked-commit.txt', r.stderr);
  });

  it('check --commit on a blocked commit (CI)', () => {
    const repo = TestRepo.init();
    repo.env = cleanEnv(FIXED);
    repo.write('.cleanroom/policy.yaml', POLICY).write('README.md', '# test\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'policy');
    repo.write('data/train/shard-1.csv', 'a,b\n').write('evals/harness/run.py', 'print(1)\n');
    repo.git('add', '-A');
    repo.git(
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'Data and harness',
      '-m',
      'Co-authored-by: aider (gpt-4o) <noreply@aider.chat>',
    );
    const r = repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectGolden('check-commit.txt', r.stderr);
  });

  it('a clean check prints one ok line', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('src/app.ts', 'x\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'App', '-m', 'Co-authored-by: Claude <noreply@anthropic.com>');
    const r = repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'cleanroom: ok — no AI-attributed change in a protected zone without attestation\n',
    );
  });
});
