// The JSON contract (README "JSON output"): stable keys, one violation per
// (commit, path, tool). `commit` is null for staged changes.

import type { Finding } from '../core/types.js';

export interface Report {
  findings: readonly Finding[];
  notes: readonly string[];
}

export function violationJson(f: Finding): Record<string, unknown> {
  return { commit: f.commit, path: f.path, zone: f.zone, tool: f.tool, verdict: f.verdict, signal: f.signal, message: f.message };
}

export function renderJson(report: Report): string {
  const violations = report.findings.filter((f) => f.outcome === 'violation');
  return (
    JSON.stringify(
      {
        ok: violations.length === 0,
        violations: violations.map(violationJson),
        passed: report.findings
          .filter((f) => f.outcome !== 'violation')
          .map((f) => ({ ...violationJson(f), outcome: f.outcome, by: f.by ?? null })),
        notes: report.notes,
      },
      null,
      2,
    ) + '\n'
  );
}
