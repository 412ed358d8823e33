// Issue 14 §4, fifth pass: each file's zones are looked up once per change (buildChange
// keeps them in `fileZones`, evaluate reads them), and zonesFor answers "no zone" and
// "one zone" with shared frozen arrays. Both must change no finding and no note: random
// changes are judged through buildChange with the kept lookups and again with every
// lookup made afresh; a kept lookup made for other files or under another policy is never
// read (a wrong one planted there must not hide a violation); the shared answers cannot be
// altered by a caller.

import { describe, expect, it } from 'vitest';
import { prng } from '../../helpers/prng.js';
import { buildChange, sessionReviews, type ChangeInput } from '../../../src/check/change.js';
import { evaluate } from '../../../src/core/evaluate.js';
import type { FileChange, Signal } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { fileZones, zonesOfFile, type FileZones } from '../../../src/policy/links.js';
import type { Policy, Zone } from '../../../src/policy/compile.js';

const POLICY_TEXT = `version: 1
repository: example.org/acme/evals
zones:
  - name: eval-tasks
    paths: ["evals/tasks/**", "evals/**/*.jsonl"]
    ai: deny
    tools: { copilot: review }
  - name: eval-harness
    paths: ["evals/harness/**", "evals/*.py"]
    ai: review
    tools: { copilot: allow, devin: deny }
  - name: training-data
    paths: ["data/train/**", "src/**/answer_key*"]
    exclude: ["data/train/README.md"]
    ai: deny
  - name: donnees
    paths: ["données/**"]
    ai: review
`;
const policies: [string, Policy][] = [
  ['insensitive, nfc', loadPolicyText(POLICY_TEXT, 'policy.yaml')],
  [
    'sensitive, no normalisation',
    loadPolicyText(POLICY_TEXT + 'matching: { case: sensitive, unicode: none }\n', 'policy.yaml'),
  ],
];
const DIRS = [
  'evals/tasks',
  'evals/harness',
  'evals',
  'EVALS/Tasks',
  'data/train',
  'src/a',
  'src',
  'données',
  'donne\u0301es',
  '',
];
const NAMES = ['q.json', 'x.jsonl', 'run.py', 'README.md', 'answer_key.txt', 'é.json', 'ok'];
const TOOLS = ['claude-code', 'copilot', 'devin'];
const NOW = new Date('2026-03-01T12:00:00Z');

function randomInput(r: () => number, n: number): ChangeInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const files: FileChange[] = [];
  for (let i = 0; i < n; i++) {
    const dir = pick(DIRS);
    const mode = r() < 0.12 ? '120000' : r() < 0.05 ? '160000' : '100644';
    const path =
      mode !== '100644' && dir && r() < 0.5
        ? dir
        : `${dir ? dir + '/' : ''}${r() < 0.5 ? `f${i}-` : ''}${pick(NAMES)}`;
    files.push({
      status: pick(['A', 'M', 'D', 'R', 'T'] as const),
      path,
      blob: 'b'.repeat(40),
      mode,
    });
  }
  const extraSignals: Signal[] = [];
  // The environment of an agent's session (the note about typed reviews depends on it),
  // ledger signals naming some paths, or nothing.
  if (r() < 0.6)
    extraSignals.push({ tool: pick(TOOLS), source: 'env', evidence: 'environment X=1' });
  if (r() < 0.4) {
    const paths = new Map<string, number>();
    for (const f of files) if (r() < 0.3) paths.set(f.path, 0.5);
    extraSignals.push({ tool: pick(TOOLS), source: 'ledger', evidence: 'ledger', paths });
  }
  const message =
    r() < 0.3
      ? 'Fix\n\nReviewed-by: Rita <r@example.org>\n'
      : r() < 0.3
        ? 'Fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\n'
        : 'Fix\n';
  return {
    commit: null,
    files,
    message,
    signalMessage: message,
    author: undefined,
    committer: undefined,
    extraSignals,
  };
}

/** The change with every kept lookup dropped: evaluate then asks each file's zones itself. */
const fresh = <T extends { fileZones?: FileZones }>(c: T): T => ({ ...c, fileZones: undefined });

