// One module per hosting platform (src/server/platforms.ts): detection from the hook's
// environment, the pusher, the error prefix, and where install-server puts the hook.

import { existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PLATFORMS, platformFor, platformOfRepo, pusherOf } from '../../../src/server/platforms.js';
import { POLICY, removeTempDirs, TestRepo, tempDir } from '../../helpers/repo.js';
import { writeFileSync } from 'node:fs';

afterAll(removeTempDirs);

describe('platformFor (hook environment)', () => {
  it('GitLab from any one of GL_ID, GL_USERNAME, GL_PROTOCOL (one rule, used by the hook and the error reporter)', () => {
    for (const env of [{ GL_ID: 'user-7' }, { GL_USERNAME: 'mallory' }, { GL_PROTOCOL: 'ssh' }]) {
      expect(platformFor(env).id, JSON.stringify(env)).toBe('gitlab');
      expect(platformFor(env).errorPrefix).toBe('GL-HOOK-ERR: ');
    }
    expect(platformFor({ USER: 'git' }).errorPrefix).toBe('');
  });

  it('Gitea/Forgejo, GitHub Enterprise, and plain git as the fallback', () => {
    expect(platformFor({ GITEA_PUSHER_NAME: 'riley' }).id).toBe('gitea');
    expect(platformFor({ GITHUB_USER_LOGIN: 'octo', GITHUB_VIA: 'git' }).id).toBe(
      'github-enterprise',
    );
    expect(platformFor({}).id).toBe('git');
    expect(PLATFORMS.at(-1)!.id).toBe('git');
  });

  it("the pusher is the platform's name for them, else the account, from the environment or the password database", () => {
    expect(pusherOf({ GL_USERNAME: 'mallory', USER: 'git' })).toBe('mallory');
    expect(pusherOf({ GITEA_PUSHER_NAME: 'riley', USER: 'git' })).toBe('riley');
    expect(pusherOf({ GITHUB_USER_LOGIN: 'octo', USER: 'git' })).toBe('octo');
    expect(pusherOf({ REMOTE_USER: 'web', USER: 'git' })).toBe('web');
    expect(pusherOf({ GL_ID: 'key-1', USER: 'git' })).toBe('git'); // GitLab without a username: the account
    // Neither USER nor LOGNAME (git daemon, a container's runner): the process's account.
    const me = userInfo().username;
    expect(me).not.toBe('');
    expect(pusherOf({})).toBe(me);
    expect(pusherOf({ USER: '', LOGNAME: '' })).toBe(me);
  });
});

describe('install-server puts the hook where the host runs it', () => {
  const policyFile = (): string => {
    const f = join(tempDir(), 'policy.yaml');
    writeFileSync(f, POLICY);
    return f;
  };

  it("a Gitea/Forgejo repository (hooks/pre-receive.d/): into pre-receive.d, leaving Gitea's hooks/pre-receive alone", () => {
    const server = TestRepo.init({ bare: true });
    mkdirSync(join(server.dir, 'hooks', 'pre-receive.d'), { recursive: true });
    expect(platformOfRepo(server.dir).id).toBe('gitea');
    const r = server.cleanroom(['install-server', server.dir, '--policy', policyFile()]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(server.dir, 'hooks', 'pre-receive.d', 'pre-receive'))).toBe(true);
    expect(existsSync(join(server.dir, 'hooks', 'pre-receive'))).toBe(false);
  });

  it('a GitLab repository (custom_hooks/): into custom_hooks', () => {
    const server = TestRepo.init({ bare: true });
    mkdirSync(join(server.dir, 'custom_hooks'));
    const r = server.cleanroom(['install-server', server.dir, '--policy', policyFile()]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(server.dir, 'custom_hooks', 'pre-receive'))).toBe(true);
  });

  it('control: a plain bare repository gets hooks/pre-receive', () => {
    const server = TestRepo.init({ bare: true });
    expect(platformOfRepo(server.dir).id).toBe('git');
    const r = server.cleanroom(['install-server', server.dir, '--policy', policyFile()]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(server.dir, 'hooks', 'pre-receive'))).toBe(true);
  });
});
