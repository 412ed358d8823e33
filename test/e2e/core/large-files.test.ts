// Issue 11 §5: large data files. Once an agent has written anything (a ledger exists),
// `git commit` of a 30 MB training file must complete: the hooks size staged blobs first
// and never read one over the line-matching limit; such a file is matched by blob id.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRepo } from '../../../src/git/repo.js';
import { appendEntries, blobId, lineHashes } from '../../../src/signals/ledger.js';
import { removeTempDirs, repoWithPolicy, type TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const bigFile = (mb: number, seed: string): Buffer => {
  const line = Buffer.from(
    `{"id": "${seed}", "text": "a row of training data that is long enough to matter"}\n`,
  );
  return Buffer.concat(
    Array.from({ length: Math.ceil((mb * 1024 * 1024) / line.length) }, () => line),
  );
};

async function ledgerWith(repo: TestRepo, path: string, content: Buffer): Promise<void> {
  const r = await openRepo({ cwd: repo.dir, env: repo.env });
  const lines = content.length < 1 << 20 ? lineHashes(content.toString('utf8')) : [];
  appendEntries(r.stateDir, [
    {
      time: new Date().toISOString(),
      tool: 'claude-code',
      session: 'abcdef123456',
      path,
      blob: blobId(content, r.objectFormat),
      lines,
    },
  ]);
}

describe('large files with a ledger present', () => {
  it('a human commits a 30 MB data file: the commit completes (exit 0)', async () => {
    const repo = repoWithPolicy();
    await ledgerWith(
      repo,
      'src/helper.py',
      Buffer.from('def helper():\n    return "an agent wrote this line of code"\n'),
    );
    repo.write('data/train/big.jsonl', bigFile(30, 'human'));
    const r = repo.commit('add training data', {
      args: ['--trailer', 'Reviewed-by: Rae Reviewer <rae@example.org>'],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.git('ls-tree', '--name-only', '-r', 'HEAD', 'data/train').trim()).toBe(
      'data/train/big.jsonl',
    );
  });

  it('control: the same 30 MB file, written by an agent (in the ledger by blob id), is still blocked in the deny zone', async () => {
    const repo = repoWithPolicy();
    const content = bigFile(30, 'agent');
    await ledgerWith(repo, 'data/train/big.jsonl', content);
    repo.write('data/train/big.jsonl', content);
    const r = repo.commit('add training data');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('data/train/big.jsonl');
    expect(r.stderr).toContain('claude-code'); // found by blob id without reading the content
    expect(readFileSync(join(repo.dir, 'data/train/big.jsonl')).length).toBe(content.length);
  });
});
