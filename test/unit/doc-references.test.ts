// Every reference resolves for whoever clones the repository (issue 13, "Docs by
// audience"): the design contract, the field notes and the style guide live in
// docs/design/, and nothing outside it may cite the founders' own copies by their old
// names (PRODUCT §N, FIELD-NOTES, STYLE.md), which are not in the repository.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/repo.js';

const OUTSIDE = /\bPRODUCT(?: §|\.md)|\bFIELD-NOTES\b|\bSTYLE(?:\.md| §)/;

describe('references to design documents', () => {
  it('cite docs/design/*.md, never documents outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((f) => f && !f.startsWith('docs/design/') && !f.startsWith('test/fixtures/'))
      .filter((f) => f !== 'test/unit/doc-references.test.ts') // names them, to forbid them
      .filter((f) => /\.(ts|mjs|cjs|js|md|ya?ml|json|sh)$|^hooks\//.test(f));
    expect(files.length).toBeGreaterThan(100);
    const stale = files.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(stale).toEqual([]);
  });

  it('the contract has every section that code cites', () => {
    const contract = readFileSync(join(ROOT, 'docs', 'design', 'contract.md'), 'utf8');
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(contract).toContain(`## §${n} `);
  });
});
