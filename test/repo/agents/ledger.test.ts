import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ledgerSignalsForStaged } from '../../../src/cli/local-signals.js';
import { openRepo } from '../../../src/git/repo.js';
import builtinTools from '../../../src/policy/generated/builtin-tools.js';
import {
  appendEntries,
  blobId,
  compactLedger,
  compactionDue,
  ledgerSize,
  lineHashes,
  readLedger,
  type LedgerEntry,
} from '../../../src/signals/ledger.js';
import { compileToolTable, type ToolTableSpec } from '../../../src/signals/tools.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const tools = compileToolTable(builtinTools as ToolTableSpec);

const HARNESS = [
  'import json',
  'from pathlib import Path',
  '',
  'def load_tasks(root: Path) -> list[dict]:',
  '    return [json.loads(line) for line in (root / "tasks.jsonl").read_text().splitlines()]',
  '',
  'def score(answer: str, expected: str) -> float:',
  '    return float(" ".join(answer.split()) == " ".join(expected.split()))',
  '',
].join('\n');

/** What the agent hook records after an agent wrote `path` (whole file, or `added` lines). */
async function agentWrote(
  repo: TestRepo,
  path: string,
  content: string,
  extra: Partial<LedgerEntry> = {},
): Promise<void> {
  repo.write(path, content);
  const r = await openRepo({ cwd: repo.dir, env: repo.env });
  appendEntries(r.stateDir, [
    {
      time: new Date().toISOString(),
      tool: 'claude-code',
      session: '1a2b3c4d5e6f',
      path,
      blob: blobId(readFileSync(join(repo.dir, path)), r.objectFormat),
      lines: lineHashes(content),
      ...extra,
    },
  ]);
}

async function signals(repo: TestRepo) {
  const r = await openRepo({ cwd: repo.dir, env: repo.env });
  return ledgerSignalsForStaged({ cwd: repo.dir, env: repo.env }, r, tools);
}

describe('blob ids computed in-process equal what git stages', () => {
  for (const format of ['sha1', 'sha256'] as const) {
    it(format, async () => {
      const repo = TestRepo.init({ objectFormat: format });
      const content = Buffer.from('line one\r\nline two, no newline at end \u00e9\u0000binary');
      repo.write('a.bin', content);
      repo.git('add', 'a.bin');
      const r = await openRepo({ cwd: repo.dir, env: repo.env });
      expect(r.objectFormat).toBe(format);
      expect(blobId(content, format)).toBe(repo.git('rev-parse', ':a.bin').trim());
    });
  }
});

describe('ledger signals at commit time', () => {
  it('no ledger: nothing, and nothing spawned (a missing directory would make git fail)', async () => {
    const repo = TestRepo.init();
    const r = await openRepo({ cwd: repo.dir, env: repo.env });
    expect(
      await ledgerSignalsForStaged({ cwd: '/nonexistent/cleanroom', env: repo.env }, r, tools),
    ).toEqual([]);
  });

  it('the agent-written file staged as it is: attributed to the tool with its model', async () => {
    const repo = TestRepo.init();
    await agentWrote(repo, 'evals/harness/score.py', HARNESS, { model: 'opus-4.5' });
    repo.git('add', '-A');
    const got = await signals(repo);
    expect(got).toEqual([
      {
        tool: 'claude-code',
        source: 'ledger',
        model: 'opus-4.5',
        evidence:
          'ledger: claude-code wrote this content (5 of 5 lines are its own, session 1a2b3c4d…)',
        paths: new Map([['evals/harness/score.py', 1]]),
      },
    ]);
  });

  it('renamed into a zone by a human: still attributed (blob ids, not paths)', async () => {
    const repo = TestRepo.init();
    repo.write('README.md', 'x\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'base');
    await agentWrote(repo, 'scratch/grader.py', HARNESS);
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'scratch');
    mkdirSync(join(repo.dir, 'evals/graders'), { recursive: true });
    repo.git('mv', 'scratch/grader.py', 'evals/graders/grader.py');
    const got = await signals(repo);
    expect(got.map((s) => [s.tool, [...s.paths!]])).toEqual([
      ['claude-code', [['evals/graders/grader.py', 1]]],
    ]);
  });

  it("its lines pasted into a human's existing zone file: attributed, with the share of lines", async () => {
    const repo = TestRepo.init();
    const human =
      'def grade(run):\n    """Written by Hana for the Q3 benchmark."""\n    total = sum(r.points for r in run.results)\n    return total / max(len(run.results), 1)\n';
    repo.write('evals/graders/grade.py', human);
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'human grader');
    await agentWrote(repo, 'evals/harness/score.py', HARNESS);
    const pasted = human + HARNESS.split('\n').slice(6, 8).join('\n') + '\n';
    repo.write('evals/graders/grade.py', pasted);
    repo.git('add', 'evals/graders/grade.py');
    const got = await signals(repo);
    expect(got).toHaveLength(1);
    expect(got[0]!.evidence).toBe(
      'ledger: 2 of 6 lines (lines 5–6) match what claude-code wrote to evals/harness/score.py, session 1a2b3c4d…',
    );
    expect(got[0]!.paths).toEqual(new Map([['evals/graders/grade.py', 2 / 6]]));
  });

  it('a human file that shares one boilerplate line with the agent: nothing', async () => {
    const repo = TestRepo.init();
    await agentWrote(repo, 'evals/harness/score.py', HARNESS);
    repo.write(
      'evals/graders/mine.py',
      'from pathlib import Path\n\nprint(Path.cwd() / "written by a person")\n',
    );
    repo.git('add', 'evals/graders/mine.py');
    expect(await signals(repo)).toEqual([]);
  });

  it('a sha256 repository', async () => {
    const repo = TestRepo.init({ objectFormat: 'sha256' });
    await agentWrote(repo, 'a.py', HARNESS, { tool: 'codex' });
    repo.git('add', '-A');
    expect((await signals(repo)).map((s) => s.tool)).toEqual(['codex']);
  });

  it('deletions and unknown tools', async () => {
    const repo = TestRepo.init();
    await agentWrote(repo, 'a.py', HARNESS, { tool: 'some-new-agent' });
    repo.git('add', '-A');
    expect((await signals(repo)).map((s) => s.tool)).toEqual(['unknown-ai']);
    repo.git('commit', '-q', '-m', 'x');
    repo.git('rm', '-q', 'a.py');
    expect(await signals(repo)).toEqual([]);
  });
});

