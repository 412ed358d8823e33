// Which zone and verdict a path gets. Globs match the repository-relative path, dotfiles
// included, case-insensitively and after NFC normalisation (docs/design/contract.md §3): a zone must not
// be dodged by `Evals/Tasks/…`, a decomposed accent, a dotfile or a newline in a name.

import { describe, expect, it } from 'vitest';
import type { Policy } from '../../../src/policy/compile.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { POLICY } from '../../helpers/repo.js';

const policy = loadPolicyText(POLICY, 'policy.yaml');

const ACCENTS = `version: 1
repository: x/y
zones:
  - name: taches
    paths: ["évals/tâches/**"]
    ai: deny
  - name: answers
    paths: ["**/answer_key*", ".secret/**"]
    ai: deny
`;

/** zone names holding `path` and the verdict for `tool`. */
const where = (p: Policy, path: string, tool = 'unknown-ai'): string => {
  const v = p.verdictFor(path, tool);
  return `${
    p
      .zonesFor(path)
      .map((z) => z.name)
      .join('+') || '-'
  } → ${v.verdict}${v.zone ? ` (${v.zone.name})` : ''}`;
};

describe('zones and verdicts for paths (the helpers POLICY)', () => {
  const table: [string, string, string][] = [
    ['evals/tasks/q1.json', 'unknown-ai', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/deep/er/q1.json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['EVALS/Tasks/x.json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['Evals/TASKS/X.JSON', 'codex', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/.hidden', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/.git-keep/.x', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/a\nb.json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/a"b\'c.json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/\ufffd.json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/tasks/[x].json', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/x.jsonl', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/a/b/c.JSONL', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/a\nb/c.jsonl', 'claude-code', 'eval-tasks → deny (eval-tasks)'],
    ['evals/harness/run.py', 'claude-code', 'eval-harness → review (eval-harness)'],
    ['evals/harness/run.py', 'unknown-ai', 'eval-harness → review (eval-harness)'],
    ['evals/harness/run.py', 'copilot', 'eval-harness → allow (eval-harness)'],
    ['evals/harness/run.py', 'devin', 'eval-harness → deny (eval-harness)'],
    // strictest wins: in eval-harness (copilot: allow) and eval-tasks (deny) at once
    ['evals/harness/data.jsonl', 'copilot', 'eval-tasks+eval-harness → deny (eval-tasks)'],
    ['evals/harness/data.jsonl', 'claude-code', 'eval-tasks+eval-harness → deny (eval-tasks)'],
    ['evals/harness/data.jsonl', 'devin', 'eval-tasks+eval-harness → deny (eval-tasks)'],
    ['data/train/shard-1.parquet', 'claude-code', 'training-data → deny (training-data)'],
    ['data/train/README.md', 'claude-code', '- → allow'],
    // An exclude matches exactly: another case is another file on a case-sensitive checkout.
    ['DATA/TRAIN/readme.MD', 'claude-code', 'training-data → deny (training-data)'],
    ['DATA/TRAIN/README.md', 'claude-code', 'training-data → deny (training-data)'],
    ['data/train/sub/README.md', 'claude-code', 'training-data → deny (training-data)'],
    ['src/app.ts', 'claude-code', '- → allow'],
    ['evals/README.md', 'claude-code', '- → allow'],
    ['evals/taskset/q.json', 'claude-code', '- → allow'],
    ['xevals/tasks/q.json', 'claude-code', '- → allow'],
    ['vendor/evals/tasks/q.json', 'claude-code', '- → allow'],
  ];
  for (const [path, tool, expected] of table) {
    it(`${JSON.stringify(path)} for ${tool}`, () =>
      expect(where(policy, path, tool)).toBe(expected));
  }
});

describe('Unicode: NFC vs NFD', () => {
  const p = loadPolicyText(ACCENTS, 'policy.yaml');
  const nfc = 'évals/tâches/q.json'.normalize('NFC');
  const nfd = 'évals/tâches/q.json'.normalize('NFD');
  it('the test strings really differ', () => expect(nfc).not.toBe(nfd));
  it('an NFC path matches an NFC glob', () => expect(where(p, nfc)).toBe('taches → deny (taches)'));
  it('an NFD path (macOS) matches the NFC glob', () =>
    expect(where(p, nfd)).toBe('taches → deny (taches)'));
  it('an upper-case NFD path matches too', () =>
    expect(where(p, nfd.toUpperCase())).toBe('taches → deny (taches)'));
  it('a glob written in NFD matches an NFC path', () => {
    const q = loadPolicyText(
      ACCENTS.replace('évals/tâches/**', 'évals/tâches/**'.normalize('NFD')),
      'policy.yaml',
    );
    expect(where(q, nfc)).toBe('taches → deny (taches)');
  });
  it('unicode: none matches only the exact form', () => {
    const q = loadPolicyText(ACCENTS + 'matching: { unicode: none }\n', 'policy.yaml');
    expect(where(q, nfc)).toBe('taches → deny (taches)');
    expect(where(q, nfd)).toBe('- → allow');
  });
});

describe('code points HFS+ ignores (Git utf8.c next_hfs_char)', () => {
  const p = loadPolicyText(POLICY, 'policy.yaml');
  // Each opens evals/tasks/q.json on an HFS+ checkout: the same directory, so the same zone.
  const hidden = '\u200c\u200d\u200e\u200f\u202a\u202e\u206a\u206f\ufeff'.split('');
  const cases = hidden.map((c) => [c.codePointAt(0)!.toString(16).toUpperCase(), c] as const);
  it.each(cases)('U+%s inside a zone directory name is still that zone', (_hex, c) => {
    expect(where(p, `evals${c}/tasks/q.json`)).toBe('eval-tasks → deny (eval-tasks)');
    expect(where(p, `ev${c}als/TASKS${c}/q.json`)).toBe('eval-tasks → deny (eval-tasks)');
  });
  it('a joiner between a letter and its accent hides neither (left out, then NFC)', () => {
    const q = loadPolicyText(ACCENTS, 'policy.yaml');
    expect(where(q, '\u00e9vals/ta\u200d\u0302ches/q.json')).toBe('taches → deny (taches)');
  });
  it('unicode: none compares the bytes, joiners included', () => {
    const q = loadPolicyText(POLICY + 'matching: { unicode: none }\n', 'policy.yaml');
    expect(where(q, 'evals\u200c/tasks/q.json')).toBe('- → allow');
  });
  it('human control: a visible non-ASCII letter still makes another name', () =>
    expect(where(p, 'evals\u00e9/tasks/q.json')).toBe('- → allow'));
});

describe('excludes match the path exactly (folding an exclude would widen it)', () => {
  const p = loadPolicyText(
    `version: 1
repository: x/y
zones:
  - name: tasks
    paths: ["evals/tasks/**"]
    exclude: ["evals/tasks/examples/**", "evals/tasks/caf\u00e9/**"]
    ai: deny
`,
    'policy.yaml',
  );
  it('the excluded directory as written leaves the zone', () =>
    expect(where(p, 'evals/tasks/examples/q.json')).toBe('- → allow'));
  it.each([
    ['another case', 'evals/tasks/EXAMPLES/q.json'],
    ['a code point HFS+ ignores', 'evals/tasks/exam\u200cples/q.json'],
    ['NFD where the glob is NFC', 'evals/tasks/cafe\u0301/q.json'],
  ])('%s stays in the zone', (_what, path) => expect(where(p, path)).toBe('tasks → deny (tasks)'));
  it.each([
    // A glob that wants one more character, or excludes one, is met by a character a
    // case- or normalisation-insensitive checkout folds away: that spelling stays in.
    // Last, a spelling the glob meets both ways, excluded (the control).
    ['bench/draft?/**', 'bench/draft\u200c/q.json', 'bench/drafts/q.json'],
    ['evals/tasks/[^_]*/**', 'evals/tasks/\u200c_keep/q.json', 'evals/tasks/keep/q.json'],
    ['evals/tasks/[^t]*/**', 'evals/tasks/Train/q.json', 'evals/tasks/rain/q.json'],
  ])('exclude %j: %j stays in the zone (control %j is out)', (glob, path, control) => {
    const q = loadPolicyText(
      `version: 1\nrepository: x/y\nzones:\n  - name: z\n    paths: ["bench/**", "evals/**"]\n    exclude: [${JSON.stringify(glob)}]\n    ai: deny\n`,
      'policy.yaml',
    );
    expect(where(q, path)).toBe('z → deny (z)');
    expect(where(q, control)).toBe('- → allow');
  });
  it('while the zone itself folds: EVALS/Tasks/ is in it', () =>
    expect(where(p, 'EVALS/Tasks/q.json')).toBe('tasks → deny (tasks)'));
});

describe('case and dotfiles', () => {
  const p = loadPolicyText(ACCENTS, 'policy.yaml');
  it('**/answer_key* matches at any depth, any case', () => {
    expect(where(p, 'answer_key.txt')).toBe('answers → deny (answers)');
    expect(where(p, 'a/b/ANSWER_KEY_v2.csv')).toBe('answers → deny (answers)');
  });
  it('a dot directory in the glob matches its files', () =>
    expect(where(p, '.secret/k/.env')).toBe('answers → deny (answers)'));
  it('case: sensitive turns case folding off', () => {
    const q = loadPolicyText(POLICY + 'matching: { case: sensitive }\n', 'policy.yaml');
    expect(q.caseSensitive).toBe(true);
    expect(where(q, 'evals/tasks/x.json')).toBe('eval-tasks → deny (eval-tasks)');
    expect(where(q, 'EVALS/Tasks/x.json')).toBe('- → allow');
    expect(where(q, 'evals/tasks/a\nb')).toBe('eval-tasks → deny (eval-tasks)');
  });
});

describe('exclude and read: deny', () => {
  it('exclude takes a path out of its zone only', () => {
    const p = loadPolicyText(
      `version: 1\nrepository: x/y\nzones:\n  - { name: a, paths: ["data/**"], exclude: ["data/**/*.md"], ai: deny }\n  - { name: b, paths: ["data/docs/**"], ai: review }\n`,
      'p.yaml',
    );
    expect(where(p, 'data/x.csv')).toBe('a → deny (a)');
    expect(where(p, 'data/x.md')).toBe('- → allow');
    expect(where(p, 'data/docs/x.md')).toBe('b → review (b)');
    expect(where(p, 'data/docs/x.csv')).toBe('a+b → deny (a)');
  });
  it('readDenied lists zones with read: deny', () => {
    expect(policy.readDenied('evals/tasks/q.json').map((z) => z.name)).toEqual(['eval-tasks']);
    expect(policy.readDenied('EVALS/TASKS/q.json').map((z) => z.name)).toEqual(['eval-tasks']);
    expect(policy.readDenied('evals/harness/run.py')).toEqual([]);
  });
});

describe('strictest wins across zones and tools', () => {
  const p = loadPolicyText(
    `version: 1
repository: x/y
zones:
  - { name: open, paths: ["lib/**"], ai: allow, tools: { devin: deny } }
  - { name: reviewed, paths: ["lib/core/**"], ai: review, tools: { copilot: allow } }
  - { name: closed, paths: ["lib/core/secret/**"], ai: deny }
`,
    'p.yaml',
  );
  const table: [string, string, string][] = [
    ['lib/x.ts', 'claude-code', 'open → allow (open)'],
    ['lib/x.ts', 'devin', 'open → deny (open)'],
    ['lib/core/x.ts', 'claude-code', 'open+reviewed → review (reviewed)'],
    ['lib/core/x.ts', 'copilot', 'open+reviewed → allow (open)'],
    ['lib/core/x.ts', 'devin', 'open+reviewed → deny (open)'],
    ['lib/core/secret/k', 'copilot', 'open+reviewed+closed → deny (closed)'],
  ];
  for (const [path, tool, expected] of table)
    it(`${path} for ${tool}`, () => expect(where(p, path, tool)).toBe(expected));
});
