// The push's git processes read with bounded memory (src/check/range.ts pushReadContext):
// git itself must see the settings, after (never instead of) entries the environment
// already carries, and a malformed count is left alone rather than guessed at.

import { afterAll, describe, expect, it } from 'vitest';
import { gitText } from '../../../src/git/git.js';
import { pushReadContext } from '../../../src/check/range.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

describe('pushReadContext', () => {
  it('git sees the delta-base cache and pack-window bounds', async () => {
    const repo = TestRepo.init();
    const ctx = pushReadContext({ cwd: repo.dir, env: repo.env });
    const get = (key: string) => gitText(ctx, ['config', '--get', key]).then((s) => s.trim());
    expect(await get('core.deltaBaseCacheLimit')).toBe('48m');
    expect(await get('core.packedGitWindowSize')).toBe('1m');
    expect(await get('core.packedGitLimit')).toBe('16m');
  });

  it('keeps the entries already in the environment (control: they still read)', async () => {
    const repo = TestRepo.init();
    const env = {
      ...repo.env,
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'cleanroom.probe',
      GIT_CONFIG_VALUE_0: 'kept',
    };
    const ctx = pushReadContext({ cwd: repo.dir, env });
    expect((await gitText(ctx, ['config', '--get', 'cleanroom.probe'])).trim()).toBe('kept');
    expect((await gitText(ctx, ['config', '--get', 'core.deltaBaseCacheLimit'])).trim()).toBe(
      '48m',
    );
  });

  it('leaves a malformed GIT_CONFIG_COUNT alone (git refuses it on its own)', () => {
    const ctx = { cwd: '/', env: { GIT_CONFIG_COUNT: 'x' } };
    expect(pushReadContext(ctx)).toBe(ctx);
  });
});
