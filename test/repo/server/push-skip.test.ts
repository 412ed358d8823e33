// A long push judges only the commits that could produce a finding, and merges the
// provenance walks of a batch into one (src/check/range.ts judgePushCommits,
// src/check/provenance.ts TouchIndex). Both are speed work only: on every history here,
// each commit's findings must be exactly those of judging every commit with its own
// walks (judgeCommits, the check --range path), which is the differential these tests
// run. Histories: generated ones (every tool signature, renames, merges, reviews) with
// the hostile link and move cases added, and one with every commit at the same second.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeCommits, judgePushCommits } from '../../../src/check/range.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { generateHistory, POLICY } from '../../fixtures/audit/history.mjs';
import { addHostileCases, importHistory } from '../../helpers/hostile-history.js';
import { removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-Authored-By: Claude <noreply@anthropic.com>';
const trust = { approvers: undefined, reviewers: undefined };
const now = new Date('2026-01-01T00:00:00Z');

/** Both ways over `rev` (oldest first), per commit: findings as JSON; and walk counts. */
async function judgeBothWays(
  repo: TestRepo,
  rev = 'main',
): Promise<{
  full: Map<string, string>;
  fast: Map<string, string>;
  passedOver: number;
  walks: { full: number; fast: number };
}> {
  const policy = loadPolicyText(POLICY, 'policy.yaml');
  const items = repo.commitsOldestFirst(rev);
  // GIT_TRACE names every git process the judging starts: the find-object walks are counted.
  const traced = (name: string) => {
    const file = join(tempDir(), `${name}.trace`);
    return { ctx: { cwd: repo.dir, env: { ...repo.env, GIT_TRACE: file } }, file };
  };
  const walksIn = (file: string): number => {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      // no git process at all
    }
    return text.split('\n').filter((l) => /built-in: git .*\blog\b.*--find-object/.test(l)).length;
  };
  const a = traced('full');
  const full = new Map<string, string>();
  for await (const j of judgeCommits(
    a.ctx,
    policy,
    trust,
    items.map((i) => i.id),
    now,
    { guardConfig: true },
  ))
    full.set(j.record.id, JSON.stringify(j.findings));
  const b = traced('fast');
  const fast = new Map<string, string>();
  let passedOver = 0;
  for await (const j of judgePushCommits(b.ctx, policy, trust, items, now, { guardConfig: true })) {
    fast.set(j.id, JSON.stringify(j.findings));
    if (!j.record) passedOver++;
  }
  return { full, fast, passedOver, walks: { full: walksIn(a.file), fast: walksIn(b.file) } };
}

