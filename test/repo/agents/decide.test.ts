import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, targetsOf, type PolicyLookup } from '../../../src/agents/decide.js';
import { lookupPolicy, stateDirOf } from '../../../src/agents/policy.js';
import type { AgentEvent, Decision } from '../../../src/agents/types.js';
import { cleanEnv, POLICY, removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

function repoWith(policy: string | undefined, commit = true): TestRepo {
  const repo = TestRepo.init();
  repo.write('README.md', '# r\n');
  if (policy !== undefined) repo.write('.cleanroom/policy.yaml', policy);
  if (commit) {
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'init');
  }
  return repo;
}

async function decide(
  repo: TestRepo,
  e: Partial<AgentEvent> & Pick<AgentEvent, 'kind'>,
  notes: string[] = [],
): Promise<Decision> {
  const event: AgentEvent = {
    tool: 'claude-code',
    name: 'Write',
    cwd: repo.dir,
    paths: [],
    session: 's',
    ...e,
  };
  const lookup = (root: string): Promise<PolicyLookup> =>
    lookupPolicy({ cwd: repo.dir, env: cleanEnv() }, root, notes);
  return judge(event, lookup, repo.dir);
}

const write = (repo: TestRepo, ...paths: string[]) => decide(repo, { kind: 'write', paths });
const read = (repo: TestRepo, ...paths: string[]) => decide(repo, { kind: 'read', paths });

describe('where a path lands', () => {
  it('absolute, relative to cwd, with .. and through symlinks', () => {
    const repo = repoWith(POLICY);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    symlinkSync('evals/tasks', join(repo.dir, 'link'));
    expect(targetsOf(`${repo.dir}/evals/tasks/q.json`, '/')).toEqual([
      { root: repo.dir, rel: 'evals/tasks/q.json' },
    ]);
    expect(targetsOf('tasks/q.json', join(repo.dir, 'evals'))).toEqual([
      { root: repo.dir, rel: 'evals/tasks/q.json' },
    ]);
    expect(targetsOf('src/../evals/tasks/new/q.json', repo.dir)).toEqual([
      { root: repo.dir, rel: 'evals/tasks/new/q.json' },
    ]);
    expect(targetsOf('link/q.json', repo.dir)).toEqual([
      { root: repo.dir, rel: 'link/q.json' },
      { root: repo.dir, rel: 'evals/tasks/q.json' },
    ]);
    expect(targetsOf('/etc/hosts', repo.dir)).toEqual([]);
    expect(targetsOf('../../outside.txt', repo.dir)).toEqual([]);
  });

  it('a linked worktree keeps its state beside its own git dir', () => {
    const repo = repoWith(POLICY);
    const wt = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', wt);
    expect(stateDirOf(repo.dir)).toBe(join(repo.dir, '.git', 'cleanroom'));
    expect(stateDirOf(wt)).toBe(join(repo.dir, '.git', 'worktrees', 'wt', 'cleanroom'));
    const viaGit = new TestRepo(wt)
      .git('rev-parse', '--path-format=absolute', '--git-path', 'cleanroom')
      .trim();
    expect(stateDirOf(wt)).toBe(viaGit);
  });
});

