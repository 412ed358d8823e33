// Review of issue 14, fifth pass: a moved file's source asked of `cat-file --batch-check`
// as `PARENT:PATH` (src/check/provenance.ts movedContentSignals, callers without the
// source blob). cat-file reads a spec a line at a time and strips a CR at its end, so a
// source named `drafts/q\r` was answered for `drafts/q`, another file. Such a source is
// now untraced (a signal: fail closed), like one with a newline.

import { afterAll, describe, expect, it } from 'vitest';
import { movedContentSignals } from '../../../src/check/provenance.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { POLICY, removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const policy = loadPolicyText(POLICY, 'policy.yaml');

function history(source: string): { repo: TestRepo; parent: string; blob: string } {
  const repo = TestRepo.init();
  repo.git('config', 'user.name', 'H');
  repo.git('config', 'user.email', 'h@example.org');
  // A human file at the CR-less name, with other content.
  repo.write('drafts/q', 'a human note\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'human');
  repo.writeBytes(Buffer.from(source), '{"q": "moved"}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'draft');
  const parent = repo.head();
  const blob = repo.git('rev-parse', `HEAD:${source}`).trim();
  return { repo, parent, blob };
}

describe('a moved file whose source name is no spec line', () => {
  it('source `drafts/q\\r` (a CR at its end): the move into a zone is not traced to `drafts/q`; it yields a signal', async () => {
    const { repo, parent, blob } = history('drafts/q\r');
    const signals = await movedContentSignals(
      { cwd: repo.dir, env: repo.env },
      policy,
      [{ status: 'R', path: 'evals/tasks/q.json', from: 'drafts/q\r', blob, mode: '100644' }],
      parent,
    );
    expect(signals.length).toBe(1);
    expect(signals[0]!.paths?.has('evals/tasks/q.json')).toBe(true);
  });

  it('control: source `drafts/r` (a plain name) is traced: a human draft yields no signal', async () => {
    const { repo, parent, blob } = history('drafts/r');
    const signals = await movedContentSignals(
      { cwd: repo.dir, env: repo.env },
      policy,
      [{ status: 'R', path: 'evals/tasks/q.json', from: 'drafts/r', blob, mode: '100644' }],
      parent,
    );
    expect(signals).toEqual([]);
  });
});
