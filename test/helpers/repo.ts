// Real repositories in temp directories, driven by the real git and the built CLI.
// No mocks of git: every test that says "commit" runs `git commit`.

import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'cleanroom.mjs');

/**
 * The names of every agent environment variable in policies/tools.yaml (`env:` rules, a
 * trailing `*` kept as a prefix), so that tests run inside any agent's session — or a
 * tool added tomorrow — start from a human's environment.
 */
const AGENT_ENV_NAMES = (
  parse(readFileSync(join(ROOT, 'policies', 'tools.yaml'), 'utf8')) as {
    tools: { env?: string[] }[];
  }
).tools.flatMap((t) => (t.env ?? []).map((r) => r.replace(/[=*].*$/, '')));
if (!AGENT_ENV_NAMES.length || AGENT_ENV_NAMES.some((n) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)))
  throw new Error(`policies/tools.yaml: unexpected env rules ${AGENT_ENV_NAMES.join(', ')}`);
const AGENT_ENV = new RegExp(`^(${AGENT_ENV_NAMES.join('|')})`);

/** An environment with no agent variables and a fixed identity, so tests are hermetic. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (
      /^(GIT_|CLAUDECODE|CODEX_|CURSOR_|GEMINI_|CLEANROOM|NODE_EXTRA_CA_CERTS|HUSKY|GL_|GITHUB_|GITEA_)/.test(
        k,
      ) ||
      AGENT_ENV.test(k)
    )
      continue;
    env[k] = v;
  }
  Object.assign(env, {
    GIT_AUTHOR_NAME: 'Hana Human',
    GIT_AUTHOR_EMAIL: 'hana@example.org',
    GIT_COMMITTER_NAME: 'Hana Human',
    GIT_COMMITTER_EMAIL: 'hana@example.org',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    NO_COLOR: '1',
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

const dirs: string[] = [];
export function tempDir(prefix = 'cleanroom-test-'): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(d);
  return d;
}
export function removeTempDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const asRun = (r: SpawnSyncReturns<string>): Run => ({
  code: r.status ?? -1,
  stdout: r.stdout ?? '',
  stderr: r.stderr ?? '',
});

export class TestRepo {
  constructor(
    readonly dir: string,
    public env: NodeJS.ProcessEnv = cleanEnv(),
  ) {}

  static init(
    opts: { bare?: boolean; objectFormat?: 'sha1' | 'sha256'; branch?: string; dir?: string } = {},
  ): TestRepo {
    const dir = opts.dir ?? tempDir();
    const args = ['init', '-q', '-b', opts.branch ?? 'main'];
    if (opts.bare) args.push('--bare');
    if (opts.objectFormat) args.push(`--object-format=${opts.objectFormat}`);
    execFileSync('git', [...args, dir], { env: cleanEnv() });
    return new TestRepo(dir);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: this.env,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  }

  /** git, returning code and output instead of throwing. */
  tryGit(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): Run {
    return asRun(
      spawnSync('git', args, {
        cwd: this.dir,
        env: opts.env ?? this.env,
        encoding: 'utf8',
        input: opts.input ?? '',
      }),
    );
  }

  cleanroom(
    args: string[],
    opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {},
  ): Run {
    return asRun(
      spawnSync(process.execPath, [CLI, ...args], {
        cwd: opts.cwd ?? this.dir,
        env: opts.env ?? this.env,
        encoding: 'utf8',
        input: opts.input ?? '',
        maxBuffer: 1 << 28, // an audit's JSON over thousands of commits is megabytes
      }),
    );
  }

  write(path: string, content: string | Buffer, mode?: number): this {
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    if (mode !== undefined) chmodSync(file, mode);
    return this;
  }

  /** Stages the given files (all when none) and commits with `git commit` (hooks run). */
  commit(
    message: string,
    opts: { env?: Record<string, string | undefined>; args?: string[]; add?: string[] } = {},
  ): Run {
    if (opts.add === undefined) this.git('add', '-A');
    else if (opts.add.length) this.git('add', '--', ...opts.add);
    const env = { ...this.env, ...opts.env } as NodeJS.ProcessEnv;
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
    return this.tryGit(['commit', '-q', '-m', message, ...(opts.args ?? [])], { env });
  }

  /** Writes a file whose name is raw bytes (newlines, quotes, non-UTF-8, NFD), relative to the repo. */
  writeBytes(path: Buffer, content: string | Buffer): this {
    const file = Buffer.concat([Buffer.from(this.dir + '/'), path]);
    const slash = file.lastIndexOf(0x2f);
    mkdirSync(file.subarray(0, slash), { recursive: true });
    writeFileSync(file, content);
    return this;
  }

  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  /**
   * `git rev-list --topo-order --reverse --parents REV`: the commits oldest first (parents
   * before children), each with its parents, as a push's judge is handed them.
   */
  commitsOldestFirst(rev = 'main'): { id: string; parents: string[] }[] {
    return this.git('rev-list', '--topo-order', '--reverse', '--parents', rev)
      .trim()
      .split('\n')
      .map((l) => {
        const [id = '', ...parents] = l.split(' ');
        return { id, parents };
      });
  }

  lastMessage(): string {
    return this.git('log', '-1', '--format=%B');
  }
}

