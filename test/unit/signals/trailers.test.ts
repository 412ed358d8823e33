// The pure pieces of message parsing. (The differential test against git itself is in
// test/repo/core/trailers-vs-git.test.ts.)

import { describe, expect, it } from 'vitest';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import {
  cleanupMessage,
  findSeparator,
  parseIdentity,
  parseTrailers,
  trailerLikeLines,
} from '../../../src/signals/trailers.js';

describe('parseIdentity', () => {
  const table: [string, ReturnType<typeof parseIdentity>][] = [
    ['Jane Doe <jane@x.org>', { name: 'Jane Doe', email: 'jane@x.org' }],
    ['  Jane Doe   <jane@x.org>  ', { name: 'Jane Doe', email: 'jane@x.org' }],
    ['<jane@x.org>', { name: '', email: 'jane@x.org' }],
    ['jane@x.org', { name: '', email: 'jane@x.org' }],
    [
      'aider (gpt-4o) <noreply@aider.chat>',
      { name: 'aider (gpt-4o)', email: 'noreply@aider.chat' },
    ],
    ['Jane Doe', undefined],
    ['Jane <not an email>', undefined],
    ['Jane <jane@x.org> trailing', undefined],
    ['', undefined],
  ];
  for (const [value, expected] of table)
    it(JSON.stringify(value), () => expect(parseIdentity(value)).toEqual(expected));
});

describe('findSeparator (git find_separator with ":")', () => {
  const table: [string, number][] = [
    ['Key: v', 3],
    ['Key : v', 4],
    ['Two words: v', -1],
    ['Key', -1],
    [': v', 0],
    [' Key: v', -1],
    ['Ke_y: v', -1],
    ['Key\n: v', -1],
    ['Réf: v', -1],
  ];
  for (const [line, at] of table)
    it(JSON.stringify(line), () => expect(findSeparator(line)).toBe(at));
});

describe('trailerLikeLines (liberal)', () => {
  it('finds Key: value lines anywhere, trimmed, CR dropped', () => {
    expect(
      trailerLikeLines(
        'Title: x\n\nprose\n  Co-authored-by:  A <a@b.c>  \r\nnot: \nhttp://x\n# Key: comment\n',
      ).map((t) => t.text),
    ).toEqual(['Title: x', 'Co-authored-by: A <a@b.c>', 'not: ', 'http: //x']);
  });
  it('reads long lines, but shortens the evidence shown to users', () => {
    const [t] = trailerLikeLines(`Key: ${'x'.repeat(5000)}`);
    expect(t!.value).toHaveLength(5000);
    expect(t!.text).toBe(`Key: ${'x'.repeat(495)}…`);
  });
  it('stays linear on hostile lines (1 MB of spaces, of key characters, of "<")', () => {
    const t0 = Date.now();
    trailerLikeLines(' '.repeat(1 << 20) + 'x');
    trailerLikeLines('a'.repeat(1 << 20));
    trailerLikeLines(`Key: ${'<'.repeat(1 << 20)}>`);
    parseIdentity(`${'a '.repeat(1 << 19)}<${'b'.repeat(1 << 19)}`);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('parseTrailers on messages as commit-msg and the server see them', () => {
  it('key, value and recognisable text', () => {
    expect(parseTrailers('Add\n\nReviewed-by:   Rita <r@x.org>  \n')).toEqual([
      { key: 'Reviewed-by', value: 'Rita <r@x.org>', text: 'Reviewed-by: Rita <r@x.org>' },
    ]);
  });
  it('noDivider: a --- line does not hide what follows', () => {
    const m = 'Add\n\nbody\n---\n\nReviewed-by: Rita <r@x.org>\n';
    expect(parseTrailers(m).map((t) => t.key)).toEqual([]);
    expect(parseTrailers(m, { noDivider: true }).map((t) => t.key)).toEqual(['Reviewed-by']);
  });
  it('asked again of the same message (the last answer is kept): the same trailers, per option, in a fresh array', () => {
    const m = 'Add\n\nReviewed-by: Rita <r@x.org>\nSigned-off-by: S <s@x.org>\n';
    const first = parseTrailers(m, { noDivider: true });
    expect(first.map((t) => t.key)).toEqual(['Reviewed-by', 'Signed-off-by']);
    first.pop();
    expect(parseTrailers(m, { noDivider: true }).map((t) => t.key)).toEqual([
      'Reviewed-by',
      'Signed-off-by',
    ]);
    // A different option or comment character is not answered from the kept one.
    const d = 'Add\n\nbody\n---\n\nReviewed-by: Rita <r@x.org>\n; comment\n';
    expect(parseTrailers(d, { noDivider: true, commentChar: ';' }).map((t) => t.key)).toEqual([
      'Reviewed-by',
    ]);
    expect(parseTrailers(d, { noDivider: true }).map((t) => t.key)).toEqual([]);
    expect(parseTrailers(d, { commentChar: ';' }).map((t) => t.key)).toEqual([]);
    expect(parseTrailers(d, { noDivider: true, commentChar: ';' })).toHaveLength(1);
  });
  it('a custom comment character', () => {
    expect(
      parseTrailers('Add\n\nReviewed-by: R <r@x.org>\n; comment\n', { commentChar: ';' }).map(
        (t) => t.key,
      ),
    ).toEqual(['Reviewed-by']);
  });
});

describe('cleanupMessage', () => {
  it('drops comments, trailing space, surrounding and repeated blank lines', () => {
    expect(cleanupMessage('\n\nAdd  \n\n\n\nbody\t\n# comment\n\n')).toBe('Add\n\nbody\n');
  });
  it('cuts at the scissors line', () => {
    expect(
      cleanupMessage(
        'Add\n# ------------------------ >8 ------------------------\ndiff --git a/x b/x\n',
      ),
    ).toBe('Add\n');
  });
  it('an empty message stays empty', () => expect(cleanupMessage('# only\n#comments\n')).toBe(''));
});

describe('toolForName (Assisted-by values)', () => {
  const table = compileToolTable(builtin as ToolTableSpec);
  const cases: [string, string | undefined][] = [
    ['claude', 'claude-code'],
    ['Claude Code', 'claude-code'],
    ['claude-code:opus-4.5', 'claude-code'],
    ['claude-code/1.0.3', 'claude-code'],
    ['Claude Code (opus)', 'claude-code'],
    ['codex-cli:gpt-5-codex', 'codex'],
    ['GitHub Copilot', 'copilot'],
    ['cursor-agent', 'cursor'],
    ['gemini-cli:gemini-2.5-pro', 'gemini'],
    ['aider', 'aider'],
    ['unknown-ai', undefined],
    ['gpt-4o', undefined],
    ['', undefined],
    ['claudette', undefined],
  ];
  for (const [value, tool] of cases)
    it(JSON.stringify(value), () => expect(table.toolForName(value)).toBe(tool));
});
