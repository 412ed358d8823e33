// `cleanroom check --commit REV | --range A..B --format json`: the JSON contract of
// docs/design/contract.md §7 on real commits, and the exit codes 0 / 1 / 2.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** A commit made without hooks (as aider does: --no-verify), for CI to judge. */
function commit(repo: TestRepo, files: Record<string, string>, ...message: string[]): string {
  for (const [p, c] of Object.entries(files)) repo.write(p, c);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', ...message.flatMap((m) => ['-m', m]));
  return repo.head();
}

function check(repo: TestRepo, args: string[]): { code: number; json: unknown; stderr: string } {
  const r = repo.cleanroom(['check', ...args, '--format', 'json']);
  return { code: r.code, json: r.code === 2 ? undefined : JSON.parse(r.stdout), stderr: r.stderr };
}

describe('check --commit', () => {
  it('a violation, exactly as contract §7 (plus passed and notes)', () => {
    const repo = repoWithPolicy({ init: false });
    const id = commit(
      repo,
      { 'evals/tasks/q1.json': '{}\n', 'src/app.ts': 'x\n' },
      'Add task',
      CLAUDE,
    );
    const r = check(repo, ['--commit', 'HEAD']);
    expect(r.code).toBe(1);
    expect(r.json).toEqual({
      format: 1,
      ok: false,
      violations: [
        {
          commit: id,
          path: 'evals/tasks/q1.json',
          zone: 'eval-tasks',
          tool: 'claude-code',
          verdict: 'deny',
          signal: CLAUDE,
          message:
            'zone eval-tasks does not accept AI-attributed changes (claude-code), reviewed or not',
        },
      ],
      passed: [],
      notes: [],
    });
  });

  it('a clean commit: ok, exit 0', () => {
    const repo = repoWithPolicy({ init: false });
    commit(repo, { 'evals/tasks/q1.json': '{}\n' }, 'Add task by hand');
    const r = check(repo, ['--commit', 'HEAD']);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ format: 1, ok: true, violations: [], passed: [], notes: [] });
  });

  it('a reviewed change in a review zone passes and is listed as passed', () => {
    const repo = repoWithPolicy({ init: false });
    const id = commit(
      repo,
      { 'evals/harness/run.py': 'print(1)\n' },
      'Harness',
      `${CLAUDE}\nReviewed-by: Rita Reviewer <rita@example.org>`,
    );
    const r = check(repo, ['--commit', id]);
    expect(r.code).toBe(0);
    expect(r.json).toEqual({
      format: 1,
      ok: true,
      violations: [],
      passed: [
        {
          commit: id,
          path: 'evals/harness/run.py',
          zone: 'eval-harness',
          tool: 'claude-code',
          verdict: 'review',
          signal: CLAUDE,
          message: 'reviewed by Rita Reviewer <rita@example.org>',
          outcome: 'reviewed',
          by: 'Rita Reviewer <rita@example.org>',
        },
      ],
      notes: [],
    });
  });

  it('a review by the author (independent: true) or by an AI does not count, and says why', () => {
    const repo = repoWithPolicy({ init: false });
    commit(
      repo,
      { 'evals/harness/run.py': 'print(1)\n' },
      'Harness',
      `${CLAUDE}\nReviewed-by: Hana Human <hana@example.org>\nReviewed-by: Claude <noreply@anthropic.com>`,
    );
    const r = check(repo, ['--commit', 'HEAD']);
    expect(r.code).toBe(1);
    const json = r.json as { violations: { path: string; verdict: string }[]; notes: string[] };
    expect(json.violations.map((v) => `${v.path} ${v.verdict}`)).toEqual([
      'evals/harness/run.py review',
    ]);
    const id = repo.head().slice(0, 12);
    expect(json.notes).toEqual([
      `${id}: "Reviewed-by: Hana Human <hana@example.org>" is not counted: the reviewer is the commit's author (review.independent is true)`,
      `${id}: "Reviewed-by: Claude <noreply@anthropic.com>" is not counted: the reviewer is an AI identity, and review must be human`,
    ]);
  });

  it('a merge commit is judged on the paths it introduces, not on what either parent had', () => {
    const repo = repoWithPolicy({ init: false });
    commit(repo, { 'evals/tasks/shared.json': 'base\n' }, 'base');
    repo.git('checkout', '-q', '-b', 'feature');
    commit(
      repo,
      { 'evals/tasks/feature.json': 'f\n', 'evals/tasks/shared.json': 'feature\n' },
      'feature by a human',
    );
    repo.git('checkout', '-q', 'main');
    commit(
      repo,
      { 'evals/tasks/main.json': 'm\n', 'evals/tasks/shared.json': 'main\n' },
      'main by a human',
    );
    expect(repo.tryGit(['merge', '-q', 'feature']).code).toBe(1);
    // An "evil merge": the resolution and a new file exist in neither parent.
    const id = commit(
      repo,
      { 'evals/tasks/shared.json': 'resolved\n', 'evals/tasks/evil.json': 'new\n' },
      'Merge feature',
      CLAUDE,
    );
    expect(repo.git('rev-list', '--parents', '-n1', 'HEAD').trim().split(' ')).toHaveLength(3);
    const r = check(repo, ['--commit', 'HEAD']);
    expect(r.code).toBe(1);
    expect(
      (r.json as { violations: { commit: string; path: string }[] }).violations.map((v) => [
        v.commit,
        v.path,
      ]),
    ).toEqual([
      [id, 'evals/tasks/evil.json'],
      [id, 'evals/tasks/shared.json'],
    ]);
  });

  it('a clean merge of human work with an AI-trailered merge message introduces nothing', () => {
    const repo = repoWithPolicy({ init: false });
    repo.git('checkout', '-q', '-b', 'feature');
    commit(repo, { 'evals/tasks/feature.json': 'f\n' }, 'feature by a human');
    repo.git('checkout', '-q', 'main');
    commit(repo, { 'src/app.ts': 'm\n' }, 'main');
    repo.git(
      'merge',
      '-q',
      '--no-ff',
      '--no-verify',
      '-m',
      `Merge feature\n\n${CLAUDE}`,
      'feature',
    );
    const r = check(repo, ['--commit', 'HEAD']);
    expect(r.code).toBe(0);
    expect((r.json as { violations: unknown[] }).violations).toEqual([]);
  });

  it('a deletion in a zone is allowed', () => {
    const repo = repoWithPolicy({ init: false });
    commit(repo, { 'evals/tasks/q1.json': '{}\n' }, 'human');
    repo.git('rm', '-q', 'evals/tasks/q1.json');
    repo.git('commit', '-q', '--no-verify', '-m', 'remove contaminated task', '-m', CLAUDE);
    expect(check(repo, ['--commit', 'HEAD']).code).toBe(0);
  });

  it('a rename into a zone is judged at its destination', () => {
    const repo = repoWithPolicy({ init: false });
    commit(repo, { 'drafts/q1.json': '{"q": "what is the capital of France?"}\n' }, 'human draft');
    repo.write('evals/tasks/q1.json', '{"q": "what is the capital of France?"}\n');
    repo.git('rm', '-q', 'drafts/q1.json');
    const id = commit(repo, {}, 'promote', CLAUDE);
    expect(repo.git('show', '--name-status', '-M', '--format=', id)).toBe(
      'R100\tdrafts/q1.json\tevals/tasks/q1.json\n',
    );
    const r = check(repo, ['--commit', id]);
    expect(r.code).toBe(1);
    expect((r.json as { violations: { path: string }[] }).violations.map((v) => v.path)).toEqual([
      'evals/tasks/q1.json',
    ]);
  });

  it('paths with newlines, quotes and non-UTF-8 bytes in a commit', () => {
    const repo = repoWithPolicy({ init: false });
    repo.writeBytes(Buffer.from('evals/tasks/a\nb.json'), '1\n');
    repo.writeBytes(
      Buffer.concat([
        Buffer.from('evals/tasks/'),
        Buffer.from([0xe9]),
        Buffer.from('t\u00e9.json'),
      ]),
      '2\n',
    );
    repo.writeBytes(Buffer.from('data/train/it\'s "fine".csv'), '3\n');
    const id = commit(repo, {}, 'weird names', CLAUDE);
    const r = check(repo, ['--commit', id]);
    expect(r.code).toBe(1);
    expect(
      (r.json as { violations: { path: string }[] }).violations.map((v) => v.path).sort(),
    ).toEqual(
      [
        'data/train/it\'s "fine".csv',
        'evals/tasks/a\nb.json',
        'evals/tasks/\\351t\u00e9.json',
      ].sort(),
    );
  });
});

