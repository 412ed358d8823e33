// Messages a person reads (issue 16 §7), the pure ones: each example with a control.

import { describe, expect, it } from 'vitest';
import { verifyGrants } from '../../../src/check/grants.js';
import type { Finding } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { COLOR, PLAIN, styleFor } from '../../../src/escape.js';
import { missingApprovers, renderText, waysOut } from '../../../src/report/text.js';
import { seconds } from '../../../src/server/pre-receive.js';
import { formatTrailerValue, type Statement } from '../../../src/sign/statement.js';
import { POLICY } from '../../helpers/repo.js';

const finding = (over: Partial<Finding>): Finding => ({
  commit: 'a'.repeat(40),
  path: 'evals/tasks/q1.json',
  zone: 'eval-tasks',
  tool: 'claude-code',
  verdict: 'deny',
  signal: 'Co-authored-by: Claude <noreply@anthropic.com>',
  outcome: 'violation',
  message: 'm',
  ...over,
});
const config = finding({ path: '.cleanroom/policy.yaml', zone: 'cleanroom-config', tool: 'any' });

describe('Ways out', () => {
  it('a lone .cleanroom/ change: the list does not begin with "or an approver…"', () => {
    const lines = waysOut([config], 'push');
    expect(lines[0]).toMatch(/^an approver signs an override/);
    expect(lines.some((l) => l.startsWith('or '))).toBe(false);
  });

  it('control: after a deny-zone way out, the override is the "or"', () => {
    const lines = waysOut([finding({}), config], 'push');
    expect(lines[0]).toMatch(/^deny zones:/);
    expect(lines[1]).toMatch(/^or an approver signs an override/);
  });

  it('several commits: REV is said to be each commit named above; one commit is named in place', () => {
    const two = waysOut([finding({}), finding({ commit: 'b'.repeat(40) })], 'check');
    expect(two.join('\n')).toContain('--commit REV');
    expect(two).toContain(
      `REV: each commit named above, one at a time (${'a'.repeat(12)}, ${'b'.repeat(12)})`,
    );
    const one = waysOut([finding({})], 'check');
    expect(one.join('\n')).toContain(`--commit ${'a'.repeat(12)}`);
    expect(one.some((l) => l.startsWith('REV:'))).toBe(false);
  });

  it('check --staged (staged changes, no commit): restore --staged and commit --trailer, never rebase -i or --amend', () => {
    const text = renderText(
      {
        findings: [
          finding({ commit: null }),
          finding({
            commit: null,
            zone: 'eval-harness',
            verdict: 'review',
            path: 'evals/harness/run.py',
          }),
        ],
        notes: [],
      },
      { style: PLAIN, context: 'check' },
    );
    expect(text).toContain('git restore --staged PATH');
    expect(text).toContain('git commit --trailer "Reviewed-by');
    expect(text).not.toContain('rebase -i');
    expect(text).not.toContain('--amend');
  });

  it('control: check --range (committed changes) suggests rewriting history', () => {
    const text = renderText(
      { findings: [finding({})], notes: [] },
      { style: PLAIN, context: 'check' },
    );
    expect(text).toContain('git rebase -i');
  });
});

describe('zone lists read as lists', () => {
  it('an override for one zone used on a change touching two: "eval-tasks, training-data" with a space', () => {
    const policy = loadPolicyText(POLICY, 'policy.yaml');
    const st: Statement = {
      kind: 'override',
      repository: policy.repository,
      zones: ['eval-tasks'],
      files: 1,
      digest: `sha256:${'0'.repeat(64)}`,
      reason: 'hand-checked',
      principal: 'ava@example.org',
      created: '2026-01-01T00:00:00Z',
      expires: '2026-01-08T00:00:00Z',
    };
    const blob = '1'.repeat(40);
    const r = verifyGrants(
      policy,
      {
        commit: 'f'.repeat(40),
        files: [
          { status: 'A', path: 'evals/tasks/q1.json', blob, mode: '100644' },
          { status: 'A', path: 'data/train/x.txt', blob, mode: '100644' },
        ],
        message: `Add\n\nCleanroom-Override: ${formatTrailerValue(st, 'AAAA')}\n`,
        author: { name: 'Hana Human', email: 'hana@example.org' },
      },
      {
        approvers: { file: '.cleanroom/approvers', text: '' },
        reviewers: { file: '.cleanroom/reviewers', text: '' },
      },
      new Date('2026-01-02T00:00:00Z'),
    );
    const note = r.notes.join('\n');
    expect(note).toContain('this change touches eval-tasks, training-data');
    expect(note).not.toMatch(/eval-tasks,training-data/);
  });
});

describe('no approvers file yet: the override is not offered as if it were possible', () => {
  const policy = loadPolicyText(POLICY, 'policy.yaml');

  it('a deny-zone block with no approvers file: the way out says the file comes first', () => {
    const noApprovers = missingApprovers({ policy, trust: {} });
    expect(noApprovers).toBe('.cleanroom/approvers');
    const text = renderText(
      { findings: [finding({})], notes: [] },
      { style: PLAIN, context: 'commit', noApprovers },
    );
    expect(text).toContain(
      "or an approver's signed override, once there is an approver: .cleanroom/approvers does not exist yet",
    );
    expect(text).not.toContain('or an approver signs an override');
  });

  it('control: with an approvers file, the plain way out', () => {
    const noApprovers = missingApprovers({
      policy,
      trust: { approvers: { file: '.cleanroom/approvers', text: '' } },
    });
    expect(noApprovers).toBeUndefined();
    const text = renderText(
      { findings: [finding({})], notes: [] },
      { style: PLAIN, context: 'commit', noApprovers },
    );
    expect(text).toContain('or an approver signs an override');
  });
});

describe('durations', () => {
  it('--deadline 0.001 is shown as 0.001 s, not "0.0 s"', () => {
    expect(seconds(1)).toBe('0.001 s');
    expect(seconds(250)).toBe('0.25 s');
  });
  it('control: seconds and above keep one decimal', () => {
    expect(seconds(4500)).toBe('4.5 s');
    expect(seconds(60_000)).toBe('60.0 s');
  });
});

describe('colour per stream', () => {
  it('NO_COLOR, FORCE_COLOR=0 and TERM=dumb turn colour off on a terminal', () => {
    expect(styleFor({ NO_COLOR: '1' }, true)).toBe(PLAIN);
    expect(styleFor({ FORCE_COLOR: '0' }, true)).toBe(PLAIN);
    expect(styleFor({ FORCE_COLOR: 'false' }, true)).toBe(PLAIN);
    expect(styleFor({ TERM: 'dumb' }, true)).toBe(PLAIN);
    expect(styleFor({}, false)).toBe(PLAIN);
  });
  it('control: a terminal gets colour; FORCE_COLOR=1 forces it into a pipe; an empty FORCE_COLOR is ignored', () => {
    expect(styleFor({ TERM: 'xterm-256color' }, true)).toBe(COLOR);
    expect(styleFor({ FORCE_COLOR: '1' }, false)).toBe(COLOR);
    expect(styleFor({ FORCE_COLOR: '' }, false)).toBe(PLAIN);
    expect(styleFor({ NO_COLOR: '' }, true)).toBe(COLOR);
  });
});
