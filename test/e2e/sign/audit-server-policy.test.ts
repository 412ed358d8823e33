// A server's policy is a file beside its trust files (docs/server.md); an audit of that
// server must read the same: it used to take the approvers from a work tree the bare
// repository does not have, and reported as contaminated what the hook had accepted
// with an approver's override. A bare repository's audit also takes git config
// cleanroom.policy, as the hook does, instead of asking for --policy.

import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../helpers/repo.js';
import { AI, APPROVER, grant, push, serverRef, world, type World } from './world.js';

afterAll(removeTempDirs);

let w: World;
let conf: string;
beforeAll(() => {
  w = world();
  w.repo.write('evals/tasks/q1.json', '{"q": 1}\n');
  w.repo.git('add', '-A');
  const trailer = grant(w, 'override');
  const c = w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', trailer] });
  expect(c.code, c.stderr).toBe(0);
  const p = push(w);
  expect(p.stderr).toContain(`overridden by ${APPROVER}`);
  expect(serverRef(w)).toBe(w.repo.head());
  // The admin's copy of the repository's .cleanroom/ folder, as docs/server.md says.
  conf = join(tempDir(), 'cleanroom');
  cpSync(join(w.repo.dir, '.cleanroom'), conf, { recursive: true });
}, 120_000);

const audit = (args: string[]) => w.server.cleanroom(['audit', '--format', 'json', ...args]);

describe('audit on a server with its policy file', { timeout: 120_000 }, () => {
  it('--policy FILE reads the approvers beside FILE: the override the hook accepted counts', () => {
    const r = audit(['--policy', join(conf, 'policy.yaml')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.contaminatedPaths).toBe(0);
  });

  it('git config cleanroom.policy is the audit policy of a bare repository', () => {
    w.server.git('config', 'cleanroom.policy', join(conf, 'policy.yaml'));
    try {
      const r = audit([]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).summary.contaminatedPaths).toBe(0);
    } finally {
      w.server.git('config', '--unset', 'cleanroom.policy');
    }
  });

  it('control: without the approvers file beside the policy, the override is not accepted', () => {
    const bare = join(tempDir(), 'no-approvers');
    cpSync(conf, bare, { recursive: true });
    rmSync(join(bare, 'approvers'));
    const r = audit(['--policy', join(bare, 'policy.yaml')]);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).summary.contaminatedPaths).toBe(1);
  });

  it('control: a bare repository with neither --policy nor cleanroom.policy says what to do', () => {
    const r = audit([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cleanroom.policy');
  });
});
