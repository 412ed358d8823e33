// `cleanroom init` wires the local hooks without clobbering anything: git's hooks
// directory (core.hooksPath, linked worktrees), husky's .husky/ with lint-staged still
// running, an existing hook chained. Running it twice changes nothing.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  CLI,
  expectCleanError,
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  ROOT,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';

// Real git and node processes: generous limits for loaded CI machines (the suite stays fast).
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
// applypatch-msg: `git am` runs no commit hook (issue 12). No pre-commit in git mode
// (issue 14 §1): it has nothing to judge, and its mere presence makes git read the index again.
const HOOKS = ['prepare-commit-msg', 'commit-msg', 'pre-push', 'applypatch-msg'];

/** Every file under `dir` with its bytes and mode, for "nothing changed" comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'objects' && e.name !== 'logs') walk(p);
      } else if (e.isFile()) {
        const st = statSync(p);
        out[p.slice(dir.length + 1)] =
          `${(st.mode & 0o777).toString(8)} ${st.mtimeMs} ${readFileSync(p).toString('base64')}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe('cleanroom init in a fresh repository', () => {
  it('writes the default policy and four git hooks, then blocks and passes commits', () => {
    const repo = TestRepo.init();
    const r = repo.cleanroom(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const dirName = repo.dir.split('/').pop()!;
    expect(r.stdout).toBe(
      [
        `! no origin remote: repository is "local/${dirName}" — set repository: in .cleanroom/policy.yaml to the id signatures should bind (e.g. github.com/acme/metacode) before anyone signs`,
        '+ .cleanroom/policy.yaml (preset eval-cleanroom) — edit the paths to your layout',
        '+ .cleanroom/policy.test.yaml — cases for `cleanroom policy test`',
        '+ .git/hooks/prepare-commit-msg — created',
        '+ .git/hooks/commit-msg — created',
        '+ .git/hooks/pre-push — created',
        '+ .git/hooks/applypatch-msg — created',
        '',
        'next: cleanroom doctor   (check the wiring)   ·   cleanroom explain PATH   ·   cleanroom policy test',
        '',
      ].join('\n'),
    );
    expect(readFileSync(join(repo.dir, '.cleanroom', 'policy.yaml'), 'utf8')).toContain(
      `repository: local/${dirName}\n`,
    );
    for (const h of HOOKS)
      expect(statSync(join(repo.dir, '.git', 'hooks', h)).mode & 0o111).not.toBe(0);
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(repo.cleanroom(['policy', 'test'])).toMatchObject({ code: 0 });
    expect(repo.commit('Add cleanroom').code).toBe(0);
    repo.write('evals/tasks/arith/q1.json', '{}\n');
    expect(repo.commit(`Add task\n\n${CLAUDE}`).code).toBe(1);
    expect(repo.commit('Add task by hand').code).toBe(0);
    expect(repo.cleanroom(['doctor']).code).toBe(0);
  });

  it('takes the repository id from the origin remote', () => {
    const repo = TestRepo.init();
    repo.git('remote', 'add', 'origin', 'git@github.com:Acme/MetaCode.git');
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    expect(readFileSync(join(repo.dir, '.cleanroom', 'policy.yaml'), 'utf8')).toContain(
      'repository: github.com/acme/metacode\n',
    );
  });

  it('running init twice changes nothing', () => {
    const repo = TestRepo.init();
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    const before = snapshot(repo.dir);
    const again = repo.cleanroom(['init']);
    expect(again.code).toBe(0);
    expect(again.stdout.split('\n').filter((l) => /^[+~=!] /.test(l))).toEqual([
      '= .cleanroom/policy.yaml (exists)',
      '= .git/hooks/prepare-commit-msg — unchanged',
      '= .git/hooks/commit-msg — unchanged',
      '= .git/hooks/pre-push — unchanged',
      '= .git/hooks/applypatch-msg — unchanged',
    ]);
    expect(snapshot(repo.dir)).toEqual(before);
  });

  it('not a git repository: exit 2, nothing written', () => {
    const dir = tempDir();
    const r = new TestRepo(dir).cleanroom(['init']);
    expectCleanError(r);
    expect(r.stderr).toContain('not a git repository');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown preset: exit 2, nothing written', () => {
    const repo = TestRepo.init();
    const before = snapshot(repo.dir);
    const r = repo.cleanroom(['init', '--preset', 'nope']);
    expectCleanError(r);
    expect(r.stderr).toBe(
      'cleanroom: init: unknown preset "nope"\n  → available: eval-cleanroom\n',
    );
    expect(snapshot(repo.dir)).toEqual(before);
  });
});

describe('an existing hook', () => {
  const USER_HOOK = `#!/bin/sh
echo "user commit-msg hook ran" >&2
if grep -q WIP "$1"; then echo "user hook: no WIP commits" >&2; exit 1; fi
`;
  function repoWithUserHook(): TestRepo {
    const repo = repoWithPolicy({ init: false });
    repo.write('.git/hooks/commit-msg', USER_HOOK, 0o755);
    const r = repo.cleanroom(['init', '--hooks', 'git']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '+ .git/hooks/commit-msg — chained after your existing hook (commit-msg.pre-cleanroom)',
    );
    return repo;
  }

  it('is kept byte for byte and chained: its output still appears, cleanroom still blocks', () => {
    const repo = repoWithUserHook();
    expect(readFileSync(join(repo.dir, '.git', 'hooks', 'commit-msg.pre-cleanroom'), 'utf8')).toBe(
      USER_HOOK,
    );
    repo.write('evals/tasks/q1.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('user commit-msg hook ran');
    expect(blocked.stderr).toContain('cleanroom: commit blocked');
    const ok = repo.commit('Add task by hand');
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('user commit-msg hook ran');
  });

  it("the user's hook still refuses what it refused", () => {
    const repo = repoWithUserHook();
    repo.write('src/a.ts', 'x\n');
    const r = repo.commit('WIP');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('user hook: no WIP commits');
  });

  it('init again after chaining changes nothing', () => {
    const repo = repoWithUserHook();
    const before = snapshot(join(repo.dir, '.git', 'hooks'));
    expect(repo.cleanroom(['init', '--hooks', 'git']).stdout).toContain(
      '= .git/hooks/commit-msg — unchanged',
    );
    expect(snapshot(join(repo.dir, '.git', 'hooks'))).toEqual(before);
  });

  it('a hook disabled with chmod -x stays disabled after init (git ignores it; so does the chain)', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('.git/hooks/commit-msg', '#!/bin/sh\necho "disabled hook ran" >&2\nexit 1\n', 0o644);
    repo.write('src/a.ts', 'before\n');
    expect(repo.commit('before init').code).toBe(0);
    expect(repo.cleanroom(['init', '--hooks', 'git', '-q']).code).toBe(0);
    repo.write('src/a.ts', 'after\n');
    const r = repo.commit('after init');
    expect(r.stderr).not.toContain('Permission denied');
    expect(r.stderr).not.toContain('disabled hook ran');
    expect(r.code).toBe(0);
    chmodSync(join(repo.dir, '.git', 'hooks', 'commit-msg.pre-cleanroom'), 0o755);
    repo.write('src/a.ts', 'enabled\n');
    const enabled = repo.commit('enabled again');
    expect(enabled.code).toBe(1);
    expect(enabled.stderr).toContain('disabled hook ran');
  });

  // Earlier versions wrote .git/hooks/pre-commit; a commit pays for it (git reads the index
  // again after any pre-commit hook) while it judges nothing. init takes it out again.
  const OLD_PRE_COMMIT = (shim: string) =>
    `#!/bin/sh\n# >>> cleanroom >>>\n# Added by \`cleanroom init\`; \`cleanroom doctor\` checks it. CLEANROOM=0 skips it, loudly.\n[ ! -f '${shim}' ] || exec '${shim}' "$@"\n# <<< cleanroom <<<\n`;

  it("an earlier version's pre-commit is removed by init; its chained user hook is put back byte for byte", () => {
    const shim = join(ROOT, 'hooks', 'pre-commit');
    const alone = repoWithPolicy({ init: false });
    alone.write('.git/hooks/pre-commit', OLD_PRE_COMMIT(shim), 0o755);
    expect(alone.cleanroom(['doctor']).stdout).toContain(
      '! pre-commit: installed by an earlier cleanroom, which needs it no more',
    );
    const r = alone.cleanroom(['init', '--hooks', 'git']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('- .git/hooks/pre-commit — removed');
    expect(existsSync(join(alone.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(alone.cleanroom(['doctor']).stdout).not.toContain('pre-commit');

    const user = '#!/bin/sh\necho "user pre-commit ran" >&2\n';
    const chained = repoWithPolicy({ init: false });
    chained.write('.git/hooks/pre-commit', OLD_PRE_COMMIT(shim), 0o755);
    chained.write('.git/hooks/pre-commit.pre-cleanroom', user, 0o755);
    const again = chained.cleanroom(['init', '--hooks', 'git']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('~ .git/hooks/pre-commit — your hook put back');
    expect(readFileSync(join(chained.dir, '.git', 'hooks', 'pre-commit'), 'utf8')).toBe(user);
    expect(existsSync(join(chained.dir, '.git', 'hooks', 'pre-commit.pre-cleanroom'))).toBe(false);
    chained.write('src/a.ts', '1\n');
    expect(chained.commit('by hand').stderr).toContain('user pre-commit ran');

    // A file that holds anything of the user's besides our block is left as it is (control).
    const mixed = repoWithPolicy({ init: false });
    const text = `${OLD_PRE_COMMIT(shim)}npx lint-staged\n`;
    mixed.write('.git/hooks/pre-commit', text, 0o755);
    expect(mixed.cleanroom(['init', '--hooks', 'git', '-q']).code).toBe(0);
    expect(readFileSync(join(mixed.dir, '.git', 'hooks', 'pre-commit'), 'utf8')).toBe(text);
  });

  it('a hook and a .pre-cleanroom file that are both foreign: init refuses and writes nothing', () => {
    const repo = TestRepo.init();
    repo.write('.git/hooks/pre-push', '#!/bin/sh\nexit 0\n', 0o755);
    repo.write('.git/hooks/pre-push.pre-cleanroom', '#!/bin/sh\nexit 0\n', 0o755);
    const before = snapshot(repo.dir);
    const r = repo.cleanroom(['init']);
    expectCleanError(r);
    expect(r.stderr).toContain("pre-push is not cleanroom's and");
    expect(r.stderr).toContain('nothing was written');
    expect(snapshot(repo.dir)).toEqual(before);
    expect(existsSync(join(repo.dir, '.cleanroom'))).toBe(false);
  });
});

describe('an existing pre-push hook', () => {
  it('both it and cleanroom read the pushed refs on stdin', () => {
    const remote = TestRepo.init({ bare: true });
    const repo = repoWithPolicy({ init: false });
    repo.write(
      '.git/hooks/pre-push',
      '#!/bin/sh\necho "user pre-push saw: $(cut -d" " -f1,3)" >&2\n',
      0o755,
    );
    expect(repo.cleanroom(['init', '--hooks', 'git', '-q']).code).toBe(0);
    repo.git('remote', 'add', 'origin', remote.dir);
    const first = repo.tryGit(['push', '-q', 'origin', 'main']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('user pre-push saw: refs/heads/main refs/heads/main');
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'T', '-m', CLAUDE);
    const second = repo.tryGit(['push', '-q', 'origin', 'main']);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('user pre-push saw: refs/heads/main refs/heads/main');
    expect(second.stderr).toContain('cleanroom: push rejected');
    expect(second.stderr).toContain('✗ evals/tasks/q1.json');
  });
});

describe('where git looks for hooks', () => {
  it('core.hooksPath: hooks go where git runs them, .git/hooks stays untouched', () => {
    const repo = repoWithPolicy({ init: false });
    repo.git('config', 'core.hooksPath', '.githooks');
    const before = snapshot(join(repo.dir, '.git', 'hooks'));
    const r = repo.cleanroom(['init', '--hooks', 'auto'], { cwd: join(repo.dir) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ .githooks/commit-msg — created');
    expect(snapshot(join(repo.dir, '.git', 'hooks'))).toEqual(before);
    repo.write('evals/tasks/q1.json', '{}\n');
    const c = repo.commit(`Add\n\n${CLAUDE}`, { add: ['evals/tasks/q1.json'] });
    expect(c.code).toBe(1);
    expect(c.stderr).toContain('✗ evals/tasks/q1.json');
  });

  it('a core.hooksPath from the global config is shared by every repository: init refuses, writes nothing', () => {
    const shared = tempDir();
    const globalConfig = join(tempDir(), 'gitconfig');
    writeFileSync(globalConfig, `[core]\n\thooksPath = ${shared}\n`);
    const repo = TestRepo.init();
    repo.env = { ...repo.env, GIT_CONFIG_GLOBAL: globalConfig };
    const r = repo.cleanroom(['init']);
    expectCleanError(r);
    expect(r.stderr).toContain(
      `git runs hooks from ${shared} (core.hooksPath in your global git config)`,
    );
    expect(r.stderr).toContain('nothing was written');
    expect(readdirSync(shared)).toEqual([]);
    expect(existsSync(join(repo.dir, '.cleanroom'))).toBe(false);
    // With a hooks directory of its own, init proceeds.
    repo.git('config', 'core.hooksPath', '.githooks');
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    expect(readdirSync(join(repo.dir, '.githooks')).sort()).toEqual([...HOOKS].sort());
    expect(readdirSync(shared)).toEqual([]);
  });

  it('a linked worktree shares the hooks and reads its own index and policy', () => {
    const repo = repoWithPolicy();
    const wtDir = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'side', wtDir);
    const wt = new TestRepo(wtDir, repo.env);
    wt.write('evals/tasks/q1.json', '{}\n');
    const blocked = wt.commit(`Add\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('✗ evals/tasks/q1.json');
    expect(wt.commit('Add by hand').code).toBe(0);
    expect(wt.git('log', '-1', '--format=%s', 'side')).toBe('Add by hand\n');
  });

  it('init run inside a linked worktree installs into the shared hooks directory', () => {
    const repo = repoWithPolicy({ init: false });
    const wtDir = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', '-b', 'side', wtDir);
    const wt = new TestRepo(wtDir, repo.env);
    const r = wt.cleanroom(['init', '--hooks', 'git']);
    expect(r.code, r.stderr).toBe(0);
    for (const h of HOOKS)
      expect(readFileSync(join(repo.dir, '.git', 'hooks', h), 'utf8')).toContain(
        '# >>> cleanroom >>>',
      );
    expect(existsSync(join(repo.dir, '.git', 'worktrees', 'wt', 'hooks'))).toBe(false);
    repo.write('evals/tasks/q1.json', '{}\n');
    expect(repo.commit(`Add\n\n${CLAUDE}`).code).toBe(1);
  });
});

describe('husky + lint-staged', () => {
  function huskyProject(): TestRepo {
    const repo = TestRepo.init();
    symlinkSync(join(ROOT, 'node_modules'), join(repo.dir, 'node_modules'));
    repo.write('.gitignore', 'node_modules\nlint-staged.log\n');
    repo.write(
      'package.json',
      JSON.stringify(
        { name: 'husky-project', private: true, 'lint-staged': { '*.json': 'node mark.cjs' } },
        null,
        2,
      ) + '\n',
    );
    // The lint-staged task leaves a marker naming the files it saw.
    repo.write(
      'mark.cjs',
      "const { appendFileSync } = require('fs');\nconst { basename } = require('path');\nappendFileSync('lint-staged.log', process.argv.slice(2).map((f) => basename(f)).join(' ') + '\\n');\n",
    );
    repo.write('.husky/pre-commit', 'lint-staged\n');
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'husky', 'bin.js')], {
      cwd: repo.dir,
      env: repo.env,
      stdio: 'pipe',
    });
    expect(repo.git('config', 'core.hooksPath')).toBe('.husky/_\n');
    return repo;
  }
  const marker = (repo: TestRepo) =>
    existsSync(join(repo.dir, 'lint-staged.log'))
      ? readFileSync(join(repo.dir, 'lint-staged.log'), 'utf8')
      : '';

  it('init goes into .husky/, above lint-staged, and both keep running', () => {
    const repo = huskyProject();
    const r = repo.cleanroom(['init']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+ .husky/pre-commit — added above your existing commands');
    expect(r.stdout).toContain('+ .husky/commit-msg — created');
    const preCommit = readFileSync(join(repo.dir, '.husky', 'pre-commit'), 'utf8');
    expect(preCommit.endsWith('# <<< cleanroom <<<\nlint-staged\n')).toBe(true);
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'commit-msg'))).toBe(false);

    expect(repo.commit('Set up').code).toBe(0);
    expect(marker(repo)).toBe('package.json\n');

    repo.write('evals/tasks/q1.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('cleanroom: commit blocked');
    expect(blocked.stderr).toContain('✗ evals/tasks/q1.json');
    expect(marker(repo)).toBe('package.json\nq1.json\n'); // lint-staged ran in pre-commit

    const ok = repo.commit('Add task by hand');
    expect(ok.code, ok.stderr).toBe(0);
    expect(marker(repo)).toBe('package.json\nq1.json\nq1.json\n');
    expect(repo.git('show', '--name-only', '--format=', 'HEAD')).toBe('evals/tasks/q1.json\n');
  });

  it('init twice in a husky project changes nothing; doctor sees husky active', () => {
    const repo = huskyProject();
    expect(repo.cleanroom(['init', '-q']).code).toBe(0);
    const before = snapshot(repo.dir);
    const again = repo.cleanroom(['init']);
    expect(again.stdout).toContain('= .husky/pre-commit — unchanged');
    expect(snapshot(repo.dir)).toEqual(before);
    const doctor = repo.cleanroom(['doctor']);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(doctor.stdout).toContain('✓ husky is active (core.hooksPath=.husky/_)');
    expect(doctor.stdout).toContain('✓ commit-msg: installed (.husky/commit-msg)');
  });
});

describe('doctor', () => {
  it('names a missing hook and the fix, exit 1', () => {
    const repo = repoWithPolicy();
    writeFileSync(join(repo.dir, '.git', 'hooks', 'commit-msg'), '#!/bin/sh\nexit 0\n');
    const r = repo.cleanroom(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ commit-msg: a hook is there, but it does not run cleanroom (.git/hooks/commit-msg)\n    → run cleanroom init\n',
    );
  });
  it('reports an invalid policy with its location, exit 1, no stack trace', () => {
    const repo = repoWithPolicy();
    repo.write('.cleanroom/policy.yaml', POLICY.replace('ai: review', 'ai: maybe'));
    const r = repo.cleanroom(['doctor']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '✗ .cleanroom/policy.yaml:10:9: "maybe" is not allowed for zones.1.ai',
    );
    expect(r.stderr).not.toMatch(/^\s{4}at /m);
  });
});

describe('the CLI itself', () => {
  it('--version and --help', () => {
    const repo = TestRepo.init();
    expect(repo.cleanroom(['--version']).stdout).toBe(
      `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`,
    );
    expect(repo.cleanroom(['--help']).stdout).toContain('usage: cleanroom COMMAND');
    const r = repo.cleanroom(['frobnicate']);
    expectCleanError(r);
    expect(r.stderr).toBe(
      'cleanroom: unknown command "frobnicate"\n  → run cleanroom --help for the list\n',
    );
    expect(CLI.endsWith('dist/cleanroom.mjs')).toBe(true);
  });
});
