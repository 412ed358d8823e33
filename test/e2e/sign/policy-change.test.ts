// A commit that changes the policy is judged by the policy before it: the server, pre-push
// and CI read the policy as the default branch held it before the push. The local side
// does the same (src/check/policy-source.ts configBefore), so the override an approver
// signs for such a commit — requested, signed and committed as the printed way out says —
// is the one the server accepts. Before, `override request` and commit-msg read the
// work tree's new policy: moving a zone (`evals/tasks` → `benchmarks/tasks`) with the
// files in it produced an override for the new zones, which commit-msg took and the
// server refused, and the printed way out made the same request again.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, tempDir } from '../../helpers/repo.js';
import { protectedServer, serverRef } from '../../helpers/server.js';
import { sshKey } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

/** A protected server with `files`, hooks installed in its clone, and the zone moved (staged). */
function zoneMoved(files: Record<string, string>): ReturnType<typeof protectedServer> {
  const s = protectedServer({ files: { ...files, 'evals/tasks/q1.json': '{"q": 1}\n' } });
  expect(s.work.cleanroom(['init', '--hooks', 'git', '-q']).code).toBe(0);
  // The layout moves: the zone's path and the files in it.
  s.work.git('mv', 'evals/tasks', 'benchmarks');
  writeFileSync(
    join(s.work.dir, '.cleanroom/policy.yaml'),
    POLICY.replace('"evals/tasks/**"', '"benchmarks/**"'),
  );
  s.work.git('add', '-A');
  return s;
}

describe('an override for a commit that moves a zone', () => {
  it(
    'is requested against the policy before the change, and commit-msg, pre-push and the server take it',
    T,
    () => {
      const ava = sshKey(tempDir('cleanroom-keys-'), 'ava', 'ed25519');
      const s = zoneMoved({
        '.cleanroom/approvers': `ava@example.org namespaces="cleanroom-override" ${ava.pub}\n`,
      });
      const { work } = s;
      const req = work.cleanroom(['override', 'request', '--reason', 'the layout moves']);
      expect(req.code, req.stderr).toBe(0);
      const signed = work.cleanroom(
        ['override', 'sign', '--key', ava.path, '--principal', 'ava@example.org'],
        {
          input: req.stdout,
        },
      );
      expect(signed.code, signed.stderr).toBe(0);
      // commit-msg runs (hooks installed), then pre-push, then the server's pre-receive.
      const c = work.commit('move the eval tasks', {
        add: [],
        args: ['--trailer', signed.stdout.trim()],
      });
      expect(c.code, c.stderr).toBe(0);
      const push = work.tryGit(['push', 'origin', 'main']);
      expect(push.code, push.stderr).toBe(0);
      expect(serverRef(s, 'main')).toBe(work.head());
      // CI's view agrees: the range judged by its base's policy.
      const range = work.cleanroom(['check', '--range', 'HEAD~1..HEAD']);
      expect(range.code, range.stdout + range.stderr).toBe(0);
    },
  );

  it('control: without the override, pre-push and the server refuse it', T, () => {
    const { work } = zoneMoved({});
    // A human's change: commit-msg lets it through (the local hook is advisory for the
    // configuration); pre-push and the server want the approver's override.
    expect(work.commit('move the eval tasks', { add: [] }).code).toBe(0);
    const prePush = work.tryGit(['push', 'origin', 'main']);
    expect(prePush.code).not.toBe(0);
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('.cleanroom/policy.yaml');
  });
});