describe('a long push judges only what can matter, with the same findings', () => {
  for (const seed of [3, 11]) {
    it(`generated history (seed ${seed}) plus the hostile cases: every commit's findings are the full judge's`, async () => {
      const repo = TestRepo.init();
      importHistory(repo, generateHistory({ commits: 300, seed }).stream);
      addHostileCases(repo);
      const { full, fast, passedOver } = await judgeBothWays(repo);
      expect([...fast.keys()]).toEqual([...full.keys()]);
      const differ = [...full].filter(([id, f]) => fast.get(id) !== f).map(([id]) => id);
      expect(differ).toEqual([]);
      // The fast path was taken, and the findings are not all empty.
      expect(passedOver).toBeGreaterThan(20);
      const all = [...fast.values()].join('\n');
      expect(all).toContain('seen here through the link');
      expect(all).toContain('moved from drafts/q1.json');
    }, 120_000);
  }

  it('an AI commit writing only below a link that shows in a zone is judged, not passed over; a human one beside it is passed over', async () => {
    const repo = TestRepo.init();
    repo.write('README.md', 'hello\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'root');
    addHostileCases(repo);
    const policy = loadPolicyText(POLICY, 'policy.yaml');
    const items = repo.commitsOldestFirst();
    const subject = (id: string): string => repo.git('log', '-1', '--format=%s', id).trim();
    const seen = new Map<string, { judged: boolean; findings: number }>();
    for await (const j of judgePushCommits(
      { cwd: repo.dir, env: repo.env },
      policy,
      trust,
      items,
      now,
      { guardConfig: true },
    ))
      seen.set(subject(j.id), { judged: j.record !== undefined, findings: j.findings.length });
    expect(seen.get('more')).toEqual({ judged: true, findings: 1 });
    // Links show in zones from 'link' on: every later commit is judged, even a human one.
    expect(seen.get('a human commit outside every zone')?.judged).toBe(true);
    expect(seen.get('draft')).toEqual({ judged: false, findings: 0 });
  });

  it('ten renames into zones in one push, every commit at the same second: no walk (whole history) or one (onto a branch), the same origins as ten', async () => {
    // Tied dates are where git's order is hardest to foresee; shared contents (the same
    // text in several files, the empty file) make two commits touch one blob.
    const repo = TestRepo.init();
    let s = '';
    let mark = 0;
    const at = 1700000000;
    const commitCmd = (msg: string, ops: string, from?: number, merge?: number): string => {
      mark++;
      return (
        `commit refs/heads/main\nmark :${mark}\ncommitter H <h@example.org> ${at} +0000\n` +
        `data ${Buffer.byteLength(msg)}\n${msg}\n` +
        (from ? `from :${from}\n` : '') +
        (merge ? `merge :${merge}\n` : '') +
        ops
      );
    };
    const file = (path: string, text: string): string =>
      `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
    s += commitCmd(
      `drafts\n\n${CLAUDE}\n`,
      Array.from({ length: 10 }, (_, i) =>
        file(`drafts/q${i}.json`, i % 3 ? `{"q":${i % 3}}\n` : ''),
      ).join(''),
    );
    s += commitCmd(
      'human copies\n',
      file('notes/copy.json', '{"q":1}\n') + file('notes/empty.txt', ''),
    );
    for (let i = 0; i < 10; i++) {
      s += commitCmd(`promote q${i}\n`, `R drafts/q${i}.json evals/tasks/q${i}.json\n`);
      if (i === 4)
        s += commitCmd(`ai rewrites notes\n\n${CLAUDE}\n`, file('notes/copy.json', '{"q":2}\n'));
    }
    importHistory(repo, s);
    // The whole history pushed (a new branch into an empty repository): every walk is
    // answered from the push's own diffs.
    const whole = await judgeBothWays(repo);
    const differ = [...whole.full].filter(([id, f]) => whole.fast.get(id) !== f).map(([id]) => id);
    expect(differ).toEqual([]);
    expect([...whole.fast.values()].join('\n')).toContain('moved from drafts/q');
    expect(whole.walks).toEqual({ full: 10, fast: 0 });
    // Onto an existing history (the drafts already on the server): one merged walk.
    const first = repo.git('rev-list', '--reverse', 'main').split('\n')[1]!;
    const onto = await judgeBothWays(repo, `${first}..main`);
    const differOnto = [...onto.full]
      .filter(([id, f]) => onto.fast.get(id) !== f)
      .map(([id]) => id);
    expect(differOnto).toEqual([]);
    expect([...onto.fast.values()].join('\n')).toContain('moved from drafts/q');
    expect(onto.walks).toEqual({ full: 10, fast: 1 });
  }, 60_000);
});

describe('the merged provenance walk answers as each walk would', () => {
  it('random branchy histories with tied and skewed dates and shared contents: every lookup the same', async () => {
    const { PushedTouches, TouchIndex, setTouchIndex, touchesOf } =
      await import('../../../src/check/provenance.js');
    const { readDiffBatches } = await import('../../../src/git/commits.js');
    const { prng } = await import('../../helpers/prng.js');
    for (const seed of [1, 2, 3]) {
      const rand = prng(seed);
      const repo = TestRepo.init();
      const contents = ['', 'a\n', 'b\n', 'c\n', 'd\n'];
      const paths = ['x', 'd/y', 'd/e/z', 'w'];
      let s = '';
      const heads: number[] = [];
      for (let m = 1; m <= 60; m++) {
        // Dates from three values, in any order: ties everywhere, children older than parents.
        const date = 1700000000 + Math.floor(rand() * 3);
        const from = heads.length ? heads[Math.floor(rand() * heads.length)]! : undefined;
        const other =
          heads.length > 1 && rand() < 0.25 ? heads[Math.floor(rand() * heads.length)] : undefined;
        let ops = '';
        for (const p of paths)
          if (rand() < 0.4) {
            const text = contents[Math.floor(rand() * contents.length)]!;
            ops +=
              rand() < 0.2 ? `D ${p}\n` : `M 100644 inline ${p}\ndata ${text.length}\n${text}\n`;
          }
        s +=
          `commit refs/heads/b${m % 4}\nmark :${m}\ncommitter H <h@example.org> ${date} +0000\ndata 2\nc\n` +
          (from ? `from :${from}\n` : '') +
          (other && other !== from ? `merge :${other}\n` : '') +
          ops;
        heads.push(m);
      }
      importHistory(repo, s);
      const ctx = { cwd: repo.dir, env: repo.env };
      const commits = repo.git('rev-list', '--all').trim().split('\n');
      const blobs = contents.map((c) =>
        execFileSync('git', ['hash-object', '--stdin'], { input: c }).toString().trim(),
      );
      const tips = commits.filter(() => rand() < 0.3).slice(0, 12);
      const lookups = (touches: { commit: string; path: string; blob: string }[]): string => {
        const first = new Map<string, string>();
        const last = new Map<string, string>();
        for (const t of touches) {
          if (!first.has(`${t.blob} ${t.path}`)) first.set(`${t.blob} ${t.path}`, t.commit);
          last.set(t.blob, t.commit);
        }
        return JSON.stringify([[...first].sort(), [...last].sort()]);
      };
      const index = await TouchIndex.build(ctx, tips, blobs.slice(1));
      // The whole history as one push, learnt from its own rename-free diffs.
      const pushed = new PushedTouches(ctx);
      const items = repo.commitsOldestFirst('--all');
      for await (const batch of readDiffBatches(ctx, items)) for (const d of batch) pushed.add(d);
      let fromPush = 0;
      let unordered = 0;
      for (const tip of tips)
        for (const objects of [blobs.slice(1), blobs.slice(1, 3), blobs.slice(3)]) {
          setTouchIndex(ctx, undefined);
          const walked = await touchesOf(ctx, [tip], objects, true);
          setTouchIndex(ctx, index);
          const known = await index.touches([tip], objects);
          if (known && !known.ordered) unordered++;
          const answered = await touchesOf(ctx, [tip], objects, true);
          setTouchIndex(ctx, pushed);
          if (await pushed.touches([tip], objects)) fromPush++;
          const fromPushed = await touchesOf(ctx, [tip], objects, true);
          // Each looked-up blob: the first touch per path and the last touch.
          const only = (ts: typeof walked) => ts.filter((t) => objects.includes(t.blob));
          expect(lookups(only(answered))).toBe(lookups(only(walked)));
          expect(lookups(only(fromPushed))).toBe(lookups(only(walked)));
        }
      setTouchIndex(ctx, undefined);
      // The order step was needed somewhere (two commits touching one blob).
      expect(unordered).toBeGreaterThan(0);
      expect(fromPush).toBe(tips.length * 3);
    }
  }, 120_000);
});
