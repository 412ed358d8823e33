// The server keeps the links of the commits a push built on and of its tips between
// pushes (src/check/link-cache.ts), so the next push onto them starts no cat-file to read
// their trees (issue 14 §3). Speed work only: the differential below judges a history
// pushed in random slices, each slice once with the cache (shared by all slices, as one
// repository's pushes share it) and once without, and every commit's findings must be
// the same. Then the cache's refusals: any file not exactly of its shape is a miss.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgePushCommits } from '../../../src/check/range.js';
import {
  LinkCache,
  linkCacheFile,
  parseLinkCache,
  readLinkCache,
} from '../../../src/check/link-cache.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { generateHistory, POLICY } from '../../fixtures/audit/history.mjs';
import { addHostileCases, importHistory } from '../../helpers/hostile-history.js';
import { removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const trust = { approvers: undefined, reviewers: undefined };
const now = new Date('2026-01-01T00:00:00Z');

/** A LinkCache that counts the commits it answered for. */
class CountingCache extends LinkCache {
  hits = 0;
  override get(commit: string) {
    const links = super.get(commit);
    if (links) this.hits++;
    return links;
  }
}

/** Findings per commit of one slice, judged as a push; the cat-file processes it started; cache hits. */
async function judgeSlice(
  repo: TestRepo,
  items: { id: string; parents: string[] }[],
  cacheDir: string | undefined,
): Promise<{ findings: Map<string, string>; catFiles: number; hits: number }> {
  const policy = loadPolicyText(POLICY, 'policy.yaml');
  const trace = join(tempDir(), 'trace');
  const ctx = { cwd: repo.dir, env: { ...repo.env, GIT_TRACE: trace } };
  const linkCache = cacheDir === undefined ? undefined : new CountingCache(cacheDir);
  linkCache?.wanted.add(items[items.length - 1]!.id);
  const findings = new Map<string, string>();
  for await (const j of judgePushCommits(ctx, policy, trust, items, now, {
    guardConfig: true,
    ...(linkCache ? { linkCache } : {}),
  }))
    findings.set(j.id, JSON.stringify(j.findings));
  linkCache?.save();
  const text = existsSync(trace) ? readFileSync(trace, 'utf8') : '';
  return {
    findings,
    catFiles: text.split('\n').filter((l) => /built-in: git cat-file/.test(l)).length,
    hits: linkCache?.hits ?? 0,
  };
}

describe('the link cache changes no finding', () => {
  for (const seed of [5, 17]) {
    it(`history (seed ${seed}) plus the hostile link cases, pushed in random slices: the same findings with and without the cache`, async () => {
      const repo = TestRepo.init();
      importHistory(repo, generateHistory({ commits: 160, seed }).stream);
      addHostileCases(repo);
      const all = repo.commitsOldestFirst();
      const cacheDir = join(tempDir(), 'cleanroom');
      mkdirSync(cacheDir);
      let r = seed;
      const rand = (n: number): number => {
        r = (Math.imul(r, 1103515245) + 12345) >>> 0;
        return (r >>> 8) % n;
      };
      let hits = 0;
      let slices = 0;
      // The first slice starts at the root (nothing to build on); each later one builds on
      // the commits before it, as pushes onto a branch do. Some slices are pushed twice
      // (several pushes onto the same commit).
      for (let start = 0; start < all.length;) {
        const end = Math.min(all.length, start + 1 + rand(40));
        const slice = all.slice(start, end);
        for (let k = 0; k < (rand(3) === 0 ? 2 : 1); k++) {
          const plain = await judgeSlice(repo, slice, undefined);
          const cached = await judgeSlice(repo, slice, cacheDir);
          expect([...cached.findings.keys()]).toEqual([...plain.findings.keys()]);
          const differ = [...plain.findings]
            .filter(([id, f]) => cached.findings.get(id) !== f)
            .map(([id]) => id);
          expect(differ, `slice ${start}..${end}`).toEqual([]);
          if (cached.hits) hits++;
          slices++;
        }
        start = end;
      }
      // The cache answered for most slices (all but the first build on an earlier one).
      expect(hits, `${hits} of ${slices}`).toBeGreaterThan(slices / 2);
      expect(readFileSync(linkCacheFile(cacheDir), 'utf8')).toContain('"format":1');
    }, 300_000);
  }

  it('a link in a zone, in the commit a push builds on: the AI write it shows is found on the first push (read from git) and on the second (from the cache)', async () => {
    const repo = TestRepo.init();
    repo.write('evals/tasks/t1.json', '{}\n');
    repo.write('shared/README.md', 'hello\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'root');
    // evals/tasks/shared shows shared/ inside the zone.
    execFileSync('ln', ['-s', '../../shared', 'evals/tasks/shared'], { cwd: repo.dir });
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'a link in the zone');
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.write('shared/q.json', '{"ai": true}\n');
    repo.git('add', '-A');
    repo.git(
      'commit',
      '-q',
      '--no-verify',
      '-m',
      'more\n\nCo-Authored-By: Claude <noreply@anthropic.com>',
    );
    const pushed = repo.commitsOldestFirst().slice(-1);
    expect(pushed[0]!.parents).toEqual([base]);
    const cacheDir = join(tempDir(), 'cleanroom');
    mkdirSync(cacheDir);
    const first = await judgeSlice(repo, pushed, cacheDir);
    const second = await judgeSlice(repo, pushed, cacheDir);
    const plain = await judgeSlice(repo, pushed, undefined);
    const shown = [...plain.findings.values()].join('');
    expect(shown).toContain('evals/tasks/shared/q.json');
    for (const r of [first, second]) expect([...r.findings.values()].join('')).toBe(shown);
    const cached = readLinkCache(linkCacheFile(cacheDir));
    expect(cached.get(base)?.map((l) => l.path)).toEqual(['evals/tasks/shared']);
    // The second push took the base's links from the cache, the first read them.
    expect(first.hits).toBe(0);
    expect(second.hits).toBe(1);
  }, 60_000);
});

describe('the link cache file is taken only in its exact shape', () => {
  const id = 'a'.repeat(40);
  const blob = 'b'.repeat(40);
  const good = { format: 1, commits: [[id, [['docs/link', blob]]]] };

  it('takes a well-formed file (control)', () => {
    const m = parseLinkCache(JSON.stringify(good));
    expect(m?.get(id)).toEqual([{ path: 'docs/link', blob }]);
    expect(parseLinkCache(JSON.stringify({ format: 1, commits: [[id, []]] }))?.get(id)).toEqual([]);
  });

  const bad: [string, unknown][] = [
    ['not JSON', undefined],
    ['another format', { ...good, format: 2 }],
    ['an array', [good]],
    ['commits not an array', { format: 1, commits: {} }],
    ['an abbreviated id', { format: 1, commits: [['a'.repeat(12), []]] }],
    ['an upper-case id', { format: 1, commits: [['A'.repeat(40), []]] }],
    [
      'a repeated id',
      {
        format: 1,
        commits: [
          [id, []],
          [id, []],
        ],
      },
    ],
    ['a blob of another length', { format: 1, commits: [[id, [['l', 'b'.repeat(64)]]]] }],
    ['a blob that is not hex', { format: 1, commits: [[id, [['l', 'z'.repeat(40)]]]] }],
    ['an empty path', { format: 1, commits: [[id, [['', blob]]]] }],
    ['a NUL in a path', { format: 1, commits: [[id, [['a\0b', blob]]]] }],
    ['a link that is an object', { format: 1, commits: [[id, [{ path: 'l', blob }]]] }],
    ['a commit of three parts', { format: 1, commits: [[id, [], 'x']] }],
    ['links not a list', { format: 1, commits: [[id, 'l']] }],
    [
      'too many commits',
      {
        format: 1,
        commits: Array.from({ length: 33 }, (_, i) => [i.toString(16).padStart(40, '0'), []]),
      },
    ],
  ];
  for (const [name, data] of bad)
    it(`refuses ${name}`, () => {
      expect(
        parseLinkCache(data === undefined ? '{"format":1,' : JSON.stringify(data)),
      ).toBeUndefined();
    });

  it('a file of another shape, a FIFO or a directory is a miss, read without blocking', () => {
    const dir = tempDir();
    const file = linkCacheFile(dir);
    writeFileSync(file, JSON.stringify({ ...good, format: 7 }));
    expect(readLinkCache(file).size).toBe(0);
    const fifoDir = tempDir();
    execFileSync('mkfifo', [linkCacheFile(fifoDir)]);
    expect(readLinkCache(linkCacheFile(fifoDir)).size).toBe(0);
    const dirDir = tempDir();
    mkdirSync(linkCacheFile(dirDir));
    expect(readLinkCache(linkCacheFile(dirDir)).size).toBe(0);
    // Control: the same directory with a good file.
    writeFileSync(file, JSON.stringify(good));
    expect(readLinkCache(file).size).toBe(1);
  });

  it('a cache that cannot be written costs nothing but the next read', () => {
    const c = new LinkCache(join(tempDir(), 'file-not-dir'));
    writeFileSync(join(c['dir' as never] as unknown as string), 'x');
    c.learn(id, []);
    expect(() => c.save()).not.toThrow();
  });
});
