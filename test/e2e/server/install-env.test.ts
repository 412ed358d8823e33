// install-server and doctor --server check the environment the pre-receive hook runs in:
// git new enough, node found, a bare repository, cleanroom installed for the server rather
// than in a developer's project.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeGitVersion, parseGitVersion } from '../../../src/cli/doctor-server.js';
import { CLI, removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';
import { copyPackage } from '../../helpers/server.js';

afterAll(removeTempDirs);

function bareWithPolicy(): TestRepo {
  const server = TestRepo.init({ bare: true });
  const work = repoWithPolicy({ init: false });
  work.git('push', '-q', server.dir, 'main');
  return server;
}

/** A PATH with git and nothing else, like a GUI client's or a minimal server's. */
function pathWithoutNode(): string {
  const bin = tempDir('cleanroom-gitonly-');
  symlinkSync(
    execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(),
    join(bin, 'git'),
  );
  return bin;
}

describe('install-server: where and with what the hook will run', () => {
  it('checks git and node as the hook will run them, and says so', () => {
    const server = bareWithPolicy();
    const r = server.cleanroom(['install-server', '.']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^✓ git version 2\.\d+/m);
    expect(r.stdout).toMatch(
      /^✓ the hook can run here: node and git on this shell's PATH, .*hooks\/pre-receive → cleanroom \d/m,
    );
  });

  it('refuses a working copy (exit 2, nothing written); --allow-non-bare installs there', () => {
    const clone = repoWithPolicy({ init: false });
    const r = clone.cleanroom(['install-server', '.']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'is a working copy, not the bare repository a server receives pushes in',
    );
    expect(existsSync(join(clone.dir, '.git/hooks/pre-receive'))).toBe(false);
    expect(clone.tryGit(['config', '--get-regexp', '^cleanroom\\.']).stdout).toBe('');
    const forced = clone.cleanroom([
      'install-server',
      '.',
      '--allow-non-bare',
      '--log',
      join(tempDir(), 'l.jsonl'),
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(join(clone.dir, '.git/hooks/pre-receive'))).toBe(true);
  });

  it("with no node on the hook's PATH: the install reports ✗ (exit 1), and a push is rejected saying why", () => {
    const server = bareWithPolicy();
    const r = spawnSync(process.execPath, [CLI, 'install-server', server.dir], {
      env: { ...server.env, PATH: pathWithoutNode() },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('✗ the hook cannot run here: node is not on the PATH');
    const work = repoWithPolicy({ init: false });
    const push = spawnSync('git', ['push', server.dir, 'main:other'], {
      cwd: work.dir,
      env: { ...work.env, PATH: `${pathWithoutNode()}` },
      encoding: 'utf8',
    });
    expect(push.status).not.toBe(0);
    expect(push.stderr).toContain('node is not on the PATH this server hook runs with');
  });

  it("run from a developer's project (node_modules beside a package.json): warned, and doctor --server says it too", () => {
    const app = tempDir('cleanroom-devproject-');
    writeFileSync(join(app, 'package.json'), '{"name":"app"}\n');
    const pkg = join(app, 'node_modules', '@cleanroom-dev', 'cleanroom');
    copyPackage(pkg, ['package.json', 'hooks', 'policies', 'dist/cleanroom.cjs']);
    const server = bareWithPolicy();
    const r = spawnSync(
      process.execPath,
      [join(pkg, 'dist/cleanroom.cjs'), 'install-server', server.dir],
      { env: server.env, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `! the hook runs cleanroom from ${app}/node_modules, a project's dependencies`,
    );
    const d = server.cleanroom(['doctor', '--server', '.']);
    expect(d.stdout).toContain(`! the hook runs cleanroom from ${app}/node_modules`);
    // The control: installed from this checkout (not inside a node_modules), no such warning.
    const plain = bareWithPolicy();
    expect(plain.cleanroom(['install-server', '.']).stdout).not.toContain(
      "a project's dependencies",
    );
  });
});

describe('doctor --server', () => {
  it("a protected bare repository: every check ✓ but the tree check's advice, exit 0", () => {
    const server = bareWithPolicy();
    expect(server.cleanroom(['install-server', '.']).code).toBe(0);
    const d = server.cleanroom(['doctor', '--server', server.dir]);
    expect(d.code, d.stdout).toBe(0);
    expect(d.stdout).toMatch(/^✓ pre-receive: installed/m);
    expect(d.stdout).toMatch(/^✓ the hook can run here/m);
    // Git's defaults: the hook reads the pushed trees itself, and says how to hand that to Git.
    expect(d.stdout).toMatch(/^! malformed trees: the hook reads every tree a push brings/m);
    // The printed fix names the repository, so it works pasted from anywhere.
    const fix = /→ (git --git-dir .* error): Git then/.exec(d.stdout)?.[1];
    expect(fix, d.stdout).toContain('config receive.fsckObjects true && git --git-dir');
    const other = bareWithPolicy();
    expect(other.cleanroom(['install-server', '.']).code).toBe(0);
    const pasted = other.cleanroom(['doctor', '--server', other.dir]);
    const otherFix = /→ (git --git-dir .* error): Git then/.exec(pasted.stdout)![1]!;
    execFileSync('sh', ['-c', otherFix], { cwd: tmpdir() });
    expect(other.cleanroom(['doctor', '--server', other.dir]).stdout).toMatch(
      /^✓ malformed trees: Git refuses them itself/m,
    );
    server.git('config', 'receive.fsckObjects', 'true');
    const half = server.cleanroom(['doctor', '--server', server.dir]);
    expect(half.stdout, 'badFilemode left at info').toMatch(/^! malformed trees/m);
    server.git('config', 'receive.fsck.badFilemode', 'error');
    const on = server.cleanroom(['doctor', '--server', server.dir]);
    expect(on.code, on.stdout).toBe(0);
    expect(on.stdout).toMatch(/^✓ malformed trees: Git refuses them itself/m);
    server.git('config', 'transfer.hideRefs', 'refs/pull');
    expect(server.cleanroom(['doctor', '--server', server.dir]).stdout).toMatch(
      /^✓ malformed trees: refs are hidden/m,
    );
    server.git('config', '--unset', 'transfer.hideRefs');
    writeFileSync(
      join(server.dir, 'objects', 'info', 'alternates'),
      `${server.dir}/../elsewhere/objects\n`,
    );
    const fork = server.cleanroom(['doctor', '--server', server.dir]);
    expect(fork.stdout).toMatch(/^✓ malformed trees: this repository borrows objects/m);
  });

  it('no hook: ✗ with the fix, exit 1; REPO without --server is a usage error', () => {
    const server = bareWithPolicy();
    const d = server.cleanroom(['doctor', '--server']);
    expect(d.code).toBe(1);
    expect(d.stdout).toContain('✗ pre-receive: missing');
    expect(d.stdout).toContain('→ run cleanroom install-server');
    expect(server.cleanroom(['doctor', '.']).code).toBe(2);
  });

  it('git older than 2.39 is a warning naming the fallback (OLD..NEW per ref), not a pass', () => {
    expect(parseGitVersion('git version 2.39.5')).toEqual([2, 39]);
    expect(judgeGitVersion('git version 2.39.5').ok).toBe(true);
    expect(judgeGitVersion('git version 2.43.0.windows.1').ok).toBe(true);
    expect(judgeGitVersion('git version 3.0.0').ok).toBe(true);
    const old = judgeGitVersion('git version 2.30.2');
    expect(old.ok).toBe('warn');
    expect(old.text).toContain("falls back to each ref's OLD..NEW");
    expect(judgeGitVersion('not git').ok).toBe('warn');
  });
});
