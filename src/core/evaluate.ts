// The judgement, as a pure function: policy + changes → findings. No processes, files
// or git; everything arrives as plain data, so table tests cover it in milliseconds.
//
// For each added/modified/renamed/copied path (deletions are the cure, never judged):
// every tool with a signal covering the path gets the strictest verdict of the zones
// holding the path (a zone's per-tool verdict beats its `ai`); `review` passes with a
// human attestation, `deny` only with a verified override.

import type { Policy, Zone } from '../policy/compile.js';
import type { FileZones } from '../policy/links.js';
import { checkDeadline } from './deadline.js';
import {
  isLinkMode,
  strictestZone,
  type Change,
  type FileChange,
  type Finding,
  type Signal,
  type ToolId,
  type Verdict,
} from './types.js';

/** The signals that cover `path`: whole-change signals, and ledger signals naming it (none for undefined). */
function signalsFor(
  signals: readonly Signal[],
  path: string | undefined,
): Map<ToolId, { signal: Signal; share?: number }> {
  const byTool = new Map<ToolId, { signal: Signal; share?: number }>();
  for (const s of signals) {
    if (s.paths) {
      const share = path === undefined ? undefined : s.paths.get(path);
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

/**
 * The findings for `change` under `policy`: one per (file, tool) whose strictest zone
 * verdict is not `allow`, in file order, then tool order (first signal naming the tool).
 * Deleted files are never judged. Pure; throws only the armed deadline's error.
 *
 * A commit of 100,000 files in an agent's session asks this for every file (issue 14
 * §4), so the per-file work is cut to what differs between files: the zones of the
 * path are looked up once (not once per tool), a file in no zone stops there, and the
 * whole-change signals (the environment, a trailer) are grouped by tool once — a file
 * that no path-scoped signal (ledger, provenance) names gets exactly that grouping.
 */
export function evaluate(
  policy: Policy,
  change: Change & { readonly fileZones?: FileZones | undefined },
): Finding[] {
  const findings: Finding[] = [];
  if (!change.signals.length) return findings;
  // Paths some path-scoped signal names: only those need their own grouping.
  const named = new Set<string>();
  for (const s of change.signals) if (s.paths) for (const p of s.paths.keys()) named.add(p);
  const whole = [...signalsFor(change.signals, undefined)];
  const { overrides, attestations } = change;
  const messages = new Map<Zone, Map<ToolId, string>>();
  // buildChange's lookups, when made under this policy for these very files.
  const known =
    change.fileZones?.policy === policy && change.fileZones.files === change.files
      ? change.fileZones
      : undefined;
  for (let i = 0; i < change.files.length; i++) {
    const file = change.files[i]!;
    checkDeadline();
    if (file.status === 'D') continue;
    const zones = known ? known.at(i) : policy.zonesOfFile(file);
    if (!zones.length) continue;
    const tools =
      named.size && named.has(file.path) ? [...signalsFor(change.signals, file.path)] : whole;
    for (const [tool, { signal, share }] of tools) {
      // The strictest zone for this tool (the first of equals), as Policy.verdictOfFile.
      const { verdict, zone } = strictestZone(zones, tool);
      if (verdict === 'allow' || !zone) continue;
      const how =
        file.via !== undefined
          ? ` (written at ${file.via}, seen here through the link ${file.link ?? 'into the zone'})`
          : isLinkMode(file.mode)
            ? ' (a link: what it points at appears in the zone)'
            : '';
      const override = overrides.length
        ? overrides.find((o) => !o.paths || o.paths.has(file.path))
        : undefined;
      const review =
        verdict === 'review' && attestations.length
          ? attestations.find((a) => !a.paths || a.paths.has(file.path))
          : undefined;
      let status: Finding['outcome'];
      let by: string | undefined;
      let message: string | undefined;
      if (review) {
        status = 'reviewed';
        by = review.by;
        message = `reviewed by ${review.by}`;
      } else if (override) {
        status = 'overridden';
        by = override.by;
        message = `override by ${override.by}: ${override.reason}`;
      } else {
        status = 'violation';
        // One message string per zone and tool (what it says depends on nothing else
        // here): 100,000 findings of one commit share a handful.
        if (how === '') {
          let byTool = messages.get(zone);
          if (!byTool) messages.set(zone, (byTool = new Map()));
          message = byTool.get(tool);
          if (message === undefined)
            byTool.set(tool, (message = violation(zone, tool, verdict, how)));
        } else message = violation(zone, tool, verdict, how);
      }
      findings.push(
        seenThrough(
          finding(
            change.commit,
            file.path,
            zone.name,
            tool,
            verdict,
            signal,
            share,
            status,
            by,
            message,
          ),
          file,
        ),
      );
    }
  }
  return findings;
}

/** `f`, with where the content is stored and the link it is seen through when `file` is an alias. */
function seenThrough(f: Finding, file: FileChange): Finding {
  if (file.via === undefined) return f;
  f.stored = file.via;
  if (file.link !== undefined) f.link = file.link;
  return f;
}

/** What a violation says. */
function violation(zone: Zone, tool: ToolId, verdict: Verdict, how: string): string {
  return verdict === 'deny'
    ? `zone ${zone.name} does not accept AI-attributed changes (${tool}), reviewed or not${how}`
    : `zone ${zone.name} accepts AI-attributed changes (${tool}) only with a human review attestation${how}`;
}

/**
 * One finding, its keys in the report's order (the JSON output shows them so): commit,
 * path, zone, tool, verdict, signal, share (ledger), outcome, by (grants), message.
 */
function finding(
  commit: string | null,
  path: string,
  zone: string,
  tool: ToolId,
  verdict: Finding['verdict'],
  signal: Signal,
  share: number | undefined,
  outcome: Finding['outcome'],
  by: string | undefined,
  message: string,
): Finding {
  const evidence = signal.evidence;
  if (by === undefined)
    return share !== undefined
      ? { commit, path, zone, tool, verdict, signal: evidence, share, outcome, message }
      : { commit, path, zone, tool, verdict, signal: evidence, outcome, message };
  return share !== undefined
    ? { commit, path, zone, tool, verdict, signal: evidence, share, outcome, by, message }
    : { commit, path, zone, tool, verdict, signal: evidence, outcome, by, message };
}

export const violations = (findings: readonly Finding[]): Finding[] =>
  findings.filter((f) => f.outcome === 'violation');
