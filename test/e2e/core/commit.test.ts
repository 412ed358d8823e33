// End to end: `cleanroom init` in a fresh repository, then real `git commit`s through
// the installed hooks — blocked and passed, per tool, per verdict.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  TestRepo,
  type Run,
} from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const ACME_POLICY =
  POLICY +
  'tools:\n  - id: acme-agent\n    emails: ["agent@acme.internal"]\n    trailers: ["X-Acme-Agent"]\n';

/** One repository for a group of commits; each attempt starts from a clean tree. */
function shared(policy = ACME_POLICY): {
  repo: () => TestRepo;
  attempt: (a: Attempt) => Run & { committed: boolean };
} {
  let repo: TestRepo;
  beforeAll(() => {
    repo = repoWithPolicy({ policy });
  });
  return {
    repo: () => repo,
    attempt(a: Attempt) {
      repo.git('reset', '-q', '--hard', 'HEAD');
      repo.git('clean', '-q', '-fdx');
      const head = repo.head();
      for (const [p, c] of Object.entries(a.files)) repo.write(p, c);
      for (const p of a.remove ?? []) rmSync(join(repo.dir, p));
      const r = repo.commit(a.message, { env: a.env ?? {}, args: a.args ?? [] });
      const committed = repo.head() !== head;
      expect(
        committed,
        `exit ${r.code} but HEAD ${committed ? 'moved' : 'did not move'}:\n${r.stderr}`,
      ).toBe(r.code === 0);
      return { ...r, committed };
    },
  };
}

interface Attempt {
  files: Record<string, string>;
  remove?: string[];
  message: string;
  env?: Record<string, string | undefined>;
  args?: string[];
}

const blocked = (r: Run & { committed: boolean }, path: string, tool: string, zone: string) => {
  expect(r.code, r.stderr).toBe(1);
  expect(r.committed).toBe(false);
  expect(r.stderr).toContain('cleanroom: commit blocked');
  expect(r.stderr).toContain(`✗ ${path}\n    zone ${zone} `);
  expect(r.stderr).toContain(` · tool ${tool}`);
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
};
const passed = (r: Run & { committed: boolean }) => {
  expect(r.code, r.stderr).toBe(0);
  expect(r.committed).toBe(true);
  expect(r.stderr).not.toContain('blocked');
};

describe('per tool: blocked in a deny zone, passed outside every zone', () => {
  const { attempt } = shared();
  const TOOLS: [string, string, Omit<Attempt, 'files'>][] = [
    [
      'Claude Code (co-author trailer, Opus 4.5)',
      'claude-code',
      { message: 'Add task\n\nCo-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>' },
    ],
    [
      'Claude Code (🤖 Generated with marker)',
      'claude-code',
      { message: 'Add task\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)' },
    ],
    [
      'Claude Code (CLAUDECODE=1 in the environment)',
      'claude-code',
      { message: 'Add task', env: { CLAUDECODE: '1' } },
    ],
    [
      'Aider (name suffix)',
      'aider',
      {
        message: 'Add task',
        env: { GIT_AUTHOR_NAME: 'Hana Human (aider)', GIT_COMMITTER_NAME: 'Hana Human (aider)' },
      },
    ],
    [
      'Aider (co-author trailer)',
      'aider',
      { message: 'Add task\n\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>' },
    ],
    [
      'Codex (trailer)',
      'codex',
      { message: 'Add task\n\nCo-authored-by: Codex <noreply@openai.com>' },
    ],
    [
      'Codex (sandbox environment)',
      'codex',
      { message: 'Add task', env: { CODEX_SANDBOX: 'seatbelt' } },
    ],
    [
      'Copilot coding agent (bot author)',
      'copilot',
      {
        message: 'Add task',
        args: ['--author', 'copilot-swe-agent[bot] <198982749+Copilot@users.noreply.github.com>'],
      },
    ],
    ['Cursor (agent environment)', 'cursor', { message: 'Add task', env: { CURSOR_AGENT: '1' } }],
    [
      'Devin (bot author)',
      'devin',
      {
        message: 'Add task',
        env: {
          GIT_AUTHOR_NAME: 'devin-ai-integration[bot]',
          GIT_AUTHOR_EMAIL: '158243242+devin-ai-integration[bot]@users.noreply.github.com',
        },
      },
    ],
    [
      'generic Assisted-by naming no known tool',
      'unknown-ai',
      { message: 'Add task\n\nAssisted-by: mystery-llm:v3' },
    ],
    [
      'policy-defined tool (email)',
      'acme-agent',
      { message: 'Add task\n\nCo-authored-by: Acme Agent <agent@acme.internal>' },
    ],
    ['policy-defined tool (trailer)', 'acme-agent', { message: 'Add task\n\nX-Acme-Agent: run 7' }],
  ];
  for (const [name, tool, a] of TOOLS) {
    it(`${name}: blocked in evals/tasks`, () =>
      blocked(
        attempt({ files: { 'evals/tasks/q1.json': `{"by": "${tool}"}\n` }, ...a }),
        'evals/tasks/q1.json',
        tool,
        'eval-tasks',
      ));
    it(`${name}: passed in src/`, () =>
      passed(attempt({ files: { 'src/feature.ts': `// ${name}\n` }, ...a })));
  }
  it('the same task written by a human passes', () =>
    passed(
      attempt({
        files: { 'evals/tasks/q1.json': '{"by": "hana"}\n' },
        message: 'Add task by hand',
      }),
    ));
});

