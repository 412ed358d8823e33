// The audit's memory, as a pure fold over judged commits (oldest first, parents before
// children). Nothing here spawns git or reads files: `scan.ts` feeds it, tests feed it
// plain records.
//
// What it keeps, and why it stays bounded on any history:
//
// * Per line of development, a table: current path → the AI-attributed changes in
//   that path's lineage (following renames). Deletion is the cure: the entry goes.
//   A path that is *added* starts a new life (its old entry, if any, came from a merge
//   that dropped the file without showing it — see below). A rename moves the entry.
// * Tables live only while a commit still has children to come (`children`, from
//   `git rev-list --children`): a commit with one child hands its table over, a
//   branch point forks it (copy of the small table), a merge unions its parents'
//   tables. So the number of live tables is the width of the history being walked,
//   never its length, and nothing per commit is kept once its children are done.
// * Per path, at most `maxEvents` changes per (tool, outcome); beyond that the list is
//   marked truncated. Per zone: counts, a per-day timeline, and who granted what.
//
// Merges: `git diff-tree -c` lists only paths that differ from every parent, so a path
// the merge took from one side unchanged is not listed. Its entry is the union of the
// parents' entries (content from any side may have flowed in). A path the merge
// dropped without it showing in the combined diff keeps a stale entry; the final
// "exists now" check against the tip's tree removes it, and a later re-add (status A)
// resets it.

import type { FileChange, Finding, Outcome, ToolId, Verdict } from '../core/types.js';

export interface AuditEvent {
  readonly commit: string;
  /** Committer time, seconds since the epoch. */
  readonly time: number;
  /** The path as it was in that commit (before later renames). */
  readonly path: string;
  readonly tool: ToolId;
  readonly outcome: Outcome;
  readonly signal: string;
  /** Who granted it (review, override); undefined for a violation. Always present: one shape. */
  readonly by?: string | undefined;
}

/** Changes of one (tool, outcome) in a path's lineage. */
export interface KindEvents {
  readonly tool: ToolId;
  readonly outcome: Outcome;
  /** Oldest first, at most `maxEvents`. */
  readonly events: readonly AuditEvent[];
  readonly truncated: boolean;
}

/** Immutable: tables share entries, so an update makes a new entry. */
export interface PathEntry {
  readonly kinds: ReadonlyMap<string, KindEvents>;
}

export interface JudgedCommit {
  id: string;
  parents: readonly string[];
  /** Children of this commit among those being walked (`git rev-list --children`). */
  children: number;
  /** Committer time, seconds since the epoch. */
  time: number;
  files: readonly FileChange[];
  findings: readonly Finding[];
  notes?: readonly string[];
  /** A shallow-clone boundary: its diff is unknown, so it is neither judged nor trusted. */
  skipped?: boolean;
}

export type OutcomeCounts = Record<Outcome, number>;

export interface ZoneStats {
  findings: OutcomeCounts;
  /** `${day}\0${tool}` → counts; day = days since the epoch (UTC). */
  timeline: Map<string, OutcomeCounts>;
  /** `${outcome}\0${by}` → number of changes. */
  grants: Map<string, number>;
}

export interface AccumulatorOptions {
  maxEvents?: number;
  maxNotes?: number;
  /**
   * Commits that are tips of the audited refs. A ref whose tip is an ancestor of another
   * ref still counts: `cleanup` deleting main's contaminated file must not hide what main
   * holds (its table is kept as a tip as well as handed to its children).
   */
  refTips?: ReadonlySet<string>;
}

type Table = Map<string, PathEntry>;

const zeroCounts = (): OutcomeCounts => ({ violation: 0, reviewed: 0, overridden: 0 });
const kindKey = (tool: ToolId, outcome: Outcome): string => `${tool}\0${outcome}`;
const eventKey = (e: AuditEvent): string => `${e.commit}\0${e.path}`;

function byAge(a: AuditEvent, b: AuditEvent): number {
  return (
    a.time - b.time ||
    (a.commit < b.commit
      ? -1
      : a.commit > b.commit
        ? 1
        : a.path < b.path
          ? -1
          : a.path > b.path
            ? 1
            : 0)
  );
}

