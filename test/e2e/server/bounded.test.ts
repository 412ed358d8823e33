// Issue 11 §2: the expensive parts of a push are bounded on purpose, and the legitimate
// inputs beside the hostile ones are answered correctly within the deadline.
// (No timing assertions: a generous deadline is given and the answer is what is checked;
// speed is measured by `npm run bench`.)

import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, type Server } from '../../helpers/server.js';
import { fastHistory, runCli } from '../../helpers/hostile.js';

afterAll(removeTempDirs);

const ZERO = '0'.repeat(40);

/** Makes the work repo's objects of `ref` present but unreferenced on the server. */
function stage(s: Server, ref: string): void {
  s.server.git('fetch', '-q', s.work.dir, `${ref}:refs/tmp/x`);
  s.server.git('update-ref', '-d', 'refs/tmp/x');
}

const hook = (s: Server, input: string, deadline = '60') =>
  runCli(['pre-receive', '--deadline', deadline], {
    cwd: s.server.dir,
    env: s.work.env,
    input,
    limitMs: 120_000,
  });

/** One commit moving `n` identical files from a/ to evals/tasks/ (a deny zone), via fast-import. */
function renameBomb(s: Server, n: number, message: string, ref: string): string {
  const parts = [
    'blob\nmark :1\ndata 6\nsame!\n',
    `commit refs/heads/${ref}-base\nmark :2\ncommitter Hana Human <hana@example.org> 1700000000 +0000\ndata 5\nbase\nfrom ${s.work.head()}\n`,
  ];
  for (let i = 0; i < n; i++) parts.push(`M 100644 :1 a/d${Math.floor(i / 300)}/f${i}.txt\n`);
  parts.push(
    `\ncommit refs/heads/${ref}\ncommitter Hana Human <hana@example.org> 1700000001 +0000\ndata ${Buffer.byteLength(message)}\n${message}from :2\nD a\n`,
  );
  for (let i = 0; i < n; i++)
    parts.push(`M 100644 :1 evals/tasks/d${Math.floor(i / 300)}/f${i}.txt\n`);
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: s.work.dir,
    env: s.work.env,
    input: parts.join('') + '\n',
  });
  return s.work.git('rev-parse', `refs/heads/${ref}`).trim();
}

