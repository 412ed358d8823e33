// Differential test: src/signals/trailers.ts `parseTrailers` against the real
// `git interpret-trailers --parse` (and `--no-divider`). Grants (Reviewed-by, signed
// reviews, overrides) count only when git itself would call them trailers, so any
// disagreement here is a way to forge or lose a review.

import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import {
  cleanupMessage as cleanupMessageOf,
  parseTrailers,
} from '../../../src/signals/trailers.js';
import { cleanEnv } from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const env = cleanEnv();

function gitParse(message: string, noDivider: boolean): string {
  const args = [
    '-c',
    'trailer.separators=:',
    'interpret-trailers',
    '--parse',
    ...(noDivider ? ['--no-divider'] : []),
  ];
  const r = spawnSync('git', args, { input: Buffer.from(message, 'utf8'), env });
  if (r.status !== 0) throw new Error(`git interpret-trailers failed: ${r.stderr.toString()}`);
  return r.stdout.toString('utf8');
}

const ours = (message: string, noDivider: boolean): string =>
  parseTrailers(message, { noDivider })
    .map((t) => `${t.key}: ${t.value}\n`)
    .join('');

const RB = 'Reviewed-by: Rita Reviewer <rita@example.org>';
const SOB = 'Signed-off-by: Hana Human <hana@example.org>';
const CO = 'Co-authored-by: Claude <noreply@anthropic.com>';
const CUT = '# ------------------------ >8 ------------------------';

/** [what a user would call the case, the message]. */
const CASES: [string, string][] = [
  ['empty message', ''],
  ['only a title', 'Fix the grader\n'],
  ['only a title without newline', 'Fix the grader'],
  ['a title that looks like a trailer', `${RB}\n`],
  ['a title that looks like a trailer, then a body', `${RB}\n\nSome body text.\n`],
  ['title then one trailer', `Fix\n\n${RB}\n`],
  ['title then one trailer, no final newline', `Fix\n\n${RB}`],
  ['title, body, trailers', `Fix\n\nBody line one.\nBody line two.\n\n${RB}\n${CO}\n`],
  ['Reviewed-by in the middle of the body', `Fix\n\nBody\n${RB}\nmore body\n\nCloses #3\n`],
  ['Reviewed-by in the last paragraph mixed with prose', `Fix\n\nI asked Rita.\n${RB}\n`],
  ['trailing blank lines after trailers', `Fix\n\n${RB}\n\n\n\n`],
  ['trailing spaces-only lines after trailers', `Fix\n\n${RB}\n   \n\t\n`],
  [
    'comment lines after trailers',
    `Fix\n\n${RB}\n# Please enter the commit message\n# Lines starting with '#' are ignored\n`,
  ],
  ['comment line between trailers', `Fix\n\n${RB}\n# a comment\n${CO}\n`],
  ['comment line before the trailer block', `Fix\n\n# a comment\n${RB}\n`],
  ['comment-only title', `# comment\nFix\n\n${RB}\n`],
  ['continuation line', `Fix\n\n${RB}\n  and a continuation\n${CO}\n`],
  ['continuation with tab', `Fix\n\nKey: first\n\tsecond\n`],
  ['continuation with spaces before the newline', 'Fix\n\nKey: first   \n   second\n'],
  ['continuation lines only, no trailer before them', 'Fix\n\n  indented\n  more\n'],
  ['continuation after a non-trailer line', `Fix\n\nnot a trailer\n  indented\n${RB}\n`],
  [
    '25% rule with Signed-off-by: 1 git trailer, 3 prose lines',
    `Fix\n\nprose one\nprose two\nprose three\n${SOB}\n`,
  ],
  ['25% rule with Signed-off-by: 1 git trailer, 4 prose lines', `Fix\n\np1\np2\np3\np4\n${SOB}\n`],
  ['25% rule with Signed-off-by and a review', `Fix\n\np1\np2\np3\np4\np5\n${SOB}\n${RB}\n`],
  [
    '25% rule with cherry-pick line',
    `Fix\n\nsome prose\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n${RB}\n`,
  ],
  [
    'Signed-off-by without space after colon is not a git prefix',
    `Fix\n\nprose\nSigned-off-by:Hana <h@x.org>\n`,
  ],
  ['patch divider before trailers', `Fix\n\n${RB}\n---\n file | 2 +-\n`],
  ['patch divider after trailers', `Fix\n\nBody\n\n${RB}\n---\nnotes: after the divider\n`],
  ['trailers after a divider', `Fix\n\nBody\n---\n\n${RB}\n`],
  ['divider with trailing text is still a divider', `Fix\n\n${RB}\n--- a/file\n`],
  ['three dashes without a following space are not a divider', `Fix\n\n---no-space\n\n${RB}\n`],
  ['four dashes', `Fix\n\n----\n\n${RB}\n`],
  ['divider as the last line, no newline', `Fix\n\n${RB}\n---`],
  ['CRLF line endings', `Fix\r\n\r\n${RB}\r\n${CO}\r\n`],
  ['CRLF with continuation', `Fix\r\n\r\nKey: a\r\n b\r\n`],
  [
    'scissors line cuts what follows',
    `Fix\n\n${RB}\n${CUT}\nDo not modify or remove the line above.\n${CO}\n`,
  ],
  ['scissors line as the first line', `${CUT}\n${RB}\n`],
  ['scissors-looking text inside a line', `Fix\n\nsee x ${CUT}\n\n${RB}\n`],
  [
    'scissors-looking text inside a line, then a real scissors line',
    `Fix\n\nsee x ${CUT}\nbody\n\n${RB}\n${CUT}\n${CO}\n`,
  ],
  [
    'old Conflicts: block after trailers',
    `Merge branch x\n\n${RB}\n\nConflicts:\n\tevals/tasks/a.json\n\tb.txt\n`,
  ],
  ['Conflicts: block with comment', `Merge\n\n${RB}\nConflicts:\n\ta\n# comment\n`],
  ['key with spaces before the colon', `Fix\n\nReviewed-by : Rita <r@x.org>\n`],
  ['key with a space inside', `Fix\n\nReviewed by: Rita <r@x.org>\n`],
  ['key with an underscore is not a trailer', `Fix\n\nReviewed_by: Rita <r@x.org>\n`],
  ['key starting with a space is a continuation', `Fix\n\n Reviewed-by: Rita <r@x.org>\n`],
  ['empty value', `Fix\n\nReviewed-by:\n`],
  ['empty value followed by continuation', `Fix\n\nReviewed-by:\n  Rita <r@x.org>\n`],
  ['URL in the last paragraph', `Fix\n\nhttps://example.org/x\n${RB}\n`],
  ['value with colons', `Fix\n\nLink: https://example.org:8080/a:b\n`],
  ['colon at the start of a line', `Fix\n\n: nothing\n${RB}\n`],
  ['non-breaking space around a value', `Fix\n\nReviewed-by: \u00a0Rita <r@x.org>\u00a0\n`],
  ['form feed starting a line', `Fix\n\n${RB}\n\fCo: x\n`],
  ['vertical tab line in the block', `Fix\n\n${RB}\n\vcontinued?\n`],
  ['tab-only line between paragraphs', `Fix\n\nbody\n\t\n${RB}\n`],
  ['many blank lines between title and trailers', `Fix\n\n\n\n${RB}\n`],
  ['title then trailers without blank line', `Fix\n${RB}\n`],
  ['unicode in the key stops the key', `Fix\n\nRévisé-par: Rita <r@x.org>\n`],
  ['trailer block that is all comments', `Fix\n\n# a\n# b\n`],
  ['two paragraphs of trailers', `Fix\n\n${CO}\n\n${RB}\n`],
  [
    'emoji marker then trailer',
    `Fix\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\n${CO}\n`,
  ],
];

