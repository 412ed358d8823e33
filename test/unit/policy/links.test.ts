// Links are content at their own path (docs/design/contract.md §3): the pure rule, as tables. Which
// zones a symlink or gitlink at a path puts content into, where a symlink points, and at
// which paths content written at a link's target is seen.

import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../src/core/evaluate.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import {
  aliasesOf,
  globCouldMatchUnder,
  globSegments,
  linkZones,
  resolveLinkTarget,
  withLinkAliases,
} from '../../../src/policy/links.js';
import { POLICY } from '../../helpers/repo.js';

const policy = loadPolicyText(
  POLICY.replace(
    'zones:\n',
    'zones:\n  - name: bench-tasks\n    paths: ["benchmarks/*/tasks/**"]\n    ai: deny\n  - name: keys\n    paths: ["**/answer_key*", "{x,y/z}/w/**"]\n    ai: deny\n',
  ),
  'policy.yaml',
);

describe('could a zone glob match below this directory?', () => {
  const table: [string, string, boolean][] = [
    ['evals/**/*.jsonl', 'evals/extra', true],
    ['evals/**/*.jsonl', 'evals', true],
    ['evals/**/*.jsonl', 'src/jl', false],
    ['evals/tasks/**', 'evals', true],
    ['evals/tasks/**', 'evals/tasks', true],
    ['evals/tasks/**', 'evals/other', false],
    ['benchmarks/*/tasks/**', 'benchmarks/arith', true],
    ['benchmarks/*/tasks/**', 'benchmarks', true],
    ['benchmarks/*/tasks/**', 'benchmarks/arith/docs', false],
    ['**/answer_key*', 'anything/at/all', true],
    ['data/train/**', 'Data/Train', true], // case-insensitive like every match
    ['evals/q.json', 'evals/q.json', false], // nothing below a file path
  ];
  for (const [glob, dir, want] of table) {
    it(`${glob} below ${dir} → ${want}`, () =>
      expect(globCouldMatchUnder(glob, dir.split('/'))).toBe(want));
  }
  it('a brace group with a "/" over-approximates (anything below its fixed part)', () => {
    expect(globSegments('{x,y/z}/w/**')).toEqual(['**']);
    expect(globSegments('a/{b,c/d}/e')).toEqual(['a', '**']);
    expect(globSegments('evals/**/*.jsonl')).toEqual(['evals', '**', '*.jsonl']);
  });
});

describe('the zones a link at a path puts content into', () => {
  const table: [string, string[]][] = [
    ['evals/extra', ['eval-tasks', 'keys']],
    ['evals', ['eval-tasks', 'eval-harness', 'keys']],
    ['benchmarks/arith', ['bench-tasks', 'keys']],
    ['evals/tasks/q1.json', ['eval-tasks', 'keys']],
    ['src/jl', ['keys']], // **/answer_key* could match below any directory
  ];
  for (const [path, zones] of table)
    it(`${path} → ${zones.join(', ')}`, () =>
      expect(
        linkZones(policy, path)
          .map((z) => z.name)
          .sort(),
      ).toEqual([...zones].sort()));
});

describe('where a symlink points (relative to its directory)', () => {
  const table: [string, string, string | undefined][] = [
    ['evals/extra', '../src/jl', 'src/jl'],
    ['evals', 'generated/', 'generated'],
    ['benchmarks/arith', '../src/gen', 'src/gen'],
    ['a/b/c', './d/../e', 'a/b/e'],
    ['evals/extra', '/etc', undefined], // absolute: outside the repository
    ['evals/extra', '../../..', undefined], // climbs out
    ['evals', '.', ''], // the root itself: every path is seen through it
  ];
  for (const [link, target, want] of table)
    it(`${link} -> ${target} = ${want}`, () => expect(resolveLinkTarget(link, target)).toBe(want));
});

describe('content written at a link target is seen at the linked path', () => {
  const links = [
    { path: 'evals/extra', target: 'src/jl' },
    { path: 'src/jl', target: 'gen' }, // a link of a link
  ];
  it('maps a path under the target, following links of links', () => {
    expect(aliasesOf('src/jl/more.jsonl', links)).toEqual(['evals/extra/more.jsonl']);
    expect(aliasesOf('gen/x.jsonl', links)).toEqual(['src/jl/x.jsonl', 'evals/extra/x.jsonl']);
    expect(aliasesOf('src/jlx/more.jsonl', links)).toEqual([]);
    expect(aliasesOf('src/jl', links)).toEqual(['evals/extra']);
  });
  it('case-insensitive policies compare targets ignoring case (macOS and Windows checkouts)', () => {
    expect(aliasesOf('src/jl/x.jsonl', [{ path: 'evals/extra', target: 'SRC/jl' }], true)).toEqual([
      'evals/extra/x.jsonl',
    ]);
    expect(aliasesOf('src/jl/x.jsonl', [{ path: 'evals/extra', target: 'SRC/jl' }])).toEqual([]);
  });
  it('a link to the root shows every path below it, at any depth (the link itself is named: judged in every zone below it)', () => {
    expect(aliasesOf('src/a.jsonl', [{ path: 'evals/all', target: '' }])).toEqual([
      'evals/all/src/a.jsonl',
      'evals/all',
    ]);
  });
  it('a loop of links ends', () => {
    expect(
      aliasesOf('a/x', [
        { path: 'b', target: 'a' },
        { path: 'a', target: 'b' },
      ]).length,
    ).toBeLessThan(10);
  });

  const signals = [
    {
      tool: 'claude-code',
      source: 'trailer' as const,
      evidence: 'Co-authored-by: Claude <noreply@anthropic.com>',
    },
  ];
  const change = (files: Parameters<typeof withLinkAliases>[0]) => ({
    commit: 'c',
    files,
    signals,
    attestations: [],
    overrides: [],
  });
  it('evaluate judges the aliased path, and the link itself at its path', () => {
    const files = withLinkAliases(
      [{ status: 'A', path: 'src/jl/more.jsonl', blob: 'b1', mode: '100644' }],
      [links[0]!],
    );
    const f = evaluate(policy, change(files));
    expect(f.map((x) => `${x.path} ${x.zone} ${x.outcome}`)).toEqual([
      'evals/extra/more.jsonl eval-tasks violation',
    ]);
    expect(f[0]!.message).toContain('written at src/jl/more.jsonl');
    const link = evaluate(
      policy,
      change([{ status: 'A', path: 'evals/extra', blob: 'b2', mode: '120000' }]),
    );
    expect(link.map((x) => `${x.path} ${x.verdict} ${x.outcome}`)).toEqual([
      'evals/extra deny violation',
    ]);
    const gitlink = evaluate(
      policy,
      change([{ status: 'A', path: 'benchmarks/arith', blob: 'b3', mode: '160000' }]),
    );
    expect(gitlink.map((x) => `${x.path} ${x.zone}`)).toEqual(['benchmarks/arith bench-tasks']);
  });
  it('control: a regular file at a link-worthy path is judged at its own path only', () => {
    expect(
      evaluate(
        policy,
        change([{ status: 'A', path: 'benchmarks/arith', blob: 'b3', mode: '100644' }]),
      ),
    ).toEqual([]);
  });
});
