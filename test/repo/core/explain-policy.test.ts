// `cleanroom explain PATH` and `cleanroom policy validate|test` in a real repository.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { expectCleanError, removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

describe('explain', () => {
  const repo = repoWithPolicy({ init: false });
  it('a path in one zone', () => {
    const r = repo.cleanroom(['explain', 'evals/tasks/q1.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'evals/tasks/q1.json\n  zone eval-tasks: ai deny; agents may not read it\n    paths: evals/tasks/**, evals/**/*.jsonl\n  any AI tool → deny\n',
    );
  });
  it('overlapping zones with per-tool verdicts: strictest wins, per tool', () => {
    const r = repo.cleanroom(['explain', 'evals/harness/cases.jsonl']);
    expect(r.stdout).toBe(
      [
        'evals/harness/cases.jsonl',
        '  zone eval-tasks: ai deny; agents may not read it',
        '    paths: evals/tasks/**, evals/**/*.jsonl',
        '  zone eval-harness: ai review; copilot: allow, devin: deny',
        '    paths: evals/harness/**',
        '  any AI tool → deny (strictest: zone eval-tasks)',
        '  copilot → deny (strictest: zone eval-tasks)',
        '  devin → deny (strictest: zone eval-tasks)',
        '',
      ].join('\n'),
    );
  });
  it('a path mistyped as from the top says so (newcomer: explain evals/… run from evals/)', () => {
    repo.write('evals/tasks/here.json', '{}\n');
    const r = repo.cleanroom(['explain', 'evals/tasks/here.json'], {
      cwd: join(repo.dir, 'evals'),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('in no zone');
    expect(r.stdout).toContain(
      'note: nothing is at evals/evals/tasks/here.json; evals/tasks/here.json from the top of the repository is there',
    );
    // Control: a path that does not exist yet anywhere gets no note (a fair question).
    const fresh = repo.cleanroom(['explain', 'src/new.py'], { cwd: join(repo.dir, 'evals') });
    expect(fresh.stdout).not.toContain('note:');
  });
  it('relative to the current directory, any case, as JSON', () => {
    mkdirSync(join(repo.dir, 'evals', 'harness'), { recursive: true });
    const r = repo.cleanroom(
      ['explain', '../../EVALS/HARNESS/run.py', '--tool', 'copilot', '--format', 'json'],
      { cwd: join(repo.dir, 'evals', 'harness') },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      format: 1,
      path: 'EVALS/HARNESS/run.py',
      zones: [
        {
          name: 'eval-harness',
          ai: 'review',
          read: 'allow',
          paths: ['evals/harness/**'],
          exclude: [],
          tools: { copilot: 'allow', devin: 'deny' },
        },
      ],
      verdicts: [{ tool: 'copilot', verdict: 'allow', zone: 'eval-harness' }],
      readDenied: [],
    });
  });
  it('an excluded path says which zone excluded it', () => {
    expect(repo.cleanroom(['explain', 'data/train/README.md']).stdout).toBe(
      'data/train/README.md\n  excluded from zone training-data (exclude: data/train/README.md)\n  in no zone: AI-attributed changes are allowed\n',
    );
  });
  it('a path with a newline is shown escaped', () => {
    expect(repo.cleanroom(['explain', 'evals/tasks/a\nb']).stdout.split('\n')[0]).toBe(
      '"evals/tasks/a\\nb"',
    );
  });
  for (const [args, message] of [
    [['explain', '../elsewhere'], 'cleanroom: explain: ../elsewhere is outside the repository\n'],
    [
      ['explain', '.'],
      'cleanroom: explain: give a path inside the repository, not its root\n  → e.g. cleanroom explain evals/tasks/q1.json\n',
    ],
    [
      ['explain'],
      'cleanroom: explain: give exactly one PATH\n  → e.g. cleanroom explain evals/tasks/q1.json\n',
    ],
    [
      ['explain', 'x', '--tool', 'claud-code'],
      'cleanroom: explain: unknown tool "claud-code"\n  → known: aider, amazon-q, amp, claude-code, cline, coderabbit, codex, copilot, crush, cursor, devin, gemini, jules, junie, kiro, opencode, openhands, qwen-code, replit, roo-code, sourcery, sweep, tabnine, unknown-ai, warp, windsurf\n',
    ],
    [
      ['explain', 'x', '--format', 'sarif'],
      'cleanroom: explain: unknown --format "sarif"\n  → use one of: text, json\n',
    ],
  ] as [string[], string][]) {
    it(`usage error: ${args.join(' ')}`, () => {
      const r = repo.cleanroom(args);
      expectCleanError(r);
      expect(r.stderr).toBe(message);
    });
  }
});

describe('policy validate and policy test', () => {
  it('validate: ok line, exit 0', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['policy', 'validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `${join(repo.dir, '.cleanroom', 'policy.yaml')}: ok — 3 zones, review mode trailer\n`,
    );
  });
  it('test: passing and failing cases, exit 1 on a failure', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write(
      '.cleanroom/policy.test.yaml',
      'cases:\n  - { path: evals/tasks/q.json, tool: claude-code, expect: deny }\n  - { path: evals/harness/r.py, tool: copilot, expect: review }\n  - { path: evals/tasks/q.json, read: deny }\n',
    );
    const r = repo.cleanroom(['policy', 'test']);
    expect(r.code).toBe(1);
    const file = join(repo.dir, '.cleanroom', 'policy.test.yaml');
    expect(r.stdout).toBe(
      [
        '✓ evals/tasks/q.json (claude-code) → deny',
        `✗ ${file}:3: evals/harness/r.py (copilot): expected review, got allow (zone eval-harness)`,
        '✓ evals/tasks/q.json (unknown-ai) → read deny',
        'policy test: 1 of 3 cases fail',
        `  → a case that fails because the policy changed on purpose (a zone trimmed or renamed): change or delete it in ${file}; otherwise fix the policy`,
        '',
      ].join('\n'),
    );
  });
  it('test: unknown tools are all reported before any case runs', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write(
      '.cleanroom/policy.test.yaml',
      'cases:\n  - { path: a, tool: claude-code, expect: allow }\n  - { path: b, tool: codx, expect: deny }\n  - { path: c, tool: devn, expect: deny }\n',
    );
    const r = repo.cleanroom(['policy', 'test']);
    expectCleanError(r);
    expect(r.stdout).toBe('');
    const file = join(repo.dir, '.cleanroom', 'policy.test.yaml');
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      `cleanroom: ${file}:3:22: unknown tool "codx" — did you mean "codex"?`,
      `cleanroom: ${file}:4:22: unknown tool "devn" — did you mean "devin"?`,
    ]);
  });
  it('test: a missing cases file says where to write it', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['policy', 'test']);
    expectCleanError(r);
    expect(r.stderr).toContain(
      `no test cases at ${join(repo.dir, '.cleanroom', 'policy.test.yaml')}`,
    );
  });
});
