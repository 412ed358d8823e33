// `cleanroom audit --format json`: the AuditReport as it is (the contract lives in
// src/audit/report.ts and the README's "Audit" section). Keys keep their order, so
// two runs over the same history differ only in `generatedAt`.

//
// Beside the per-zone report, a top-level `violations` array has the record shape of
// `check --format json` (commit, path, zone, tool, verdict, signal, message): one per
// contaminated (path, tool), naming the first contaminating commit, so one `jq` serves
// both (policies/audit-report.schema.json).

import type { AuditReport } from '../audit/report.js';
import { auditFindings } from './audit-sarif.js';
import { violationJson } from './json.js';

/** The JSON document: the report with `violations` after `ok` (the HTML page embeds the same). */
export function auditJsonDocument(report: AuditReport): Record<string, unknown> {
  const { format, tool, ok, ...rest } = report;
  return { format, tool, ok, violations: auditFindings(report).map(violationJson), ...rest };
}

export function renderAuditJson(report: AuditReport): string {
  return JSON.stringify(auditJsonDocument(report), null, 2) + '\n';
}