function mergeKinds(a: KindEvents, b: KindEvents, max: number): KindEvents {
  if (a === b) return a;
  const seen = new Set(a.events.map(eventKey));
  const extra = b.events.filter((e) => !seen.has(eventKey(e)));
  if (!extra.length) return b.truncated && !a.truncated ? { ...a, truncated: true } : a;
  const all = [...a.events, ...extra].sort(byAge);
  return {
    tool: a.tool,
    outcome: a.outcome,
    events: all.slice(0, max),
    truncated: a.truncated || b.truncated || all.length > max,
  };
}

export function mergeEntries(a: PathEntry, b: PathEntry, max: number): PathEntry {
  if (a === b) return a;
  const kinds = new Map(a.kinds);
  for (const [k, kb] of b.kinds) {
    const ka = kinds.get(k);
    kinds.set(k, ka ? mergeKinds(ka, kb, max) : kb);
  }
  return { kinds };
}

function withEvent(entry: PathEntry | undefined, e: AuditEvent, max: number): PathEntry {
  const kinds = new Map(entry?.kinds);
  const k = kindKey(e.tool, e.outcome);
  const prev = kinds.get(k);
  if (!prev) kinds.set(k, { tool: e.tool, outcome: e.outcome, events: [e], truncated: false });
  else if (prev.events.some((x) => x.commit === e.commit && x.path === e.path)) return entry!;
  else if (prev.events.length >= max)
    kinds.set(k, prev.truncated ? prev : { ...prev, truncated: true });
  else kinds.set(k, { ...prev, events: [...prev.events, e] });
  return { kinds };
}

export class AuditAccumulator {
  readonly maxEvents: number;
  private readonly maxNotes: number;
  private readonly refTips: ReadonlySet<string>;
  /** Tables of commits whose children are still to come. */
  private readonly live = new Map<string, { table: Table; remaining: number }>();
  /** Tables of commits with no children: the tips whose trees say what exists now. */
  private readonly tipTables = new Map<string, Table>();
  readonly zones = new Map<string, ZoneStats>();
  readonly notes = new Map<string, number>();
  /** Paths judged as content seen through a link → where it is stored, and the link (the latest). */
  readonly seenAt = new Map<string, { stored: string; link: string }>();
  commits = 0;
  skipped = 0;
  commitsWithFindings = 0;
  firstTime: number | null = null;
  lastTime: number | null = null;

  constructor(opts: AccumulatorOptions = {}) {
    this.maxEvents = opts.maxEvents ?? 20;
    this.maxNotes = opts.maxNotes ?? 200;
    this.refTips = opts.refTips ?? new Set();
  }

  /** Number of tables held for commits with children still to come (the walk's width). */
  get liveTables(): number {
    return this.live.size;
  }

  /** Paths tracked across all live and tip tables (for the bounded-memory test). */
  get trackedPaths(): number {
    let n = 0;
    for (const { table } of this.live.values()) n += table.size;
    for (const t of this.tipTables.values()) n += t.size;
    return n;
  }

  private zone(name: string): ZoneStats {
    let z = this.zones.get(name);
    if (!z) {
      z = { findings: zeroCounts(), timeline: new Map(), grants: new Map() };
      this.zones.set(name, z);
    }
    return z;
  }

  /** The parent's table for this child: handed over by its last child, forked otherwise. */
  private take(parent: string): Table | undefined {
    const held = this.live.get(parent);
    if (!held) return undefined;
    held.remaining--;
    if (held.remaining <= 0) {
      this.live.delete(parent);
      return held.table;
    }
    return new Map(held.table);
  }

  private release(parent: string): Table | undefined {
    const held = this.live.get(parent);
    if (!held) return undefined;
    if (--held.remaining <= 0) this.live.delete(parent);
    return held.table;
  }

  private inherit(parents: readonly string[]): Table {
    // One parent (most commits): its table, and nothing else to compile into this path
    // (it runs per commit; each re-optimisation of the merge loop inlined here cost
    // the compiler a few hundred milliseconds on Aider).
    if (parents.length === 1) return this.take(parents[0]!) ?? new Map();
    return this.inheritAll(parents);
  }

  /** `inherit` of a merge (or a root): the first parent's table with the others' entries merged in. */
  private inheritAll(parents: readonly string[]): Table {
    const unique = [...new Set(parents)];
    let table: Table | undefined;
    for (const p of unique) {
      if (!table) {
        table = this.take(p);
        continue;
      }
      const other = this.release(p);
      if (other) this.mergeTable(table, other);
    }
    return table ?? new Map();
  }