describe('verdicts: per tool, strictest wins, exclude, review', () => {
  const { repo, attempt } = shared();
  const H = 'evals/harness/run.py';
  it('Copilot is allowed in eval-harness (per-tool allow)', () =>
    passed(
      attempt({
        files: { [H]: 'print(1)\n' },
        message: 'Harness',
        args: ['--author', 'Copilot <copilot@github.com>'],
      }),
    ));
  it('Devin is denied in eval-harness even with a review (per-tool deny)', () =>
    blocked(
      attempt({
        files: { [H]: 'print(2)\n' },
        message: 'Harness\n\nReviewed-by: Rita Reviewer <rita@example.org>',
        env: { GIT_AUTHOR_EMAIL: '158243242+devin-ai-integration[bot]@users.noreply.github.com' },
      }),
      H,
      'devin',
      'eval-harness',
    ));
  it('strictest wins: Copilot adding a .jsonl under evals/harness hits eval-tasks (deny)', () =>
    blocked(
      attempt({
        files: { 'evals/harness/cases.jsonl': '{}\n' },
        message: 'Cases',
        args: ['--author', 'Copilot <copilot@github.com>'],
      }),
      'evals/harness/cases.jsonl',
      'copilot',
      'eval-tasks',
    ));
  it('exclude: data/train/README.md takes AI help', () =>
    passed(
      attempt({ files: { 'data/train/README.md': '# data\n' }, message: `Docs\n\n${CLAUDE}` }),
    ));
  it('but data/train/ itself does not', () =>
    blocked(
      attempt({ files: { 'data/train/a.csv': '1\n' }, message: `Data\n\n${CLAUDE}` }),
      'data/train/a.csv',
      'claude-code',
      'training-data',
    ));
  it('review zone: blocked without a review', () =>
    blocked(
      attempt({ files: { [H]: 'print(3)\n' }, message: `Harness\n\n${CLAUDE}` }),
      H,
      'claude-code',
      'eval-harness',
    ));
  it('review zone: passes with a human Reviewed-by trailer', () => {
    const r = attempt({
      files: { [H]: 'print(4)\n' },
      message: `Harness\n\n${CLAUDE}\nReviewed-by: Rita Reviewer <rita@example.org>`,
    });
    passed(r);
    expect(repo().lastMessage()).toContain('Reviewed-by: Rita Reviewer <rita@example.org>');
  });
  it('review zone: passes with git commit --trailer', () =>
    passed(
      attempt({
        files: { [H]: 'print(5)\n' },
        message: `Harness\n\n${CLAUDE}`,
        args: ['--trailer', 'Reviewed-by: Rita Reviewer <rita@example.org>'],
      }),
    ));
  it('review zone: Reviewed-by in the body is not counted', () =>
    blocked(
      attempt({
        files: { [H]: 'print(6)\n' },
        message: `Harness\n\nReviewed-by: Rita Reviewer <rita@example.org>\nsaid it looked fine.\n\n${CLAUDE}`,
      }),
      H,
      'claude-code',
      'eval-harness',
    ));
  it('review zone: an AI Reviewed-by is not counted', () => {
    const r = attempt({
      files: { [H]: 'print(7)\n' },
      message: `Harness\n\n${CLAUDE}\nReviewed-by: Codex <noreply@openai.com>`,
    });
    blocked(r, H, 'claude-code', 'eval-harness');
    expect(r.stderr).toContain(
      'note: "Reviewed-by: Codex <noreply@openai.com>" is not counted: the reviewer is an AI identity',
    );
  });
  it('review zone: the author reviewing their own commit is not counted (independent: true)', () => {
    const r = attempt({
      files: { [H]: 'print(8)\n' },
      message: `Harness\n\n${CLAUDE}\nReviewed-by: Hana Human <hana@example.org>`,
    });
    blocked(r, H, 'claude-code', 'eval-harness');
    expect(r.stderr).toContain("the reviewer is the commit's author");
  });
  it('deny zone: a review does not help', () =>
    blocked(
      attempt({
        files: { 'evals/tasks/q9.json': '{}\n' },
        message: `Task\n\n${CLAUDE}\nReviewed-by: Rita Reviewer <rita@example.org>`,
      }),
      'evals/tasks/q9.json',
      'claude-code',
      'eval-tasks',
    ));
});

