// A push of one commit onto the default branch, whose only parent is the branch's tip, is
// judged without its `rev-list` (issue 14 §3: one git process less): the parents come from
// the rev-parse openRepo runs anyway (`Repo.parents`, `<id>^{commit}^!`). Speed work only:
// each push below is judged both ways — with openRepo's answers, and with none (every
// question asked of git as before) — and the verdicts must be the same; the rev-list is
// left out exactly where OLD..NEW is that one commit.

import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../../src/git/repo.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { idsToPeel, judgePush } from '../../../src/server/pre-receive.js';
import { removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const POLICY = `version: 1
repository: test/one-commit
zones:
  - { name: evals, paths: ["evals/**"], ai: deny }
`;
const CLAUDE = 'Co-Authored-By: Claude <noreply@anthropic.com>';
const now = new Date('2026-01-01T00:00:00Z');

/** A work repository with main (two commits) and a bare server holding main. */
function setUp(): { work: TestRepo; server: TestRepo; old: string } {
  const work = TestRepo.init();
  work.write('.cleanroom/policy.yaml', POLICY);
  work.write('src/a.txt', 'a\n');
  work.git('add', '-A');
  work.git('commit', '-q', '-m', 'one');
  work.write('src/a.txt', 'b\n');
  work.git('commit', '-q', '-am', 'two');
  const server = TestRepo.init({ bare: true });
  server.git('fetch', '-q', work.dir, 'main:main');
  return { work, server, old: work.git('rev-parse', 'main').trim() };
}

const commit = (work: TestRepo, path: string, text: string, message: string): string => {
  work.write(path, text);
  work.git('add', '-A');
  work.git('commit', '-q', '-m', message);
  return work.git('rev-parse', 'HEAD').trim();
};

type Update = { old: string; new: string; ref: string };
const ZERO = '0'.repeat(40);

/**
 * Each case: arranges the work repository (and the server: hidden refs, other branches),
 * returns the push's updates and how many of them take the fast path (no rev-list).
 */
type Case = [string, (w: TestRepo, old: string, s: TestRepo) => Update[], number];
const onMain = (old: string, neu: string): Update[] => [{ old, new: neu, ref: 'refs/heads/main' }];
const cases: Case[] = [
  ['one clean commit', (w, old) => onMain(old, commit(w, 'src/b.txt', 'b\n', 'clean')), 1],
  [
    'one commit with AI content in a deny zone',
    (w, old) => onMain(old, commit(w, 'evals/t.txt', 'x\n', `add\n\n${CLAUDE}`)),
    1,
  ],
  [
    'one commit that changes the policy',
    (w, old) =>
      onMain(
        old,
        commit(w, '.cleanroom/policy.yaml', POLICY.replace('evals/**', 'ev/**'), 'policy'),
      ),
    1,
  ],
  [
    'an annotated tag of one commit, pushed as the branch',
    (w, old) => {
      commit(w, 'evals/t.txt', 'y\n', `add\n\n${CLAUDE}`);
      w.git('tag', '-a', '-m', 't', 'tg');
      return onMain(old, w.git('rev-parse', 'tg').trim());
    },
    1,
  ],
  [
    'two commits',
    (w, old) => {
      commit(w, 'evals/t.txt', 'x\n', `add\n\n${CLAUDE}`);
      return onMain(old, commit(w, 'src/b.txt', 'b\n', 'clean'));
    },
    0,
  ],
  [
    'a merge whose first parent is the old tip',
    (w, old) => {
      w.git('checkout', '-q', '-b', 'side', `${old}~1`);
      commit(w, 'evals/s.txt', 's\n', `side\n\n${CLAUDE}`);
      w.git('checkout', '-q', 'main');
      w.git('merge', '-q', '--no-ff', '-m', 'merge', 'side');
      return onMain(old, w.git('rev-parse', 'HEAD').trim());
    },
    0,
  ],
  [
    'a rewind to the old tip\u2019s parent',
    (w, old) => onMain(old, w.git('rev-parse', `${old}~1`).trim()),
    0,
  ],
  [
    'a commit on another root (not a child of the old tip)',
    (w, old) => {
      w.git('checkout', '-q', '--orphan', 'other');
      w.git('rm', '-q', '-rf', '.');
      return onMain(old, commit(w, 'evals/o.txt', 'o\n', `root\n\n${CLAUDE}`));
    },
    0,
  ],
  [
    'the default branch created (OLD zero) at a one-commit child',
    (w) => [
      {
        old: ZERO,
        new: commit(w, 'evals/t.txt', 'x\n', `add\n\n${CLAUDE}`),
        ref: 'refs/heads/main',
      },
    ],
    0,
  ],
  [
    'several refs: one commit onto main, the same commit as a new branch and an annotated tag, a deletion',
    (w, old, s) => {
      const neu = commit(w, 'evals/t.txt', 'x\n', `add\n\n${CLAUDE}`);
      w.git('tag', '-a', '-m', 't', 'v1');
      s.git('update-ref', 'refs/heads/gone', old);
      return [
        { old: ZERO, new: neu, ref: 'refs/heads/feature' },
        { old, new: neu, ref: 'refs/heads/main' },
        { old: ZERO, new: w.git('rev-parse', 'v1').trim(), ref: 'refs/tags/v1' },
        { old, new: ZERO, ref: 'refs/heads/gone' },
      ];
    },
    1,
  ],
  [
    'one commit onto an existing feature branch and one onto main',
    (w, old, s) => {
      s.git('update-ref', 'refs/heads/feature', old);
      const onto = commit(w, 'evals/f.txt', 'f\n', `feat\n\n${CLAUDE}`);
      w.git('checkout', '-q', '-b', 'm2', old);
      const neu = commit(w, 'src/m.txt', 'm\n', 'clean');
      return [
        { old, new: onto, ref: 'refs/heads/feature' },
        { old, new: neu, ref: 'refs/heads/main' },
      ];
    },
    1,
  ],
  [
    'one commit onto main that a hidden ref already holds',
    (w, old, s) => {
      const neu = commit(w, 'evals/t.txt', 'x\n', `add\n\n${CLAUDE}`);
      s.git('config', 'transfer.hideRefs', 'refs/hidden');
      s.git('fetch', '-q', w.dir, `${neu}:refs/hidden/x`);
      return onMain(old, neu);
    },
    1,
  ],
];

/** The cases whose push carries no AI content into a zone: no finding either way. */
const CLEAN = new Set(['one clean commit', 'a rewind to the old tip\u2019s parent']);

describe('a push of one commit onto the default branch, without its rev-list', () => {
  for (const [name, arrange, fast] of cases) {
    it(`${name}: the same verdicts both ways, ${fast} rev-list(s) fewer`, async () => {
      const { work, server, old } = setUp();
      const updates = arrange(work, old, server);
      for (const [i, u] of updates.entries()) {
        if (u.new === ZERO) continue;
        // Present but unreferenced, as receive-pack leaves a push for the hook.
        server.git('fetch', '-q', work.dir, `+${u.new}:refs/tmp/x${i}`);
        server.git('update-ref', '-d', `refs/tmp/x${i}`);
      }
      const input = updates.map((u) => `${u.old} ${u.new} ${u.ref}\n`).join('');
      const source = {
        policy: loadPolicyText(POLICY, 'policy.yaml'),
        trust: { approvers: undefined, reviewers: undefined },
        origin: 'policy.yaml',
      };
      const judge = async (withRepo: boolean) => {
        const trace = join(tempDir(), 'trace');
        const ctx = { cwd: server.dir, env: { ...server.env, GIT_TRACE: trace } };
        const repo = withRepo
          ? await openRepo(ctx, { needRoot: false, head: true, commits: idsToPeel(input) })
          : undefined;
        if (withRepo) expect(repo?.parents).toBeDefined();
        const verdicts = await judgePush(
          ctx,
          source,
          updates,
          now,
          60_000,
          'refs/heads/main',
          undefined,
          undefined,
          repo?.commits,
          undefined,
          repo?.parents,
        );
        const text = existsSync(trace) ? readFileSync(trace, 'utf8') : '';
        const revLists = text.split('\n').filter((l) => /built-in: git .*\brev-list\b/.test(l));
        return { verdicts: JSON.stringify(verdicts), revLists: revLists.length };
      };
      const full = await judge(false);
      const quick = await judge(true);
      expect(quick.verdicts).toBe(full.verdicts);
      // A test that cannot fail is a defect: the pushes with AI content in a zone are refused.
      const findings = (JSON.parse(full.verdicts) as { findings: unknown[] }[]).flatMap(
        (v) => v.findings,
      );
      expect(findings.length > 0).toBe(!CLEAN.has(name));
      expect(full.revLists).toBeGreaterThanOrEqual(1);
      expect(quick.revLists).toBe(full.revLists - fast);
    });
  }

  it('the parents openRepo reads: none for a root, two for a merge, the peeled commit’s for a tag', async () => {
    const { work, old } = setUp();
    const root = work.git('rev-list', '--max-parents=0', 'main').trim();
    work.git('checkout', '-q', '-b', 'side', root);
    const side = commit(work, 'src/s.txt', 's\n', 'side');
    work.git('checkout', '-q', 'main');
    work.git('merge', '-q', '--no-ff', '-m', 'merge', 'side');
    const merge = work.git('rev-parse', 'HEAD').trim();
    work.git('tag', '-a', '-m', 't', 'tg', old);
    const tag = work.git('rev-parse', 'tg').trim();
    const repo = await openRepo(
      { cwd: work.dir, env: work.env },
      { needRoot: false, head: true, commits: [root, merge, tag] },
    );
    expect(repo.commits).toEqual(
      new Map([
        [root, root],
        [merge, merge],
        [tag, old],
      ]),
    );
    expect(repo.parents).toEqual(
      new Map([
        [root, []],
        [merge, [old, side]],
        [old, [root]],
      ]),
    );
    expect(repo.head).toBe('refs/heads/main');
  });
});
