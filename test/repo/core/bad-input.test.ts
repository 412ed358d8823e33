// Bad input: each a clear one-screen error (exit 2, never a stack trace) or a correct
// verdict. A broken policy must fail closed: the commit does not go through.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** A repo whose committed policy is `policy` (hooks installed while it was still valid). */
function repoWithBrokenPolicy(policy: string): TestRepo {
  const repo = repoWithPolicy();
  repo.write('.cleanroom/policy.yaml', policy);
  return repo;
}

const BROKEN: [string, string, string][] = [
  [
    'malformed YAML',
    POLICY.replace('    ai: review\n', '    ai: [review\n'),
    'cleanroom: .cleanroom/policy.yaml:11:',
  ],
  [
    "a typo'd key",
    POLICY.replace('    exclude:', '    exlude:'),
    'cleanroom: .cleanroom/policy.yaml:14:5: unknown key "exlude" in zones.2 — did you mean "exclude"?',
  ],
  [
    'a wrong verdict',
    POLICY.replace('ai: review', 'ai: reveiw'),
    'cleanroom: .cleanroom/policy.yaml:10:9: "reveiw" is not allowed for zones.1.ai — did you mean "review"?',
  ],
  [
    'an unknown tool',
    POLICY.replace('devin: deny', 'devon: deny'),
    'cleanroom: .cleanroom/policy.yaml:11:30: unknown tool id "devon" — did you mean "devin"?',
  ],
  [
    'an empty file',
    '',
    'cleanroom: .cleanroom/policy.yaml:1:1: the policy is empty — run `cleanroom init` to write one',
  ],
  [
    'non-UTF-8 bytes',
    POLICY.replace('example.org/acme/evals', 'example.org/\udcff'),
    'cleanroom: .cleanroom/policy.yaml:',
  ],
];

describe('a broken policy', () => {
  for (const [name, text, first] of BROKEN) {
    it(`${name}: check --staged says where, exit 2`, () => {
      const repo = repoWithBrokenPolicy(text);
      const r = repo.cleanroom(['check', '--staged']);
      if (name === 'non-UTF-8 bytes') {
        // Lone surrogates become U+FFFD in UTF-8; the repository id stays a valid string.
        expect(r.code).toBe(0);
        return;
      }
      expectCleanError(r);
      expect(r.stdout).toBe('');
      expect(r.stderr.startsWith(first), r.stderr).toBe(true);
    });
  }

  it('fails closed in the commit-msg hook: the commit does not happen', () => {
    const repo = repoWithBrokenPolicy(POLICY.replace('ai: review', 'ai: reveiw'));
    const head = repo.head();
    repo.write('src/app.ts', 'x\n');
    const r = repo.commit('Plain human change');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'cleanroom: .cleanroom/policy.yaml:10:9: "reveiw" is not allowed for zones.1.ai',
    );
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(repo.head()).toBe(head);
  });

  it('policy validate lists every problem at once', () => {
    const repo = repoWithBrokenPolicy(
      POLICY.replace('ai: review', 'ai: reveiw')
        .replace('    exclude:', '    exlude:')
        .replace('devin: deny', 'devon: deny'),
    );
    const r = repo.cleanroom(['policy', 'validate']);
    expectCleanError(r);
    const file = join(repo.dir, '.cleanroom', 'policy.yaml');
    expect(
      r.stderr
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(0, l.indexOf(': ', `cleanroom: ${file}:`.length))),
    ).toEqual([`cleanroom: ${file}:10:9`, `cleanroom: ${file}:11:30`, `cleanroom: ${file}:14:5`]);
  });
});

