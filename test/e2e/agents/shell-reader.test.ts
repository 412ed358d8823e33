// Issue 15 §3: the shell forms that wrote into a zone, or read a `read: deny` zone,
// unseen. Each goes through the wired entry as a Claude Code Bash call; each has a
// control beside it that names no zone and passes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, type Run, type TestRepo } from '../../helpers/repo.js';
import { bash, humanTask, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

let repo: TestRepo;
let run: (command: string) => Run;
beforeAll(() => {
  repo = repoWithPolicy();
  expect(repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code']).code).toBe(0);
  humanTask(repo);
  repo.write('drafts/q.json', '{"question": "drafted"}\n');
  repo.write('drafts/tasks/q5.json', '{"question": "drafted"}\n');
  repo.write('x.jsonl', '{"q": 1}\n');
  repo.write('src/app.ts', 'export {};\n');
  mkdirSync(join(repo.dir, 'build'), { recursive: true });
  const command = wiredCommand(repo, 'claude-code');
  run = (c) =>
    runWired(repo, command, bash(repo, c), { env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir } });
}, 120_000);

const cases: [string, string, string][] = [
  // [what, refused command, control that passes]
  ['cp -t DIR f', 'cp -t evals/tasks drafts/q.json', 'cp -t drafts x.jsonl'],
  ['mv -t DIR f', 'mv -t evals/tasks drafts/q.json', 'mv -t src drafts/nothing.txt'],
  ['install -t DIR f', 'install -t evals/tasks drafts/q.json', 'install -t build drafts/q.json'],
  [
    '--target-directory=DIR',
    'cp --target-directory=evals/tasks drafts/q.json',
    'cp --target-directory=build drafts/q.json',
  ],
  [
    '--target-directory DIR',
    'cp --target-directory evals/tasks drafts/q.json',
    'cp --target-directory build drafts/q.json',
  ],
  [
    "a copy into a zone's parent that lands on a zone glob",
    'cp x.jsonl evals/',
    'cp drafts/q.json evals/harness/',
  ],
  [
    "a recursive copy of a directory into a zone's parent",
    'cp -r drafts/tasks evals/',
    'cp -r drafts/tasks build/',
  ],
  ['rsync into a zone', 'rsync -a drafts/ evals/tasks/', 'rsync -a src/ build/'],
  ["rsync of a tree into a zone's parent", 'rsync -av drafts evals/', 'rsync -av drafts build/'],
  [
    'git mv into a zone',
    'git mv drafts/q.json evals/tasks/q.json',
    'git mv drafts/q.json drafts/q2.json',
  ],
  ['tee with brace expansion', 'echo x | tee evals/{tasks,x}/f', 'echo x | tee build/{a,b}'],
  [
    'a redirection with brace expansion',
    'echo x > evals/{tasks,x}/f.json',
    'echo x > build/{a,b}.txt',
  ],
  [
    'git show REV:path of a read: deny zone',
    'git show HEAD:evals/tasks/q1.json',
    'git show HEAD:README.md',
  ],
  [
    'git cat-file -p REV:path',
    'git cat-file -p HEAD:evals/tasks/q1.json',
    'git cat-file -p HEAD:README.md',
  ],
  ['git show :path (the index)', 'git show :evals/tasks/q1.json', 'git show :README.md'],
  ['git archive of the whole tree', 'git archive HEAD | tar -t', 'git archive HEAD src | tar -t'],
  ['git grep over a revision', 'git grep answer HEAD', 'git grep answer HEAD -- src'],
  ['git grep of the work tree', 'git grep -n question', 'git grep -n question -- src README.md'],
  ["grep -r over a zone's parent", 'grep -rn answer evals/', 'grep -rn answer src/'],
  ['rg over the repository', 'rg answer', 'rg answer src'],
  [
    'a program cleanroom cannot read, given a deny zone path',
    'python gen.py --out evals/tasks/q7.json',
    'python gen.py --out build/q7.json',
  ],
  [
    "a program cleanroom cannot read, given a zone's parent directory",
    'python gen.py --out-dir evals/',
    'python gen.py --out-dir build/',
  ],
  ['sed -i on a deny zone file', "sed -i 's/a/b/' data/train/x.txt", "sed -i 's/a/b/' src/app.ts"],
  [
    'a recursive copy out of a read: deny zone',
    'cp -r evals/tasks /tmp/leak',
    'cp -r src /tmp/copy',
  ],
  ["tar of a zone's parent", 'tar czf /tmp/e.tgz evals', 'tar czf /tmp/s.tgz src'],
  [
    'a cd before a relative path',
    'cd evals && cp ../drafts/q.json tasks/',
    'cd src && cp ../drafts/q.json ./',
  ],
  ['a cd before a read', 'cd evals/tasks && cat q1.json', 'cd src && cat app.ts'],
];

describe('§3 shell commands the reader now reads', { timeout: 300_000 }, () => {
  for (const [what, bad, good] of cases) {
    it(`${what}: refused "${bad}", allowed "${good}"`, () => {
      const r = run(bad);
      expect([bad, r.code]).toEqual([bad, 2]);
      expect(r.stderr).toMatch(/zone "(eval-tasks|training-data)"/);
      const c = run(good);
      expect([good, c.code, c.stderr]).toEqual([good, 0, '']);
    });
  }

  it('a copy judged where it lands: into a directory that exists, without a trailing slash', () => {
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    expect(run('cp drafts/q.json evals/tasks').code).toBe(2);
    writeFileSync(join(repo.dir, 'notes.md'), 'n\n');
    expect(run('cp notes.md docs.md').code).toBe(0);
  });
});
