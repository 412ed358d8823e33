// The audit against ground truth: a generated history of more than 5,000 commits with
// every tool signature from docs/design/field-notes.md, renames (within, into and out of zones),
// merges (some adding AI-written files themselves), deletions, reviewed changes and
// decoys — imported with git fast-import, audited by the built CLI, and compared with
// what the generator knows to be true. Precision and recall must both be 100%.
//
// Overridden changes are not in this history: signed overrides need an approver's key
// and a signature over each (path, blob) — covered by the small repository test instead.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/audit/report.js';
import {
  generateHistory,
  SIGNATURES,
  type GeneratedHistory,
} from '../../fixtures/audit/history.mjs';
import { CLI, removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';

let repo: TestRepo;
let gen: GeneratedHistory;
let report: AuditReport;
let marks: Map<number, string>;
let auditCpuMs = NaN;

beforeAll(() => {
  gen = generateHistory({ commits: 5300, seed: 20261124 });
  repo = TestRepo.init();
  const marksFile = join(repo.dir, '.git', 'marks');
  const imp = spawnSync('git', ['fast-import', '--quiet', `--export-marks=${marksFile}`], {
    cwd: repo.dir,
    env: repo.env,
    input: gen.stream,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (imp.status !== 0) throw new Error(`fast-import failed: ${imp.stderr}`);
  repo.git('reset', '-q', '--hard');
  marks = new Map(
    readFileSync(marksFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [m = '', sha = ''] = l.split(' ');
        return [Number(m.slice(1)), sha];
      }),
  );
  // The audit's CPU time (user + system, its git children included, as GNU time reports
  // it), not its wall time: other test files run beside this one, and a starved audit
  // must not fail a bound that is about the work it does.
  const cpuFile = join(tempDir(), 'audit-cpu');
  const run = spawnSync(
    '/usr/bin/time',
    ['-f', '%U %S', '-o', cpuFile, process.execPath, CLI, 'audit', '--format', 'json'],
    { cwd: repo.dir, env: repo.env, encoding: 'utf8', input: '', maxBuffer: 1 << 28 },
  );
  const [user = NaN, sys = NaN] = readFileSync(cpuFile, 'utf8') // after "Command exited with non-zero status 1"
    .trim()
    .split('\n')
    .pop()!
    .split(' ')
    .map(Number);
  auditCpuMs = (user + sys) * 1000;
  expect(run.stderr).toBe('');
  expect(run.status).toBe(1);
  report = JSON.parse(run.stdout) as AuditReport;
}, 120_000);

afterAll(() => removeTempDirs());

const key = (zone: string, path: string): string => `${zone}\0${path}`;

describe('audit of a generated 5,000+ commit history with known ground truth', () => {
  it('covers what the issue asks for: size, every tool signature, merges, renames, reviews', () => {
    expect(report.history.commits).toBe(gen.mainCommits);
    expect(report.history.commits).toBeGreaterThanOrEqual(5000);
    const merges = repo.git('rev-list', '--merges', '--count', 'HEAD').trim();
    expect(Number(merges)).toBeGreaterThan(20);
    const tools = new Set(gen.truth.events.map((e) => e.tool));
    for (const s of SIGNATURES)
      expect(tools, `tool ${s.tool} has changes in zones`).toContain(s.tool);
    expect(gen.truth.events.some((e) => e.outcome === 'reviewed')).toBe(true);
    expect(gen.truth.contaminated.size).toBeGreaterThan(100);
    expect(gen.truth.attested.size).toBeGreaterThan(10);
    const log = repo.git('log', '--format=%an%x09%B', '-n', '2000');
    expect(log).toContain('Claude Monet');
    expect(log).toContain('aider project');
    expect(log).toMatch(/\nReviewed-by: Rita Reviewer <rita@example.org>\nwas discussed/);
    expect(log).toContain('Reviewed-by: Claude <noreply@anthropic.com>');
  });

  it('finds every contaminated path and nothing else (100% precision, 100% recall)', () => {
    const truth = new Set(
      [...gen.truth.contaminated.values()].map((t) => key(t.zones[0]!, t.path)),
    );
    const found = new Set(
      report.zones.flatMap((z) => z.contaminated.map((p) => key(z.name, p.path))),
    );
    const hits = [...found].filter((k) => truth.has(k)).length;
    const precision = found.size ? hits / found.size : 1;
    const recall = truth.size ? hits / truth.size : 1;
    expect({ precision, recall }).toEqual({ precision: 1, recall: 1 });
    expect(report.summary.contaminatedPaths).toBe(truth.size);
  });

  it('names the commits and tools that contaminated each path', () => {
    const byPath = new Map(
      report.zones.flatMap((z) => z.contaminated.map((p) => [p.path, p] as const)),
    );
    for (const t of gen.truth.contaminated.values()) {
      const p = byPath.get(t.path)!;
      expect(p.tools, t.path).toEqual(t.tools);
      const want = [...new Set(t.marks.map((m) => marks.get(m)!))].sort();
      const got = [...new Set(p.changes.filter((c) => c.contaminates).map((c) => c.commit))].sort();
      if (p.truncated) expect(want, t.path).toEqual(expect.arrayContaining(got));
      else expect(got, t.path).toEqual(want);
    }
  });

  it('lists paths whose AI history was all reviewed, with the reviewer', () => {
    const truth = new Set([...gen.truth.attested.values()].map((t) => key(t.zones[0]!, t.path)));
    const found = new Set(report.zones.flatMap((z) => z.attested.map((p) => key(z.name, p.path))));
    expect([...found].sort()).toEqual([...truth].sort());
    for (const z of report.zones)
      for (const p of z.attested)
        expect(
          p.changes.some(
            (c) => c.outcome === 'reviewed' && c.by === 'Rita Reviewer <rita@example.org>',
          ),
        ).toBe(true);
  });

  it('counts every AI-attributed change per zone, per reviewer and per day', () => {
    const counts: Record<string, { violation: number; reviewed: number; overridden: number }> = {};
    const grants: Record<string, number> = {};
    const days: Record<string, number> = {};
    for (const e of gen.truth.events) {
      (counts[e.zone] ??= { violation: 0, reviewed: 0, overridden: 0 })[e.outcome]++;
      if (e.by) grants[`${e.zone} ${e.by}`] = (grants[`${e.zone} ${e.by}`] ?? 0) + 1;
      const day = new Date(gen.truth.times.get(e.mark)!.time * 1000).toISOString().slice(0, 10);
      days[`${e.zone} ${day} ${e.tool}`] = (days[`${e.zone} ${day} ${e.tool}`] ?? 0) + 1;
    }
    for (const z of report.zones) {
      expect(z.findings, z.name).toEqual(
        counts[z.name] ?? { violation: 0, reviewed: 0, overridden: 0 },
      );
      for (const g of z.grants) expect(g.changes).toBe(grants[`${z.name} ${g.by}`]);
      for (const t of z.timeline)
        expect(t.violation + t.reviewed + t.overridden, `${z.name} ${t.date} ${t.tool}`).toBe(
          days[`${z.name} ${t.date} ${t.tool}`],
        );
    }
    const reported = report.zones.reduce(
      (n, z) => n + z.timeline.reduce((m, t) => m + t.violation + t.reviewed + t.overridden, 0),
      0,
    );
    expect(reported).toBe(gen.truth.events.length);
  });

  it('explains uncounted AI reviewers in notes', () => {
    expect(report.notes.some((n) => /reviewer is an AI identity/.test(n.text))).toBe(true);
  });

  it('runs in seconds, not minutes (CPU time)', () => {
    expect(auditCpuMs).toBeLessThan(30_000);
  });
});
