// The shell reader's side of issue 15's hostile review: which git commands can print
// file content (and what would make them safe), and which words only the shell can resolve.

import { describe, expect, it } from 'vitest';
import { commitSpelled, shellPaths } from '../../../src/agents/shell.js';

describe('gitReads: git commands that can print content', () => {
  const reads = (c: string) => shellPaths(c).gitReads;
  it('content-printing forms are found, with their operands and pathspecs', () => {
    expect(reads('git log -p')).toHaveLength(1);
    expect(reads('git show --stat 1a2b3c4')[0]).toMatchObject({
      revsOnly: true,
      operands: ['1a2b3c4'],
    });
    expect(reads('git diff HEAD~1 -- src')[0]).toMatchObject({
      operands: ['HEAD~1'],
      specs: ['src'],
    });
    expect(reads('git -C evals log -p')[0]).toMatchObject({ chdir: ['evals'] });
    expect(reads('git lp')[0]!.refuse).toMatch(/cannot see/);
    expect(reads('echo HEAD:x | git cat-file --batch')[0]!.refuse).toMatch(/input/);
  });
  it('a here-string of files from commits is input cleanroom can see', () => {
    expect(reads('git cat-file --batch <<< HEAD:src/a.txt')[0]!.refuse).toBeUndefined();
    expect(reads('git cat-file --batch <<< 1a2b3c4')[0]!.refuse).toMatch(/input/);
  });
  it('controls: no content, no gitRead', () => {
    for (const c of [
      'git status',
      'git log --oneline',
      'git log --stat',
      'git diff --stat',
      'git cat-file -t HEAD',
      'git commit -m x',
      'git tag v1 HEAD',
    ])
      expect([c, reads(c)]).toEqual([c, []]);
  });
  it('commitSpelled: only what can name a commit', () => {
    for (const r of [
      'HEAD',
      'main',
      'origin/main',
      'HEAD~2',
      'X^',
      '1a2b3c4^{commit}',
      'A..B',
      'main...HEAD',
      '@{1}',
      'stash@{0}',
    ])
      expect([r, commitSpelled(r)]).toEqual([r, true]);
    for (const r of ['1a2b3c4', 'HEAD:evals', 'v1^{}', 'v1^{tree}', 'deadbeef..HEAD'])
      expect([r, commitSpelled(r)]).toEqual([r, false]);
  });
});

describe('unknown: words only the shell can resolve', () => {
  const unknown = (c: string) => shellPaths(c).unknown;
  it('variables, substitutions, computed cd, xargs are unknown', () => {
    expect(unknown('cat "$F"')).toEqual(['"$F"']);
    expect(unknown('cd "$D" && cat x.c')).toEqual(['x.c']);
    expect(unknown('cd - && cat x.c')).toEqual(['x.c']);
    expect(unknown('ls | xargs cat')).toEqual(['xargs cat']);
    expect(unknown('echo "$(cat $F)"')).toEqual(['$F']);
  });
  it('controls: literal paths, echo of a variable, a for loop over literal words', () => {
    expect(unknown('cd src && cat a.c')).toEqual([]);
    expect(unknown('echo "$HOME"')).toEqual([]);
    expect(unknown('for f in src/*.py; do wc -l "$f"; done')).toEqual([]);
    expect(shellPaths('for f in src/a.py evals/x; do cat "$f"; done').mentioned).toContain(
      'evals/x',
    );
  });
  it('a relative word is judged in every directory the line may be in', () => {
    expect(shellPaths('(cd src); cat evals/x').mentioned).toEqual(
      expect.arrayContaining(['evals/x', 'src/evals/x']),
    );
  });
});
