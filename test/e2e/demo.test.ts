// `npm run demo` is one of the two commands the README promises a new user: it must play
// every step as narrated (it checks each outcome itself and exits non-zero otherwise).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { cleanEnv, ROOT } from '../helpers/repo.js';

it('the demo plays the main job end to end, every step as narrated', { timeout: 240_000 }, () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'demo.mjs')], {
    env: cleanEnv(),
    encoding: 'utf8',
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  expect(r.stdout).toContain('demo: every step behaved as narrated');
});
