// Issue 11 §3: a repository that lacks some objects (a partial clone, the Aider mirror
// without its 16 large blobs) is still audited; check names the missing object and the fix.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** History with an inexact rename (git must read both blobs to pair them) and an AI commit in a zone. */
function history(): { repo: TestRepo; renamedFrom: string } {
  const repo = repoWithPolicy({ init: false });
  repo.write('big.txt', Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join(''));
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'data');
  const renamedFrom = repo.git('rev-parse', 'HEAD:big.txt').trim();
  repo.git('mv', 'big.txt', 'data.txt');
  repo.write(
    'data.txt',
    Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join('') + 'one more\n',
  );
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'rename with an edit');
  repo.write('evals/tasks/q.json', '{"q": 1}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'agent task', '-m', CLAUDE);
  return { repo, renamedFrom };
}

describe('absent objects', () => {
  it('human control: the complete repository audits normally', () => {
    const { repo } = history();
    const r = repo.cleanroom(['audit', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).history.absentObjects).toBeUndefined();
  });

  it('audit of a repository whose blob was deleted still reports, naming the absent object', () => {
    const { repo, renamedFrom } = history();
    repo.git('repack', '-q', '-a', '-d');
    const packDir = join(repo.dir, '.git', 'objects', 'pack');
    const packs = execFileSync('ls', [packDir], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.pack'));
    for (const p of packs) {
      const data = execFileSync('cat', [join(packDir, p)]);
      rmSync(join(packDir, p));
      rmSync(join(packDir, p.replace(/\.pack$/, '.idx')));
      execFileSync('git', ['unpack-objects', '-q'], { cwd: repo.dir, env: repo.env, input: data });
    }
    rmSync(join(repo.dir, '.git', 'objects', renamedFrom.slice(0, 2), renamedFrom.slice(2)));
    const r = repo.cleanroom(['audit', '--format', 'json']);
    expect(r.stderr).not.toContain('listed more commits than git log');
    expect(r.code, r.stderr).toBe(1); // the AI task is still found
    const report = JSON.parse(r.stdout);
    expect(report.history.absentObjects).toEqual([renamedFrom]);
    expect(report.summary.contaminatedPaths).toBe(1);
    expect(r.stderr).toContain(`absent from this repository`);
    expect(r.stderr).toContain(renamedFrom);

    // check names the object (git's own words) and the fix
    const c = repo.cleanroom(['check', '--range', 'HEAD~2..HEAD~1']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain(`unable to read ${renamedFrom}`);
    expect(c.stderr).toContain('git fetch --refetch');
  });

  /** A `--filter=blob:none` clone of a fresh history (no blob in it), and the source. */
  const blobless = (): { repo: TestRepo; clone: TestRepo } => {
    const { repo } = history();
    repo.git('config', 'uploadpack.allowFilter', 'true');
    const dir = join(tempDir(), 'partial');
    execFileSync(
      'git',
      ['clone', '-q', '--no-checkout', '--filter=blob:none', `file://${repo.dir}`, dir],
      { env: cleanEnv() },
    );
    return { repo, clone: new TestRepo(dir) };
  };
  const auditWith = (clone: TestRepo, repo: TestRepo) =>
    clone.cleanroom([
      'audit',
      '--format',
      'json',
      '--policy',
      join(repo.dir, '.cleanroom/policy.yaml'),
    ]);

  it('a real --filter=blob:none clone whose remote is gone is audited, naming what is absent', () => {
    const { repo, clone } = blobless();
    clone.git('remote', 'set-url', 'origin', join(tempDir(), 'gone.git')); // the remote is unreachable
    const r = auditWith(clone, repo);
    expect(r.stderr).not.toContain('listed more commits than git log');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.summary.contaminatedPaths).toBe(1);
    expect(report.history.absentObjects?.length ?? 0).toBeGreaterThan(0);
  });
  it('a --filter=blob:none clone whose remote is reachable: audit fetches no blob', () => {
    // Issue 11 §3: rename detection over history would fetch blobs one by one from the
    // promisor remote. git < 2.44 ignores GIT_NO_LAZY_FETCH, so this runs on any git.
    const { repo, clone } = blobless();
    const blobsHere = (): number =>
      clone
        .git('cat-file', '--batch-all-objects', '--batch-check=%(objecttype)')
        .split('\n')
        .filter((t) => t === 'blob').length;
    expect(blobsHere()).toBe(0);
    const r = auditWith(clone, repo);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).summary.contaminatedPaths).toBe(1);
    expect(blobsHere(), 'the audit fetched blobs from the remote').toBe(0);
  });
});
