// evaluate(policy, change) → findings, as plain data. Deletions are the cure; renames
// are judged at their destination; each tool gets the strictest verdict of the zones
// holding the path; review passes with a human attestation, deny only with an override.

import { describe, expect, it } from 'vitest';
import { evaluate, violations } from '../../../src/core/evaluate.js';
import type { Attestation, Change, FileChange, Override, Signal } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { POLICY } from '../../helpers/repo.js';

const policy = loadPolicyText(
  POLICY + 'tools:\n  - id: acme-agent\n    emails: ["agent@acme.internal"]\n',
  'policy.yaml',
);
const BLOB = '8e27be7d6154a1f68ea9160ef0e18691d20560dc';

const file = (path: string, status: FileChange['status'] = 'A', from?: string): FileChange => ({
  status,
  path,
  blob: status === 'D' ? '0'.repeat(40) : BLOB,
  mode: '100644',
  ...(from ? { from } : {}),
});
const sig = (tool: string, evidence = `Co-authored-by: ${tool}`): Signal => ({
  tool,
  source: 'trailer',
  evidence,
});
const RITA: Attestation = {
  kind: 'trailer',
  by: 'Rita <rita@example.org>',
  evidence: 'Reviewed-by: Rita <rita@example.org>',
};
const OVERRIDE: Override = {
  by: 'Olga <olga@example.org>',
  reason: 'vetted by hand',
  evidence: 'Cleanroom-Override: …',
};

function change(files: FileChange[], signals: Signal[], extra: Partial<Change> = {}): Change {
  return { commit: null, files, signals, attestations: [], overrides: [], ...extra };
}

/** "path zone tool verdict outcome" per finding. */
const summary = (c: Change) =>
  evaluate(policy, c).map((f) => `${f.path} ${f.zone} ${f.tool} ${f.verdict} ${f.outcome}`);

