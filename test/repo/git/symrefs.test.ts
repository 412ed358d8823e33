// Symbolic refs among a push's refs (src/git/symrefs.ts): read from the files backend's
// loose refs, and from `git for-each-ref` (the reftable path), against what git itself
// says (`git symbolic-ref`, `git rev-parse --symbolic-full-name`).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { symbolicTargets } from '../../../src/git/symrefs.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

function repo(): { r: TestRepo; ctx: { cwd: string; env: NodeJS.ProcessEnv } } {
  const r = TestRepo.init({ bare: true });
  const work = TestRepo.init();
  work.git('commit', '-q', '--allow-empty', '-m', 'x');
  work.git('push', '-q', r.dir, 'HEAD:refs/heads/main', 'HEAD:refs/heads/feature');
  r.git('pack-refs', '--all'); // main and feature packed: no loose file
  r.git('symbolic-ref', 'refs/heads/master', 'refs/heads/main');
  r.git('symbolic-ref', 'refs/heads/old', 'refs/heads/master'); // a chain of two
  r.git('symbolic-ref', 'refs/tags/stable', 'refs/heads/feature');
  r.git('symbolic-ref', 'refs/heads/next', 'refs/heads/unborn'); // dangling
  return { r, ctx: { cwd: r.dir, env: process.env } };
}

const REFS = [
  'refs/heads/main',
  'refs/heads/feature',
  'refs/heads/master',
  'refs/heads/old',
  'refs/tags/stable',
  'refs/heads/new-branch',
  'refs/heads/next',
];

describe('symbolicTargets', () => {
  it('follows chains to the ref receive-pack moves, as git resolves them', async () => {
    const { r, ctx } = repo();
    const files = await symbolicTargets(ctx, r.dir, REFS, false);
    expect(Object.fromEntries(files)).toEqual({
      'refs/heads/master': 'refs/heads/main',
      'refs/heads/old': 'refs/heads/main',
      'refs/tags/stable': 'refs/heads/feature',
      'refs/heads/next': 'refs/heads/unborn',
    });
    // git's own answer for every existing one.
    for (const [ref, target] of files)
      if (ref !== 'refs/heads/next')
        expect(r.git('rev-parse', '--symbolic-full-name', ref).trim(), ref).toBe(target);
    expect(r.git('symbolic-ref', 'refs/heads/next').trim()).toBe('refs/heads/unborn');
    // The for-each-ref path agrees, but for the dangling one, which git does not list.
    const viaGit = await symbolicTargets(ctx, r.dir, REFS, true);
    files.delete('refs/heads/next');
    expect(Object.fromEntries(viaGit)).toEqual(Object.fromEntries(files));
  });

  it('a symbolic ref to HEAD is followed through HEAD, as receive-pack follows it', async () => {
    const { r, ctx } = repo();
    r.git('symbolic-ref', 'HEAD', 'refs/heads/main');
    r.git('symbolic-ref', 'refs/heads/viahead', 'HEAD');
    const got = await symbolicTargets(ctx, r.dir, ['refs/heads/viahead'], false);
    expect(got.get('refs/heads/viahead')).toBe('refs/heads/main');
    expect(r.git('rev-parse', '--symbolic-full-name', 'refs/heads/viahead').trim()).toBe(
      'refs/heads/main',
    );
    // A detached HEAD at the end of the chain is no branch to judge the push as.
    r.git('update-ref', '--no-deref', 'HEAD', r.git('rev-parse', 'main').trim());
    const detached = await symbolicTargets(ctx, r.dir, ['refs/heads/viahead'], false);
    expect(detached.get('refs/heads/viahead')).toBe('');
  });

  it('a loop or a chain deeper than git follows is unfollowable, not a branch', async () => {
    const { r, ctx } = repo();
    r.git('symbolic-ref', 'refs/heads/a', 'refs/heads/b');
    r.git('symbolic-ref', 'refs/heads/b', 'refs/heads/a');
    for (let i = 0; i < 7; i++) r.git('symbolic-ref', `refs/heads/d${i}`, `refs/heads/d${i + 1}`);
    const got = await symbolicTargets(
      ctx,
      r.dir,
      ['refs/heads/a', 'refs/heads/d0', 'refs/heads/d4'],
      false,
    );
    expect(got.get('refs/heads/a')).toBe('');
    expect(got.get('refs/heads/d0')).toBe('');
    expect(got.get('refs/heads/d4')).toBe('refs/heads/d7'); // three levels: followed
  });

  it('a loose ref holding an id, a directory, or a target outside refs/ is no alias', async () => {
    const { r, ctx } = repo();
    const id = r.git('rev-parse', 'main').trim();
    r.git('update-ref', 'refs/heads/topic/x', id); // refs/heads/topic is a directory
    writeFileSync(join(r.dir, 'refs', 'heads', 'odd'), 'ref: refs/heads/../../config\n');
    const got = await symbolicTargets(
      ctx,
      r.dir,
      ['refs/heads/topic/x', 'refs/heads/topic', 'refs/heads/odd'],
      false,
    );
    expect(got.get('refs/heads/topic/x')).toBeUndefined();
    expect(got.get('refs/heads/topic')).toBeUndefined();
    expect(got.get('refs/heads/odd')).toBe('');
  });
});
