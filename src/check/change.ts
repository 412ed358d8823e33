// Assembles one `Change` (the unit `evaluate` judges) from what git gave us: restricting
// signals from the metadata plus any local ones (environment, ledger), and granting
// signals (reviews, overrides) checked against the policy's trust files.

import { strictestZone, type Change, type ChangeInput, type ToolId } from '../core/types.js';
import type { Policy } from '../policy/compile.js';
import { fileZones, type FileZones } from '../policy/links.js';
import { trailerAttestations } from '../signals/attest.js';
import { detectSignals } from '../signals/detect.js';
import { parseTrailers } from '../signals/trailers.js';
import { verifyGrants, type Trust } from './grants.js';

/** The trailer prepare-commit-msg writes when the agent environment is present at commit time. */
export { AGENT_SESSION_TRAILER } from '../core/types.js';
import { AGENT_SESSION_TRAILER } from '../core/types.js';

/**
 * The agent whose session made this commit: its environment at commit time (local
 * hooks), or the Cleanroom-Agent-Session trailer prepare-commit-msg wrote from it (the
 * server, CI). In such a commit anyone — the agent included — may have typed a review
 * line, so only signed grants count there (issue 15 §1). A human committing an agent's
 * work from their own shell is not in its session: their Reviewed-by counts.
 */
export function agentSession(input: ChangeInput): string | undefined {
  const env = input.extraSignals?.find((s) => s.source === 'env');
  if (env) return env.tool;
  const t = parseTrailers(input.signalMessage ?? input.message, { noDivider: true }).find(
    (x) => x.key.toLowerCase() === AGENT_SESSION_TRAILER.toLowerCase(),
  );
  return t ? t.value.trim() || 'an agent' : undefined;
}

/**
 * Does some written file get the verdict `review` for `tool` (Policy.verdictOfFile)?
 * Every file of a 100,000-file agent commit is asked (issue 14 §4): each file's zones
 * come from `zones` (`fileZones`), which keeps them for evaluate, so the commit's files
 * are matched against the zones once in all. A file's strictest verdict is one of its
 * zones' verdicts, so a file in no zone that reviews for `tool` is passed by; the rest
 * (links included: their zones are those they could lead into) get the full verdict.
 */
export function sessionReviews(
  policy: Policy,
  files: ChangeInput['files'],
  tool: ToolId,
  zones?: FileZones,
): boolean {
  const reviewing = policy.zones.filter((z) => z.verdictFor(tool) === 'review');
  if (!reviewing.length) return false;
  const of = zones?.policy === policy && zones.files === files ? zones : fileZones(policy, files);
  for (let i = 0; i < files.length; i++) {
    const zs = of.at(i);
    if (!zs.length || !anyOf(zs, reviewing)) continue;
    if (strictestZone(zs, tool).verdict === 'review') return true;
  }
  return false;
}

/** Whether `zs` holds one of `set`: a loop, not a closure made for every file. */
function anyOf<T>(zs: readonly T[], set: readonly T[]): boolean {
  for (let i = 0; i < zs.length; i++) if (set.includes(zs[i]!)) return true;
  return false;
}

// Plain data, so its home is src/core/types.ts (grants and tests build it too).
export type { ChangeInput };

/** `alwaysGrants`: verify overrides even with no AI signal (a guarded `.cleanroom/` change). */
export function buildChange(
  policy: Policy,
  input: ChangeInput,
  trust: Trust,
  now: Date,
  alwaysGrants = false,
): Change & { readonly fileZones?: FileZones } {
  // Local evidence first: "environment CLAUDECODE=1" tells more than the trailer it caused.
  // Named fields, no spreads: this runs once per commit of every audited or pushed history.
  const detected = detectSignals(policy.tools, {
    message: input.signalMessage ?? input.message,
    author: input.author,
    committer: input.committer,
    others: input.others,
  });
  const signals = input.extraSignals?.length ? [...input.extraSignals, ...detected] : detected;
  if (!signals.length && !alwaysGrants)
    return { commit: input.commit, files: input.files, signals, attestations: [], overrides: [] };
  // Each file's zones are looked up once, here or in evaluate, which asks them all next.
  const zones = fileZones(policy, input.files);
  // Grants only matter for files in a zone: skip parsing and verifying them otherwise
  // (a third of a typical history has AI signals, few of those touch a zone).
  if (!alwaysGrants && !input.files.some((_, i) => zones.at(i).length > 0)) {
    return {
      commit: input.commit,
      files: input.files,
      signals,
      attestations: [],
      overrides: [],
      fileZones: zones,
    };
  }
  const base = { commit: input.commit, files: input.files, signals, fileZones: zones };
  const notes: string[] = [];
  const attestations = [];
  const t = trailerAttestations(policy.tools, policy.review, input);
  const session = agentSession(input);
  if (policy.review.mode === 'trailer' && session && !t.attestations.length) {
    // Said before anyone types the line: the way out a review zone offers (a Reviewed-by
    // trailer) does not count in the agent's own session (src/report/text.ts waysOut).
    if (sessionReviews(policy, input.files, session, zones))
      notes.push(
        `this commit is made in an agent's session (${session}): a review line typed here is not counted; a human reviews the change and commits it from their own shell, or an approver signs an override`,
      );
  } else if (policy.review.mode === 'trailer' && session) {
    for (const a of t.attestations)
      notes.push(
        `"${a.evidence}" is not counted: this commit was made in an agent's session (${session}), where anyone — the agent too — can type that line; commit the reviewed change from your own shell, without the commit's ${AGENT_SESSION_TRAILER} line, or get an approver's signed override`,
      );
  } else if (policy.review.mode === 'trailer') {
    attestations.push(...t.attestations);
    notes.push(...t.notes);
  } else {
    for (const a of t.attestations)
      notes.push(
        `"${a.evidence}" is not counted: review.mode is "signed" (a Cleanroom-Review signature is needed)`,
      );
  }
  const g = verifyGrants(policy, input, trust, now);
  attestations.push(...g.attestations);
  notes.push(...g.notes);
  return { ...base, attestations, overrides: g.overrides, notes };
}
