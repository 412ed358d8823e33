// The audit report: the JSON contract (docs: "Audit → JSON report"), built once from
// the accumulator and read by every reporter (text, JSON, SARIF, HTML), so they cannot
// disagree about a count.

import type { Outcome, ToolId, Verdict } from '../core/types.js';
import type { Policy } from '../policy/compile.js';
import { SYMLINK_MODE, verdictOfFile } from '../policy/links.js';
import {
  contaminates,
  type AuditAccumulator,
  type OutcomeCounts,
  type PathEntry,
} from './accumulate.js';

export const AUDIT_FORMAT = 1;

export interface AuditChange {
  commit: string;
  /** ISO 8601, UTC (committer date). */
  date: string;
  /** The path in that commit (differs from the current path after a rename). */
  path: string;
  tool: ToolId;
  outcome: Outcome;
  /** Reviewer or approver for outcome reviewed / overridden, else null. */
  by: string | null;
  signal: string;
  /** True when this change, judged by the path's zone now, makes the path contaminated. */
  contaminates: boolean;
}

export interface AuditPath {
  path: string;
  zone: string;
  verdict: Exclude<Verdict, 'allow'>;
  tools: ToolId[];
  /** AI-attributed changes in the path's lineage, oldest first. */
  changes: AuditChange[];
  /** True when a path had more changes of one tool and outcome than the report keeps. */
  truncated: boolean;
  /** Content a tip shows at `path` through a symlink: where git stores it, and the link. */
  stored?: string;
  link?: string;
}

export interface AuditTimelinePoint {
  /** YYYY-MM-DD, UTC. */
  date: string;
  tool: ToolId;
  violation: number;
  reviewed: number;
  overridden: number;
}

export interface AuditZone {
  name: string;
  /** The zone's verdict for AI-attributed changes (`ai`); per-tool verdicts may differ. */
  ai: Verdict;
  /** Paths that exist now with at least one contaminating change. */
  contaminated: AuditPath[];
  /** Paths that exist now whose AI-attributed changes were all reviewed or overridden. */
  attested: AuditPath[];
  /** Every AI-attributed change judged in this zone over the audited history. */
  findings: OutcomeCounts;
  /** Who reviewed or overrode how many changes, over the audited history. */
  grants: { by: string; outcome: Exclude<Outcome, 'violation'>; changes: number }[];
  timeline: AuditTimelinePoint[];
}

export interface AuditReport {
  format: typeof AUDIT_FORMAT;
  tool: { name: 'cleanroom'; version: string };
  /** True when no path that exists now is contaminated. */
  ok: boolean;
  generatedAt: string;
  policy: { file: string; repository: string };
  scope: {
    /** The revision range audited (`HEAD` by default); null with --all. */
    range: string | null;
    all: boolean;
    since: string | null;
    /**
     * With --since: the commits where the walk was cut (each tip's first-parent line is
     * followed down to its oldest commit dated on or after `since`; history from these
     * commits down is not audited). Empty without --since.
     */
    sinceCut: string[];
    /** The commits whose trees say what "exists now". */
    tips: string[];
  };
  history: {
    commits: number;
    /** False in a shallow clone: history before the boundary is unknown. */
    complete: boolean;
    shallowBoundary: string[];
    /** Objects the repository lacks (a partial clone): renames were not followed. Absent when none. */
    absentObjects?: string[];
    commitsWithFindings: number;
    first: string | null;
    last: string | null;
  };
  summary: {
    contaminatedPaths: number;
    attestedPaths: number;
    zonesContaminated: number;
    findings: OutcomeCounts;
    /** Contaminated paths per tool (a path with two tools counts for both). */
    tools: Record<ToolId, number>;
  };
  zones: AuditZone[];
  notes: { text: string; commits: number }[];
}

export interface ReportContext {
  policy: Policy;
  version: string;
  now: Date;
  range: string | null;
  all: boolean;
  since: string | null;
  shallowBoundary: readonly string[];
  /** Paths that are symlinks or gitlinks at a tip: judged by the zones that could match below them. */
  links?: ReadonlySet<string>;
  /** Paths a tip shows through a symlink → where git stores the content, and the link. */
  seenAt?: ReadonlyMap<string, { stored: string; link: string }>;
  sinceCut?: readonly string[];
}

export const isoDate = (seconds: number): string =>
  new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
const dayString = (day: number): string => new Date(day * 86400 * 1000).toISOString().slice(0, 10);

const VERDICT_ORDER: Record<Verdict, number> = { allow: 0, review: 1, deny: 2 };