describe('evaluate', () => {
  const table: [string, Change, string[]][] = [
    ['no signal: nothing to judge', change([file('evals/tasks/q.json')], []), []],
    [
      'an AI change in a deny zone',
      change([file('evals/tasks/q.json')], [sig('claude-code')]),
      ['evals/tasks/q.json eval-tasks claude-code deny violation'],
    ],
    ['a path in no zone', change([file('src/app.ts')], [sig('claude-code')]), []],
    ['an excluded path', change([file('data/train/README.md')], [sig('claude-code')]), []],
    [
      'a deletion in a deny zone is allowed',
      change([file('evals/tasks/q.json', 'D')], [sig('claude-code')]),
      [],
    ],
    [
      'a modification is judged',
      change([file('evals/tasks/q.json', 'M')], [sig('codex')]),
      ['evals/tasks/q.json eval-tasks codex deny violation'],
    ],
    [
      'a type change is judged',
      change([file('evals/tasks/q.json', 'T')], [sig('codex')]),
      ['evals/tasks/q.json eval-tasks codex deny violation'],
    ],
    [
      'a rename into a zone is judged at its destination',
      change([file('evals/tasks/q.json', 'R', 'drafts/q.json')], [sig('cursor')]),
      ['evals/tasks/q.json eval-tasks cursor deny violation'],
    ],
    [
      'a rename out of a zone is allowed',
      change([file('drafts/q.json', 'R', 'evals/tasks/q.json')], [sig('cursor')]),
      [],
    ],
    [
      'a copy into a zone is judged',
      change([file('evals/tasks/q2.json', 'C', 'evals/tasks/q.json')], [sig('cursor')]),
      ['evals/tasks/q2.json eval-tasks cursor deny violation'],
    ],
    [
      'EVALS/Tasks/x.json is caught',
      change([file('EVALS/Tasks/x.json')], [sig('devin')]),
      ['EVALS/Tasks/x.json eval-tasks devin deny violation'],
    ],
    [
      'a review zone without review',
      change([file('evals/harness/run.py')], [sig('claude-code')]),
      ['evals/harness/run.py eval-harness claude-code review violation'],
    ],
    [
      'a review zone with a review',
      change([file('evals/harness/run.py')], [sig('claude-code')], { attestations: [RITA] }),
      ['evals/harness/run.py eval-harness claude-code review reviewed'],
    ],
    [
      'a deny zone ignores a review',
      change([file('evals/tasks/q.json')], [sig('claude-code')], { attestations: [RITA] }),
      ['evals/tasks/q.json eval-tasks claude-code deny violation'],
    ],
    [
      'a deny zone with an override',
      change([file('evals/tasks/q.json')], [sig('claude-code')], { overrides: [OVERRIDE] }),
      ['evals/tasks/q.json eval-tasks claude-code deny overridden'],
    ],
    [
      'a review zone with an override',
      change([file('evals/harness/run.py')], [sig('claude-code')], { overrides: [OVERRIDE] }),
      ['evals/harness/run.py eval-harness claude-code review overridden'],
    ],
    [
      'per-tool allow: copilot in eval-harness',
      change([file('evals/harness/run.py')], [sig('copilot')]),
      [],
    ],
    [
      'per-tool deny: devin in eval-harness, reviewed or not',
      change([file('evals/harness/run.py')], [sig('devin')], { attestations: [RITA] }),
      ['evals/harness/run.py eval-harness devin deny violation'],
    ],
    [
      'unknown-ai is judged by ai',
      change([file('evals/harness/run.py')], [sig('unknown-ai')]),
      ['evals/harness/run.py eval-harness unknown-ai review violation'],
    ],
    [
      'a policy-defined tool',
      change([file('data/train/x.csv')], [sig('acme-agent')]),
      ['data/train/x.csv training-data acme-agent deny violation'],
    ],
    [
      'several tools: one finding each, strictest per tool',
      change([file('evals/harness/run.py')], [sig('copilot'), sig('devin'), sig('claude-code')]),
      [
        'evals/harness/run.py eval-harness devin deny violation',
        'evals/harness/run.py eval-harness claude-code review violation',
      ],
    ],
    [
      'strictest wins where zones overlap: copilot allowed in the harness, denied for .jsonl',
      change([file('evals/harness/cases.jsonl')], [sig('copilot')]),
      ['evals/harness/cases.jsonl eval-tasks copilot deny violation'],
    ],
    [
      'a mixed commit: only zone files are findings',
      change(
        [
          file('src/a.ts'),
          file('evals/tasks/q.json'),
          file('evals/tasks/old.json', 'D'),
          file('data/train/README.md', 'M'),
        ],
        [sig('aider')],
      ),
      ['evals/tasks/q.json eval-tasks aider deny violation'],
    ],
    [
      'two signals of one tool: one finding',
      change([file('evals/tasks/q.json')], [sig('claude-code', 'a'), sig('claude-code', 'b')]),
      ['evals/tasks/q.json eval-tasks claude-code deny violation'],
    ],
  ];
  for (const [name, c, expected] of table) it(name, () => expect(summary(c)).toEqual(expected));

  it('a finding carries the commit, the signal and a message naming zone and tool', () => {
    const f = evaluate(
      policy,
      change(
        [file('evals/tasks/q.json')],
        [sig('claude-code', 'Co-authored-by: Claude <noreply@anthropic.com>')],
        { commit: 'abc123' },
      ),
    );
    expect(f).toEqual([
      {
        commit: 'abc123',
        path: 'evals/tasks/q.json',
        zone: 'eval-tasks',
        tool: 'claude-code',
        verdict: 'deny',
        signal: 'Co-authored-by: Claude <noreply@anthropic.com>',
        outcome: 'violation',
        message:
          'zone eval-tasks does not accept AI-attributed changes (claude-code), reviewed or not',
      },
    ]);
    const r = evaluate(policy, change([file('evals/harness/x.py')], [sig('codex', 'e')]));
    expect(r[0]!.message).toBe(
      'zone eval-harness accepts AI-attributed changes (codex) only with a human review attestation',
    );
    const ok = evaluate(
      policy,
      change([file('evals/harness/x.py')], [sig('codex', 'e')], { attestations: [RITA] }),
    );
    expect(ok[0]).toMatchObject({
      outcome: 'reviewed',
      by: 'Rita <rita@example.org>',
      message: 'reviewed by Rita <rita@example.org>',
    });
    expect(violations(ok)).toEqual([]);
  });

  describe('ledger signals cover only their paths', () => {
    const ledger: Signal = {
      tool: 'claude-code',
      source: 'ledger',
      evidence: 'ledger: Write evals/tasks/a.json',
      paths: new Map([['evals/tasks/a.json', 0.75]]),
    };
    it('the named path, with its share', () => {
      const f = evaluate(
        policy,
        change([file('evals/tasks/a.json'), file('evals/tasks/b.json')], [ledger]),
      );
      expect(f.map((x) => [x.path, x.share])).toEqual([['evals/tasks/a.json', 0.75]]);
    });
    it('a whole-change signal of the same tool is preferred as evidence', () => {
      const f = evaluate(
        policy,
        change(
          [file('evals/tasks/a.json'), file('evals/tasks/b.json')],
          [ledger, sig('claude-code', 'trailer')],
        ),
      );
      expect(f.map((x) => [x.path, x.signal, x.share])).toEqual([
        ['evals/tasks/a.json', 'trailer', undefined],
        ['evals/tasks/b.json', 'trailer', undefined],
      ]);
    });
  });

  it('attestations and overrides limited to paths cover only those paths', () => {
    const c = change([file('evals/harness/a.py'), file('evals/harness/b.py')], [sig('codex')], {
      attestations: [{ ...RITA, paths: new Set(['evals/harness/a.py']) }],
    });
    expect(summary(c)).toEqual([
      'evals/harness/a.py eval-harness codex review reviewed',
      'evals/harness/b.py eval-harness codex review violation',
    ]);
  });
});
