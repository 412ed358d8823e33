// The paths inside a word that is not itself a path (`of=evals/x`, a program text) were
// found by a regex that takes quadratic time on a long run of path characters: a command
// of 100,000 dashes kept the pre-write hook busy 26 s, past every agent host's hook
// timeout (some hosts then let the write through). slashRuns finds the same runs in one
// pass; compared here with the regex on random words of the characters that matter.

import { describe, expect, it } from 'vitest';
import { slashRuns } from '../../../src/agents/shell.js';
import { prng } from '../../helpers/prng.js';

const REGEX = /[\w.@+-]+(?:\/[\w.@+-]+)+\/?/g;

describe('slashRuns', () => {
  it('finds what the regex finds, on named words', () => {
    for (const w of [
      'evals/tasks/q.json',
      'of=evals/tasks/q.json',
      'a//b/c',
      'a/b/',
      '/abs/path/x',
      'open("evals/tasks/q1.json").read()',
      'x=a/b;y=c/d/',
      'nothing-here',
      'a/b//c/d',
      '',
    ])
      expect(slashRuns(w), w).toEqual(w.match(REGEX) ?? []);
  });

  it('finds what the regex finds, on 20,000 random words', () => {
    const rnd = prng(14);
    const alphabet = [
      'a',
      'b',
      '/',
      '/',
      '.',
      '-',
      '@',
      '+',
      '_',
      '9',
      ' ',
      '"',
      '=',
      '(',
      ':',
      'é',
    ];
    for (let i = 0; i < 20_000; i++) {
      let w = '';
      const n = Math.floor(rnd() * 24);
      for (let j = 0; j < n; j++) w += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(slashRuns(w), JSON.stringify(w)).toEqual(w.match(REGEX) ?? []);
    }
  });

  it('reads a 1,000,000-character run (the regex did not end)', () => {
    const w = `${'-'.repeat(1_000_000)}x/y`;
    expect(slashRuns(w)).toEqual([`${'-'.repeat(1_000_000)}x/y`]);
  });
});
