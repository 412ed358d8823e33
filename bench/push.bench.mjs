// Issue "enforce on push": the pre-receive hook over a large pushed history.
//   - 13,000 commits (mixed tools, renames, merges, ~30% AI-attributed, none into zones)
//     pushed as a new branch: hook time vs raw `git log --raw` over the same range, in
//     the same repository, in the same run (target ≤ 3×, and under 5 s);
//   - 100,000 commits: hook CPU against `git log --raw -M`, and the peak memory of the
//     whole process tree (PSS of the hook and its git children: tree-memory.mjs); then
//     the same on a server whose Git refuses malformed trees itself (receive.fsckObjects).
// The hook runs as receive-pack runs it: the pushed objects in a quarantine directory
// (GIT_QUARANTINE_PATH), the server's store as its alternate.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { generateHistory } from './history.mjs';
import { treeMemory } from './tree-memory.mjs';

const POLICY = `version: 1
repository: bench/server
zones:
  - { name: eval-tasks, paths: ["evals/tasks/**"], ai: deny }
  - { name: harness, paths: ["evals/harness/**"], ai: review }
  - { name: training-data, paths: ["data/train/**"], ai: deny }
`;

function prepare(h, commits) {
  const env = h.env();
  const work = h.tmp();
  const server = h.tmp();
  const git = (cwd, ...args) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  git(work, 'init', '-q', '-b', 'main');
  execFileSync('mkdir', ['-p', join(work, '.cleanroom')]);
  execFileSync('sh', ['-c', `cat > .cleanroom/policy.yaml`], { cwd: work, input: POLICY });
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'policy');
  const t0 = Date.now();
  const tip = generateHistory(work, { commits, env, ref: 'refs/heads/hist' });
  const genMs = Date.now() - t0;
  git(server, 'init', '-q', '--bare', '-b', 'main');
  git(server, 'fetch', '-q', work, 'main:main');
  // The pushed objects wait in a quarantine directory of their own, the server's store as
  // its alternate, as receive-pack leaves them for the hook (GIT_QUARANTINE_PATH): the
  // second fetch's pack is moved there.
  const packs = join(server, 'objects', 'pack');
  const before = new Set(readdirSync(packs));
  git(server, 'fetch', '-q', work, 'hist:refs/tmp/hist');
  git(server, 'update-ref', '-d', 'refs/tmp/hist');
  const incoming = `${server}-incoming`;
  mkdirSync(join(incoming, 'pack'), { recursive: true });
  for (const f of readdirSync(packs))
    if (!before.has(f)) renameSync(join(packs, f), join(incoming, 'pack', f));
  const qenv = {
    ...env,
    GIT_QUARANTINE_PATH: incoming,
    GIT_OBJECT_DIRECTORY: incoming,
    GIT_ALTERNATE_OBJECT_DIRECTORIES: join(server, 'objects'),
  };
  return { env, qenv, work, server, tip, genMs };
}

function hook(h, s, extra = []) {
  const input = `${'0'.repeat(40)} ${s.tip} refs/heads/feature\n`;
  const timeBin = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M'] : [];
  const cmd = [...timeBin, process.execPath, h.cli, 'pre-receive', '--deadline', '600', ...extra];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    cwd: s.server,
    env: s.qenv,
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssKb = timeBin.length ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { ms, code: r.status, rssMb: rssKb / 1024, stderr: r.stderr };
}

