// npm run demo — the main job, end to end, in a temp directory, with the real git,
// the real ssh-keygen and the built CLI. Every step checks its outcome: the demo fails
// (exit 1) if cleanroom does not behave as narrated.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV_MARKERS } from '../agents/index.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), 'cleanroom.cjs');
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s: string): string => (color ? `\u001b[1m${s}\u001b[22m` : s);
const dim = (s: string): string => (color ? `\u001b[2m${s}\u001b[22m` : s);
const green = (s: string): string => (color ? `\u001b[32m${s}\u001b[39m` : s);
const red = (s: string): string => (color ? `\u001b[31m${s}\u001b[39m` : s);

const root = realpathSync(mkdtempSync(join(tmpdir(), 'cleanroom-demo-')));
const baseEnv: NodeJS.ProcessEnv = {};
for (const [k, v] of Object.entries(process.env)) {
  // No git, cleanroom or agent variables (the agent registry's environment markers) leak in.
  if (
    !/^(GIT_|CODEX_|CLEANROOM|NODE_EXTRA_CA_CERTS)/.test(k) &&
    !ENV_MARKERS.some(([m]) => m === k)
  )
    baseEnv[k] = v;
}
Object.assign(baseEnv, { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', NO_COLOR: '1' });
const dev = {
  ...baseEnv,
  GIT_AUTHOR_NAME: 'Dana Developer',
  GIT_AUTHOR_EMAIL: 'dana@acme.example',
  GIT_COMMITTER_NAME: 'Dana Developer',
  GIT_COMMITTER_EMAIL: 'dana@acme.example',
};
const work = join(root, 'metacode');
const server = join(root, 'server.git');
let step = 0;
let failed = false;

function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {},
) {
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd ?? work,
    env: opts.env ?? dev,
    encoding: 'utf8',
    input: opts.input ?? '',
  });
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') };
}
const git = (args: string[], env?: NodeJS.ProcessEnv) => run('git', args, env ? { env } : {});
const cleanroom = (args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
  run(process.execPath, [CLI, ...args], opts);
function must(args: string[]): string {
  return execFileSync('git', args, { cwd: work, env: dev, encoding: 'utf8' });
}

function show(
  title: string,
  command: string,
  result: { code: number; out: string },
  expect: 'pass' | 'block',
  lines = 14,
): void {
  step++;
  console.log(`\n${bold(`${step}. ${title}`)}\n${dim(`$ ${command}`)}`);
  const text = result.out
    .trimEnd()
    .split('\n')
    .slice(0, lines)
    .map((l) => `  ${l}`)
    .join('\n');
  if (text.trim()) console.log(text);
  const ok = expect === 'pass' ? result.code === 0 : result.code !== 0;
  console.log(
    ok
      ? green(`  ✓ ${expect === 'pass' ? 'accepted' : 'blocked'}, as it should be`)
      : red(
          `  ✗ expected it to be ${expect === 'pass' ? 'accepted' : 'blocked'} (exit ${result.code})`,
        ),
  );
  if (!ok) failed = true;
}

try {
  console.log(bold('cleanroom demo') + dim(`  (in ${root})`));

  // Set-up: a server repository, a clone, the preset policy, an approver's key.
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', server], { env: dev });
  execFileSync('git', ['clone', '-q', server, work], { env: dev, stdio: 'ignore' });
  execFileSync('ssh-keygen', [
    '-q',
    '-t',
    'ed25519',
    '-N',
    '',
    '-C',
    'alice',
    '-f',
    join(root, 'alice-key'),
  ]);
  const alicePub = execFileSync('ssh-keygen', ['-y', '-f', join(root, 'alice-key')], {
    encoding: 'utf8',
  }).trim();
  const init = cleanroom(['init', '--repository', 'github.com/acme/metacode']);
  show(
    'A team adopts cleanroom: the eval-cleanroom preset and the local hooks',
    'cleanroom init --repository github.com/acme/metacode',
    init,
    'pass',
    12,
  );
  writeFileSync(
    join(work, '.cleanroom', 'approvers'),
    `alice@acme.example namespaces="cleanroom-override" ${alicePub}\n`,
  );
  mkdirSync(join(work, 'evals', 'tasks'), { recursive: true });
  mkdirSync(join(work, 'evals', 'harness'), { recursive: true });
  writeFileSync(join(work, 'evals', 'harness', 'run.py'), 'print("harness")\n');
  must(['add', '-A']);
  must(['commit', '-q', '-m', 'Adopt cleanroom (policy, approvers, harness)']);
  must(['push', '-q', 'origin', 'main']);
  const install = cleanroom(['install-server', server]);
  show(
    'The server protects the bare repository with the pre-receive hook',
    `cleanroom install-server ${server}`,
    install,
    'pass',
    4,
  );

  // 1. An agent writes an eval task and commits it.
  const agent = { ...dev, CLAUDECODE: '1' };
  writeFileSync(
    join(work, 'evals', 'tasks', 'q001.json'),
    '{"question": "What is 17 * 23?", "answer": 391}\n',
  );
  must(['add', 'evals/tasks/q001.json']);
  show(
    'An agent (Claude Code: CLAUDECODE=1) commits a new eval task',
    'git commit -m "Add arithmetic task"',
    git(['commit', '-q', '-m', 'Add arithmetic task'], agent),
    'block',
  );

  // 2. Harness code: review suffices.
  writeFileSync(join(work, 'evals', 'harness', 'run.py'), 'print("harness")\nprint("scores")\n');
  must(['restore', '--staged', 'evals/tasks/q001.json']);
  must(['add', 'evals/harness/run.py']);
  show(
    'The agent changes harness code (a review zone) without review',
    'git commit -m "Print scores"',
    git(['commit', '-q', '-m', 'Print scores'], agent),
    'block',
    6,
  );
  show(
    "The agent types a review line itself: in an agent's session a typed review line counts for nothing",
    'git commit -m "Print scores" --trailer "Reviewed-by: Riley Reviewer <riley@acme.example>"',
    git(
      [
        'commit',
        '-q',
        '-m',
        'Print scores',
        '--trailer',
        'Reviewed-by: Riley Reviewer <riley@acme.example>',
      ],
      agent,
    ),
    'block',
    8,
  );
  show(
    'A human reviews every line and commits it from their own shell, saying so',
    'git commit -m "Print scores" --trailer "Assisted-by: claude-code" --trailer "Reviewed-by: Riley Reviewer <riley@acme.example>"',
    git([
      'commit',
      '-q',
      '-m',
      'Print scores',
      '--trailer',
      'Assisted-by: claude-code',
      '--trailer',
      'Reviewed-by: Riley Reviewer <riley@acme.example>',
    ]),
    'pass',
  );
  const trailers = must(['log', '-1', '--format=%(trailers)']).trim();
  console.log(dim(`  the commit carries: ${trailers.split('\n').join(' · ')}`));

  // 3. Skipping the local hooks does not help: the server judges every pushed commit.
  must(['add', 'evals/tasks/q001.json']);
  const noVerify = git(['commit', '-q', '--no-verify', '-m', 'Add arithmetic task'], agent);
  if (noVerify.code !== 0) throw new Error(`git commit --no-verify failed: ${noVerify.out}`);
  console.log(
    dim(
      `\n  (the agent retries with git commit --no-verify: prepare-commit-msg still records ${must(['log', '-1', '--format=%(trailers:key=Assisted-by,valueonly)']).trim()})`,
    ),
  );
  show(
    "The agent pushes with --no-verify too; the server's pre-receive hook rejects it",
    'git push --no-verify origin main',
    git(['push', '--no-verify', 'origin', 'main']),
    'block',
    16,
  );

  // 4. The only way past a deny zone: an approver's signed override.
  const request = cleanroom([
    'override',
    'request',
    '--commit',
    'HEAD',
    '--reason',
    'Task written and checked by the eval team; agent only formatted it',
  ]);
  if (request.code !== 0) throw new Error(`override request failed: ${request.out}`);
  step++;
  console.log(
    `\n${bold(`${step}. Dana asks for an override; Alice (an approver) reads the statement and signs it`)}\n${dim('$ cleanroom override request --commit HEAD --reason "…" | cleanroom override sign --key alice-key --principal alice@acme.example')}`,
  );
  console.log(
    request.out
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('# Sign'))
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  const signed = cleanroom(
    [
      'override',
      'sign',
      '--key',
      join(root, 'alice-key'),
      '--principal',
      'alice@acme.example',
      '-',
    ],
    { input: request.out },
  );
  if (signed.code !== 0) throw new Error(`override sign failed: ${signed.out}`);
  // The trailer is folded over short lines (git's continuation lines): take all of it.
  const trailer = signed.out.trim();
  if (!trailer.startsWith('Cleanroom-Override:'))
    throw new Error(`override sign printed no trailer: ${signed.out}`);
  console.log(dim(`  ${trailer.split('\n')[0]!.slice(0, 110)}…`));
  // Dana, a human, amends from her own shell (no agent environment).
  const amend = git(['commit', '-q', '--amend', '--no-edit', '--trailer', trailer], dev);
  show(
    'Dana amends the commit with the signed override',
    'git commit --amend --no-edit --trailer "$TRAILER"',
    amend,
    'pass',
    4,
  );
  show(
    'The push is accepted: the override is bound to this repository, zone and content',
    'git push origin main',
    git(['push', 'origin', 'main']),
    'pass',
    6,
  );

  const copy = { ...agent };
  writeFileSync(join(work, 'evals', 'tasks', 'q002.json'), '{"question": "copied override"}\n');
  must(['add', '-A']);
  const replay = git(
    ['commit', '-q', '--no-verify', '-m', 'Reuse the override', '--trailer', trailer],
    copy,
  );
  if (replay.code !== 0) throw new Error(replay.out);
  show(
    'Re-using the same override for other content does not work',
    'git commit --no-verify --trailer "$TRAILER" … && git push --no-verify',
    git(['push', '--no-verify', 'origin', 'main']),
    'block',
    12,
  );

  console.log(
    `\n${failed ? red(bold('demo: something did not behave as narrated')) : green(bold('demo: every step behaved as narrated'))}`,
  );
} catch (e) {
  failed = true;
  console.error(red(`demo failed: ${(e as Error).message}`));
} finally {
  if (process.env.CLEANROOM_DEMO_KEEP) console.log(dim(`kept ${root}`));
  else rmSync(root, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
