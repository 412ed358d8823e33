// Review of issue 14, fifth pass (server lane): the push's long-lived `git cat-file --batch`
// (src/check/links.ts TreeLinks.object, shared by link texts, merges' directories and the
// moved content's writers) was asked for a merge's directory as `MERGE:DIR`. cat-file
// reads its specs a line at a time and strips a CR at a line's end, so a directory named
// `d\nx` made one request two (every later answer was the one before it: the writer of
// moved content read as some other object, its AI trailer lost), and one named `x\r` was
// answered for `x` (a merge's link there dropped). Both let AI content into a deny zone
// on main at 972c82d and on integ17. Now the directory is read by tree ids from the root.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../helpers/repo.js';
import {
  agentCommit,
  humanCommit,
  protectedServer,
  serverRef,
  type Server,
} from '../../helpers/server.js';

afterAll(removeTempDirs);

/** Two branches from HEAD that put `dir/l` (a link) with different targets, merged keeping the first. */
function mergeOfDifferingLinks(s: Server, dir: string, targets: [string, string]): void {
  const w = s.work;
  const base = w.head();
  const link = (target: string, msg: string): void => {
    mkdirSync(join(w.dir, dir), { recursive: true });
    symlinkSync(target, join(w.dir, dir, 'l'));
    w.git('add', '-A');
    w.git('commit', '-q', '--no-verify', '-m', msg);
  };
  w.git('checkout', '-q', '-b', 'side', base);
  link(targets[1], 'side link');
  w.git('checkout', '-q', 'main');
  link(targets[0], 'main link');
  w.git('merge', '-q', '--no-verify', '-s', 'ours', '-m', 'merge side', 'side');
}

function push(s: Server): { code: number; stderr: string } {
  const r = s.work.tryGit(['push', 'origin', 'main']);
  return { code: r.code, stderr: r.stderr };
}

describe('a directory name cat-file cannot take as a spec line', () => {
  it.each(['sha1', 'sha256'] as const)(
    'a merge with differing links under `d\\nx/`, then a human move of AI content into a zone: rejected (%s)',
    (objectFormat) => {
      const s = protectedServer({ objectFormat });
      agentCommit(s.work, 'src/ai.json', '{"q": "ai"}\n');
      mergeOfDifferingLinks(s, 'd\nx', ['../foo', '../bar']);
      mkdirSync(join(s.work.dir, 'evals/tasks'), { recursive: true });
      s.work.git('mv', 'src/ai.json', 'evals/tasks/ai.json');
      s.work.git('commit', '-q', '--no-verify', '-m', 'move');
      const before = serverRef(s, 'main');
      const r = push(s);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toContain('evals/tasks/ai.json');
      expect(r.stderr).toMatch(/moved from src\/ai\.json, written in [0-9a-f]{12}/);
      expect(serverRef(s, 'main')).toBe(before);
    },
  );

  it('human control: the same history with the moved file written by a human is accepted', () => {
    const s = protectedServer();
    humanCommit(s.work, 'src/ai.json', '{"q": "human"}\n');
    mergeOfDifferingLinks(s, 'd\nx', ['../foo', '../bar']);
    mkdirSync(join(s.work.dir, 'evals/tasks'), { recursive: true });
    s.work.git('mv', 'src/ai.json', 'evals/tasks/ai.json');
    s.work.git('commit', '-q', '--no-verify', '-m', 'move');
    const r = push(s);
    expect(r.code, r.stderr).toBe(0);
    expect(serverRef(s, 'main')).toBe(s.work.head());
  });

  it('a merge keeps a zone link under `evals/tasks/x\\r/` (its sibling `x` has none): an AI write the link shows in the zone is rejected', () => {
    const s = protectedServer();
    humanCommit(s.work, 'src/keep', 'x\n');
    humanCommit(s.work, 'evals/tasks/x/other', 'a sibling named like the CR-less name\n');
    mergeOfDifferingLinks(s, 'evals/tasks/x\r', ['../../../src', '../../../other']);
    agentCommit(s.work, 'src/new.json', '{"q": "ai"}\n');
    const before = serverRef(s, 'main');
    const r = push(s);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain('new.json');
    expect(r.stderr).toContain('eval-tasks');
    expect(serverRef(s, 'main')).toBe(before);
  });

  it('human control: the same merge, and a human write below the link, is accepted', () => {
    const s = protectedServer();
    humanCommit(s.work, 'src/keep', 'x\n');
    humanCommit(s.work, 'evals/tasks/x/other', 'a sibling named like the CR-less name\n');
    mergeOfDifferingLinks(s, 'evals/tasks/x\r', ['../../../src', '../../../other']);
    humanCommit(s.work, 'src/new.json', '{"q": "human"}\n');
    const r = push(s);
    expect(r.code, r.stderr).toBe(0);
    expect(serverRef(s, 'main')).toBe(s.work.head());
  });
});

