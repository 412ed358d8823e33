// Issue 14 §4: `cleanroom check --staged` on 10,000 and 100,000 staged files in an agent
// session (CLAUDECODE=1: every file judged), against the raw diff it starts from
// (`git diff-index --cached -M`); CPU (user+sys, children included) is the figure to
// compare on a shared machine. The commit section runs this at its end, on its own
// 50,000-file repository; `node bench/run.mjs staged` runs it alone on the same kind of
// repository (the same files, the same policy, the same staged inputs).
//
// BENCH_STAGED_KEEP=DIR (alone): build the 100,000-file case in DIR and stop there, for
// profiling (`node --cpu-prof dist/cleanroom.mjs check --staged --quiet` in DIR).

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The commit bench's repository layout: path of file `i`. */
export const pathOf = (i) =>
  i % 10 === 0
    ? `evals/tasks/t${i}.json`
    : i % 10 === 1
      ? `evals/harness/h${i}.py`
      : `src/d${i % 300}/f${i}.ts`;

/** One commit with `files` files (fast-import), checked out, then cleanroom's policy committed. */
export function buildRepo(h, dir, env, files) {
  const git = (...args) =>
    execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  git('init', '-q', '-b', 'main');
  let stream =
    'commit refs/heads/main\ncommitter Bench <b@example.org> 1700000000 +0000\ndata 4\nbase\n';
  for (let i = 0; i < files; i++) {
    const body = `// ${i}\n`;
    stream += `M 100644 inline ${pathOf(i)}\ndata ${body.length}\n${body}`;
  }
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    env,
    input: stream,
    maxBuffer: 1 << 30,
  });
  git('checkout', '-q', '-f', 'main');
  execFileSync(
    process.execPath,
    [h.cli, 'init', '--hooks', 'git', '--repository', 'bench/repo', '-q'],
    { cwd: dir, env },
  );
  git('add', '.cleanroom');
  git('commit', '-q', '--no-verify', '-m', 'policy');
  return git;
}

/** Stages `n` files: the first fifth of the repository's files changed, then new ones (half in a deny zone). */
export function stageFiles(dir, git, files, n) {
  git('reset', '-q', '--hard', 'HEAD');
  git('clean', '-q', '-fd');
  for (let i = 0; i < n; i++) {
    // even i: an eval task (deny zone), odd i: src/ — all distinct
    const path =
      i < files / 5 || n <= files / 5
        ? pathOf((i * 5) % files)
        : i % 2
          ? `src/new${i % 100}/n${i}.ts`
          : `evals/tasks/new${i}.json`;
    if (i >= files / 5 && n > files / 5) mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), `// staged ${i}\n`);
  }
  git('add', '-A');
  return git('diff', '--cached', '--name-only', '-z').split('\0').filter(Boolean).length;
}

/** The measured part: raw diff-index, this build, and BENCH_BASE's build, interleaved. */
export function stagedAtScale(h, { dir, env, git, files, base }) {
  for (const n of h.quick ? [2_000] : [10_000, 100_000]) {
    h.section(`check --staged on ${n.toLocaleString('en-US')} staged files`);
    const staged = stageFiles(dir, git, files, n);
    const raw = [];
    const ours = [];
    const cached = [];
    const before = [];
    const runs = Number(process.env.BENCH_STAGED_RUNS ?? 5);
    // The commit hooks run the CLI through its code-cache loader (hooks/lib/run-node.sh):
    // the same check that way, in a private cache directory warmed by a first run.
    const loader = join(h.root, 'dist', 'cleanroom-cached.cjs');
    const loaderEnv = { ...env, CLAUDECODE: '1', XDG_CACHE_HOME: h.tmp() };
    const viaLoader = () =>
      h.cpu(process.execPath, [loader, 'check', '--staged', '--quiet'], {
        cwd: dir,
        env: loaderEnv,
      });
    viaLoader();
    for (let r = 0; r < runs; r++) {
      raw.push(
        h.cpu('git', ['diff-index', '--cached', '--raw', '-z', '-M', '--no-abbrev', 'HEAD'], {
          cwd: dir,
          env,
        }),
      );
      const t = h.cpu(process.execPath, [h.cli, 'check', '--staged', '--quiet'], {
        cwd: dir,
        env: { ...env, CLAUDECODE: '1' },
      });
      if (t.code !== 1)
        throw new Error(`expected violations (exit 1), got ${t.code}: ${t.stderr.slice(0, 300)}`);
      ours.push(t);
      const c = viaLoader();
      if (c.code !== 1)
        throw new Error(`expected violations (exit 1), got ${c.code}: ${c.stderr.slice(0, 300)}`);
      cached.push(c);
      if (base)
        before.push(
          h.cpu(
            process.execPath,
            [join(base, 'dist', 'cleanroom.mjs'), 'check', '--staged', '--quiet'],
            {
              cwd: dir,
              env: { ...env, CLAUDECODE: '1' },
            },
          ),
        );
    }
    const med = (ts, k) => h.median(ts.map((t) => t[k]));
    h.row(`staged files`, `${staged}`);
    h.row(
      `git diff-index --cached -M (raw plumbing, median of ${runs})`,
      `${med(raw, 'ms').toFixed(1)} ms wall, ${med(raw, 'cpuMs').toFixed(1)} ms cpu`,
    );
    h.row(
      `cleanroom check --staged, agent env (every file judged)`,
      `${med(ours, 'ms').toFixed(1)} ms wall (×${(med(ours, 'ms') / med(raw, 'ms')).toFixed(2)}), ` +
        `${med(ours, 'cpuMs').toFixed(1)} ms cpu (×${(med(ours, 'cpuMs') / med(raw, 'cpuMs')).toFixed(2)} raw git; target ≤ 3)`,
    );
    h.row(
      `the same through the code-cache loader (as the commit hooks run it)`,
      `${med(cached, 'ms').toFixed(1)} ms wall (×${(med(cached, 'ms') / med(raw, 'ms')).toFixed(2)}), ` +
        `${med(cached, 'cpuMs').toFixed(1)} ms cpu (×${(med(cached, 'cpuMs') / med(raw, 'cpuMs')).toFixed(2)} raw git)`,
    );
    if (base)
      h.row(
        `the same, cleanroom at BENCH_BASE`,
        `${med(before, 'ms').toFixed(1)} ms wall, ${med(before, 'cpuMs').toFixed(1)} ms cpu (×${(med(before, 'cpuMs') / med(raw, 'cpuMs')).toFixed(2)} raw git)`,
      );
  }
}

export default async function (h) {
  // In a full run the commit section measures this on its own repository.
  if (!process.argv.slice(2).includes('staged')) return;
  const keep = process.env.BENCH_STAGED_KEEP;
  const dir = keep ?? h.tmp();
  if (keep) mkdirSync(keep, { recursive: true });
  const env = h.env();
  const files = h.quick ? 5_000 : 50_000;
  const git = buildRepo(h, dir, env, files);
  if (keep) {
    const staged = stageFiles(dir, git, files, 100_000);
    h.row(`BENCH_STAGED_KEEP: ${staged} staged files in`, dir);
    return;
  }
  stagedAtScale(h, { dir, env, git, files, base: process.env.BENCH_BASE });
}
