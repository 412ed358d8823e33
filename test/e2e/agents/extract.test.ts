// Archives extracted and patches applied through the shell write files whose names the
// command line does not show (the hostile review's `git apply`, `tar -xf`, `patch`):
// each is refused through the built entry that `init --agents` wires when it could land
// in a deny zone or on git's and cleanroom's own files, with a control beside it that
// an agent may run.

import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';
import { preToolBash } from './world.js';

afterAll(removeTempDirs);

const repo = repoWithPolicy({ init: false });
repo.write('evals/tasks/q1.json', '{}\n').write('src/a.txt', 'a\n').write('build/.keep', '');
repo.git('add', '-A');
repo.git('commit', '-q', '--no-verify', '-m', 'content');
mkdirSync(join(repo.dir, 'src', 'sub'));

// Patches and archives outside the repository, as an agent would leave them in /tmp.
const out = mkdtempSync(join(tmpdir(), 'cleanroom-extract-'));
const patch = (name: string, path: string, extra = ''): string => {
  const file = join(out, name);
  writeFileSync(
    file,
    `diff --git a/${path} b/${path}\nnew file mode 100644\n${extra}--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+x\n`,
  );
  return file;
};
const zone = patch('zone.patch', 'evals/tasks/n.json');
const plain = patch('src.patch', 'src/n.txt');
const own = patch('own.patch', '.cleanroom/policy.yaml');
// An empty new file: a git patch with no ---/+++ lines at all.
const empty = join(out, 'empty.patch');
writeFileSync(
  empty,
  'diff --git a/evals/tasks/e.json b/evals/tasks/e.json\nnew file mode 100644\nindex 0000000..e69de29\n',
);
// Names git would read but cleanroom does not unquote, a symlink, an encoded mail body.
const quoted = join(out, 'quoted.patch');
writeFileSync(
  quoted,
  'diff --git "a/evals/tasks/\\303\\251.json" "b/evals/tasks/\\303\\251.json"\nnew file mode 100644\n--- /dev/null\n+++ "b/evals/tasks/\\303\\251.json"\n@@ -0,0 +1 @@\n+x\n',
);
const link = patch('link.patch', 'src/l', '').replace('link.patch', 'link2.patch');
writeFileSync(
  link,
  'diff --git a/src/l b/src/l\nnew file mode 120000\n--- /dev/null\n+++ b/src/l\n@@ -0,0 +1 @@\n+../evals/tasks\n\\ No newline at end of file\n',
);
const b64 = join(out, 'b64.mbox');
writeFileSync(
  b64,
  `From 0 Mon Sep 17 00:00:00 2001\nSubject: [PATCH] x\nContent-Transfer-Encoding: base64\n\n${Buffer.from('diff --git a/evals/tasks/n.json b/evals/tasks/n.json\n').toString('base64')}\n`,
);

const bash = (command: string, cwd = repo.dir) => preToolBash(cwd, command);

