// Which paths a shell search reads when its options take words (the newcomer's finding:
// `grep -rn env --include '*.json'` was read as a search of a path `env`, and
// `rg -t json env` of a path `env`, while both search the whole directory).

import { describe, expect, it } from 'vitest';
import { shellPaths } from '../../../src/agents/shell.js';

const searched = (c: string) => [...new Set(shellPaths(c).searched)].sort();

describe('search options that take a word', () => {
  it.each([
    ["grep -rn env --include '*.json'", ['.']],
    ['grep -rn env --exclude-dir node_modules', ['.']],
    ['rg -t json env', ['.']],
    ['rg -T py env', ['.']],
    ['rg --type py foo', ['.']],
    ["ag -G '.json$' env", ['.']],
    // An option nobody listed is read both ways: with and without a value.
    ['grep -rn --frobnicate foo src', ['.', 'src']],
  ])('%s searches %j', (command, paths) => {
    expect(searched(command)).toEqual(paths);
  });
  it('controls: a search given its path searches that path', () => {
    expect(searched('grep -rn foo src')).toEqual(['src']);
    expect(searched("grep -rn --include '*.py' foo src")).toEqual(['src']);
    expect(searched('grep -rn --color foo src')).toEqual(['src']);
    expect(searched('grep -rnA3 foo src')).toEqual(['src']);
    expect(searched('grep -r -e foo src tests')).toEqual(['src', 'tests']);
    expect(searched('rg -n foo src')).toEqual(['src']);
    expect(searched('rg -tpy foo src')).toEqual(['src']);
    expect(searched('grep -r -- -foo src')).toEqual(['src']);
  });
});
