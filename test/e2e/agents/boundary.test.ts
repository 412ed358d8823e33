// Issue 15 §1 and §2: nothing the agent can do from inside its own session switches
// cleanroom off. Every command runs through the entry `cleanroom init --agents` wires
// (the built dist/agent-hook.cjs, through `sh -c`, as Claude Code runs it), with a
// Claude Code Bash payload; beside each refusal, the ordinary call still passes.

import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  type Run,
  type TestRepo,
} from '../../helpers/repo.js';
import { bash, humanTask, payload, runWired, wiredCommand } from './world.js';

afterAll(removeTempDirs);

/** Claude Code's reading of a reply: exit 2 blocks. */
const refused = (r: Run): boolean => r.code === 2;

function agentRepo(): { repo: TestRepo; run: (input: string) => Run } {
  const repo = repoWithPolicy();
  const init = repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code']);
  if (init.code !== 0) throw new Error(init.stderr);
  humanTask(repo);
  repo.write('drafts/q.json', '{"question": "drafted by the agent"}\n');
  const command = wiredCommand(repo, 'claude-code');
  return {
    repo,
    run: (input) =>
      runWired(repo, command, input, {
        env: { ...repo.env, CLAUDE_PROJECT_DIR: repo.dir, CLAUDECODE: '1' },
      }),
  };
}

