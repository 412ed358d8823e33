// SARIF 2.1.0 for code-scanning UIs: one rule per zone verdict, one result per
// violation, located at the file (commit in the properties and partial fingerprints).
//
// GitHub code scanning ingests a result only with `region.startLine`, and tracks an alert
// across runs by `partialFingerprints.primaryLocationLineHash` (which it cannot compute for
// a path that no longer exists at the analysed commit). The finding is about the whole
// file, so the region is line 1 and the hash names what makes it the same alert from push
// to push — path, zone, tool — not the commit, which an amend or rebase changes.

import { createHash } from 'node:crypto';
import type { Finding } from '../core/types.js';
import type { Report } from '../core/types.js';
import { VERSION } from '../version.js';

const DOCS = 'https://github.com/cleanroom-dev/cleanroom/blob/main/docs';

const RULES = [
  {
    id: 'cleanroom/deny-zone',
    name: 'AiContentInDenyZone',
    shortDescription: { text: 'AI-attributed change in a zone that accepts none' },
    fullDescription: {
      text: "The zone's verdict for this tool is deny: no AI-attributed change, reviewed or not, without a signed override.",
    },
    help: {
      text: 'Remove the change and have a human write it, or get a signed override (cleanroom override request/sign).',
      markdown:
        'The zone accepts no AI-attributed change, reviewed or not.\n\n**Ways out**\n\n' +
        '- Take the file out of the change and have a human write it (`git restore --staged PATH`, or `git rebase -i` to drop it from a commit).\n' +
        '- Or an approver signs an override: `cleanroom override request --reason "…" --commit REV | cleanroom override sign --key KEY`, then add the printed `Cleanroom-Override:` trailer to the commit.\n' +
        '- Wrong attribution? `cleanroom explain PATH` shows the zone; the signal in the alert shows what marked the change as AI-made.',
    },
    helpUri: `${DOCS}/overrides-and-reviews.md`,
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'cleanroom/review-zone',
    name: 'AiContentWithoutReview',
    shortDescription: {
      text: 'AI-attributed change in a review zone without a human-review attestation',
    },
    fullDescription: {
      text: 'The zone accepts AI-attributed changes only with a human-review attestation (Reviewed-by or a signed Cleanroom-Review).',
    },
    help: {
      text: 'Have a human review every line and add the review trailer the policy asks for.',
      markdown:
        'The zone accepts AI-attributed changes only with a human-review attestation.\n\n**Ways out**\n\n' +
        '- A human reviews every line and the commit gets the trailer the policy asks for: `Reviewed-by: Name <email>` (trailer mode), or a signed `Cleanroom-Review:` (`cleanroom review request --commit REV | cleanroom review sign --key KEY`).\n' +
        '- Or take the file out of the change and have a human write it.\n' +
        '- Wrong attribution? `cleanroom explain PATH` shows the zone; the signal in the alert shows what marked the change as AI-made.',
    },
    helpUri: `${DOCS}/overrides-and-reviews.md`,
    defaultConfiguration: { level: 'error' },
  },
];

/** GitHub's shape for the hash: 16 hex digits, `:`, the occurrence number. Stable for (path, zone, tool). */
export function lineHash(f: Pick<Finding, 'path' | 'zone' | 'tool'>): string {
  return `${createHash('sha256').update(`${f.path}\0${f.zone}\0${f.tool}`).digest('hex').slice(0, 16)}:1`;
}

export function sarifResult(f: Finding): Record<string, unknown> {
  return {
    ruleId: f.verdict === 'deny' ? 'cleanroom/deny-zone' : 'cleanroom/review-zone',
    ruleIndex: f.verdict === 'deny' ? 0 : 1,
    level: f.outcome === 'violation' ? 'error' : 'none',
    kind: f.outcome === 'violation' ? 'fail' : 'pass',
    message: { text: `${f.message}. Signal: ${f.signal}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: {
            uri: encodeURI(f.path).replace(/[?#]/g, encodeURIComponent),
            uriBaseId: '%SRCROOT%',
          },
          region: { startLine: 1 },
        },
      },
    ],
    partialFingerprints: {
      'cleanroom/v1': `${f.commit ?? 'staged'}:${f.path}:${f.tool}`,
      primaryLocationLineHash: lineHash(f),
    },
    properties: {
      commit: f.commit,
      zone: f.zone,
      tool: f.tool,
      verdict: f.verdict,
      signal: f.signal,
      outcome: f.outcome,
    },
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
        tool: {
          driver: {
            name: 'cleanroom',
            informationUri: 'https://github.com/cleanroom-dev/cleanroom',
            semanticVersion: version,
            rules: RULES,
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results: report.findings.filter((f) => f.outcome === 'violation').map(sarifResult),
      },
    ],
  };
}
