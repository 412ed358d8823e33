// The hostile cases of bench/findings-diff.mjs, as git commits on top of a test repository:
// an AI draft moved into a zone by a human, a link into a zone then AI writes below its
// target, a human link exposing earlier AI output, an evil merge renaming an AI draft
// into a zone, a merge joining a link from one side with content from the other. Shared
// by the tests that compare two ways of judging the same history.

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { TestRepo } from './repo.js';
import { CLAUDE } from './server.js';

/** A fast-import stream (test/fixtures/audit/history.mjs) into `repo`, checked out. */
export function importHistory(repo: TestRepo, stream: string | Buffer): void {
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, env: repo.env, input: stream });
  repo.git('reset', '-q', '--hard');
}

/** The hostile cases, on top of whatever `repo` holds (a policy with evals/tasks a deny zone). */
export function addHostileCases(repo: TestRepo): void {
  const commit = (msg: string, ai: boolean): void => {
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', msg, ...(ai ? ['-m', CLAUDE] : []));
  };
  repo.write('drafts/q1.json', '{"q":"what is 2+2"}\n');
  commit('draft', true);
  mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
  repo.git('mv', 'drafts/q1.json', 'evals/tasks/moved-q1.json');
  commit('file the draft', false);
  repo.write('src/jl/a.txt', 'a\n');
  symlinkSync('../src/jl', join(repo.dir, 'evals/extra'));
  commit('link', false);
  // Touches no zone path: only the link shows it in a zone.
  repo.write('src/jl/more.jsonl', '{}\n');
  commit('more', true);
  repo.write('gen/out.jsonl', '{"ai":1}\n');
  commit('ai output outside zones', true);
  symlinkSync('../gen', join(repo.dir, 'evals/gen'));
  commit('human exposes it through a link', false);
  repo.write('docs/human.md', 'human\n');
  commit('a human commit outside every zone', false);
  repo.git('checkout', '-q', '-b', 'side');
  repo.write('drafts/q2.json', '{"q":"capital of France"}\n');
  commit('second draft', true);
  repo.write('src/side/x.jsonl', '{"side":1}\n');
  commit('side content', true);
  repo.git('checkout', '-q', 'main');
  symlinkSync('../src/side', join(repo.dir, 'evals/side'));
  commit('link to side content', false);
  repo.git('merge', '-q', '--no-ff', '--no-commit', 'side');
  repo.git('mv', 'drafts/q2.json', 'evals/tasks/merged-q2.json');
  repo.git('commit', '-q', '--no-verify', '-m', 'Merge side');
}
