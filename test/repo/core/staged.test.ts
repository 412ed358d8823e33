// The staged reader against real repositories: what `git commit` is about to record,
// read through git (so GIT_INDEX_FILE is honoured), judged with the message.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  TestRepo,
} from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const AI_MSG = `Add task\n\n${CLAUDE}\n`;

interface Violation {
  commit: string | null;
  path: string;
  zone: string;
  tool: string;
  verdict: string;
  signal: string;
  message: string;
}

/** `cleanroom check --staged --message-file` with the given message, parsed JSON. */
function checkStaged(
  repo: TestRepo,
  message = AI_MSG,
): { code: number; violations: Violation[]; json: Record<string, unknown> } {
  const file = join(repo.dir, '.git', 'TEST_MSG');
  writeFileSync(file, message);
  const r = repo.cleanroom(['check', '--staged', '--message-file', file, '--format', 'json']);
  if (r.code === 2) throw new Error(`check failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as Record<string, unknown>;
  return { code: r.code, violations: json.violations as Violation[], json };
}
const paths = (vs: Violation[]) => vs.map((v) => v.path);

describe('check --staged reads the index through git', () => {
  it('judges the first commit against the empty tree (sha1)', () => {
    const repo = TestRepo.init();
    repo
      .write('.cleanroom/policy.yaml', POLICY)
      .write('evals/tasks/q1.json', '{}\n')
      .write('README.md', '# x\n');
    repo.git('add', '-A');
    const r = checkStaged(repo);
    expect(r.code).toBe(1);
    expect(r.violations).toEqual([
      {
        commit: null,
        path: 'evals/tasks/q1.json',
        zone: 'eval-tasks',
        tool: 'claude-code',
        verdict: 'deny',
        signal: CLAUDE,
        message:
          'zone eval-tasks does not accept AI-attributed changes (claude-code), reviewed or not',
      },
    ]);
  });

  it('judges the first commit of a sha256 repository against the sha256 empty tree', () => {
    const repo = TestRepo.init({ objectFormat: 'sha256' });
    expect(repo.git('rev-parse', '--show-object-format').trim()).toBe('sha256');
    repo.write('.cleanroom/policy.yaml', POLICY).write('data/train/shard.csv', 'a,b\n');
    repo.git('add', '-A');
    const r = checkStaged(repo);
    expect(r.code).toBe(1);
    expect(paths(r.violations)).toEqual(['data/train/shard.csv']);
  });

  it('a human message: nothing to judge, exit 0', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    const r = checkStaged(repo, 'Add task by hand\n');
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ format: 1, ok: true, violations: [], passed: [], notes: [] });
  });

  it('only what is staged counts, not the work tree', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/unstaged.json', '{}\n').write('src/app.ts', 'x\n');
    repo.git('add', 'src/app.ts');
    expect(checkStaged(repo).code).toBe(0);
  });

  it('an intent-to-add entry (git add -N) is not committed, so it is not judged', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/later.json', '{}\n').write('src/app.ts', 'x\n');
    repo.git('add', '-N', 'evals/tasks/later.json');
    repo.git('add', 'src/app.ts');
    expect(checkStaged(repo).code).toBe(0);
    repo.git('commit', '-q', '--no-verify', '-m', 'x');
    expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe('src/app.ts\n');
  });

  it('a rename into a zone is judged at its destination', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('drafts/q1.json', '{"q": "what is 2+2?"}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'draft');
    mkdirSync(join(repo.dir, 'evals', 'tasks'), { recursive: true });
    repo.git('mv', 'drafts/q1.json', 'evals/tasks/q1.json');
    expect(repo.git('diff', '--cached', '--name-status', '-M')).toMatch(
      /^R100\tdrafts\/q1\.json\tevals\/tasks\/q1\.json$/m,
    );
    const r = checkStaged(repo);
    expect(r.code).toBe(1);
    expect(paths(r.violations)).toEqual(['evals/tasks/q1.json']);
  });

  it('a rename out of a zone, and a deletion in a zone, are allowed', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{"q": 1}\n').write('evals/tasks/q2.json', '{"q": 2}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'human tasks');
    mkdirSync(join(repo.dir, 'drafts'), { recursive: true });
    repo.git('mv', 'evals/tasks/q1.json', 'drafts/q1.json');
    repo.git('rm', '-q', 'evals/tasks/q2.json');
    const r = checkStaged(repo);
    expect(r.code).toBe(0);
    expect(r.violations).toEqual([]);
  });

  it('catches EVALS/Tasks/x.json, dotfiles and NFD-accented paths', () => {
    const repo = repoWithPolicy({
      init: false,
      policy: POLICY.replace('"data/train/**"', '"data/train/**", "données/**"'),
    });
    repo.write('EVALS/Tasks/x.json', '{}\n');
    repo.write('evals/tasks/.hidden.json', '{}\n');
    repo.writeBytes(Buffer.from('données/q.txt'.normalize('NFD')), 'x\n');
    repo.git('add', '-A');
    const staged = repo
      .git('-c', 'core.quotePath=false', 'diff', '--cached', '--name-only', '-z')
      .split('\0')
      .filter(Boolean);
    expect(staged).toContain('données/q.txt'.normalize('NFD'));
    const r = checkStaged(repo);
    expect(r.code).toBe(1);
    expect(r.violations.map((v) => `${v.zone} ${v.path}`).sort()).toEqual(
      [
        'eval-tasks EVALS/Tasks/x.json',
        'eval-tasks evals/tasks/.hidden.json',
        `training-data ${'données/q.txt'.normalize('NFD')}`,
      ].sort(),
    );
  });

  it('paths with newlines, quotes and non-UTF-8 bytes get a correct verdict', () => {
    const repo = repoWithPolicy({ init: false });
    repo.writeBytes(Buffer.from('evals/tasks/a\nb.json'), '1\n');
    repo.writeBytes(Buffer.from('evals/tasks/"quoted" \'q\'.json'), '2\n');
    repo.writeBytes(
      Buffer.concat([
        Buffer.from('evals/tasks/'),
        Buffer.from([0xff, 0xfe, 0x41]),
        Buffer.from('.json'),
      ]),
      '3\n',
    );
    repo.writeBytes(Buffer.from('src/ok\nfile.ts'), '4\n');
    repo.git('add', '-A');
    const r = checkStaged(repo);
    expect(r.code).toBe(1);
    expect(paths(r.violations).sort()).toEqual(
      [
        'evals/tasks/"quoted" \'q\'.json',
        'evals/tasks/a\nb.json',
        'evals/tasks/\\377\\376A.json',
      ].sort(),
    );
    // Text output shows the names escaped, so a newline cannot forge a line.
    const text = repo.cleanroom([
      'check',
      '--staged',
      '--message-file',
      join(repo.dir, '.git', 'TEST_MSG'),
    ]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('✗ "evals/tasks/a\\nb.json"');
    expect(text.stderr).toContain(`✗ "evals/tasks/\\"quoted\\" 'q'.json"`);
    expect(text.stderr).not.toMatch(/^b\.json/m);
  });

  it('the environment at commit time is a signal (CLAUDECODE=1)', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    const file = join(repo.dir, '.git', 'TEST_MSG');
    writeFileSync(file, 'Add task\n');
    const r = repo.cleanroom(['check', '--staged', '--message-file', file, '--format', 'json'], {
      env: { ...repo.env, CLAUDECODE: '1' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations[0]).toMatchObject({
      tool: 'claude-code',
      signal: 'environment CLAUDECODE=1',
    });
  });

  it('a merge in progress: only the paths the merge itself introduces are judged', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/shared.json', 'base\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'base');
    repo.git('checkout', '-q', '-b', 'feature');
    repo
      .write('evals/tasks/from-feature.json', 'f\n')
      .write('evals/tasks/shared.json', 'feature\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'feature work by a human');
    repo.git('checkout', '-q', 'main');
    repo.write('evals/tasks/from-main.json', 'm\n').write('evals/tasks/shared.json', 'main\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'main work by a human');
    expect(repo.tryGit(['merge', '-q', 'feature']).code).toBe(1); // conflict in shared.json
    repo.write('evals/tasks/shared.json', 'resolved by an AI\n');
    repo.git('add', '-A');
    // vs HEAD the index also adds from-feature.json, but that is the other parent's content.
    expect(
      repo.git('diff', '--cached', '--name-only', 'HEAD').split('\n').filter(Boolean).sort(),
    ).toEqual(['evals/tasks/from-feature.json', 'evals/tasks/shared.json']);
    const r = checkStaged(repo, `Merge feature\n\n${CLAUDE}\n`);
    expect(r.code).toBe(1);
    expect(paths(r.violations)).toEqual(['evals/tasks/shared.json']);
    // Resolved to one side's content: the merge introduces nothing.
    repo.write('evals/tasks/shared.json', 'main\n');
    repo.git('add', '-A');
    expect(checkStaged(repo, `Merge feature\n\n${CLAUDE}\n`).code).toBe(0);
  });
});

describe('through the commit-msg hook: git commit -a and git commit PATH use a temporary index', () => {
  // "isomorphic-git" (docs/design/field-notes.md, Git): a reader that opens .git/index itself sees
  // the wrong index here. A user hook chained before cleanroom's records both views.
  const RECORDER = `#!/bin/sh
log="$(git rev-parse --git-dir)/index-views.txt"
echo "GIT_INDEX_FILE=\${GIT_INDEX_FILE#$(git rev-parse --absolute-git-dir)/}" > "$log"
echo "--- .git/index" >> "$log"
env -u GIT_INDEX_FILE git diff-index --cached --name-only HEAD -- >> "$log"
echo "--- GIT_INDEX_FILE" >> "$log"
git diff-index --cached --name-only HEAD -- >> "$log"
`;
  function repoWithRecorder(): TestRepo {
    const repo = repoWithPolicy({ init: false });
    repo.write('.git/hooks/commit-msg', RECORDER, 0o755);
    const init = repo.cleanroom(['init', '--hooks', 'git', '-q']);
    expect(init.code, init.stderr).toBe(0);
    repo.write('evals/tasks/q1.json', 'human v1\n').write('src/app.ts', 'v1\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'human work');
    return repo;
  }
  const views = (repo: TestRepo) => readFileSync(join(repo.dir, '.git', 'index-views.txt'), 'utf8');

  it('git commit -a: the change exists only in the temporary index, and cleanroom blocks it', () => {
    const repo = repoWithRecorder();
    const head = repo.head();
    repo.write('evals/tasks/q1.json', 'AI v2\n');
    const r = repo.tryGit(['commit', '-a', '-q', '-m', 'Update task', '-m', CLAUDE]);
    expect(views(repo)).toBe(
      'GIT_INDEX_FILE=index.lock\n--- .git/index\n--- GIT_INDEX_FILE\nevals/tasks/q1.json\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cleanroom: commit blocked');
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
    expect(repo.head()).toBe(head);
  });

  it('git commit PATH: only PATH is committed, whatever else .git/index holds', () => {
    const repo = repoWithRecorder();
    const head = repo.head();
    // An AI-written task is staged in the real index, but the commit takes only src/app.ts.
    repo.write('evals/tasks/q1.json', 'AI v2\n').write('src/app.ts', 'v2\n');
    repo.git('add', 'evals/tasks/q1.json');
    const r = repo.tryGit(['commit', '-q', '-m', 'Update app', '-m', CLAUDE, '--', 'src/app.ts']);
    const v = views(repo);
    expect(v).toMatch(/^GIT_INDEX_FILE=next-index-\d+\.lock\n/);
    expect(v.replace(/^.*\n/, '')).toBe(
      '--- .git/index\nevals/tasks/q1.json\n--- GIT_INDEX_FILE\nsrc/app.ts\n',
    );
    expect(r.stderr).not.toContain('blocked');
    expect(r.code).toBe(0);
    expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe('src/app.ts\n');
    expect(repo.git('rev-parse', 'HEAD~1').trim()).toBe(head);
  });

  it('git commit PATH into a zone, with nothing staged in .git/index: blocked', () => {
    const repo = repoWithRecorder();
    const head = repo.head();
    repo.write('evals/tasks/q1.json', 'AI v2\n');
    const r = repo.tryGit([
      'commit',
      '-q',
      '-m',
      'Update task',
      '-m',
      CLAUDE,
      '--',
      'evals/tasks/q1.json',
    ]);
    expect(views(repo).replace(/^.*\n/, '')).toBe(
      '--- .git/index\n--- GIT_INDEX_FILE\nevals/tasks/q1.json\n',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
    expect(repo.head()).toBe(head);
  });

  it('git commit --only PATH in the middle of other staged work: the other work is not judged', () => {
    const repo = repoWithRecorder();
    repo.write('evals/tasks/q1.json', 'AI v2\n').write('README.md', 'more\n');
    repo.git('add', 'evals/tasks/q1.json');
    const r = repo.tryGit([
      'commit',
      '-q',
      '--only',
      '-m',
      'Docs',
      '-m',
      CLAUDE,
      '--',
      'README.md',
    ]);
    expect(r.code, r.stderr).toBe(0);
    // The AI task is still staged, untouched, for the next commit to be judged.
    expect(repo.git('diff', '--cached', '--name-only')).toBe('evals/tasks/q1.json\n');
  });
});

describe('bad input to check --staged', () => {
  it('an unreadable message file is a clear error (exit 2)', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['check', '--staged', '--message-file', join(repo.dir, 'nope.txt')]);
    expectCleanError(r);
    expect(r.stderr).toBe(
      `cleanroom: cannot read the message file ${join(repo.dir, 'nope.txt')}: ENOENT\n`,
    );
  });
});
