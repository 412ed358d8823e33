// Policy text → compiled Policy, or every problem at once as FILE:LINE:COL with the fix.
// A typo must never silently disable a zone.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { globProblem } from '../../../src/policy/compile.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { parse } from 'yaml';
import { POLICY, ROOT } from '../../helpers/repo.js';

const FILE = '.cleanroom/policy.yaml';

/** `LINE:COL: message` for every problem, or [] when the policy compiles. */
function problems(text: string): string[] {
  try {
    loadPolicyText(text, FILE);
    return [];
  } catch (e) {
    if (!(e instanceof PolicyError)) throw e;
    for (const p of e.problems) expect(p.file).toBe(FILE);
    // The message a user sees is exactly FILE:LINE:COL: message, one per line.
    expect(e.message.split('\n')).toEqual(
      e.problems.map((p) => `${FILE}:${p.line}:${p.col}: ${p.message}`),
    );
    return e.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
  }
}

const zone = (extra = '') =>
  `version: 1\nrepository: example.org/r\nzones:\n  - name: tasks\n    paths: ["evals/tasks/**"]\n    ai: deny\n${extra}`;

describe('a valid policy compiles into a frozen Policy', () => {
  it('the test helpers POLICY', () => {
    const p = loadPolicyText(POLICY, FILE);
    expect(p.file).toBe(FILE);
    expect(p.repository).toBe('example.org/acme/evals');
    expect(p.zones.map((z) => [z.name, z.ai, z.read])).toEqual([
      ['eval-tasks', 'deny', 'deny'],
      ['eval-harness', 'review', 'allow'],
      ['training-data', 'deny', 'allow'],
    ]);
    expect(Object.fromEntries(p.zones[1]!.tools)).toEqual({ copilot: 'allow', devin: 'deny' });
    expect(p.review).toEqual({
      mode: 'trailer',
      trailer: 'Reviewed-by',
      reviewers: '.cleanroom/reviewers',
      independent: true,
    });
    expect(p.overrides).toEqual({ approvers: '.cleanroom/approvers' });
    expect(p.caseSensitive).toBe(false);
    expect(p.unicode).toBe('nfc');
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.zones)).toBe(true);
    expect(Object.isFrozen(p.zones[0])).toBe(true);
    expect(Object.isFrozen(p.review)).toBe(true);
  });

  it('defaults: review mode trailer, Reviewed-by, not independent', () => {
    const p = loadPolicyText(zone(), FILE);
    expect(p.review).toEqual({
      mode: 'trailer',
      trailer: 'Reviewed-by',
      reviewers: '.cleanroom/reviewers',
      independent: false,
    });
    expect(p.zones[0]!.read).toBe('allow');
    expect(p.zones[0]!.exclude).toEqual([]);
  });

  it('a policy-defined tool becomes a known tool id', () => {
    const p = loadPolicyText(
      zone(
        '    tools: { acme-agent: allow }\ntools:\n  - id: acme-agent\n    emails: ["agent@acme.internal"]\n',
      ),
      FILE,
    );
    expect(p.tools.ids.has('acme-agent')).toBe(true);
    expect(p.tools.toolForEmail('Agent@ACME.internal')).toBe('acme-agent');
    expect(p.verdictFor('evals/tasks/a', 'acme-agent').verdict).toBe('allow');
  });

  it('a row for a built-in id adds matchers to that tool without re-declaring it', () => {
    const p = loadPolicyText(
      zone('tools:\n  - id: claude-code\n    emails: ["claude-bot@corp.example"]\n'),
      FILE,
    );
    expect(p.tools.toolForEmail('claude-bot@corp.example')).toBe('claude-code');
    expect(p.tools.toolForEmail('noreply@anthropic.com')).toBe('claude-code');
    expect(problems(zone('tools:\n  - id: claude-code\n'))).toEqual([]);
  });
});

