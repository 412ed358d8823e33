// Issue 15 (hostile review): `read: deny` zones leaked through git commands that print
// file content without naming a zone path (`git diff`, `git log -p`, `git show REV`, …),
// and through paths the shell computes (`cd "$D" && cat x.c`). Each goes through the
// entry `init --agents claude-code` wires, as a Claude Code Bash call, with a control.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, type Run, type TestRepo } from '../../helpers/repo.js';
import { bash, humanTask, payload, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

let repo: TestRepo;
let blob = '';
let run: (command: string, cwd?: string) => Run;
beforeAll(() => {
  repo = repoWithPolicy();
  expect(
    repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code,codex,gemini']).code,
  ).toBe(0);
  humanTask(repo);
  repo.write('src/app.ts', 'export {};\n');
  repo.write('evals/harness/score.py', 'print(1)\n');
  repo.commit('app', { add: ['src/app.ts', 'evals/harness/score.py'] });
  blob = repo.git('rev-parse', 'HEAD~1:evals/tasks/q1.json').trim();
  mkdirSync(join(repo.dir, 'build'), { recursive: true });
  const command = wiredCommand(repo, 'claude-code');
  run = (c, cwd) =>
    runWired(repo, command, cwd ? withCwd(bash(repo, c), cwd) : bash(repo, c), {
      env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir },
      ...(cwd ? { cwd } : {}),
    });
}, 120_000);

/** The payload as Claude Code sends it from a session whose directory is `cwd`. */
const withCwd = (p: string, cwd: string): string =>
  JSON.stringify({ ...(JSON.parse(p) as object), cwd });

const EX = "':(top,exclude,icase)evals/tasks' ':(top,exclude,glob,icase)evals/**/*.jsonl'";

// [what, refused command, control that passes]
const gitCases = (): [string, string, string][] => [
  ['git diff', 'git diff', 'git diff -- src/'],
  ['git diff REV', 'git diff HEAD~3', `git diff HEAD~1 -- . ${EX}`],
  ['git diff --cached', 'git diff --cached', 'git diff --cached --stat'],
  ['git log -p', 'git log -p', 'git log --oneline'],
  ['git log --stat -p', 'git log --stat -p', 'git log --stat'],
  ['git log -p with a cluster of short options', 'git log -1pw', 'git log -1 --format=%s'],
  ['git show REV of a commit that touched the zone', 'git show HEAD~1', 'git show HEAD~1 -- src'],
  ['git show (HEAD)', 'git show', 'git show --stat'],
  ['git show of a blob id, --stat or not', `git show --stat ${blob}`, 'git show --stat HEAD~1'],
  [
    'git show of a blob id with exclude pathspecs',
    `git show ${blob} -- . ${EX}`,
    `git show HEAD -- . ${EX}`,
  ],
  ['git format-patch', 'git format-patch -1 --stdout', 'git log -1 --format=%H'],
  ['git whatchanged -p', 'git whatchanged -p', 'git whatchanged --oneline --name-only'],
  ['git stash show -p', 'git stash show -p', 'git stash list'],
  ['git diff-tree -p', 'git diff-tree -p HEAD~1 HEAD', 'git diff-tree --name-only HEAD~1 HEAD'],
  ['git grep PATTERN REV', 'git grep question HEAD~1', 'git grep question HEAD~1 -- src'],
  ['git grep over a blob id', `git grep question ${blob} -- src`, 'git grep question HEAD -- src'],
  ['git diff of subtrees', 'git diff HEAD:evals HEAD~1:evals', 'git diff HEAD:src HEAD~1:src'],
  ['git diff of two blob ids', `git diff ${blob} ${blob}`, 'git diff HEAD~1 HEAD -- src'],
  [
    'git cat-file --batch with stdin',
    'echo HEAD:evals/tasks/q1.json | git cat-file --batch',
    'git cat-file --batch-check <<< HEAD',
  ],
  ['git cat-file -p of a blob id', `git cat-file -p ${blob}`, 'git cat-file -p HEAD'],
  [
    'git cat-file with a heredoc',
    'git cat-file --batch <<EOF\nHEAD:evals/tasks/q1.json\nEOF',
    'git cat-file -t HEAD',
  ],
  [
    'git diff --no-index over a zone parent',
    'git diff --no-index src evals',
    'git diff --no-index src build',
  ],
  ['an alias defined elsewhere (git x)', 'git lp', 'git status'],
  ['an alias given with -c', 'git -c alias.x=log x -p', 'git -c color.ui=never log --oneline'],
  ['git -C into a subdirectory', 'git -C evals log -p -- .', 'git -C src log -p -- .'],
  [
    'GIT_PAGER and a pipe',
    'GIT_PAGER=cat git log -p | head',
    'GIT_PAGER=cat git log --oneline | head',
  ],
  [
    'literal pathspecs turn excludes into names',
    `GIT_LITERAL_PATHSPECS=1 git diff -- . ${EX}`,
    `git diff -- . ${EX}`,
  ],
  ['--literal-pathspecs', `git --literal-pathspecs log -p -- . ${EX}`, `git log -p -- . ${EX}`],
  ['a tag naming a blob id', `git tag leak ${blob}`, 'git tag v1 HEAD'],
  ['a note copied from a blob id', `git notes add -C ${blob} HEAD`, 'git notes add -m ok HEAD'],
  [
    'git restore from a blob id or tree',
    `git restore --source=${blob} -- x`,
    'git restore --source=HEAD -- src',
  ],
  ['a variable as git revision', 'R=HEAD~1; git show "$R"', 'git show HEAD~1 -- src'],
  ['git archive of the whole tree', 'git archive HEAD', 'git archive HEAD src'],
  [
    'git blame with pathspec magic',
    "git blame -- ':(icase)EVALS/TASKS/q1.json'",
    'git blame src/app.ts',
  ],
  [
    'git log -p --follow (renames out of a zone)',
    'git log -p --follow -- src/app.ts',
    'git log -p -- src/app.ts',
  ],
  ['a subdirectory session: git diff', 'git diff', 'git diff -- .'],
];

