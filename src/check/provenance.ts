// Moved content keeps its provenance. An agent writes drafts/q1.json (outside every
// zone, allowed); later a human runs `git mv drafts/q1.json evals/tasks/q1.json`. The
// commit doing the move carries no AI signal, yet it puts model output into a deny zone.
// For a rename into a zone, the commit that last wrote the source path and the commit
// that first introduced the exact content (`--find-object`) are looked up, and their
// AI signals become signals for the destination path.
//
// Only renames (git's similarity detection) into zones are followed, so the cost is
// zero for ordinary commits; content copied without a rename is found by the ledger
// locally, not here.

import type { FileChange, Signal } from '../core/types.js';
import { parseCommitObject } from '../git/commit-object.js';
import { runGit, type GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import { detectSignals } from '../signals/detect.js';
import { isObjectId } from '../git/object-id.js';

const MAX_LOOKUPS = 50;

async function signalsOfCommit(ctx: GitContext, policy: Policy, id: string): Promise<Signal[]> {
  const r = await runGit(ctx, ['cat-file', 'commit', id], { okCodes: [128] });
  if (r.code !== 0) return [];
  const c = parseCommitObject(r.stdout);
  return detectSignals(policy.tools, { message: c.message, author: c.author, committer: c.committer });
}

/** The last id git prints (for `--find-object`, newest first: the content's origin). */
async function lastId(ctx: GitContext, args: string[]): Promise<string | undefined> {
  const r = await runGit(ctx, args, { okCodes: [128] });
  if (r.code !== 0) return undefined;
  const id = r.stdout.toString('latin1').split('\n').filter(Boolean).pop();
  return id && isObjectId(id) ? id : undefined;
}

export const movesIntoZones = (policy: Policy, files: readonly FileChange[]): FileChange[] =>
  files.filter((f) => (f.status === 'R' || f.status === 'C') && f.from !== undefined && policy.zonesFor(f.path).length > 0);

/** Signals for files renamed into a zone whose content came from an AI-attributed commit. */
export async function movedContentSignals(ctx: GitContext, policy: Policy, files: readonly FileChange[], parent: string | undefined): Promise<Signal[]> {
  const moved = movesIntoZones(policy, files);
  if (!parent || !moved.length) return [];
  const out: Signal[] = [];
  for (const f of moved.slice(0, MAX_LOOKUPS)) {
    const from = f.from!;
    // The last commit (before this one) that wrote the source path, and the oldest one
    // that introduced this exact content anywhere.
    const [lastWriter, origin] = await Promise.all([
      lastId(ctx, ['log', '-1', '--format=%H', '--end-of-options', parent, '--', from]),
      lastId(ctx, ['log', '--format=%H', `--find-object=${f.blob}`, '--end-of-options', parent]),
    ]);
    const seen = new Set<string>();
    for (const id of [lastWriter, origin]) {
      if (!id || seen.has(id)) continue;
      seen.add(id);
      for (const s of await signalsOfCommit(ctx, policy, id)) {
        out.push({ tool: s.tool, source: s.source, evidence: `moved from ${from}, written in ${id.slice(0, 12)} (${s.evidence})`, paths: new Map([[f.path, 1]]) });
      }
    }
  }
  return out;
}
