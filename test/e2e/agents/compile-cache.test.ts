// Issue 14 §2: dist/agent-hook.cjs runs the agent-hook bundle through V8's code cache, in a
// per-user directory. The cache is only a speed-up: a missing, unwritable, foreign or
// corrupt cache must give the same answers (a write into a deny zone blocked, one outside
// allowed), and a directory other users can write is never used (its cache would be code).

import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir, type TestRepo } from '../../helpers/repo.js';
import { hook, payload } from './world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

const deny = (repo: TestRepo) => payload('claude', 'PreToolUse-Write', repo);
const allow = (repo: TestRepo) =>
  payload('claude', 'PreToolUse-Write', repo, (o) => {
    o.tool_input.file_path = join(repo.dir, 'src', 'app.py');
  });

function answers(repo: TestRepo, env: NodeJS.ProcessEnv): [number, number] {
  const d = hook(repo, 'claude', deny(repo), { env: { ...repo.env, ...env } });
  const a = hook(repo, 'claude', allow(repo), { env: { ...repo.env, ...env } });
  return [d.code, a.code];
}

const cacheFiles = (base: string): string[] => {
  const root = join(base, 'cleanroom');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((d) => readdirSync(join(root, d)));
};

describe('agent hook compile cache', () => {
  it('first and later calls answer the same; the cache is written once, in the user cache dir', () => {
    const repo = repoWithPolicy();
    const base = tempDir();
    const env = { XDG_CACHE_HOME: base };
    expect(answers(repo, env)).toEqual([2, 0]);
    expect(cacheFiles(base).length).toBe(1);
    expect(answers(repo, env)).toEqual([2, 0]);
    expect(cacheFiles(base).length).toBe(1);
  });

  it('a run that parsed the policy writes no code cache (its YAML parser would ride along), once', () => {
    const repo = repoWithPolicy();
    const base = tempDir();
    const env = { XDG_CACHE_HOME: base };
    const call = () => hook(repo, 'claude', deny(repo), { env: { ...repo.env, ...env } }).code;
    expect(call()).toBe(2); // the first call: a policy-cache miss, YAML parsed
    expect(cacheFiles(base).map((f) => f.replace(/^.*\./, ''))).toEqual(['skip']);
    expect(call()).toBe(2); // a hit: this run writes the cache, and the mark goes
    expect(cacheFiles(base).map((f) => f.replace(/^.*\./, ''))).toEqual(['v8']);
    // Where every run misses (here: the policy cache removed each time), the skip is
    // taken once only: the second miss writes the code cache.
    const other = tempDir();
    const miss = () => {
      rmSync(join(repo.dir, '.git', 'cleanroom'), { recursive: true, force: true });
      return hook(repo, 'claude', deny(repo), { env: { ...repo.env, XDG_CACHE_HOME: other } }).code;
    };
    expect(miss()).toBe(2);
    expect(cacheFiles(other).map((f) => f.replace(/^.*\./, ''))).toEqual(['skip']);
    expect(miss()).toBe(2);
    expect(cacheFiles(other).map((f) => f.replace(/^.*\./, ''))).toEqual(['v8']);
  });

  it('a corrupt cache file is rejected by V8 and replaced: same answers', () => {
    const repo = repoWithPolicy();
    const base = tempDir();
    const env = { XDG_CACHE_HOME: base };
    answers(repo, env);
    const root = join(base, 'cleanroom');
    for (const d of readdirSync(root))
      for (const f of readdirSync(join(root, d))) writeFileSync(join(root, d, f), 'not a cache');
    expect(answers(repo, env)).toEqual([2, 0]);
  });

  it('a cache directory others can write is not used', () => {
    const repo = repoWithPolicy();
    const base = tempDir();
    mkdirSync(join(base, 'cleanroom'), { recursive: true });
    const dir = join(base, 'cleanroom', `v8-${process.version}-${process.arch}`);
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(answers(repo, { XDG_CACHE_HOME: base })).toEqual([2, 0]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('control: no HOME and no XDG_CACHE_HOME, or an unwritable one: no cache, same answers', () => {
    const repo = repoWithPolicy();
    expect(answers(repo, { XDG_CACHE_HOME: undefined, HOME: undefined })).toEqual([2, 0]);
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    expect(answers(repo, { XDG_CACHE_HOME: file })).toEqual([2, 0]);
  });
});
