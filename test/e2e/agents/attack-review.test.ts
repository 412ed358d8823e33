// Issue 15 (hostile review of 2026-11-30, attacks/agent-*.sh): ways an agent switched
// cleanroom off or read a `read: deny` zone from inside its own session — git's global
// config by its absolute path, shell globs, a link or work tree made earlier in the same
// command line, and pickaxe / blob-id oracles. Each goes through the entry `init
// --agents claude-code` wires, as a Claude Code call, with an ordinary control beside it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  type Run,
  type TestRepo,
  CLI,
} from '../../helpers/repo.js';
import { bash, humanTask, payload, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

let repo: TestRepo;
let home = '';
let hookCommand = '';
let run: (command: string) => Run;
beforeAll(() => {
  repo = repoWithPolicy();
  expect(repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code']).code).toBe(0);
  humanTask(repo);
  repo.write('src/app.ts', 'export const foo = 1;\n');
  repo.write('docs/guide.md', '# guide\n');
  repo.write('NOTES.md', 'notes\n');
  repo.commit('app', { add: ['src/app.ts', 'docs/guide.md', 'NOTES.md'] });
  home = tempDir();
  mkdirSync(join(home, '.config', 'git'), { recursive: true });
  writeFileSync(join(home, '.gitconfig'), '[user]\n\tname = Hana\n');
  hookCommand = wiredCommand(repo, 'claude-code');
  run = (c) => send(bash(repo, c));
}, 120_000);

const send = (input: string): Run =>
  runWired(repo, hookCommand, input, {
    env: { ...repo.env, HOME: home, CLAUDE_PROJECT_DIR: repo.dir, CLAUDECODE: '1' },
  });

/** Each [what, refused, control]: the first is refused (exit 2), the second passes. */
function pairs(cases: [string, string, string][], reason?: RegExp): void {
  for (const [what, bad, good] of cases) {
    it(`${what}: refused, and its control passes`, () => {
      const r = run(bad.replaceAll('$HOME_DIR', home));
      expect([what, r.code]).toEqual([what, 2]);
      if (reason) expect(r.stderr).toMatch(reason);
      const c = run(good.replaceAll('$HOME_DIR', home));
      expect([what, c.code, c.stderr]).toEqual([what, 0, '']);
    });
  }
}

describe('1. git config files outside the repository', { timeout: 180_000 }, () => {
  pairs([
    [
      'the attack: [core] hooksPath appended to $HOME/.gitconfig spelled out',
      "printf '[core]\\n\\thooksPath = /dev/null\\n' >> $HOME_DIR/.gitconfig",
      "printf '[user]\\n\\tname = x\\n' >> build.txt",
    ],
    [
      'the section form in any file (config syntax, case-insensitive)',
      "printf '[Core]\\n\\thookspath=/dev/null\\n' > /tmp/cfg-x",
      "printf '[core]\\n\\teditor = vi\\n' > /tmp/cfg-x",
    ],
  ]);
  // No section text: the path alone is refused.
  pairs(
    [
      ['cp onto the global config', 'cp src/app.ts $HOME_DIR/.gitconfig', 'cp src/app.ts build.ts'],
      ['mv onto the global config', 'mv NOTES.md $HOME_DIR/.gitconfig', 'ls NOTES.md'],
      [
        'tee -a the XDG config',
        'echo x | tee -a $HOME_DIR/.config/git/config',
        'echo x | tee -a out.txt',
      ],
      [
        'sed -i the global config',
        'sed -i s/Hana/x/ $HOME_DIR/.gitconfig',
        'cat $HOME_DIR/.gitconfig',
      ],
      ['a redirection through ~', 'echo x >> ~/.gitconfig', 'cat ~/.gitconfig'],
      ['the system config', 'echo x >> /etc/gitconfig', 'cat /etc/hostname'],
      ['a system config under another prefix', 'cp x /usr/local/etc/gitconfig', 'cp x y'],
    ],
    /git's own config files/,
  );

  it('the Write tool on the global config is refused; on a file beside it, allowed', () => {
    const write = (file: string): Run =>
      send(
        payload('claude-code', 'PreToolUse-Write', repo, (o) => {
          o.tool_input = { file_path: file, content: '[alias]\n\tx = status\n' };
        }),
      );
    expect(write(join(home, '.gitconfig')).code).toBe(2);
    expect(write(join(home, '.config', 'git', 'config')).code).toBe(2);
    const ok = write(join(home, 'notes.txt'));
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });
});

describe('2. globs are expanded as bash expands them', { timeout: 180_000 }, () => {
  pairs([
    ['the attack: .gi?/config', "printf '[x]\\n' >> .gi?/config", "printf '[x]\\n' >> build.cfg"],
    ['.g*/cleanroom', 'rm -rf .g*/cleanroom', 'rm -rf buil?'],
    ['.gi[t]/hooks/*', 'sed -i s/cleanroom/true/ .gi[t]/hooks/*', 'sed -n 1p src/*.ts'],
    ['a glob in a middle segment', 'cat evals/tas*/q1.json', 'cat src/*.ts'],
    ['? in the first segment', 'cat ev?ls/tasks/q1.json', 'cat sr?/app.ts'],
    ['a glob as a copy destination', 'cp src/app.ts evals/tas*/', 'cp src/app.ts doc*/'],
    ['~+ is the current directory', 'cat ~+/evals/tasks/q1.json', 'cat ~+/src/app.ts'],
    ['~+ as a destination', 'cp src/app.ts ~+/evals/tasks/new.ts', 'cp src/app.ts ~+/new.ts'],
    ['~- is unknown', 'cat ~-/evals/tasks/q1.json', 'cat src/app.ts'],
    [
      'a glob in a for list',
      'for f in evals/t*/*; do cat $f; done',
      'for f in src/*; do cat $f; done',
    ],
    ['globstar is not modelled', 'shopt -s globstar; cat **/q1.json', 'ls *.md'],
    ['a glob after a cd', 'cd evals && cat ta*/q1.json', 'cd src && cat *.ts'],
    ['a cd into a glob', 'cd .g* && rm -rf cleanroom', 'cd sr? && cat app.ts'],
    ['a glob inside braces', 'cat evals/{tas*,x}/q1.json', 'ls src/{*.ts,*.js}'],
    // bash's "none of" is [!…] as well as [^…]; picomatch alone reads [!_] as "! or _".
    ['a [!…] class', 'cat evals/[!_]*/q1.json', 'cat sr[!x]/app.ts'],
    ['a [!…] class in the first segment', 'cat [!s]vals/tasks/q1.json', 'cat [!e]rc/app.ts'],
  ]);

  it('controls: ls *.md and grep over src/*.ts, a quoted glob, a glob that matches nothing', () => {
    for (const c of [
      'ls *.md',
      'grep -n foo src/*.ts',
      "find . -name '*.json' -path './src/*'",
      'echo "evals/*"',
      'ls nothing-here-*',
      'ls .*rc',
    ]) {
      const r = run(c);
      expect([c, r.code, r.stderr]).toEqual([c, 0, '']);
    }
  });
});

describe('3. links and work trees made by the same command line', { timeout: 180_000 }, () => {
  pairs([
    [
      'the attack: ln -s into the zone, then read through it',
      'ln -s ../evals/tasks src/x && cat src/x/q1.json',
      'ln -s ../docs src/d && cat src/d/guide.md',
    ],
    ['a link to the directory above the zone', 'ln -s ../evals src/e', 'ln -sf app.ts src/a2.ts'],
    ['a link to the repository root', 'ln -s .. src/root', 'ln -s docs/guide.md g.md'],
    ['a link to .git', 'ln -s ../.git src/g', 'ln -s ../NOTES.md src/n'],
    ['ln -s -f (a flag, not a value)', 'ln -s -f ../evals/tasks src/x', 'ln -s -f ../docs src/d'],
    ['ln -sT', 'ln -s -T ../evals/tasks src/x', 'ln -s -T ../docs src/d'],
    ['cp -f into an ai: deny zone', 'cp -f src/app.ts data/train/', 'cp -f src/app.ts docs/'],
    ['git submodule add of this repository', 'git submodule add ./ sub', 'git submodule status'],
    [
      'git worktree add, then a read',
      'git worktree add -q ../wt2 HEAD && cat ../wt2/evals/tasks/q1.json',
      'git worktree list',
    ],
    ['a local clone', 'git clone -q . ../copy', 'git clone -q https://example.org/x.git ../x'],
    ["cp -r of the zone's parent", 'cp -r evals /tmp/e', 'cp -r docs /tmp/d'],
  ]);

  it('an absolute link target into the zone is refused', () => {
    const r = run(`ln -s ${join(repo.dir, 'evals', 'tasks')} src/t`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/symbolic link/);
  });
});

describe('4. pickaxe and blob-id oracles', { timeout: 180_000 }, () => {
  const EX = "':(top,exclude,icase)evals/tasks' ':(top,exclude,glob,icase)evals/**/*.jsonl'";
  pairs([
    ['git log -S', "git log --oneline -S'how many legs'", `git log --oneline -S'legs' -- . ${EX}`],
    ['git log -G', "git log --oneline -G'how many l'", "git log --oneline -G'foo' -- src"],
    ['git log --find-object', 'git log --oneline --find-object=abc1234', 'git log --oneline'],
    [
      'git log --pickaxe-all',
      'git log -Sx --pickaxe-all --oneline',
      'git log --stat --oneline -- src',
    ],
    ['git diff -S over history', 'git diff --stat -Slegs HEAD~2', 'git diff --stat HEAD~2'],
    ['git log --raw (blob ids)', 'git log --raw', 'git log --raw -- src'],
    ['git ls-files -s', 'git ls-files -s evals', 'git ls-files -s src'],
    ['git ls-files --stage', 'git ls-files --stage', 'git ls-files'],
    ['git ls-tree with ids', 'git ls-tree -r HEAD', 'git ls-tree --name-only -r HEAD'],
    [
      'git diff-tree prints raw ids',
      'git diff-tree -r HEAD~1',
      'git diff-tree --name-only -r HEAD~1',
    ],
    ['git rev-list --objects', 'git rev-list --objects --all', 'git rev-list --all'],
    [
      'cat-file --batch-all-objects',
      'git cat-file --batch-all-objects --batch-check',
      'git cat-file -t HEAD',
    ],
    [
      'hash-object of paths from input',
      'git ls-files evals | git hash-object --stdin-paths',
      'echo guess | git hash-object --stdin',
    ],
    [
      'hash-object of a zone file',
      'git hash-object evals/tasks/q1.json',
      'git hash-object src/app.ts',
    ],
  ]);
});

describe("5. cleanroom's own installation and its V8 code cache", { timeout: 180_000 }, () => {
  // A code-cache file is code (V8 checks only the source's length): one compiled from a
  // same-length edit of the bundle and planted in the cache would run as the hook itself.
  const dist = dirname(CLI);
  pairs(
    [
      [
        'the attack: a planted code cache',
        'cp src/app.ts $HOME_DIR/.cache/cleanroom/v8-x/agent-hook-x.v8',
        'cp src/app.ts $HOME_DIR/.cache/other.v8',
      ],
      ['the cache removed', 'rm -rf $HOME_DIR/.cache/cleanroom', 'rm -rf build'],
      [
        'the bundle the hooks run',
        `cp src/app.ts ${dist}/agent-hook-main.cjs`,
        'cp src/app.ts build.cjs',
      ],
      [
        'a shim the hooks exec',
        `echo 'exit 0' > ${join(dirname(dist), 'hooks', 'commit-msg')}`,
        "echo 'exit 0' > build.sh",
      ],
    ],
    /cleanroom's own installation or its code cache/,
  );

  it('the Write tool into the code cache is refused; beside it, allowed', () => {
    const write = (file: string): Run =>
      send(
        payload('claude-code', 'PreToolUse-Write', repo, (o) => {
          o.tool_input = { file_path: file, content: 'x' };
        }),
      );
    expect(write(join(home, '.cache', 'cleanroom', 'v8-x', 'cleanroom-hook-x.v8')).code).toBe(2);
    const ok = write(join(home, '.cache', 'notes.txt'));
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });
});

describe(
  '6. what bash and the tools read that the words did not say (ninth pass)',
  {
    timeout: 180_000,
  },
  () => {
    pairs([
      [
        'git grep with a glob pathspec (git\'s * crosses "/")',
        "git grep -n x -- '*.json'",
        "git grep -n x -- 'src/*.ts'",
      ],
      ['git grep with a magic pathspec', "git grep x -- ':(top)evals'", 'git grep x -- src'],
      ['git grep below git -C', 'git -C src grep x -- ../evals', 'git -C src grep x'],
      [
        'a $(…) in an unquoted heredoc body runs',
        'cat <<EOF\n$(cat evals/tasks/q1.json)\nEOF',
        "cat <<'EOF'\n$(cat evals/tasks/q1.json)\nEOF",
      ],
      [
        'backquotes in a heredoc body, single quotes are no quoting there',
        "cat <<EOF\n'`cat evals/tasks/q1.json`'\nEOF",
        'cat <<EOF\n`cat src/app.ts`\nEOF',
      ],
      [
        'a write from a heredoc body',
        'cat > build.txt <<EOF\n$(echo 1 > evals/tasks/new.json)\nEOF',
        'cat > build.txt <<EOF\n$(echo 1 > build2.txt)\nEOF',
      ],
      ['xargs -a reads its file', 'xargs -a evals/tasks/q1.json echo', 'xargs -a NOTES.md echo'],
      [
        'xargs --arg-file=',
        'xargs --arg-file=evals/tasks/q1.json echo',
        'xargs --arg-file=NOTES.md echo',
      ],
      ['a line continuation inside a word', 'cat ev\\\nals/tasks/q1.json', 'cat sr\\\nc/app.ts'],
      [
        'a value glued to a short option (write)',
        'sort -oevals/tasks/q9.json src/app.ts',
        'sort -obuild.txt src/app.ts',
      ],
      [
        'a value glued to a short option (read)',
        'tar -cf /dev/null -Tevals/tasks/q1.json',
        'tar -cf /dev/null -TNOTES.md',
      ],
    ]);

    it('a file:// URL names a local file', () => {
      expect(run(`curl -s file://${repo.dir}/evals/tasks/q1.json`).code).toBe(2);
      expect(run(`curl -s file://${repo.dir}/src/app.ts`).code).toBe(0);
    });
  },
);