function judgePath(
  policy: Policy,
  path: string,
  entry: PathEntry,
  isLink: boolean,
): { path: AuditPath; contaminated: boolean } | undefined {
  const judged = [];
  for (const kind of entry.kinds.values()) {
    const now = verdictOfFile(policy, { path, mode: isLink ? SYMLINK_MODE : '100644' }, kind.tool);
    if (now.verdict === 'allow' || !now.zone) continue;
    judged.push({
      kind,
      verdict: now.verdict,
      zone: now.zone.name,
      bad: contaminates(now.verdict, kind.outcome),
    });
  }
  if (!judged.length) return undefined;
  const contaminated = judged.some((j) => j.bad);
  // Name the zone that makes the path contaminated (or, if none, the strictest).
  const named = judged
    .filter((j) => j.bad === contaminated)
    .reduce((a, b) => (VERDICT_ORDER[b.verdict] > VERDICT_ORDER[a.verdict] ? b : a));
  const changes: AuditChange[] = [];
  for (const { kind, bad } of judged) {
    for (const e of kind.events) {
      changes.push({
        commit: e.commit,
        date: isoDate(e.time),
        path: e.path,
        tool: e.tool,
        outcome: e.outcome,
        by: e.by ?? null,
        signal: e.signal,
        contaminates: bad,
      });
    }
  }
  changes.sort((a, b) =>
    a.date < b.date
      ? -1
      : a.date > b.date
        ? 1
        : a.commit < b.commit
          ? -1
          : a.commit > b.commit
            ? 1
            : a.tool < b.tool
              ? -1
              : 1,
  );
  return {
    path: {
      path,
      zone: named.zone,
      verdict: named.verdict as Exclude<Verdict, 'allow'>,
      tools: [...new Set(judged.map((j) => j.kind.tool))].sort(),
      changes,
      truncated: judged.some((j) => j.kind.truncated),
    },
    contaminated,
  };
}

const byPath = (a: AuditPath, b: AuditPath): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

export function buildReport(
  acc: AuditAccumulator,
  existing: ReadonlyMap<string, PathEntry>,
  tips: readonly string[],
  ctx: ReportContext,
): AuditReport {
  const zones = new Map<string, AuditZone>();
  for (const z of ctx.policy.zones) {
    zones.set(z.name, {
      name: z.name,
      ai: z.ai,
      contaminated: [],
      attested: [],
      findings: { violation: 0, reviewed: 0, overridden: 0 },
      grants: [],
      timeline: [],
    });
  }
  const tools: Record<ToolId, number> = {};
  for (const [path, entry] of existing) {
    const judged = judgePath(ctx.policy, path, entry, ctx.links?.has(path) === true);
    if (!judged) continue;
    const seen = ctx.seenAt?.get(path);
    if (seen) {
      judged.path.stored = seen.stored;
      judged.path.link = seen.link;
    }
    const zone = zones.get(judged.path.zone);
    if (!zone) continue;
    (judged.contaminated ? zone.contaminated : zone.attested).push(judged.path);
    if (judged.contaminated)
      for (const t of new Set(judged.path.changes.filter((c) => c.contaminates).map((c) => c.tool)))
        tools[t] = (tools[t] ?? 0) + 1;
  }
  const total = { violation: 0, reviewed: 0, overridden: 0 };
  for (const [name, stats] of acc.zones) {
    const zone = zones.get(name);
    if (!zone) continue;
    zone.findings = { ...stats.findings };
    for (const k of ['violation', 'reviewed', 'overridden'] as const) total[k] += stats.findings[k];
    zone.grants = [...stats.grants]
      .map(([key, changes]) => {
        const [outcome, by] = key.split('\0') as [Exclude<Outcome, 'violation'>, string];
        return { by, outcome, changes };
      })
      .sort(
        (a, b) =>
          b.changes - a.changes ||
          (a.by < b.by ? -1 : a.by > b.by ? 1 : a.outcome < b.outcome ? -1 : 1),
      );
    zone.timeline = [...stats.timeline]
      .map(([key, c]) => {
        const [day, tool] = key.split('\0') as [string, string];
        return { day: Number(day), point: { date: dayString(Number(day)), tool, ...c } };
      })
      .sort((a, b) => a.day - b.day || (a.point.tool < b.point.tool ? -1 : 1))
      .map((x) => x.point);
  }
  const list = [...zones.values()];
  for (const z of list) {
    z.contaminated.sort(byPath);
    z.attested.sort(byPath);
  }
  const contaminatedPaths = list.reduce((n, z) => n + z.contaminated.length, 0);
  return {
    format: AUDIT_FORMAT,
    tool: { name: 'cleanroom', version: ctx.version },
    // A partial audit (shallow clone, --allow-shallow) is never `ok`: nobody may read it as clean.
    ok: contaminatedPaths === 0 && ctx.shallowBoundary.length === 0,
    generatedAt: ctx.now.toISOString(),
    policy: { file: ctx.policy.file, repository: ctx.policy.repository },
    scope: {
      range: ctx.all ? null : ctx.range,
      all: ctx.all,
      since: ctx.since,
      sinceCut: [...(ctx.sinceCut ?? [])],
      tips: [...tips],
    },
    history: {
      commits: acc.commits,
      complete: ctx.shallowBoundary.length === 0,
      shallowBoundary: [...ctx.shallowBoundary],
      commitsWithFindings: acc.commitsWithFindings,
      first: acc.firstTime === null ? null : isoDate(acc.firstTime),
      last: acc.lastTime === null ? null : isoDate(acc.lastTime),
    },
    summary: {
      contaminatedPaths,
      attestedPaths: list.reduce((n, z) => n + z.attested.length, 0),
      zonesContaminated: list.filter((z) => z.contaminated.length > 0).length,
      findings: total,
      tools: Object.fromEntries(Object.entries(tools).sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    zones: list,
    notes: [...acc.notes]
      .map(([text, commits]) => ({ text, commits }))
      .sort((a, b) => b.commits - a.commits || (a.text < b.text ? -1 : 1)),
  };
}
