// A server holding main, and pushes whose commit carries a finding (AI content in a deny
// zone) in well-formed trees or beside a malformed tree: for the tests of the order of a
// push's answers (src/server/pre-receive.ts judgePush; test/repo/server/tree-pass-*).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadPolicyText } from '../../src/policy/load.js';
import type { PolicySource } from '../../src/check/policy-source.js';
import { tempDir, TestRepo } from './repo.js';

export const TREE_PUSH_POLICY = `version: 1
repository: test/tree-pass
zones:
  - { name: evals, paths: ["evals/**"], ai: deny }
`;
export const CLAUDE = 'Co-Authored-By: Claude <noreply@anthropic.com>';

export const treePushSource = (): PolicySource => ({
  policy: loadPolicyText(TREE_PUSH_POLICY, 'policy.yaml'),
  trust: { approvers: undefined, reviewers: undefined },
  origin: 'policy.yaml',
});

/** A tree written as given (`hash-object --literally`): entries `[mode, name, id]`. */
export function rawTree(repo: TestRepo, entries: [string, string, string][]): string {
  const body = Buffer.concat(
    entries.map(([mode, name, id]) =>
      Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(id, 'hex')]),
    ),
  );
  return execFileSync('git', ['hash-object', '-t', 'tree', '--literally', '-w', '--stdin'], {
    cwd: repo.dir,
    env: repo.env,
    input: body,
  })
    .toString()
    .trim();
}

/**
 * The work repository (main: one clean commit), the server (main fetched), and two commits
 * on top of main, each with AI content in the deny zone evals/: `clean` in well-formed
 * trees, `malformed` with a tree that has one entry twice. Both are on the server,
 * unreferenced, as receive-pack leaves a push for its hook.
 */
export function treePushSetUp(): {
  server: TestRepo;
  old: string;
  clean: string;
  malformed: string;
  malformedTree: string;
} {
  const work = TestRepo.init();
  work.write('.cleanroom/policy.yaml', TREE_PUSH_POLICY);
  work.write('src/a.txt', 'a\n');
  work.git('add', '-A');
  work.git('commit', '-q', '-m', 'one');
  const old = work.git('rev-parse', 'main').trim();
  const server = TestRepo.init({ bare: true });
  server.git('fetch', '-q', work.dir, 'main:main');
  const q = work.git('hash-object', '-w', '--stdin', '--path', 'q').trim();
  const oldRoot = work
    .git('ls-tree', old)
    .trim()
    .split('\n')
    .map((l) => {
      const [meta, name] = l.split('\t') as [string, string];
      const [mode, , id] = meta.split(' ') as [string, string, string];
      return [mode.replace(/^0+/, ''), name, id] as [string, string, string];
    });
  const withEvals = (evals: string): string =>
    rawTree(
      work,
      [...oldRoot, ['40000', 'evals', evals] as [string, string, string]].sort((a, b) =>
        Buffer.compare(
          Buffer.from(a[1] + (a[0] === '40000' ? '/' : '')),
          Buffer.from(b[1] + (b[0] === '40000' ? '/' : '')),
        ),
      ),
    );
  const good = rawTree(work, [['100644', 'q.json', q]]);
  const malformedTree = rawTree(work, [
    ['100644', 'q.json', q],
    ['100644', 'q.json', q],
  ]);
  const commitOf = (tree: string): string =>
    work.git('commit-tree', tree, '-p', old, '-m', `generate\n\n${CLAUDE}`).trim();
  const clean = commitOf(withEvals(good));
  const malformed = commitOf(withEvals(malformedTree));
  for (const [i, id] of [clean, malformed].entries()) {
    server.git('fetch', '-q', work.dir, `+${id}:refs/tmp/x${i}`);
    server.git('update-ref', '-d', `refs/tmp/x${i}`);
  }
  return { server, old, clean, malformed, malformedTree };
}

/**
 * `env` with a `git` first on PATH that runs `script` (sh; "$@" the arguments, $GIT the real
 * git) before or instead of the real one: to slow one command down or make it refuse an
 * option, as an older git would.
 */
export function gitWrapperEnv(env: NodeJS.ProcessEnv, script: string): NodeJS.ProcessEnv {
  const real = execFileSync('sh', ['-c', 'command -v git'], { env }).toString().trim();
  const dir = tempDir();
  writeFileSync(join(dir, 'git'), `#!/bin/sh\nGIT=${real}\n${script}\nexec "$GIT" "$@"\n`, {
    mode: 0o755,
  });
  return { ...env, PATH: `${dir}${delimiter}${env.PATH ?? ''}` };
}
