// A program read from standard input hides every word from the reader (`echo <base64> |
// base64 -d | bash`). The refusal held for a few spellings only; these are the others the
// eleventh (hostile) review used, and the kind: a shell by any name or path, behind any
// wrapper, with any options but no script; programs that run their input through a shell
// (`sed e`, `script`, `parallel`). Judged through bypassReason, which refuses what
// segments() marks; shellPaths for what decide.ts judges.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bypassReason } from '../../../src/agents/bypass.js';
import { sedExecutes, segments, shellPaths } from '../../../src/agents/shell.js';

const why = (command: string) => bypassReason(command, { cwd: '/nonexistent' });
const FROM_INPUT = /would run a program read from its input, which cleanroom cannot read/;

describe('a shell reading its program from its input, by any spelling', () => {
  it.each([
    '/bin/bash',
    '/usr/bin/bash',
    '/usr/bin/env bash',
    'env bash',
    'bash -o posix',
    'bash +x',
    'bash -O extglob',
    'bash -euo pipefail',
    'bash --norc --noprofile',
    'bash -',
    'bash -s -- a b',
    'bash -o posix -s',
    'setsid bash',
    'setsid -f /bin/sh',
    'chrt 10 bash',
    'chrt -f 5 bash',
    'taskset -c 0 bash',
    'taskset 0x1 bash',
    'flock /tmp/l bash',
    'flock -w 5 /tmp/l sh',
    'unshare -r bash',
    'strace -f -o /tmp/o bash',
    'ltrace -o /tmp/o sh',
    'nice -n 5 ionice -c3 bash -o posix',
    'nohup /bin/sh',
    'timeout 5 /bin/dash',
    'stdbuf -oL zsh',
    'command bash',
    'exec -a x /bin/bash',
    'sudo -u me bash',
    'sudo -s',
    'doas sh',
    'time bash',
    '/usr/bin/time -o /tmp/t bash',
    'xargs -0 bash -o posix',
    'rbash',
    'bash5.2',
    'mksh',
    'ksh93',
    'dash -e',
    'zsh -f',
    'yash',
    'fish',
    'busybox sh',
    '/bin/busybox ash',
    'toybox sh',
    'script -q /dev/null',
    'script',
    'su',
    'sed e',
    'sed -n e',
    "sed 's/.*/&/e'",
    "sed -e 1d -e 's/x/y/ge'",
    "sed '/^#/!e'",
    'sed -f -',
    'parallel',
    'parallel -j4',
    'parallel :::: /tmp/cmds',
    '/usr/bin/python3',
    'python3.12',
    'python3 -W ignore',
    'python3 -u -',
    'env node',
    'setsid perl -w',
    'bash /dev/stdin',
    'bash -o posix /dev/stdin',
  ])('echo <base64> | base64 -d | %s', (program) => {
    const command = `echo ZWNobyBoaQ== | base64 -d | ${program}`;
    expect(why(command), command).toMatch(FROM_INPUT);
  });

  it.each([
    'bash script.sh',
    '/bin/bash script.sh',
    'bash -o posix script.sh',
    'bash -O extglob -e script.sh',
    'setsid bash script.sh',
    "bash -c 'npm test'",
    "/usr/bin/env bash -c 'npm test'",
    "sh -c 'echo hi'",
    'python3 x.py',
    'python3 -m pytest',
    'python3 -W ignore x.py',
    'command -v bash',
    'sed s/a/b/ file.txt',
    "sed -e 's/e/E/g' -e '/x/d' file.txt",
    "sed -n '/begin/,/end/p' file.txt",
    "sed 's/x/y/w out.txt' file.txt",
    "script -qc 'npm test' /dev/null",
    'parallel gzip ::: a.txt b.txt',
    'timeout 5 npm test',
    'nice -n 5 make',
  ])('%s is judged as before', (command) => {
    expect(why(command), command).toBeUndefined();
  });

  it('reads what a shell given its program in other ways runs', () => {
    // `-c` is not always the last option of its word, nor followed by the string.
    for (const command of [
      "bash -Ec 'echo x > evals/tasks/q.json'",
      "bash -c -x 'echo x > evals/tasks/q.json'",
      "bash -o posix -c 'echo x > evals/tasks/q.json'",
      "/usr/bin/env bash -c 'echo x > evals/tasks/q.json'",
      "setsid sh -c 'echo x > evals/tasks/q.json'",
      "flock /tmp/l -c 'echo x > evals/tasks/q.json'",
      "script -qc 'echo x > evals/tasks/q.json' /dev/null",
      "su -c 'echo x > evals/tasks/q.json'",
      "parallel 'echo {} > evals/tasks/q.json' ::: a",
      "parallel ::: 'echo x > evals/tasks/q.json'",
      "watch -n1 'echo x > evals/tasks/q.json'",
      "fish -c 'echo x > evals/tasks/q.json'",
      "busybox sh -c 'echo x > evals/tasks/q.json'",
      '/bin/bash -o posix <<EOF\necho x > evals/tasks/q.json\nEOF',
      'sed e <<EOF\necho x > evals/tasks/q.json\nEOF',
    ])
      expect(shellPaths(command).written, command).toContain('evals/tasks/q.json');
  });

  it('marks the stand-in segment and nothing else', () => {
    const segs = segments('echo x | /usr/bin/env bash -o posix');
    expect(segs.filter((s) => s.stdinProgram).map((s) => s.cmd)).toEqual(['bash']);
    expect(segments('bash script.sh').some((s) => s.stdinProgram)).toBe(false);
  });
});

