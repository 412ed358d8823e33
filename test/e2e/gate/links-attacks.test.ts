// Bypasses of the symlink rule found by a hostile review (issue 10 §2: links are content at
// their own path, resolved as a checkout resolves them), one KIND of fault each:
// * an edit does not launder what a link exposes (the commit that adds the link also
//   changes the exposed file);
// * a link text with "\" is read as a Windows checkout reads it, too;
// * a link text and the tree may spell a name in different Unicode forms (NFC link text,
//   NFD directory: one directory on APFS and HFS+);
// * the alias work of one commit is bounded (MAX_LINK_STEPS) and fails closed past it.
// Each attack is tried at every point that can see it; beside it, the same history made
// by humans passes everywhere.

import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, type TestRepo } from '../../helpers/repo.js';
import { protectedServer } from '../../helpers/server.js';
import { itAtEveryPoint, type Scenario, stage, type Step } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

const cases: Scenario[] = [
  {
    name: 'a human link exposes an AI file and edits it in the same commit: AI src/gen/q.jsonl, then a human evals/tasks -> ../src/gen plus one more line',
    path: 'evals/tasks/q.jsonl',
    humanLast: true,
    steps: (ai): Step[] => [
      { message: 'generate', ai, files: { 'src/gen/q.jsonl': '{"q":1}\n{"q":2}\n' } },
      {
        message: 'link the folder and tweak (by a human)',
        ai: false,
        files: { 'src/gen/q.jsonl': '{"q":1}\n{"q":2}\n{"q":3}\n' },
        symlinks: { 'evals/tasks': '../src/gen' },
      },
    ],
  },
  {
    name: 'a backslash link text (Windows core.symlinks): evals/tasks -> ..\\src\\gen, then AI content at src/gen/q.json',
    path: 'evals/tasks/q.json',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'src/gen/a.txt': 'a\n' },
        symlinks: { 'evals/tasks': '..\\src\\gen' },
      },
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a backslash link text exposes AI content written earlier: AI src/gen/q.json, then a human evals/tasks -> ..\\src\\gen',
    path: 'evals/tasks/q.json',
    humanLast: true,
    steps: (ai): Step[] => [
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
      {
        message: 'link the folder (by a human)',
        ai: false,
        symlinks: { 'evals/tasks': '..\\src\\gen' },
      },
    ],
  },
  {
    name: 'an NFC link text to an NFD directory (APFS, HFS+): evals/tasks -> ../café, then AI content at cafe\\u0301/q.json',
    path: 'evals/tasks/q.json',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { [`${NFD}/a.txt`]: 'a\n' },
        symlinks: { 'evals/tasks': `../${NFC}` },
      },
      { message: 'generate', ai, files: { [`${NFD}/q.json`]: '{"q":1}\n' } },
    ],
  },
  {
    name: 'an NFC link text exposes AI content written earlier in an NFD directory: AI cafe\\u0301/b/q.json, then a human evals/tasks -> ../café/b',
    path: 'evals/tasks/q.json',
    humanLast: true,
    steps: (ai): Step[] => [
      { message: 'generate', ai, files: { [`${NFD}/b/q.json`]: '{"q":1}\n' } },
      {
        message: 'link the folder (by a human)',
        ai: false,
        symlinks: { 'evals/tasks': `../${NFC}/b` },
      },
    ],
  },
];

describe('symlink bypasses of the hostile review, at every point', () => {
  itAtEveryPoint(cases, T);
});

describe('the alias work of one commit is bounded (MAX_LINK_STEPS)', () => {
  /** One human commit with 30 links `s/lN -> ..` (each shows the whole repository) and 10 files. */
  const manyRootLinks = (): ReturnType<typeof protectedServer> => {
    const s = protectedServer();
    const { work } = s;
    const links: Record<string, string> = {};
    for (let i = 1; i <= 30; i++) links[`s/l${i}`] = '..';
    const files: Record<string, string> = {};
    for (let i = 1; i <= 10; i++) files[`s/f${i}.txt`] = `${i}\n`;
    stageAndCommit(work, { message: 'links (by a human)', ai: false, files, symlinks: links });
    return s;
  };
  const SMALL = { CLEANROOM_MAX_LINK_STEPS: '1000' };

  it(
    'past the bound, pre-receive, check --range and audit fail closed and name the limit',
    T,
    () => {
      const { work } = manyRootLinks();
      const env = { ...work.env, ...SMALL };
      const push = work.tryGit(['push', '--no-verify', 'origin', 'main'], { env });
      expect(push.code, 'pre-receive').not.toBe(0);
      expect(push.stderr).toContain('MAX_LINK_STEPS');
      const range = work.cleanroom(['check', '--range', 'origin/main..HEAD'], { env });
      expect(range.code, range.stdout + range.stderr).toBe(2);
      expect(range.stderr).toContain('MAX_LINK_STEPS');
      const audit = work.cleanroom(['audit'], { env });
      expect(audit.code, audit.stdout + audit.stderr).not.toBe(0);
      expect(audit.stdout + audit.stderr).toContain('MAX_LINK_STEPS');
    },
  );

  it('human control: within the default bound the same push, range and audit pass', T, () => {
    const { work } = manyRootLinks();
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
    const range = work.cleanroom(['check', '--range', 'HEAD~1..HEAD']);
    expect(range.code, range.stdout + range.stderr).toBe(0);
    const audit = work.cleanroom(['audit']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
  });
});

function stageAndCommit(work: TestRepo, step: Step): void {
  stage(work, step);
  work.git('commit', '-q', '--no-verify', '-m', step.message);
}
