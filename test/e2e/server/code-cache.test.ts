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
import { LARGE_DIFF_V8_DEFAULTS, LARGE_DIFF_V8_FLAGS } from '../../../src/long-run.js';
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
/** The loader's CPU trigger for pre-receive and audit (src/build/build.mjs LONG_RUN_FLAGS.afterCpuMs). */
const LONG_RUN_AFTER_CPU_MS = 300;
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
  // compiles under the default flags and raises the interrupt budget only once the bundle
  // runs and says the run is long (src/long-run.ts: an audit at its start, a push once it
  // knows it judges 1,000 commits or more). A run that raised it sets the default back
  // before writing a cache. Were a cache written under the raised flag, every later run
  // would reject it and compile the bundle again.
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

  /**
   * A preload (`node -r`) that appends "COMMAND FLAGS" to `log` for each
   * v8.setFlagsFromString call of the process (the loader's raise and its reset).
   */
  /**
   * A preload that logs every `v8.setFlagsFromString` call as `COMMAND FLAGS CPU_MS` (the
   * process's CPU so far). `calls()`: `COMMAND FLAGS` each; `early(from)`: the long-run
   * raises since call `from` made before the loader's CPU trigger (LONG_RUN_AFTER_CPU_MS),
   * i.e. the bundle's own: on a loaded runner a cold small push can pass the CPU trigger
   * itself, which is the loader's design, not the bundle asking.
   */
  function flagSpy(): {
    options: string;
    log: string;
    calls: () => string[];
    early: (from: number) => string[];
  } {
    const dir = tempDir('cleanroom-spy-');
    const log = join(dir, 'flags.log');
    const spy = join(dir, 'spy.cjs');
    writeFileSync(
      spy,
      `const v8 = require('node:v8');
const fs = require('node:fs');
const set = v8.setFlagsFromString;
v8.setFlagsFromString = (f) => {
  const c = process.cpuUsage();
  fs.appendFileSync(${JSON.stringify(log)}, process.argv[2] + ' ' + f + ' @' + Math.round((c.user + c.system) / 1000) + '\\n');
  return set.call(v8, f);
};
`,
    );
    const timed = (): string[] =>
      existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    return {
      options: `-r ${spy}`,
      log,
      calls: () => timed().map((l) => l.replace(/ @\d+$/, '')),
      early: (from) =>
        timed()
          .slice(from)
          .filter(
            (l) =>
              l.includes(LONG_RUN_FLAG) && Number(/@(\d+)$/.exec(l)![1]) < LONG_RUN_AFTER_CPU_MS,
          ),
    };
  }

  it('a push of 1,000+ commits raises the flag, a small one does not; the cache stays valid either way', () => {
    const s = protectedServer();
    const cache = tempDir('cleanroom-xdg-');
    const spy = flagSpy();
    const env = { XDG_CACHE_HOME: cache, NODE_OPTIONS: spy.options };
    // Small pushes: no flag asked for (the -r preload is itself a flag-free option: the
    // cache is written and accepted as without it).
    expectJudged(s, env, 1);
    expect(spy.early(0)).toEqual([]);
    let mark = spy.calls().length;
    const file = join(v8Dir(cache), caches(cache)[0]!);
    const { ino } = statSync(file);
    // 1,200 human commits on a new branch: raised once the rev-list has counted them,
    // and the cache (a hit) is left alone.
    s.work.git('checkout', '-q', '-B', 'long', 'origin/main');
    const tip = fastHistory(s.work, 1_200, { ref: 'refs/heads/long', from: s.work.head() });
    let r = push(s, env, 'long');
    expect(r.status, r.stderr).toBe(0);
    expect(spy.calls().slice(mark)).toEqual([`pre-receive ${LONG_RUN_FLAG}`]);
    expect(statSync(file).ino).toBe(ino);
    // The same long push into an empty cache: the run raised the flag, set the default
    // back, and wrote a cache that V8 and the next (small) push accept.
    const cold = tempDir('cleanroom-xdg-');
    s.server.git('update-ref', '-d', 'refs/heads/long');
    mark = spy.calls().length;
    r = push(s, { ...env, XDG_CACHE_HOME: cold }, 'long');
    expect(r.status, r.stderr).toBe(0);
    expect(s.server.git('rev-parse', 'refs/heads/long').trim()).toBe(tip);
    expect(spy.calls().slice(mark)).toEqual([
      `pre-receive ${LONG_RUN_FLAG}`,
      'pre-receive --interrupt-budget=67584',
    ]);
    const coldFile = join(v8Dir(cold), caches(cold)[0]!);
    expect(v8Rejects(coldFile, [])).toBe(false);
    const coldIno = statSync(coldFile).ino;
    s.work.git('checkout', '-q', 'main');
    mark = spy.calls().length;
    expectJudged(s, { ...env, XDG_CACHE_HOME: cold }, 2);
    expect(statSync(coldFile).ino).toBe(coldIno);
    expect(spy.early(mark)).toEqual([]);
  });

  it('an audit raises the flag from its start and writes the cache every run accepts', () => {
    const cache = tempDir('cleanroom-xdg-');
    const spy = flagSpy();
    const policy = join(tempDir('cleanroom-policy-'), 'policy.yaml');
    writeFileSync(
      policy,
      'version: 1\nrepository: example/audit\nzones:\n  - { name: all, paths: ["**"], ai: deny }\n',
    );
    const audit = (repo: TestRepo) => {
      const r = spawnSync(
        process.execPath,
        [LOADER, 'audit', '--policy', policy, '--format', 'json'],
        {
          cwd: repo.dir,
          env: { ...repo.env, XDG_CACHE_HOME: cache, NODE_OPTIONS: spy.options },
          encoding: 'utf8',
        },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    const short = TestRepo.init();
    short.write('src/a.txt', 'a\n');
    short.git('add', '-A');
    short.git('commit', '-q', '--no-verify', '-m', 'a');
    // The first run parses the policy and skips writing; the next writes it.
    for (let i = 0; i < 3 && caches(cache, 'cli-audit-').length === 0; i++) audit(short);
    // Each of those runs raised the flag at its start and set the default back at exit.
    const calls = spy.calls();
    expect(calls.length % 2, calls.join('\n')).toBe(0);
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < calls.length; i += 2)
      expect(calls.slice(i, i + 2)).toEqual([
        `audit ${LONG_RUN_FLAG}`,
        'audit --interrupt-budget=67584',
      ]);
    const file = join(v8Dir(cache), caches(cache, 'cli-audit-')[0]!);
    const { ino } = statSync(file);
    expect(v8Rejects(file, [])).toBe(false);
    // Every later audit raises the flag, compiles with the cache and leaves it alone.
    const long = TestRepo.init();
    fastHistory(long, 2_000, { ref: 'refs/heads/main' });
    long.git('checkout', '-q', 'main');
    audit(long);
    audit(short);
    expect(statSync(file).ino).toBe(ino);
    expect(spy.calls().slice(calls.length)).toEqual([
      `audit ${LONG_RUN_FLAG}`,
      `audit ${LONG_RUN_FLAG}`,
    ]);
  });

  // Other code may change a V8 flag too (src/git/staged.ts lowers the inlining budget for
  // a large staged diff). The loader compares V8's stamp before the bundle ran with the one
  // at exit, and honours the mark globalThis[Symbol.for('cleanroom.v8.flagsChanged')].
  it('a run whose code changed another V8 flag, or marked it, writes no cache; the control writes one', () => {
    const s = protectedServer();
    const dir = tempDir('cleanroom-flags-');
    // Exit handlers registered before the loader's run first: each changes the process
    // after the bundle ran, as code of the bundle would.
    const preload = (name: string, body: string): string => {
      const file = join(dir, `${name}.cjs`);
      writeFileSync(file, `process.once('exit', () => { ${body} });\n`);
      return `-r ${file}`;
    };
    const flag = preload(
      'flag',
      "require('node:v8').setFlagsFromString('--max-inlined-bytecode-size-cumulative=200');",
    );
    const mark = preload('mark', "globalThis[Symbol.for('cleanroom.v8.flagsChanged')] = true;");
    const none = preload('none', 'globalThis.unrelated = true;');
    for (const [i, options] of [flag, mark].entries()) {
      const cache = tempDir('cleanroom-xdg-');
      expectJudged(s, { XDG_CACHE_HOME: cache, NODE_OPTIONS: options }, 10 + i);
      expect(caches(cache), options).toEqual([]);
    }
    const cache = tempDir('cleanroom-xdg-');
    expectJudged(s, { XDG_CACHE_HOME: cache, NODE_OPTIONS: none }, 12);
    expect(caches(cache)).toHaveLength(1);
    expect(v8Rejects(join(v8Dir(cache), caches(cache)[0]!), [])).toBe(false);
    // Code that changed flags and left their defaults (src/long-run.ts FLAGS_RESET, as a
    // large staged diff does): the loader sets them back and writes a cache the next run
    // takes. Defaults that do not give back the stamp: no cache.
    const flags = JSON.stringify(LARGE_DIFF_V8_FLAGS);
    const reset = (defaults: string): string =>
      preload(
        `reset-${defaults.length}`,
        `require('node:v8').setFlagsFromString(${flags}); globalThis[Symbol.for('cleanroom.v8.resetFlags')] = ${JSON.stringify(defaults)};`,
      );
    const resetCache = tempDir('cleanroom-xdg-');
    expectJudged(
      s,
      { XDG_CACHE_HOME: resetCache, NODE_OPTIONS: reset(LARGE_DIFF_V8_DEFAULTS) },
      13,
    );
    expect(caches(resetCache)).toHaveLength(1);
    expect(v8Rejects(join(v8Dir(resetCache), caches(resetCache)[0]!), [])).toBe(false);
    const wrongCache = tempDir('cleanroom-xdg-');
    expectJudged(
      s,
      {
        XDG_CACHE_HOME: wrongCache,
        NODE_OPTIONS: reset('--max-inlined-bytecode-size-cumulative=920'),
      },
      14,
    );
    expect(caches(wrongCache)).toEqual([]);
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
