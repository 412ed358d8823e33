// Real-data accuracy on Aider's public history (issue 12), kept as a fixture: one record
// per distinct shape of its 13,138 commits on main (author, committer, the co-author lines
// with the model in brackets normalised, the "aider: " subject, "aider" as a word) with the
// commit id it came from. Subjects that do not mention aider are omitted; nothing else of
// the repository is kept. `aider` is the independent ground truth: git log plus a regular
// expression for aider's forms — the " (aider)" name suffix on author or committer, a
// Co-authored-by naming aider@aider.chat / noreply@aider.chat / noreply@aider.dev, the
// "aider: " subject prefix. bench/aider-accuracy.mjs measures the whole history the same
// way through `cleanroom audit` and `check`.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { detectSignals } from '../../../src/signals/detect.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import { parseIdentity } from '../../../src/signals/trailers.js';
import { ROOT } from '../../helpers/repo.js';

interface Row {
  commit: string;
  author: string;
  committer: string;
  message: string;
  aider: boolean;
}

const rows: Row[] = readFileSync(
  join(ROOT, 'test', 'fixtures', 'signals', 'aider-history.jsonl'),
  'utf8',
)
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);
const table = compileToolTable(builtin as ToolTableSpec);

const isAider = (r: Row): boolean =>
  detectSignals(table, {
    author: parseIdentity(r.author),
    committer: parseIdentity(r.committer),
    message: r.message,
  }).some((s) => s.tool === 'aider');

describe("Aider's own history: cleanroom against the ground truth", () => {
  it('the fixture holds every form and enough humans to matter', () => {
    expect(rows.length).toBeGreaterThan(200);
    expect(rows.filter((r) => r.aider).length).toBeGreaterThan(40);
    const text = JSON.stringify(rows.filter((r) => r.aider));
    for (const form of [
      '<aider@aider.chat>',
      '<noreply@aider.dev>',
      '<noreply@aider.chat>',
      ' (aider) <',
      '"aider: ',
    ])
      expect(text).toContain(form);
  });

  it('recall 100%: every aider commit is attributed to aider', () => {
    expect(
      rows
        .filter((r) => r.aider && !isAider(r))
        .map((r) => `${r.commit} ${r.author} | ${r.committer} | ${r.message}`),
    ).toEqual([]);
  });

  it('precision 100%: no human commit is attributed to aider (the maintainer at aider.chat, "aiderignore", "Aider:")', () => {
    const humans = rows.filter((r) => !r.aider);
    expect(humans.some((r) => r.author.includes('@aider.chat'))).toBe(true);
    expect(
      humans.filter(isAider).map((r) => `${r.commit} ${r.author} | ${r.committer} | ${r.message}`),
    ).toEqual([]);
  });
});
