// `cleanroom audit --format sarif`: one result per contaminated (path, tool), through
// the same rules and result shape as `check` (src/report/sarif.ts) so code-scanning UIs
// group audit and check alerts together. The fingerprint names the first contaminating
// commit, so re-running the audit over a longer history keeps the alert stable.

import type { Finding } from '../core/types.js';
import type { AuditReport } from '../audit/report.js';
import { renderSarif, type SarifLog } from './sarif.js';

export function auditFindings(report: AuditReport): Finding[] {
  const out: Finding[] = [];
  for (const z of report.zones) {
    for (const p of z.contaminated) {
      for (const tool of p.tools) {
        const changes = p.changes.filter((c) => c.tool === tool && c.contaminates);
        const first = changes[0];
        if (!first) continue;
        const more =
          changes.length > 1
            ? ` and ${changes.length - 1} later change${changes.length === 2 ? '' : 's'}`
            : '';
        out.push({
          commit: first.commit,
          path: p.path,
          zone: z.name,
          tool,
          verdict: p.verdict,
          signal: first.signal,
          outcome: 'violation',
          message:
            `${p.path} exists now with AI-attributed history (${tool}) that zone ${z.name} (${p.verdict}) does not accept: ` +
            `commit ${first.commit.slice(0, 12)} on ${first.date.slice(0, 10)}${first.path !== p.path ? ` as ${first.path}` : ''}${more}`,
        });
      }
    }
  }
  return out;
}

/** The audit as a SARIF log object (the check's rules and result shape, plus the audit's scope). */
export function renderAuditSarif(report: AuditReport): SarifLog {
  const doc = renderSarif({ findings: auditFindings(report), notes: [] }, report.tool.version);
  const run = doc.runs[0]!;
  run.automationDetails = {
    id: `cleanroom/audit/${report.scope.all ? 'all' : (report.scope.range ?? 'HEAD')}/`,
  };
  run.properties = {
    audit: {
      format: report.format,
      ok: report.ok,
      scope: report.scope,
      history: report.history,
      summary: report.summary,
    },
  };
  return doc;
}
