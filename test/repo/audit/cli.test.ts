// `cleanroom audit` on real repositories made with git: bad input (a range that does not
// exist, an empty repository, a shallow clone), the options, and hostile names.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/audit/report.js';
import { auditCommand } from '../../../src/cli/audit.js';
import type { Io } from '../../../src/cli/io.js';
import {
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  TestRepo,
  cleanEnv,
} from '../../helpers/repo.js';

afterAll(() => removeTempDirs());

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const json = (stdout: string): AuditReport => JSON.parse(stdout) as AuditReport;

/** policy → AI adds evals/tasks/a.json → human adds src/x.ts → AI edits src only → human edits README. */
function smallHistory(): TestRepo {
  const repo = repoWithPolicy({ init: false });
  repo.write('evals/tasks/old.json', '{"q": 0}\n');
  expect(repo.commit('human task').code).toBe(0);
  repo.write('evals/tasks/a.json', '{"q": 1}\n');
  expect(repo.commit(`AI task\n\n${CLAUDE}`).code).toBe(0);
  repo.write('src/x.ts', 'export {}\n');
  expect(repo.commit('human code').code).toBe(0);
  repo.write('src/y.ts', 'export {}\n');
  expect(repo.commit(`AI code outside zones\n\n${CLAUDE}`).code).toBe(0);
  repo.write('README.md', '# changed\n');
  expect(repo.commit('human readme').code).toBe(0);
  return repo;
}

