// Issue 14 §4: `check --staged` over 100,000 staged files in an agent's session printed a
// 5.6 MB, 200,000-line text report (--quiet included), and building it cost more than
// judging. The text printed by `check` now lists at most 50 changes per commit (200 in
// all) and counts the rest; `--output text:FILE`, JSON and the exit code stay complete.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

function staged(n: number): TestRepo {
  const repo = repoWithPolicy({ init: false });
  for (let i = 0; i < n; i++)
    repo.write(`evals/tasks/q${String(i).padStart(3, '0')}.json`, `${i}\n`);
  repo.git('add', '-A');
  return repo;
}
const agent = (repo: TestRepo) => ({ ...repo.env, CLAUDECODE: '1' });

describe('check prints a bounded text report; files and JSON stay complete', () => {
  it('60 violating files: 50 listed, 10 counted, the way to all named; the file lists 60', () => {
    const repo = staged(60);
    const file = join(repo.dir, 'all.txt');
    for (const quiet of [[], ['--quiet']]) {
      const r = repo.cleanroom(['check', '--staged', ...quiet, '--output', `text:${file}`], {
        env: agent(repo),
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cleanroom: violations found — 60 AI-attributed changes');
      expect(r.stderr.match(/✗/g)).toHaveLength(50);
      expect(r.stderr).toContain(
        '… and 10 more changes; every one is listed by --format json, or --output text:FILE',
      );
      expect(r.stderr).toContain('Ways out:');
      expect(readFileSync(file, 'utf8').match(/✗/g)).toHaveLength(60);
      expect(readFileSync(file, 'utf8')).not.toContain('more change');
    }
    const json = repo.cleanroom(['check', '--staged', '--format', 'json'], { env: agent(repo) });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).violations).toHaveLength(60);
  });

  it('a deny past the limit is still named (hostile review: 260 review findings hid it)', () => {
    const repo = repoWithPolicy({ init: false });
    for (let i = 0; i < 60; i++)
      repo.write(`evals/harness/h${String(i).padStart(3, '0')}.py`, `${i}\n`);
    repo.write('evals/tasks/zz.json', '{}\n');
    repo.git('add', '-A');
    const r = repo.cleanroom(['check', '--staged'], { env: agent(repo) });
    expect(r.code).toBe(1);
    expect(r.stderr.match(/✗/g)).toHaveLength(50);
    expect(r.stderr).toContain('… and 11 more changes');
    expect(r.stderr).toContain('among them, in deny zones (1): evals/tasks/zz.json');
  });

  it('human control: 5 violating files are all listed, nothing more is said', () => {
    const repo = staged(5);
    const r = repo.cleanroom(['check', '--staged'], { env: agent(repo) });
    expect(r.code).toBe(1);
    expect(r.stderr.match(/✗/g)).toHaveLength(5);
    expect(r.stderr).not.toContain('more change');
  });
});
