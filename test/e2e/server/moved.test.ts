// Laundering by moving: content an agent wrote outside every zone, later moved into a
// zone by a human commit that carries no AI signal of its own.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

describe('content moved into a zone keeps its provenance', () => {
  it('the server rejects a human `git mv` of agent-written content into a deny zone', () => {
    const server = TestRepo.init({ bare: true });
    const work = repoWithPolicy({ init: false });
    work.git('remote', 'add', 'origin', server.dir);
    work.git('push', '-q', 'origin', 'main');
    expect(
      work.cleanroom(['install-server', server.dir, '--log', join(tempDir(), 'log.jsonl')]).code,
    ).toBe(0);
    work.write('drafts/q1.json', '{"question": "What is 17 * 23?", "answer": 391}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '-m', 'draft questions', '-m', CLAUDE);
    expect(work.tryGit(['push', 'origin', 'main']).code).toBe(0); // outside every zone: fine
    mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
    work.git('mv', 'drafts/q1.json', 'evals/tasks/q1.json');
    work.git('commit', '-q', '-m', 'promote the draft'); // a human commit, no AI signal
    const r = work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/q1.json');
    expect(r.stderr).toMatch(
      /moved from drafts\/q1\.json, written in [0-9a-f]{12} \(Co-authored-by: Claude/,
    );
  });

  it('the local commit is blocked too, and a human-written file moved into a zone is not', () => {
    const repo = repoWithPolicy();
    repo.write('drafts/q1.json', '{"q": 1}\n').write('notes/mine.json', '{"human": true}\n');
    repo.git('add', 'drafts');
    repo.git('commit', '-q', '--no-verify', '-m', 'agent draft', '-m', CLAUDE);
    repo.git('add', 'notes');
    expect(repo.tryGit(['commit', '-q', '-m', 'my notes']).code).toBe(0);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    repo.git('mv', 'drafts/q1.json', 'evals/tasks/q1.json');
    const blocked = repo.tryGit(['commit', '-q', '-m', 'promote']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('moved from drafts/q1.json');
    repo.git('reset', '-q', '--hard');
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    repo.git('mv', 'notes/mine.json', 'evals/tasks/mine.json');
    expect(repo.tryGit(['commit', '-q', '-m', 'promote mine']).code).toBe(0);
  });
});