describe('sedExecutes', () => {
  it.each([
    ['e', true],
    ['e ls', true],
    ['1e', true],
    ['$!e', true],
    ['/x/e', true],
    ['s/a/b/e', true],
    ['s|a|b|ge', true],
    ['s/a/b/;e', true],
    ['{e}', true],
    ['s/e/E/g', false],
    ['/e/d', false],
    ['a echo', false],
    ['s/a/b/w e', false],
    ['y/abe/xyz/', false],
    ['\\,e,d', false],
    ['b end; :end', false],
  ])('%s → %s', (script, runs) => {
    expect(sedExecutes(script)).toBe(runs);
  });
});

describe('git commands whose pathspecs do not limit what they print', () => {
  const refuse = (command: string) => shellPaths(command).gitReads.map((g) => g.refuse);
  it.each([
    ['git log -p --full-diff -- src', /--full-diff/],
    ['git show --full-diff HEAD -- src/app.py', /--full-diff/],
    ['git log --full-diff --raw -- src', /--full-diff/],
    ['git whatchanged --full-diff -- src', /--full-diff/],
    ["printf 'HEAD\\n--\\nevals\\n' | git log -p --stdin -- src", /--stdin/],
    ['git show --stdin -- src', /--stdin/],
    ['git diff-tree --stdin -p -- src', /--stdin/],
    ['git diff-tree --stdin -r', /--stdin/],
  ])('%s', (command, reason) => {
    expect(refuse(command)[0], command).toMatch(reason);
  });

  it.each([
    'git log -p -- src',
    'git show HEAD -- src/app.py',
    'git log --stdin',
    'git log --oneline',
  ])('%s is judged as before', (command) => {
    for (const r of refuse(command)) expect(r, command).toBeUndefined();
  });
});

describe("variables that choose the programs git's hooks run", () => {
  const hooked =
    /is changed for a git command that runs hooks: it changes the programs those hooks run/;
  it.each([
    'PATH=/tmp/evil:$PATH git commit -qm x',
    'env PATH=/tmp/evil git commit -m x',
    '/usr/bin/env PATH=/tmp/evil git push',
    'export PATH=/tmp/evil:$PATH; git commit -m x',
    'PATH=/tmp/evil; git merge topic',
    'declare -x PATH=/tmp/evil && git rebase main',
    'read PATH <<< /tmp/evil; git commit -m x',
    'env -u PATH git commit -m x',
    'LD_PRELOAD=/tmp/x.so git commit -m x',
    'NODE_OPTIONS="--require /tmp/x.js" git commit -m x',
    'BASH_ENV=/tmp/x git am mail',
    'source /tmp/env.sh && git commit -m x',
    '. ./env && git cherry-pick abc',
    "PATH=/tmp/evil bash -c 'git commit -m x'",
    'PATH=/tmp/evil git ci -m x',
    'export -f node; git commit -m x',
  ])('%s', (command) => {
    expect(why(command), command).toMatch(hooked);
  });

  it.each([
    'PATH=$PATH:./node_modules/.bin npm test',
    'PATH=$PATH:./node_modules/.bin npm test && git commit -m x',
    'PATH=/tmp/x git status',
    'export PATH=$PATH:/opt/bin; npm test',
    'git commit -m "fix PATH handling"',
    'git log --grep=PATH',
  ])('%s is allowed', (command) => {
    expect(why(command), command).toBeUndefined();
  });
});