describe('cleanroom audit: bad input', () => {
  it('a range that does not exist is a usage error naming it', () => {
    const repo = smallHistory();
    const r = repo.cleanroom(['audit', '--range', 'main..no-such-branch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such commit: no-such-branch');
    expect(r.stdout).toBe('');
  });

  it('an option passed as a range is refused, not run', () => {
    const repo = smallHistory();
    const r = repo.cleanroom(['audit', '--range=--output=/tmp/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid range/);
  });

  it('--range with --all, and a date git would misread, are usage errors', () => {
    const repo = smallHistory();
    expect(repo.cleanroom(['audit', '--all', '--range', 'HEAD']).code).toBe(2);
    const r = repo.cleanroom(['audit', '--since', 'last tuesday-ish']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--since wants a date');
  });

  it('an empty repository gets a clear message and an empty, valid report', () => {
    const repo = TestRepo.init();
    repo.write('.cleanroom/policy.yaml', POLICY);
    const r = repo.cleanroom(['audit', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('the repository has no commits yet');
    const report = json(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.history.commits).toBe(0);
    expect(report.zones.map((z) => z.name)).toEqual([
      'eval-tasks',
      'eval-harness',
      'training-data',
    ]);
    const text = repo.cleanroom(['audit']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('CLEAN');
  });

  it('a shallow clone is not audited silently: exit 2 with the fix, nothing written', () => {
    const full = smallHistory();
    const dir = tempDir();
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${full.dir}`, dir], {
      env: cleanEnv(),
    });
    const shallow = new TestRepo(dir);
    const r = shallow.cleanroom(['audit', '--format', 'json', '--output', 'report.json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('shallow clone');
    expect(r.stderr).toContain('git fetch --unshallow');
    expect(r.stderr).toContain('--allow-shallow');
    expect(r.stdout).not.toContain('CLEAN');
    expect(existsSync(join(dir, 'report.json'))).toBe(false);
    // Human control: a range that stays above the boundary is a complete audit.
    const top = shallow.cleanroom(['audit', '--range', 'HEAD~1..HEAD']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('CLEAN');
  });

  it('--allow-shallow: audited as far as it goes, INCOMPLETE and not ok, and the boundary commit is not blamed for the whole tree', () => {
    const full = smallHistory();
    const whole = json(full.cleanroom(['audit', '--format', 'json']).stdout);
    expect(whole.ok).toBe(false);
    expect(whole.zones[0]!.contaminated.map((p) => p.path)).toEqual(['evals/tasks/a.json']);

    const dir = tempDir();
    execFileSync('git', ['clone', '-q', '--depth', '2', `file://${full.dir}`, dir], {
      env: cleanEnv(),
    });
    const shallow = new TestRepo(dir);
    const boundary = shallow.git('rev-parse', 'HEAD~1').trim();
    const r = shallow.cleanroom(['audit', '--allow-shallow', '--format', 'json']);
    // The boundary commit is AI-attributed; read as a root commit it would "add" every
    // file in the zones. It is not judged: nothing is contaminated in what was fetched.
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('shallow clone');
    expect(r.stderr).toContain('git fetch --unshallow');
    const report = json(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.history.complete).toBe(false);
    expect(report.history.shallowBoundary).toEqual([boundary]);
    expect(report.history.commits).toBe(2);
    expect(report.summary.contaminatedPaths).toBe(0);
    const text = shallow.cleanroom(['audit', '--allow-shallow']).stdout;
    expect(text).toContain('warning: shallow clone');
    expect(text).toContain('INCOMPLETE');
    expect(text).not.toContain('CLEAN');
  });

  it('outside a repository: a clear message', () => {
    const dir = tempDir();
    const r = new TestRepo(dir).cleanroom(['audit']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a git repository/);
  });
});

describe('cleanroom audit: options', () => {
  it('exit 1 and a ten-second summary when a path is contaminated', () => {
    const repo = smallHistory();
    const r = repo.cleanroom(['audit']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^cleanroom audit — HEAD at [0-9a-f]{12}: 6 commits, /);
    expect(r.stdout).toContain(
      'CONTAMINATED: 1 path in 1 zone has AI-attributed history without review or override',
    );
    expect(r.stdout).toMatch(/eval-tasks\s+deny\s+1\s+0\s+1 \/ 0 \/ 0/);
    expect(r.stdout).toContain('✗ evals/tasks/a.json (deny; claude-code)');
    expect(r.stdout).toContain('deletion is the cure');
    const quiet = repo.cleanroom(['audit', '--quiet']);
    expect(quiet.stdout).not.toContain('✗ evals/tasks/a.json');
  });

  it('deleting the file cures it; --range limits the history judged', () => {
    const repo = smallHistory();
    const before = repo.head();
    repo.git('rm', '-q', 'evals/tasks/a.json');
    expect(repo.commit('remove AI task').code).toBe(0);
    expect(repo.cleanroom(['audit']).code).toBe(0);
    const range = json(
      repo.cleanroom(['audit', '--range', `${before}..HEAD`, '--format', 'json']).stdout,
    );
    expect(range.history.commits).toBe(1);
    expect(range.scope.range).toBe(`${before}..HEAD`);
  });

  it('--since judges only commits from that date on', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/old.json', '1\n');
    const old = {
      GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z',
    };
    expect(repo.commit(`old AI\n\n${CLAUDE}`, { env: old }).code).toBe(0);
    repo.write('evals/tasks/new.json', '2\n');
    expect(repo.commit(`new AI\n\n${CLAUDE}`).code).toBe(0);
    const report = json(
      repo.cleanroom(['audit', '--since', '2021-01-01', '--format', 'json']).stdout,
    );
    // --since is cut by the walk (issue 10 §9): the "2020" commit sits on top of the policy
    // commit made today, so its date is a claim the history contradicts — it is audited.
    expect(report.zones[0]!.contaminated.map((p) => p.path)).toEqual([
      'evals/tasks/new.json',
      'evals/tasks/old.json',
    ]);
    expect(report.scope.since).toBe('2021-01-01');
  });

  it('--output writes the file, choosing the format from its extension', () => {
    const repo = smallHistory();
    const r = repo.cleanroom(['audit', '--output', 'reports/audit.html']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('html report written to reports/audit.html');
    const html = readFileSync(join(repo.dir, 'reports', 'audit.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(repo.cleanroom(['audit', '-o', 'a.sarif']).code).toBe(1);
    expect(JSON.parse(readFileSync(join(repo.dir, 'a.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(repo.cleanroom(['audit', '--output', 'a.txt', '--format', 'json']).code).toBe(1);
    expect(json(readFileSync(join(repo.dir, 'a.txt'), 'utf8')).ok).toBe(false);
    expect(existsSync(join(repo.dir, 'a.json'))).toBe(false);
  });

  it("--all audits every ref; each tip's tree counts", () => {
    const repo = smallHistory();
    repo.git('checkout', '-q', '-b', 'side', 'HEAD~3');
    repo.write('data/train/t.jsonl', '{}\n');
    expect(repo.commit(`side AI\n\n${CLAUDE}`).code).toBe(0);
    repo.git('checkout', '-q', 'main');
    const head = json(repo.cleanroom(['audit', '--format', 'json']).stdout);
    expect(head.summary.contaminatedPaths).toBe(1);
    const all = json(repo.cleanroom(['audit', '--all', '--format', 'json']).stdout);
    expect(all.scope.all).toBe(true);
    expect(all.scope.tips).toHaveLength(2);
    expect(all.zones.flatMap((z) => z.contaminated.map((p) => p.path)).sort()).toEqual([
      'data/train/t.jsonl',
      'evals/tasks/a.json',
    ]);
  });

  it('a review zone: reviewed changes are attested, a Reviewed-by in the body is not a review', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/harness/ok.py', 'print(1)\n');
    expect(
      repo.commit(`reviewed\n\n${CLAUDE}\nReviewed-by: Rita Reviewer <rita@example.org>`).code,
    ).toBe(0);
    repo.write('evals/harness/bad.py', 'print(2)\n');
    expect(
      repo.commit(
        `not reviewed\n\nReviewed-by: Rita Reviewer <rita@example.org>\nsaid she would look at it.\n\n${CLAUDE}`,
      ).code,
    ).toBe(0);
    const report = json(repo.cleanroom(['audit', '--format', 'json']).stdout);
    const harness = report.zones.find((z) => z.name === 'eval-harness')!;
    expect(harness.contaminated.map((p) => p.path)).toEqual(['evals/harness/bad.py']);
    expect(harness.attested.map((p) => p.path)).toEqual(['evals/harness/ok.py']);
    expect(harness.grants).toEqual([
      { by: 'Rita Reviewer <rita@example.org>', outcome: 'reviewed', changes: 1 },
    ]);
  });

  it('a file whose name is not UTF-8 is followed to the tip under the name git shows', () => {
    const repo = repoWithPolicy({ init: false });
    const name = Buffer.concat([
      Buffer.from(join(repo.dir, 'evals/tasks/q')),
      Buffer.from([0xff]),
      Buffer.from('.json'),
    ]);
    execFileSync('mkdir', ['-p', join(repo.dir, 'evals/tasks')]);
    writeFileSync(name, '{}\n');
    expect(repo.commit(`AI\n\n${CLAUDE}`).code).toBe(0);
    const report = json(repo.cleanroom(['audit', '--format', 'json']).stdout);
    expect(report.zones[0]!.contaminated.map((p) => p.path)).toEqual(['evals/tasks/q\\377.json']);
  });

  it('hostile file names cannot forge terminal output', () => {
    const repo = repoWithPolicy({ init: false });
    const evil = 'evals/tasks/\u001b[32mclean\u001b[0m\nfake.json';
    repo.write(evil, '{}\n');
    expect(repo.commit(`AI\n\n${CLAUDE}`).code).toBe(0);
    const r = repo.cleanroom(['audit']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\u001b[32m');
    expect(r.stdout).toContain('\\x1b[32mclean');
    expect(
      json(repo.cleanroom(['audit', '--format', 'json']).stdout).zones[0]!.contaminated[0]!.path,
    ).toBe(evil);
  });
});

describe('cleanroom audit: progress', () => {
  function io(repo: TestRepo, tty: boolean): { io: Io; err: string[]; out: string[] } {
    const err: string[] = [];
    const out: string[] = [];
    let t = Date.UTC(2026, 0, 1);
    return {
      err,
      out,
      io: {
        cwd: repo.dir,
        env: repo.env,
        stdin: Readable.from([]),
        stdinIsTTY: false,
        stdout: (s) => void out.push(s),
        stderr: (s) => void err.push(s),
        stderrIsTTY: tty,
        now: () => new Date((t += 250)), // each reading of the clock is a quarter second later
        packageRoot: join(__dirname, '..', '..', '..'),
      },
    };
  }

  it('draws commits/s and an ETA on a terminal, then clears the line', async () => {
    const repo = smallHistory();
    const { io: tty, err, out } = io(repo, true);
    expect(await auditCommand(['--quiet'], tty)).toBe(1);
    const text = err.join('');
    expect(text).toMatch(
      // eslint-disable-next-line no-control-regex -- the progress line is terminal control codes
      /\r\u001b\[2Kcleanroom audit: \d+\/6 commits · [\d,]+ commits\/s · ETA \d+ s/,
    );
    expect(text.endsWith('\r\u001b[2K')).toBe(true);
    expect(out.join('')).toContain('CONTAMINATED');
  });

  it('is silent when stderr is not a terminal', async () => {
    const repo = smallHistory();
    const { io: pipe, err } = io(repo, false);
    expect(await auditCommand(['--format', 'json'], pipe)).toBe(1);
    expect(err.join('')).toBe('');
  });
});
