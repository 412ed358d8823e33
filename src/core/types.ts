// Plain data shared by every stage: git readers produce `Change`s, signal readers
// produce `Signal`s and `Attestation`s, `evaluate` turns them into `Finding`s, reporters
// print them. Nothing here knows about processes, files or git.

export type Verdict = 'allow' | 'review' | 'deny';

/** A tool id from the table (`claude-code`, `codex`, …) or `unknown-ai`. */
export type ToolId = string;
export const UNKNOWN_AI: ToolId = 'unknown-ai';

/** The zone name of a finding about cleanroom's own configuration (`.cleanroom/**`, trust files). */
/**
 * The trailer the local hooks add to a commit made in an agent's session (docs/agents.md):
 * a review line in such a commit does not count (src/check/change.ts).
 */
export const AGENT_SESSION_TRAILER = 'Cleanroom-Agent-Session';

export const CONFIG_ZONE = 'cleanroom-config';

/** Tree entry modes of links, as git writes them in trees and diffs. */
export const SYMLINK_MODE = '120000';
export const GITLINK_MODE = '160000';

/** A symlink or a gitlink (submodule) entry. */
export const isLinkMode = (mode: string | undefined): boolean =>
  mode === SYMLINK_MODE || mode === GITLINK_MODE;

export const VERDICT_RANK: Readonly<Record<Verdict, number>> = { allow: 0, review: 1, deny: 2 };

/**
 * The strictest verdict `tool` gets among `zones`, and the zone that gives it (the first of
 * equals); `allow` and undefined when there is no zone. Shared by the policy's lookups and
 * the per-file judgement (src/policy/compile.ts verdictFor, links.ts verdictOfFile,
 * src/core/evaluate.ts).
 */
export function strictestZone<Z extends { verdictFor(tool: ToolId): Verdict }>(
  zones: Iterable<Z>,
  tool: ToolId,
): { verdict: Verdict; zone: Z | undefined } {
  let verdict: Verdict = 'allow';
  let zone: Z | undefined;
  for (const z of zones) {
    const v = z.verdictFor(tool);
    if (zone === undefined || VERDICT_RANK[v] > VERDICT_RANK[verdict]) {
      verdict = v;
      zone = z;
    }
  }
  return { verdict, zone };
}

export function stricter(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[b] > VERDICT_RANK[a] ? b : a;
}

export interface Identity {
  name: string;
  email: string;
}

/** One changed path, judged at its destination. */
export interface FileChange {
  /** A added, M modified, D deleted, R renamed, C copied, T type change, U unmerged. */
  status: 'A' | 'M' | 'D' | 'R' | 'C' | 'T' | 'U';
  path: string;
  /** Source path of a rename or copy. */
  from?: string;
  /** Blob id of a rename's or copy's source content, where the diff gave it (provenance). */
  fromBlob?: string;
  /** Blob id of the new content (zero id for deletions). */
  blob: string;
  mode: string;
  /**
   * Set when this entry is content seen through a link (docs/design/contract.md §3 "links are content at
   * their own path"): `path` is where a checkout shows it, `via` the path git recorded.
   */
  via?: string;
  /** With `via`: the symlink (its path) through which `path` shows the content stored at `via`. */
  link?: string;
  /** A merge's combined-diff letters, one per parent (`AR`): content new against a parent may come from another path. */
  combined?: string;
}

export type SignalSource =
  'trailer' | 'author' | 'committer' | 'marker' | 'name' | 'env' | 'ledger';

/** Evidence that an AI tool was involved. */
export interface Signal {
  tool: ToolId;
  source: SignalSource;
  /** What was seen, as a user can recognise it: `Co-authored-by: Claude <noreply@anthropic.com>`. */
  evidence: string;
  /** Model name where the evidence gives one (ledger, `Assisted-by: tool:model`). */
  model?: string;
  /**
   * Only for `ledger` signals: the paths this signal covers, with the share of the
   * file's added lines that an agent wrote. Other signals cover the whole change.
   */
  paths?: ReadonlyMap<string, number>;
}

/** Proof that a human reviewed the change, already checked against the policy's review mode. */
export interface Attestation {
  kind: 'trailer' | 'signed';
  /** Who reviewed: `Name <email>` or the signer principal. */
  by: string;
  evidence: string;
  /** Paths covered; undefined = the whole change. */
  paths?: ReadonlySet<string>;
}

/** A verified signed override covering the change's zone paths. */
export interface Override {
  by: string;
  reason: string;
  evidence: string;
  paths?: ReadonlySet<string>;
}

/** One unit of judgement: a commit, or the staged index (commit = null). */
export interface Change {
  commit: string | null;
  files: readonly FileChange[];
  signals: readonly Signal[];
  attestations: readonly Attestation[];
  overrides: readonly Override[];
  /** Problems with grant signals that the user should hear about (bad signature, AI reviewer, …). */
  notes?: readonly string[];
}

export type Outcome = 'violation' | 'reviewed' | 'overridden';

export interface Finding {
  commit: string | null;
  path: string;
  zone: string;
  tool: ToolId;
  verdict: Exclude<Verdict, 'allow'>;
  signal: string;
  message: string;
  outcome: Outcome;
  /** Who reviewed or overrode, for outcome reviewed / overridden. */
  by?: string;
  /** Share (0..1) of the file's lines the ledger attributes to the tool. */
  share?: number;
  /**
   * Content seen through a link: `path` is where a checkout shows it (what the zone
   * matched), `stored` the path git stores it at, `link` the symlink it is seen through.
   */
  stored?: string;
  link?: string;
}

/** What `check` reports: the findings (violations and what passed) and notes on grants that were refused. */
export interface Report {
  findings: readonly Finding[];
  notes: readonly string[];
}

/** What git (or the index) says about one change, before its signals are read: the input of `buildChange`. */
export interface ChangeInput {
  commit: string | null;
  files: readonly FileChange[];
  message: string;
  /** Where restricting signals are read, when it differs from `message` (raw message file). */
  signalMessage?: string | undefined;
  author?: Identity | undefined;
  committer?: Identity | undefined;
  /** Further author/committer lines of a hand-made commit object. */
  others?: readonly Identity[] | undefined;
  /** Local signals: agent environment, ledger. */
  extraSignals?: readonly Signal[];
}