describe('§1 the agent cannot drop its own provenance', { timeout: 180_000 }, () => {
  let w: ReturnType<typeof agentRepo>;
  beforeAll(() => {
    w = agentRepo();
  });

  const refusedCommands: [string, string][] = [
    ['CLEANROOM=0 git commit -m x', 'CLEANROOM'],
    ['env -u CLAUDECODE git commit -m x', 'CLAUDECODE'],
    ['git -c core.hooksPath=/dev/null commit -m x', 'core.hookspath'],
    ['git commit --no-verify -m x', '--no-verify'],
    ['git commit -nm x', '--no-verify'],
    ['git commit --no-veri -m x', '--no-verify'],
    ['git commit -am x -n', '--no-verify'],
    ['HUSKY=0 git commit -m x', 'HUSKY'],
    [
      'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.hooksPath GIT_CONFIG_VALUE_0=/dev/null git commit -m x',
      'GIT_CONFIG',
    ],
    [
      "export GIT_CONFIG_PARAMETERS=\"'core.hooksPath'='/x'\" && git commit -m x",
      'GIT_CONFIG_PARAMETERS',
    ],
    ['git config core.hooksPath /dev/null', 'core.hooksPath'],
    ['git config --unset core.hooksPath', 'core.hooksPath'],
    ['git config alias.ci "commit --no-verify"', 'alias.ci'],
    ['unset CLAUDECODE; git commit -m x', 'CLAUDECODE'],
    ['CLAUDECODE= git commit -m x', 'CLAUDECODE'],
    ['env -i PATH="$PATH" git commit -m x', 'env -i'],
    ['git push --no-verify origin main', '--no-verify'],
    ['bash -c "git commit --no-verify -m x"', '--no-verify'],
    ['rm .git/hooks/commit-msg', '.git/hooks/commit-msg'],
    ['chmod -x .git/hooks/prepare-commit-msg', '.git/hooks/prepare-commit-msg'],
    ['echo "exit 0" > .git/hooks/commit-msg', '.git/hooks/commit-msg'],
    ['git commit-tree HEAD^{tree} -m x', 'commit-tree'],
    ['git filter-branch --msg-filter cat HEAD', 'filter-branch'],
  ];
  for (const [command, named] of refusedCommands) {
    it(`refused: ${command}`, () => {
      const r = w.run(bash(w.repo, command));
      expect([command, refused(r)]).toEqual([command, true]);
      expect(r.stderr.toLowerCase()).toContain(named.toLowerCase());
    });
  }

  it('control: the ordinary commit, push and config reads pass', () => {
    for (const command of [
      'git commit -m x',
      'git add -A && git commit -m "Add the scorer"',
      'git push origin main',
      'git config --get core.hooksPath',
      'git log --oneline',
      'cat .git/HEAD',
      'npm test',
    ]) {
      expect([command, w.run(bash(w.repo, command)).code]).toEqual([command, 0]);
    }
  });

  const attestations = [
    'git commit --trailer "Reviewed-by: Made Up Person <nobody@example.invalid>" -m x',
    'git commit -m "x\n\nReviewed-by: Made Up Person <nobody@example.invalid>"',
    'git commit --trailer "Cleanroom-Override: fake" -m x',
    'git commit --trailer reviewed-by=someone -m x',
    "printf 'x\\n\\nReviewed-by: A <a@b.c>\\n' > /tmp/m && git commit -F /tmp/m",
    'git interpret-trailers --trailer "Cleanroom-Review: v1 x" --in-place .git/COMMIT_EDITMSG',
  ];
  for (const command of attestations) {
    it(`refused, an attestation typed by the agent: ${command.split('\n')[0]}`, () => {
      const r = w.run(bash(w.repo, command));
      expect(refused(r)).toBe(true);
      expect(r.stderr).toMatch(/only a human reviewer|review/);
    });
  }

  it('refused: -F names a message file the agent wrote earlier with a review line', () => {
    writeFileSync(
      join(w.repo.dir, 'msg.txt'),
      'Add the scorer\n\nReviewed-by: Made Up Person <nobody@example.invalid>\n',
    );
    const r = w.run(bash(w.repo, 'git commit -F msg.txt'));
    expect(refused(r)).toBe(true);
    expect(r.stderr).toContain('msg.txt carries a "Reviewed-by:" line');
    writeFileSync(join(w.repo.dir, 'msg.txt'), 'Add the scorer\n');
    expect(w.run(bash(w.repo, 'git commit -F msg.txt')).code).toBe(0); // control
  });

  it("refused: the same switches inside another program's string, or in a script the command runs", () => {
    for (const command of [
      'python3 -c "import os; os.system(\'git commit --no-verify -m x\')"',
      "node -e \"require('child_process').execSync('HUSKY=0 git commit -m x')\"",
    ]) {
      expect([command, refused(w.run(bash(w.repo, command)))]).toEqual([command, true]);
    }
    writeFileSync(join(w.repo.dir, 'ship.sh'), '#!/bin/sh\nCLEANROOM=0 git commit -m "ship it"\n');
    for (const command of ['sh ship.sh', 'bash ./ship.sh', 'source ship.sh', './ship.sh']) {
      const r = w.run(bash(w.repo, command));
      expect([command, refused(r)]).toEqual([command, true]);
      expect(r.stderr).toContain('the script');
    }
    writeFileSync(join(w.repo.dir, 'ok.sh'), '#!/bin/sh\ngit status\n');
    expect(w.run(bash(w.repo, 'sh ok.sh')).code).toBe(0); // control
  });

  it("refused even when the session's cwd is outside the repository (the hook runs in the project)", () => {
    const r = w.run(
      bash(w.repo, `cd ${w.repo.dir} && git commit --no-verify -m x`).replace(
        JSON.stringify(w.repo.dir),
        JSON.stringify(tempDir()),
      ),
    );
    expect(refused(r)).toBe(true);
  });

  it('control: searching history for review lines is allowed', () => {
    expect(w.run(bash(w.repo, 'git log --grep="Reviewed-by:" --oneline')).code).toBe(0);
  });
});

