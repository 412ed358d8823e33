// Granting signals are strict: a review counts only as a real trailer (Git's rules),
// naming a human, and — with review.independent — not the commit's own author.

import { describe, expect, it } from 'vitest';
import type { Identity } from '../../../src/core/types.js';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { trailerAttestations, type TrailerReviewRules } from '../../../src/signals/attest.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';

const table = compileToolTable(builtin as ToolTableSpec);
const HANA: Identity = { name: 'Hana Human', email: 'hana@example.org' };
const RULES: TrailerReviewRules = { trailer: 'Reviewed-by', independent: true };

const attest = (
  message: string,
  rules: TrailerReviewRules = RULES,
  author: Identity | undefined = HANA,
) => trailerAttestations(table, rules, { message, author });

describe('review trailers', () => {
  it('a real Reviewed-by trailer from a human counts', () => {
    expect(attest('Add task\n\nBody.\n\nReviewed-by: Rita Reviewer <rita@example.org>\n')).toEqual({
      attestations: [
        {
          kind: 'trailer',
          by: 'Rita Reviewer <rita@example.org>',
          evidence: 'Reviewed-by: Rita Reviewer <rita@example.org>',
        },
      ],
      notes: [],
    });
  });
  it('key matching is case-insensitive', () => {
    expect(
      attest('Add\n\nreviewed-BY: Rita <rita@example.org>\n').attestations.map((a) => a.by),
    ).toEqual(['Rita <rita@example.org>']);
  });
  it('two reviewers, two attestations', () => {
    expect(
      attest(
        'Add\n\nReviewed-by: Rita <rita@example.org>\nReviewed-by: Sam <sam@example.org>\n',
      ).attestations.map((a) => a.by),
    ).toEqual(['Rita <rita@example.org>', 'Sam <sam@example.org>']);
  });
  it('Reviewed-by in the body is not a trailer and counts as nothing', () => {
    expect(
      attest('Add task\n\nReviewed-by: Rita <rita@example.org>\nI think this is fine.\n'),
    ).toEqual({ attestations: [], notes: [] });
  });
  it('Reviewed-by in a paragraph above the trailers counts as nothing', () => {
    expect(
      attest('Add\n\nReviewed-by: Rita <rita@example.org>\n\nmore prose\n').attestations,
    ).toEqual([]);
  });
  it('Reviewed-by as the title counts as nothing', () => {
    expect(attest('Reviewed-by: Rita <rita@example.org>\n').attestations).toEqual([]);
  });
  it('Reviewed-by after a --- line still counts (stored commits have no patch divider)', () => {
    expect(
      attest('Add\n\n---\n\nReviewed-by: Rita <rita@example.org>\n').attestations.map((a) => a.by),
    ).toEqual(['Rita <rita@example.org>']);
  });
  it('Reviewed-by in a trailer block mixed with prose (no Signed-off-by) counts as nothing', () => {
    expect(
      attest('Add\n\nthe reviewer was:\nReviewed-by: Rita <rita@example.org>\n').attestations,
    ).toEqual([]);
  });
  it('an AI reviewer is not counted, and the user is told why', () => {
    expect(attest('Add\n\nReviewed-by: Claude <noreply@anthropic.com>\n')).toEqual({
      attestations: [],
      notes: [
        '"Reviewed-by: Claude <noreply@anthropic.com>" is not counted: the reviewer is an AI identity, and review must be human',
      ],
    });
    expect(attest('Add\n\nReviewed-by: Rita (aider) <rita@example.org>\n').attestations).toEqual(
      [],
    );
    expect(
      attest(
        'Add\n\nReviewed-by: copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>\n',
      ).attestations,
    ).toEqual([]);
  });
  it('independent: true refuses the author reviewing their own commit (email, any case)', () => {
    expect(attest('Add\n\nReviewed-by: Hana <HANA@example.org>\n')).toEqual({
      attestations: [],
      notes: [
        `"Reviewed-by: Hana <HANA@example.org>" is not counted: the reviewer is the commit's author (review.independent is true)`,
      ],
    });
  });
  it('independent: false lets the author attest', () => {
    expect(
      attest('Add\n\nReviewed-by: Hana Human <hana@example.org>\n', {
        trailer: 'Reviewed-by',
        independent: false,
      }).attestations.map((a) => a.by),
    ).toEqual(['Hana Human <hana@example.org>']);
  });
  it('a reviewer without an email is not counted', () => {
    expect(attest('Add\n\nReviewed-by: Rita\n')).toEqual({
      attestations: [],
      notes: ['"Reviewed-by: Rita" is not counted: write it as Reviewed-by: Name <email>'],
    });
  });
  it('only the trailer the policy names counts', () => {
    const rules = { trailer: 'Approved-by', independent: true };
    expect(attest('Add\n\nReviewed-by: Rita <rita@example.org>\n', rules).attestations).toEqual([]);
    expect(
      attest('Add\n\nApproved-by: Rita <rita@example.org>\n', rules).attestations.map((a) => a.by),
    ).toEqual(['Rita <rita@example.org>']);
  });
  it('a continuation line is part of the reviewer value', () => {
    expect(
      attest('Add\n\nReviewed-by: Rita Reviewer\n <rita@example.org>\n').attestations.map(
        (a) => a.by,
      ),
    ).toEqual(['Rita Reviewer <rita@example.org>']);
  });
  it('a form-feed line makes the block prose for git, so it does not count here either', () => {
    expect(
      attest('Add\n\nReviewed-by: Rita <rita@example.org>\n\fnot a continuation\n').attestations,
    ).toEqual([]);
  });
});
