// The server hook runs dist/cleanroom.cjs through dist/cleanroom-cached.cjs, V8's code
// cache per user (issue 14 §3): the judgement must not depend on the cache — present,
// absent, corrupt, unusable, written by another command — and a deploy that copied
// dist/cleanroom.cjs alone must still work, compiled on every run.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fastHistory } from '../../helpers/hostile.js';
import { removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';
import {
  agentCommit,
  copyPackage,
  humanCommit,
  protectedServer,
  type Server,
} from '../../helpers/server.js';

afterAll(removeTempDirs);

const LOADER = join(ROOT, 'dist', 'cleanroom-cached.cjs');

/** The per-user cache directory the loader uses under `base` (XDG_CACHE_HOME). */
const v8Dir = (base: string): string =>
  join(base, 'cleanroom', `v8-${process.version}-${process.arch}`);
/**
 * Whether V8 rejects the code cache `file` for dist/cleanroom.cjs, compiled as the loader
 * compiles it, in a Node started with `flags` (V8's `cachedDataRejected`).
 */
function v8Rejects(file: string, flags: string[]): boolean {
  const script = `
const fs = require('node:fs');
const vm = require('node:vm');
const main = process.argv[1];
const text = fs.readFileSync(main, 'utf8').replace(/^#![^\\n]*/, '');
const wrapped = '(function (exports, require, module, __filename, __dirname) { ' + text + '\\n});';
const s = new vm.Script(wrapped, { filename: main, cachedData: fs.readFileSync(process.argv[2]) });
process.stdout.write(String(s.cachedDataRejected));`;
  const r = spawnSync(
    process.execPath,
    [...flags, '-e', script, join(ROOT, 'dist', 'cleanroom.cjs'), file],
    { encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
  expect(r.status, r.stderr).toBe(0);
  expect(['true', 'false']).toContain(r.stdout);
  return r.stdout === 'true';
}
/** The flag the loader raises in a long run (src/build/build.mjs, LONG_RUN_FLAGS). */
const LONG_RUN_FLAG = '--interrupt-budget=1056768';
const caches = (base: string, prefix = 'cli-pre-receive-'): string[] =>
  existsSync(v8Dir(base))
    ? readdirSync(v8Dir(base)).filter((f) => f.startsWith(prefix) && f.endsWith('.v8'))
    : [];

function push(s: Server, env: NodeJS.ProcessEnv, ref = 'main') {
  return spawnSync('git', ['push', 'origin', `HEAD:${ref}`], {
    cwd: s.work.dir,
    env: { ...s.work.env, ...env },
    encoding: 'utf8',
  });
}

/** An AI commit into a deny zone is rejected, then a human one on top of main is accepted. */
function expectJudged(s: Server, env: NodeJS.ProcessEnv, n: number): void {
  s.work.git('checkout', '-q', '-B', `try${n}`, 'origin/main');
  agentCommit(s.work, `evals/tasks/t${n}.txt`, `task ${n}\n`);
  const bad = push(s, env);
  expect(bad.status, bad.stderr).not.toBe(0);
  expect(bad.stderr).toContain('evals/tasks/');
  s.work.git('reset', '-q', '--hard', 'origin/main');
  humanCommit(s.work, `src/h${n}.txt`, `human ${n}\n`);
  const good = push(s, env);
  expect(good.status, good.stderr).toBe(0);
  s.work.git('fetch', '-q', 'origin');
}

describe('pre-receive through the code cache', () => {
  it('the installed hook runs the loader: the first push writes the cache, later ones judge the same with it', () => {
    expect(existsSync(LOADER)).toBe(true);
    expect(readFileSync(join(ROOT, 'hooks', 'pre-receive'), 'utf8')).toContain(
      'dist/cleanroom-cached.cjs" pre-receive',
    );
    const s = protectedServer();
    const cache = tempDir('cleanroom-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    expectJudged(s, env, 1);
    const [file] = caches(cache);
    expect(file, readdirSync(v8Dir(cache)).join(' ')).toBeDefined();
    expect(statSync(join(v8Dir(cache), file!)).mode & 0o777).toBe(0o600);
    expect(statSync(v8Dir(cache)).mode & 0o777).toBe(0o700);
    const written = readFileSync(join(v8Dir(cache), file!));
    expectJudged(s, env, 2);
    // Accepted by V8, so not written again.
    expect(readFileSync(join(v8Dir(cache), file!)).equals(written)).toBe(true);
  });

  it('a corrupt cache is rejected by V8 and rewritten; the push is judged the same', () => {
    const s = protectedServer();
    const cache = tempDir('cleanroom-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    expectJudged(s, env, 1);
    const file = join(v8Dir(cache), caches(cache)[0]!);
    const garbage = Buffer.alloc(statSync(file).size, 0x41);
    writeFileSync(file, garbage);
    expectJudged(s, env, 2);
    expect(readFileSync(file).equals(garbage)).toBe(false);
  });

  it("another command's cache is not the pre-receive's: each command has its own", () => {
    const cache = tempDir('cleanroom-xdg-');
    const env = { ...TestRepo.init().env, XDG_CACHE_HOME: cache };
    const v = spawnSync(process.execPath, [LOADER, '--version'], { env, encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(caches(cache, 'cli-other-')).toHaveLength(1);
    expect(caches(cache)).toHaveLength(0);
    const s = protectedServer();
    expectJudged(s, { XDG_CACHE_HOME: cache }, 1);
    expect(caches(cache)).toHaveLength(1);
    expect(caches(cache, 'cli-other-')).toHaveLength(1);
  });

  it('a cache directory others can write, or a relative XDG_CACHE_HOME, is not used; the push is judged without it', () => {
    const s = protectedServer();
    const cache = tempDir('cleanroom-xdg-');
    mkdirSync(v8Dir(cache), { recursive: true });
    chmodSync(v8Dir(cache), 0o777);
    expectJudged(s, { XDG_CACHE_HOME: cache }, 1);
    expect(readdirSync(v8Dir(cache))).toEqual([]);
    // The control: the same directory, private, is used.
    chmodSync(v8Dir(cache), 0o700);
    expectJudged(s, { XDG_CACHE_HOME: cache }, 2);
    expect(caches(cache)).toHaveLength(1);
    const relative = tempDir('cleanroom-home-');
    expectJudged(s, { XDG_CACHE_HOME: 'rel/cache', HOME: relative }, 3);
    expect(existsSync(join(s.server.dir, 'rel'))).toBe(false);
    expect(existsSync(join(relative, '.cache'))).toBe(false);
  });

  it('a cache made for another build of the same size, mtime and inode is not used (the key names the build)', () => {
    // V8 checks only the source's length: a cache taken for a different bundle of the
    // same length would run the old bytecode against the new source.
    const pkg = tempDir('cleanroom-pkg-');
    mkdirSync(join(pkg, 'dist'));
    for (const f of ['cleanroom.cjs', 'cleanroom-cached.cjs'])
      copyFileSync(join(ROOT, 'dist', f), join(pkg, 'dist', f));
    const bundle = join(pkg, 'dist', 'cleanroom.cjs');
    const mtime = 1_700_000_000; // whole seconds: put back exactly below
    utimesSync(bundle, mtime, mtime);
    const cache = tempDir('cleanroom-xdg-');
    const run = () =>
      spawnSync(process.execPath, [join(pkg, 'dist', 'cleanroom-cached.cjs'), '--version'], {
        env: { ...TestRepo.init().env, XDG_CACHE_HOME: cache },
        encoding: 'utf8',
      });
    expect(run().status).toBe(0);
    const text = readFileSync(bundle, 'utf8');
    const id = /^#![^\n]*\n\/\/ cleanroom-build ([0-9a-f]{32})\n/.exec(text)?.[1];
    expect(id).toBeDefined();
    const [first] = caches(cache, 'cli-other-');
    expect(first).toContain(id);
    // Another build, rewritten in place: same inode, same size, mtime put back.
    const { ino } = statSync(bundle);
    const other = id!.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    writeFileSync(bundle, text.replace(id!, other));
    utimesSync(bundle, mtime, mtime);
    expect(statSync(bundle).ino).toBe(ino);
    expect(statSync(bundle).size).toBe(text.length);
    const again = run();
    expect(again.status, again.stderr).toBe(0);
    expect(caches(cache, 'cli-other-')).toEqual([first!.replace(id!, other)]);
  });

  // Start-up cost (issue 14 §3): node:crypto costs ~8% of Node's start to load, and a push
  // without a signed grant hashes and verifies nothing with it (the trusted policy cache
  // compares the whole text; the signature code requires it on first use).
  it('a push without a signed grant does not load node:crypto (the policy cache hit included)', () => {
    const s = protectedServer();
    const seen = join(tempDir('cleanroom-modules-'), 'modules.txt');
    const preload = join(tempDir('cleanroom-preload-'), 'preload.cjs');
    writeFileSync(
      preload,
      `process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(seen)}, process.moduleLoadList.join('\\n') + '\\n--\\n'));\n`,
    );
    const env = { XDG_CACHE_HOME: tempDir('cleanroom-xdg-'), NODE_OPTIONS: `--require ${preload}` };
    expectJudged(s, env, 1); // the policy cache is written here
    writeFileSync(seen, '');
    expectJudged(s, env, 2); // …and read here
    const runs = readFileSync(seen, 'utf8')
      .split('--\n')
      .filter((r) => r.includes('NativeModule'));
    expect(runs).toHaveLength(2); // the hook ran twice, and the list can be read (a control)
    for (const run of runs) {
      expect(run).toContain('NativeModule child_process'); // control: loaded modules show
      expect(run.split('\n')).not.toContain('NativeModule crypto');
    }
  });

  // V8 flags for the long runs (issue 14 §3, §4). V8 stamps a code cache with a hash of its
  // flags and rejects one written under other flags (`cachedDataRejected`): the loader
  // compiles under the default flags, raises the interrupt budget only later in a long
  // pre-receive or audit, and such a run writes no cache. Were a cache written after the
  // raise, every later run would reject it and compile the bundle again.
  it('a push compiles and writes its cache under the default V8 flags: V8 accepts it on the next push', () => {
    const s = protectedServer();
    const cache = tempDir('cleanroom-xdg-');
    const env = { XDG_CACHE_HOME: cache };
    expectJudged(s, env, 1);
    const file = join(v8Dir(cache), caches(cache)[0]!);
    const { ino } = statSync(file);
    expectJudged(s, env, 2);
    // Accepted (the loader rewrites a rejected cache, through a new file: a new inode).
    expect(statSync(file).ino).toBe(ino);
    // V8's own answer, asked with the default flags and (control) with the raised budget.
    expect(v8Rejects(file, [])).toBe(false);
    expect(v8Rejects(file, [LONG_RUN_FLAG])).toBe(true);
    // The control: a run under another V8 flag has the cache rejected, and rewritten.
    expectJudged(s, { ...env, NODE_OPTIONS: '--max-semi-space-size=8' }, 3);
    expect(statSync(file).ino).not.toBe(ino);
  });

  it('a long audit raises the flag and writes no cache; a short one writes the cache every run accepts', () => {
    const cache = tempDir('cleanroom-xdg-');
    const policy = join(tempDir('cleanroom-policy-'), 'policy.yaml');
    writeFileSync(
      policy,
      'version: 1\nrepository: example/audit\nzones:\n  - { name: all, paths: ["**"], ai: deny }\n',
    );
    const audit = (repo: TestRepo) => {
      const r = spawnSync(
        process.execPath,
        [LOADER, 'audit', '--policy', policy, '--format', 'json'],
        { cwd: repo.dir, env: { ...repo.env, XDG_CACHE_HOME: cache }, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    // Long: 5,000 commits, ~1 s of CPU here, past the 300 ms the loader waits for before
    // raising the flag.
    const long = TestRepo.init();
    fastHistory(long, 5_000, { ref: 'refs/heads/main' });
    long.git('checkout', '-q', 'main');
    // Twice: the first run parses the policy (it would skip writing anyway), the second
    // is one that writes the cache unless it raised the flag.
    for (let i = 0; i < 2; i++) audit(long);
    expect(caches(cache, 'cli-audit-')).toEqual([]);
    // The control: a short audit writes it (the first run parses the policy and skips).
    const short = TestRepo.init();
    short.write('src/a.txt', 'a\n');
    short.git('add', '-A');
    short.git('commit', '-q', '--no-verify', '-m', 'a');
    for (let i = 0; i < 3 && caches(cache, 'cli-audit-').length === 0; i++) audit(short);
    const file = join(v8Dir(cache), caches(cache, 'cli-audit-')[0]!);
    const { ino } = statSync(file);
    expect(v8Rejects(file, [])).toBe(false);
    // A long run compiles with it under the same flags, and leaves it alone.
    audit(long);
    audit(short);
    expect(statSync(file).ino).toBe(ino);
  });

  it('a deploy that copied dist/cleanroom.cjs alone (no loader) still judges every push', () => {
    const pkg = tempDir('cleanroom-onefile-');
    copyPackage(pkg, ['package.json', 'hooks', 'policies', 'dist/cleanroom.cjs']);
    expect(existsSync(join(pkg, 'dist', 'cleanroom-cached.cjs'))).toBe(false);
    const s = protectedServer();
    const r = spawnSync(
      process.execPath,
      [join(pkg, 'dist', 'cleanroom.cjs'), 'install-server', s.server.dir, '--log', s.log],
      { env: s.server.env, encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(s.server.dir, 'hooks', 'pre-receive'), 'utf8')).toContain(pkg);
    const cache = tempDir('cleanroom-xdg-');
    expectJudged(s, { XDG_CACHE_HOME: cache }, 1);
    expect(caches(cache)).toHaveLength(0);
  });
});
