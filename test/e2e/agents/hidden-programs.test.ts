// Command lines that run a program, or a command line, the reader did not see as such:
// `exec -a cat ./t/cat …` (a wrapper's option value read as the command name), `env -S
// 'tee evals/x'` (a command line in an option), `trap '…' EXIT` and `alias ll='…'` (a
// command line bash runs later), `… | xargs cp` (a writer whose words come from a pipe),
// `bash /dev/stdin <<< '…'` (a shell reading its program from its input by another name),
// `awk -f /dev/stdin <<< '…'` (a program text given as input). Each attack is refused
// through the built agent hook, and is shown to really write into the deny zone when bash
// runs it (so the test cannot pass on a command that does nothing); the control beside it
// is one an agent may still run.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, POLICY, removeTempDirs } from '../../helpers/repo.js';
import { plantedCatRepo, preToolBash } from './world.js';

afterAll(removeTempDirs);

const scratch = plantedCatRepo;

const hook = (dir: string, command: string) => preToolBash(dir, command);

/** What data/train holds after bash ran `command` in `dir`: names and contents. */
function zoneAfter(dir: string, command: string): string {
  spawnSync('bash', ['-c', command], { cwd: dir, input: '', timeout: 20_000, env: cleanEnv() });
  const zone = join(dir, 'data', 'train');
  return readdirSync(zone)
    .sort()
    .map((f) => `${f}:${readFileSync(join(zone, f), 'utf8').trim()}`)
    .join(' ');
}