describe('patches and archives the agent hook cannot see into', { timeout: 60_000 }, () => {
  it.each([
    [
      'git apply of a patch into a deny zone',
      `git apply --index ${zone}`,
      `git apply --index ${plain}`,
    ],
    [
      'git apply --cached (the index only)',
      `git apply --cached ${zone}`,
      `git apply --cached ${plain}`,
    ],
    ['an empty new file (no ---/+++ lines)', `git apply ${empty}`, `git apply --stat ${empty}`],
    ['patch -p1 < FILE', `patch -p1 < ${zone}`, `patch -p1 < ${plain}`],
    ['patch -i FILE', `patch -p1 -i ${zone}`, `patch -p1 -i ${plain}`],
    ['git am of a series', `git am ${zone}`, `git am ${plain}`],
    ['a patch onto cleanroom own files', `git apply ${own}`, `git apply ${plain}`],
    ['a patch from standard input', `cat ${zone} | git apply`, `cat ${zone} | git apply --check`],
    [
      'a patch the same line writes first',
      `cp ${zone} /tmp/z.patch && git apply /tmp/z.patch`,
      `git apply --numstat ${zone}`,
    ],
    ['a C-quoted name', `git apply ${quoted}`, `git apply ${plain}`],
    ['a patch making a symlink', `git apply ${link}`, `git apply ${plain}`],
    ['an encoded mail body', `git am ${b64}`, `git am --abort`],
    ['git am --continue (a series git keeps)', 'git am --continue', 'git am --show-current-patch'],
    [
      'tar -x at the root (.git/hooks could be a member)',
      'tar -xzf /tmp/a.tgz',
      'tar -xzf /tmp/a.tgz -C build',
    ],
    ['tar in the old bundled form', 'tar xf /tmp/a.tar', 'tar tf /tmp/a.tar'],
    ['tar -C into a parent of a zone', 'tar -xf /tmp/a.tar -C evals', 'tar -xf /tmp/a.tar -C src'],
    [
      'tar --directory=',
      'tar -x -f /tmp/a.tar --directory=evals',
      'tar -x -f /tmp/a.tar --directory=src',
    ],
    [
      'tar -P (absolute member names)',
      'tar -xPf /tmp/a.tar -C build',
      'tar -xf /tmp/a.tar -C build',
    ],
    [
      'tar -C above the repository',
      'cd src && tar -xf /tmp/a.tar -C ../..',
      'cd src && tar -xf /tmp/a.tar -C sub',
    ],
    ['unzip at the root', 'unzip -o /tmp/a.zip', 'unzip -l /tmp/a.zip'],
    ['unzip -d a parent of a zone', 'unzip /tmp/a.zip -d evals', 'unzip /tmp/a.zip -d build'],
    ['cpio -i', 'cpio -idm < /tmp/a.cpio', 'cpio -t < /tmp/a.cpio'],
    ['cpio copy-pass into the root', 'find /tmp/x | cpio -pdm .', 'find /tmp/x | cpio -pdm build'],
    ['7z x', '7z x /tmp/a.7z', '7z x /tmp/a.7z -obuild'],
    ['bsdtar', 'bsdtar -xf /tmp/a.tar', 'bsdtar -tf /tmp/a.tar'],
    // The hostile review's spellings (getopt_long and git take any unambiguous prefix).
    ['tar --extrac (an abbreviation)', 'tar --extrac -f /tmp/a.tar', 'tar --lis -f /tmp/a.tar'],
    [
      'tar --dir=.. from a subdirectory',
      'cd src && tar -x --dir=.. -f /tmp/a.tar',
      'cd src && tar -x --dir=sub -f /tmp/a.tar',
    ],
    [
      'tar --one-top-level=..',
      'cd src && tar -x -f /tmp/a.tar --one-top-level=..',
      'cd src && tar -x -f /tmp/a.tar -C sub',
    ],
    [
      'TAR_OPTIONS on the line',
      'cd src && TAR_OPTIONS=--directory=.. tar -xf /tmp/a.tar',
      'cd src && tar -xf /tmp/a.tar -C sub',
    ],
    [
      'tar --transform (renamed members)',
      "tar -xf /tmp/a.tar -C build --transform='s,^,../evals/tasks/,'",
      'tar -xf /tmp/a.tar -C build',
    ],
    [
      'unzip -qod (a bundled d)',
      'cd src && unzip -qod .. /tmp/a.zip',
      'cd src && unzip -qod sub /tmp/a.zip',
    ],
    ['unzip --t (a negated test mode)', 'unzip -t -q --t /tmp/a.zip', 'unzip -t -q /tmp/a.zip'],
    [
      'patch --dir .. (an abbreviation)',
      `cd src && patch -p1 --dir .. -i ${zone}`,
      `cd src && patch -p1 --dir .. -i ${plain}`,
    ],
    [
      'patch --direc=..',
      `cd src && patch -p1 --direc=.. -i ${zone}`,
      `cd src && patch -p1 --direc=.. --dry -i ${zone}`,
    ],
    [
      'git apply --dir= (an abbreviation)',
      `git apply --dir=evals/tasks ${plain}`,
      `git apply --dir=build ${plain}`,
    ],
  ])('%s', (_name, attack, control) => {
    const a = bash(attack);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    expect(a.stderr).toMatch(/cleanroom: /);
    const c = bash(control);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
  });

  it('reads the patch from the command directory, and its paths from the repository root', () => {
    const a = bash(`git apply ${zone}`, join(repo.dir, 'src', 'sub'));
    expect(a.status, a.stderr).toBe(2);
    expect(a.stderr).toContain('evals/tasks/n.json');
    expect(bash(`git apply ${plain}`, join(repo.dir, 'src', 'sub')).status).toBe(0);
  });

  it('refuses an extraction into a directory holding a symlink into a deny zone', () => {
    const r = repoWithPolicy({ init: false });
    r.write('evals/tasks/q1.json', '{}\n').write('tools/.keep', '');
    symlinkSync('../evals/tasks', join(r.dir, 'tools', 'tasks'));
    r.git('add', '-A');
    r.git('commit', '-q', '--no-verify', '-m', 'content');
    const a = bash('tar -xf /tmp/a.tar -C tools', r.dir);
    expect(a.status, a.stderr).toBe(2);
    expect(a.stderr).toContain('tools/tasks');
    r.write('other/.keep', '');
    expect(bash('tar -xf /tmp/a.tar -C other', r.dir).status).toBe(0);
  });
});

