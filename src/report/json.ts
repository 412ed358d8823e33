// The JSON contract (docs/cli.md "JSON output", policies/check-report.schema.json):
// stable keys, one violation per (commit, path, tool). `commit` is null for staged
// changes. `format` is the contract's version: it changes only when a key is removed or
// changes meaning (new keys may appear without it).

import type { Finding, Report } from '../core/types.js';

export type { Report };

/** The version of the check JSON contract (the `format` key). */
export const CHECK_FORMAT = 1;

export function violationJson(f: Finding): Record<string, unknown> {
  return {
    commit: f.commit,
    path: f.path,
    // Content seen through a link: where git stores it, and the link (new keys, format 1).
    ...(f.stored !== undefined ? { stored: f.stored, link: f.link ?? f.path } : {}),
    zone: f.zone,
    tool: f.tool,
    verdict: f.verdict,
    signal: f.signal,
    message: f.message,
  };
}

export function renderJson(report: Report): string {
  const violations = report.findings.filter((f) => f.outcome === 'violation');
  return (
    JSON.stringify(
      {
        format: CHECK_FORMAT,
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
