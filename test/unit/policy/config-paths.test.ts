// The config guard (src/policy/paths.ts) sees `.cleanroom/**` and the trust files however a
// checkout's file system spells them: any case, NFC or NFD, with the code points HFS+
// ignores (src/names.ts) anywhere in the name.

import { describe, expect, it } from 'vitest';
import { configGuard, isConfigPath } from '../../../src/policy/paths.js';

const guard = configGuard({
  overrides: { approvers: '.cleanroom/approvers' },
  review: { reviewers: 'trust/r\u00e9viseurs' },
});

describe('the config guard folds names as checkouts do', () => {
  it.each([
    '.cleanroom/policy.yaml',
    '.CleanRoom/policy.yaml',
    '.cleanroom\u200c/policy.yaml',
    '.clean\ufeffroom/approvers',
    '.\u200dcleanroom/policy.yaml',
    '\u200e.cleanroom/policy.yaml',
  ])('%j is a config path', (p) => {
    expect(isConfigPath(p)).toBe(true);
    expect(guard(p)).toBe(true);
  });

  it('a trust file outside .cleanroom/, spelt NFD, upper case or with a joiner', () => {
    expect(guard('trust/re\u0301viseurs')).toBe(true);
    expect(guard('TRUST/R\u00c9VISEURS')).toBe(true);
    expect(guard('trust\u200c/r\u00e9viseurs')).toBe(true);
  });

  it('human control: other names are not', () => {
    expect(guard('.cleanroomx/policy.yaml')).toBe(false);
    expect(guard('.cleanr\u00f6om/policy.yaml')).toBe(false);
    expect(guard('trust/reviseurs')).toBe(false);
  });
});
