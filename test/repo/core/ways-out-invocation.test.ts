// With the README's local install (`npm install --save-dev`), `cleanroom` is not on the
// shell's PATH: the printed ways out then say once to run their cleanroom commands with
// `npx --no -- cleanroom`. On PATH, or with no local install, they say nothing of it.

import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, removeTempDirs, repoWithPolicy, tempDir } from '../../helpers/repo.js';
import { CLAUDE, protectedServer } from '../../helpers/server.js';

afterAll(removeTempDirs);

const NOTE =
  "cleanroom is not on this shell's PATH: run the cleanroom commands below as npx --no -- cleanroom";

function violating(): ReturnType<typeof repoWithPolicy> {
  const repo = repoWithPolicy();
  repo.write('evals/tasks/q.json', '{}\n');
  repo.git('add', '-A');
  return repo;
}

describe('the ways out name how cleanroom runs here', () => {
  it('a local install, not on PATH: npx --no -- cleanroom', () => {
    const repo = violating();
    mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(CLI, join(repo.dir, 'node_modules', '.bin', 'cleanroom'));
    const r = repo.cleanroom(['check', '--staged'], {
      env: { ...repo.env, CLAUDECODE: '1', PATH: '/usr/bin:/bin' },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(NOTE);
  });

  it('pre-push, a local install not on PATH: npx --no -- cleanroom', () => {
    const s = protectedServer();
    const { work } = s;
    mkdirSync(join(work.dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(CLI, join(work.dir, 'node_modules', '.bin', 'cleanroom'));
    const base = work.head();
    work.write('evals/tasks/q.json', '{}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'task', '-m', CLAUDE);
    const run = (path: string) =>
      work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
        input: `refs/heads/main ${work.head()} refs/heads/main ${base}\n`,
        env: { ...work.env, PATH: path },
      });
    const local = run('/usr/bin:/bin');
    expect(local.code, local.stderr).toBe(1);
    expect(local.stderr).toContain(NOTE);
    const bin = tempDir();
    writeFileSync(join(bin, 'cleanroom'), '#!/bin/sh\n');
    chmodSync(join(bin, 'cleanroom'), 0o755);
    const onPath = run(`${bin}:/usr/bin:/bin`);
    expect(onPath.code, onPath.stderr).toBe(1);
    expect(onPath.stderr).not.toContain('not on this shell');
  });

  it('control: on PATH, or no local install, nothing is said', () => {
    const repo = violating();
    const bin = tempDir();
    writeFileSync(join(bin, 'cleanroom'), '#!/bin/sh\n');
    chmodSync(join(bin, 'cleanroom'), 0o755);
    mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(CLI, join(repo.dir, 'node_modules', '.bin', 'cleanroom'));
    const onPath = repo.cleanroom(['check', '--staged'], {
      env: { ...repo.env, CLAUDECODE: '1', PATH: `${bin}:/usr/bin:/bin` },
    });
    expect(onPath.code).toBe(1);
    expect(onPath.stderr).not.toContain('not on this shell');
    const bare = violating();
    const none = bare.cleanroom(['check', '--staged'], {
      env: { ...bare.env, CLAUDECODE: '1', PATH: '/usr/bin:/bin' },
    });
    expect(none.code).toBe(1);
    expect(none.stderr).not.toContain('not on this shell');
  });
});
