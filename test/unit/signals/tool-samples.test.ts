// policies/tools.yaml keeps its evidence beside each row: the real strings each tool
// wrote (examples, with the public commit or document where they were seen) and the
// look-alikes that must not count (decoys). The build refuses a table that fails them;
// these tests hold the same line, and show that the check can fail.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { trailerAttestations } from '../../../src/signals/attest.js';
import { checkToolSamples, sampleSignals } from '../../../src/signals/samples.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import { ROOT } from '../../helpers/repo.js';

const spec = parse(readFileSync(join(ROOT, 'policies', 'tools.yaml'), 'utf8')) as ToolTableSpec;
const table = compileToolTable(builtin as ToolTableSpec);

describe('policies/tools.yaml against its own evidence', () => {
  it('every example is detected as its tool, every decoy as nothing, no example identity reviews', () => {
    expect(checkToolSamples(spec)).toEqual([]);
  });

  it('covers the tools issue 12 names, each with a sourced example', () => {
    const ids = spec.tools.map((t) => t.id);
    for (const id of [
      'claude-code',
      'codex',
      'copilot',
      'cursor',
      'gemini',
      'aider',
      'devin',
      'jules',
      'openhands',
      'amp',
      'opencode',
      'cline',
      'roo-code',
      'windsurf',
      'warp',
      'qwen-code',
      'crush',
      'kiro',
      'amazon-q',
      'junie',
      'tabnine',
      'sweep',
      'coderabbit',
      'sourcery',
      'replit',
    ]) {
      expect(ids, id).toContain(id);
      const row = spec.tools.find((t) => t.id === id)!;
      expect(row.examples?.length, `${id} has examples`).toBeGreaterThan(0);
      for (const e of row.examples ?? [])
        expect(e.seen.length, `${id} example has a source`).toBeGreaterThan(3);
    }
  });

  it('every format aider has used is an example', () => {
    const aider = spec.tools.find((t) => t.id === 'aider')!.examples!;
    const text = JSON.stringify(aider);
    for (const form of [
      '<aider@aider.chat>',
      '<noreply@aider.dev>',
      '<noreply@aider.chat>',
      ' (aider) <',
      '"aider: ',
    ])
      expect(text).toContain(form);
    expect(aider.some((e) => e.committer?.includes('(aider)'))).toBe(true);
  });

  it('the check fails a table that loses a real tool', () => {
    const broken: ToolTableSpec = {
      ...spec,
      tools: spec.tools.map((t) =>
        t.id === 'aider' ? { ...t, emails: ['noreply@aider.chat', 'noreply@aider.dev'] } : t,
      ),
    };
    const failures = checkToolSamples(broken);
    expect(failures.filter((f) => f.includes('is not detected'))).toEqual([
      expect.stringContaining(
        'aider: example trailer "Co-authored-by: aider (gpt-5.4) <aider@aider.chat>"',
      ),
      expect.stringContaining('aider (openrouter/qwen/qwen3-coder)'),
    ]);
    // …and, its address unknown, that identity would pass for a human reviewer.
    expect(failures).toContainEqual(
      expect.stringContaining('aider (gpt-5.4) <aider@aider.chat> would count as a human reviewer'),
    );
  });

  it('the check fails a table that accuses a person', () => {
    const broken: ToolTableSpec = {
      ...spec,
      tools: spec.tools.map((t) =>
        t.id === 'cursor' ? { ...t, emails: [...(t.emails ?? []), '*@cursor.com'] } : t,
      ),
    };
    expect(checkToolSamples(broken)).toEqual([
      expect.stringMatching(
        /^cursor: decoy author "Jane Doe <jane@cursor.com>".* is detected as cursor/,
      ),
    ]);
  });

  it('the check fails a row with no example', () => {
    const broken: ToolTableSpec = {
      ...spec,
      tools: [...spec.tools, { id: 'newtool', emails: ['bot@newtool.example'] }],
    };
    expect(checkToolSamples(broken)).toEqual([expect.stringContaining('newtool: no examples')]);
  });

  it('a sample is one commit: the Gemini bare co-author line', () => {
    expect(
      sampleSignals(table, { seen: 'x', trailer: 'Co-authored-by: Gemini' }).map((s) => s.tool),
    ).toEqual(['gemini']);
    expect(sampleSignals(table, { seen: 'x', trailer: 'Co-authored-by: Gemini Smith' })).toEqual(
      [],
    );
  });
});

describe('an AI identity never counts as a human reviewer', () => {
  const rules = { trailer: 'Reviewed-by', independent: false };
  const review = (who: string) =>
    trailerAttestations(table, rules, { message: `Add task\n\nReviewed-by: ${who}\n` });
  const refused: [string, string][] = [
    [
      'the Copilot code review bot',
      'copilot-pull-request-reviewer[bot] <175728472+copilot-pull-request-reviewer[bot]@users.noreply.github.com>',
    ],
    ['CodeRabbit', 'coderabbitai[bot] <136622811+coderabbitai[bot]@users.noreply.github.com>'],
    ['Sourcery', 'sourcery-ai[bot] <58596630+sourcery-ai[bot]@users.noreply.github.com>'],
    [
      'Gemini Code Assist by its bot address',
      'gemini-code-assist[bot] <176961590+gemini-code-assist[bot]@users.noreply.github.com>',
    ],
    ['Gemini Code Assist by its product name only', 'Gemini Code Assist <review@corp.example>'],
    ['Claude by its product name, a personal address', 'Claude <claude@corp.example>'],
    ['Copilot by name', 'Copilot <copilot@corp.example>'],
    ['Cursor Bugbot by its app name', 'cursor[bot] <bugbot@corp.example>'],
    ['aider by its suffix', 'Hana Human (aider) <hana@example.org>'],
    ['aider by its address', 'aider (gpt-5.4) <aider@aider.chat>'],
  ];
  for (const [name, who] of refused) {
    it(`${name} is not a review`, () => {
      const r = review(who);
      expect(r.attestations).toEqual([]);
      expect(r.notes.join('\n')).toContain('AI identity');
    });
  }
  const humans: [string, string][] = [
    ['Claude Monet', 'Claude Monet <claude@monet.fr>'],
    ['Devin Smith', 'Devin Smith <devin@smith.dev>'],
    ['a person at cursor.com', 'Jane Doe <jane@cursor.com>'],
    ['Paul Gauthier by hand', 'Paul Gauthier <paul@aider.chat>'],
  ];
  for (const [name, who] of humans) {
    it(`${name} (a human) still reviews`, () =>
      expect(review(who).attestations.map((a) => a.by)).toEqual([who]));
  }
});
