// Messages a person reads (issue 16 §7) and colour per stream (§6), on real repositories:
// each example with a human control beside it.

import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/main.js';
import type { Io } from '../../../src/cli/io.js';
import {
  cleanEnv,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  ROOT,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';
import { protectedServer, agentCommit } from '../../helpers/server.js';
import { grant, world } from '../../e2e/sign/world.js';
import { hook, payload } from '../../e2e/agents/world.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

function contaminated(): TestRepo {
  const repo = repoWithPolicy({ init: false });
  repo.write('evals/tasks/q1.json', '{}\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'Add task', '-m', CLAUDE);
  return repo;
}

async function inProcess(
  repo: TestRepo,
  args: string[],
  tty: { stdout: boolean; stderr: boolean },
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end();
  const io: Io = {
    cwd: repo.dir,
    env,
    stdin,
    stdinIsTTY: false,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stderrIsTTY: tty.stderr,
    stdoutIsTTY: tty.stdout,
    now: () => new Date(),
    packageRoot: ROOT,
  };
  await run(args, io);
  return { stdout, stderr };
}

describe('colour is decided per destination stream', () => {
  const repo = contaminated();
  const env = cleanEnv({ NO_COLOR: undefined, TERM: 'xterm-256color', FORCE_COLOR: undefined });

  it('`audit > report.txt` from a terminal (stderr a TTY, stdout a file): no escape codes in the file', async () => {
    const r = await inProcess(repo, ['audit'], { stdout: false, stderr: true }, env);
    expect(r.stdout).toContain('CONTAMINATED');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('control: stdout a terminal gets colour', async () => {
    const r = await inProcess(repo, ['audit'], { stdout: true, stderr: false }, env);
    expect(r.stdout).toContain('\u001b[');
  });

  it('FORCE_COLOR=0 and TERM=dumb: none, even on a terminal', async () => {
    for (const extra of [{ FORCE_COLOR: '0' }, { TERM: 'dumb' }]) {
      const r = await inProcess(
        repo,
        ['audit'],
        { stdout: true, stderr: true },
        { ...env, ...extra },
      );
      expect(r.stdout, JSON.stringify(extra)).not.toContain('\u001b[');
    }
  });
});

describe('audit --quiet', () => {
  const repo = contaminated();
  it('does not point at "each change above" that it did not list', () => {
    const r = repo.cleanroom(['audit', '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('each change above');
    expect(r.stdout).toContain('run without --quiet');
  });
  it('control: without --quiet the changes are listed and named', () => {
    const r = repo.cleanroom(['audit']);
    expect(r.stdout).toContain('each change above');
    expect(r.stdout).toContain('evals/tasks/q1.json');
  });
});

describe('policy test reports every bad case, with did-you-mean, like policy validate', () => {
  it('four bad cases and an unknown tool: all five, in line order, each with did-you-mean', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write(
      '.cleanroom/policy.test.yaml',
      'cases:\n  - { path: a, tool: claude-code, expect: denied }\n  - { path: b, tool: codx, expect: deny }\n  - { path: c, tool: codex, expcet: deny }\n  - { path: d, read: dney }\n',
    );
    const r = repo.cleanroom(['policy', 'test']);
    expect(r.code).toBe(2);
    const file = join(repo.dir, '.cleanroom', 'policy.test.yaml');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('cleanroom: '));
    expect(lines).toEqual([
      `cleanroom: ${file}:2:43: expect must be deny, review or allow (found "denied") — did you mean "deny"?`,
      `cleanroom: ${file}:3:22: unknown tool "codx" — did you mean "codex"?`,
      `cleanroom: ${file}:4:5: each case needs expect: deny|review|allow or read: deny|allow`,
      `cleanroom: ${file}:4:37: unknown key "expcet" — did you mean "expect"? (allowed: path, tool, expect, read)`,
      `cleanroom: ${file}:5:22: read must be deny or allow (found "dney") — did you mean "deny"?`,
    ]);
  });
  it('control: good cases run', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write(
      '.cleanroom/policy.test.yaml',
      'cases:\n  - { path: evals/tasks/q.json, tool: claude-code, expect: deny }\n',
    );
    expect(repo.cleanroom(['policy', 'test'])).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('all 1 cases pass'),
    });
  });
});

describe('grants', () => {
  it('review request in trailer mode says the signed review will not count', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/harness/run.py', 'x\n');
    repo.git('add', '-A');
    const r = repo.cleanroom(['review', 'request']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      'review.mode is trailer: a signed Cleanroom-Review trailer will NOT count',
    );
    expect(r.stderr).toContain('"Reviewed-by: Name <email>"');
  });
  it('control: in signed mode, no warning', () => {
    const repo = repoWithPolicy({
      init: false,
      policy: POLICY.replace(
        /review:[\s\S]*$/,
        'review:\n  mode: signed\n  reviewers: .cleanroom/reviewers\n',
      ),
    });
    repo.write('evals/harness/run.py', 'x\n');
    repo.git('add', '-A');
    const r = repo.cleanroom(['review', 'request']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });
  it('override sign with empty input: "the request is empty", pointing at the failed request', () => {
    const repo = repoWithPolicy({ init: false });
    const r = repo.cleanroom(['override', 'sign', '--key', 'k'], { input: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('override sign: the request is empty');
    expect(r.stderr).not.toContain('not a cleanroom request');
  });
  it('control: text that is not a request is still "not a cleanroom request"', () => {
    const repo = repoWithPolicy({ init: false });
    expect(
      repo.cleanroom(['override', 'sign', '--key', 'k'], { input: 'hello\n' }).stderr,
    ).toContain('not a cleanroom request');
  });
});

describe('init and doctor: the repository id', () => {
  const initIn = (
    setup: (repo: TestRepo) => void,
  ): { stdout: string; stderr: string; policy: string; repo: TestRepo } => {
    const repo = TestRepo.init();
    repo.write('README.md', '# x\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'x');
    setup(repo);
    const r = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'none']);
    expect(r.code, r.stderr).toBe(0);
    return {
      ...r,
      policy: readFileSync(join(repo.dir, '.cleanroom', 'policy.yaml'), 'utf8'),
      repo,
    };
  };

  it('origin is a local path: says so, not "no origin remote"', () => {
    const r = initIn((repo) => repo.git('remote', 'add', 'origin', '/srv/git/metacode.git'));
    const out = r.stdout + r.stderr;
    expect(out).toContain('origin is "/srv/git/metacode.git", which names no host/path');
    expect(out).not.toContain('no origin remote');
  });

  it('origin rewritten by url.insteadOf to a local mirror: the id comes from the URL as configured', () => {
    const r = initIn((repo) => {
      repo.git('remote', 'add', 'origin', 'https://github.com/acme/metacode.git');
      repo.git('config', 'url./srv/mirror/.insteadOf', 'https://github.com/');
    });
    expect(r.policy).toContain('repository: github.com/acme/metacode');
  });

  it('an insteadOf alias (gh:acme/x) is resolved to its host', () => {
    const r = initIn((repo) => {
      repo.git('remote', 'add', 'origin', 'gh:acme/metacode');
      repo.git('config', 'url.git@github.com:.insteadOf', 'gh:');
    });
    expect(r.policy).toContain('repository: github.com/acme/metacode');
  });

  it('control: no origin at all is "no origin remote"', () => {
    const r = initIn(() => undefined);
    expect(r.stdout + r.stderr).toContain('no origin remote');
  });

  it('doctor does not show ✓ alone for the local/… placeholder', () => {
    const { repo } = initIn(() => undefined);
    const d = repo.cleanroom(['doctor']);
    expect(d.stdout).toMatch(/^! repository: local\/\S+ is init's placeholder/m);
  });
});

describe('the decision log: one shape for every line', () => {
  it('a fail-safe reject has the keys of a normal decision (policy, reason, refs[].violations …)', () => {
    const s = protectedServer();
    agentCommit(s.work, 'evals/tasks/q1.json', '{}\n');
    expect(s.work.tryGit(['push', '-q', '--no-verify', 'origin', 'main']).code).not.toBe(0);
    s.server.git('config', 'cleanroom.policy', join(tempDir(), 'missing.yaml'));
    expect(s.work.tryGit(['push', '-q', '--no-verify', 'origin', 'main']).code).not.toBe(0);
    const [normal, failSafe] = readFileSync(s.log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown> & { refs: Record<string, unknown>[] });
    expect(normal!.reason).toBeNull();
    expect(typeof failSafe!.reason).toBe('string');
    expect(Object.keys(failSafe!).sort()).toEqual(Object.keys(normal!).sort());
    expect(Object.keys(failSafe!.refs[0]!).sort()).toEqual(Object.keys(normal!.refs[0]!).sort());
  });
});

describe('the pre-commit heads-up', () => {
  // An agent (Claude Code) writes outside every zone, the hook records it in the ledger,
  // and a human moves the file into a deny zone: the ledger finding is what the heads-up is for.
  function launder(): ReturnType<typeof world> {
    const w = world();
    const content =
      '{"id": "g1", "question": "A farmer has 17 sheep; all but 9 run away. How many are left?"}\n';
    const abs = join(w.repo.dir, 'scratch', 'q1.json');
    expect(
      hook(
        w.repo,
        'claude',
        payload('claude', 'PreToolUse-Write', w.repo, (o) =>
          Object.assign(o.tool_input, { file_path: abs, content }),
        ),
      ).code,
    ).toBe(0);
    w.repo.write('scratch/q1.json', content);
    expect(
      hook(
        w.repo,
        'claude',
        payload('claude', 'PostToolUse-Write', w.repo, (o) =>
          Object.assign(o.tool_input, { file_path: abs, content }),
        ),
      ).code,
    ).toBe(0);
    mkdirSync(join(w.repo.dir, 'evals', 'tasks'), { recursive: true });
    renameSync(abs, join(w.repo.dir, 'evals', 'tasks', 'q1.json'));
    w.repo.git('add', 'evals/tasks/q1.json');
    return w;
  }

  it('is not printed when the message carries a valid override', () => {
    const w = launder();
    const trailer = grant(w, 'override');
    const r = w.repo.commit('Add task', { add: [], args: ['--trailer', trailer] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('heads-up');
  });

  it('control: without the override it is printed, and the commit is refused', () => {
    const w = launder();
    const r = w.repo.commit('Add task', { add: [] });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cleanroom: heads-up — 1 staged change in eval-tasks (deny)');
  });
});
