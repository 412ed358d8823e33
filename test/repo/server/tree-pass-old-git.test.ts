// A git older than 2.39 refuses `--exclude-hidden`: the tree pass and newCommitsOf then
// fall back to OLD..NEW per ref (src/server/pre-receive.ts; the tree pass learns it first
// and newCommitsOf asks no more). A push of two new branches is judged and a malformed
// tree refused all the same. In a file of its own: what the hook learns of its git is kept
// per process.

import { afterAll, describe, expect, it } from 'vitest';
import { judgePush } from '../../../src/server/pre-receive.js';
import { removeTempDirs } from '../../helpers/repo.js';
import { gitWrapperEnv, treePushSetUp, treePushSource } from '../../helpers/tree-push.js';

afterAll(removeTempDirs);

const now = new Date('2026-01-01T00:00:00Z');

describe('a git that refuses --exclude-hidden', () => {
  it('a new branch is judged (findings), and a malformed tree refused, through the fallback', async () => {
    const s = treePushSetUp();
    const old = gitWrapperEnv(
      s.server.env,
      'case "$*" in *--exclude-hidden*) echo "usage: git rev-list [<options>]" >&2; exit 129 ;; esac',
    );
    const ctx = { cwd: s.server.dir, env: old };
    const push = (id: string) =>
      judgePush(
        ctx,
        treePushSource(),
        [
          { old: '0'.repeat(40), new: id, ref: 'refs/heads/feature' },
          { old: '0'.repeat(40), new: id, ref: 'refs/heads/other' },
        ],
        now,
        60_000,
        'refs/heads/main',
      );
    const verdicts = await push(s.clean);
    expect(verdicts.map((v) => v.findings.some((f) => f.outcome === 'violation'))).toEqual([
      true,
      false, // judged once, for the first ref
    ]);
    expect(verdicts.flatMap((v) => v.errors)).toEqual([]);
    await expect(push(s.malformed)).rejects.toThrow(
      `malformed tree ${s.malformedTree.slice(0, 12)}: two entries are named q.json`,
    );
  });
});