describe('hand-made commit objects', () => {
  it('an AI author line with junk after the date (git fsck warns, git log shows the author) is still an AI author', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    const tree = repo.git('write-tree').trim();
    const body = `tree ${tree}\nparent ${repo.head()}\nauthor Claude <noreply@anthropic.com> 1700000000 +0000 x\ncommitter Hana Human <hana@example.org> 1700000000 +0000\n\nplain message\n`;
    const r = repo.tryGit(['hash-object', '-t', 'commit', '--literally', '-w', '--stdin'], {
      input: body,
    });
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    expect(repo.git('log', '-1', '--format=%an <%ae>', id)).toBe(
      'Claude <noreply@anthropic.com>\n',
    );
    const c = check(repo, ['--commit', id]);
    expect(c.code).toBe(1);
    expect(
      (c.json as { violations: { signal: string }[] }).violations.map((v) => v.signal),
    ).toEqual(['author: Claude <noreply@anthropic.com>']);
  });
});

describe('check --range', () => {
  it('every commit in the range, oldest first; ok only when none violates', () => {
    const repo = repoWithPolicy({ init: false });
    const base = repo.head();
    const c1 = commit(repo, { 'evals/tasks/q1.json': '1\n' }, 'one', CLAUDE);
    commit(repo, { 'src/a.ts': '2\n' }, 'two', CLAUDE);
    const c3 = commit(
      repo,
      { 'data/train/x.csv': '3\n' },
      'three',
      'Assisted-by: codex:gpt-5-codex',
    );
    commit(repo, { 'evals/tasks/q2.json': '4\n' }, 'four by a human');
    const r = check(repo, ['--range', `${base}..HEAD`]);
    expect(r.code).toBe(1);
    expect((r.json as { violations: unknown[] }).violations).toEqual([
      {
        commit: c1,
        path: 'evals/tasks/q1.json',
        zone: 'eval-tasks',
        tool: 'claude-code',
        verdict: 'deny',
        signal: CLAUDE,
        message:
          'zone eval-tasks does not accept AI-attributed changes (claude-code), reviewed or not',
      },
      {
        commit: c3,
        path: 'data/train/x.csv',
        zone: 'training-data',
        tool: 'codex',
        verdict: 'deny',
        signal: 'Assisted-by: codex:gpt-5-codex',
        message:
          'zone training-data does not accept AI-attributed changes (codex), reviewed or not',
      },
    ]);
    expect(check(repo, ['--range', `${c3}..HEAD`])).toMatchObject({
      code: 0,
      json: { ok: true, violations: [] },
    });
  });

  it('sha256 repository: 64-hex commit ids', () => {
    const repo = repoWithPolicy({ init: false, objectFormat: 'sha256' });
    const base = repo.head();
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const id = commit(
      repo,
      { 'evals/tasks/q1.json': '1\n' },
      'one',
      'Co-authored-by: Cursor Agent <cursoragent@cursor.com>',
    );
    const r = check(repo, ['--range', `${base}..HEAD`]);
    expect(r.code).toBe(1);
    expect(
      (r.json as { violations: { commit: string; tool: string }[] }).violations.map((v) => [
        v.commit,
        v.tool,
      ]),
    ).toEqual([[id, 'cursor']]);
  });

  it('text output names the commit, path, zone, tool, signal and the ways out', () => {
    const repo = repoWithPolicy({ init: false });
    const base = repo.head();
    const id = commit(
      repo,
      { 'evals/harness/run.py': 'x\n' },
      'h',
      'Co-authored-by: aider (gpt-4o) <noreply@aider.chat>',
    );
    const r = repo.cleanroom(['check', '--range', `${base}..HEAD`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `commit ${id.slice(0, 12)}\n  ✗ evals/harness/run.py\n    zone eval-harness (review) · tool aider · seen: Co-authored-by: aider (gpt-4o) <noreply@aider.chat>\n`,
    );
    expect(r.stderr).toContain('Reviewed-by: Name <email>');
  });
});

describe('errors: exit 2, one screen, no stack trace', () => {
  it('an unknown revision', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['check', '--commit', 'no-such-branch', '--format', 'json']);
    expectCleanError(r);
    // Asked for JSON, a script gets the error as JSON on stdout (error.kind), not nothing.
    expect(JSON.parse(r.stdout)).toEqual({
      format: 1,
      ok: false,
      error: {
        kind: 'usage',
        message: 'no such commit: no-such-branch',
        hint: 'check the name with git log',
      },
    });
    expect(r.stderr).toBe(
      'cleanroom: no such commit: no-such-branch\n  → check the name with git log\n',
    );
  });
  it('a revision that looks like an option', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['check', '--commit=--output=/tmp/x']);
    expectCleanError(r);
    expect(r.stderr).toContain('invalid commit: "--output=/tmp/x"');
  });
  it('two modes at once', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['check', '--staged', '--commit', 'HEAD']);
    expectCleanError(r);
    expect(r.stderr).toContain('give exactly one of --staged, --range A..B, --commit REV');
  });
  it('an invalid policy given with --policy', () => {
    const repo = repoWithPolicy({ init: false });
    const bad = join(tempDir(), 'bad.yaml');
    writeFileSync(bad, POLICY.replace('ai: review', 'ai: reveiw'));
    const r = repo.cleanroom(['check', '--commit', 'HEAD', '--policy', bad]);
    expectCleanError(r);
    expect(r.stderr).toBe(
      `cleanroom: ${bad}:10:9: "reveiw" is not allowed for zones.1.ai — did you mean "review"? — use one of: deny, review, allow\n`,
    );
  });
  it('not a git repository', () => {
    const dir = tempDir();
    const r = new TestRepo(dir).cleanroom(['check', '--range', 'a..b']);
    expectCleanError(r);
    expect(r.stderr).toBe(
      `cleanroom: not a git repository: ${dir}\n  → run cleanroom inside a Git repository (or cd into one)\n`,
    );
  });
});