describe('zones looked up once per change: the same findings and notes as looking up afresh', () => {
  for (const [name, policy] of policies) {
    it(`random changes through buildChange (${name})`, () => {
      const r = prng(1405);
      let judged = 0;
      let noted = 0;
      for (let round = 0; round < 600; round++) {
        const input = randomInput(r, 1 + Math.floor(r() * 25));
        const change = buildChange(policy, input, {}, NOW);
        const want = evaluate(policy, fresh(change));
        expect(JSON.stringify(evaluate(policy, change))).toBe(JSON.stringify(want));
        judged += want.length;
        // The agent-session note: the kept lookups answer as every file's full verdict.
        for (const tool of TOOLS) {
          const full = input.files.some(
            (f) => f.status !== 'D' && policy.verdictOfFile(f, tool).verdict === 'review',
          );
          expect(sessionReviews(policy, input.files, tool)).toBe(full);
          expect(sessionReviews(policy, input.files, tool, fileZones(policy, input.files))).toBe(
            full,
          );
        }
        if (change.notes?.some((n) => n.includes("agent's session"))) noted++;
      }
      expect(judged).toBeGreaterThan(300); // the inputs reach the zones
      expect(noted).toBeGreaterThan(20); // and the session note
    });

    it(`each file's kept zones are zonesOfFile's, asked in any order (${name})`, () => {
      const r = prng(77);
      for (let round = 0; round < 200; round++) {
        const { files } = randomInput(r, 1 + Math.floor(r() * 20));
        const zs = fileZones(policy, files);
        const order = files.map((_, i) => i).sort(() => r() - 0.5);
        for (const i of order) {
          const f = files[i]!;
          expect(zs.at(i)).toEqual(f.status === 'D' ? [] : zonesOfFile(policy, f));
        }
        expect(zs.at(files.length)).toEqual([]);
      }
    });
  }

  it('a kept lookup for other files, or under another policy, is not read (fail closed)', () => {
    const [, policy] = policies[0]!;
    const [, other] = policies[1]!;
    const files: FileChange[] = [
      { status: 'A', path: 'evals/tasks/q1.json', blob: 'b'.repeat(40), mode: '100644' },
    ];
    const env: Signal = {
      tool: 'claude-code',
      source: 'env',
      evidence: 'environment CLAUDECODE=1',
    };
    // A planted lookup that says "in no zone" for every file.
    const none = (p: Policy, fs: readonly FileChange[]): FileZones => ({
      policy: p,
      files: fs,
      at: () => [] as readonly Zone[],
    });
    const base = { commit: null, signals: [env], attestations: [], overrides: [] };
    // Control: the planted lookup, on these very files and policy, is read (so the
    // identity checks below are what refuses it, not something else).
    expect(evaluate(policy, { ...base, files, fileZones: none(policy, files) })).toEqual([]);
    // The same files in another array (a change whose files were replaced).
    const copy = [...files];
    expect(evaluate(policy, { ...base, files: copy, fileZones: none(policy, files) })).toHaveLength(
      1,
    );
    // Another policy's lookup.
    expect(evaluate(policy, { ...base, files, fileZones: none(other, files) })).toHaveLength(1);
    // sessionReviews alike: a planted answer for other files is not taken.
    const review: FileChange[] = [
      { status: 'M', path: 'evals/harness/run.py', blob: 'b'.repeat(40), mode: '100644' },
    ];
    expect(sessionReviews(policy, review, 'claude-code', none(policy, [...review]))).toBe(true);
    expect(sessionReviews(policy, review, 'claude-code', none(other, review))).toBe(true);
    expect(sessionReviews(policy, review, 'claude-code', none(policy, review))).toBe(false);
  });

  it("the shared answers of zonesFor are frozen: a caller cannot change the next path's", () => {
    const [, policy] = policies[0]!;
    const a = policy.zonesFor('evals/tasks/q1.json');
    const b = policy.zonesFor('evals/tasks/q2.json');
    expect(a.map((z) => z.name)).toEqual(['eval-tasks']);
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => (a as Zone[]).push(policy.zones[1]!)).toThrow(TypeError);
    expect(b.map((z) => z.name)).toEqual(['eval-tasks']);
    const none = policy.zonesFor('src/x.ts');
    expect(Object.isFrozen(none)).toBe(true);
    expect(() => (none as Zone[]).push(policy.zones[0]!)).toThrow(TypeError);
    expect(policy.zonesFor('src/y.ts')).toEqual([]);
    // Excluded by its only zone: no zone, as before.
    expect(policy.zonesFor('data/train/README.md')).toEqual([]);
    // Two zones: both, in policy order.
    expect(policy.zonesFor('evals/tasks/x.jsonl').map((z) => z.name)).toEqual(['eval-tasks']);
    expect(policy.zonesFor('evals/harness/x.jsonl').map((z) => z.name)).toEqual([
      'eval-tasks',
      'eval-harness',
    ]);
  });
});
