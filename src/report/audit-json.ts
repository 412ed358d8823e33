// `cleanroom audit --format json`: the AuditReport as it is (the contract lives in
// src/audit/report.ts and the README's "Audit" section). Keys keep their order, so
// two runs over the same history differ only in `generatedAt`.

import type { AuditReport } from '../audit/report.js';

export function renderAuditJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
