// Issue "core": what cleanroom adds to `git commit`, and `check --staged` at scale.
//   - a generated repository of 50,000 files; 100 staged files, half of them in zones;
//   - median `git commit` time with all cleanroom hooks installed vs no hooks at all,
//     interleaved in the same run (human commit; and an agent session, CLAUDECODE=1,
//     committing outside the zones — the path where every hook starts node), beside the
//     anchors a team would otherwise run (husky + commitlint, pre-commit, git-secrets);
//   - `cleanroom check --staged` on 10,000 and 100,000 staged files vs the raw `git diff-index`.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { huskyCommitlint, preCommitFramework, gitSecrets } from './anchors.mjs';
import { buildRepo, pathOf, stagedAtScale } from './staged.bench.mjs';

const sha1 = (s) => createHash('sha1').update(s).digest('hex');

/** `n` ledger entries of 40 line hashes each, as src/signals/ledger.ts formats them. */
function ledgerText(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const lines = Array.from({ length: 40 }, (_, j) => sha1(`scratch ${i} line ${j}`).slice(0, 12));
    out.push(
      JSON.stringify({
        v: 1,
        time: new Date(1795489008000 + i).toISOString(),
        tool: i % 3 ? 'claude-code' : 'codex',
        session: `s${i % 50}`,
        path: `scratch/f${i}.py`,
        blob: sha1(`blob ${i}`),
        lines,
      }),
    );
  }
  return out.join('\n') + '\n';
}

