// Issue 14 §4: the per-file shortcuts of a large staged commit (zones asked once per
// file, whole-change signals grouped once, the agent-session note answered by the zones
// that review, shared message strings and report lines, printable paths passed through)
// must say exactly what the full computation says. Each is compared here with the
// computation it replaced, kept below as the reference, on random inputs: paths in and
// out of zones (excluded, links, non-ASCII, quotes), several tools with per-zone
// verdicts, ledger signals naming some paths, reviews and overrides for some paths.

import { describe, expect, it } from 'vitest';
import { prng } from '../../helpers/prng.js';
import { evaluate } from '../../../src/core/evaluate.js';
import {
  CONFIG_ZONE,
  isLinkMode,
  type Attestation,
  type Change,
  type FileChange,
  type Finding,
  type Override,
  type Signal,
  type ToolId,
} from '../../../src/core/types.js';
import { sessionReviews } from '../../../src/check/change.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import type { Policy } from '../../../src/policy/compile.js';
import { safe, safePath, PLAIN } from '../../../src/escape.js';
import { renderText } from '../../../src/report/text.js';

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
  - name: bench-harness
    paths: ["benchmarks/*/harness/**"]
    ai: review
`;
const policies: [string, Policy][] = [
  ['insensitive, nfc', loadPolicyText(POLICY_TEXT, 'policy.yaml')],
  [
    'sensitive, no normalisation',
    loadPolicyText(POLICY_TEXT + 'matching: { case: sensitive, unicode: none }\n', 'policy.yaml'),
  ],
];

/** The evaluate of main before issue 14's second pass, verbatim in its logic. */
function referenceEvaluate(policy: Policy, change: Change): Finding[] {
  const findings: Finding[] = [];
  if (!change.signals.length) return findings;
  for (const file of change.files) {
    if (file.status === 'D') continue;
    const byTool = new Map<ToolId, { signal: Signal; share?: number }>();
    for (const s of change.signals) {
      if (s.paths) {
        const share = s.paths.get(file.path);
        if (share === undefined) continue;
        if (!byTool.has(s.tool))
          byTool.set(s.tool, s.source === 'ledger' ? { signal: s, share } : { signal: s });
        continue;
      }
      const prev = byTool.get(s.tool);
      if (!prev || prev.signal.paths) byTool.set(s.tool, { signal: s });
    }
    for (const [tool, { signal, share }] of byTool) {
      const { verdict, zone } = policy.verdictOfFile(file, tool);
      if (verdict === 'allow' || !zone) continue;
      const how =
        file.via !== undefined
          ? ` (written at ${file.via}, seen here through the link ${file.link ?? 'into the zone'})`
          : isLinkMode(file.mode)
            ? ' (a link: what it points at appears in the zone)'
            : '';
      const base = {
        commit: change.commit,
        path: file.path,
        zone: zone.name,
        tool,
        verdict,
        signal: signal.evidence,
        ...(share !== undefined ? { share } : {}),
      };
      // Content seen through a link: where it is stored and the link, last (seenThrough).
      const seen =
        file.via !== undefined
          ? { stored: file.via, ...(file.link !== undefined ? { link: file.link } : {}) }
          : {};
      const override = change.overrides.find((o) => !o.paths || o.paths.has(file.path));
      const review =
        verdict === 'review'
          ? change.attestations.find((a) => !a.paths || a.paths.has(file.path))
          : undefined;
      if (review) {
        findings.push({
          ...base,
          outcome: 'reviewed',
          by: review.by,
          message: `reviewed by ${review.by}`,
          ...seen,
        });
      } else if (override) {
        findings.push({
          ...base,
          outcome: 'overridden',
          by: override.by,
          message: `override by ${override.by}: ${override.reason}`,
          ...seen,
        });
      } else {
        findings.push({
          ...base,
          outcome: 'violation',
          message:
            verdict === 'deny'
              ? `zone ${zone.name} does not accept AI-attributed changes (${tool}), reviewed or not${how}`
              : `zone ${zone.name} accepts AI-attributed changes (${tool}) only with a human review attestation${how}`,
          ...seen,
        });
      }
    }
  }
  return findings;
}

/** safePath of main before the printable-ASCII shortcut. */
function referenceSafePath(path: string): string {
  const s = safe(path);
  return /[\s"'\\]/.test(s) || s !== path ? JSON.stringify(path).replace(/\\u001b/g, '\\x1b') : s;
}

const DIRS = [
  'evals/tasks',
  'EVALS/Tasks',
  'evals',
  'evals/harness',
  'evals/x',
  'data/train',
  'src',
  'données',
  'donne\u0301es',
  'src/answer_keys',
  'benchmarks',
  'benchmarks/b1',
  'benchmarks/b1/harness',
  '',
];
const NAMES = [
  'q.json',
  'a.jsonl',
  'run.py',
  'README.md',
  'answer_key.txt',
  'x y.txt',
  'q"1.json',
  'tab\t.json',
  'é.json',
  'e\u0301.json',
  '\u001b[31m.json',
  'back\\slash',
  'ok',
];
const TOOLS = ['claude-code', 'copilot', 'devin', 'codex'];

function randomChange(r: () => number, n: number): Change {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const files: FileChange[] = [];
  for (let i = 0; i < n; i++) {
    const dir = pick(DIRS);
    const mode = r() < 0.15 ? '120000' : r() < 0.05 ? '160000' : '100644';
    // A link or submodule at a directory leads into the zones below it.
    const path =
      mode !== '100644' && dir && r() < 0.5
        ? dir
        : `${dir ? dir + '/' : ''}${r() < 0.5 ? `f${i}-` : ''}${pick(NAMES)}`;
    const status = pick(['A', 'M', 'D', 'R', 'C', 'T'] as const);
    const f: FileChange = { status, path, blob: 'b'.repeat(40), mode };
    if (r() < 0.08) f.via = `src/link${i}/${pick(NAMES)}`;
    files.push(f);
  }
  const signals: Signal[] = [];
  const ns = Math.floor(r() * 4);
  for (let i = 0; i < ns; i++) {
    const tool = pick(TOOLS);
    if (r() < 0.5) {
      const paths = new Map<string, number>();
      for (const f of files) if (r() < 0.3) paths.set(f.path, Math.round(r() * 100) / 100);
      signals.push({ tool, source: 'ledger', evidence: `ledger ${i}`, paths });
    } else {
      signals.push({
        tool,
        source: pick(['env', 'trailer', 'marker'] as const),
        evidence: `seen ${i}\u001b`,
      });
    }
  }
  const some = (): ReadonlySet<string> | undefined =>
    r() < 0.5 ? undefined : new Set(files.filter(() => r() < 0.3).map((f) => f.path));
  const attestations: Attestation[] =
    r() < 0.3
      ? [
          {
            kind: 'trailer',
            by: 'Rita <r@x>',
            evidence: 'Reviewed-by: Rita <r@x>',
            ...(some() ? { paths: some()! } : {}),
          },
        ]
      : [];
  const overrides: Override[] =
    r() < 0.3
      ? [
          {
            by: 'Olga <o@x>',
            reason: 'vetted',
            evidence: 'Cleanroom-Override: …',
            ...(some() ? { paths: some()! } : {}),
          },
        ]
      : [];
  return { commit: r() < 0.5 ? null : 'c'.repeat(40), files, signals, attestations, overrides };
}

describe('issue 14 §4 shortcuts agree with the full computation', () => {
  for (const [name, policy] of policies) {
    it(`evaluate: the same findings, key order included (${name})`, () => {
      const r = prng(14);
      let judged = 0;
      for (let round = 0; round < 400; round++) {
        const c = randomChange(r, 1 + Math.floor(r() * 30));
        const want = referenceEvaluate(policy, c);
        expect(JSON.stringify(evaluate(policy, c))).toBe(JSON.stringify(want));
        judged += want.length;
      }
      expect(judged).toBeGreaterThan(500); // the inputs do reach the zones
    });

    it(`the agent-session note: same answer as every file's full verdict (${name})`, () => {
      const r = prng(4);
      let yes = 0;
      let linksIntoReview = 0;
      for (let round = 0; round < 400; round++) {
        const c = randomChange(r, 1 + Math.floor(r() * 8));
        for (const tool of [...TOOLS, 'an agent']) {
          const want = c.files.some(
            (f) => f.status !== 'D' && policy.verdictOfFile(f, tool).verdict === 'review',
          );
          expect(sessionReviews(policy, c.files, tool)).toBe(want);
          if (want) yes++;
          for (const f of c.files) {
            const one = f.status !== 'D' && policy.verdictOfFile(f, tool).verdict === 'review';
            expect(sessionReviews(policy, [f], tool)).toBe(one);
            // A link leading into a review zone its own path is not in: answered in full.
            if (one && policy.zonesFor(f.path).length === 0) linksIntoReview++;
          }
        }
      }
      expect(yes).toBeGreaterThan(100);
      expect(linksIntoReview).toBeGreaterThan(5);
    });
  }

  it('safePath: printable paths pass through, every other path as before', () => {
    const r = prng(7);
    const alphabet = [
      'a',
      'Z',
      '/',
      ' ',
      '"',
      "'",
      '\\',
      '\t',
      '\n',
      '\u001b',
      '\u007f',
      '\u0085',
      'é',
      '\u2028',
      '\u202e',
      '~',
      '!',
      '#',
      '(',
      '[',
      ']',
      '`',
      '{',
    ];
    for (let i = 0; i < 5000; i++) {
      let p = '';
      const n = Math.floor(r() * 8);
      for (let k = 0; k < n; k++) p += alphabet[Math.floor(r() * alphabet.length)];
      expect(safePath(p)).toBe(referenceSafePath(p));
    }
    for (let c = 0; c < 0x300; c++) {
      const p = `x${String.fromCharCode(c)}y`;
      expect(safePath(p)).toBe(referenceSafePath(p));
    }
  });

  it('the text report: the count of changed paths, in any order of findings', () => {
    const r = prng(21);
    const cases = { sorted: 0, other: 0 };
    for (let round = 0; round < 300; round++) {
      const n = 1 + Math.floor(r() * 12);
      const findings: Finding[] = [];
      for (let i = 0; i < n; i++) {
        const k = Math.floor(r() * 6);
        findings.push({
          commit: r() < 0.8 ? null : r() < 0.5 ? 'c'.repeat(40) : 'd'.repeat(40),
          path: r() < 0.1 ? '.cleanroom/policy.yaml' : `evals/tasks/f${k}.json`,
          zone: r() < 0.1 ? CONFIG_ZONE : 'eval-tasks',
          tool: 'claude-code',
          verdict: 'deny',
          signal: 's',
          outcome: 'violation',
          message: 'm',
        });
      }
      // Half the rounds in diff order (sorted by commit, then path), as evaluate gives them.
      if (r() < 0.5) {
        findings.sort((a, b) =>
          `${a.commit ?? ''}\0${a.path}` < `${b.commit ?? ''}\0${b.path}` ? -1 : 1,
        );
        cases.sorted++;
      } else cases.other++;
      const distinct = (config: boolean): number =>
        new Set(
          findings
            .filter((f) => (f.zone === CONFIG_ZONE) === config)
            .map((f) => `${f.commit ?? ''}\0${f.path}`),
        ).size;
      const ai = distinct(false);
      const cfg = distinct(true);
      const head = renderText({ findings, notes: [] }, { style: PLAIN, context: 'check' }).split(
        '\n',
      )[0]!;
      const want = [
        ai ? `${ai} AI-attributed change${ai === 1 ? '' : 's'} in protected zones` : '',
        cfg ? `${cfg} unapproved change${cfg === 1 ? '' : 's'} to the cleanroom policy` : '',
      ].filter(Boolean);
      expect(head).toBe(`cleanroom: violations found — ${want.join(', ')}`);
    }
    expect(cases.sorted).toBeGreaterThan(100);
  });

  it('the text report: one line per finding, as each finding says, in any mix', () => {
    const r = prng(9);
    const findings: Finding[] = [];
    for (let i = 0; i < 300; i++) {
      const share = r() < 0.3 ? Math.round(r() * 100) / 100 : undefined;
      findings.push({
        commit: r() < 0.8 ? null : 'c'.repeat(40),
        path: `evals/tasks/f${Math.floor(i / 2)}.json`,
        zone: r() < 0.5 ? 'eval-tasks' : 'eval-harness',
        tool: r() < 0.5 ? 'claude-code' : 'codex',
        verdict: r() < 0.5 ? 'deny' : 'review',
        signal: r() < 0.5 ? 'environment CLAUDECODE=1' : 'ledger \u001b[2J',
        outcome: 'violation',
        message: 'm',
        ...(share !== undefined ? { share } : {}),
      });
    }
    const text = renderText({ findings, notes: [] }, { style: PLAIN, context: 'check' });
    const lines = text.split('\n').filter((l) => l.startsWith('    zone '));
    expect(lines).toEqual(
      findings.map(
        (f) =>
          `    zone ${f.zone} (${f.verdict}) · tool ${f.tool}${f.share !== undefined ? `, ${Math.round(f.share * 100)}% of its lines` : ''} · seen: ${safe(f.signal)}`,
      ),
    );
  });
});