describe('people and prose are not agents', () => {
  const { attempt } = shared();
  it('a human named Claude is not blocked', () =>
    passed(
      attempt({
        files: { 'evals/tasks/q1.json': '{}\n' },
        message: 'Add task',
        env: {
          GIT_AUTHOR_NAME: 'Claude Monet',
          GIT_AUTHOR_EMAIL: 'claude@monet.fr',
          GIT_COMMITTER_NAME: 'Claude Monet',
          GIT_COMMITTER_EMAIL: 'claude@monet.fr',
        },
      }),
    ));
  it('a human named Claude as co-author is not blocked', () =>
    passed(
      attempt({
        files: { 'evals/tasks/q2.json': '{}\n' },
        message: 'Add task\n\nCo-authored-by: Claude Monet <claude@monet.fr>',
      }),
    ));
  it('"aider" in the body is not blocked', () =>
    passed(
      attempt({
        files: { 'evals/tasks/q3.json': '{}\n' },
        message: 'Add task about aider\n\nWe compared aider and cursor by hand for this question.',
      }),
    ));
  it('a human Reviewed-by and Signed-off-by on human work are not signals', () =>
    passed(
      attempt({
        files: { 'evals/tasks/q4.json': '{}\n' },
        message:
          'Add task\n\nReviewed-by: Rita Reviewer <rita@example.org>\nSigned-off-by: Hana Human <hana@example.org>',
      }),
    ));
});

describe('paths that try to dodge a zone', () => {
  const { repo, attempt } = shared();
  it('EVALS/Tasks/x.json', () =>
    blocked(
      attempt({ files: { 'EVALS/Tasks/x.json': '{}\n' }, message: `T\n\n${CLAUDE}` }),
      'EVALS/Tasks/x.json',
      'claude-code',
      'eval-tasks',
    ));
  it('a dotfile', () =>
    blocked(
      attempt({ files: { 'evals/tasks/.q.json': '{}\n' }, message: `T\n\n${CLAUDE}` }),
      'evals/tasks/.q.json',
      'claude-code',
      'eval-tasks',
    ));
  it('a deletion is allowed', () => {
    passed(attempt({ files: { 'evals/tasks/old.json': '{}\n' }, message: 'human task' }));
    passed(
      attempt({
        files: {},
        remove: ['evals/tasks/old.json'],
        message: `Remove contaminated task\n\n${CLAUDE}`,
      }),
    );
    expect(repo().git('show', '--name-status', '--format=', 'HEAD')).toBe(
      'D\tevals/tasks/old.json\n',
    );
  });
});

