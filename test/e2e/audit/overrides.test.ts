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

    // A year later the override has long expired, but it was valid when the commit was
    // made — which is what the server that accepted it judged. The audit agrees.
    const out: string[] = [];
    const later = new Date(Date.now() + 365 * 86400_000);
    const code = await auditCommand(['--format', 'json'], {
      cwd: w.repo.dir,
      env: w.repo.env,
      stdin: Readable.from([]),
      stdinIsTTY: false,
      stdout: (s) => void out.push(s),
      stderr: () => undefined,
      stderrIsTTY: false,
      now: () => later,
      packageRoot: w.repo.dir,
    });
    expect(code).toBe(1);
    const yearLater = JSON.parse(out.join('')) as AuditReport;
    expect(
      yearLater.zones.find((z) => z.name === 'eval-tasks')!.attested.map((p) => p.path),
    ).toEqual(['evals/tasks/q1.json']);
  });
});