  private mergeTable(table: Table, other: Table): void {
    for (const [path, entry] of other) {
      const mine = table.get(path);
      // Most paths of a merge's sides hold the same (shared, immutable) entry.
      if (mine === entry) continue;
      table.set(path, mine ? mergeEntries(mine, entry, this.maxEvents) : entry);
    }
  }

  add(c: JudgedCommit): void {
    this.commits++;
    const table = this.inherit(c.parents);
    if (c.skipped) {
      this.skipped++;
    } else {
      if (this.firstTime === null || c.time < this.firstTime) this.firstTime = c.time;
      if (this.lastTime === null || c.time > this.lastTime) this.lastTime = c.time;
      for (const f of c.files) {
        if (f.status === 'D' || f.status === 'A') {
          table.delete(f.path);
          this.seenAt.delete(f.path); // a new life: what it showed before is not what it shows now
        } else if ((f.status === 'R' || f.status === 'C') && f.from !== undefined) {
          const moved = table.get(f.from);
          if (f.status === 'R') table.delete(f.from);
          table.delete(f.path);
          if (moved) table.set(f.path, moved);
        }
      }
      if (c.findings.length) this.commitsWithFindings++;
      const day = Math.floor(c.time / 86400);
      for (const f of c.findings) {
        const event: AuditEvent = {
          commit: c.id,
          time: c.time,
          path: f.path,
          tool: f.tool,
          outcome: f.outcome,
          signal: f.signal,
          // Always set (undefined when none): one shape for every event, and no spread.
          by: f.by,
        };
        table.set(f.path, withEvent(table.get(f.path), event, this.maxEvents));
        if (f.stored !== undefined)
          this.seenAt.set(f.path, { stored: f.stored, link: f.link ?? f.path });
        const z = this.zone(f.zone);
        z.findings[f.outcome]++;
        const tk = `${day}\0${f.tool}`;
        const counts = z.timeline.get(tk) ?? zeroCounts();
        counts[f.outcome]++;
        z.timeline.set(tk, counts);
        if (f.outcome !== 'violation') {
          const gk = `${f.outcome}\0${f.by ?? '?'}`;
          z.grants.set(gk, (z.grants.get(gk) ?? 0) + 1);
        }
      }
      if (c.findings.length) {
        for (const n of c.notes ?? []) {
          if (this.notes.has(n) || this.notes.size < this.maxNotes)
            this.notes.set(n, (this.notes.get(n) ?? 0) + 1);
        }
      }
    }
    if (c.children > 0) {
      // Children take over (and change) the table: a ref tip keeps its own copy.
      if (this.refTips.has(c.id)) this.tipTables.set(c.id, new Map(table));
      this.live.set(c.id, { table, remaining: c.children });
    } else this.tipTables.set(c.id, table);
  }

  /** Commits with no children in the walk, and the ref tips given: the tips. */
  tips(): string[] {
    return [...this.tipTables.keys()];
  }

  /** Paths the tip's lineage holds AI-attributed changes for (check them against the tip's tree). */
  candidates(tip: string): ReadonlySet<string> {
    return new Set(this.tipTables.get(tip)?.keys() ?? []);
  }

  /** Entries of the paths that exist now (per tip), unioned across tips. */
  existing(existsAt: ReadonlyMap<string, ReadonlySet<string>>): Map<string, PathEntry> {
    const out = new Map<string, PathEntry>();
    for (const [tip, table] of this.tipTables) {
      const exists = existsAt.get(tip);
      if (!exists) continue;
      for (const [path, entry] of table) {
        if (!exists.has(path)) continue;
        const prev = out.get(path);
        out.set(path, prev ? mergeEntries(prev, entry, this.maxEvents) : entry);
      }
    }
    return out;
  }
}

/**
 * Judges a path's lineage against the zone the path is in now: a change contaminates
 * when the current verdict for its tool is deny and it was not overridden, or review
 * and it was neither reviewed nor overridden. (Without renames this is exactly the
 * server's verdict at the time; a file moved into a stricter zone is judged by it.)
 */
export function contaminates(verdict: Verdict, outcome: Outcome): boolean {
  if (verdict === 'deny') return outcome !== 'overridden';
  if (verdict === 'review') return outcome === 'violation';
  return false;
}