describe('decomposed accents and renames through the hooks', () => {
  const { repo, attempt } = shared(
    POLICY.replace('"data/train/**"', '"data/train/**", "données/**"'),
  );
  it('an NFD-accented path (as macOS writes it) is caught by an NFC glob', () => {
    const nfd = 'données/q.txt'.normalize('NFD');
    repo().git('reset', '-q', '--hard', 'HEAD');
    repo().writeBytes(Buffer.from(nfd), 'x\n');
    const r = repo().commit(`Data\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('zone training-data (deny)');
    expect(repo().git('-c', 'core.quotePath=false', 'diff', '--cached', '--name-only')).toBe(
      `${nfd}\n`,
    );
  });
  it('a rename into a zone (git mv) is blocked; the same rename by a human passes', () => {
    passed(attempt({ files: { 'drafts/q1.json': '{"q": "2+2?"}\n' }, message: 'draft by hand' }));
    mkdirSync(join(repo().dir, 'evals', 'tasks'), { recursive: true });
    repo().git('mv', 'drafts/q1.json', 'evals/tasks/q1.json');
    const r = repo().commit(`Promote\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
    expect(repo().commit('Promote by hand').code).toBe(0);
    expect(repo().git('show', '--name-status', '-M', '--format=', 'HEAD')).toBe(
      'R100\tdrafts/q1.json\tevals/tasks/q1.json\n',
    );
  });
});

describe('first commit, sha256, git commit -a', () => {
  it('the very first commit of a repository goes through the hooks and is judged', () => {
    const repo = TestRepo.init();
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit(`Initial\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
    expect(repo.tryGit(['rev-parse', '-q', '--verify', 'HEAD']).code).toBe(1);
    expect(repo.commit('Initial by hand').code).toBe(0);
  });
  it('a sha256 repository', () => {
    const repo = repoWithPolicy({ objectFormat: 'sha256' });
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit(`T\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
  });
  it('git commit -a sees work-tree changes git stages into a temporary index', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', 'v1\n');
    expect(repo.commit('human').code).toBe(0);
    repo.write('evals/tasks/q1.json', 'v2 by an agent\n');
    const r = repo.tryGit(['commit', '-a', '-q', '-m', 'T', '-m', CLAUDE]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/q1.json');
  });
});

describe('--no-verify still records provenance', () => {
  it('prepare-commit-msg adds Assisted-by: claude-code (CLAUDECODE=1), and CI then blocks the commit', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit('Add task', { env: { CLAUDECODE: '1' }, args: ['--no-verify'] });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).toBe(
      'Add task\n\nAssisted-by: claude-code\nCleanroom-Agent-Session: claude-code\n\n',
    );
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)')).toBe(
      'claude-code\n\n',
    );
    const ci = repo.cleanroom(['check', '--commit', 'HEAD', '--format', 'json']);
    expect(ci.code).toBe(1);
    expect(
      JSON.parse(ci.stdout).violations.map(
        (v: { tool: string; signal: string }) => `${v.tool}: ${v.signal}`,
      ),
    ).toEqual(['claude-code: Assisted-by: claude-code']);
  });
  it('an agent environment only a prefix rule names (CODEX_SANDBOX_MODE) is recorded too; a human commit is not', () => {
    // The shim spells out the common variables; the rest of policies/tools.yaml's rules
    // (prefixes) reach Node through the build's patterns. Outside every zone, so only the
    // trailer shows it: a draft moved into a zone later traces back to this commit.
    const repo = repoWithPolicy();
    repo.write('src/draft.ts', 'x\n');
    const r = repo.commit('Draft', { env: { CODEX_SANDBOX_MODE: 'workspace-write' } });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)')).toBe(
      'codex\n\n',
    );
    repo.write('src/human.ts', 'y\n');
    expect(repo.commit('Human').code).toBe(0);
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)')).toBe('\n');
  });
  it('one Assisted-by per agent, not repeated when the message already has it', () => {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', 'x\n');
    const r = repo.commit('Change\n\nAssisted-by: claude-code', {
      env: { CLAUDECODE: '1', CURSOR_AGENT: '1' },
      args: ['--no-verify'],
    });
    expect(r.code, r.stderr).toBe(0);
    expect(
      repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly,separator=%x2C)'),
    ).toBe('claude-code,cursor\n');
  });

  // `git merge` writes MERGE_MSG without a final newline, and `git interpret-trailers
  // --in-place` would then append the trailer to the subject line ("Merge branch 'x'
  // Assisted-by: claude-code": no trailer by git's rules). addTrailers (src/cli/hook.ts)
  // ends the file with "\n" first.
  it('a merge made by an agent gets a real Assisted-by trailer', () => {
    const repo = repoWithPolicy();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('src/f.ts', 'f\n');
    expect(repo.commit('feature').code).toBe(0);
    repo.git('checkout', '-q', 'main');
    const r = repo.tryGit(['merge', '-q', '--no-ff', '-m', 'Merge feature', 'feature'], {
      env: { ...repo.env, CLAUDECODE: '1' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.git('log', '-1', '--format=%s')).toBe('Merge feature\n');
    expect(repo.git('log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)')).toBe(
      'claude-code\n\n',
    );
  });
});