describe('bounded work per push', () => {
  it('2,000 new tags at known commits are answered (accepted), with the bad-tag control rejected', async () => {
    const s = protectedServer();
    const tip = fastHistory(s.work, 50, { ref: 'refs/heads/main', from: s.work.head() });
    s.work.git('push', '-q', 'origin', 'main');
    const commits = s.work.git('rev-list', tip).trim().split('\n');
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `${ZERO} ${commits[i % commits.length]} refs/tags/t${i}`,
    );
    const r = await hook(s, lines.join('\n') + '\n');
    expect(r.hung).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    // Control: one tag among them at a new AI commit in a deny zone is still caught.
    s.work.write('evals/tasks/q.json', '{"q":1}\n');
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'q', '-m', CLAUDE);
    const bad = s.work.head();
    stage(s, 'HEAD');
    const r2 = await hook(s, [...lines, `${ZERO} ${bad} refs/tags/bad`].join('\n') + '\n');
    expect(r2.code, r2.stderr).toBe(1);
    expect(r2.stderr).toContain('refs/tags/bad');
    expect(r2.stderr).toContain('evals/tasks/q.json');
  });

  it('a rename bomb (20,000 identical files moved into a deny zone by an AI commit) is rejected; the human one is accepted', async () => {
    const s = protectedServer();
    const ai = renameBomb(s, 20_000, `move\n\n${CLAUDE}\n`, 'aibomb');
    const human = renameBomb(s, 20_000, 'move by a human\n', 'humanbomb');
    stage(s, 'aibomb');
    stage(s, 'humanbomb');
    const bad = await hook(s, `${ZERO} ${ai} refs/heads/aibomb\n`);
    expect(bad.hung).toBe(false);
    expect(bad.code, bad.stderr.slice(0, 2000)).toBe(1);
    expect(bad.stderr).toContain('evals/tasks/d0/f0.txt');
    // Human control: exact renames of human-written content, traced past the rename limit.
    const ok = await hook(s, `${ZERO} ${human} refs/heads/humanbomb\n`);
    expect(ok.code, ok.stderr.slice(0, 2000)).toBe(0);
  });

  it('past the rename limit, files that changed on the move fail closed and name the limit', async () => {
    const s = protectedServer();
    const parts = [
      `commit refs/heads/wide-base\ncommitter Hana Human <hana@example.org> 1700000000 +0000\ndata 5\nbase\nfrom ${s.work.head()}\n`,
    ];
    for (let i = 0; i < 1100; i++)
      parts.push(`M 100644 inline a/f${i}.txt\ndata ${`v1 ${i}\n`.length}\nv1 ${i}\n`);
    parts.push(
      `\ncommit refs/heads/wide\ncommitter Hana Human <hana@example.org> 1700000001 +0000\ndata 5\nmove\nfrom refs/heads/wide-base\nD a\n`,
    );
    for (let i = 0; i < 1100; i++)
      parts.push(`M 100644 inline evals/tasks/f${i}.txt\ndata ${`v2 ${i}\n`.length}\nv2 ${i}\n`);
    execFileSync('git', ['fast-import', '--quiet'], {
      cwd: s.work.dir,
      env: s.work.env,
      input: parts.join('') + '\n',
    });
    const tip = s.work.git('rev-parse', 'refs/heads/wide').trim();
    stage(s, 'wide');
    const r = await hook(s, `${ZERO} ${tip} refs/heads/wide\n`);
    expect(r.code, r.stderr.slice(0, 2000)).toBe(1);
    expect(r.stderr).toContain('rename limit hit');
    expect(r.stderr).toContain('limit 1000 each');
  });

  it('a human commit moving 50 agent-written files into a zone on a 5,000-commit history is rejected, naming where they were written; a human reorganisation passes', async () => {
    const s = protectedServer();
    fastHistory(s.work, 5_000, { ref: 'refs/heads/main', from: s.work.head() });
    s.work.git('reset', '-q', '--hard', 'main');
    for (let i = 0; i < 50; i++)
      s.work.write(`drafts/q${i}.json`, `{"question": ${i}, "text": "agent draft number ${i}"}\n`);
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'drafts', '-m', CLAUDE);
    for (let i = 0; i < 50; i++)
      s.work.write(`notes/n${i}.json`, `{"note": ${i}, "text": "human note number ${i}"}\n`);
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'human notes');
    s.work.git('push', '-q', 'origin', 'main');
    s.work.git('checkout', '-q', '-b', 'reorg');
    mkdirSync(join(s.work.dir, 'evals/tasks'), { recursive: true });
    s.work.git('mv', 'notes', 'evals/tasks/notes');
    s.work.git('commit', '-q', '--no-verify', '-m', 'reorganise: notes become tasks');
    const good = s.work.head();
    s.work.git('checkout', '-q', '-b', 'launder', 'main');
    mkdirSync(join(s.work.dir, 'evals/tasks'), { recursive: true });
    s.work.git('mv', 'drafts', 'evals/tasks/drafts');
    s.work.git('commit', '-q', '--no-verify', '-m', 'promote drafts');
    const bad = s.work.head();
    stage(s, 'reorg');
    stage(s, 'launder');
    const ok = await hook(s, `${ZERO} ${good} refs/heads/reorg\n`);
    expect(ok.code, ok.stderr).toBe(0);
    const no = await hook(s, `${ZERO} ${bad} refs/heads/launder\n`);
    expect(no.code, no.stderr.slice(0, 2000)).toBe(1);
    expect(no.stderr).toMatch(/moved from drafts\/q\d+\.json and 49 more, written in [0-9a-f]{12}/);
  });
});
