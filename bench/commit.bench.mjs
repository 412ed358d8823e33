// Issue "core": what cleanroom adds to `git commit`, and `check --staged` at scale.
//   - a generated repository of 50,000 files; 100 staged files, half of them in zones;
//   - median `git commit` time with all cleanroom hooks installed vs no hooks at all,
//     interleaved in the same run (human commit; and an agent session, CLAUDECODE=1,
//     committing outside the zones — the path where every hook starts node);
//   - `cleanroom check --staged` on 10,000 staged files vs the raw `git diff-index`.

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default async function (h) {
  h.section('git commit latency (50,000-file repository, 100 staged files)');
  const dir = h.tmp();
  const env = h.env();
  const git = (...args) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  git('init', '-q', '-b', 'main');
  const files = h.quick ? 5_000 : 50_000;
  // fast-import: one commit with every file, then check it out.
  let stream = 'commit refs/heads/main\ncommitter Bench <b@example.org> 1700000000 +0000\ndata 4\nbase\n';
  const pathOf = (i) => (i % 10 === 0 ? `evals/tasks/t${i}.json` : i % 10 === 1 ? `evals/harness/h${i}.py` : `src/d${i % 300}/f${i}.ts`);
  for (let i = 0; i < files; i++) {
    const path = pathOf(i);
    const body = `// ${i}\n`;
    stream += `M 100644 inline ${path}\ndata ${body.length}\n${body}`;
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: stream, maxBuffer: 1 << 30 });
  git('checkout', '-q', '-f', 'main');
  execFileSync(process.execPath, [h.cli, 'init', '--hooks', 'git', '--repository', 'bench/repo', '-q'], { cwd: dir, env });
  git('add', '.cleanroom');
  git('commit', '-q', '--no-verify', '-m', 'policy');
  const noHooks = join(dir, '.git', 'no-hooks');
  mkdirSync(noHooks, { recursive: true });

  let round = 0;
  const stage100 = () => {
    round++;
    for (let k = 0; k < 100; k++) {
      const i = ((round * 100 + k) * 70) % files;
      const path = pathOf(k % 2 === 0 ? i + 1 : i + 2); // half in a review zone, half outside
      writeFileSync(join(dir, path), `// round ${round} ${k}\n`);
    }
    git('add', '-A');
  };
  const runs = h.quick ? 5 : 15;
  const measure = (label, extraEnv) => {
    const base = [];
    const hooked = [];
    for (let r = 0; r < runs; r++) {
      stage100();
      base.push(h.time('git', ['-c', `core.hooksPath=${noHooks}`, 'commit', '-q', '-m', `plain ${r}`], { cwd: dir, env: { ...env, ...extraEnv } }).ms);
      stage100();
      const t = h.time('git', ['commit', '-q', '-m', `hooked ${r}`, '--trailer', 'Reviewed-by: Rae Reviewer <rae@example.org>'], { cwd: dir, env: { ...env, ...extraEnv } });
      if (t.code !== 0) throw new Error(`hooked commit failed: ${t.stderr}`);
      hooked.push(t.ms);
    }
    const b = h.median(base);
    const c = h.median(hooked);
    h.row(`${label}: git commit, no hooks (median of ${runs})`, `${b.toFixed(1)} ms`);
    h.row(`${label}: git commit, cleanroom hooks`, `${c.toFixed(1)} ms`);
    h.row(`${label}: added by cleanroom`, `${(c - b).toFixed(1)} ms  (×${(c / b).toFixed(2)} raw git)`);
  };
  measure('human', {});
  measure('agent session (CLAUDECODE=1)', { CLAUDECODE: '1' });

  h.section('check --staged on 10,000 staged files');
  const n = h.quick ? 2_000 : 10_000;
  for (let i = 0; i < n; i++) {
    const path = pathOf((i * 5) % files); // even i: an eval task (deny zone), odd i: src/ — all distinct
    writeFileSync(join(dir, path), `// staged ${i}\n`);
  }
  git('add', '-A');
  const staged = git('diff', '--cached', '--name-only').split('\n').filter(Boolean).length;
  const raw = [];
  const ours = [];
  for (let r = 0; r < 5; r++) {
    raw.push(h.time('git', ['diff-index', '--cached', '--raw', '-z', '-M', '--no-abbrev', 'HEAD'], { cwd: dir, env }).ms);
    const t = h.time(process.execPath, [h.cli, 'check', '--staged', '--quiet'], { cwd: dir, env: { ...env, CLAUDECODE: '1' } });
    if (t.code !== 1) throw new Error(`expected violations (exit 1), got ${t.code}: ${t.stderr.slice(0, 300)}`);
    ours.push(t.ms);
  }
  h.row(`staged files`, `${staged}`);
  h.row(`git diff-index --cached -M (raw plumbing, median of 5)`, `${h.median(raw).toFixed(1)} ms`);
  h.row(`cleanroom check --staged, agent env (every file judged)`, `${h.median(ours).toFixed(1)} ms  (×${(h.median(ours) / h.median(raw)).toFixed(2)} raw git)`);
}
