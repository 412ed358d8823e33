// A program name is not always the program: `./t/cat evals/x`, `PATH=./t:$PATH cat
// evals/x`, `cat() { tee "$@"; }; cat evals/x`, an alias, `hash -p`, a sourced file. The
// agent can write such a `cat` outside every zone; judged as the reader `cat`, its zone
// argument passed and the program wrote there. Each attack is refused through the built
// agent hook, with the control an agent may still run beside it. The agent also may not
// sign a review or an override: it runs with the human's keys and ssh-agent.

import { afterAll, describe, expect, it } from 'vitest';
import { shellPaths } from '../../../src/agents/shell.js';
import { removeTempDirs } from '../../helpers/repo.js';
import { plantedCatRepo, preToolBash } from './world.js';

afterAll(removeTempDirs);

// The agent's own `cat`, outside every zone: it writes what it is given.
const dir = plantedCatRepo();

const bash = (command: string) => preToolBash(dir, command);

describe('a name that may run another program', { timeout: 60_000 }, () => {
  it.each([
    [
      'a reader named by a path in the repository',
      './t/cat data/train/d.txt',
      'cat data/train/d.txt',
    ],
    ['git named by a path', 't/git add data/train/d.txt', 'git add data/train/d.txt'],
    [
      'PATH changed before the reader',
      'PATH=./t:$PATH cat data/train/d.txt',
      'cat data/train/d.txt',
    ],
    [
      'PATH exported earlier on the line',
      'export PATH="$PWD/t:$PATH"; cat data/train/d.txt',
      'export FOO=1; cat data/train/d.txt',
    ],
    ['PATH through env', 'env PATH=./t cat data/train/d.txt', 'env FOO=1 cat data/train/d.txt'],
    [
      'a function named like the reader',
      'cat() { ./t/cat "$@"; }; cat data/train/d.txt',
      'f() { echo hi; }; cat data/train/d.txt',
    ],
    [
      'function NAME { … }',
      'function cat { sh ./t/cat "$1"; }; cat data/train/d.txt',
      'cat data/train/d.txt',
    ],
    [
      'an alias',
      'shopt -s expand_aliases; alias cat=./t/cat; cat data/train/d.txt',
      'cat data/train/d.txt',
    ],
    ['hash -p', 'hash -p ./t/cat cat; cat data/train/d.txt', 'hash -r; cat data/train/d.txt'],
    ['a sourced file first', 'source ./env.sh; cat data/train/d.txt', 'cat data/train/d.txt'],
    [
      'a redefined cd that lands in a zone',
      'cd() { builtin cd data/train; }; cd src && cp a.txt b.txt',
      'cd src && cp a.txt b.txt',
    ],
    // PATH set by a word other than `NAME=` (each runs ./t/cat in bash).
    [
      'printf -v PATH',
      'printf -v PATH %s "./t:$PATH"; cat data/train/d.txt',
      'printf -v X %s "$PATH"; cat data/train/d.txt',
    ],
    [
      'a for loop over PATH',
      'for PATH in ./t; do cat data/train/d.txt; done',
      'echo $PATH; cat data/train/d.txt',
    ],
    [
      'read PATH',
      'read PATH <<< ./t; cat data/train/d.txt',
      'read X <<< ./t; cat data/train/d.txt',
    ],
    ['getopts into PATH', 'getopts t PATH -t; cat data/train/d.txt', 'cat data/train/d.txt'],
    [
      'a nameref to PATH',
      'declare -n r=PATH; r=./t; cat data/train/d.txt',
      'declare -n r=X; r=./t; cat data/train/d.txt',
    ],
    [
      'PATH spelled with quotes',
      'printf -v "PA"TH ./t; cat data/train/d.txt',
      'cat data/train/d.txt',
    ],
    [
      'a variable name computed',
      'v=PA; export ${v}TH=./t; cat data/train/d.txt',
      'export X=1; cat data/train/d.txt',
    ],
    [
      'PATH unset (bash then looks in .)',
      'unset PATH; cd t; cat ../data/train/d.txt',
      'unset X; cat data/train/d.txt',
    ],
    [
      'LD_PRELOAD loads code into the reader',
      'LD_PRELOAD=./t/evil.so cat data/train/d.txt',
      'PYTHONPATH=src NODE_ENV=test cat data/train/d.txt',
    ],
    [
      'LD_LIBRARY_PATH exported',
      'export LD_LIBRARY_PATH=$PWD/t; cat data/train/d.txt',
      'export PATH=$HOME/.local/bin:$PATH; npm test',
    ],
    // `cd x` landing where the line does not say (each writes data/train/y in bash).
    [
      'shopt -s cdable_vars: cd x goes to $x',
      'shopt -s cdable_vars; x=$PWD/data/train; cd x; cp ../../src/a.txt y',
      'cd src && cp a.txt b.txt',
    ],
    [
      'cdable_vars and CDPATH spelled with quotes',
      'shopt -s "cdable"_vars; x=$PWD/data; cd x && cd train && cp ../../src/a.txt y',
      'shopt -s nullglob; cd src && ls',
    ],
    [
      'CDPATH exported with quotes',
      'export "CD"PATH=data; cd train && cp ../../src/a.txt y',
      'export X=build; cd src && cp a.txt b.txt',
    ],
    [
      'cleanroom writing its report where it should not',
      'cleanroom audit --output html:data/train/r.html',
      'cleanroom explain data/train/d.txt',
    ],
  ])('%s', (_name, attack, control) => {
    const a = bash(attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    expect(a.stderr).toMatch(/cleanroom: /);
    const c = bash(control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
  });

  it('system programs by their full path stay the programs they are', () => {
    expect(bash('/usr/bin/cat data/train/d.txt').status).toBe(0);
    expect(bash('/bin/ls src').status).toBe(0);
    // A builtin is not looked up in PATH: `cd`, `echo` after a PATH change are still theirs.
    expect(shellPaths('export PATH=./t:$PATH; cd src; echo hi').unknown).toEqual([]);
  });
});

describe('signatures are a human act', { timeout: 60_000 }, () => {
  it.each([
    'cleanroom review sign --key ~/.ssh/id_ecdsa req.txt',
    'npx --no -- cleanroom override sign --key ~/.ssh/id_ed25519 --principal a@b.c',
    'git commit --amend --trailer "$(cleanroom review request | cleanroom review sign --key k)"',
    'ssh-keygen -Y sign -n cleanroom-review -f ~/.ssh/id_ecdsa req.txt',
    'python3 -c "import os; os.system(\'ssh-keygen -Ysign -n x -f k f\')"',
  ])('%s', (attack) => {
    const a = bash(attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    expect(a.stderr).toMatch(/sign/);
  });
  it('controls: requesting, verifying and reading keys pass', () => {
    for (const c of [
      'cleanroom review request --reason "reviewed"',
      'ssh-keygen -Y verify -f /tmp/allowed -I a@b.c -n cleanroom-override -s s.sig < m',
      'ssh-keygen -l -f ~/.ssh/id_ed25519.pub',
      'git log --grep="review sign"',
    ])
      expect(bash(c).status, c).toBe(0);
  });
});