describe('the audit reads merges through the same long-lived cat-file', () => {
  const history = (s: Server, write: typeof agentCommit): void => {
    write(s.work, 'src/ai.json', '{"q": "moved"}\n');
    mergeOfDifferingLinks(s, 'd\nx', ['../foo', '../bar']);
    mkdirSync(join(s.work.dir, 'evals/tasks'), { recursive: true });
    s.work.git('mv', 'src/ai.json', 'evals/tasks/ai.json');
    s.work.git('commit', '-q', '--no-verify', '-m', 'move');
  };

  it('AI content moved into a zone after a merge with links under `d\\nx/` is reported', () => {
    const s = protectedServer();
    history(s, agentCommit);
    const r = s.work.cleanroom(['audit']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('evals/tasks/ai.json');
    expect(r.stdout).toMatch(/moved from src\/ai\.json, written in [0-9a-f]{12}/);
  });

  it('human control: the same history written by a human is not reported', () => {
    const s = protectedServer();
    history(s, humanCommit);
    const r = s.work.cleanroom(['audit']);
    expect(r.stdout).not.toContain('evals/tasks/ai.json');
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

describe('a link target cat-file cannot take as a spec line', () => {
  /** evals/tasks/l -> ../../TARGET on main, a side branch writing below TARGET, merged. */
  function mergeBelowLink(s: Server, target: string, write: typeof agentCommit): void {
    const w = s.work;
    w.write(`${target}/keep`, 'x\n');
    mkdirSync(join(w.dir, 'evals/tasks'), { recursive: true });
    symlinkSync(`../../${target}`, join(w.dir, 'evals/tasks/l'));
    w.git('add', '-A');
    w.git('commit', '-q', '--no-verify', '-m', 'link');
    w.git('checkout', '-q', '-b', 'side');
    write(w, `${target}/q.json`, '{"q": 1}\n');
    w.git('checkout', '-q', 'main');
    humanCommit(w, 'other', 'z\n');
    w.git('merge', '-q', '--no-verify', '--no-edit', 'side');
  }

  it('a link to `src/gen\\r` (asked by name, it would be answered for `src/gen`): the push fails closed, naming the path problem', () => {
    const s = protectedServer();
    mergeBelowLink(s, 'src/gen\r', humanCommit);
    const before = serverRef(s, 'main');
    const r = push(s);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain('ends in a carriage return');
    expect(r.stderr).toContain('src/gen\\r');
    expect(r.stderr).toContain('rename the path');
    expect(serverRef(s, 'main')).toBe(before);
  });

  it('human control: the same history with a link to `src/gen` is accepted', () => {
    const s = protectedServer();
    mergeBelowLink(s, 'src/gen', humanCommit);
    const r = push(s);
    expect(r.code, r.stderr).toBe(0);
    expect(serverRef(s, 'main')).toBe(s.work.head());
  });
});