describe(
  'git commands that print content: refused unless their pathspecs leave the zone out',
  {
    timeout: 300_000,
  },
  () => {
    it('each form is refused with the command that would be allowed, and its control passes', () => {
      for (const [what, bad, good] of gitCases()) {
        const cwd = what.startsWith('a subdirectory') ? join(repo.dir, 'src') : undefined;
        const r = run(bad, cwd);
        expect([what, bad, r.code]).toEqual([what, bad, 2]);
        expect(r.stderr).toMatch(/zone "eval-tasks"|alias\.x points git/);
        const c = run(good, cwd);
        expect([what, good, c.code, c.stderr]).toEqual([what, good, 0, '']);
      }
    });

    it('the refusal names an allowed command, and that command passes and prints no zone file', () => {
      const r = run('git log -p');
      const m = /run (git log -p -- .*?)\.$/m.exec(r.stderr);
      expect(m, r.stderr).not.toBeNull();
      expect(run(m![1]!).code).toBe(0);
      const out = repo.git(
        ...(JSON.parse(
          `[${m![1]!
            .split(' ')
            .slice(1)
            .map((w) => JSON.stringify(w.replace(/^'|'$/g, '')))
            .join(',')}]`,
        ) as string[]),
      );
      expect(out).toContain('src/app.ts');
      expect(out).not.toContain('evals/tasks/q1.json');
      expect(out).not.toContain('spider');
    });

    it('Codex and Gemini sessions are judged the same', () => {
      const codex = wiredCommand(repo, 'codex');
      const c = runWired(
        repo,
        codex,
        payload('codex', 'PreToolUse-Bash', repo, (o) => (o.tool_input.command = 'git log -p')),
      );
      expect(c.stdout).toMatch(/"permissionDecision":"deny"/);
      const ok = runWired(
        repo,
        codex,
        payload(
          'codex',
          'PreToolUse-Bash',
          repo,
          (o) => (o.tool_input.command = 'git log --oneline'),
        ),
      );
      expect(ok.stdout).not.toMatch(/deny/);
    });
  },
);

