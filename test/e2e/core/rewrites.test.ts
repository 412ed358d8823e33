// Provenance survives rewrites, and only provenance (issue 12 §2): real `git rebase
// --autosquash`, `cherry-pick`, `revert`, `am`, `merge --squash` and `commit --amend -C`,
// in and out of an agent session (CLAUDECODE=1), with cleanroom's hooks installed by
// `cleanroom init`. Each accusation has a human control beside it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

const AGENT = { CLAUDECODE: '1' };
const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** git with extra environment (an agent session), returning the run. */
function git(repo: TestRepo, args: string[], env: Record<string, string> = {}) {
  const r = repo.tryGit(args, {
    env: { ...repo.env, GIT_EDITOR: ':', GIT_SEQUENCE_EDITOR: ':', ...env },
  });
  if (r.code !== 0)
    throw new Error(`git ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
}
const message = (repo: TestRepo, rev = 'HEAD') => repo.git('log', '-1', '--format=%B', rev);
const check = (repo: TestRepo, rev = 'HEAD') => repo.cleanroom(['check', '--commit', rev]).code;

/** A repo with a human commit adding an eval task (deny zone) on main. */
function withTask(): TestRepo {
  const repo = repoWithPolicy();
  repo.write('evals/tasks/q1.json', '{"q": 1}\n');
  expect(repo.commit('Add q1').code).toBe(0);
  return repo;
}

describe('rebase --autosquash keeps the AI signal of a fixup! made in an agent session', () => {
  it('agent fixup (--no-verify, shell write, no ledger) folded by a human rebase: Assisted-by survives, check refuses', () => {
    const repo = withTask();
    const target = repo.head();
    repo.write('evals/tasks/q1.json', '{"q": 1, "answer": "from the agent"}\n');
    expect(repo.commit(`fixup! Add q1`, { env: AGENT, args: ['--no-verify'] }).code).toBe(0);
    expect(message(repo)).toContain('Assisted-by: claude-code');
    git(repo, ['rebase', '-q', '-i', '--autosquash', `${target}^`]);
    expect(repo.git('rev-list', '--count', 'HEAD').trim()).toBe('2'); // folded
    expect(message(repo)).toMatch(/^Add q1\n/);
    expect(message(repo)).toContain('Assisted-by: claude-code');
    expect(check(repo)).toBe(1);
  });
  it('control: a human fixup folded the same way stays human', () => {
    const repo = withTask();
    const target = repo.head();
    repo.write('evals/tasks/q1.json', '{"q": 1, "answer": "by hand"}\n');
    expect(repo.commit(`fixup! Add q1`).code).toBe(0);
    git(repo, ['rebase', '-q', '-i', '--autosquash', `${target}^`]);
    expect(message(repo)).not.toContain('Assisted-by');
    expect(check(repo)).toBe(0);
  });
});

describe('a rebase or cherry-pick run in an agent session does not stamp the human commits it replays', () => {
  function diverged(): { repo: TestRepo; topic: string } {
    const repo = withTask();
    git(repo, ['checkout', '-q', '-b', 'topic']);
    repo.write('evals/tasks/q2.json', '{"q": 2}\n');
    expect(repo.commit('Add q2 by hand').code).toBe(0);
    const topic = repo.head();
    git(repo, ['checkout', '-q', 'main']);
    repo.write('README.md', '# test, moved on\n');
    expect(repo.commit('README').code).toBe(0);
    return { repo, topic };
  }
  it('rebase of human commits, run by the agent: no Assisted-by, check passes', () => {
    const { repo } = diverged();
    git(repo, ['checkout', '-q', 'topic']);
    const r = git(repo, ['rebase', 'main'], AGENT);
    expect(message(repo)).toBe('Add q2 by hand\n\n');
    expect(r.stderr).toContain('replays its change unchanged — not attributed to claude-code');
    expect(check(repo)).toBe(0);
  });
  it('cherry-pick of a human commit, run by the agent: no Assisted-by', () => {
    const { repo, topic } = diverged();
    git(repo, ['cherry-pick', topic], AGENT);
    expect(message(repo)).not.toContain('Assisted-by');
    expect(check(repo)).toBe(0);
  });
  it('control: the agent resolves a conflict while cherry-picking — what it wrote is attributed', () => {
    const { repo, topic } = diverged();
    repo.write('evals/tasks/q2.json', '{"q": "main version"}\n');
    expect(repo.commit('q2 on main').code).toBe(0);
    expect(repo.tryGit(['cherry-pick', topic], { env: { ...repo.env, ...AGENT } }).code).not.toBe(
      0,
    );
    repo.write('evals/tasks/q2.json', '{"q": "merged by the agent"}\n');
    git(repo, ['add', '-A']);
    // (commit-msg would refuse it here, rightly; --no-verify shows the trailer reaches the server)
    git(repo, ['commit', '-q', '--no-edit', '--no-verify'], AGENT);
    expect(message(repo)).toContain('Assisted-by: claude-code');
    expect(check(repo)).toBe(1);
  });
  it('control: a human cherry-picks an AI commit — its co-author trailer goes with it', () => {
    const repo = withTask();
    git(repo, ['checkout', '-q', '-b', 'ai']);
    repo.write('evals/tasks/q3.json', '{"q": 3}\n');
    expect(repo.commit(`Add q3\n\n${CLAUDE}`, { args: ['--no-verify'] }).code).toBe(0);
    const ai = repo.head();
    git(repo, ['checkout', '-q', 'main']);
    git(repo, ['cherry-pick', ai]);
    expect(check(repo)).toBe(1);
  });
  it('revert of a human commit, run by the agent: no Assisted-by', () => {
    const repo = withTask();
    repo.write('README.md', '# changed\n');
    expect(repo.commit('README by hand').code).toBe(0);
    git(repo, ['revert', '--no-edit', 'HEAD'], AGENT);
    expect(message(repo)).not.toContain('Assisted-by');
  });
});

describe('git am, merge --squash and commit --amend -C in an agent session', () => {
  it('CLAUDECODE=1 git am of a deny-zone file: the commit carries Assisted-by and check refuses', () => {
    const repo = withTask();
    git(repo, ['checkout', '-q', '-b', 'patch']);
    repo.write('evals/tasks/q5.json', '{"q": 5}\n');
    expect(repo.commit('Add q5').code).toBe(0);
    const patch = join(repo.dir, '..', `q5-${Date.now()}.patch`);
    writeFileSync(patch, repo.git('format-patch', '-1', '--stdout', 'HEAD'));
    git(repo, ['checkout', '-q', 'main']);
    git(repo, ['am', '-q', patch], AGENT);
    expect(message(repo)).toContain('Assisted-by: claude-code');
    expect(check(repo)).toBe(1);
    // control: the same patch applied by a human
    git(repo, ['reset', '-q', '--hard', 'HEAD^']);
    git(repo, ['am', '-q', patch]);
    expect(message(repo)).not.toContain('Assisted-by');
    expect(check(repo)).toBe(0);
  });
  it('a human merge --squash of an AI branch keeps its provenance', () => {
    const repo = withTask();
    git(repo, ['checkout', '-q', '-b', 'ai']);
    repo.write('evals/tasks/q6.json', '{"q": 6}\n');
    expect(repo.commit('Add q6', { env: AGENT, args: ['--no-verify'] }).code).toBe(0);
    git(repo, ['checkout', '-q', 'main']);
    git(repo, ['merge', '-q', '--squash', 'ai']);
    repo.tryGit(['commit', '-q', '--no-edit', '--no-verify'], {
      env: { ...repo.env, GIT_EDITOR: ':' },
    });
    expect(message(repo)).toMatch(/^Assisted-by: claude-code$/m);
    expect(check(repo)).toBe(1);
  });
  it('merge --squash run by the agent is attributed to it', () => {
    const repo = withTask();
    git(repo, ['checkout', '-q', '-b', 'side']);
    repo.write('evals/tasks/q7.json', '{"q": 7}\n');
    expect(repo.commit('Add q7 by hand').code).toBe(0);
    git(repo, ['checkout', '-q', 'main']);
    git(repo, ['merge', '-q', '--squash', 'side'], AGENT);
    repo.tryGit(['commit', '-q', '--no-edit', '--no-verify'], {
      env: { ...repo.env, GIT_EDITOR: ':', ...AGENT },
    });
    expect(message(repo)).toMatch(/^Assisted-by: claude-code$/m);
  });
  it('commit --amend -C in an agent session keeps Assisted-by', () => {
    const repo = withTask();
    repo.write('evals/tasks/q1.json', '{"q": 1, "edited": "by the agent"}\n');
    git(repo, ['add', '-A']);
    const r = repo.tryGit(['commit', '-q', '--amend', '--no-verify', '-C', 'HEAD'], {
      env: { ...repo.env, ...AGENT },
    });
    expect(r.stderr).toBe('');
    expect(message(repo)).toContain('Assisted-by: claude-code');
    expect(check(repo)).toBe(1);
  });
});

describe('CLEANROOM=0 skips checks, never provenance', () => {
  it('in an agent session the Assisted-by is still written, and no message claims the server still enforces', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit('Add q1', { env: { ...AGENT, CLEANROOM: '0' } });
    expect(r.code).toBe(0);
    expect(message(repo)).toContain('Assisted-by: claude-code');
    expect(r.stderr).toContain('CLEANROOM=0');
    expect(r.stderr).not.toContain('still enforce');
    expect(check(repo)).toBe(1);
  });
  it('the shims say what they skip and what they keep', () => {
    const root = join(__dirname, '..', '..', '..', 'hooks');
    for (const h of ['pre-commit', 'commit-msg', 'pre-push', 'prepare-commit-msg'])
      expect(readFileSync(join(root, h), 'utf8')).not.toContain('still enforce');
  });
});
