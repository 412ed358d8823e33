// The zone path with links in the index (issue 14 §1): the full check records the links it
// judged harmless (src/cli/fastpath-links.ts), and the shell lets a commit by without Node
// only when the index's links are exactly those. Differential first: a link set called
// harmless must leave the full check's link logic nothing to find, whatever is staged
// outside the zones; then real commits through the installed hooks, each dangerous shape
// beside a harmless control.

import { symlinkSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, POLICY, type TestRepo } from '../../helpers/repo.js';
import { prng } from '../../helpers/prng.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import {
  indexLinkModeCount,
  indexLinks,
  recordableLinks,
  type IndexLink,
} from '../../../src/cli/fastpath-links.js';
import { zonePrefixPatterns } from '../../../src/cli/hook.js';
import { resolveLinks, withLinkAliases, zonesOfFile } from '../../../src/policy/links.js';
import type { FileChange } from '../../../src/core/types.js';

vi.setConfig({ testTimeout: 120_000 });
afterAll(removeTempDirs);

const policy = loadPolicyText(POLICY, 'policy.yaml');
const ID = (n: number) => n.toString(16).padStart(40, '0');

describe('harmless links (the differential)', () => {
  const rand = prng(20261201);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Paths and targets around the zones: in them, above them (evals, data), beside them,
  // other case, chains through other links, `..`, the root, out of the repository.
  const DIRS = ['src', 'docs', 'evals', 'Evals', 'data', 'DATA/Train', 'drafts', 'a', 'b', 'lib/x'];
  const NAMES = ['CLAUDE.md', 'AGENTS.md', 'x', 'tasks', 'train', 'q.jsonl', 'link', 'harness'];
  const randomPath = () =>
    rand() < 0.3 ? pick(NAMES) : `${pick(DIRS)}/${pick(NAMES)}${rand() < 0.2 ? '/deep' : ''}`;
  const randomText = (): string =>
    pick([
      () => pick(NAMES),
      () => `../${randomPath()}`,
      () => `../../${randomPath()}`,
      () => randomPath(),
      () => pick(['..', '.', '../..', '/etc', '../../../../out', 'a\\..\\evals', '']),
      () => `../${pick(['evals', 'EVALS/TASKS', 'data/train', 'evals/tasks/../harness'])}`,
    ])();

  // What the shell lets by: printable ASCII, and no zone pattern and no guard pattern
  // matching (grep -i; the patterns are basic regular expressions that read the same in JS).
  const shellPasses = (path: string, patterns: readonly RegExp[]) =>
    /^[ -~]+$/.test(path) && !patterns.some((p) => p.test(path));
  const zonePatterns = zonePrefixPatterns(policy).map((p) => new RegExp(p, 'i'));

  it('with recorded links, a commit the shell lets by leaves the full check nothing to find', () => {
    let recorded = 0;
    let checked = 0;
    for (let round = 0; round < 4000; round++) {
      const n = 1 + Math.floor(rand() * 4);
      const links: IndexLink[] = [];
      const texts = new Map<string, string>();
      const seen = new Set<string>();
      for (let i = 0; i < n; i++) {
        const path = randomPath();
        if (seen.has(path.toLowerCase())) continue;
        seen.add(path.toLowerCase());
        const gitlink = rand() < 0.2;
        const id = ID(round * 10 + i + 1);
        links.push({ mode: gitlink ? '160000' : '120000', id, stage: '0', path });
        if (!gitlink) texts.set(id, randomText());
      }
      const got = recordableLinks(policy, links, texts);
      if (!got) continue;
      recorded++;
      const patterns = [...zonePatterns, ...got.guards.map((g) => new RegExp(g, 'i'))];
      const zl = resolveLinks(
        links
          .filter((l) => l.mode === '120000')
          .map((l) => ({ path: l.path, text: texts.get(l.id)! })),
        !policy.caseSensitive,
      );
      // Staged files near the links, their targets and the zones; what the shell lets by
      // must be judged clean by the full check's own link logic.
      const files: FileChange[] = [];
      for (let k = 0; k < 40; k++) {
        const base = pick([
          ...links.map((l) => l.path),
          ...zl.map((z) => z.target),
          ...DIRS,
          'evals/tasks',
          'data/train',
        ]);
        const path = pick([base, `${base}/${pick(NAMES)}`, `${base}x/${pick(NAMES)}`]);
        if (!shellPasses(path, patterns)) continue;
        files.push({ status: pick(['A', 'M'] as const), path, blob: ID(7), mode: '100644' });
      }
      checked += files.length;
      for (const f of withLinkAliases(files, zl, !policy.caseSensitive))
        expect(zonesOfFile(policy, f), `${JSON.stringify(links)} ${f.path} via ${f.via}`).toEqual(
          [],
        );
      // And a link the shell lets by is never staged: its own path is a guard.
      for (const l of links) expect(shellPasses(l.path, patterns), l.path).toBe(false);
    }
    // The test must exercise both sides.
    expect(recorded).toBeGreaterThan(500);
    expect(checked).toBeGreaterThan(10_000);
  });

  const one = (path: string, text: string | undefined) =>
    recordableLinks(
      policy,
      [{ mode: text === undefined ? '160000' : '120000', id: ID(1), stage: '0', path }],
      new Map(text === undefined ? [] : [[ID(1), text]]),
    );

  it('recorded, with their guards: a file link, a submodule, a link into or above a zone', () => {
    expect(one('CLAUDE.md', 'AGENTS.md')).toEqual({
      lines: [`120000 ${ID(1)} 0\tCLAUDE.md`],
      guards: ['^CLAUDE\\.md$', '^AGENTS\\.md$', '^AGENTS\\.md/'],
    });
    expect(one('vendor/lib', undefined)?.guards).toEqual(['^vendor/lib$']);
    expect(one('src/tool', '../../../opt/tool')?.guards).toEqual(['^src/tool$']);
    // A link in a zone to the drafts: staging a draft (under the target) is guarded.
    expect(one('evals/tasks/linked', '../../drafts')?.guards).toEqual([
      '^evals/tasks/linked$',
      '^drafts$',
      '^drafts/',
    ]);
    // A chain is guarded at its end: a -> b/tasks, b -> evals.
    expect(
      recordableLinks(
        policy,
        [
          { mode: '120000', id: ID(1), stage: '0', path: 'a' },
          { mode: '120000', id: ID(2), stage: '0', path: 'b' },
        ],
        new Map([
          [ID(1), 'b/tasks'],
          [ID(2), 'evals'],
        ]),
      )?.guards,
    ).toEqual(['^a$', '^b$', '^evals/tasks$', '^evals/tasks/', '^evals$', '^evals/']);
  });

  it('not recorded: links that show every path, unreadable shapes, conflicts', () => {
    expect(one('src/e', '..')).toBeUndefined(); // the root
    expect(one('src/loop', '.')).toBeUndefined(); // contains itself
    expect(one('a/b/c', '..')).toBeUndefined(); // contains itself, one level up
    expect(one('src/caf\u00e9', 'AGENTS.md')).toBeUndefined();
    expect(one('src/a"b', 'AGENTS.md')).toBeUndefined();
    expect(one('src/x', 'caf\u00e9')).toBeUndefined(); // a target the shell cannot match
    expect(
      recordableLinks(
        policy,
        [{ mode: '120000', id: ID(1), stage: '2', path: 'x' }],
        new Map([[ID(1), 'y']]),
      ),
    ).toBeUndefined();
    expect(
      recordableLinks(policy, [{ mode: '120000', id: ID(1), stage: '0', path: 'x' }], new Map()),
    ).toBeUndefined(); // its text unknown
  });

  it('the index mode count sees every link entry, overlapping bytes included', () => {
    const b = Buffer.from([1, 0, 0, 0xa0, 0, 0, 0xa0, 0, 5, 0, 0, 0xe0, 0, 0xa0, 0]);
    expect(indexLinkModeCount(b)).toBe(3);
    const listing = Buffer.from(
      [
        `100644 ${ID(1)} 0\tREADME.md`,
        `120000 ${ID(2)} 0\tCLAUDE.md`,
        `160000 ${ID(3)} 0\tvendor/x`,
        '',
      ].join('\u0000'),
    );
    expect(indexLinks(listing).map((l) => [l.mode, l.path])).toEqual([
      ['120000', 'CLAUDE.md'],
      ['160000', 'vendor/x'],
    ]);
  });
});