describe('a missing policy', () => {
  it('check --staged says to run cleanroom init', () => {
    const repo = TestRepo.init();
    const r = repo.cleanroom(['check', '--staged']);
    expectCleanError(r);
    expect(r.stderr).toBe(
      `cleanroom: no cleanroom policy at ${join(repo.dir, '.cleanroom', 'policy.yaml')}\n  → run \`cleanroom init\` to write one (preset eval-cleanroom), or pass --policy FILE\n`,
    );
  });
  it('explain and policy validate say the same', () => {
    const repo = TestRepo.init();
    for (const args of [
      ['explain', 'evals/tasks/q.json'],
      ['policy', 'validate'],
    ]) {
      const r = repo.cleanroom(args);
      expectCleanError(r);
      expect(r.stderr).toContain('run `cleanroom init`');
    }
  });
  it('--policy pointing at a directory', () => {
    const repo = TestRepo.init();
    const r = repo.cleanroom(['check', '--staged', '--policy', repo.dir]);
    expectCleanError(r);
    expect(r.stderr).toContain(`${repo.dir} is a directory, not a cleanroom policy`);
  });
});

describe('not a git repository', () => {
  for (const args of [
    ['check', '--staged'],
    ['check', '--commit', 'HEAD'],
    ['explain', 'x'],
    ['policy', 'validate'],
    ['init'],
    ['doctor'],
    ['hook', 'commit-msg', 'MSG'],
  ]) {
    it(`cleanroom ${args.join(' ')}`, () => {
      const dir = tempDir();
      const r = new TestRepo(dir).cleanroom(args);
      expectCleanError(r);
      expect(r.stderr).toBe(
        `cleanroom: not a git repository: ${dir}\n  → run cleanroom inside a Git repository (or cd into one)\n`,
      );
    });
  }
});

describe('hostile message files get a correct verdict', () => {
  function judge(
    message: string | Buffer,
    files: Record<string, string> = { 'evals/tasks/q.json': '{}\n' },
  ) {
    const repo = repoWithPolicy({ init: false });
    for (const [p, c] of Object.entries(files)) repo.write(p, c);
    repo.git('add', '-A');
    const f = join(repo.dir, '.git', 'MSG');
    writeFileSync(f, message);
    return repo.cleanroom(['check', '--staged', '--message-file', f, '--format', 'json']);
  }
  it('NUL bytes and invalid UTF-8 around a co-author trailer', () => {
    const r = judge(
      Buffer.concat([Buffer.from('Add\0task \xff\xfe\n\n', 'latin1'), Buffer.from(`${CLAUDE}\n`)]),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).violations[0].signal).toBe(CLAUDE);
  });
  it('ANSI escapes in a trailer are shown escaped, not executed', () => {
    const r = judge(`Add\n\nAssisted-by: evil\u001b[2J\u001b[31mtool\n`);
    expect(r.code).toBe(1);
    const repo = r; // JSON keeps the raw string; the text reporter escapes it (see below)
    expect(JSON.parse(repo.stdout).violations[0].signal).toBe(
      'Assisted-by: evil\u001b[2J\u001b[31mtool',
    );
  });
  it('a message over 4 MiB is refused clearly', () => {
    const r = judge('x'.repeat(5 * 1024 * 1024));
    expectCleanError(r);
    expect(r.stderr).toContain('is larger than 4 MiB');
  });
  it('an AI address on a "#" line is still seen (git commit -m keeps "#" lines in the commit)', () => {
    const r = judge(`# ${CLAUDE}\n# Please enter the commit message\n`);
    expect(r.code).toBe(1);
  });
  it('a co-author trailer below the scissors line (git commit -v diff) is not a signal', () => {
    const r = judge(
      `Add task\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/x b/x\n+${CLAUDE}\n`,
    );
    expect(r.code).toBe(0);
  });
  it('text output escapes control characters in signals', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', '-A');
    const f = join(repo.dir, '.git', 'MSG');
    writeFileSync(f, 'Add\n\nAssisted-by: evil\u001b[2J\rtool\n');
    const r = repo.cleanroom(['check', '--staged', '--message-file', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('\u001b');
    expect(r.stderr).toContain('seen: Assisted-by: evil\\x1b[2J');
  });
});

describe('pre-push with hostile stdin', () => {
  it('garbage lines are a clear error, exit 2', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['hook', 'pre-push', 'origin', 'url'], {
      input: 'refs/heads/main deadbeef refs/heads/main\n',
    });
    expectCleanError(r);
    expect(r.stderr).toContain('unexpected pre-push input line');
  });
});
