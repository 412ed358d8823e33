import { describe, expect, it } from 'vitest';
import {
  AuditAccumulator,
  contaminates,
  type JudgedCommit,
} from '../../../src/audit/accumulate.js';
import type { FileChange, Finding, Outcome } from '../../../src/core/types.js';

const id = (n: number): string => n.toString(16).padStart(40, '0');
const file = (status: FileChange['status'], path: string, from?: string): FileChange => ({
  status,
  path,
  blob: 'b'.repeat(40),
  mode: '100644',
  ...(from ? { from } : {}),
});
const finding = (
  commit: string,
  path: string,
  tool = 'claude-code',
  outcome: Outcome = 'violation',
  zone = 'eval-tasks',
): Finding => ({
  commit,
  path,
  zone,
  tool,
  verdict: 'deny',
  signal: 'Co-authored-by: Claude <noreply@anthropic.com>',
  message: 'm',
  outcome,
  ...(outcome !== 'violation' ? { by: 'Rita <rita@example.org>' } : {}),
});

/** Feeds a linear history: each step is (files, findings) on top of the previous commit. */
function linear(
  steps: { files: FileChange[]; findings?: (c: string) => Finding[] }[],
  acc = new AuditAccumulator(),
): AuditAccumulator {
  steps.forEach((s, i) => {
    const c = id(i + 1);
    acc.add({
      id: c,
      parents: i ? [id(i)] : [],
      children: i === steps.length - 1 ? 0 : 1,
      time: 1_700_000_000 + i * 3600,
      files: s.files,
      findings: s.findings?.(c) ?? [],
    });
  });
  return acc;
}

const paths = (acc: AuditAccumulator, tip: string, existing?: string[]): string[] =>
  [...acc.existing(new Map([[tip, new Set(existing ?? acc.candidates(tip))]])).keys()].sort();

describe('audit accumulator: contamination follows the file', () => {
  it('an AI-attributed change in a zone is remembered for the path', () => {
    const acc = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
    ]);
    expect(paths(acc, id(1))).toEqual(['evals/tasks/q1.json']);
  });

  it('deletion is the cure', () => {
    const acc = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
      { files: [file('D', 'evals/tasks/q1.json')] },
    ]);
    expect(paths(acc, id(2))).toEqual([]);
  });

  it('a rename carries the contamination to the new path', () => {
    const acc = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
      { files: [file('R', 'evals/tasks/renamed.json', 'evals/tasks/q1.json')] },
    ]);
    expect(paths(acc, id(2))).toEqual(['evals/tasks/renamed.json']);
    const entry = acc
      .existing(new Map([[id(2), new Set(['evals/tasks/renamed.json'])]]))
      .get('evals/tasks/renamed.json')!;
    expect([...entry.kinds.values()][0]!.events[0]!.path).toBe('evals/tasks/q1.json');
  });

  it('a human edit keeps the AI history; a re-added file starts a new life', () => {
    const acc = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
      { files: [file('M', 'evals/tasks/q1.json')] },
    ]);
    expect(paths(acc, id(2))).toEqual(['evals/tasks/q1.json']);
    const again = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
      { files: [file('A', 'evals/tasks/q1.json')] },
    ]);
    expect(paths(again, id(2))).toEqual([]);
  });

  it('only paths in the tip tree count ("exists now")', () => {
    const acc = linear([
      {
        files: [file('A', 'evals/tasks/q1.json')],
        findings: (c) => [finding(c, 'evals/tasks/q1.json')],
      },
    ]);
    expect(paths(acc, id(1), [])).toEqual([]);
  });
});

