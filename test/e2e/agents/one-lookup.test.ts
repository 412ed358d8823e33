// Issue 14 §1: one ledger lookup per commit. prepare-commit-msg and commit-msg are two Node
// processes; the second reuses the first's lookup from `ledger.matches` when the ledger,
// HEAD and the staged list are the same, and looks the ledger up again otherwise. The
// file is treated as hostile: a wrong key or a wrong shape is a miss, never "nothing".

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';
import { hook, payload } from './world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

const DRAFT =
  '{"id": "q9", "question": "Which planet has the longest day of all?", "answer": "Venus"}\n';

function agentWrites(repo: TestRepo, path: string, content: string): void {
  repo.write(path, content);
  const input = payload('claude', 'PostToolUse-Write', repo, (o) => {
    o.tool_input = { file_path: join(repo.dir, path), content };
  });
  const r = hook(repo, 'claude', input);
  if (r.code !== 0) throw new Error(`agent hook failed: ${r.stderr}`);
}

/** A human copies the agent's draft into the deny zone and stages it; the message file. */
function copiedDraft(): { repo: TestRepo; msg: string; matches: string } {
  const repo = repoWithPolicy();
  agentWrites(repo, 'drafts/q9.json', DRAFT);
  repo.write('evals/tasks/q9.json', DRAFT);
  repo.git('add', 'evals/tasks/q9.json');
  const msg = join(repo.dir, '.git', 'COMMIT_EDITMSG');
  writeFileSync(msg, 'Add q9\n');
  return { repo, msg, matches: join(repo.dir, '.git', 'cleanroom', 'ledger.matches') };
}

const stamp = (file: string) => {
  const s = statSync(file, { bigint: true });
  return `${s.ino}:${s.mtimeNs}`;
};

describe('one ledger lookup per commit', () => {
  it("commit-msg reuses prepare-commit-msg's lookup and still refuses the copied draft", () => {
    const { repo, msg, matches } = copiedDraft();
    expect(repo.cleanroom(['hook', 'prepare-commit-msg', msg, 'message']).code).toBe(0);
    const before = stamp(matches);
    const r = repo.cleanroom(['hook', 'commit-msg', msg]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('claude-code');
    expect(stamp(matches)).toBe(before); // read, not looked up and written again
  });

  it('a ledger written to between the hooks is looked up again (the new entry counts)', () => {
    const { repo, msg, matches } = copiedDraft();
    repo.write('evals/tasks/q9.json', DRAFT.replace('Venus', 'Venus, by far'));
    agentWrites(repo, 'drafts/q10.json', DRAFT.replace('Venus', 'Venus, by far'));
    repo.git('add', 'evals/tasks/q9.json');
    expect(repo.cleanroom(['hook', 'prepare-commit-msg', msg, 'message']).code).toBe(0);
    const before = stamp(matches);
    agentWrites(repo, 'drafts/q11.json', 'print("another draft line, long enough")\n');
    const r = repo.cleanroom(['hook', 'commit-msg', msg]);
    expect(r.code, r.stderr).toBe(1);
    expect(stamp(matches)).not.toBe(before);
  });

  for (const [name, forged] of [
    ['another key, no matches', () => JSON.stringify({ key: '0'.repeat(64), files: [] })],
    ['not JSON', () => '{"key": '],
    // The right key (taken from the real file), entries of the wrong shape.
    [
      'the right key, a match missing its fields',
      (key: string) =>
        JSON.stringify({ key, files: [{ path: 'evals/tasks/q9.json', matches: [{ tool: 'x' }] }] }),
    ],
    [
      'the right key, files not a list',
      (key: string) => JSON.stringify({ key, files: { length: 0 } }),
    ],
  ] as const) {
    it(`a forged ledger.matches (${name}) is a miss: the draft is still refused`, () => {
      const { repo, msg, matches } = copiedDraft();
      expect(repo.cleanroom(['hook', 'prepare-commit-msg', msg, 'message']).code).toBe(0);
      const { key } = JSON.parse(readFileSync(matches, 'utf8')) as { key: string };
      writeFileSync(matches, forged(key));
      const r = repo.cleanroom(['hook', 'commit-msg', msg]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('claude-code');
    });
  }

  it('control: a task the human wrote commits clean with the same ledger and cache', () => {
    const { repo, msg } = copiedDraft();
    repo.git('rm', '-q', '--cached', 'evals/tasks/q9.json');
    repo.write('evals/tasks/q1.json', '{"id": "q1", "question": "Hana wrote this herself?"}\n');
    repo.git('add', 'evals/tasks/q1.json');
    expect(repo.cleanroom(['hook', 'prepare-commit-msg', msg, 'message']).code).toBe(0);
    const r = repo.cleanroom(['hook', 'commit-msg', msg]);
    expect(r.code, r.stderr).toBe(0);
  });
});