describe('archives and searches rooted above the repository', () => {
  it.each([
    ['grep -r HELDOUT ..', '..'],
    ['rg HELDOUT ..', '..'],
    ['find .. -name "*.json" -exec cat {} +', '..'],
    ['cp -r .. /tmp/c', '..'],
    ['rsync -a ../ /tmp/c', '../'],
    ['zip -r /tmp/a.zip ..', '..'],
    ['zip -qr /tmp/a.zip ../repo', '../repo'],
    ['tar -czf /tmp/a.tgz ..', '..'],
    ['tar czf /tmp/a.tgz ..', '..'],
    ['tar -cf /tmp/a.tar -C .. repo', '../repo'],
    ['7z a /tmp/a.7z ..', '..'],
  ])('%s reads %s whole', (command, dir) => {
    expect(shellPaths(command).searched, command).toContain(dir);
  });

  it('the home directory is read whole by `grep -r X ~`', () => {
    const home = process.env.HOME;
    if (!home?.startsWith('/')) return;
    expect(shellPaths('grep -r HELDOUT ~', undefined, '/tmp').searched).toContain(home);
  });

  it('an extraction or a zip of named files is not a directory read', () => {
    expect(shellPaths('tar -xzf a.tgz').searched).toEqual([]);
    expect(shellPaths('zip a.zip f.txt').searched).toEqual([]);
  });
});

// The second review: programs that are not shells nor python/node/perl/ruby take their
// program from their input too (`awk -f -`, `ed`, `vim -es`, `tclsh`, `php`, …), and a
// script written by the same command line (`… > /tmp/s.sh; bash /tmp/s.sh`) is not there
// for the hook to read.
describe('any program reading its program from its input (second review)', () => {
  it.each([
    'awk -f -',
    'mawk -f /dev/stdin',
    'gawk --file=-',
    'nawk -f /dev/fd/0',
    'busybox awk -f /proc/self/fd/0',
    'ed -s',
    'ed -s notes.txt',
    'ex',
    'vim -es -u NONE',
    'vi -e',
    'nvim -es',
    'make -s -f - x',
    'make --file=/dev/stdin',
    'tclsh',
    'wish',
    'expect',
    'expect -f -',
    'gdb -q -batch -x /dev/stdin',
    'gdb -q',
    'lldb -s /dev/stdin',
    'pwsh -',
    'pwsh -Command -',
    'powershell',
    'php',
    'php -',
    'lua -',
    'lua',
    'Rscript -',
    'R --no-save',
    'osascript',
    'bun run -',
    'deno run -',
    'deno run -A /dev/stdin',
    'm4',
    'julia -',
    'python3 /proc/123/fd/0',
  ])('echo <base64> | base64 -d | %s', (program) => {
    const command = `echo ZWNobyBoaQ== | base64 -d | ${program}`;
    expect(why(command), command).toMatch(FROM_INPUT);
  });

  it.each([
    [
      'echo ZWNobyBoaQ== | base64 -d > /tmp/s.sh; bash /tmp/s.sh',
      /written by this same command line/,
    ],
    ['echo x > s.sh; sh ./s.sh', /written by this same command line/],
    ['echo x > /tmp/o; bash /tmp/cleanroom-no-such-script.sh', /does not exist yet/],
    ['bash $f', /only the shell expands/],
    ['m4 file.m4', /syscmd/],
    ['pwsh -EncodedCommand ZQBjAGgAbwA=', /encoded program/],
  ])('%s is refused', (command, reason) => {
    expect(why(command), command).toMatch(reason);
  });

  it.each([
    "awk '{print $1}' file",
    'make',
    'make test',
    'php -v',
    "php -r 'echo 1;'",
    'vim file',
    'm4 --version',
    "Rscript -e 'x'",
    'gdb -batch -ex bt ./prog',
    'bun install',
    'bun run build',
    'deno fmt',
  ])('%s is judged as before', (command) => {
    expect(why(command), command).toBeUndefined();
  });

  it('reads program files that exist and allows them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cr-stdin-'));
    try {
      writeFileSync(join(dir, 'prog.awk'), '{print}\n');
      writeFileSync(join(dir, 'Makefile'), 'test:\n\ttrue\n');
      writeFileSync(join(dir, 'script.lua'), 'print(1)\n');
      writeFileSync(join(dir, 'ok.sh'), 'echo ok\n');
      const at = (c: string) => bypassReason(c, { cwd: dir });
      for (const c of [
        'awk -f prog.awk file',
        'make -f Makefile test',
        'lua script.lua',
        'bash ok.sh > out.txt',
      ])
        expect(at(c), c).toBeUndefined();
      expect(at('echo x > out.txt; awk -f missing.awk file')).toMatch(/does not exist yet/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