describe('writes', () => {
  it('into a deny zone: refused, saying which zone and what to do', async () => {
    const repo = repoWith(POLICY);
    const d = await write(repo, `${repo.dir}/evals/tasks/q1.json`);
    expect(d).toEqual({
      action: 'deny',
      reason:
        'cleanroom: evals/tasks/q1.json is in zone "eval-tasks", which must contain no AI-written content (claude-code) — a human has to write it by hand.',
    });
  });

  it('into a review zone, or no zone: allowed (the commit needs the review)', async () => {
    const repo = repoWith(POLICY);
    expect(await write(repo, 'evals/harness/run.py', 'src/app.ts')).toEqual({ action: 'allow' });
  });

  it('per-tool verdicts: devin may not even touch the harness', async () => {
    const repo = repoWith(POLICY);
    expect(
      (await decide(repo, { kind: 'write', tool: 'devin', paths: ['evals/harness/run.py'] }))
        .action,
    ).toBe('deny');
  });

  it('one path of several in a zone refuses the whole call (apply_patch)', async () => {
    const repo = repoWith(POLICY);
    expect((await write(repo, 'src/a.ts', 'data/train/x.txt')).action).toBe('deny');
    expect((await write(repo, 'src/a.ts', 'data/train/README.md')).action).toBe('allow'); // excluded from the zone
  });

  it('a symlink that points into a zone is judged at its target, inside or outside the repository', async () => {
    const repo = repoWith(POLICY);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    symlinkSync('evals/tasks', join(repo.dir, 'docs-link'));
    const outside = join(tempDir(), 'elsewhere');
    symlinkSync(join(repo.dir, 'evals/tasks'), outside);
    expect((await write(repo, 'docs-link/q.json')).action).toBe('deny');
    expect((await write(repo, `${outside}/q.json`)).action).toBe('deny');
  });

  it('case and Unicode spellings do not dodge a zone', async () => {
    const repo = repoWith(POLICY);
    expect((await write(repo, 'Evals/TASKS/q.json')).action).toBe('deny');
    expect((await write(repo, 'data/train/cafe\u0301.txt')).action).toBe('deny');
  });

  it("cleanroom's and git's own files are not an agent's to change", async () => {
    const repo = repoWith(POLICY);
    expect(await write(repo, '.cleanroom/policy.yaml')).toMatchObject({
      action: 'deny',
      reason: expect.stringContaining("cleanroom's or git's own configuration"),
    });
    expect((await write(repo, '.git/hooks/pre-commit')).action).toBe('deny');
    expect((await write(repo, `${repo.dir}/.git/cleanroom/ledger.jsonl`)).action).toBe('deny');
  });

  it('paths outside every repository are none of our business', async () => {
    const repo = repoWith(POLICY);
    const scratch = tempDir();
    expect(await write(repo, join(scratch, 'evals/tasks/q.json'), '/tmp/../tmp/x.txt')).toEqual({
      action: 'allow',
    });
  });

  it('a path in another repository is judged by that repository', async () => {
    const here = repoWith(undefined);
    const there = repoWith(POLICY);
    expect((await write(here, join(there.dir, 'evals/tasks/q.json'))).action).toBe('deny');
    expect((await write(there, join(here.dir, 'evals/tasks/q.json'))).action).toBe('allow');
  });
});

describe('reads', () => {
  it('a file or directory in a read: deny zone is refused; a harness file is not', async () => {
    const repo = repoWith(POLICY);
    const d = await read(repo, 'evals/tasks/q1.json');
    expect(d).toMatchObject({
      action: 'deny',
      reason: expect.stringMatching(
        /^cleanroom: evals\/tasks\/q1\.json is in zone "eval-tasks", which agents may not read/,
      ),
    });
    expect((await read(repo, 'evals/tasks')).action).toBe('deny');
    expect((await read(repo, 'evals/harness/run.py', 'evals', 'data/train/x.txt')).action).toBe(
      'allow',
    ); // names of evals/; data/train is ai: deny but readable
  });

  it('a recursive search over a directory that holds a read: deny zone is refused', async () => {
    const repo = repoWith(POLICY);
    expect((await decide(repo, { kind: 'search', paths: ['.'] })).action).toBe('allow'); // issue 15 §6: the zone has no file yet
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    writeFileSync(join(repo.dir, 'evals/tasks/q1.json'), '{}');
    expect(await decide(repo, { kind: 'search', paths: ['.'] })).toMatchObject({
      action: 'deny',
      reason: expect.stringContaining(
        'searching the whole repository would read zone "eval-tasks"',
      ),
    });
    expect((await decide(repo, { kind: 'search', paths: ['evals'] })).action).toBe('deny');
    expect((await decide(repo, { kind: 'search', paths: ['src', 'data'] })).action).toBe('allow');
  });

  it('a read through a symlink into the zone is refused', async () => {
    const repo = repoWith(POLICY);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    writeFileSync(join(repo.dir, 'evals/tasks/q1.json'), '{}');
    symlinkSync('evals/tasks/q1.json', join(repo.dir, 'innocent.json'));
    expect((await read(repo, 'innocent.json')).action).toBe('deny');
  });
});

