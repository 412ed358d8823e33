// How provenance, reviews and overrides survive each GitHub merge method (issue 12 §2):
// the message shapes GitHub writes, read by the restricting reader (AI signals, liberal)
// and the granting reader (Reviewed-by, strict: Git's trailer rules). docs/signals.md
// "Rewrites and merges" gives the recommended setting that follows from these.

import { describe, expect, it } from 'vitest';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { trailerAttestations } from '../../../src/signals/attest.js';
import { detectSignals } from '../../../src/signals/detect.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';

const table = compileToolTable(builtin as ToolTableSpec);
const tools = (message: string) => [
  ...new Set(detectSignals(table, { message }).map((s) => s.tool)),
];
const reviews = (message: string) =>
  trailerAttestations(
    table,
    { trailer: 'Reviewed-by', independent: false },
    { message },
  ).attestations.map((a) => a.by);

// The PR's two commits, as the author wrote them.
const AGENT_COMMIT = 'Add q1 scorer\n\nDrafted in Claude Code.\n\nAssisted-by: claude-code\n';
const REVIEWED_COMMIT = 'Fix q1 expected answer\n\nReviewed-by: Rita Reviewer <rita@example.org>\n';

describe('GitHub merge methods: what the commit on the default branch says', () => {
  it('merge commit: every commit keeps its own message; the merge commit adds only its subject', () => {
    expect(tools(AGENT_COMMIT)).toEqual(['claude-code']);
    expect(reviews(REVIEWED_COMMIT)).toEqual(['Rita Reviewer <rita@example.org>']);
    expect(tools('Merge pull request #12 from acme/q1\n\nAdd q1\n')).toEqual([]);
  });

  it('rebase and merge: the same messages, re-committed by GitHub (signatures bind blobs, not commit ids)', () => {
    expect(tools(AGENT_COMMIT)).toEqual(['claude-code']);
    expect(reviews(REVIEWED_COMMIT)).toEqual(['Rita Reviewer <rita@example.org>']);
  });

  // "Default message" for a multi-commit PR: title (#N), one "* subject\n\nbody" per commit,
  // then "---------" and the co-authors GitHub collected.
  const SQUASH_DETAILS =
    'Add q1 (#12)\n\n* Add q1 scorer\n\nDrafted in Claude Code.\n\nAssisted-by: claude-code\n\n* Fix q1 expected answer\n\nReviewed-by: Rita Reviewer <rita@example.org>\n\n---------\n\nCo-authored-by: Sam Second <sam@example.org>\n';
  it('squash, default message (commit details): AI signals survive (read liberally), a review in a commit body does not', () => {
    expect(tools(SQUASH_DETAILS)).toEqual(['claude-code']);
    expect(reviews(SQUASH_DETAILS)).toEqual([]);
  });
  it('…a review (or override) re-added in the final trailer block counts again', () => {
    expect(reviews(SQUASH_DETAILS + 'Reviewed-by: Rita Reviewer <rita@example.org>\n')).toEqual([
      'Rita Reviewer <rita@example.org>',
    ]);
  });

  // "Pull request title and description": the commits' messages are gone.
  const SQUASH_PR =
    'Add q1 (#12)\n\nAdds the q1 scorer and fixes its expected answer.\n\nCo-authored-by: Sam Second <sam@example.org>\n';
  it('squash, PR title and description: Assisted-by and reviews are lost — never for zone pull requests', () => {
    expect(tools(SQUASH_PR)).toEqual([]);
    expect(reviews(SQUASH_PR)).toEqual([]);
  });
  it('…except co-authors GitHub carries: an AI co-author still shows', () => {
    expect(tools(SQUASH_PR + 'Co-authored-by: Claude <noreply@anthropic.com>\n')).toEqual([
      'claude-code',
    ]);
  });
});