export default async function (h) {
  h.section('git commit latency (50,000-file repository, 100 staged files)');
  const dir = h.tmp();
  const env = h.env();
  const files = h.quick ? 5_000 : 50_000;
  // fast-import: one commit with every file, checked out, the policy committed.
  const git = buildRepo(h, dir, env, files);
  const noHooks = join(dir, '.git', 'no-hooks');
  mkdirSync(noHooks, { recursive: true });

  let round = 0;
  // An agent's commit stays outside the zones (in its session only a signed review counts).
  let outsideOnly = false;
  const stage100 = () => {
    round++;
    for (let k = 0; k < 100; k++) {
      const i = ((round * 100 + k) * 70) % files;
      const path = pathOf(k % 2 === 0 && !outsideOnly ? i + 1 : i + 2); // half in a review zone, half outside
      writeFileSync(join(dir, path), `// round ${round} ${k}\n`);
    }
    git('add', '-A');
  };
  const runs = h.quick ? 5 : 15;
  // The anchors link node_modules into the work tree: ignored, as a real repository does
  // (`git add -A` would otherwise commit the link, and a symlink in the index sends every
  // agent commit to the full check: hooks/lib/no-ai-signal.sh, cleanroom_no_zone_path).
  mkdirSync(join(dir, '.git', 'info'), { recursive: true });
  writeFileSync(join(dir, '.git', 'info', 'exclude'), '/node_modules\n');
  // Anchors: the other hook tools a team would run on every commit, in the same repository.
  const anchors = [
    ['husky + commitlint', huskyCommitlint(dir, env)],
    ['pre-commit framework', preCommitFramework(dir, env)],
    ['git-secrets', gitSecrets(dir, env)],
  ];
  for (const [name, a] of anchors)
    if (a.missing) h.row(`anchor ${name}`, `not measured: ${a.missing}`);
  // BENCH_BASE=DIR (a build of another revision, e.g. main): its own `init --hooks git`
  // writes its hooks into a directory of their own, measured interleaved with this build.
  const base = process.env.BENCH_BASE;
  const baseHooks = join(dir, '.git', 'hooks-base');
  if (base) {
    mkdirSync(baseHooks, { recursive: true });
    execFileSync(
      process.execPath,
      [join(base, 'dist', 'cleanroom.mjs'), 'init', '--hooks', 'git', '-q'],
      {
        cwd: dir,
        env: {
          ...env,
          GIT_CONFIG_COUNT: '1',
          GIT_CONFIG_KEY_0: 'core.hooksPath',
          GIT_CONFIG_VALUE_0: baseHooks,
        },
      },
    );
  }
  const configs = [
    ['no hooks', { hooksPath: noHooks }],
    ['cleanroom', { hooksPath: join(dir, '.git', 'hooks') }],
    ...(base ? [[`cleanroom at ${base} (BENCH_BASE)`, { hooksPath: baseHooks }]] : []),
    ...anchors.filter(([, a]) => !a.missing),
  ];
  const measure = (label, extraEnv) => {
    const got = configs.map(() => []);
    for (let r = 0; r < runs; r++) {
      configs.forEach(([name, c], j) => {
        stage100();
        const t = h.cpu(
          'git',
          [
            '-c',
            `core.hooksPath=${c.hooksPath}`,
            'commit',
            '-q',
            '-m',
            `chore: commit ${r}`,
            '--trailer',
            'Reviewed-by: Rae Reviewer <rae@example.org>',
          ],
          { cwd: dir, env: { ...env, ...(c.env ?? {}), ...extraEnv } },
        );
        if (t.code !== 0) throw new Error(`${name} commit failed: ${t.stderr}`);
        got[j].push({ wallMs: t.ms, cpuMs: t.cpuMs });
      });
    }
    const med = got.map((ts) => ({
      wall: h.median(ts.map((t) => t.wallMs)),
      cpu: h.median(ts.map((t) => t.cpuMs)),
    }));
    const base = med[0];
    h.row(
      `${label}: git commit, no hooks (median of ${runs}, interleaved)`,
      `wall ${base.wall.toFixed(1)} ms, cpu ${base.cpu.toFixed(1)} ms`,
    );
    const ours = { wall: med[1].wall - base.wall, cpu: med[1].cpu - base.cpu };
    configs.forEach(([name], j) => {
      if (j === 0) return;
      const add = { wall: med[j].wall - base.wall, cpu: med[j].cpu - base.cpu };
      const vs =
        j === 1
          ? ''
          : `  (cleanroom adds ×${(ours.wall / add.wall).toFixed(2)} of this, cpu ×${(ours.cpu / add.cpu).toFixed(2)})`;
      h.row(
        `${label}: added by ${name}`,
        `wall +${add.wall.toFixed(1)} ms, cpu +${add.cpu.toFixed(1)} ms${vs}`,
      );
    });
  };
  measure('human', {});
  outsideOnly = true;
  measure('agent session (CLAUDECODE=1)', { CLAUDECODE: '1' });
  // Issue 14 §1: an agent session whose agent wrote files — the ledger is looked up at
  // every commit (prepare-commit-msg: its key log, in perl, when nothing staged is in it
  // and nothing can be in a zone, else Node). Entries as the agent hook writes them, none
  // of them staged here: the cost is the lookup itself.
  const cleanroomDir = join(dir, '.git', 'cleanroom');
  mkdirSync(cleanroomDir, { recursive: true });
  for (const n of h.quick ? [10_000] : [10_000, 100_000]) {
    writeFileSync(join(cleanroomDir, 'ledger.jsonl'), ledgerText(n));
    // The agent hook keeps the ledger's key log in step as it appends; a ledger written
    // here directly gets it from one lookup (a full scan, then the build) before measuring.
    h.time(process.execPath, [h.cli, 'check', '--staged', '--quiet'], {
      cwd: dir,
      env: { ...env, CLAUDECODE: '1' },
    });
    measure(`agent session + ${n.toLocaleString('en-US')}-entry ledger`, { CLAUDECODE: '1' });
  }
  rmSync(join(cleanroomDir, 'ledger.jsonl'), { force: true });
  outsideOnly = false;

  // Issue 14 §4: check --staged on 10,000 and 100,000 staged files (bench/staged.bench.mjs).
  stagedAtScale(h, { dir, env, git, files, base });
}
