import { describe, expect, it } from 'vitest';
import {
  blobId,
  compactEntries,
  contentLines,
  formatEntry,
  hashedLines,
  indexLedger,
  isTrivialLine,
  lineHashes,
  matchContent,
  normalizeLine,
  parseLedger,
  scanLedger,
  type LedgerEntry,
} from '../../../src/signals/ledger.js';

const entry = (e: Partial<LedgerEntry> & Pick<LedgerEntry, 'path' | 'blob'>): LedgerEntry => ({
  time: '2026-11-24T09:00:00.000Z',
  tool: 'claude-code',
  session: 's1',
  lines: [],
  ...e,
});

describe('blob ids, as git computes them', () => {
  it.each([
    ['', 'sha1', 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'],
    ['hello\n', 'sha1', 'ce013625030ba8dba906f756967f9e9ca394464a'],
    ['', 'sha256', '473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813'],
    ['hello\n', 'sha256', '2cf8d83d9ee29543b34a87727421fdecb7e3f3a183d337639025de576db9ebb4'],
  ] as const)('%j (%s)', (content, format, id) => {
    expect(blobId(content, format)).toBe(id);
    expect(blobId(Buffer.from(content), format)).toBe(id);
  });
});

describe('line hashes', () => {
  it.each([
    ['  return   x + y;  ', 'return x + y;'],
    ['\tif a:\r', 'if a:'],
    ['', ''],
  ])('normalises %j to %j', (raw, want) => expect(normalizeLine(raw)).toBe(want));

  it.each([
    ['}', true],
    ['import json', true], // 11 characters: says nothing about who wrote it
    ['------------------', true], // no letter or digit
    ['import numpy as np', false],
    ['{"id": "q1", "question": "…"}', false],
  ])('%j trivial: %s', (line, trivial) => expect(isTrivialLine(normalizeLine(line))).toBe(trivial));

  it('are the same whatever the indentation or line ending, so pasted lines still match', () => {
    expect(lineHashes('def score(a, b):\n    return a == b\n')).toEqual(
      lineHashes('  def score(a,  b):\r\n\treturn a == b'),
    );
    expect(lineHashes('def score(a, b):')).toHaveLength(1);
    expect(lineHashes('def score(a, b):')[0]).toMatch(/^[0-9a-f]{12}$/);
    expect(lineHashes('def score(a, b):\ndef score(a, b):')).toHaveLength(1); // distinct
    expect(hashedLines('def score(a, b):\ndef score(a, b):')).toHaveLength(2); // in order, repeats kept
  });
});

describe('the ledger file format', () => {
  it('round-trips, and skips lines that are not entries', () => {
    const a = entry({
      path: 'evals/harness/run.py',
      blob: 'a'.repeat(40),
      model: 'opus-4.5',
      lines: ['0123456789ab'],
    });
    const b = entry({ path: 'x', blob: 'b'.repeat(64), tool: 'codex', session: 'c' });
    const text =
      formatEntry(a) +
      '{"v":1,"tool":"x"\n' +
      'garbage\n' +
      formatEntry(b) +
      '{"v":2,"tool":"x","path":"p","blob":"' +
      'c'.repeat(40) +
      '"}\n';
    expect(parseLedger(text)).toEqual({ entries: [a, b], skipped: 3 });
    expect(formatEntry(a)).toBe(
      '{"v":1,"time":"2026-11-24T09:00:00.000Z","tool":"claude-code","model":"opus-4.5","session":"s1","path":"evals/harness/run.py","blob":"' +
        'a'.repeat(40) +
        '","lines":["0123456789ab"]}\n',
    );
  });
});

describe('matching staged content against the ledger', () => {
  const agentFile =
    'import json\nimport numpy as np\n\ndef score(answer: str, expected: str) -> float:\n    return float(answer.strip() == expected.strip())\n';
  const written = entry({
    path: 'evals/harness/score.py',
    blob: blobId(agentFile, 'sha1'),
    lines: lineHashes(agentFile),
    session: 'abcdef0123456789',
  });
  const index = indexLedger([written]);

  it('the same content under another path is found by its blob id (a rename into a zone)', () => {
    const [m, ...rest] = matchContent(
      index,
      blobId(agentFile, 'sha1'),
      contentLines(Buffer.from(agentFile)),
    );
    expect(rest).toEqual([]);
    expect(m).toMatchObject({ tool: 'claude-code', exact: true, matched: 3, total: 3 });
    expect(m!.entry.path).toBe('evals/harness/score.py');
  });

  it('its lines pasted into a human file are found when they carry enough text', () => {
    const human =
      'import os\n# graded by hand\ndef score(answer: str, expected: str) -> float:\n    return float(answer.strip() == expected.strip())\nprint("done, all questions graded")\n';
    const [m] = matchContent(index, blobId(human, 'sha1'), contentLines(Buffer.from(human)));
    expect(m).toMatchObject({ tool: 'claude-code', exact: false, matched: 2, total: 4 });
  });

  it('one shared boilerplate line is not enough to accuse anyone', () => {
    const human = 'import numpy as np\n\nvalues = np.arange(10)\nprint(values.sum())\n';
    expect(matchContent(index, blobId(human, 'sha1'), contentLines(Buffer.from(human)))).toEqual(
      [],
    );
  });

  it('a single long data line (one eval task) is enough', () => {
    const task =
      '{"id": "q7", "question": "How many primes are below 100?", "answer": "25", "source": "generated"}';
    const idx = indexLedger([
      entry({
        path: 'scratch/tasks.jsonl',
        blob: 'f'.repeat(40),
        lines: lineHashes(task),
        tool: 'codex',
      }),
    ]);
    const human = '{"id": "q1", "question": "written by Hana", "answer": "yes"}\n' + task + '\n';
    expect(
      matchContent(idx, blobId(human, 'sha1'), contentLines(Buffer.from(human))),
    ).toMatchObject([{ tool: 'codex', matched: 1, total: 2 }]);
  });

  it('binary content is matched by blob id only', () => {
    const bin = Buffer.from([
      0,
      1,
      2,
      3,
      ...Buffer.from('\ndef score(answer: str, expected: str) -> float:\n'),
    ]);
    expect(matchContent(index, blobId(bin, 'sha1'), contentLines(bin))).toEqual([]);
  });

  it('several tools: each is reported with its own share; the latest entry names session and model', () => {
    const codexLines =
      'for task in load_tasks("evals/tasks"):\n    results.append(run_model(task, temperature=0.0))\n';
    const older = entry({
      path: 'a.py',
      blob: 'e'.repeat(40),
      lines: lineHashes(codexLines),
      tool: 'codex',
      time: '2026-11-23T00:00:00Z',
      model: 'gpt-5',
    });
    const idx = indexLedger([written, older]);
    const mixed = agentFile + codexLines;
    const got = matchContent(idx, blobId(mixed, 'sha1'), contentLines(Buffer.from(mixed)));
    expect(got.map((m) => [m.tool, m.matched, m.total, m.entry.model])).toEqual([
      ['claude-code', 3, 5, undefined],
      ['codex', 2, 5, 'gpt-5'],
    ]);
  });
});

describe('scanning a large ledger for what a commit can match', () => {
  const a = entry({ path: 'a.py', blob: 'a'.repeat(40), lines: ['111111111111', '222222222222'] });
  const b = entry({ path: 'b.py', blob: 'b'.repeat(40), lines: ['333333333333'] });
  const c = entry({ path: 'c.py', blob: 'c'.repeat(40), lines: [] });
  const text = Buffer.from([a, b, c].map(formatEntry).join(''));

  it('keeps entries sharing a blob id or a line hash, skips the rest unparsed', () => {
    expect(
      scanLedger(text, { blobs: new Set(['c'.repeat(40)]), lines: new Set(['222222222222']) }),
    ).toEqual([a, c]);
    expect(
      scanLedger(text, { blobs: new Set(), lines: new Set(['222222222223', '033333333333']) }),
    ).toEqual([]);
  });

  it('an entry in another shape (a hand edit, reordered keys) is parsed in full, not silently dropped', () => {
    const edited = Buffer.from(
      `{"lines":["999999999999"],"blob":"${'d'.repeat(40)}","path":"d.py","tool":"codex","v":1,"session":"x","time":"t"}\n`,
    );
    // Keys in another order are still read exactly (canonicalKeys): found by its line…
    expect(
      scanLedger(Buffer.concat([text, edited]), {
        blobs: new Set(),
        lines: new Set(['999999999999']),
      }).map((e) => e.path),
    ).toEqual(['d.py']);
    // …and by its blob; with a space in its lines (not the writer's shape) it is parsed in full.
    const spaced = Buffer.from(edited.toString().replace('"lines":[', '"lines":[ '));
    for (const t of [edited, spaced])
      expect(
        scanLedger(Buffer.concat([text, t]), {
          blobs: new Set(['d'.repeat(40)]),
          lines: new Set(),
        }).map((e) => e.path),
      ).toEqual(['d.py']);
    expect(
      scanLedger(Buffer.concat([text, spaced]), { blobs: new Set(), lines: new Set() }).map(
        (e) => e.path,
      ),
    ).toEqual(['d.py']);
  });
});

describe('compaction', () => {
  const e1 = entry({ path: 'a.py', blob: '1'.repeat(40), lines: ['aaaaaaaaaaaa'], time: 't1' });
  const e2 = entry({ path: 'a.py', blob: '2'.repeat(40), lines: ['bbbbbbbbbbbb'], time: 't2' });
  const e3 = entry({ path: 'gone.py', blob: '3'.repeat(40), lines: ['cccccccccccc'], time: 't3' });
  const e4 = entry({
    path: 'moved-from.py',
    blob: '4'.repeat(40),
    lines: ['dddddddddddd'],
    time: 't4',
  });

  it('keeps content still in the index or work tree, and earlier edits whose lines are still there', () => {
    const live = {
      blobs: new Set(['2'.repeat(40), '4'.repeat(40)]),
      linesByPath: new Map([['a.py', new Set(['aaaaaaaaaaaa', 'bbbbbbbbbbbb'])]]),
    };
    expect(compactEntries([e1, e2, e3, e4], live)).toEqual([e1, e2, e4]);
  });

  it('drops an earlier edit whose lines are gone, and repeats of the same write', () => {
    const live = {
      blobs: new Set(['2'.repeat(40)]),
      linesByPath: new Map([['a.py', new Set(['bbbbbbbbbbbb'])]]),
    };
    const again = { ...e2, time: 't9' };
    expect(compactEntries([e1, e2, again], live)).toEqual([again]);
  });
});
