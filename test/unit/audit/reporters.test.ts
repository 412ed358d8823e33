import { describe, expect, it } from 'vitest';
import { AuditAccumulator } from '../../../src/audit/accumulate.js';
import { buildReport, type AuditReport } from '../../../src/audit/report.js';
import type { Finding } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { PLAIN } from '../../../src/escape.js';
import { renderAuditHtml, scriptJson, timelineSvg } from '../../../src/report/audit-html.js';
import { renderAuditJson } from '../../../src/report/audit-json.js';
import { auditFindings } from '../../../src/report/audit-sarif.js';
import { renderAuditText } from '../../../src/report/audit-text.js';
import { POLICY } from '../../helpers/repo.js';

const policy = loadPolicyText(POLICY, '.cleanroom/policy.yaml');
const id = (n: number): string => n.toString(16).padStart(40, '0');
const DAY = 86400;

function finding(
  commit: string,
  path: string,
  zone: string,
  tool: string,
  outcome: Finding['outcome'],
  verdict: 'deny' | 'review' = 'deny',
): Finding {
  return {
    commit,
    path,
    zone,
    tool,
    verdict,
    signal: `Co-authored-by: ${tool}`,
    message: 'm',
    outcome,
    ...(outcome === 'violation' ? {} : { by: 'Rita <rita@example.org>' }),
  };
}

/** Three commits: AI task (deny), reviewed harness file, a harness file moved into the deny zone. */
function sample(): AuditReport {
  const acc = new AuditAccumulator();
  const t0 = Date.UTC(2025, 0, 10) / 1000;
  acc.add({
    id: id(1),
    parents: [],
    children: 1,
    time: t0,
    files: [{ status: 'A', path: 'evals/tasks/q1.json', blob: '', mode: '100644' }],
    findings: [finding(id(1), 'evals/tasks/q1.json', 'eval-tasks', 'claude-code', 'violation')],
  });
  acc.add({
    id: id(2),
    parents: [id(1)],
    children: 1,
    time: t0 + 40 * DAY,
    files: [
      { status: 'A', path: 'evals/harness/a.py', blob: '', mode: '100644' },
      { status: 'A', path: 'evals/harness/b.py', blob: '', mode: '100644' },
    ],
    findings: [
      finding(id(2), 'evals/harness/a.py', 'eval-harness', 'aider', 'reviewed', 'review'),
      finding(id(2), 'evals/harness/b.py', 'eval-harness', 'aider', 'reviewed', 'review'),
    ],
    notes: ['"Reviewed-by: Claude <noreply@anthropic.com>" is not counted'],
  });
  acc.add({
    id: id(3),
    parents: [id(2)],
    children: 0,
    time: t0 + 41 * DAY,
    files: [
      {
        status: 'R',
        from: 'evals/harness/b.py',
        path: 'evals/tasks/b.py',
        blob: '',
        mode: '100644',
      },
    ],
    findings: [],
  });
  const existing = acc.existing(
    new Map([[id(3), new Set(['evals/tasks/q1.json', 'evals/harness/a.py', 'evals/tasks/b.py'])]]),
  );
  return buildReport(acc, existing, [id(3)], {
    policy,
    version: '0.1.0',
    now: new Date('2025-03-01T00:00:00Z'),
    range: 'HEAD',
    all: false,
    since: null,
    shallowBoundary: [],
  });
}

