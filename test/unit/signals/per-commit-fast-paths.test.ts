// Issue 14 §3/§4: reading a long history costs Node time per commit, so three small
// per-commit steps were rewritten without a regex or a copy per item. Each must answer
// exactly what the plain form answers, on hostile input too: a differential test against
// the plain form (kept here as the reference), over random strings drawn from the
// characters that matter (markers, blanks, CR, LF, NFKC and format characters, colons).

import { describe, expect, it } from 'vitest';
import { restrictView, detectSignals } from '../../../src/signals/detect.js';
import { trailerLikeLines } from '../../../src/signals/trailers.js';
import { twoPaths } from '../../../src/git/commits.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import builtinTools from '../../../src/policy/generated/builtin-tools.js';

/** restrictView as it was written before the fast path (the reference). */
function restrictViewReference(message: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(message);
  return (ascii ? message : message.normalize('NFKC'))
    .replace(/\p{Cf}/gu, '')
    .split('\n')
    .map((l) => l.replace(/^[ \t]*(?:[>*+\-\u2022][ \t]*)+/, ''))
    .join('\n');
}

/** The trailer key scan as it was: regex tests per character. */
function keyReference(line: string): string | undefined {
  let end = line.length;
  while (end > 0 && [' ', '\t', '\r'].includes(line[end - 1]!)) end--;
  let i = 0;
  while (i < end && (line[i] === ' ' || line[i] === '\t')) i++;
  const start = i;
  if (i >= end || !/[A-Za-z0-9]/.test(line[i]!)) return undefined;
  while (i < end && /[A-Za-z0-9-]/.test(line[i]!)) i++;
  const key = line.slice(start, i);
  while (i < end && (line[i] === ' ' || line[i] === '\t')) i++;
  return i < end && line[i] === ':' ? key : undefined;
}

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const ALPHABET = [
  'a',
  'Z',
  '0',
  '9',
  '-',
  '_',
  ':',
  ' ',
  '\t',
  '\r',
  '\n',
  '>',
  '*',
  '+',
  '\u2022',
  '@',
  '.',
  '<',
  '\u200b', // zero-width space (format)
  '\ufeff', // BOM (format)
  '\u00ad', // soft hyphen (format)
  '\uff1a', // full-width colon (NFKC → ':')
  '\uff21', // full-width A
  '\u00a0', // no-break space
  '\ud83d', // a lone surrogate
  'é',
  'Co-authored-by',
  'Assisted-by',
  'noreply@anthropic.com',
  'aider: ',
];

function text(rnd: () => number, max: number): string {
  let s = '';
  const n = Math.floor(rnd() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rnd() * ALPHABET.length)]!;
  return s;
}

describe('per-commit fast paths agree with their plain forms', () => {
  it('restrictView: the same view on 20,000 random messages, and on the cases by name', () => {
    const named = [
      '',
      'plain subject\n\nbody\n',
      '> Co-authored-by: Claude <noreply@anthropic.com>',
      'x\n  * - Assisted-by: gemini',
      'x\n\u2022 Generated-by: bot',
      'Co\u200b-authored-by: Claude <noreply@anthropic.com>',
      'Co-authored-by\uff1a Claude <noreply@anthropic.com>',
      '\ufeff> quoted after a BOM',
      '\u00a0> after a no-break space',
      'a\r\n> b\r\n',
    ];
    for (const m of named)
      expect(restrictView(m), JSON.stringify(m)).toBe(restrictViewReference(m));
    const rnd = random(14);
    for (let i = 0; i < 20_000; i++) {
      const m = text(rnd, 40);
      expect(restrictView(m), JSON.stringify(m)).toBe(restrictViewReference(m));
    }
  });

  it('trailer keys: the same lines and keys on 20,000 random lines', () => {
    const rnd = random(15);
    for (let i = 0; i < 20_000; i++) {
      const line = text(rnd, 12).replace(/\n/g, '');
      const got = trailerLikeLines(line)[0]?.key;
      expect(got, JSON.stringify(line)).toBe(keyReference(line));
    }
  });

  it('twoPaths: the regex /^:[^:].* [RC]\\d*$/ on every meta-like field', () => {
    const named = [
      ':100644 100644 aaa bbb R100',
      ':100644 100644 aaa bbb C075',
      ':100644 100644 aaa bbb R',
      ':100644 100644 aaa bbb M',
      '::100644 100644 100644 aaa bbb ccc RM',
      ':x R',
      ':: R',
      ':\n R1',
      ':x\r R1',
      ':xy\nz R1',
      ': R1',
      ':100644 100644 aaa bbb R1x',
      'R100',
    ];
    const rnd = random(16);
    const chars = [':', ' ', 'R', 'C', 'M', '0', '7', 'a', '\n', '\r', '\u00ff'];
    const fields = [...named];
    for (let i = 0; i < 20_000; i++) {
      let s = rnd() < 0.8 ? ':' : '';
      const n = Math.floor(rnd() * 10);
      for (let k = 0; k < n; k++) s += chars[Math.floor(rnd() * chars.length)]!;
      fields.push(s);
    }
    for (const f of fields) {
      const b = Buffer.from(f, 'latin1');
      expect(twoPaths(b), JSON.stringify(f)).toBe(/^:[^:].* [RC]\d*$/.test(b.toString('latin1')));
    }
  });

  it('detectSignals still finds a quoted or indented trailer, and not a plain subject (control)', () => {
    const tools = compileToolTable(builtinTools as ToolTableSpec);
    const ai = detectSignals(tools, {
      message: 'fix\n\n  > * Co-authored-by: Claude <noreply@anthropic.com>\n',
    });
    expect(ai.map((s) => s.tool)).toContain('claude-code');
    const human = detectSignals(tools, { message: 'fix the parser\n\nplain body\n' });
    expect(human).toEqual([]);
  });
});
