// GitLab Code Quality report (the Code Climate subset GitLab reads): a JSON array of
// issues with description, check_name, fingerprint, severity and location.path/lines.begin.
// GitLab shows it in the merge-request widget on every tier (SARIF needs the top tier).
// The fingerprint must be unique per issue — GitLab compares base and head by it — so it
// names the commit as well as path, zone and tool.

import { createHash } from 'node:crypto';
import type { Report } from '../core/types.js';

export function renderCodeQuality(report: Report): string {
  const issues = report.findings
    .filter((f) => f.outcome === 'violation')
    .map((f) => ({
      description: `${f.message} (zone ${f.zone}, ${f.verdict}; tool ${f.tool}; seen: ${f.signal})${f.commit ? ` in commit ${f.commit.slice(0, 12)}` : ''}`,
      check_name: f.verdict === 'deny' ? 'cleanroom/deny-zone' : 'cleanroom/review-zone',
      fingerprint: createHash('sha256')
        .update(`${f.commit ?? 'staged'}\0${f.path}\0${f.zone}\0${f.tool}`)
        .digest('hex'),
      severity: f.verdict === 'deny' ? 'blocker' : 'major',
      location: { path: f.path, lines: { begin: 1 } },
    }));
  return JSON.stringify(issues, null, 2) + '\n';
}