const shellCases: [string, string, string][] = [
  ['cd to a variable', 'D=evals/tasks; cd "$D" && cat q1.json', 'cd src && cat app.ts'],
  ['cd to a command substitution', 'cd $(echo evals)/tasks && cat q1.json', 'cd src && cat app.ts'],
  ['a path from a command substitution', 'cat $(echo evals)/tasks/q1.json', 'cat src/app.ts'],
  [
    'a quoted command substitution',
    'echo "$(cat evals/tasks/q1.json)"',
    'echo "$(cat src/app.ts)"',
  ],
  ['backquotes', 'echo `cat evals/tasks/q1.json`', 'echo `cat src/app.ts`'],
  ['a variable as the file', 'F=evals/tasks/q1.json; cat "$F"', 'cat src/app.ts'],
  ['pushd', 'pushd evals && cat tasks/q1.json', 'pushd src && cat app.ts'],
  ['cd -', 'cd evals/tasks && cd - && cd - && cat q1.json', 'cd src && cat app.ts && cd ..'],
  ['popd', 'pushd evals/tasks; pushd /tmp; popd; cat q1.json', 'pushd src; cat app.ts'],
  [
    'a subshell cd, then a path from the old directory',
    '(cd src); cat evals/tasks/q1.json',
    '(cd src); cat src/app.ts',
  ],
  [
    'a subshell with a cd into the zone',
    '(cd evals/tasks && cat q1.json)',
    '(cd src && cat app.ts)',
  ],
  ['bash -c', "bash -c 'cd evals/tasks && cat q1.json'", "bash -c 'cd src && cat app.ts'"],
  ['sh -c with a variable', 'sh -c "cat $F"', "sh -c 'cat src/app.ts'"],
  ['eval of a variable', 'eval "$CMD"', "eval 'cat src/app.ts'"],
  [
    'a heredoc fed to a shell',
    'bash <<EOF\ncat evals/tasks/q1.json\nEOF',
    "bash -c 'cat src/app.ts'",
  ],
  [
    'a here-string fed to a shell',
    "bash <<< 'cd evals/tasks; cat q1.json'",
    "bash -c 'cat src/app.ts'",
  ],
  ['xargs', 'ls evals/tasks | xargs cat', 'ls src | xargs echo'],
  [
    'find -exec over the repository',
    'find . -name "*.json" -exec cat {} +',
    'find src -name "*.ts" -exec cat {} +',
  ],
  ['a command named by a variable', '$READER evals/tasks/q1.json', 'cat src/app.ts'],
  ['CDPATH', 'CDPATH=evals cd tasks && cat q1.json', 'cd src && cat app.ts'],
  ['a redirection to a variable', 'echo x > "$OUT"', 'echo x > build/out.txt'],
  [
    'a cd to the top level, then into the zone',
    'cd "$(git rev-parse --show-toplevel)/evals/tasks" && cat q1.json',
    'cd "$(git rev-parse --show-toplevel)" && cat src/app.ts',
  ],
  [
    'a pager that runs a command',
    'GIT_PAGER=\'sh -c "cat evals/tasks/q1.json >&2"\' git log',
    'GIT_PAGER=cat git log --oneline',
  ],
  [
    'git -c core.pager=… with a computed path',
    "git -c core.pager='cat $(echo evals)/tasks/q1.json' log",
    'git -c core.pager=cat log',
  ],
  [
    'git config of a textconv that reads a zone',
    "git config diff.x.textconv 'cat evals/tasks/q1.json'",
    'git config diff.x.textconv cat',
  ],
];

describe(
  'paths the shell computes: unknown, refused while a zone exists',
  { timeout: 300_000 },
  () => {
    it('each form is refused and its control passes', () => {
      for (const [what, bad, good] of shellCases) {
        const r = run(bad);
        expect([what, bad, r.code]).toEqual([what, bad, 2]);
        expect(r.stderr).toMatch(/zone "(eval-tasks|training-data)"|cannot read/);
        const c = run(good);
        expect([what, good, c.code, c.stderr]).toEqual([what, good, 0, '']);
      }
    });

    it('the usual commit with a heredoc message still passes', () => {
      const c = run(`git commit -m "$(cat <<'EOF'\nAdd app\n\nMore words.\nEOF\n)"`);
      expect([c.code, c.stderr]).toEqual([0, '']);
    });
  },
);
