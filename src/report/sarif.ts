// SARIF 2.1.0 for code-scanning UIs: one rule per zone verdict, one result per
// violation, located at the file (commit in the properties and partial fingerprints).

import type { Finding } from '../core/types.js';
import type { Report } from '../core/types.js';
import { VERSION } from '../version.js';

const RULES = [
  {
    id: 'cleanroom/deny-zone',
    name: 'AiContentInDenyZone',
    shortDescription: { text: 'AI-attributed change in a zone that accepts none' },
    fullDescription: { text: 'The zone\'s verdict for this tool is deny: no AI-attributed change, reviewed or not, without a signed override.' },
    help: { text: 'Remove the change and have a human write it, or get a signed override (cleanroom override request/sign).' },
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'cleanroom/review-zone',
    name: 'AiContentWithoutReview',
    shortDescription: { text: 'AI-attributed change in a review zone without a human-review attestation' },
    fullDescription: { text: 'The zone accepts AI-attributed changes only with a human-review attestation (Reviewed-by or a signed Cleanroom-Review).' },
    help: { text: 'Have a human review every line and add the review trailer the policy asks for.' },
    defaultConfiguration: { level: 'error' },
  },
];

export function sarifResult(f: Finding): Record<string, unknown> {
  return {
    ruleId: f.verdict === 'deny' ? 'cleanroom/deny-zone' : 'cleanroom/review-zone',
    ruleIndex: f.verdict === 'deny' ? 0 : 1,
    level: f.outcome === 'violation' ? 'error' : 'none',
    kind: f.outcome === 'violation' ? 'fail' : 'pass',
    message: { text: `${f.message}. Signal: ${f.signal}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(f.path).replace(/[?#]/g, encodeURIComponent), uriBaseId: '%SRCROOT%' } } }],
    partialFingerprints: { 'cleanroom/v1': `${f.commit ?? 'staged'}:${f.path}:${f.tool}` },
    properties: { commit: f.commit, zone: f.zone, tool: f.tool, verdict: f.verdict, signal: f.signal, outcome: f.outcome },
  };
}

/** A SARIF 2.1.0 log (the object; the caller serialises it). */
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Record<string, unknown>[];
}

/**
 * The SARIF log for `report`'s violations, as an object. `version` is cleanroom's
 * (src/version.ts unless an audit report carries its own).
 */
export function renderSarif(report: Report, version: string = VERSION): SarifLog {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'cleanroom', informationUri: 'https://github.com/cleanroom-dev/cleanroom', semanticVersion: version, rules: RULES } },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results: report.findings.filter((f) => f.outcome === 'violation').map(sarifResult),
      },
    ],
  };
}