describe(
  '§1 a review line on a commit made in an agent session counts only if signed',
  { timeout: 180_000 },
  () => {
    const REVIEW = 'Reviewed-by: Made Up Person <nobody@example.invalid>';
    it('typed in the agent session (CLAUDECODE=1): commit-msg refuses it; with --no-verify the commit carries the session and CI refuses it', () => {
      const repo = repoWithPolicy();
      repo.write('evals/harness/score.py', 'print("score")\n');
      const agentEnv = { ...repo.env, CLAUDECODE: '1' };
      const c = repo.commit('scorer', {
        add: ['evals/harness/score.py'],
        args: ['--trailer', REVIEW],
        env: agentEnv,
      });
      expect(c.code).not.toBe(0);
      expect(c.stderr).toContain(
        "is not counted: this commit was made in an agent's session (claude-code)",
      );

      const nv = repo.commit('scorer', {
        add: ['evals/harness/score.py'],
        args: ['--no-verify', '--trailer', REVIEW],
        env: agentEnv,
      });
      expect(nv.code, nv.stderr).toBe(0);
      expect(repo.lastMessage()).toMatch(/^Cleanroom-Agent-Session: claude-code$/m);
      const check = repo.cleanroom(['check', '--commit', 'HEAD', '--format', 'json']);
      expect(check.code).toBe(1);
      expect(JSON.parse(check.stdout).violations[0]).toMatchObject({
        path: 'evals/harness/score.py',
        zone: 'eval-harness',
        verdict: 'review',
      });
    });

    it('the printed way out for a committed agent-session change works as printed', () => {
      // A newcomer ran the printed "git commit --amend --trailer Reviewed-by…" from their
      // own shell: --amend kept the Cleanroom-Agent-Session line, so the review was not
      // counted again. The printed command drops that line.
      const repo = repoWithPolicy();
      repo.write('evals/harness/score.py', 'print("score")\n');
      const nv = repo.commit('scorer', {
        add: ['evals/harness/score.py'],
        args: ['--no-verify'],
        env: { ...repo.env, CLAUDECODE: '1' },
      });
      expect(nv.code, nv.stderr).toBe(0);
      expect(repo.lastMessage()).toMatch(/^Cleanroom-Agent-Session: claude-code$/m);
      const before = repo.cleanroom(['check', '--commit', 'HEAD']);
      expect(before.code).toBe(1);
      const printed =
        /(git log -1 --format=%B \| grep -v '\^Cleanroom-Agent-Session:' \| git commit --amend -F - --trailer "Reviewed-by: Name <email>")/.exec(
          before.stderr,
        );
      expect(printed, before.stderr).not.toBeNull();
      const cmd = printed![1]!.replace('Name <email>', 'Riley Reviewer <riley@example.org>');
      const amend = spawnSync('sh', ['-c', cmd], {
        cwd: repo.dir,
        env: repo.env,
        encoding: 'utf8',
      });
      expect(amend.status, amend.stderr).toBe(0);
      expect(repo.lastMessage()).not.toMatch(/Cleanroom-Agent-Session/);
      const after = repo.cleanroom(['check', '--commit', 'HEAD']);
      expect(after.code, after.stderr).toBe(0);
    });

    it('before any review line is typed, the block already says a typed one will not count here', () => {
      // A newcomer followed the first message's "git commit --trailer Reviewed-by…" in the
      // agent's session and was refused again; the way out is the human's own shell.
      const repo = repoWithPolicy();
      repo.write('evals/harness/score.py', 'print("score")\n');
      const c = repo.commit('scorer', {
        add: ['evals/harness/score.py'],
        env: { ...repo.env, CLAUDECODE: '1' },
      });
      expect(c.code).not.toBe(0);
      expect(c.stderr).toContain("a trailer typed in an agent's session does not count");
      expect(c.stderr).not.toContain('review zones: a human reviews every line, then');
    });

    it("control: a human commits the agent's reviewed work from their own shell, and the review counts", () => {
      const repo = repoWithPolicy();
      repo.write('evals/harness/score.py', 'print("score")\n');
      const c = repo.commit('scorer', {
        add: ['evals/harness/score.py'],
        args: [
          '--trailer',
          'Assisted-by: claude-code',
          '--trailer',
          'Reviewed-by: Rita Reviewer <rita@example.org>',
        ],
      });
      expect(c.code, c.stderr).toBe(0);
      expect(repo.cleanroom(['check', '--commit', 'HEAD']).code).toBe(0);
    });
  },
);