describe('shipped presets', () => {
  const dir = join(ROOT, 'policies', 'presets');
  const presets = readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
  it('there is at least the default preset', () => {
    expect(presets).toContain('eval-cleanroom.yaml');
  });
  for (const name of presets) {
    it(`${name} compiles and its policy test cases pass`, () => {
      const text = readFileSync(join(dir, name), 'utf8').replace(
        '__REPOSITORY__',
        'github.com/acme/metacode',
      );
      const p = loadPolicyText(text, FILE);
      const cases = (
        parse(readFileSync(join(dir, name.replace(/\.yaml$/, '.test.yaml')), 'utf8')) as {
          cases: { path: string; tool: string; expect: string }[];
        }
      ).cases;
      expect(cases.length).toBeGreaterThan(0);
      for (const c of cases)
        expect(`${c.path} ${c.tool} → ${p.verdictFor(c.path, c.tool).verdict}`).toBe(
          `${c.path} ${c.tool} → ${c.expect}`,
        );
    });
  }
  it('eval-cleanroom follows the contract (§3): tasks, answer keys, environment, training deny; harness review', () => {
    const text = readFileSync(join(dir, 'eval-cleanroom.yaml'), 'utf8').replace(
      '__REPOSITORY__',
      'x/y',
    );
    const p = loadPolicyText(text, FILE);
    const v = (path: string) =>
      `${p.verdictFor(path, 'unknown-ai').verdict}${p.readDenied(path).length ? '+read-deny' : ''}`;
    expect(v('evals/tasks/q1.json')).toBe('deny');
    expect(v('evals/questions/q1.md')).toBe('deny');
    expect(v('evals/answers/q1.txt')).toBe('deny');
    expect(v('evals/graders/exact.py')).toBe('deny');
    expect(v('evals/fixtures/repo/main.c')).toBe('deny+read-deny');
    expect(v('evals/prompts/system.txt')).toBe('deny+read-deny');
    expect(v('data/train/shard.parquet')).toBe('deny');
    expect(v('data/train/README.md')).toBe('allow');
    expect(v('evals/harness/run.py')).toBe('review');
    expect(v('evals/calibration/fit.py')).toBe('review');
    expect(v('src/app.ts')).toBe('allow');
  });
});

