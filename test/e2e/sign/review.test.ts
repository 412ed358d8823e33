// review.mode: signed end to end — a review zone accepts an AI-attributed commit only
// with a reviewer's signed Cleanroom-Review, locally and on the server.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../helpers/repo.js';
import {
  AI,
  APPROVER,
  expectOneScreen,
  grant,
  push,
  REVIEWER,
  serverRef,
  SIGNED_REVIEW_POLICY,
  world,
  type World,
} from './world.js';

afterAll(() => removeTempDirs());

const HARNESS = 'def run(task):\n    return task.solve()\n';
const PLAIN_REVIEW = 'Reviewed-by: Rita Reviewer <rita@example.org>';

describe('a review-zone commit in review.mode: signed', () => {
  let w: World;
  let before: string;
  beforeAll(() => {
    w = world({ policy: SIGNED_REVIEW_POLICY });
    before = w.repo.head();
  });

  it('is refused with only a plain Reviewed-by, locally', () => {
    w.repo.write('evals/harness/run.py', HARNESS);
    const r = w.repo.commit(`Add the runner\n\n${AI}\n${PLAIN_REVIEW}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /✗ evals\/harness\/run\.py\n\s+zone eval-harness \(review\) · tool claude-code/,
    );
    expect(r.stderr).toContain(
      `note: "${PLAIN_REVIEW}" is not counted: review.mode is "signed" (a Cleanroom-Review signature is needed)`,
    );
    expectOneScreen(r.stderr);
    expect(w.repo.head()).toBe(before);
  });

  it('is refused with only a plain Reviewed-by, on push', () => {
    expect(
      w.repo.commit(`Add the runner\n\n${AI}\n${PLAIN_REVIEW}`, { args: ['--no-verify'] }).code,
    ).toBe(0);
    expect(push(w).code).toBe(1);
    const p = push(w, { noVerify: true });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/remote:\s+✗ evals\/harness\/run\.py/);
    expect(p.stderr).toContain(`is not counted: review.mode is "signed"`);
    expect(serverRef(w)).toBe(before);
    w.repo.git('reset', '-q', '--soft', 'HEAD~1');
  });

  it("is refused with a review signed by a key that is not in the reviewers file (an approver's)", () => {
    const trailer = grant(w, 'review', { key: w.keys.ava, principal: APPROVER, forge: true });
    const r = w.repo.commit(`Add the runner\n\n${AI}`, { add: [], args: ['--trailer', trailer] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /note: signed review not accepted: key SHA256:\S+ is not in \.cleanroom\/reviewers/,
    );
  });

  it('is refused when the file changed after the review was signed', () => {
    const trailer = grant(w, 'review');
    w.repo.write('evals/harness/run.py', HARNESS + '# one more line\n');
    const r = w.repo.commit(`Add the runner\n\n${AI}`, { args: ['--trailer', trailer] });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/note: signed review not accepted: it covers other content/);
    w.repo.write('evals/harness/run.py', HARNESS);
    w.repo.git('add', '-A');
  });

  it("is accepted locally and on push with the reviewer's signed attestation", () => {
    const trailer = grant(w, 'review');
    expect(trailer.replace(/\n /g, ' ')).toMatch(
      /^Cleanroom-Review: v1 repo=example\.org\/acme\/evals by=rita@example\.org zones=eval-harness files=1 .* reason=reviewed%20every%20line sig=[A-Za-z0-9+/ ]+=*$/,
    );
    const r = w.repo.commit(`Add the runner\n\n${AI}`, { add: [], args: ['--trailer', trailer] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = push(w);
    expect(p.stderr).toContain(
      `remote: cleanroom: refs/heads/main ${w.repo.head().slice(0, 12)} evals/harness/run.py: reviewed by ${REVIEWER}`,
    );
    expect(p.code).toBe(0);
    expect(serverRef(w)).toBe(w.repo.head());
  });
});

describe('advice in review.mode: signed (issue 17 §3)', () => {
  let w: World;
  let base: string;
  beforeAll(() => {
    w = world({ policy: SIGNED_REVIEW_POLICY });
    base = w.repo.head();
    for (const n of [1, 2, 3]) {
      w.repo.write(`evals/harness/step${n}.py`, `print(${n})\n`);
      expect(w.repo.commit(`Add step ${n}\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);
    }
    w.repo.write('evals/tasks/q1.json', '{"q": 1}\n');
    expect(w.repo.commit(`Add q1\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);
  });

  it('check --range prints the signed-mode note once for three blocked commits, and no Reviewed-by way out', () => {
    const r = w.repo.cleanroom(['check', '--range', `${base}..HEAD`]);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/review\.mode is "signed"/g)).toHaveLength(1);
    expect(r.stderr).toMatch(
      /review zones: a reviewer \(a key in review\.reviewers\) reads every line and signs: cleanroom review request --commit REV \| cleanroom review sign/,
    );
    expect(r.stderr).not.toMatch(/Reviewed-by: Name/);
  });

  it('a deny-only commit gets no signed-review advice', () => {
    const r = w.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/review\.mode is "signed"|review zones:/);
  });
});
