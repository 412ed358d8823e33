// Signed overrides in the audit: a deny-zone change an approver signed for is attested
// (outcome "overridden", by the approver), one without is contaminated. Uses the signing
// tests' world: real keys, real `cleanroom override request | sign`, real `git commit`.

import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/audit/report.js';
import { auditCommand } from '../../../src/cli/audit.js';
import { removeTempDirs } from '../../helpers/repo.js';
import { AI, APPROVER, grant, world } from '../sign/world.js';

afterAll(() => removeTempDirs());

describe('cleanroom audit with signed overrides', () => {
  it('lists an overridden change as attested, by its approver, and the unsigned one as contaminated', async () => {
    const w = world();
    w.repo.write('evals/tasks/q1.json', '{"question": "2 + 2"}\n');
    w.repo.git('add', '-A');
    const trailer = grant(w, 'override');
    expect(w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', trailer] }).code).toBe(
      0,
    );
    w.repo.write('evals/tasks/q2.json', '{"question": "3 + 3"}\n');
    expect(w.repo.commit(`Add q2\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);

    const r = w.repo.cleanroom(['audit', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as AuditReport;
    const tasks = report.zones.find((z) => z.name === 'eval-tasks')!;
    expect(tasks.contaminated.map((p) => p.path)).toEqual(['evals/tasks/q2.json']);
    expect(tasks.attested.map((p) => p.path)).toEqual(['evals/tasks/q1.json']);
    expect(tasks.attested[0]!.changes[0]).toMatchObject({
      outcome: 'overridden',
      by: APPROVER,
      contaminates: false,
    });
    expect(tasks.grants).toEqual([{ by: APPROVER, outcome: 'overridden', changes: 1 }]);
    expect(report.summary.findings).toEqual({ violation: 1, reviewed: 0, overridden: 1 });
    const text = w.repo.cleanroom(['audit']).stdout;
    expect(text).toContain(`${APPROVER} — overridden 1 change`);

    // A year later the override has long expired. The commit's date cannot say it was
    // valid when the commit was made (the pusher sets it): without an override log the
    // audit judges expiry by its own clock, and the change is no longer attested.
    const later = new Date(Date.now() + 365 * 86400_000);
    const yearLater = await auditAt(w.repo.dir, w.repo.env, later, ['--format', 'json']);
    expect(yearLater.code).toBe(1);
    expect(
      yearLater.report.zones.find((z) => z.name === 'eval-tasks')!.contaminated.map((p) => p.path),
    ).toEqual(['evals/tasks/q1.json', 'evals/tasks/q2.json']);
  });

  it('a backdated commit cannot revive an expired override; the override log credits what a server accepted in time', async () => {
    const w = world();
    w.repo.write('evals/tasks/q1.json', '{"question": "2 + 2"}\n');
    w.repo.git('add', '-A');
    const t1 = grant(w, 'override');
    expect(w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', t1] }).code).toBe(0);
    // CI (or the server) accepted q1 now and recorded it in the hash-chained log.
    const ci = w.repo.cleanroom([
      'check',
      '--range',
      'HEAD~1..HEAD',
      '--grant-log',
      'grants.jsonl',
    ]);
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(0);
    // The attack: a signed override never used in time; a year later it is committed with
    // a committer date inside its window, straight past every server (no log entry).
    w.repo.write('evals/tasks/q3.json', '{"question": "4 + 4"}\n');
    w.repo.git('add', '-A');
    const t3 = grant(w, 'override');
    const backdated = {
      ...w.repo.env,
      GIT_COMMITTER_DATE: new Date(Date.now() - 3600_000).toISOString(),
    };
    expect(
      w.repo.commit(`Add q3\n\n${AI}`, {
        add: [],
        args: ['--no-verify', '--trailer', t3],
        env: backdated,
      }).code,
    ).toBe(0);
    const later = new Date(Date.now() + 365 * 86400_000);
    const withLog = await auditAt(w.repo.dir, w.repo.env, later, [
      '--format',
      'json',
      '--grant-log',
      'grants.jsonl',
    ]);
    const tasks = withLog.report.zones.find((z) => z.name === 'eval-tasks')!;
    // Human control: the change a server accepted in time stays attested a year later.
    expect(tasks.attested.map((p) => p.path)).toEqual(['evals/tasks/q1.json']);
    expect(tasks.contaminated.map((p) => p.path)).toEqual(['evals/tasks/q3.json']);
    expect(withLog.code).toBe(1);
    // Today both overrides are within their window: both attested, whatever the log.
    const today = await auditAt(w.repo.dir, w.repo.env, new Date(), ['--format', 'json']);
    expect(today.code).toBe(0);
  });
});

async function auditAt(
  dir: string,
  env: NodeJS.ProcessEnv,
  now: Date,
  args: string[],
): Promise<{ code: number; report: AuditReport }> {
  const out: string[] = [];
  const code = await auditCommand(args, {
    cwd: dir,
    env,
    stdin: Readable.from([]),
    stdinIsTTY: false,
    stdout: (s) => void out.push(s),
    stderr: () => undefined,
    stderrIsTTY: false,
    now: () => now,
    packageRoot: dir,
  });
  return { code, report: JSON.parse(out.join('')) as AuditReport };
}
