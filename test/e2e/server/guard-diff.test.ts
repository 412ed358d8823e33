// A push onto the default branch that changes .cleanroom/ without a commit carrying the
// change (a rewind, a merge that takes an older policy from one parent) is refused by
// `git diff-tree OLD NEW` over the guarded paths. That diff is skipped when the judged
// commits prove it empty (a chain of single-parent commits from OLD, none touching a
// guarded path: src/server/pre-receive.ts linearUntouched). Each case here defeats one
// condition of that proof; the human control takes the shortcut and is accepted.

import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, type Run } from '../../helpers/repo.js';
import { humanCommit, protectedServer, serverRef, type Server } from '../../helpers/server.js';

afterAll(removeTempDirs);

const LAX = POLICY.replace(/ai: deny/g, 'ai: allow');
const REFUSED = '.cleanroom/policy.yaml on the default branch without a commit that carries';

/** main on the server: a lax policy, then the strict one (both there before the hook). */
function laxThenStrict(): { s: Server; lax: string; strict: string } {
  const s = protectedServer({ policy: LAX, files: { '.cleanroom/policy.yaml': POLICY } });
  const strict = s.work.head();
  return { s, lax: s.work.git('rev-parse', `${strict}~1`).trim(), strict };
}

/** Puts commits on the server unreferenced (as receive-pack leaves a push), then runs the hook on `lines`. */
function preReceive(s: Server, lines: string[], objects: string[]): Run {
  for (const [i, id] of objects.entries()) {
    s.server.git('fetch', '-q', s.work.dir, `${id}:refs/tmp/o${i}`);
    s.server.git('update-ref', '-d', `refs/tmp/o${i}`);
  }
  return s.server.cleanroom(['pre-receive'], {
    input: lines.join('\n') + '\n',
    env: { ...s.server.env, CLEANROOM_DEBUG: '1' },
  });
}

const guardDiff = (r: Run, old: string, tip: string): boolean =>
  r.stderr.includes(`git diff-tree -r -z --raw --no-abbrev --ignore-submodules=none ${old} ${tip}`);

/** A merge commit with `parents` in that order and the tree of `treeOf`. */
function merge(s: Server, treeOf: string, parents: string[], message = 'Merge'): string {
  return s.work
    .git('commit-tree', ...parents.flatMap((p) => ['-p', p]), '-m', message, `${treeOf}^{tree}`)
    .trim();
}

describe('the default branch: guarded paths compared between OLD and NEW', () => {
  it('control: human commits onto main need no diff (the commits prove it) and are accepted', () => {
    const { s, strict } = laxThenStrict();
    humanCommit(s.work, 'src/a.txt', 'a\n');
    const tip = humanCommit(s.work, 'src/b.txt', 'b\n');
    const r = preReceive(s, [`${strict} ${tip} refs/heads/main`], [tip]);
    expect(r.code, r.stderr).toBe(0);
    expect(guardDiff(r, strict, tip)).toBe(false);
  });

  it('a fast-forward merge whose FIRST parent holds the older policy is refused (its combined diff hides the path)', () => {
    const { s, lax, strict } = laxThenStrict();
    // L: a human commit on main (its parent is OLD). M merges it under the lax commit as
    // first parent, with the lax tree: against that parent nothing changed, so neither the
    // combined diff nor the judge's first-parent check shows the policy.
    const l = humanCommit(s.work, 'src/l.txt', 'l\n');
    const m = merge(s, lax, [lax, l]);
    const r = preReceive(s, [`${strict} ${m} refs/heads/main`], [m]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(REFUSED);
    expect(guardDiff(r, strict, m)).toBe(true);
    expect(serverRef(s, 'main')).toBe(strict);
  });

  it('the same merge judged first for another ref of the push, main then moved past it by linear commits, is refused', () => {
    const { s, lax, strict } = laxThenStrict();
    // L: a human commit on top of main, already on the server (another branch): judged
    // for main in this push, and its parent is OLD. M (lax tree) is judged for refs/heads/a
    // first, so for main it is skipped; N on top of M is linear. Only the skipped merge
    // carries the rollback: the diff must run.
    s.work.git('checkout', '-q', '-b', 'side', strict);
    const l = humanCommit(s.work, 'src/side.txt', 'side\n');
    s.server.git('fetch', '-q', s.work.dir, `${l}:refs/heads/side`);
    const m = merge(s, lax, [lax, l]);
    s.work.git('reset', '-q', '--hard', m);
    const n = humanCommit(s.work, 'src/after.txt', 'after\n');
    const r = preReceive(
      s,
      [`${'0'.repeat(40)} ${m} refs/heads/a`, `${strict} ${n} refs/heads/main`],
      [m, n],
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(REFUSED);
    expect(guardDiff(r, strict, n)).toBe(true);
  });

  it('a rewind (OLD not an ancestor of NEW) to the older policy is refused', () => {
    const { s, lax, strict } = laxThenStrict();
    s.work.git('checkout', '-q', '-B', 'rewound', lax);
    const tip = humanCommit(s.work, 'src/c.txt', 'c\n');
    const r = preReceive(s, [`${strict} ${tip} refs/heads/main`], [tip]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(REFUSED);
    expect(guardDiff(r, strict, tip)).toBe(true);
  });
});
