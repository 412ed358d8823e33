// Shared lines are not provenance (issue 12 §3): line matching ignores lines already
// elsewhere in the repository and lines the agent wrote everywhere, and says which
// lines matched.

import { describe, expect, it } from 'vitest';
import {
  hashedLines,
  indexLedger,
  lineHashes,
  lineRanges,
  matchContent,
  type LedgerEntry,
} from '../../../src/signals/ledger.js';

const HEADER =
  '# Copyright 2026 Acme Evals Ltd. Licensed under the Apache License, Version 2.0 (see LICENSE).';
const entry = (path: string, text: string, time = '2026-11-30T10:00:00Z'): LedgerEntry => ({
  time,
  tool: 'claude-code',
  session: 's',
  path,
  blob: '0'.repeat(40),
  lines: lineHashes(text),
});
const loader = `${HEADER}\n\nimport json\n\ndef load(path):\n    with open(path) as f:\n        return json.load(f)\n`;
const grader = `${HEADER}\n\ndef grade(answer, expected):\n    return answer.strip() == expected.strip()\n`;

describe('line matching', () => {
  it('the 98-character licence header alone attributes a grader (the fault: 1 of 4 lines)', () => {
    const index = indexLedger([entry('src/loader.py', loader)]);
    const m = matchContent(index, 'f'.repeat(40), hashedLines(grader));
    expect(m.map((x) => [x.tool, x.matched, x.total, x.lines])).toEqual([
      ['claude-code', 1, 3, [1]],
    ]);
  });
  it('…but not when HEAD already holds that line in another file', () => {
    const index = indexLedger([entry('src/loader.py', loader)]);
    const shared = new Set(hashedLines(HEADER).map((l) => l.hash));
    expect(matchContent(index, 'f'.repeat(40), hashedLines(grader), shared)).toEqual([]);
  });
  it('control: the agent’s own code lines still count, with their line numbers', () => {
    const body =
      'def grade(answer, expected):\n    normalised_answer = " ".join(answer.lower().split())\n    normalised_expected = " ".join(expected.lower().split())\n';
    const index = indexLedger([entry('src/scoring.py', `import sys\n${body}`)]);
    const shared = new Set(hashedLines(HEADER).map((l) => l.hash));
    const m = matchContent(index, 'f'.repeat(40), hashedLines(`# by Hana\n\n${body}`), shared);
    expect(m.map((x) => [x.matched, x.lines])).toEqual([[3, [3, 4, 5]]]);
  });
  it('an exact blob match ignores shared lines (the content is the agent’s, whatever it shares)', () => {
    const e = { ...entry('src/loader.py', loader), blob: 'a'.repeat(40) };
    const shared = new Set(hashedLines(loader).map((l) => l.hash));
    expect(
      matchContent(indexLedger([e]), 'a'.repeat(40), hashedLines(loader), shared).map(
        (x) => x.exact,
      ),
    ).toEqual([true]);
  });
  it('line ranges read as a person writes them', () => {
    expect(lineRanges([3])).toBe('3');
    expect(lineRanges([3, 4, 5, 9, 11, 12])).toBe('3–5, 9, 11–12');
    expect(lineRanges([1, 3, 5, 7, 9, 11, 13, 15, 17, 19], 3)).toBe('1, 3, 5, …');
  });
});
