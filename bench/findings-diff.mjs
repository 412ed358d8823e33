// Speed work must not change a finding (issue 14): runs two builds of the CLI — the
// untouched one (`--base DIR`, e.g. /tmp/base/dist) and this worktree's dist/ — on the
// same histories and compares their JSON outputs, timestamps removed:
//   - a generated history (test/fixtures/audit/history.mjs: every tool signature,
//     renames, merges, reviews) plus the hostile cases of test/e2e/gate: an AI draft
//     moved into a zone by a human, a link into a zone then AI writes below its target,
//     a human link change exposing earlier AI content, an evil merge renaming an AI
//     draft into a zone, a merge joining a link from one side with content from the other;
//   - the Aider copy when present (bench/aider.mjs; AIDER_COMPLETE or the cached path).
// For each: `audit --format json`, `check --range ROOT..HEAD --format json`, and
// `pre-receive --log` with the whole history pushed as a new branch.
// Usage: node bench/findings-diff.mjs --base /tmp/base/dist [--no-aider]
// Exit 0 when every output is identical, 1 with the first difference otherwise.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  mkdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory, POLICY } from '../test/fixtures/audit/history.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const baseDir = argv[argv.indexOf('--base') + 1];
if (!argv.includes('--base') || !baseDir || !existsSync(join(baseDir, 'cleanroom.mjs'))) {
  console.error('usage: node bench/findings-diff.mjs --base DIST_DIR [--no-aider]');
  process.exit(2);
}
const builds = { base: join(baseDir, 'cleanroom.mjs'), new: join(root, 'dist', 'cleanroom.mjs') };
const tmp = mkdtempSync(join(tmpdir(), 'cleanroom-findings-diff-'));
const env = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.org',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.org',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmp,
};
const git = (cwd, ...args) =>
  execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 28 });

function hostileRepo() {
  const dir = join(tmp, 'hostile');
  git(tmp, 'init', '-q', '-b', 'main', dir);
  const gen = generateHistory({ commits: 600, seed: 7 });
  const imp = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: gen.stream });
  if (imp.status !== 0) throw new Error(`fast-import failed: ${imp.stderr}`);
  git(dir, 'reset', '-q', '--hard');
  const write = (p, text) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  };
  const commit = (msg, ai) => {
    git(dir, 'add', '-A');
    const extra = ai ? ['-m', 'Co-Authored-By: Claude <noreply@anthropic.com>'] : [];
    git(dir, 'commit', '-q', '--no-verify', '-m', msg, ...extra);
  };
  write('drafts/q1.json', '{"q":"what is 2+2"}\n');
  commit('draft', true);
  git(dir, 'mv', 'drafts/q1.json', 'evals/tasks/moved-q1.json');
  commit('file the draft', false);
  write('src/jl/a.txt', 'a\n');
  symlinkSync('../src/jl', join(dir, 'evals/extra'));
  commit('link', false);
  write('src/jl/more.jsonl', '{}\n');
  commit('more', true);
  write('gen/out.jsonl', '{"ai":1}\n');
  commit('ai output outside zones', true);
  symlinkSync('../gen', join(dir, 'evals/gen'));
  commit('human exposes it through a link', false);
  git(dir, 'checkout', '-q', '-b', 'side');
  write('drafts/q2.json', '{"q":"capital of France"}\n');
  commit('second draft', true);
  write('src/side/x.jsonl', '{"side":1}\n');
  commit('side content', true);
  git(dir, 'checkout', '-q', 'main');
  symlinkSync('../src/side', join(dir, 'evals/side'));
  commit('link to side content', false);
  git(dir, 'merge', '-q', '--no-ff', '--no-commit', 'side');
  git(dir, 'mv', 'drafts/q2.json', 'evals/tasks/merged-q2.json');
  git(dir, 'commit', '-q', '--no-verify', '-m', 'Merge side');
  write('.cleanroom/policy.yaml', POLICY);
  return { dir, policy: join(dir, '.cleanroom/policy.yaml'), rev: 'main' };
}

function aiderRepo() {
  const path = process.env.AIDER_COMPLETE ?? '/tmp/cleanroom-bench-aider-complete.git';
  if (argv.includes('--no-aider') || !existsSync(path)) return undefined;
  const policy = join(tmp, 'typical.yaml');
  writeFileSync(
    policy,
    'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - { name: benchmark, paths: ["benchmark/**"], ai: deny }\n  - { name: tests, paths: ["tests/**"], ai: review }\n',
  );
  return { dir: path, policy, rev: 'main' };
}

const strip = (text) =>
  text
    .replace(/"(generatedAt|time)":\s*"[^"]*"/g, '"$1":"-"')
    .replace(/cleanroom-findings-diff-[A-Za-z0-9]+/g, 'TMP');

function run(cli, args, cwd, input) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 29,
  });
  return { code: r.status, out: strip(r.stdout) };
}

let failed = 0;
for (const repo of [hostileRepo(), aiderRepo()].filter(Boolean)) {
  const tip = git(repo.dir, 'rev-parse', repo.rev).trim();
  const rootCommit = git(repo.dir, 'rev-list', '--max-parents=0', tip).trim().split('\n').pop();
  // A server copy with the history unreferenced, as receive-pack leaves a push.
  const server = join(tmp, `server-${failed}-${Date.now()}.git`);
  git(tmp, 'clone', '-q', '--bare', '--no-local', repo.dir, server);
  for (const ref of git(server, 'for-each-ref', '--format=%(refname)').trim().split('\n'))
    if (ref) git(server, 'update-ref', '-d', ref);
  const outputs = {};
  for (const [name, cli] of Object.entries(builds)) {
    const log = join(tmp, `log-${name}.json`);
    rmSync(log, { force: true });
    const audit = run(cli, ['audit', '--policy', repo.policy, '--format', 'json'], repo.dir);
    const check = run(
      cli,
      ['check', '--policy', repo.policy, '--range', `${rootCommit}..${tip}`, '--format', 'json'],
      repo.dir,
    );
    const hook = run(
      cli,
      ['pre-receive', '--deadline', '600', '--policy', repo.policy, '--log', log],
      server,
      `${'0'.repeat(40)} ${tip} refs/heads/main\n`,
    );
    outputs[name] = {
      audit,
      check,
      preReceive: { code: hook.code, out: strip(existsSync(log) ? readFileSync(log, 'utf8') : '') },
    };
  }
  for (const what of ['audit', 'check', 'preReceive']) {
    const a = outputs.base[what];
    const b = outputs.new[what];
    const same = a.code === b.code && a.out === b.out;
    const size = b.out.length;
    console.log(
      `${same ? 'same' : 'DIFFERENT'}  ${what.padEnd(10)} exit ${a.code}/${b.code}  ${size} bytes  ${repo.dir}`,
    );
    if (!same) failed++;
    if (!b.out.length) {
      console.log(`  (empty output: nothing compared)`);
      failed++;
    }
  }
}
rmSync(tmp, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
