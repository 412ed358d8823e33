// The server is where "bypassed only with a signed override" must hold: real `git push`
// into bare repositories whose pre-receive hook runs the built CLI.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy, tempDir, TestRepo } from '../../helpers/repo.js';
import {
  agentCommit,
  CLAUDE,
  humanCommit,
  protectedServer,
  serverRef,
  type Server,
} from '../../helpers/server.js';

afterAll(removeTempDirs);

type Setup = Server;
const setup = protectedServer;

describe('pre-receive: what it rejects', () => {
  it('rejects an AI commit into a deny zone and stores nothing of it (refs unchanged)', () => {
    const s = setup();
    const before = serverRef(s, 'main');
    const bad = agentCommit(s.work, 'evals/tasks/q1.json', '{"q": 1}\n');
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pre-receive hook declined');
    expect(r.stderr).toContain('evals/tasks/q1.json');
    expect(r.stderr).toContain('zone eval-tasks (deny) · tool claude-code');
    expect(r.stderr).toContain(CLAUDE);
    expect(serverRef(s, 'main')).toBe(before);
    expect(s.server.tryGit(['cat-file', '-e', bad]).code).not.toBe(0); // quarantine discarded
    const entries = readFileSync(s.log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entries.at(-1)).toMatchObject({
      decision: 'reject',
      refs: [
        {
          ref: 'refs/heads/main',
          violations: [{ path: 'evals/tasks/q1.json', zone: 'eval-tasks', tool: 'claude-code' }],
        },
      ],
    });
  });

  it('accepts a clean push, and an AI change outside every zone', () => {
    const s = setup();
    humanCommit(s.work, 'evals/tasks/q1.json', 'written by a human\n');
    agentCommit(s.work, 'src/app.ts', 'export {}\n');
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code, r.stderr).toBe(0);
    expect(serverRef(s, 'main')).toBe(s.work.head());
    expect(JSON.parse(readFileSync(s.log, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({
      decision: 'accept',
    });
  });

  it('rejects a new branch of 30 commits of which one is bad', () => {
    const s = setup();
    s.work.git('checkout', '-q', '-b', 'feature');
    for (let i = 0; i < 30; i++) {
      if (i === 17) agentCommit(s.work, 'data/train/shard.jsonl', `row ${i}\n`);
      else humanCommit(s.work, `src/f${i}.txt`, `${i}\n`);
    }
    const r = s.work.tryGit(['push', 'origin', 'feature']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('data/train/shard.jsonl');
    expect(r.stderr).toContain('training-data');
    expect(serverRef(s, 'refs/heads/feature')).toBe('');
  });

  it('judges a force push on what it makes reachable', () => {
    const s = setup();
    humanCommit(s.work, 'src/a.txt', 'a\n');
    expect(s.work.tryGit(['push', 'origin', 'main']).code).toBe(0);
    s.work.git('reset', '-q', '--hard', 'HEAD~1');
    agentCommit(s.work, 'evals/tasks/forced.json', '{}\n');
    const r = s.work.tryGit(['push', '--force', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/forced.json');
    s.work.git('reset', '-q', '--hard', 'HEAD~1');
    humanCommit(s.work, 'src/b.txt', 'b\n');
    expect(s.work.tryGit(['push', '--force', 'origin', 'main']).code).toBe(0);
  });

  it('rejects lightweight and annotated tags that point at a bad commit', () => {
    const s = setup();
    const bad = agentCommit(s.work, 'evals/tasks/tagged.json', '{}\n');
    s.work.git('reset', '-q', '--hard', 'HEAD~1');
    s.work.git('tag', 'light', bad);
    s.work.git('tag', '-a', '-m', 'annotated', 'heavy', bad);
    for (const tag of ['light', 'heavy']) {
      const r = s.work.tryGit(['push', 'origin', `refs/tags/${tag}`]);
      expect(r.code, tag).not.toBe(0);
      expect(r.stderr).toContain('evals/tasks/tagged.json');
    }
    expect(s.server.tryGit(['tag', '-l']).stdout.trim()).toBe('');
  });

  it('does not trust hidden refs: a bad commit parked on refs/pull/* is still judged when pushed to a branch', () => {
    const s = setup();
    s.server.git('config', 'receive.hideRefs', 'refs/pull');
    const bad = agentCommit(s.work, 'evals/tasks/laundered.json', '{}\n');
    // The hosting platform (not a push through this hook) writes pull-request refs.
    s.server.git('fetch', '-q', s.work.dir, `${bad}:refs/pull/1/head`);
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/laundered.json');
    expect(serverRef(s, 'main')).not.toBe(bad);
  });

  it('rejects a push that weakens .cleanroom/policy.yaml and adds AI content in the same push', () => {
    const s = setup();
    s.work.write('.cleanroom/policy.yaml', POLICY.replace(/ai: deny/g, 'ai: allow'));
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'relax the policy');
    agentCommit(s.work, 'evals/tasks/q9.json', '{}\n');
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('.cleanroom/policy.yaml');
    expect(r.stderr).toContain('cleanroom-config');
    expect(r.stderr).toContain('1 unapproved change to the cleanroom policy');
    expect(r.stderr).toContain(
      'with no approver yet, the admin commits the first approvers file before installing the server hook',
    );
    expect(r.stderr).toContain('evals/tasks/q9.json'); // judged with the policy from before the push
  });

  it('rejects a pushed policy that does not validate, naming FILE:LINE:COL', () => {
    const s = setup();
    s.work.write('.cleanroom/policy.yaml', POLICY.replace('ai: review', 'ai: reveiw'));
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'typo');
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/main:\.cleanroom\/policy\.yaml:\d+:\d+: "reveiw" is not allowed/);
  });

  it('works the same in a sha256 repository', () => {
    const s = setup({ objectFormat: 'sha256' });
    const bad = agentCommit(s.work, 'evals/tasks/q1.json', '{}\n');
    expect(bad).toHaveLength(64);
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/q1.json');
    s.work.git('reset', '-q', '--hard', 'HEAD~1');
    humanCommit(s.work, 'evals/tasks/q1.json', 'human\n');
    expect(s.work.tryGit(['push', 'origin', 'main']).code).toBe(0);
  });

  it('judges 8 concurrent pushes to different branches each on its own commits', async () => {
    const s = setup();
    const clones: { repo: TestRepo; bad: boolean; branch: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const dir = tempDir();
      s.work.git('clone', '-q', s.server.dir, dir);
      const repo = new TestRepo(dir);
      const branch = `b${i}`;
      repo.git('checkout', '-q', '-b', branch);
      const bad = i % 2 === 1;
      if (bad) agentCommit(repo, `evals/tasks/t${i}.json`, `${i}\n`);
      else humanCommit(repo, `evals/tasks/t${i}.json`, `${i}\n`);
      clones.push({ repo, bad, branch });
    }
    const results = await Promise.all(
      clones.map(
        (c) =>
          new Promise<number>((resolve) => {
            const p = spawn('git', ['push', '-q', 'origin', c.branch], {
              cwd: c.repo.dir,
              env: c.repo.env,
              stdio: 'ignore',
            });
            p.on('close', (code) => resolve(code ?? -1));
          }),
      ),
    );
    clones.forEach((c, i) => {
      expect(results[i] === 0, c.branch).toBe(!c.bad);
      expect(serverRef(s, `refs/heads/${c.branch}`) !== '', c.branch).toBe(!c.bad);
    });
    const lines = readFileSync(s.log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.decision === 'reject')).toHaveLength(4);
  });

  it('lets branch deletions through', () => {
    const s = setup();
    s.work.git('push', '-q', 'origin', 'main:refs/heads/old');
    expect(s.work.tryGit(['push', 'origin', '--delete', 'old']).code).toBe(0);
    expect(serverRef(s, 'refs/heads/old')).toBe('');
  });
});

describe('pre-receive: hostile input and failure modes (run directly, as git would)', () => {
  const run = (s: Setup, input: string, env: Record<string, string> = {}, args: string[] = []) =>
    s.work.cleanroom(['pre-receive', ...args], {
      cwd: s.server.dir,
      input,
      env: { ...s.work.env, ...env },
    });

  it('rejects garbage lines and unknown object ids with a clear message, never a stack', () => {
    const s = setup();
    for (const input of [
      'hello world\n',
      `${'0'.repeat(40)} ${'a'.repeat(40)}\n`,
      `${'0'.repeat(40)} ${'f'.repeat(40)} refs/heads/x\n`,
      `${'0'.repeat(40)} ${'f'.repeat(40)} refs/heads/../x\n`,
    ]) {
      const r = run(s, input);
      expect(r.code, input).toBe(2);
      expect(r.stderr).toMatch(/push rejected — the check could not be completed/);
      expect(r.stderr).not.toContain('    at ');
    }
  });

  // The input is read before the configuration (its ids are peeled in the rev-parse that
  // opens the repository): refusing too large an input must still honour the configured
  // log and fail-open, as any other failure does.
  it('an input larger than 4 MiB is refused after the configuration is read: its log and fail-open apply', () => {
    const s = setup();
    const main = serverRef(s, 'main');
    const big = `${main} ${main} refs/heads/other\n`.repeat(Math.ceil((4 * 1024 * 1024) / 80) + 10);
    const log = join(s.server.dir, 'big-input.jsonl');
    s.server.git('config', 'cleanroom.log', log);
    const closed = run(s, big);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('pre-receive input is larger than 4194304 bytes');
    expect(readFileSync(log, 'utf8')).toContain('"decision":"reject"');
    s.server.git('config', 'cleanroom.failopen', 'true');
    const open = run(s, big);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('fail open');
    expect(readFileSync(log, 'utf8')).toContain('"decision":"accept-fail-open"');
    // Control: a small input of the same lines is judged (and passes).
    s.server.git('config', '--unset', 'cleanroom.failopen');
    expect(run(s, `${main} ${main} refs/heads/other\n`).code).toBe(0);
  });

  it('speaks GitLab: every line carries GL-HOOK-ERR: and names the pusher', () => {
    const s = setup();
    const bad = agentCommit(s.work, 'evals/tasks/q1.json', '{}\n');
    const main = serverRef(s, 'main');
    // The objects are in the server repository, unreferenced, as receive-pack leaves them for the hook.
    s.server.git('fetch', '-q', s.work.dir, `${bad}:refs/tmp/x`);
    s.server.git('update-ref', '-d', 'refs/tmp/x');
    const r = run(s, `${main} ${bad} refs/heads/main\n`, {
      GL_ID: 'user-7',
      GL_USERNAME: 'mallory',
      GL_PROTOCOL: 'ssh',
    });
    expect(r.code).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.trim());
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l).toMatch(/^GL-HOOK-ERR: /);
    expect(r.stderr).toContain('pushed by mallory');
  });

  it('fails closed when the policy cannot be read, and open only when the admin asks', () => {
    const s = setup();
    const main = serverRef(s, 'main');
    const input = `${main} ${main} refs/heads/other\n`;
    const closed = run(s, input, {}, ['--policy', '/nonexistent/policy.yaml']);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toContain('fails closed');
    const open = run(s, input, {}, ['--policy', '/nonexistent/policy.yaml', '--fail-open']);
    expect(open.code).toBe(0);
    expect(open.stderr).toContain('fail open');
  });

  it('rejects when the deadline passes', () => {
    const s = setup();
    s.work.git('checkout', '-q', '-b', 'many');
    for (let i = 0; i < 5; i++) humanCommit(s.work, `src/${i}.txt`, `${i}\n`);
    s.server.git('fetch', '-q', s.work.dir, 'many:refs/heads/staging');
    const tip = serverRef(s, 'refs/heads/staging');
    s.server.git('update-ref', '-d', 'refs/heads/staging');
    const r = run(s, `${'0'.repeat(40)} ${tip} refs/heads/many\n`, {}, ['--deadline', '0.001']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did not finish within');
  });

  it('install-server warns when the default branch has no policy yet (every push would be rejected)', () => {
    const server = TestRepo.init({ bare: true });
    const r = server.cleanroom(['install-server', '.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '! refs/heads/main has no .cleanroom/policy.yaml yet: until it does, every push is rejected',
    );
    expect(readFileSync(join(server.dir, 'hooks', 'pre-receive'), 'utf8')).toContain(
      'CLEANROOM=0 on a client does not skip it',
    );
  });

  it('install-server names the symbolic-ref fix when HEAD names a missing branch and another holds the policy', () => {
    // `git init --bare` without init.defaultBranch: HEAD names master, the team pushes main.
    const server = TestRepo.init({ bare: true, branch: 'master' });
    const work = repoWithPolicy({ init: false });
    work.git('push', '-q', server.dir, 'main');
    const r = server.cleanroom(['install-server', '.']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('! refs/heads/master has no .cleanroom/policy.yaml yet');
    expect(r.stdout).toContain(
      `refs/heads/master does not exist; refs/heads/main holds the policy. If it is the default branch, point HEAD at it: git --git-dir ${server.dir} symbolic-ref HEAD refs/heads/main`,
    );
    // The command it names is the fix: afterwards nothing is missing.
    server.git('symbolic-ref', 'HEAD', 'refs/heads/main');
    const again = server.cleanroom(['install-server', '.']);
    expect(again.stdout).not.toContain('has no .cleanroom/policy.yaml yet');
    expect(again.stdout).not.toContain('symbolic-ref');
  });

  it('pre-receive names the symbolic-ref fix when the default branch does not exist', () => {
    const server = TestRepo.init({ bare: true, branch: 'master' });
    const work = repoWithPolicy({ init: false });
    work.git('push', '-q', server.dir, 'main');
    const main = server.git('rev-parse', 'refs/heads/main').trim();
    const r = server.cleanroom(['pre-receive'], { input: `${main} ${main} refs/heads/main\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the default branch (refs/heads/master) does not exist yet');
    expect(r.stderr).toContain('points HEAD at it: git symbolic-ref HEAD refs/heads/BRANCH');
  });

  it('pre-receive: a default branch without a policy names no symbolic-ref (control)', () => {
    const server = TestRepo.init({ bare: true });
    const work = TestRepo.init();
    work.write('README.md', 'x\n').commit('readme', { args: ['--no-verify'] });
    work.git('push', '-q', server.dir, 'main');
    const main = server.git('rev-parse', 'refs/heads/main').trim();
    const r = server.cleanroom(['pre-receive'], { input: `${main} ${main} refs/heads/main\n` });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'the default branch (refs/heads/main) has no .cleanroom/policy.yaml',
    );
    expect(r.stderr).not.toContain('symbolic-ref');
  });

  it('install-server on an empty server names no branch to point HEAD at (control)', () => {
    const server = TestRepo.init({ bare: true });
    const r = server.cleanroom(['install-server', '.']);
    expect(r.stdout).toContain('! refs/heads/main has no .cleanroom/policy.yaml yet');
    expect(r.stdout).not.toContain('symbolic-ref');
  });

  it('refuses to start without a trusted policy (empty server, no configuration)', () => {
    const server = TestRepo.init({ bare: true });
    const r = server.cleanroom(['pre-receive'], {
      input: `${'0'.repeat(40)} ${'1'.repeat(40)} refs/heads/main\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no trusted policy');
    expect(r.stderr).toContain('git config cleanroom.policy');
  });
});