describe('every problem, each at FILE:LINE:COL with the fix', () => {
  const table: [string, string, string[]][] = [
    [
      'a typo in a top-level key, with did-you-mean',
      'version: 1\nrepository: x/y\nzone:\n  - { name: a, paths: [x], ai: deny }\n',
      [
        // "zones" is not also reported missing: the typo is one mistake, reported once.
        '3:1: unknown key "zone" in the policy — did you mean "zones"? (allowed: version, repository, matching, zones, review, overrides, tools) — unknown keys are errors so a typo cannot silently disable a rule',
      ],
    ],
    [
      'a typo in a zone key (exclude) with did-you-mean',
      zone('    exlude: ["evals/tasks/README.md"]\n'),
      [
        '7:5: unknown key "exlude" in zones.0 — did you mean "exclude"? (allowed: name, description, paths, exclude, ai, read, tools) — unknown keys are errors so a typo cannot silently disable a rule',
      ],
    ],
    [
      'a typo in review: independant',
      zone('review:\n  independant: true\n'),
      [
        '8:3: unknown key "independant" in review — did you mean "independent"? (allowed: mode, trailer, reviewers, independent) — unknown keys are errors so a typo cannot silently disable a rule',
      ],
    ],
    [
      'a typo in a tool row',
      zone('tools:\n  - id: acme\n    email: ["a@acme.example"]\n'),
      [
        '8:5: tool "acme" has nothing to detect it by — add emails, trailers, markers or env',
        '9:5: unknown key "email" in tools.0 — did you mean "emails"? (allowed: id, name, emails, trailers, markers, nameSuffixes, coauthorNames, subjectPrefixes, env, aliases, examples, decoys) — unknown keys are errors so a typo cannot silently disable a rule',
      ],
    ],
    [
      'a wrong verdict, with did-you-mean',
      'version: 1\nrepository: x/y\nzones:\n  - name: a\n    paths: [x]\n    ai: deni\n',
      [
        '6:9: "deni" is not allowed for zones.0.ai — did you mean "deny"? — use one of: deny, review, allow',
      ],
    ],
    [
      'a wrong verdict far from any, without a guess',
      'version: 1\nrepository: x/y\nzones:\n  - name: a\n    paths: [x]\n    ai: forbidden\n',
      ['6:9: "forbidden" is not allowed for zones.0.ai — use one of: deny, review, allow'],
    ],
    [
      'a boolean verdict (YAML no)',
      'version: 1\nrepository: x/y\nzones:\n  - name: a\n    paths: [x]\n    ai: false\n',
      ['6:9: false is not allowed for zones.0.ai — use one of: deny, review, allow'],
    ],
    [
      'a wrong per-tool verdict',
      zone('    tools: { copilot: maybe }\n'),
      ['7:23: "maybe" is not allowed for zones.0.tools.copilot — use one of: deny, review, allow'],
    ],
    [
      'a wrong read verdict',
      zone('    read: review\n'),
      ['7:11: "review" is not allowed for zones.0.read — use one of: allow, deny'],
    ],
    [
      'an unknown tool id, with did-you-mean',
      zone('    tools: { claud-code: allow }\n'),
      [
        '7:14: unknown tool id "claud-code" — did you mean "claude-code"? — known: aider, amazon-q, amp, claude-code, cline, coderabbit, codex, copilot, crush, cursor, devin, gemini, jules, junie, kiro, opencode, openhands, qwen-code, replit, roo-code, sourcery, sweep, tabnine, unknown-ai, warp, windsurf, or define it under tools:',
      ],
    ],
    [
      'a tool id in capitals',
      zone('    tools: { Copilot: allow }\n'),
      [
        '7:14: "Copilot" in zones.0.tools is not a valid tool id (lower-case letters, digits, . _ -) — write "copilot"',
      ],
    ],
    [
      'bad globs, each with its fix',
      'version: 1\nrepository: x/y\nzones:\n  - name: a\n    ai: deny\n    paths:\n      - "/evals/**"\n      - "./evals/x"\n      - "evals/"\n      - "evals/[ab"\n      - "evals/{a,b"\n      - "evals/a)"\n      - "evals\\\\tasks"\n      - "evals/../data/**"\n      - "  "\n      - "evals/[!_]*/**"\n',
      [
        '7:9: glob "/evals/**": globs are relative to the repository root — write "evals/**"',
        '8:9: glob "./evals/x": write "evals/x" without the leading "./"',
        '9:9: glob "evals/": a trailing "/" matches nothing — write "evals/**" for everything below it',
        '10:9: glob "evals/[ab": unbalanced "[" — close it',
        '11:9: glob "evals/{a,b": unbalanced "{" — close it',
        '12:9: glob "evals/a)": unbalanced ")" — escape it or add the opening "("',
        '13:9: glob "evals\\tasks": use "/" to separate folders (a backslash is an escape in globs)',
        '14:9: glob "evals/../data/**": a glob cannot contain "." or ".." segments',
        '15:9: glob "  ": an empty glob matches nothing — remove it or write a path',
        '16:9: glob "evals/[!_]*/**": write "[^…]" for "none of" — picomatch reads "[!…]" as the characters "!" and what follows, not as git and the shell do (for "!" itself, put it later: "[_!]")',
      ],
    ],
    [
      'a bad exclude glob',
      zone('    exclude: ["/evals/tasks/README.md"]\n'),
      [
        '7:15: glob "/evals/tasks/README.md": globs are relative to the repository root — write "evals/tasks/README.md"',
      ],
    ],
    [
      'an empty glob string',
      zone('    exclude: [""]\n'),
      ['7:15: zones.0.exclude.0 is empty — write a value'],
    ],
    [
      'an empty paths list',
      'version: 1\nrepository: x/y\nzones:\n  - { name: a, paths: [], ai: deny }\n',
      ['4:23: zones.0.paths is empty — list at least one entry'],
    ],
    [
      'paths as a string, not a list',
      'version: 1\nrepository: x/y\nzones:\n  - { name: a, paths: "evals/**", ai: deny }\n',
      ['4:23: zones.0.paths must be a list, e.g. ["evals/**"] (found "evals/**")'],
    ],
    [
      'duplicate zone names (case-insensitive)',
      'version: 1\nrepository: x/y\nzones:\n  - { name: tasks, paths: [a], ai: deny }\n  - { name: Tasks, paths: [b], ai: review }\n',
      ['5:13: zone name "Tasks" is used twice — zone names must be unique'],
    ],
    [
      'a zone name with a space',
      'version: 1\nrepository: x/y\nzones:\n  - { name: "my zone", paths: [a], ai: deny }\n',
      ['4:13: "my zone" is not a valid name (expected ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$)'],
    ],
    [
      'a missing verdict',
      'version: 1\nrepository: x/y\nzones:\n  - { name: a, paths: [a] }\n',
      [
        '4:5: zones.0 is missing "ai" — add it (cleanroom init writes a complete example; see README "The policy")',
      ],
    ],
    [
      'version 2',
      zone().replace('version: 1', 'version: 2'),
      ['1:10: version must be 1 (found 2)'],
    ],
    [
      'version as a string',
      zone().replace('version: 1', 'version: "1"'),
      ['1:10: version must be 1 (found "1")'],
    ],
    [
      'repository with a space',
      zone().replace('example.org/r', 'my repo'),
      ['2:13: "my repo" is not a valid repository (expected ^[^\\s]+$)'],
    ],
    [
      'an empty zones list',
      'version: 1\nrepository: x/y\nzones: []\n',
      ['3:8: zones is empty — list at least one entry'],
    ],
    [
      'zones as a mapping',
      'version: 1\nrepository: x/y\nzones:\n  a: { paths: [x], ai: deny }\n',
      [
        '4:3: zones must be a list (one "- item" per line) (found {"a":{"paths":["x"],"ai":"deny"}})',
      ],
    ],
    [
      'a list instead of a mapping',
      '- a\n- b\n',
      ['1:1: the policy must be a mapping (key: value) (found ["a","b"])'],
    ],
    [
      'a plain string',
      'hello\n',
      ['1:1: the policy must be a mapping (key: value) (found "hello")'],
    ],
    [
      'the reserved id unknown-ai',
      zone('tools:\n  - id: unknown-ai\n    emails: [a@b.example]\n'),
      ['8:9: "unknown-ai" is reserved for AI signals that name no tool — choose another id'],
    ],
    [
      'a review trailer with a colon',
      zone('review:\n  trailer: "Reviewed-by:"\n'),
      ['8:12: "Reviewed-by:" is not a valid trailer (expected ^[A-Za-z0-9][A-Za-z0-9-]{0,63}$)'],
    ],
    [
      'review mode typo',
      zone('review:\n  mode: signd\n'),
      [
        '8:9: "signd" is not allowed for review.mode — did you mean "signed"? — use one of: trailer, signed',
      ],
    ],
    [
      'matching typo',
      zone('matching:\n  case: insensitiv\n'),
      [
        '8:9: "insensitiv" is not allowed for matching.case — did you mean "insensitive"? — use one of: insensitive, sensitive',
      ],
    ],
  ];
  for (const [name, text, expected] of table) {
    it(name, () => {
      expect(problems(text)).toEqual(expected);
    });
  }

  it('empty file, whitespace or comments only: says run `cleanroom init`', () => {
    for (const text of ['', '\n\n', '# nothing here\n', '---\n']) {
      expect(problems(text)).toEqual([
        '1:1: the policy is empty — run `cleanroom init` to write one',
      ]);
    }
  });

  it('malformed YAML is located where it breaks', () => {
    expect(
      problems('version: 1\nrepository: x/y\nzones: [ { name: a, paths: [x], ai: deny }\n'),
    ).toEqual([
      // the bracket is never closed: git-style, the error is where the input ends
      '4:1: YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ] — fix the YAML at this position',
    ]);
    expect(
      problems('version: 1\nrepository: x/y\nzones:\n\t- { name: a, paths: [x], ai: deny }\n')[0],
    ).toMatch(/^4:1: YAML syntax: Tabs are not allowed as indentation/);
    expect(problems('version: 1\nrepository: x/y\nrepository: z\nzones: []\n')).toEqual([
      '3:1: YAML syntax: Map keys must be unique — fix the YAML at this position',
    ]);
    expect(
      problems(
        'version: 1\nrepository: x/y\nzones:\n  - name: a\n    paths: [x]\n    ai: deny\n  name: b\n',
      ),
    ).toEqual([
      '7:1: YAML syntax: All mapping items must start at the same column — fix the YAML at this position',
    ]);
  });

  it('an alias bomb is refused, not expanded', () => {
    const bomb = ['version: 1', 'repository: x/y', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++)
      bomb.push(
        `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(9)
          .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
          .join(',')}]`,
      );
    const got = problems(bomb.join('\n') + '\nzones: []\n');
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(/^1:1: YAML: .*alias.* — write the policy without aliases$/i);
  });

  it('a policy over 1 MiB is refused', () => {
    expect(problems(zone() + `# ${'x'.repeat(1024 * 1024)}\n`)).toEqual([
      '1:1: the policy is larger than 1 MiB — it cannot be a real policy',
    ]);
  });

  it('schema problems and meaning problems come out together, in file order', () => {
    const text = [
      'version: 1', //                                       1
      'repository: x/y', //                                  2
      'zones:', //                                           3
      '  - name: a', //                                      4
      '    pahts: ["evals/**"]', //                          5
      '    ai: deni', //                                     6
      '    tools: { claud-code: deny, copilot: maybe }', //  7
      '  - name: A', //                                      8
      '    paths: ["/evals/**", "evals/[abc", ""]', //       9
      '    ai: deny', //                                    10
      'review:', //                                         11
      '  mode: signd', //                                   12
      '  independant: true', //                             13
      '',
    ].join('\n');
    const got = problems(text);
    const want = [
      '5:5: unknown key "pahts" in zones.0 — did you mean "paths"?',
      '6:9: "deni" is not allowed for zones.0.ai — did you mean "deny"?',
      '7:14: unknown tool id "claud-code" — did you mean "claude-code"?',
      '7:41: "maybe" is not allowed for zones.0.tools.copilot',
      '8:11: zone name "A" is used twice',
      '9:13: glob "/evals/**": globs are relative to the repository root',
      '9:26: glob "evals/[abc": unbalanced "["',
      '9:40: zones.1.paths.2 is empty — write a value',
      '12:9: "signd" is not allowed for review.mode — did you mean "signed"?',
      '13:3: unknown key "independant" in review — did you mean "independent"?',
    ];
    expect(got).toHaveLength(want.length);
    got.forEach((p, i) =>
      expect(p.startsWith(want[i]!), `${p}\n  should start with\n${want[i]}`).toBe(true),
    );
  });
});

describe('globProblem', () => {
  const ok = [
    'evals/**',
    'evals/**/*.jsonl',
    '**/answer_key*',
    '.cleanroom/**',
    'evals/{a,b}/**',
    'evals/[abc]/x',
    'evals/+(a|b)/x',
    'évals/tâches/**',
    'a b/c',
  ];
  for (const g of ok) it(`accepts ${g}`, () => expect(globProblem(g)).toBeUndefined());
  it('refuses a NUL byte', () =>
    expect(globProblem('evals/\0x')).toBe('a glob cannot contain a NUL byte'));
  it('refuses a "." segment', () =>
    expect(globProblem('evals/./x')).toBe('a glob cannot contain "." or ".." segments'));
});