export default async function (h) {
  h.section('pre-receive over a pushed history of 13,000 commits');
  const n = h.quick ? 2_000 : 13_000;
  const s = prepare(h, n);
  const count = execFileSync('git', ['rev-list', '--count', s.tip], {
    cwd: s.server,
    env: s.qenv,
    encoding: 'utf8',
  }).trim();
  h.row(`commits in the pushed branch (generated in ${s.genMs} ms)`, count);
  const raw = [];
  const ours = [];
  for (let i = 0; i < 3; i++) {
    raw.push(
      h.time(
        'git',
        ['log', '--raw', '-M', '-c', '--no-abbrev', '--format=%H%n%an <%ae>%n%B', s.tip],
        { cwd: s.server, env: s.qenv },
      ).ms,
    );
    const r = hook(h, s);
    if (r.code !== 0) throw new Error(`hook rejected a clean history: ${r.stderr.slice(0, 500)}`);
    ours.push(r.ms);
  }
  const rm = h.median(raw);
  const om = h.median(ours);
  h.row('git log --raw -M -c over the same range (median of 3)', `${rm.toFixed(0)} ms`);
  h.row(
    'cleanroom pre-receive (median of 3)',
    `${om.toFixed(0)} ms  (×${(om / rm).toFixed(2)} raw git; target ≤ 3×, < 5000 ms)`,
  );

  const push = h.tmp();
  execFileSync('git', ['clone', '-q', '--bare', s.server, push], { env: s.env });
  execFileSync(process.execPath, [h.cli, 'install-server', push], { env: s.env, stdio: 'ignore' });
  const t = h.time('git', ['push', '-q', push, `${s.tip}:refs/heads/feature`], {
    cwd: s.work,
    env: s.env,
  });
  h.row(
    'real git push of the branch into a bare repo with the hook',
    `${t.ms.toFixed(0)} ms (exit ${t.code})`,
  );

  h.section('pre-receive memory at 100,000 commits');
  // Issue 14 §3: CPU ≤ 1.5× `git log --raw -M` over the same commits, and the whole
  // process tree (the hook and its git processes, PSS) ≤ 256 MiB.
  const big = prepare(h, h.quick ? 10_000 : 100_000);
  const input = `${'0'.repeat(40)} ${big.tip} refs/heads/feature\n`;
  const r = await treeMemory(process.execPath, [h.cli, 'pre-receive', '--deadline', '600'], {
    cwd: big.server,
    env: big.qenv,
    input,
  });
  if (r.code !== 0) throw new Error(`hook failed: ${r.stderr.slice(0, 500)}`);
  const rawBig = await treeMemory(
    'git',
    ['log', '--raw', '-M', '--no-abbrev', '--format=%H%n%an <%ae>%n%cn <%ce>%n%B', big.tip],
    { cwd: big.server, env: big.qenv },
  );
  h.row(
    `commits (generated in ${big.genMs} ms)`,
    execFileSync('git', ['rev-list', '--count', big.tip], {
      cwd: big.server,
      env: big.qenv,
      encoding: 'utf8',
    }).trim(),
  );
  const mb = (x) => (Number.isFinite(x) ? `${x.toFixed(0)} MiB` : 'n/a (not Linux)');
  h.row(
    'git log --raw -M over the same range (anchor)',
    `wall ${rawBig.wallMs.toFixed(0)} ms, cpu ${rawBig.cpuMs.toFixed(0)} ms, peak ${mb(rawBig.peakMb)}`,
  );
  h.row(
    'cleanroom pre-receive (one run; target ≤ 1.5× cpu)',
    `wall ${r.wallMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms  (×${(r.cpuMs / rawBig.cpuMs).toFixed(2)} cpu)`,
  );
  h.row(
    'peak memory of the whole process tree, PSS (target ≤ 256 MiB)',
    `${mb(r.peakMb)} (largest single process ${mb(r.largestMb)})`,
  );
  // A server whose Git refuses malformed trees itself (docs/server.md): the hook reads no
  // tree; Git's fsck, which this row does not run, costs index-pack ~+50% there.
  for (const [k, v] of [
    ['receive.fsckObjects', 'true'],
    ['receive.fsck.badFilemode', 'error'],
  ])
    execFileSync('git', ['config', k, v], { cwd: big.server, env: big.env });
  const f = await treeMemory(process.execPath, [h.cli, 'pre-receive', '--deadline', '600'], {
    cwd: big.server,
    env: big.qenv,
    input,
  });
  if (f.code !== 0) throw new Error(`hook failed: ${f.stderr.slice(0, 500)}`);
  h.row(
    'the same, server with receive.fsckObjects (no tree pass in the hook)',
    `wall ${f.wallMs.toFixed(0)} ms, cpu ${f.cpuMs.toFixed(0)} ms  (×${(f.cpuMs / rawBig.cpuMs).toFixed(2)} cpu), peak ${mb(f.peakMb)}`,
  );
}
