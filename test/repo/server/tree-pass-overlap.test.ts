// The order of a push's answers (src/server/pre-receive.ts judgePush): whatever the
// judgement finds, a malformed tree is the verdict. The push is refused with the tree
// pass's input error (exit 2), never with the judgement's findings, and no verdict (nor
// the link cache the judgement writes) leaves before the tree pass has ended, and a
// malformed tree wins over an error the judgement throws. Written for a tree pass run
// beside the judgement (tried twice, in the p20-trees lane and in the eighth pass; neither
// paid on 2 cores, so the pass still runs first): a tree pass that a faster judgement
// overtakes must fail here, so its rev-list is made to start a second late.

import { existsSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { judgePush } from '../../../src/server/pre-receive.js';
import { removeTempDirs, tempDir } from '../../helpers/repo.js';
import { gitWrapperEnv, treePushSetUp, treePushSource } from '../../helpers/tree-push.js';

afterAll(removeTempDirs);

const now = new Date('2026-01-01T00:00:00Z');

describe('a malformed tree is the verdict of a push', () => {
  it('a malformed tree is the verdict, over the findings of the same push, on any ref', async () => {
    const s = treePushSetUp();
    // The tree pass's rev-list starts a second late: a judgement run beside it is done
    // first, and its verdict must still wait for the trees.
    const slow = gitWrapperEnv(
      s.server.env,
      'case "$*" in *--filter=object:type=tree*) sleep 1 ;; esac',
    );
    const ctx = { cwd: s.server.dir, env: slow };
    for (const ref of ['refs/heads/main', 'refs/heads/feature']) {
      const old = ref === 'refs/heads/main' ? s.old : '0'.repeat(40);
      const push = (id: string, cache: string) =>
        judgePush(
          ctx,
          treePushSource(),
          [{ old, new: id, ref }],
          now,
          60_000,
          'refs/heads/main',
          undefined,
          undefined,
          undefined,
          cache,
        );
      // The control: the same AI content in well-formed trees is judged (a violation).
      const cache = tempDir();
      const verdicts = await push(s.clean, cache);
      expect(
        verdicts[0]!.findings.some((f) => f.outcome === 'violation'),
        ref,
      ).toBe(true);
      const written = readdirSync(cache);
      // The malformed push: the tree pass's error, not findings; no link cache written.
      const cache2 = tempDir();
      await expect(push(s.malformed, cache2), ref).rejects.toThrow(
        `malformed tree ${s.malformedTree.slice(0, 12)}: two entries are named q.json`,
      );
      expect(existsSync(cache2) ? readdirSync(cache2) : [], ref).toEqual([]);
      expect(written.length, 'the control wrote its link cache').toBeGreaterThan(0);
    }
  });

  it('a malformed tree is the answer over an error the judgement throws, and a clean push gets that error', async () => {
    const s = treePushSetUp();
    // The judgement's diff-tree fails at once; the tree pass is a second late.
    const env = gitWrapperEnv(
      s.server.env,
      'case "$*" in *--filter=object:type=tree*) sleep 1 ;; *diff-tree*) echo "fatal: planted" >&2; exit 128 ;; esac',
    );
    const push = (id: string) =>
      judgePush(
        { cwd: s.server.dir, env },
        treePushSource(),
        [{ old: s.old, new: id, ref: 'refs/heads/main' }],
        now,
        60_000,
        'refs/heads/main',
      );
    await expect(push(s.malformed)).rejects.toThrow(
      `malformed tree ${s.malformedTree.slice(0, 12)}: two entries are named q.json`,
    );
    await expect(push(s.clean)).rejects.toThrow(/planted/);
  });

  it('with Git checking trees itself (gitChecksTrees), the same push is judged on its findings', async () => {
    const s = treePushSetUp();
    const ctx = { cwd: s.server.dir, env: s.server.env };
    const verdicts = await judgePush(
      ctx,
      treePushSource(),
      [{ old: s.old, new: s.malformed, ref: 'refs/heads/main' }],
      now,
      60_000,
      'refs/heads/main',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      true,
    );
    // (The test of the arrangement: without the tree pass, only findings stop this push.)
    expect(verdicts[0]!.findings.some((f) => f.outcome === 'violation')).toBe(true);
  });
});
