// Provenance through rewrites, and only provenance. When prepare-commit-msg runs inside a
// replay — `git rebase` (picks, fixup!/squash! folded by --autosquash), `git cherry-pick`,
// `git revert`, `git merge --squash` — the commit being made is someone else's work:
//
// - its AI signals must survive: `rebase --autosquash` discards a fixup!'s message, so the
//   `Assisted-by:` an agent session wrote into it would vanish with it; a squash merge
//   folds many commits into one. The replayed commits' signals are carried over.
// - the agent that merely *ran* the replay wrote nothing: stamping `Assisted-by:` onto a
//   human commit it cherry-picked is a false accusation with only an override for a way
//   out. The agent environment counts only when the staged change is not the original
//   change (a conflict resolved, an edit made): patch ids (`git patch-id --stable`) tell.
//
// Sequencer state, as git 2.3x leaves it in the (per-worktree) git dir:
//   rebase-merge/done            "pick 0ade1bd… subject" — the last line is the commit in hand
//   rebase-merge/current-fixups  "fixup eaea4b1…" per fixup!/squash! folded into it so far
//   CHERRY_PICK_HEAD             the commit being picked (cherry-pick, and rebase picks)
//   REVERT_HEAD                  the commit being reverted, when the revert stopped
// A revert that does not stop leaves no REVERT_HEAD; its message names the commit
// ("This reverts commit <id>."). merge --squash writes "commit <id>" per squashed commit.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Signal } from '../core/types.js';
import { runGit, SHOW_GITLINKS, verifyRev, type GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { detectSignals } from '../signals/detect.js';
import type { ToolTable } from '../signals/tools.js';
import { parseIdentity } from '../signals/trailers.js';

export interface Replay {
  kind: 'rebase' | 'cherry-pick' | 'revert' | 'squash';
  /** The commit whose change is being replayed (undefined for a squash of many). */
  original?: string | undefined;
  /** Whether the change is replayed inverted (revert). */
  inverted: boolean;
  /** Every commit whose provenance the new commit inherits. */
  sources: string[];
}

const OID = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const read = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};
const oidsIn = (text: string | undefined, re: RegExp): string[] =>
  [...(text ?? '').matchAll(re)].map((m) => m[1]!).filter((id) => OID.test(id));

/** The replay in progress, if any, from the sequencer state and the message git prepared. */
export async function detectReplay(
  ctx: GitContext,
  repo: Repo,
  message: string,
  source: string | undefined,
): Promise<Replay | undefined> {
  const gd = repo.gitDir;
  if (source === 'squash') {
    const sources = oidsIn(message, /^commit ([0-9a-f]{40,64})$/gm);
    return { kind: 'squash', inverted: false, sources };
  }
  const rebase = existsSync(join(gd, 'rebase-merge'));
  const picking = read(join(gd, 'CHERRY_PICK_HEAD'))?.trim();
  if (rebase) {
    const done = (read(join(gd, 'rebase-merge', 'done')) ?? '').trim().split('\n');
    const last = done[done.length - 1] ?? '';
    // "pick <id> …", "fixup -C <id> …": the first full object id on the line.
    const original =
      last.split(/\s+/).find((t) => OID.test(t)) ??
      (picking && OID.test(picking) ? picking : undefined);
    const fixups = oidsIn(
      read(join(gd, 'rebase-merge', 'current-fixups')),
      /^\S+(?:\s+-[cC])?\s+([0-9a-f]{40,64})/gm,
    );
    const sources = [...new Set([...(original ? [original] : []), ...fixups])];
    return { kind: 'rebase', original, inverted: false, sources };
  }
  if (picking && OID.test(picking))
    return { kind: 'cherry-pick', original: picking, inverted: false, sources: [picking] };
  const reverting =
    read(join(gd, 'REVERT_HEAD'))?.trim() ??
    oidsIn(message, /^This reverts commit ([0-9a-f]{40,64})/gm)[0];
  if (reverting && OID.test(reverting) && (await verifyRev(ctx, `${reverting}^{commit}`))) {
    // A revert removes what the original added: it inherits nothing from it.
    return { kind: 'revert', original: reverting, inverted: true, sources: [] };
  }
  return undefined;
}

async function patchId(ctx: GitContext, diff: Buffer): Promise<string> {
  if (!diff.length) return 'empty';
  const out = (await runGit(ctx, ['patch-id', '--stable'], { input: diff })).stdout.toString(
    'utf8',
  );
  return out.split(' ', 1)[0] || 'empty';
}

/** How both sides of a replay are diffed for `git patch-id --stable` (staged against HEAD, the original against its parent). */
export const PATCH_ARGS = [
  '-p',
  '--binary',
  '--full-index',
  '--no-color',
  '--no-renames',
  SHOW_GITLINKS,
];

/** The replayed commits' ids, identities and messages, NUL-separated (carriedSignals). */
export const carriedArgs = (sources: readonly string[]): string[] => [
  'log',
  '--no-walk=unsorted',
  '-z',
  '--format=%H%x00%an <%ae>%x00%cn <%ce>%x00%B',
  SHOW_GITLINKS,
  ...sources,
  '--',
];

/**
 * Is the staged change exactly the replayed commit's change (so whoever ran the replay
 * wrote none of it)? Compared by `git patch-id --stable` of the staged diff against HEAD
 * and of the original's diff against its first parent (inverted for a revert).
 */
export async function isPureReplay(ctx: GitContext, repo: Repo, replay: Replay): Promise<boolean> {
  if (!replay.original) return false;
  const head = (await verifyRev(ctx, 'HEAD')) ?? repo.emptyTree;
  const staged = (await runGit(ctx, ['diff-index', '--cached', ...PATCH_ARGS, head])).stdout;
  const parent = (await verifyRev(ctx, `${replay.original}^1`)) ?? repo.emptyTree;
  const [a, b] = replay.inverted ? [replay.original, parent] : [parent, replay.original];
  const theirs = (await runGit(ctx, ['diff-tree', ...PATCH_ARGS, a, b])).stdout;
  return (await patchId(ctx, staged)) === (await patchId(ctx, theirs));
}

/**
 * The AI signals of the replayed commits (their author, committer and message, read as
 * the server reads them), one per tool, each saying which commit it comes from.
 */
export async function carriedSignals(
  ctx: GitContext,
  table: ToolTable,
  replay: Replay,
): Promise<Signal[]> {
  if (!replay.sources.length) return [];
  const out = (await runGit(ctx, carriedArgs(replay.sources))).stdout.toString('utf8');
  const fields = out.split('\0');
  const signals: Signal[] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 3 < fields.length; i += 4) {
    const id = fields[i]!.replace(/^\n/, '');
    for (const s of detectSignals(table, {
      author: parseIdentity(fields[i + 1]!),
      committer: parseIdentity(fields[i + 2]!),
      message: fields[i + 3]!,
    })) {
      if (seen.has(s.tool)) continue;
      seen.add(s.tool);
      signals.push({
        tool: s.tool,
        source: s.source,
        evidence: `carried from ${id.slice(0, 12)} (${replay.kind}): ${s.evidence}`,
      });
    }
  }
  return signals;
}
