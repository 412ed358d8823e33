// Link texts and paths spelled as other checkouts read them ("\" on Windows, NFC/NFD on
// APFS and HFS+) and the bound on alias work (docs/policy.md "Links"). Pure tables.

import { describe, expect, it } from 'vitest';
import { CleanroomError } from '../../../src/errors.js';
import {
  isUnderTarget,
  linkViewOf,
  physicalPaths,
  resolveLinks,
  resolveLinkTarget,
  throughLink,
  withLinkAliases,
} from '../../../src/policy/links.js';

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

describe('a "\\" in a link text', () => {
  it('is resolved both ways: a name on POSIX, a separator on Windows', () => {
    expect(resolveLinks([{ path: 'evals/extra', text: '..\\src\\jl' }])).toEqual([
      { path: 'evals/extra', target: 'evals/..\\src\\jl', unbounded: false },
      { path: 'evals/extra', target: 'src/jl', unbounded: false },
    ]);
    expect(resolveLinkTarget('evals/extra', '..\\src\\jl')).toBe('src/jl');
    expect(physicalPaths('evals/extra/q.json', [{ path: 'evals/extra', text: '..\\src' }])).toEqual(
      ['evals/..\\src/q.json', 'src/q.json'],
    );
  });

  it('is absolute on Windows when it starts the text or follows a drive letter', () => {
    expect(resolveLinkTarget('evals/extra', '\\\\host\\share')).toBeUndefined();
    expect(resolveLinkTarget('evals/extra', 'C:\\src')).toBeUndefined();
    expect(resolveLinks([{ path: 'evals/extra', text: 'C:\\src' }])).toEqual([
      { path: 'evals/extra', target: 'evals/C:\\src', unbounded: false },
    ]);
  });

  it('human control: a text without "\\" has one reading', () => {
    expect(resolveLinks([{ path: 'evals/extra', text: '../src/jl' }])).toEqual([
      { path: 'evals/extra', target: 'src/jl', unbounded: false },
    ]);
  });
});

describe('code points HFS+ ignores, in link texts and paths', () => {
  it('a path under "src\\u200c" is under the target src, and shows at the link', () => {
    expect(isUnderTarget('src\u200c/q.json', 'src')).toBe(true);
    expect(isUnderTarget('src/q.json', 'sr\ufeffc')).toBe(true);
    expect(throughLink('src\u200d/b/q.json', 'src/b', 'evals/more')).toBe('evals/more/q.json');
  });
  it('human control: another visible letter is another directory', () =>
    expect(isUnderTarget('src\u00e9/q.json', 'src')).toBe(false));
});

describe('Unicode spellings (NFC link text, NFD directory)', () => {
  it('a path under the NFD directory is under the NFC target, and shows at the link', () => {
    expect(isUnderTarget(`${NFD}/q.json`, NFC)).toBe(true);
    expect(isUnderTarget(`src/${NFD}/b/q.json`, `src/${NFC}/b`)).toBe(true);
    expect(throughLink(`src/${NFD}/b/q.json`, `src/${NFC}/b`, 'evals/more')).toBe(
      'evals/more/q.json',
    );
    const links = resolveLinks([{ path: 'evals/extra', text: `../${NFC}` }]);
    expect(
      withLinkAliases(
        [{ status: 'A', path: `${NFD}/q.json`, blob: 'b', mode: '100644' }],
        links,
      ).map((f) => f.path),
    ).toEqual([`${NFD}/q.json`, 'evals/extra/q.json']);
  });

  it('case folds only with nocase, and a link to a link is found in either spelling', () => {
    expect(isUnderTarget(`${NFD.toUpperCase()}/q`, NFC)).toBe(false);
    expect(isUnderTarget(`${NFD.toUpperCase()}/q`, NFC, true)).toBe(true);
    expect(
      resolveLinks([
        { path: NFD, text: 'lib' },
        { path: 'evals/extra', text: `../${NFC}/gen` },
      ]),
    ).toContainEqual({ path: 'evals/extra', target: 'lib/gen', unbounded: false });
  });

  it('human control: a different name is not under the target', () => {
    expect(isUnderTarget(`${NFD}x/q.json`, NFC)).toBe(false);
    expect(isUnderTarget('cafe/q.json', NFC)).toBe(false);
  });
});

describe('the bound on alias work (MAX_LINK_STEPS)', () => {
  const rootLinks = (n: number): ReturnType<typeof resolveLinks> =>
    resolveLinks(Array.from({ length: n }, (_, i) => ({ path: `s/l${i}`, text: '..' })));

  it('past the budget, the work stops with an error naming the limit', () => {
    const links = rootLinks(40);
    expect(() => linkViewOf('s/f.txt', links, false, { left: 100 })).toThrow(CleanroomError);
    expect(() => linkViewOf('s/f.txt', links, false, { left: 100 })).toThrow(/MAX_LINK_STEPS/);
  });

  it('human control: within the budget every self-containing link is unbounded', () => {
    const v = linkViewOf('s/f.txt', rootLinks(40), false, { left: 1_000_000 });
    expect(v.unbounded).toHaveLength(40);
  });
});