describe(
  'a program run inside a zone writes there without naming a file',
  { timeout: 60_000 },
  () => {
    const r = repoWithPolicy({ init: false });
    r.write('data/train/sub/a.txt', 'a\n').write('data/other/b.txt', 'b\n');
    r.write('evals/harness/run.py', '\n');
    r.git('add', '-A');
    r.git('commit', '-q', '--no-verify', '-m', 'content');
    it.each([
      [
        'curl -O in a deny zone',
        'cd data/train && curl -sO https://example.invalid',
        'cd data/other && curl -sO https://example.invalid',
      ],
      [
        'wget below a deny zone',
        'cd data/train/sub && wget https://example.invalid',
        'cd data && wget https://example.invalid',
      ],
      [
        'git clone in a deny zone',
        'cd data/train && git clone https://example.invalid',
        'cd data/train && git status',
      ],
      ['a script run by a shell', 'cd data/train && bash /tmp/gen.sh', 'cd data/train && ls'],
      [
        'a directory a deny zone glob reaches (evals/**/*.jsonl)',
        'cd evals/harness && python3 run.py',
        'python3 evals/harness/run.py',
      ],
    ])('%s', (_name, attack, control) => {
      const a = bash(attack, r.dir);
      expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
      expect(a.stderr).toMatch(/runs a program cleanroom cannot follow in/);
      const c = bash(control, r.dir);
      expect(c.status, `${control}\n${c.stderr}`).toBe(0);
    });
  },
);

describe('a zone glob with no directory does not refuse every program', { timeout: 60_000 }, () => {
  // The eval-cleanroom preset has `**/answer_key*` (deny): any directory could hold such a
  // file, so counting it refused `npm test`, `node -e 0` and `tar -C build` everywhere.
  const r = repoWithPolicy({
    init: false,
    policy: `version: 1
repository: example.org/acme/evals
zones:
  - { name: answer-keys, paths: ['**/answer_key*'], ai: deny }
  - { name: training-data, paths: ['data/train/**'], ai: deny }
`,
  });
  r.write('src/a.txt', 'a\n').write('build/.keep', '').write('data/train/x.txt', 'x\n');
  r.git('add', '-A');
  r.git('commit', '-q', '--no-verify', '-m', 'content');
  it.each([
    ['npm test in a subdirectory', 'cd src && npm test'],
    ['node -e 0 at the root', 'node -e 0'],
    ['an archive extracted into build/', 'tar -xf /tmp/a.tar -C build'],
    ['curl -O above a zone', 'cd data && curl -sO https://example.invalid/x.txt'],
  ])('allowed: %s', (_name, command) => {
    const c = bash(command, r.dir);
    expect(c.status, `${command}\n${c.stderr}`).toBe(0);
  });
  it('still refused: curl -O inside the training data, named as such (a URL is no local path)', () => {
    const a = bash('cd data/train && curl -sO https://example.invalid/x.txt', r.dir);
    expect(a.status, a.stderr).toBe(2);
    expect(a.stderr).toContain('runs a program cleanroom cannot follow in data/train');
    expect(a.stderr).not.toContain('example.invalid');
  });
  it('still refused: writing a file the glob names', () => {
    expect(bash('echo x > src/answer_key.json', r.dir).status).toBe(2);
  });
});

describe('a patch file the same command line may rewrite first', { timeout: 60_000 }, () => {
  const r = repoWithPolicy({ init: false });
  r.write('src/a.txt', 'a\n');
  r.git('add', '-A');
  r.git('commit', '-q', '--no-verify', '-m', 'content');
  it.each([
    [
      'a copy over it before',
      `cp ${zone} ${plain} && git apply ${plain}`,
      `git apply ${plain} && npm test`,
    ],
    [
      'a program run before',
      `npm run build; git apply ${plain}`,
      `git apply ${plain}; npm run build`,
    ],
    [
      'a writer in the background',
      `git apply ${plain} & cp ${zone} ${plain}`,
      `git apply ${plain} 2>&1 | tail`,
    ],
  ])('%s', (_name, attack, control) => {
    const a = bash(attack, r.dir);
    expect(a.status, `${attack}\n${a.stderr}`).toBe(2);
    const c = bash(control, r.dir);
    expect(c.status, `${control}\n${c.stderr}`).toBe(0);
  });
});