describe('audit report model', () => {
  it('judges each path by the zone it is in now: a reviewed file moved into a deny zone is contaminated', () => {
    const r = sample();
    const tasks = r.zones.find((z) => z.name === 'eval-tasks')!;
    const harness = r.zones.find((z) => z.name === 'eval-harness')!;
    expect(tasks.contaminated.map((p) => p.path)).toEqual([
      'evals/tasks/b.py',
      'evals/tasks/q1.json',
    ]);
    expect(tasks.contaminated[0]!.changes[0]).toMatchObject({
      path: 'evals/harness/b.py',
      outcome: 'reviewed',
      contaminates: true,
    });
    expect(harness.attested.map((p) => p.path)).toEqual(['evals/harness/a.py']);
    expect(harness.grants).toEqual([
      { by: 'Rita <rita@example.org>', outcome: 'reviewed', changes: 2 },
    ]);
    expect(r.summary).toEqual({
      contaminatedPaths: 2,
      attestedPaths: 1,
      zonesContaminated: 1,
      findings: { violation: 1, reviewed: 2, overridden: 0 },
      tools: { aider: 1, 'claude-code': 1 },
    });
    expect(tasks.timeline).toEqual([
      { date: '2025-01-10', tool: 'claude-code', violation: 1, reviewed: 0, overridden: 0 },
    ]);
    expect(r.history.first).toBe('2025-01-10T00:00:00Z');
    expect(r.ok).toBe(false);
  });

  it('JSON is the report with the check-shaped violations beside it, in a stable key order', () => {
    const text = renderAuditJson(sample());
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      'format',
      'tool',
      'ok',
      'violations',
      'generatedAt',
      'policy',
      'scope',
      'history',
      'summary',
      'zones',
      'notes',
    ]);
  });

  it('SARIF gets one finding per contaminated path and tool, at its first contaminating commit', () => {
    const f = auditFindings(sample());
    expect(f.map((x) => `${x.path} ${x.tool} ${x.commit!.slice(-1)}`)).toEqual([
      'evals/tasks/b.py aider 2',
      'evals/tasks/q1.json claude-code 1',
    ]);
  });
});

describe('audit text report', () => {
  it('answers in its first lines, then lists paths and ways out', () => {
    const text = renderAuditText(sample(), { style: PLAIN });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'cleanroom audit — HEAD at 000000000000: 3 commits, 2025-01-10 → 2025-02-20',
    );
    expect(lines[2]).toBe(
      'CONTAMINATED: 2 paths in 1 zone have AI-attributed history without review or override',
    );
    expect(text).toContain('  ✗ evals/tasks/b.py (deny; aider)');
    expect(text).toContain(
      'as evals/harness/b.py: Co-authored-by: aider — reviewed by Rita <rita@example.org>',
    );
    expect(text).toContain('Rita <rita@example.org> — reviewed 2 changes');
    expect(text).toContain('deletion is the cure');
  });
});

describe('audit HTML report', () => {
  it('is one self-contained page: strict CSP, no external reference, data escaped', () => {
    const r = sample();
    r.zones[0]!.contaminated[0]!.path = 'evals/tasks/</script><img src=x onerror=alert(1)>.json';
    const html = renderAuditHtml(r);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;.json');
    const data = /<script type="application\/json" id="cleanroom-audit">([\s\S]*?)<\/script>/.exec(
      html,
    )![1]!;
    expect(data).not.toMatch(/[<>]/);
    expect((JSON.parse(data) as AuditReport).zones[0]!.contaminated[0]!.path).toBe(
      r.zones[0]!.contaminated[0]!.path,
    );
    expect(html).toContain('@media print');
    expect(html).toContain('name="viewport"');
  });

  it('scriptJson leaves nothing that ends a script element or a line in old parsers', () => {
    expect(scriptJson({ a: '</script>\u2028&' })).toBe(
      '{"a":"\\u003c/script\\u003e\\u2028\\u0026"}',
    );
  });

  it('timeline: days, weeks or months by span; counts add up; a tool filter', () => {
    const points = [
      { date: '2025-01-01', tool: 'aider', violation: 2, reviewed: 1, overridden: 0 },
      { date: '2025-01-02', tool: 'claude-code', violation: 1, reviewed: 0, overridden: 0 },
      { date: '2025-06-30', tool: 'aider', violation: 0, reviewed: 0, overridden: 4 },
    ];
    const sum = (svg: string): number =>
      [...svg.matchAll(/(\d+) (unattested|reviewed|overridden)/g)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    const days = timelineSvg(points.slice(0, 2), {
      tool: null,
      from: '2025-01-01',
      to: '2025-01-31',
    });
    expect(days).toContain('per day');
    expect(sum(days)).toBe(4);
    const weeks = timelineSvg(points, { tool: null, from: '2025-01-01', to: '2025-12-31' });
    expect(weeks).toContain('per week');
    expect(sum(weeks)).toBe(8);
    expect(sum(timelineSvg(points, { tool: 'aider', from: '2024-01-01', to: '2025-12-31' }))).toBe(
      7,
    );
    expect(timelineSvg(points, { tool: null, from: '2023-01-01', to: '2025-12-31' })).toContain(
      'per month',
    );
    expect(timelineSvg([], { tool: 'x<y', from: '2025-01-01', to: '2025-01-02' })).toContain(
      'no AI-attributed changes by x&lt;y',
    );
  });
});
