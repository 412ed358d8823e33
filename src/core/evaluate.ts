// The judgement, as a pure function: policy + changes → findings. No processes, files
// or git; everything arrives as plain data, so table tests cover it in milliseconds.
//
// For each added/modified/renamed/copied path (deletions are the cure, never judged):
// every tool with a signal covering the path gets the strictest verdict of the zones
// holding the path (a zone's per-tool verdict beats its `ai`); `review` passes with a
// human attestation, `deny` only with a verified override.

import type { Policy } from '../policy/compile.js';
import { checkDeadline } from './deadline.js';
import { isLinkMode, type Change, type Finding, type Signal, type ToolId } from './types.js';

/** The signals that cover `path`: whole-change signals, and ledger signals naming it. */
function signalsFor(
  signals: readonly Signal[],
  path: string,
): Map<ToolId, { signal: Signal; share?: number }> {
  const byTool = new Map<ToolId, { signal: Signal; share?: number }>();
  for (const s of signals) {
    if (s.paths) {
      const share = s.paths.get(path);
      if (share === undefined) continue;
      if (!byTool.has(s.tool))
        byTool.set(s.tool, s.source === 'ledger' ? { signal: s, share } : { signal: s });
      continue;
    }
    const prev = byTool.get(s.tool);
    // Prefer the most telling evidence: whole-change signals over ledger hits.
    if (!prev || prev.signal.paths) byTool.set(s.tool, { signal: s });
  }
  return byTool;
}

export function evaluate(policy: Policy, change: Change): Finding[] {
  const findings: Finding[] = [];
  if (!change.signals.length) return findings;
  for (const file of change.files) {
    checkDeadline();
    if (file.status === 'D') continue;
    const tools = signalsFor(change.signals, file.path);
    for (const [tool, { signal, share }] of tools) {
      const { verdict, zone } = policy.verdictOfFile(file, tool);
      if (verdict === 'allow' || !zone) continue;
      const how =
        file.via !== undefined
          ? ` (written at ${file.via}, seen here through a link)`
          : isLinkMode(file.mode)
            ? ' (a link: what it points at appears in the zone)'
            : '';
      const base = {
        commit: change.commit,
        path: file.path,
        zone: zone.name,
        tool,
        verdict,
        signal: signal.evidence,
        ...(share !== undefined ? { share } : {}),
      };
      const override = change.overrides.find((o) => !o.paths || o.paths.has(file.path));
      const review =
        verdict === 'review'
          ? change.attestations.find((a) => !a.paths || a.paths.has(file.path))
          : undefined;
      if (review) {
        findings.push({
          ...base,
          outcome: 'reviewed',
          by: review.by,
          message: `reviewed by ${review.by}`,
        });
      } else if (override) {
        findings.push({
          ...base,
          outcome: 'overridden',
          by: override.by,
          message: `override by ${override.by}: ${override.reason}`,
        });
      } else {
        findings.push({
          ...base,
          outcome: 'violation',
          message:
            verdict === 'deny'
              ? `zone ${zone.name} does not accept AI-attributed changes (${tool}), reviewed or not${how}`
              : `zone ${zone.name} accepts AI-attributed changes (${tool}) only with a human review attestation${how}`,
        });
      }
    }
  }
  return findings;
}

export const violations = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => f.outcome === 'violation');
