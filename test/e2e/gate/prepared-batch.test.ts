// Issue 14 §3: the judge asks git once per batch (CommitJudge.prepare) what it asked once
// per merge: are the guarded paths (.cleanroom/, trust files) those of the first parent,
// and do the link targets hold the same trees. The answers must be the per-merge ones:
// the same findings with and without `prepare`, on merges that take an old policy back
// from the second parent (attack), merges that bring AI content in under a link (attack),
// and plain merges (human control).

import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CommitJudge } from '../../../src/check/judge.js';
import { readCommitBatches, revList } from '../../../src/git/commits.js';
import type { Finding } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';
import { CLAUDE } from '../../helpers/server.js';

afterAll(removeTempDirs);

const POLICY = `version: 1
repository: example.org/acme/evals
zones:
  - { name: evals, paths: ["evals/**"], ai: deny }
`;
const LOOSE = `version: 1
repository: example.org/acme/evals
zones: []
`;

function history(): TestRepo {
  const repo = TestRepo.init();
  const commit = (msg: string, ai = false): void => {
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', msg, ...(ai ? ['-m', CLAUDE] : []));
  };
  repo.write('.cleanroom/policy.yaml', LOOSE).write('evals/README.md', '# held out\n');
  commit('root');
  repo.git('checkout', '-q', '-b', 'old');
  repo.write('old.txt', 'old\n');
  commit('side with the loose policy');
  repo.git('checkout', '-q', 'main');
  repo.write('.cleanroom/policy.yaml', POLICY);
  commit('evals are held out');
  // attack: the merge takes the loose policy back from the second parent
  repo.git('merge', '-q', '--no-ff', '--no-commit', 'old');
  repo.git('checkout', 'old', '--', '.cleanroom/policy.yaml');
  repo.git('commit', '-q', '--no-verify', '-m', 'Merge old');
  // attack: a link into the zone on one side, AI content below its target on the other
  repo.write('src/gen/a.txt', 'a\n');
  commit('gen dir');
  repo.git('checkout', '-q', '-b', 'ai');
  repo.write('src/gen/q.jsonl', '{"ai":1}\n');
  commit('ai content', true);
  repo.git('checkout', '-q', 'main');
  symlinkSync('../src/gen', join(repo.dir, 'evals/gen'));
  commit('link into the zone');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'ai');
  // human control: a plain merge of human work
  repo.git('checkout', '-q', '-b', 'docs');
  repo.write('docs/x.md', 'x\n');
  commit('docs');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', '--no-edit', 'docs');
  return repo;
}

const key = (id: string, f: Finding): string => `${id} ${f.path} ${f.zone} ${f.tool} ${f.outcome}`;

async function judged(repo: TestRepo, prepare: boolean): Promise<string[]> {
  const ctx = { cwd: repo.dir, env: repo.env };
  const policy = loadPolicyText(POLICY, 'policy.yaml');
  const judge = new CommitJudge(ctx, policy, {}, new Date('2030-01-01T00:00:00Z'), {
    guardConfig: true,
  });
  const out: string[] = [];
  try {
    const ids = revList(ctx, ['--reverse', '--topo-order', 'main']);
    for await (const batch of readCommitBatches(ctx, ids)) {
      if (prepare) await judge.prepare(batch);
      for (const c of batch)
        for (const f of (await judge.judge(c)).findings) out.push(key(c.id, f));
    }
  } finally {
    judge.close();
  }
  return out;
}

describe('the judge asks once per batch what it asked once per merge', () => {
  it('the same findings with the batch answers as with the per-merge ones', async () => {
    const repo = history();
    const per = await judged(repo, false);
    const batched = await judged(repo, true);
    expect(batched).toEqual(per);
    // attacks found: the policy taken back by a merge, AI content shown through the link
    expect(per.some((k) => k.includes('.cleanroom/policy.yaml'))).toBe(true);
    expect(per.some((k) => k.includes('evals/gen/q.jsonl'))).toBe(true);
    // human control: the docs merge has no finding
    expect(per.some((k) => k.includes('docs/'))).toBe(false);
  });
});
