// Bypasses found by a hostile review of the agent hook, each refused through the built
// entry that `init --agents` wires, with a control beside it that an agent may run.

import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';
import { preToolBash } from './world.js';

afterAll(removeTempDirs);

const repo = repoWithPolicy({ init: false });
repo.write('evals/tasks/q1.json', '{}\n').write('src/a.txt', 'a\n');
repo.git('add', '-A');
repo.git('commit', '-q', '--no-verify', '-m', 'content');

const bash = (command: string) => preToolBash(repo.dir, command);

describe('the agent hook refuses what the hostile review got through', { timeout: 60_000 }, () => {
  it.each([
    [
      'dd writes into a zone through of=',
      'dd if=/tmp/p of=evals/tasks/q.json',
      'dd if=/tmp/p of=src/q.json',
    ],
    ['dd reads a read: deny zone through if=', 'dd if=evals/tasks/q1.json', 'dd if=src/a.txt'],
    [
      'a program text opens a zone file',
      `python3 -c 'print(open("evals/tasks/q1.json").read())'`,
      `python3 -c 'print(open("src/a.txt").read())'`,
    ],
    [
      'a here-string feeds a zone blob to cat-file',
      'git cat-file --batch <<< HEAD:evals/tasks/q1.json',
      'git cat-file --batch <<< HEAD:src/a.txt',
    ],
    ['unzip into a parent of a zone', 'unzip -o /tmp/p.zip -d evals', 'unzip -o /tmp/p.zip -d src'],
    [
      'HOME points git at a global config with another hooksPath',
      'HOME=/tmp/h git commit -m x',
      'git commit -m x',
    ],
    ['XDG_CONFIG_HOME likewise', 'XDG_CONFIG_HOME=/tmp/h git commit -m x', 'git status'],
    [
      'committing through another repository',
      'git --git-dir=/tmp/o.git --work-tree=. commit -qm data',
      'git -C src status',
    ],
    [
      'pushing a stash commit (made without the commit hooks)',
      "git push origin 'stash@{0}^2:refs/heads/main'",
      'git push origin main',
    ],
    [
      '--no-ve, a prefix git may take for --no-verify',
      'git commit --no-ve -m x',
      'git commit -m x',
    ],
    [
      'a trailer alias that writes Reviewed-by',
      'git -c trailer.rb.key=Reviewed-by commit -m x --trailer rb=Hana',
      'git -c user.name=Hana commit -m x',
    ],
    [
      'a program piped into a shell (decoded at run time)',
      'echo Z2l0IGNvbW1pdCAtLW5vLXZlcmlmeQ== | base64 -d | sh',
      'echo hi | cat',
    ],
    [
      'a here-document run by bash',
      'bash <<EOF\ngit commit --no-verify -m x\nEOF',
      'bash scripts/none.sh',
    ],
    ['eval of a computed string', 'eval "$(printf x)"', 'eval echo hi'],
    [
      // A quadratic regex on a long run of path characters kept the hook busy for minutes,
      // past the hosts' hook timeout (some then let the write through).
      'a 200,000-character word before a write into a zone',
      `echo ${'-'.repeat(200_000)}x > evals/tasks/q.json`,
      `echo ${'-'.repeat(200_000)}x > src/q.json`,
    ],
    [
      'pushing a bare commit id',
      'git push origin 1a2b3c4d5e6f:refs/heads/main',
      'git push origin HEAD',
    ],
  ])('%s', (_name, attack, control) => {
    const a = bash(attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    const c = bash(control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
  });
});