describe('merge commits through the hooks', () => {
  it('only paths the merge itself introduces are judged', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/shared.json', 'base\n');
    expect(repo.commit('base').code).toBe(0);
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write('evals/tasks/feature.json', 'f\n').write('evals/tasks/shared.json', 'feature\n');
    expect(repo.commit('feature by a human').code).toBe(0);
    repo.git('checkout', '-q', 'main');
    repo.write('evals/tasks/shared.json', 'main\n');
    expect(repo.commit('main by a human').code).toBe(0);
    expect(repo.tryGit(['merge', '-q', 'feature']).code).toBe(1);
    repo.write('evals/tasks/shared.json', 'resolved by an agent\n');
    const r = repo.commit(`Merge feature\n\n${CLAUDE}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('✗ evals/tasks/shared.json');
    expect(r.stderr).not.toContain('feature.json');
    repo.write('evals/tasks/shared.json', 'main\n');
    expect(repo.commit(`Merge feature\n\n${CLAUDE}`).code).toBe(0);
    expect(repo.git('rev-list', '--parents', '-n1', 'HEAD').trim().split(' ')).toHaveLength(3);
  });
});

describe('amending', () => {
  // `git commit --amend` replaces HEAD, but commit-msg diffs the index against HEAD, so
  // what the original commit brought in would not be judged again under the new message.
  // prepare-commit-msg gets "commit HEAD" for --amend and leaves a note; commit-msg then
  // judges against the amended commit's parent (src/cli/hook.ts).
  it('an amend that adds an AI trailer to a commit touching a zone is blocked', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    expect(repo.commit('Add task').code).toBe(0);
    const head = repo.head();
    const r = repo.tryGit(['commit', '--amend', '-q', '-m', 'Add task', '-m', CLAUDE]);
    expect(r.code).toBe(1);
    expect(repo.head()).toBe(head);
  });

  // The same amend through a git alias (hostile review, fault 2): git runs the alias as a
  // child `git commit --amend …`, the process the hook finds, so it is judged alike.
  it.each([
    ['-c alias.x=commit', ['-c', 'alias.x=commit', 'x']],
    ['alias.ci = commit in the repository', ['ci']],
    ['a shell alias (!git commit)', ['sh']],
  ])('the same amend through %s is blocked', (_name, run) => {
    const repo = repoWithPolicy();
    repo.git('config', 'alias.ci', 'commit');
    repo.git('config', 'alias.sh', '!git commit');
    repo.write('evals/tasks/q1.json', '{}\n');
    expect(repo.commit('Add task').code).toBe(0);
    const head = repo.head();
    const r = repo.tryGit([...run, '--amend', '-q', '-m', 'Add task', '-m', CLAUDE]);
    expect(r.code, r.stderr).toBe(1);
    expect(repo.head()).toBe(head);
    // Control: the same alias without the AI trailer amends.
    expect(repo.tryGit([...run, '--amend', '-q', '-m', 'Add task, reworded']).code).toBe(0);
  });
});

describe('the message git stores is the message judged', () => {
  // With `git commit -m` git's cleanup mode is "whitespace": comment lines and a scissors
  // line are KEPT in the commit. So restricting signals are read from the raw message file
  // (up to a `git commit -v` diff) and grants from the cleaned message
  // (src/check/staged.ts): a marker on a "#" line is judged locally as CI and the server do.
  it('a "# 🤖 Generated with [Claude Code]" line kept by git commit -m is judged locally', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    const message = 'Add task\n\n# 🤖 Generated with [Claude Code](https://claude.com/claude-code)';
    const head = repo.head();
    const r = repo.commit(message);
    expect(r.code).toBe(1);
    expect(repo.head()).toBe(head);
    // CI judges the stored message, which keeps the line:
    expect(repo.commit(message, { args: ['--no-verify'] }).code).toBe(0);
    expect(repo.lastMessage()).toContain('# 🤖 Generated with [Claude Code]');
    expect(repo.cleanroom(['check', '--commit', 'HEAD']).code).toBe(1);
  });
});

describe('CLEANROOM=0 skips loudly; errors stay clean', () => {
  it('CLEANROOM=0 lets the commit through and says so', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit(`T\n\n${CLAUDE}`, { env: { CLEANROOM: '0' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'cleanroom: CLEANROOM=0 — commit-msg check SKIPPED (provenance is still recorded',
    );
    expect(r.stderr).not.toContain('still enforce'); // issue 12: no such claim when provenance may be gone
  });
  it('a deleted policy fails the commit with "run cleanroom init", no stack trace', () => {
    const repo = repoWithPolicy();
    repo.git('rm', '-q', '.cleanroom/policy.yaml');
    const head = repo.head();
    const r = repo.commit('remove policy');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no cleanroom policy at');
    expect(r.stderr).toContain('run `cleanroom init`');
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
    expect(repo.head()).toBe(head);
  });
  it('the hook run by hand without its argument is a usage error', () => {
    const repo = repoWithPolicy();
    expectCleanError(repo.cleanroom(['hook', 'commit-msg']));
    expect(readFileSync(join(repo.dir, '.git', 'hooks', 'commit-msg'), 'utf8')).toContain(
      '# >>> cleanroom >>>',
    );
  });
});