export const POLICY = `version: 1
repository: example.org/acme/evals
zones:
  - name: eval-tasks
    paths: ["evals/tasks/**", "evals/**/*.jsonl"]
    ai: deny
    read: deny
  - name: eval-harness
    paths: ["evals/harness/**"]
    ai: review
    tools: { copilot: allow, devin: deny }
  - name: training-data
    paths: ["data/train/**"]
    exclude: ["data/train/README.md"]
    ai: deny
review:
  mode: trailer
  trailer: Reviewed-by
  independent: true
`;

/**
 * A copy of the directory `template` (a repository: `cp -a`, modes and symlinks kept) in a
 * new temp directory. Git re-reads the copied index's stat data, so the copy behaves as the
 * original did (no path of the original is stored inside a repository git made).
 */
export function copyTree(template: string): string {
  const dir = tempDir();
  execFileSync('cp', ['-a', `${template}/.`, dir]);
  return dir;
}

/**
 * Runs `make` once per `key` in this test file (vitest runs each file in its own module
 * graph) and hands each caller a fresh copy of what it built (`copyTree`): the set-up a
 * file repeats for every test (git init, a commit, `cleanroom init`) costs one run. A
 * template deleted meanwhile (a file that empties its temp dirs early) is built again.
 */
const templates = new Map<string, string[]>();
export function fromTemplate(key: string, make: () => string[]): string[] {
  let dirs = templates.get(key);
  if (!dirs?.every((d) => existsSync(d))) {
    dirs = make();
    templates.set(key, dirs);
  }
  return dirs.map(copyTree);
}

/**
 * A repo with POLICY (or `policy`) committed by a human and cleanroom's hooks installed:
 * a copy of the one this file built first with the same options.
 */
export function repoWithPolicy(
  opts: { policy?: string; init?: boolean; objectFormat?: 'sha1' | 'sha256' } = {},
): TestRepo {
  const key = JSON.stringify([
    'repoWithPolicy',
    opts.policy ?? POLICY,
    opts.init !== false,
    opts.objectFormat ?? 'sha1',
  ]);
  const [dir] = fromTemplate(key, () => [makeRepoWithPolicy(opts).dir]);
  return new TestRepo(dir!);
}

function makeRepoWithPolicy(opts: {
  policy?: string;
  init?: boolean;
  objectFormat?: 'sha1' | 'sha256';
}): TestRepo {
  const repo = TestRepo.init(opts.objectFormat ? { objectFormat: opts.objectFormat } : {});
  repo.write('.cleanroom/policy.yaml', opts.policy ?? POLICY);
  repo.write('README.md', '# test\n');
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'policy');
  if (opts.init !== false) {
    const r = repo.cleanroom(['init', '--hooks', 'git']);
    if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
  }
  return repo;
}

/** Errors are one clear screen, never a stack trace (docs/design/contract.md §7, docs/design/style.md "Errors"). */
export function expectCleanError(r: Run, code = 2): void {
  if (r.code !== code)
    throw new Error(
      `expected exit ${code}, got ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  if (/^\s{4}at /m.test(r.stderr) || /^\s{4}at /m.test(r.stdout))
    throw new Error(`a stack trace reached the user:\n${r.stderr}`);
  if (r.stderr.split('\n').length > 25)
    throw new Error(`more than one screen of error output:\n${r.stderr}`);
}
