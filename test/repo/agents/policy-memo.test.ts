// The agent hook remembers what git answered for the staged and committed policy
// (src/agents/policy.ts, policy lookup memo) under a key of the files git read. A memo
// that outlives a change git would see is a wrong policy: this drives a repository
// through the ways the index, HEAD and refs change, and after each step compares the
// policy the hook judges by (memo in play) with what `git cat-file` says at that moment.

import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupPolicy } from '../../../src/agents/policy.js';
import type { PolicyLookup } from '../../../src/agents/decide.js';
import { cleanEnv, removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const policy = (zone: string) =>
  `version: 1\nrepository: example/memo\nzones:\n  - { name: ${zone}, paths: ["evals/**"], ai: deny }\n`;
const MEMO = ['.git', 'cleanroom', 'agent-policy-lookup.json'];

/**
 * The zone names the hook judges by (every policy that holds), sorted. This file is about
 * the memo: the policy mark (which adds the newest policy judged by here after a move back
 * or sideways: test/e2e/agents/policy-mark.test.ts) is removed before each lookup.
 */
async function judgedBy(repo: TestRepo, env = cleanEnv()): Promise<string[]> {
  rmSync(join(repo.dir, '.git', 'cleanroom', 'agent-policy-mark.json'), { force: true });
  const r: PolicyLookup = await lookupPolicy({ cwd: repo.dir, env }, repo.dir, []);
  if (r.kind !== 'policy') return [r.kind];
  return [r.policy, ...(r.others ?? [])].flatMap((p) => p.zones.map((z) => z.name)).sort();
}

/** The same from git itself, now: the zones of `:policy` and `HEAD:policy`. */
function truth(repo: TestRepo): string[] {
  const zones = new Set<string>();
  for (const rev of [':', 'HEAD:']) {
    const r = repo.tryGit(['cat-file', '-p', `${rev}.cleanroom/policy.yaml`]);
    const m = r.code === 0 ? /name: (\w+)/.exec(r.stdout) : null;
    if (m) zones.add(m[1]!);
  }
  return [...zones].sort();
}

describe('the policy lookup memo', () => {
  it('follows every change git would see: staging, commits, branches, detached HEAD, packed and updated refs', async () => {
    const repo = TestRepo.init();
    repo.write('README.md', '# r\n');
    repo.write('.cleanroom/policy.yaml', policy('z0'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'init');
    let n = 0;
    const stage = () => {
      n++;
      repo.write('.cleanroom/policy.yaml', policy(`z${n}`));
      repo.git('add', '.cleanroom/policy.yaml');
    };
    const steps: [string, () => void][] = [
      ['stage a new policy', stage],
      ['commit it', () => repo.git('commit', '-q', '-m', `c${n}`)],
      [
        'edit the work tree only (never judges)',
        () => repo.write('.cleanroom/policy.yaml', policy('wt')),
      ],
      ['stage again', stage],
      ['unstage (reset the index to HEAD)', () => repo.git('reset', '-q')],
      [
        'stage and commit on a new branch',
        () => (
          repo.git('checkout', '-q', '-b', 'side'),
          stage(),
          repo.git('commit', '-q', '-m', 's')
        ),
      ],
      ['switch back to main', () => repo.git('checkout', '-q', '-f', 'main')],
      ['detach HEAD at side', () => repo.git('checkout', '-q', '-f', '--detach', 'side')],
      ['back to main', () => repo.git('checkout', '-q', '-f', 'main')],
      ['pack the refs (the loose ref goes away)', () => repo.git('pack-refs', '--all')],
      [
        'move main to side by update-ref (index unchanged)',
        () => repo.git('update-ref', 'refs/heads/main', 'side'),
      ],
      [
        'soft reset main one back (HEAD moves, index stays)',
        () => repo.git('reset', '-q', '--soft', 'HEAD~1'),
      ],
      [
        'stage with update-index --cacheinfo (no work-tree change)',
        () => {
          n++;
          const id = repo
            .tryGit(['hash-object', '-w', '--stdin'], { input: policy(`z${n}`) })
            .stdout.trim();
          repo.git('update-index', '--cacheinfo', `100644,${id},.cleanroom/policy.yaml`);
        },
      ],
      [
        'remove it from the index',
        () => repo.git('update-index', '--force-remove', '.cleanroom/policy.yaml'),
      ],
      ['stage it back', stage],
      [
        'HEAD through a symbolic loose ref to side',
        () => (
          repo.git('symbolic-ref', 'refs/heads/alias', 'refs/heads/side'),
          repo.git('symbolic-ref', 'HEAD', 'refs/heads/alias')
        ),
      ],
      [
        'a new commit on side, read through alias',
        () => (
          repo.git('checkout', '-q', '-f', '-b', 'tmp', 'side'),
          stage(),
          repo.git('commit', '-q', '-m', 't'),
          repo.git('update-ref', 'refs/heads/side', 'tmp'),
          repo.git('symbolic-ref', 'HEAD', 'refs/heads/alias'),
          repo.git('reset', '-q')
        ),
      ],
      [
        'only the ref behind the symbolic one moves',
        () => repo.git('update-ref', 'refs/heads/side', 'tmp~1'),
      ],
    ];
    for (const [name, step] of steps) {
      step();
      const want = truth(repo);
      expect(await judgedBy(repo), `${name} (first call)`).toEqual(want);
      expect(await judgedBy(repo), `${name} (memo)`).toEqual(want);
    }
    expect(existsSync(join(repo.dir, ...MEMO))).toBe(true);
  });

  it('a memo is read only when it proves itself: its key, its owner and mode', async () => {
    const repo = TestRepo.init();
    repo.write('.cleanroom/policy.yaml', policy('real'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'init');
    expect(await judgedBy(repo)).toEqual(['real']);
    const file = join(repo.dir, ...MEMO);
    const memo = JSON.parse(readFileSync(file, 'utf8')) as { key: string };
    const plant = (m: object, mode = 0o644) => {
      writeFileSync(file, JSON.stringify(m));
      chmodSync(file, mode);
    };
    // Control: a planted memo with the right key is believed (a same-user process can do
    // this; src/policy/cache.ts says what stops it elsewhere) ...
    plant({ key: memo.key, staged: policy('planted'), committed: policy('planted') });
    expect(await judgedBy(repo)).toEqual(['planted']);
    // ... and not with another key, writable by others, or malformed.
    plant({ key: `${memo.key}x`, staged: policy('planted'), committed: null });
    expect(await judgedBy(repo)).toEqual(['real']);
    plant({ key: memo.key, staged: policy('planted'), committed: null }, 0o666);
    expect(await judgedBy(repo)).toEqual(['real']);
    plant({ key: memo.key, staged: 7, committed: null });
    expect(await judgedBy(repo)).toEqual(['real']);
    plant({ key: memo.key, staged: null, committed: null });
    expect(await judgedBy(repo)).toEqual(['real']);
  });

  it('no memo where its key cannot cover what git reads (GIT_NAMESPACE, another object directory)', async () => {
    for (const v of ['GIT_NAMESPACE', 'GIT_OBJECT_DIRECTORY']) {
      const repo = TestRepo.init();
      repo.write('.cleanroom/policy.yaml', policy('real'));
      repo.git('add', '-A');
      repo.git('commit', '-q', '-m', 'init');
      const env = {
        ...cleanEnv(),
        [v]: v === 'GIT_NAMESPACE' ? 'ns' : join(repo.dir, '.git', 'objects'),
      };
      expect(await judgedBy(repo, env)).toEqual(['real']);
      expect(existsSync(join(repo.dir, ...MEMO)), v).toBe(false);
    }
  });
});