describe('parseTrailers agrees with git interpret-trailers --parse', () => {
  it('has at least 40 tricky messages', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map(([name]) => name)).size).toBe(CASES.length);
  });
  for (const [name, message] of CASES) {
    it(`${name}`, () => {
      expect(ours(message, false), 'with the patch divider').toBe(gitParse(message, false));
      expect(ours(message, true), 'with --no-divider').toBe(gitParse(message, true));
    });
  }
});

// The commit-msg hook reads the message file before git cleans it up; `cleanupMessage`
// must produce what `git commit` (default cleanup "strip", cut at the scissors line as
// `git commit -v` does) will store.
function gitStripspace(message: string): string {
  const r = spawnSync('git', ['stripspace', '--strip-comments'], {
    input: Buffer.from(message, 'utf8'),
    env,
  });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString('utf8');
}
const cutAtScissors = (m: string): string => {
  if (m.startsWith(`${CUT}\n`)) return '';
  const i = m.indexOf(`\n${CUT}\n`);
  return i < 0 ? m : m.slice(0, i + 1);
};

describe('cleanupMessage agrees with git stripspace --strip-comments (after the scissors cut)', () => {
  const more: [string, string][] = [
    [
      'editor template with comments',
      `Fix\n\n${RB}\n# Please enter the commit message for your changes.\n#\n# On branch main\n`,
    ],
    [
      'verbose commit with a diff below the scissors',
      `Fix\n\n${RB}\n${CUT}\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+${CO}\n`,
    ],
    ['leading and trailing blank lines', '\n\n\nFix\n\n\n\nbody\n\n\n'],
    ['trailing whitespace and CR on lines', 'Fix  \t\r\n\r\nbody \r\n'],
    ['non-breaking space at a line end is content', 'Fix\u00a0\n'],
    ['only comments', '# a\n# b\n'],
  ];
  for (const [name, message] of [...CASES, ...more]) {
    it(name, () => {
      expect(cleanupMessageOf(message)).toBe(gitStripspace(cutAtScissors(message)));
    });
  }
});