describe('compaction', () => {
  it('rewrites the file without what is gone, under the lock', async () => {
    const repo = TestRepo.init();
    await agentWrote(repo, 'keep.py', HARNESS);
    await agentWrote(repo, 'gone.py', 'print("a line long enough to be hashed")\n');
    const r = await openRepo({ cwd: repo.dir, env: repo.env });
    const keep = blobId(readFileSync(join(repo.dir, 'keep.py')), 'sha1');
    expect(
      compactLedger(r.stateDir, () => ({ blobs: new Set([keep]), linesByPath: new Map() })),
    ).toEqual([2, 1]);
    expect(readLedger(r.stateDir).entries.map((e) => e.path)).toEqual(['keep.py']);
  });
});

// Issue 14 §2: a ledger over its size bound whose entries are all still live was
// compacted (rewritten in full) after every write — seconds per write at 100,000 entries.
describe('compaction is amortised', () => {
  const live = (paths: readonly string[]) => () => ({
    blobs: new Set<string>(),
    linesByPath: new Map(paths.map((p) => [p, new Set(['3f1c0a9b22de'])])),
  });
  const entry = (path: string): LedgerEntry => ({
    time: new Date().toISOString(),
    tool: 'claude-code',
    session: 's',
    path,
    blob: '0'.repeat(40),
    lines: ['3f1c0a9b22de'],
  });

  it('a ledger of live entries over the bound: compacted once, then only after it doubled', async () => {
    const repo = TestRepo.init();
    const r = await openRepo({ cwd: repo.dir, env: repo.env });
    const paths = Array.from({ length: 40 }, (_, i) => `src/f${i}.py`);
    appendEntries(r.ledgerDir, paths.map(entry));
    const max = ledgerSize(r.ledgerDir) - 1;
    expect(compactionDue(r.ledgerDir, max)).toBe(true);
    expect(compactLedger(r.ledgerDir, live(paths))).toEqual([40, 40]); // nothing is gone
    const after = ledgerSize(r.ledgerDir);
    // The next writes do not rewrite it again…
    appendEntries(r.ledgerDir, [entry('src/new0.py')]);
    expect(compactionDue(r.ledgerDir, max)).toBe(false);
    // …until it has grown by COMPACT_GROWTH since.
    const more = Array.from({ length: 40 }, (_, i) => `src/more${i}.py`);
    appendEntries(r.ledgerDir, more.map(entry));
    expect(ledgerSize(r.ledgerDir)).toBeGreaterThanOrEqual(2 * after);
    expect(compactionDue(r.ledgerDir, max)).toBe(true);
  });

  it('control: a ledger under its bound is never due', async () => {
    const repo = TestRepo.init();
    const r = await openRepo({ cwd: repo.dir, env: repo.env });
    appendEntries(r.ledgerDir, [entry('a.py')]);
    expect(compactionDue(r.ledgerDir, ledgerSize(r.ledgerDir))).toBe(false);
  });

  it('a hostile or stale marker only delays or brings forward a compaction, never drops a live entry', async () => {
    const repo = TestRepo.init();
    const r = await openRepo({ cwd: repo.dir, env: repo.env });
    const paths = ['keep/a.py', 'keep/b.py'];
    appendEntries(r.ledgerDir, [...paths, 'gone.py'].map(entry));
    for (const marker of ['garbage', '-5', '99999999999999', '']) {
      writeFileSync(join(r.ledgerDir, 'ledger.compacted'), marker);
      // larger than the ledger or unreadable: treated as never compacted
      expect(compactionDue(r.ledgerDir, 1)).toBe(true);
    }
    compactLedger(r.ledgerDir, live(paths));
    expect(readLedger(r.ledgerDir).entries.map((e) => e.path)).toEqual(paths);
  });
});