describe('a program or command line the reader did not see', { timeout: 60_000 }, () => {
  it.each([
    [
      'exec -a NAME: the value is not the program',
      'exec -a cat ./t/cat data/train/d.txt',
      'exec -a foo ls src',
    ],
    [
      'a value-taking letter last in a cluster',
      'exec -la cat ./t/cat data/train/d.txt',
      'exec ls src',
    ],
    [
      'xargs -I in a cluster',
      'echo x | xargs -tI echo ./t/cat data/train/d.txt',
      'echo x | xargs -0 -I {} echo {}',
    ],
    [
      'an xargs long option by its prefix',
      'echo data/train/d.txt | xargs --process-slot-var echo ./t/cat',
      'echo src/a.txt | xargs -n1 echo',
    ],
    ['env -S: a command line in an option', "env -S 'tee data/train/x'", 'env FOO=1 ls src'],
    ['env -S glued in a cluster', "env -vS'./t/cat data/train/d.txt'", "env -S 'ls src'"],
    ['env --split-string by a prefix', "env --spl='tee data/train/x'", 'env --chdir=src ls'],
    [
      'a trap runs its string later',
      "trap 'tee data/train/x < src/a.txt' EXIT",
      "trap 'rm -f /tmp/cleanroom-none' EXIT; ls src",
    ],
    [
      'a DEBUG trap after --',
      "trap -- 'cp src/a.txt data/train/x' DEBUG; true",
      'trap - DEBUG; true',
    ],
    [
      "an alias's value",
      "shopt -s expand_aliases; alias ll='tee data/train/x'\nll < src/a.txt",
      "alias ll='ls -l'; ls src",
    ],
    [
      'xargs gives a copy its destination',
      'echo src/a.txt data/train/x | xargs cp',
      'find src -name "*.o" | xargs rm -f',
    ],
    ['xargs moves', 'echo src/a.txt data/train/x | xargs mv', 'echo src/a.txt | xargs echo'],
    [
      'xargs hands a shell its command line',
      "echo './t/cat data/train/d.txt' | xargs -I{} sh -c {}",
      'echo hi | xargs -I{} echo {}',
    ],
    [
      'a shell reads its program from /dev/stdin',
      "bash /dev/stdin <<< 'echo pwn > data/train/x'",
      "bash -c 'ls src'",
    ],
    [
      'source /dev/stdin',
      "source /dev/stdin <<< 'echo pwn > data/train/x'",
      'source .venv/bin/activate && pytest tests/',
    ],
    [
      'source of a process substitution',
      ". <(echo 'echo pwn > data/train/x')",
      'diff <(sort src/a.txt) <(sort src/a.txt)',
    ],
    [
      'an interpreter reads its program from a descriptor',
      "python3 /dev/fd/3 3<<'EOF'\nopen('data/train/x', 'w').write('p')\nEOF",
      "python3 -c 'print(1)'",
    ],
    [
      'a program text given as input',
      `awk -f /dev/stdin <<< 'BEGIN { print "x" > "data/train/x" }'`,
      'awk -f tools/sum.awk src/a.txt',
    ],
  ])('%s', (_name, attack, control) => {
    const dir = scratch();
    const a = hook(dir, attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    expect(a.stderr).toMatch(/cleanroom: /);
    const c = hook(dir, control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
    // The attack is real: bash run on it changes what the deny zone holds.
    expect(zoneAfter(dir, attack)).not.toBe('d.txt:d');
  });

  it.each([
    ['sort -o', 'sort -o data/train/x src/a.txt', 'sort -t, -k2 src/a.txt | uniq -c'],
    ['sort -o in a cluster', 'sort -uo data/train/x src/a.txt', 'sort -u src/a.txt'],
    ['sort --output by a prefix', 'sort --o=data/train/x src/a.txt', 'sort data/train/d.txt'],
    ['uniq IN OUT', 'uniq src/a.txt data/train/x', 'uniq -c src/a.txt'],
    ['xxd IN OUT', 'xxd src/a.txt data/train/x', 'xxd -l 16 src/a.txt'],
    ['git log --output', 'git log -p --output=data/train/x -1 -- src', 'git log -p -1 -- src'],
    [
      'git archive -o',
      'git archive -o data/train/x.tar HEAD src',
      'git archive -o /tmp/cleanroom-x.tar HEAD src',
    ],
    [
      'git interpret-trailers --in-place',
      "git interpret-trailers --in-place --trailer 'x: y' data/train/d.txt",
      "git interpret-trailers --trailer 'x: y' data/train/d.txt",
    ],
    ['git grep -O runs a program', "git grep -O./t/cat -e '^d$'", 'git grep -e d -- src'],
  ])('a reader that writes: %s', (_name, attack, control) => {
    const dir = scratch();
    const a = hook(dir, attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    const c = hook(dir, control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
    expect(zoneAfter(dir, attack)).not.toBe('d.txt:d');
  });

  const py = `python3 -c 'import os; open(os.environ["OUT"], "w").write("p")'`;
  it.each([
    ['a prefix assignment', `OUT=data/train/x ${py}`, `OUT=build/x PYTHONPATH=src ${py}`],
    [
      'an export earlier on the line',
      `export OUT=data/train/x; ${py}`,
      'export NODE_ENV=test; ls src',
    ],
    [
      'an assignment exported later',
      `OUT=data/train/x; export OUT; ${py}`,
      'LC_ALL=C sort src/a.txt',
    ],
    [
      'GIT_TRACE names the file git writes',
      'GIT_TRACE=$ROOT/data/train/x git status',
      'GIT_TRACE=1 git status',
    ],
  ])("a variable's value: %s", (_name, attack, control) => {
    const dir = scratch();
    const a = hook(dir, attack.replace('$ROOT', dir));
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    const c = hook(dir, control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
    expect(zoneAfter(dir, attack.replace('$ROOT', dir))).not.toBe('d.txt:d');
  });

  it('a here-document given to a reader stays data', () => {
    const dir = scratch();
    const c = hook(dir, "cat > src/notes.txt <<'EOF'\nsee data/train/d.txt\nEOF");
    expect(c.status, c.stderr).toBe(0);
  });
});

// The agent marker (`CLAUDECODE=1`) emptied by a word other than `NAME=`: an empty marker
// is no marker (`${CLAUDECODE:+claude-code}`), and the commit would carry no provenance.
describe('the agent marker set by another word', { timeout: 60_000 }, () => {
  const commit = 'git commit --allow-empty -m x';
  it.each([
    ["env -S '-u CLAUDECODE …'", "env -S '-u CLAUDECODE CMD'"],
    ['printf -v', "printf -v CLAUDECODE ''; CMD"],
    ['printf -vNAME', "printf -vCLAUDECODE ''; CMD"],
    ['read', "read CLAUDECODE <<< ''; CMD"],
    ['a for loop', "for CLAUDECODE in ''; do CMD; done"],
    ['a nameref', 'declare -n r=CLAUDECODE; r=; CMD'],
  ])('%s', (_name, attack) => {
    const dir = scratch();
    const a = hook(dir, attack.replace('CMD', commit));
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    expect(a.stderr).toMatch(/CLAUDECODE/);
    // Real: the program run after it sees no marker.
    const run = spawnSync('bash', ['-c', attack.replace('CMD', 'printenv CLAUDECODE')], {
      cwd: dir,
      env: { ...cleanEnv(), CLAUDECODE: '1' },
      encoding: 'utf8',
    });
    expect(run.stdout.trim()).toBe('');
  });

  it('controls: reading the marker and printing its name pass', () => {
    const dir = scratch();
    for (const c of [
      `echo $CLAUDECODE; ${commit}`,
      "printf '%s\\n' CLAUDECODE",
      `for f in src/*; do echo $f; done`,
      "env -S 'ls src'",
    ])
      expect(hook(dir, c).status, c).toBe(0);
  });
});

// `find . -exec PROG {}`: PROG gets names only find computes. With no `read: deny` zone
// the search of `.` is allowed, and a writer run on what it finds wrote into the zone.
describe('find -exec hands a writer the names it finds', { timeout: 60_000 }, () => {
  const writeOnly = POLICY.replace('    read: deny\n', '');
  it.each([
    [
      "find . -path '*ain/d.txt' -exec cp src/a.txt {} \\;",
      "find . -name '*.pyc' -exec rm -f {} +",
    ],
    ["find . -path '*ain/d.txt' -exec ./t/cat {} +", "find . -name '*.py' -exec grep -l foo {} +"],
    [
      "find . -path '*ain/d.txt' -execdir sh -c 'cp ../../src/a.txt \"$0\"' {} \\;",
      'find src -type f -exec wc -l {} +',
    ],
    [
      "find . -path '*ain/d.txt' -exec sort -o {} src/a.txt \\;",
      "find . -name '*.txt' -exec sort {} +",
    ],
  ])('%s', (attack, control) => {
    const dir = scratch(writeOnly);
    const a = hook(dir, attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    const c = hook(dir, control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
    expect(zoneAfter(dir, attack)).not.toBe('d.txt:d');
  });
});