describe('zone path with links, in real commits', () => {
  const traced = (stderr: string) => (/exec node .*hook commit-msg/.test(stderr) ? 'node' : 'fast');
  const AGENT = { CLAUDECODE: '1', CLEANROOM_DEBUG: '1' };
  /** A repository with CLAUDE.md -> AGENTS.md, whose first agent commit had the full check. */
  const linkedRepo = (): TestRepo => {
    const repo = repoWithPolicy();
    repo.write('AGENTS.md', '# agents\n');
    symlinkSync('AGENTS.md', join(repo.dir, 'CLAUDE.md'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'agents file');
    repo.write('src/a.ts', '1\n');
    const first = repo.commit('first', { env: AGENT });
    expect(first.code, first.stderr).toBe(0);
    expect(traced(first.stderr)).toBe('node');
    return repo;
  };
  const clean = (repo: TestRepo) => {
    repo.git('reset', '-q', '--hard');
    repo.git('clean', '-q', '-fdx', '--', ':!.cleanroom');
  };

  it('a harmless link keeps the fast path; changed, or joined by another, it takes the full check', () => {
    const repo = linkedRepo();
    repo.write('src/b.ts', '2\n');
    const fast = repo.commit('outside', { env: AGENT });
    expect(fast.code, fast.stderr).toBe(0);
    expect(traced(fast.stderr)).toBe('fast');
    // The same path pointed elsewhere (another object id): full check, which passes it
    // and records it; the next commit is fast again.
    rmSync(join(repo.dir, 'CLAUDE.md'));
    symlinkSync('README.md', join(repo.dir, 'CLAUDE.md'));
    const changed = repo.commit('retarget', { env: AGENT });
    expect(traced(changed.stderr)).toBe('node');
    expect(changed.code, changed.stderr).toBe(0);
    repo.write('src/c.ts', '3\n');
    expect(traced(repo.commit('again', { env: AGENT }).stderr)).toBe('fast');
    // A note of another policy text is not used.
    const note = join(repo.dir, '.git', 'cleanroom', 'fastpath.links');
    const text = readFileSync(note, 'utf8');
    writeFileSync(note, text.replace(/^[0-9a-f]{64}/, '0'.repeat(64)));
    repo.write('src/d.ts', '4\n');
    expect(traced(repo.commit('forged sum', { env: AGENT }).stderr)).toBe('node');
    // A note that lists one link fewer than the index holds is not enough.
    symlinkSync('AGENTS.md', join(repo.dir, 'GEMINI.md'));
    repo.git('add', 'GEMINI.md');
    repo.git('commit', '-q', '--no-verify', '-m', 'another link');
    writeFileSync(note, text);
    repo.write('src/e.ts', '5\n');
    expect(traced(repo.commit('one more link', { env: AGENT }).stderr)).toBe('node');
  });

  // Each shape with the full check's own verdict on an agent draft at drafts/train/q1.json
  // (1: seen through the link in a deny zone; 0: the full check finds nothing), and
  // whether, once the full check has recorded it, a commit elsewhere takes the zone path.
  const shapes: [string, (repo: TestRepo) => void, number, 'fast' | 'node'][] = [
    [
      'a link in a zone, to the drafts',
      (repo) => symlinkSync('../../drafts', join(repo.dir, 'evals', 'tasks', 'linked')),
      1,
      'fast',
    ],
    [
      'a link above a zone, to the drafts',
      (repo) => symlinkSync('drafts', join(repo.dir, 'data')),
      1,
      'fast',
    ],
    [
      'a chain through a link above a zone',
      (repo) => {
        symlinkSync('drafts', join(repo.dir, 'hop'));
        symlinkSync('hop', join(repo.dir, 'data'));
      },
      1,
      'fast',
    ],
    [
      'a link into a zone',
      (repo) => symlinkSync('../evals/tasks', join(repo.dir, 'src', 'x')),
      0,
      'fast',
    ],
    [
      'a link to the parent of a zone',
      (repo) => symlinkSync('../evals', join(repo.dir, 'src', 'e')),
      0,
      'fast',
    ],
    [
      'a link in other case to the drafts, in a zone',
      (repo) => symlinkSync('../../DRAFTS', join(repo.dir, 'evals', 'tasks', 'c')),
      1,
      'fast',
    ],
    ['a link to the root', (repo) => symlinkSync('..', join(repo.dir, 'src', 'up')), 0, 'node'],
    [
      'a chain that ends above a zone',
      (repo) => {
        symlinkSync('evals', join(repo.dir, 'hop'));
        symlinkSync('../hop/tasks', join(repo.dir, 'src', 'chain'));
      },
      0,
      'fast',
    ],
  ];

  for (const [label, make, code, later] of shapes)
    it(`${label}: the full check judges what can show through it`, () => {
      const repo = linkedRepo();
      mkdirSync(join(repo.dir, 'drafts', 'train'), { recursive: true });
      repo.write('evals/tasks/human.json', '{}\n');
      repo.git('add', '-A');
      repo.git('commit', '-q', '--no-verify', '-m', 'human task');
      make(repo);
      repo.git('add', '-A');
      repo.git('commit', '-q', '--no-verify', '-m', 'link');
      // An agent draft outside every zone's pattern: through the link it may be in one.
      repo.write('drafts/train/q1.json', '{}\n');
      const r = repo.commit('draft', { env: AGENT });
      expect(traced(r.stderr), r.stderr).toBe('node');
      expect(r.code, r.stderr).toBe(code);
      clean(repo);
      // A commit elsewhere: the zone path, once the link is recorded (not the root link).
      repo.write('src/z.ts', 'z\n');
      const again = repo.commit('outside', { env: AGENT });
      expect(traced(again.stderr), again.stderr).toBe(later);
      expect(again.code, again.stderr).toBe(0);
      // Recorded or not, content staged where the link shows it goes to the full check
      // (under the drafts: shapes whose target they are); elsewhere the verdict is the
      // full check's own (nothing) either way.
      repo.write('drafts/train/q2.json', '{}\n');
      const through = repo.commit('another draft', { env: AGENT });
      expect(traced(through.stderr), through.stderr).toBe(code === 1 ? 'node' : later);
      expect(through.code, through.stderr).toBe(code);
    });

  it('a gitlink outside the zones keeps the fast path once judged; above a zone it never does', () => {
    const repo = linkedRepo();
    const head = repo.head();
    repo.git('update-index', '--add', '--cacheinfo', `160000,${head},vendor/lib`);
    const first = repo.commit('a submodule outside the zones', { env: AGENT, add: [] });
    expect(traced(first.stderr)).toBe('node');
    expect(first.code, first.stderr).toBe(0);
    repo.write('src/f.ts', 'f\n');
    // (not `add -A`: the submodule has no work tree here, it would stage its removal)
    expect(traced(repo.commit('after it', { env: AGENT, add: ['src/f.ts'] }).stderr)).toBe('fast');
    repo.git('update-index', '--add', '--cacheinfo', `160000,${head},evals`);
    const above = repo.commit('a submodule above the zones', { env: AGENT, add: [] });
    expect(traced(above.stderr)).toBe('node');
    expect(above.code, above.stderr).toBe(1);
  });
});

describe('with a ledger', () => {
  const AGENT = { CLAUDECODE: '1', CLEANROOM_DEBUG: '1' };
  const traced = (stderr: string) => (/exec node .*hook commit-msg/.test(stderr) ? 'node' : 'fast');
  const ledgerRepo = (): TestRepo => {
    const repo = repoWithPolicy();
    mkdirSync(join(repo.dir, '.git', 'cleanroom'), { recursive: true });
    writeFileSync(join(repo.dir, '.git', 'cleanroom', 'ledger.jsonl'), '{}\n');
    repo.write('src/a.ts', '1\n');
    expect(repo.commit('first', { env: AGENT }).code).toBe(0);
    return repo;
  };

  it('no zone reachable: commit-msg takes the fast path and prepare-commit-msg loads no judge', () => {
    const repo = ledgerRepo();
    repo.write('AGENTS.md', '# a\n');
    symlinkSync('AGENTS.md', join(repo.dir, 'CLAUDE.md'));
    expect(repo.commit('the link, judged in full', { env: AGENT }).code).toBe(0);
    repo.write('src/b.ts', '2\n');
    const r = repo.commit('outside', { env: AGENT });
    expect(r.code, r.stderr).toBe(0);
    expect(traced(r.stderr)).toBe('fast');
    expect(r.stderr).not.toContain('heads-up');
    // The heads-up stopped at the link comparison: no identity was read for a judgement.
    expect(r.stderr).toContain('git ls-files -s -- :(literal)CLAUDE.md');
    expect(r.stderr).not.toContain('git var -l');
    expect(repo.lastMessage()).toContain('Assisted-by: claude-code');
  });

  it("the caller's CLEANROOM_INDEX_LINKS is not the shim's: a zone link still gets the heads-up", () => {
    const repo = ledgerRepo();
    mkdirSync(join(repo.dir, 'evals', 'tasks'), { recursive: true });
    symlinkSync('../../drafts', join(repo.dir, 'evals', 'tasks', 'linked'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'link');
    repo.write('drafts/q1.json', '{}\n');
    const r = repo.commit('through the link', { env: { ...AGENT, CLEANROOM_INDEX_LINKS: '0' } });
    expect(r.stderr).toContain('cleanroom: heads-up');
    expect(traced(r.stderr)).toBe('node');
    expect(r.code, r.stderr).toBe(1);
  });

  it('a zone reachable still blocks, with the heads-up (control: the same file outside passes)', () => {
    const repo = ledgerRepo();
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit('into a zone', { env: AGENT });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cleanroom: heads-up');
    expect(traced(r.stderr)).toBe('node');
    repo.git('reset', '-q', '--hard');
    repo.git('clean', '-q', '-fd');
    repo.write('drafts/q1.json', '{}\n');
    const ok = repo.commit('outside', { env: AGENT });
    expect(ok.code, ok.stderr).toBe(0);
    expect(traced(ok.stderr)).toBe('fast');
  });
});
