// Content seen through a symlink into a zone is reported once, named where git stores it
// (what `git restore --staged` / `git rm` take), with the path the zone matched and the
// link that shows it (hostile review, fault 3): check --staged, check --range, the
// server's rejection and audit. Beside it, a file written in the zone itself is named as before.

import { mkdirSync, symlinkSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';
import { CLAUDE, protectedServer } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };
const SEEN = 'src/gen/q.jsonl (seen as evals/tasks/q.jsonl through the link evals/tasks)';

describe('content seen through a link is reported where it is stored', () => {
  it('check --staged: once, at the stored path, naming the link (text and JSON)', T, () => {
    const repo = repoWithPolicy();
    repo.write('src/gen/a.txt', 'a\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'layout');
    mkdirSync(`${repo.dir}/evals`, { recursive: true });
    symlinkSync('../src/gen', `${repo.dir}/evals/tasks`);
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'link (by a human)');
    repo.write('src/gen/q.jsonl', '{"q":1}\n');
    repo.git('add', 'src/gen/q.jsonl');
    const env = { ...repo.env, CLAUDECODE: '1' };
    const text = repo.cleanroom(['check', '--staged'], { env });
    expect(text.code, text.stderr).toBe(1);
    const out = text.stdout + text.stderr;
    expect(out.split(SEEN).length - 1).toBe(1);
    expect(out).not.toMatch(/✗ evals\/tasks\/q\.jsonl/);
    const json = JSON.parse(
      repo.cleanroom(['check', '--staged', '--format', 'json'], { env }).stdout,
    ) as { violations: { path: string; stored?: string; link?: string }[] };
    expect(json.violations).toEqual([
      expect.objectContaining({
        path: 'evals/tasks/q.jsonl',
        stored: 'src/gen/q.jsonl',
        link: 'evals/tasks',
      }),
    ]);
    // Control: a file written in the zone is named as it is.
    repo.git('restore', '--staged', 'src/gen/q.jsonl');
    repo.write('data/train/x.txt', 'x\n');
    repo.git('add', 'data/train/x.txt');
    const plain = repo.cleanroom(['check', '--staged'], { env });
    expect(plain.stdout + plain.stderr).toMatch(/✗ data\/train\/x\.txt\n/);
  });

  it('check --range, the server and audit name the stored path and the link', T, () => {
    const s = protectedServer();
    const base = s.work.head();
    s.work.write('src/gen/a.txt', 'a\n');
    mkdirSync(`${s.work.dir}/evals`, { recursive: true });
    symlinkSync('../src/gen', `${s.work.dir}/evals/tasks`);
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'layout (by a human)');
    s.work.write('src/gen/q.jsonl', '{"q":1}\n');
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'generate', '-m', CLAUDE);
    const range = s.work.cleanroom(['check', '--range', `${base}..main`]);
    expect(range.code).toBe(1);
    expect((range.stdout + range.stderr).split(SEEN).length - 1).toBe(1);
    const push = s.work.tryGit(['push', 'origin', 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr.split(SEEN).length - 1).toBe(1);
    const audit = s.work.cleanroom(['audit']);
    expect(audit.stdout.split(SEEN).length - 1, audit.stdout).toBe(1);
  });
});
