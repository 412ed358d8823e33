// One object-id check for every reader of ids from outside: exactly 40 or 64 lowercase hex.

import { describe, expect, it } from 'vitest';
import { isObjectId } from '../../../src/git/object-id.js';

describe('isObjectId', () => {
  it('accepts a sha1 (40 hex) and a sha256 (64 hex) id', () => {
    expect(isObjectId('a'.repeat(40))).toBe(true);
    expect(isObjectId('0123456789abcdef'.repeat(4))).toBe(true);
  });
  it('refuses 41–63 hex digits (what {40,64} accepted), 39, 65, upper case, padding', () => {
    for (const n of [39, 41, 50, 63, 65]) expect(isObjectId('a'.repeat(n)), `${n}`).toBe(false);
    expect(isObjectId('A'.repeat(40))).toBe(false);
    expect(isObjectId(`${'a'.repeat(40)}\n`)).toBe(false);
    expect(isObjectId(` ${'a'.repeat(40)}`)).toBe(false);
    expect(isObjectId('')).toBe(false);
  });
});
