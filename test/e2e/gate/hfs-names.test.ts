// Names HFS+ reads as another: it ignores zero-width joiners, direction marks and the byte
// order mark when it compares names (Git's utf8.c next_hfs_char), so on a Mac whose
// checkout is on HFS+, `evals\u200c/tasks/q.json` is written into `evals/tasks/`. Git takes
// such a name in a well-formed tree (only `.git` spelt so is refused, by fsck), so the
// gate folds it as that file system does: such a path is in the zone, on push, in
// `check --staged` and `check --range`; a visible letter still makes another name.

import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, type TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };
const ZWNJ = '\u200c';
const BOM = '\ufeff';
const AGENT = { CLAUDECODE: '1' };

/** An AI commit (Claude's trailer) adding `path`, made without hooks: the server judges it. */
function aiCommit(work: TestRepo, path: string): void {
  work.write(path, '{"q": "model-written"}\n');
  work.git('add', '-A');
  work.git('commit', '-q', '--no-verify', '-m', `add a task\n\n${CLAUDE}`);
}

describe('a zone directory spelt with a code point HFS+ ignores', () => {
  it.each([
    ['a zero-width non-joiner', `evals${ZWNJ}/tasks/q.json`],
    ['a byte order mark in the second name', `evals/ta${BOM}sks/q.json`],
  ])('%s: the push is rejected, check --range finds it', T, (_what, path) => {
    const { work } = protectedServer();
    aiCommit(work, path);
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).not.toBe(0);
    expect(push.stderr).toContain('eval-tasks');
    const range = work.cleanroom(['check', '--range', 'origin/main..HEAD']);
    expect(range.code, range.stdout + range.stderr).toBe(1);
    expect(range.stdout + range.stderr).toContain('eval-tasks');
  });

  it('check --staged in an agent session refuses it', T, () => {
    const { work } = protectedServer();
    work.write(`evals${ZWNJ}/tasks/q.json`, '{}\n');
    work.git('add', '-A');
    const r = work.cleanroom(['check', '--staged'], { env: { ...work.env, ...AGENT } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain('eval-tasks');
  });

  it('human control: a visible letter makes another directory, and the push passes', T, () => {
    const { work } = protectedServer();
    aiCommit(work, 'evals\u00e9/tasks/q.json');
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
  });
});