describe(
  "§2 the hook judges with the committed policy, not the agent's work tree",
  { timeout: 180_000 },
  () => {
    const write = (repo: TestRepo, path: string) =>
      payload('claude-code', 'PreToolUse-Write', repo, (o) =>
        Object.assign(o.tool_input, { file_path: join(repo.dir, path), content: '{}\n' }),
      );
    const read = (repo: TestRepo, path: string) =>
      payload(
        'claude-code',
        'PreToolUse-Read',
        repo,
        (o) => (o.tool_input = { file_path: join(repo.dir, path) }),
      );

    it('a weaker policy written into the work tree (sed -i by a script, say) changes nothing', () => {
      const { repo, run } = agentRepo();
      repo.write(
        '.cleanroom/policy.yaml',
        POLICY.replace(/ai: deny/g, 'ai: allow').replace('read: deny', 'read: allow'),
      );
      const r = run(write(repo, 'evals/tasks/q2.json'));
      expect(refused(r)).toBe(true);
      expect(r.stderr).toContain('zone "eval-tasks"');
      expect(r.stderr).toContain('differs from the committed policy');
      expect(refused(run(read(repo, 'evals/tasks/q1.json')))).toBe(true);
      expect(run(write(repo, 'src/a.ts')).code).toBe(0); // control
    });

    it('the agent may not write .cleanroom/, by any tool', () => {
      const { repo, run } = agentRepo();
      writeFileSync(join(tempDir(), 'p.yaml'), 'version: 1\n');
      for (const input of [
        write(repo, '.cleanroom/policy.yaml'),
        write(repo, '.cleanroom/reviewers'),
        bash(repo, 'cp -t .cleanroom /tmp/p.yaml'),
        bash(repo, "sed -i 's/ai: deny/ai: allow/' .cleanroom/policy.yaml"),
        bash(repo, 'git rm -r .cleanroom && git commit --no-verify -m x'),
        bash(repo, 'rm -rf .cleanroom'),
      ]) {
        const r = run(input);
        expect([input.slice(0, 200), refused(r)]).toEqual([input.slice(0, 200), true]);
      }
      expect(run(bash(repo, 'cat .cleanroom/policy.yaml')).code).toBe(0); // control: reading it is fine
    });

    it('git rm -r .cleanroom committed anyway: no "no policy anywhere" — every call fails closed', () => {
      const { repo, run } = agentRepo();
      repo.git('rm', '-q', '-r', '.cleanroom');
      repo.git('commit', '-q', '--no-verify', '-m', 'drop the policy');
      const r = run(write(repo, 'src/a.ts'));
      expect(refused(r)).toBe(true);
      expect(r.stderr).toContain('the committed policy was removed');
    });

    it('a staged stricter policy holds at once (a human staged it); the committed one still holds beside it', () => {
      const { repo, run } = agentRepo();
      expect(run(write(repo, 'src/a.ts')).code).toBe(0);
      const staged = POLICY.replace(
        'zones:\n',
        'zones:\n  - name: sources\n    paths: ["src/**"]\n    ai: deny\n',
      );
      repo.write('.cleanroom/policy.yaml', staged);
      repo.git('add', '.cleanroom/policy.yaml');
      expect(refused(run(write(repo, 'src/a.ts')))).toBe(true);
      expect(refused(run(write(repo, 'evals/tasks/q3.json')))).toBe(true);
    });

    for (const fake of ['evals/.git', 'evals/tasks/.git']) {
      for (const kind of ['an empty file', 'an empty directory']) {
        it(`${kind} at ${fake} does not make evals/ another repository`, () => {
          const { repo, run } = agentRepo();
          mkdirSync(join(repo.dir, fake, '..'), { recursive: true });
          if (kind === 'an empty file') writeFileSync(join(repo.dir, fake), '');
          else mkdirSync(join(repo.dir, fake));
          expect(refused(run(write(repo, 'evals/tasks/q2.json')))).toBe(true);
          expect(refused(run(read(repo, 'evals/tasks/q1.json')))).toBe(true);
          expect(run(write(repo, 'src/a.ts')).code).toBe(0); // control
          rmSync(join(repo.dir, fake), { recursive: true, force: true });
        });
      }
    }

    it('the agent may not create a .git anywhere, or edit its own hook config', () => {
      const { repo, run } = agentRepo();
      for (const input of [
        bash(repo, 'touch evals/.git'),
        bash(repo, 'mkdir -p evals/tasks/.git'),
        write(repo, 'evals/.git'),
        write(repo, '.claude/settings.json'),
        bash(repo, "echo '{}' > .claude/settings.json"),
        write(repo, '.husky/pre-commit'),
      ]) {
        expect([input.slice(0, 300), refused(run(input))]).toEqual([input.slice(0, 300), true]);
      }
    });
  },
);