describe('audit accumulator: branches and merges', () => {
  // 1 ─ 2 (AI writes a.json on main) ─────────── 4 (merge)
  //  └─ 3 (side: AI writes b.json, deletes pre.json) ┘
  function diamond(): AuditAccumulator {
    const acc = new AuditAccumulator();
    const t = 1_700_000_000;
    acc.add({
      id: id(1),
      parents: [],
      children: 2,
      time: t,
      files: [file('A', 'evals/tasks/pre.json')],
      findings: [finding(id(1), 'evals/tasks/pre.json')],
    });
    acc.add({
      id: id(2),
      parents: [id(1)],
      children: 1,
      time: t + 1,
      files: [file('A', 'evals/tasks/a.json')],
      findings: [finding(id(2), 'evals/tasks/a.json', 'codex')],
    });
    acc.add({
      id: id(3),
      parents: [id(1)],
      children: 1,
      time: t + 2,
      files: [file('A', 'evals/tasks/b.json'), file('D', 'evals/tasks/pre.json')],
      findings: [finding(id(3), 'evals/tasks/b.json', 'aider')],
    });
    expect(acc.liveTables).toBe(2);
    acc.add({
      id: id(4),
      parents: [id(2), id(3)],
      children: 0,
      time: t + 3,
      files: [],
      findings: [],
    });
    return acc;
  }

  it("a merge brings both sides' contamination; dropped tables are freed", () => {
    const acc = diamond();
    expect(acc.liveTables).toBe(0);
    // pre.json was deleted on the side; the merge dropped it, and the tip tree says so.
    expect(paths(acc, id(4), ['evals/tasks/a.json', 'evals/tasks/b.json'])).toEqual([
      'evals/tasks/a.json',
      'evals/tasks/b.json',
    ]);
  });

  it("a branch point forks the table: one side's deletion does not clean the other", () => {
    const acc = new AuditAccumulator();
    acc.add({
      id: id(1),
      parents: [],
      children: 2,
      time: 1,
      files: [file('A', 'x')],
      findings: [finding(id(1), 'x')],
    });
    acc.add({
      id: id(2),
      parents: [id(1)],
      children: 0,
      time: 2,
      files: [file('D', 'x')],
      findings: [],
    });
    acc.add({ id: id(3), parents: [id(1)], children: 0, time: 3, files: [], findings: [] });
    expect(acc.tips().sort()).toEqual([id(2), id(3)]);
    expect([...acc.candidates(id(2))]).toEqual([]);
    expect([...acc.candidates(id(3))]).toEqual(['x']);
  });

  it('parents outside the walk (a range base) start from an empty table', () => {
    const acc = new AuditAccumulator();
    acc.add({
      id: id(5),
      parents: [id(4)],
      children: 0,
      time: 1,
      files: [file('M', 'x')],
      findings: [],
    });
    expect([...acc.candidates(id(5))]).toEqual([]);
  });
});

describe('audit accumulator: bounded memory', () => {
  it('keeps no per-commit data: 20,000 linear commits leave no live table and a capped event list', () => {
    const acc = new AuditAccumulator({ maxEvents: 5 });
    const n = 20_000;
    for (let i = 1; i <= n; i++) {
      const c = id(i);
      const files = [
        file('A', `evals/tasks/t${i}.json`),
        ...(i > 1 ? [file('D', `evals/tasks/t${i - 1}.json`)] : []),
        file(i === 1 ? 'A' : 'M', 'evals/tasks/hot.json'),
      ];
      acc.add({
        id: c,
        parents: i > 1 ? [id(i - 1)] : [],
        children: i === n ? 0 : 1,
        time: i * 60,
        files,
        findings: [finding(c, `evals/tasks/t${i}.json`), finding(c, 'evals/tasks/hot.json')],
        notes: [`note ${i % 3}`],
      });
      // The walk's width, not its length: at most one table while the history is linear.
      expect(acc.liveTables).toBeLessThanOrEqual(1);
    }
    // Tracked paths: the current file plus the hot one — deleted files are forgotten.
    expect(acc.trackedPaths).toBe(2);
    const hot = acc
      .existing(new Map([[id(n), new Set(['evals/tasks/hot.json'])]]))
      .get('evals/tasks/hot.json')!;
    const kind = [...hot.kinds.values()][0]!;
    expect(kind.events).toHaveLength(5);
    expect(kind.truncated).toBe(true);
    expect(acc.notes.size).toBe(3);
    // Timeline: one bucket per day and tool, however many commits.
    const z = acc.zones.get('eval-tasks')!;
    expect(z.timeline.size).toBeLessThanOrEqual(Math.ceil((n * 60) / 86400) + 1);
    expect(z.findings.violation).toBe(2 * n);
  });
});

describe('judging a lineage against the zone the path is in now', () => {
  it.each([
    ['deny', 'violation', true],
    ['deny', 'reviewed', true],
    ['deny', 'overridden', false],
    ['review', 'violation', true],
    ['review', 'reviewed', false],
    ['review', 'overridden', false],
    ['allow', 'violation', false],
  ] as const)('%s zone, %s change → contaminates: %s', (verdict, outcome, want) => {
    expect(contaminates(verdict, outcome)).toBe(want);
  });
});

// Keep the type import used (documentation of the input shape).
export type _Judged = JudgedCommit;
