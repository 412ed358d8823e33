// Issue 14 §3/§4: reading a long history costs Node time per commit, so three small
// per-commit steps were rewritten without a regex or a copy per item. Each must answer
// exactly what the plain form answers, on hostile input too: a differential test against
// the plain form (kept here as the reference), over random strings drawn from the
// characters that matter (markers, blanks, CR, LF, NFKC and format characters, colons).

import { describe, expect, it } from 'vitest';
import {
  addressesIn,
  detectSignals,
  formatIdentity,
  identityTool,
  restrictView,
} from '../../../src/signals/detect.js';
import { parseIdentity, trailerLikeLines } from '../../../src/signals/trailers.js';
import { UNKNOWN_AI, type Signal, type ToolId } from '../../../src/core/types.js';
import type { ToolTable } from '../../../src/signals/tools.js';
import { twoPaths } from '../../../src/git/commits.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import builtinTools from '../../../src/policy/generated/builtin-tools.js';

/** restrictView as it was written before the fast path (the reference). */
function restrictViewReference(message: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(message);
  return (ascii ? message : message.normalize('NFKC'))
    .replace(/[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu, '')
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

/**
 * detectSignals as it was before its one-pass form (525653d): every line split and
 * parsed into a full trailer (evidence text included), then split and parsed again for
 * the address pass (the reference).
 */
function detectSignalsReference(
  table: ToolTable,
  meta: Parameters<typeof detectSignals>[1],
): Signal[] {
  const out: Signal[] = [];
  const seen = new Set<string>();
  const add = (tool: ToolId, source: Signal['source'], evidence: string): void => {
    const key = `${tool}\0${evidence}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ tool, source, evidence });
  };
  for (const role of ['author', 'committer'] as const) {
    const id = meta[role];
    if (!id) continue;
    const hit = identityTool(table, id);
    if (hit) add(hit.tool, hit.by === 'email' ? role : 'name', `${role}: ${formatIdentity(id)}`);
  }
  for (const id of meta.others ?? []) {
    const hit = identityTool(table, id);
    if (hit)
      add(
        hit.tool,
        hit.by === 'email' ? 'author' : 'name',
        `extra identity line: ${formatIdentity(id)}`,
      );
  }
  const view = restrictView(meta.message);
  const unfolded = unfoldReference(view);
  const trailers = [
    ...trailerLikeLines(view),
    ...(unfolded !== view ? trailerLikeLines(unfolded) : []),
  ];
  judgeTrailers(table, trailers, add);
  // Lone CRs, U+2028/2029, NEL, VT and FF read as line breaks (eleventh pass): for the
  // tools not found already.
  const broken = view.replace(/\r(?!\n)|[\v\f\u0085\u2028\u2029]/g, '\n');
  if (broken !== view) {
    const found = new Set(out.map((x) => x.tool));
    const addNew = (tool: ToolId, source: Signal['source'], evidence: string): void => {
      if (!found.has(tool)) add(tool, source, evidence);
    };
    judgeTrailers(table, trailerLikeLines(broken), addNew);
    const unfoldedBroken = unfoldReference(broken);
    if (unfoldedBroken !== broken) judgeTrailers(table, trailerLikeLines(unfoldedBroken), addNew);
  }
  if (table.subjectPrefixes.length) {
    const subject = view.replace(/^\s+/, '').split('\n', 1)[0] ?? '';
    for (const p of table.subjectPrefixes)
      if (subject.startsWith(p.text)) add(p.tool, 'marker', `subject begins "${p.text.trim()}"`);
  }
  const lower = view.toLowerCase();
  for (const m of table.markers) if (lower.includes(m.lower)) add(m.tool, 'marker', m.text);
  for (const line of view.includes('@') ? view.split('\n') : []) {
    if (!line.includes('@')) continue;
    const t = trailerLikeLines(line)[0];
    if (t && parseIdentity(t.value)) continue;
    for (const address of addressesIn(line)) {
      const tool = table.toolForEmail(address);
      if (tool && !out.some((x) => x.tool === tool))
        add(tool, 'trailer', `address in the message: ${address}`);
    }
  }
  return out;
}

/** Folded trailers (git's trailer.c): a blank-led line continues a trailer-like line. */
function unfoldReference(view: string): string {
  const joined: string[] = [];
  for (const line of view.split('\n')) {
    const prev = joined[joined.length - 1];
    if (prev !== undefined && /^[ \t\r]+\S/.test(line) && trailerLikeLines(prev).length)
      joined[joined.length - 1] = `${prev.replace(/[ \t\r]+$/, '')} ${line.trim()}`;
    else joined.push(line);
  }
  return joined.join('\n');
}

/** The reference's judgement of trailer-like lines, in order. */
function judgeTrailers(
  table: ToolTable,
  trailers: ReturnType<typeof trailerLikeLines>,
  add: (tool: ToolId, source: Signal['source'], evidence: string) => void,
): void {
  for (const t of trailers) {
    const key = t.key.toLowerCase();
    for (const rule of table.trailerKeys.get(key) ?? [])
      if (rule.value === undefined || t.value.toLowerCase() === rule.value)
        add(rule.tool, 'trailer', t.text);
    const id = parseIdentity(t.value);
    const idTool = id ? identityTool(table, id) : undefined;
    if (table.genericTrailers.has(key)) {
      add(idTool?.tool ?? table.toolForName(t.value) ?? UNKNOWN_AI, 'trailer', t.text);
      continue;
    }
    if (idTool) {
      add(idTool.tool, 'trailer', t.text);
      continue;
    }
    if (key === 'co-authored-by') {
      const name = id
        ? id.name.trim()
        : t.value.includes('@')
          ? ''
          : t.value.replace(/<[^<>]*>\s*$/, '').trim();
      const byName = name ? table.coauthorNames.find((c) => c.test(name)) : undefined;
      if (byName) add(byName.tool, 'trailer', t.text);
    }
  }
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
  '\u034f', // combining grapheme joiner (default-ignorable, not format)
  '\u3164', // Hangul filler (default-ignorable; NFKC gives U+1160, also ignorable)
  '\uff1a', // full-width colon (NFKC → ':')
  '\uff21', // full-width A
  '\u00a0', // no-break space
  '\ud83d', // a lone surrogate
  '\u2028', // line separator (a line break to a reader, not to git)
  '\u0085', // next line
  '\v',
  '\f',
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

  it('detectSignals: the same signals, in the same order, as its plain form on 20,000 random messages', () => {
    const tools = compileToolTable(builtinTools as ToolTableSpec);
    // Lines built from trailer keys, identities, addresses and markers of the table, so
    // that random messages hit every branch (generic trailers, co-author names, several
    // addresses on a line, an address in a well-formed trailer, evidence past 500 chars).
    const pieces = [
      ...ALPHABET,
      'Co-authored-by: Claude <noreply@anthropic.com>',
      'Co-authored-by: Gemini',
      'Co-Authored-By: aider (gpt-4) <aider@aider.chat>',
      'Assisted-by: Copilot',
      'Generated-by: x <a@b.c>',
      'Signed-off-by: Jane <jane@example.org>',
      'Reviewed-by: noreply@anthropic.com',
      'see noreply@anthropic.com. and aider@aider.chat',
      'Claude <noreply@anthropic.com',
      '\u{1f916} Generated with [Claude Code](https://claude.com/claude-code)',
      'Key: ' + 'v'.repeat(600) + ' <noreply@anthropic.com>',
      '  \t',
      '\n\n',
    ];
    const named = [
      '',
      'aider: fix\n',
      'fix\n\nCo-authored-by: Claude <noreply@anthropic.com>\nsee noreply@anthropic.com\n',
      'x\n\nAssisted-by: gemini <a@b.co> and noreply@anthropic.com\n',
    ];
    const people = [
      undefined,
      { name: 'Jane', email: 'jane@example.org' },
      { name: 'Paul (aider)', email: 'paul@example.org' },
      { name: 'Claude', email: 'noreply@anthropic.com' },
    ];
    const rnd = random(17);
    const messages = [...named];
    for (let i = 0; i < 20_000; i++) {
      let m = '';
      const n = Math.floor(rnd() * 12);
      for (let k = 0; k < n; k++) m += pieces[Math.floor(rnd() * pieces.length)]!;
      messages.push(m);
    }
    let found = 0;
    for (const [i, message] of messages.entries()) {
      const meta = {
        message,
        author: people[i % people.length],
        committer: people[(i >> 2) % people.length],
        others: i % 7 === 0 ? [people[2]!, people[3]!] : undefined,
      };
      const got = detectSignals(tools, meta);
      found += got.length;
      // One expect per difference only: 20,000 deep comparisons are slow on a loaded runner.
      if (JSON.stringify(got) !== JSON.stringify(detectSignalsReference(tools, meta)))
        expect(got, JSON.stringify(message)).toEqual(detectSignalsReference(tools, meta));
    }
    // The messages do reach signals (a fuzz that found none would prove nothing).
    expect(found).toBeGreaterThan(10_000);
  }, 120_000);

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