describe('shell commands', () => {
  it('naming a read: deny path, or writing into a deny zone, is refused', async () => {
    const repo = repoWith(POLICY);
    const shell = (command: string) => decide(repo, { kind: 'shell', command });
    expect(await shell('jq .answer evals/tasks/q1.json')).toMatchObject({
      action: 'deny',
      reason: expect.stringContaining(
        'this command names evals/tasks/q1.json in zone "eval-tasks"',
      ),
    });
    // gen.py exists: a script missing while the line writes is refused for that alone.
    repo.write('gen.py', 'print(1)\n');
    // A script found after the line's cd is no missing script (it runs src/app.py).
    repo.write('src/app.py', 'print(1)\n');
    expect((await shell('cd src && python3 app.py > out.txt')).action).toBe('allow');
    expect((await shell('cd src && python3 nothere.py > out.txt')).action).toBe('deny');
    expect(await shell('python gen.py > data/train/gen.txt')).toMatchObject({
      action: 'deny',
      reason: expect.stringContaining(
        'this command writes data/train/gen.txt in zone "training-data"',
      ),
    });
    expect((await shell('npm test && git status')).action).toBe('allow');
    expect((await shell('cat data/train/x.txt')).action).toBe('allow'); // readable, just not writable
  });
});

describe('too much to judge', () => {
  it('a call naming thousands of paths, or a command padded past what is read, fails closed', async () => {
    const repo = repoWith(POLICY);
    const many = Array.from({ length: 2001 }, (_, i) => `src/f${i}.ts`);
    expect(await write(repo, ...many)).toMatchObject({
      action: 'fail',
      block: true,
      reason: expect.stringContaining('names 2001 paths'),
    });
    const padded = 'true ' + 'x '.repeat(6000) + '> evals/tasks/q.json';
    expect(await decide(repo, { kind: 'shell', command: padded })).toMatchObject({
      action: 'fail',
      block: true,
    });
  });
});

describe('which policy', () => {
  it('no policy anywhere: nothing to enforce', async () => {
    const repo = repoWith(undefined);
    expect(await write(repo, 'evals/tasks/q.json')).toEqual({ action: 'allow' });
  });

  it('the work-tree policy deleted (by an agent, say): the committed one still holds, and the user hears it', async () => {
    const repo = repoWith(POLICY);
    rmSync(join(repo.dir, '.cleanroom/policy.yaml'));
    const notes: string[] = [];
    expect(
      (await decide(repo, { kind: 'write', paths: ['evals/tasks/q.json'] }, notes)).action,
    ).toBe('deny');
    expect(notes).toEqual([
      'cleanroom: .cleanroom/policy.yaml is missing — judged by the committed policy (HEAD:.cleanroom/policy.yaml)',
    ]);
  });

  it('a broken work-tree policy: the committed one holds', async () => {
    const repo = repoWith(POLICY);
    repo.write('.cleanroom/policy.yaml', 'version: 1\nzones: [\n');
    const notes: string[] = [];
    expect(
      (await decide(repo, { kind: 'write', paths: ['evals/tasks/q.json'] }, notes)).action,
    ).toBe('deny');
    expect(notes[0]).toMatch(
      /^cleanroom: the policy is invalid \(.*\) — judged by the committed policy/,
    );
  });

  it('broken and nothing committed: writes and reads fail closed, saying why', async () => {
    const repo = repoWith('version: 1\nzones: [\n', false);
    const d = await write(repo, 'src/a.ts');
    expect(d).toMatchObject({
      action: 'fail',
      block: true,
      reason: expect.stringMatching(
        /^cleanroom: cannot check src\/a\.ts because the policy is invalid .* blocked to be safe/,
      ),
    });
    expect((await read(repo, 'README.md')).action).toBe('fail');
  });

  it('the cache follows the policy text: an edited policy, once staged, is judged by its new content', async () => {
    const repo = repoWith(POLICY);
    expect((await write(repo, 'evals/harness/x.py')).action).toBe('allow');
    expect(
      readdirSync(join(repo.dir, '.git/cleanroom')).filter((f) => /^policy-.*\.json$/.test(f)),
    ).toHaveLength(1);
    repo.write('.cleanroom/policy.yaml', POLICY.replace('ai: review', 'ai: deny'));
    expect((await write(repo, 'evals/harness/x.py')).action).toBe('allow'); // the work tree is the agent's to write: it never judges
    repo.git('add', '.cleanroom/policy.yaml');
    expect((await write(repo, 'evals/harness/x.py')).action).toBe('deny');
  });
});
