// Symlinks resolved as a checkout resolves them (issue 10, docs/policy.md "Links"): a
// symlinked directory on the way, chains, physical `..`, loops and over-long chains
// (fail closed), and a link and the content it shows arriving in different commits or
// from different parents of a merge. Each attack is tried at every point that can see
// it; beside it, the same history made by humans passes everywhere.

import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, type Run } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef } from '../../helpers/server.js';
import { contaminated, itAtEveryPoint, type Scenario, stage, type Step } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

/** c1 -> c2 -> … -> cN -> src/gen, and evals/tasks -> ../c1: N + 1 links in all. */
const chain = (n: number): Record<string, string> => {
  const links: Record<string, string> = { 'evals/tasks': '../c1' };
  for (let i = 1; i < n; i++) links[`c${i}`] = `c${i + 1}`;
  links[`c${n}`] = 'src/gen';
  return links;
};

const cases: Scenario[] = [
  {
    name: 'a symlinked directory on the way: src -> lib, evals/tasks -> ../src/gen, content written at lib/gen/q.json',
    path: 'evals/tasks/q.json',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'lib/gen/a.txt': 'a\n' },
        symlinks: { src: 'lib', 'evals/tasks': '../src/gen' },
      },
      { message: 'generate', ai, files: { 'lib/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a link to a link to a link: evals/tasks -> ../l1, l1 -> l2, l2 -> src/gen',
    path: 'evals/tasks/q.json',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'src/gen/a.txt': 'a\n' },
        symlinks: { 'evals/tasks': '../l1', l1: 'l2', l2: 'src/gen' },
      },
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a `..` after a link is taken physically: x -> lib/deep, evals/tasks -> ../x/../gen shows lib/gen',
    path: 'evals/tasks/q.json',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'lib/deep/a.txt': 'a\n', 'lib/gen/a.txt': 'a\n' },
        symlinks: { x: 'lib/deep', 'evals/tasks': '../x/../gen' },
      },
      { message: 'generate', ai, files: { 'lib/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a chain of 41 links (past Linux MAXSYMLINKS = 40) is judged fail-closed at the link',
    path: 'evals/tasks',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'src/gen/a.txt': 'a\n' },
        symlinks: chain(40),
      },
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a loop of links reached from a zone (evals/tasks -> ../l1, l1 -> l2, l2 -> l1) is judged fail-closed at the link',
    path: 'evals/tasks',
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'src/a.txt': 'a\n' },
        symlinks: { 'evals/tasks': '../l1', l1: 'l2', l2: 'l1' },
      },
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
    ],
  },
  {
    name: 'a human link exposes AI content written earlier outside every zone: AI src/gen/q.json, then a human evals/tasks -> ../src/gen',
    path: 'evals/tasks/q.json',
    humanLast: true,
    steps: (ai): Step[] => [
      { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } },
      {
        message: 'link the folder (by a human)',
        ai: false,
        symlinks: { 'evals/tasks': '../src/gen' },
      },
    ],
  },
  {
    name: 'a human link on the way exposes AI content: evals/tasks -> ../src/gen exists, AI wrote lib/gen/q.json, a human adds src -> lib',
    path: 'evals/tasks/q.json',
    humanLast: true,
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'README.md': 'x\n' },
        symlinks: { 'evals/tasks': '../src/gen' },
      },
      { message: 'generate', ai, files: { 'lib/gen/q.json': '{"q":1}\n' } },
      { message: 'alias src (by a human)', ai: false, symlinks: { src: 'lib' } },
    ],
  },
  {
    name: 'a human moves an AI draft into a linked folder: git mv drafts/q.json src/gen/q.json while evals/tasks -> ../src/gen',
    path: 'evals/tasks/q.json',
    humanLast: true,
    steps: (ai): Step[] => [
      {
        message: 'layout (by a human)',
        ai: false,
        files: { 'src/gen/a.txt': 'a\n' },
        symlinks: { 'evals/tasks': '../src/gen' },
      },
      { message: 'draft', ai, files: { 'drafts/q.json': '{"q":1}\n' } },
      {
        message: 'file the draft (by a human)',
        ai: false,
        moves: [['drafts/q.json', 'src/gen/q.json']],
      },
    ],
  },
];

describe('symlinks are resolved as a checkout resolves them, at every point', () => {
  itAtEveryPoint(cases, T);
});

/**
 * main gets a link from one side and AI content from the other, joined by a human merge:
 * neither side alone puts anything into a zone.
 */
function mergeScenario(
  ai: boolean,
  linkOn: 'main' | 'side',
): { preReceive: Run; prePush: Run; range: Run; audit: Run } {
  const s = protectedServer();
  const { work } = s;
  const init = work.cleanroom(['init', '--hooks', 'git']);
  expect(init.code, init.stderr).toBe(0);
  work.git('remote', 'set-head', 'origin', 'main');
  const base = work.head();
  const link: Step = {
    message: 'link the folder (by a human)',
    ai: false,
    files: { 'src/gen/a.txt': 'a\n' },
    symlinks: { 'evals/tasks': '../src/gen' },
  };
  const content: Step = { message: 'generate', ai, files: { 'src/gen/q.json': '{"q":1}\n' } };
  const commit = (step: Step): void => {
    stage(work, step);
    work.git('commit', '-q', '--no-verify', '-m', step.message, ...(step.ai ? ['-m', CLAUDE] : []));
  };
  work.git('checkout', '-q', '-b', 'side');
  commit(linkOn === 'side' ? link : content);
  work.git('checkout', '-q', 'main');
  commit(linkOn === 'main' ? link : content);
  work.git('merge', '-q', '--no-ff', '--no-verify', '-m', 'merge side (by a human)', 'side');
  const tip = work.head();
  const prePush = work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
    input: `refs/heads/main ${tip} refs/heads/main ${base}\n`,
  });
  const preReceive = work.tryGit(['push', '--no-verify', 'origin', 'main']);
  if (preReceive.code === 0) expect(serverRef(s, 'main')).toBe(tip);
  const range = work.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  const audit = work.cleanroom(['audit', '--format', 'json']);
  return { preReceive, prePush, range, audit };
}

describe('a link and the content it shows from different parents of a merge', () => {
  for (const linkOn of ['main', 'side'] as const) {
    const name = `the link on ${linkOn}, the AI content on ${linkOn === 'main' ? 'side' : 'main'}`;
    it(`attack: ${name}`, T, () => {
      const p = mergeScenario(true, linkOn);
      expect(p.prePush.code, p.prePush.stderr).toBe(1);
      expect(p.prePush.stderr + p.prePush.stdout).toContain('evals/tasks/q.json');
      expect(p.preReceive.code).not.toBe(0);
      expect(p.preReceive.stderr).toContain('evals/tasks/q.json');
      expect(p.range.code, p.range.stderr).toBe(1);
      expect(JSON.parse(p.range.stdout).violations.map((v: { path: string }) => v.path)).toContain(
        'evals/tasks/q.json',
      );
      expect(p.audit.code, p.audit.stderr).toBe(1);
      expect(contaminated(p.audit)).toContain('evals/tasks/q.json');
    });
    it(`human control: ${name}`, T, () => {
      const p = mergeScenario(false, linkOn);
      expect(p.prePush.code, p.prePush.stderr).toBe(0);
      expect(p.preReceive.code, p.preReceive.stderr).toBe(0);
      expect(p.range.code, p.range.stdout).toBe(0);
      expect(p.audit.code, p.audit.stdout).toBe(0);
    });
  }
});
