// The agent hook agrees with the link rule (issue 10 §2): a write into a folder that a
// symlink puts into a zone is a write into that zone.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judge, type PolicyLookup } from '../../../src/agents/decide.js';
import { lookupPolicy } from '../../../src/agents/policy.js';
import { cleanEnv, POLICY, removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

function repo(link: boolean): TestRepo {
  const r = TestRepo.init();
  r.write('.cleanroom/policy.yaml', POLICY);
  r.write('src/jl/a.txt', 'a\n');
  mkdirSync(join(r.dir, 'evals'), { recursive: true });
  if (link) symlinkSync('../src/jl', join(r.dir, 'evals/extra'));
  return r;
}

const write = (r: TestRepo, path: string) =>
  judge(
    { tool: 'claude-code', name: 'Write', cwd: r.dir, paths: [path], session: 's', kind: 'write' },
    (root): Promise<PolicyLookup> => lookupPolicy({ cwd: r.dir, env: cleanEnv() }, root, []),
    r.dir,
  );

describe('agent writes and links into zones', () => {
  it('attack: writing src/jl/more.jsonl while evals/extra -> ../src/jl is refused', async () => {
    const d = await write(repo(true), 'src/jl/more.jsonl');
    expect(d.action).toBe('deny');
    const reason = 'reason' in d ? d.reason : '';
    expect(reason).toContain('evals/extra/more.jsonl');
    expect(reason).toContain('eval-tasks');
  });
  it('human control: without the link the same write is allowed', async () => {
    expect((await write(repo(false), 'src/jl/more.jsonl')).action).toBe('allow');
  });
  it('control: a file the zone glob does not match through the link is allowed', async () => {
    expect((await write(repo(true), 'src/jl/notes.txt')).action).toBe('allow');
  });
});
