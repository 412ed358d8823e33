// The comment character git used in a commit message file (builtin/commit.c
// adjust_comment_line_char for `auto`), as commit-msg must read it.

import { describe, expect, it } from 'vitest';
import { commentCharOf, commentSetting } from '../../../src/check/staged.js';

const SCISSORS = ' ------------------------ >8 ------------------------\n';

describe('commentSetting from git var -l', () => {
  it('the last core.commentchar wins; absent or empty is the default', () => {
    expect(commentSetting('user.name=x\ncore.commentchar=;\ncore.commentchar=auto\n')).toBe('auto');
    expect(commentSetting('GIT_AUTHOR_IDENT=A <a@b> 1 +0000\n')).toBeUndefined();
    expect(commentSetting('core.commentChar=\n')).toBeUndefined();
  });
});

describe('commentCharOf', () => {
  it.each([
    ['no setting', 'msg\n# comment\n', undefined, '#'],
    ['a plain setting', 'msg\n; comment\n', ';', ';'],
    [
      'auto, read off the scissors line',
      `#1 fix\n\n;${SCISSORS}; Do not modify\ndiff --git a/x b/x\n`,
      'auto',
      ';',
    ],
    [
      'auto, read off the closing comment block',
      '#1 fix\n\n; Please enter the commit message\n;\n',
      'auto',
      ';',
    ],
    ['auto, no # anywhere: #', 'fix\n\nbody\n', 'auto', '#'],
    ["auto replayed: '#' and ';' start lines, no comment block", '#1\n;2\nplain\n', 'auto', '@'],
  ])('%s', (_name, text, setting, want) => {
    expect(commentCharOf(text, setting)).toBe(want);
  });
});
