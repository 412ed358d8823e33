// Review of issue 14, fifth pass: the audit's "still in the tree" answer for a path seen
// through a symlink (src/audit/scan.ts existingPaths) asked `cat-file --batch-check` for
// `TIP:REAL` by name. git reads a spec a line at a time and strips a CR at its end, so a
// file `src/jl/more\r` was asked as `src/jl/more`: missing, and the contaminated file
// reached through `evals/extra -> ../src/jl` went unreported (or, the other way round,
// a human file at the CR-less name answered for it). Such names are now found in the
// tree's own listing.

import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { existingPaths } from '../../../src/audit/scan.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

function tipWith(files: string[]): { repo: TestRepo; tip: string } {
  const repo = TestRepo.init();
  repo.git('config', 'user.name', 'H');
  repo.git('config', 'user.email', 'h@example.org');
  for (const f of files) repo.writeBytes(Buffer.from(f), 'text\n');
  symlinkSync('../src/jl', join(repo.dir, 'evals/extra'));
  repo.git('add', '-A');
  repo.git('commit', '-q', '-m', 'tip');
  return { repo, tip: repo.head() };
}

describe('a path seen through a link whose real name is no spec line', () => {
  for (const [label, name] of [
    ['a final CR', 'more\r'],
    ['a newline', 'mo\nre'],
  ] as const) {
    it(`${label}: the file is found at the tip, not asked by another name`, async () => {
      const { repo, tip } = tipWith([`src/jl/${name}`, 'evals/keep.txt']);
      const wanted = new Set([`evals/extra/${name}`]);
      const found = await existingPaths({ cwd: repo.dir, env: repo.env }, tip, wanted);
      expect([...found]).toEqual([`evals/extra/${name}`]);
    });
  }

  it('a final CR: a human file at the CR-less name does not answer for it', async () => {
    const { repo, tip } = tipWith(['src/jl/more', 'evals/keep.txt']);
    const found = await existingPaths(
      { cwd: repo.dir, env: repo.env },
      tip,
      new Set(['evals/extra/more\r']),
    );
    expect([...found]).toEqual([]);
  });

  it('control: a plain name is found through the link', async () => {
    const { repo, tip } = tipWith(['src/jl/more', 'evals/keep.txt']);
    const found = await existingPaths(
      { cwd: repo.dir, env: repo.env },
      tip,
      new Set(['evals/extra/more']),
    );
    expect([...found]).toEqual(['evals/extra/more']);
  });
});
