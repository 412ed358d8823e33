// Issue "audit": `cleanroom audit` over long histories.
//   - a 13,000-commit history (every tool signature, ~30% AI-attributed, renames, merges,
//     none into zones — so the cost measured is judging every commit, not reporting):
//     audit time vs raw `git log --raw` over the same history, same run, median of 3;
//   - a 100,000-commit history: audit time and peak memory (RSS) of the audit process,
//     beside git's own (git holds the commit list of a --topo-order walk in memory).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports a generated history into a fresh repository and checks out its tip. */
async function makeRepo(h, commits, seed) {
  const { generateHistory } = await import(
    pathToFileURL(join(h.root, 'test', 'fixtures', 'audit', 'history.mjs')).href
  );
  const dir = h.tmp('cleanroom-audit-bench-');
  const env = h.env();
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  const t = process.hrtime.bigint();
  const gen = generateHistory({ commits, seed, aiShare: 0.3, zones: false });
  const r = spawnSync('git', ['fast-import', '--quiet'], {
    cwd: dir,
    env,
    input: gen.stream,
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  execFileSync('git', ['reset', '-q', '--hard'], { cwd: dir, env });
  const count = Number(
    execFileSync('git', ['rev-list', '--count', 'HEAD'], {
      cwd: dir,
      env,
      encoding: 'utf8',
    }).trim(),
  );
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { dir, env, count, ms };
}

/**
 * Peak memory of one audit run, two ways: the audit process itself (its own rusage,
 * reported by a small wrapper that runs the CLI in-process), and the whole process tree
 * with GNU time when installed — which is the largest of node and the git processes it
 * starts, and so mostly git's own memory for the walk.
 */
function peakRss(h, dir, env, out) {
  const args = [h.cli, 'audit', '--format', 'json', '--output', out];
  const wrapper =
    `process.argv = [process.argv[0], ...${JSON.stringify(args)}];` +
    `process.on('exit', () => process.stderr.write('maxrss-kb ' + process.resourceUsage().maxRSS + '\\n'));` +
    `await import(${JSON.stringify(pathToFileURL(h.cli).href)});`;
  const self = h.time(process.execPath, ['--input-type=module', '-e', wrapper], { cwd: dir, env });
  const kb = /maxrss-kb (\d+)/.exec(self.stderr ?? '');
  if (self.code !== 0 && self.code !== 1)
    throw new Error(`audit failed (${self.code}): ${self.stderr}`);
  let tree;
  if (existsSync('/usr/bin/time')) {
    const t = h.time('/usr/bin/time', ['-v', process.execPath, ...args], { cwd: dir, env });
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t.stderr ?? '');
    if (m) tree = Number(m[1]) / 1024;
  }
  return { ms: self.ms, self: kb ? Number(kb[1]) / 1024 : NaN, tree };
}

function gitLogRss(h, dir, env) {
  if (!existsSync('/usr/bin/time')) return undefined;
  const t = h.time('/usr/bin/time', ['-v', 'git', 'log', '--raw', '--no-abbrev'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(t.stderr ?? '');
  return m ? Number(m[1]) / 1024 : undefined;
}

export default async function (h) {
  h.section('audit: one pass over history vs git log --raw');
  const size = h.quick ? 2_000 : 13_000;
  const repo = await makeRepo(h, size, 13);
  h.row(
    `history: ${repo.count.toLocaleString('en-US')} commits (generated + imported)`,
    `${repo.ms.toFixed(0)} ms`,
  );
  const out = join(repo.dir, '.git', 'audit.json');
  const runs = 3;
  const gitMs = [];
  const auditMs = [];
  for (let i = 0; i < runs; i++) {
    // Interleaved, so both see the same machine state (page cache, CPU frequency).
    const g = h.time('git', ['log', '--raw', '--no-abbrev'], {
      cwd: repo.dir,
      env: repo.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (g.code !== 0) throw new Error(`git log failed: ${g.stderr}`);
    gitMs.push(g.ms);
    const a = h.time(process.execPath, [h.cli, 'audit', '--format', 'json', '--output', out], {
      cwd: repo.dir,
      env: repo.env,
    });
    if (a.code !== 0 && a.code !== 1) throw new Error(`audit failed (${a.code}): ${a.stderr}`);
    auditMs.push(a.ms);
  }
  const g = h.median(gitMs);
  const a = h.median(auditMs);
  h.row(`git log --raw (median of ${runs})`, `${g.toFixed(0)} ms`);
  h.row(`cleanroom audit --format json (median of ${runs})`, `${a.toFixed(0)} ms`);
  h.row('ratio audit / git log --raw (target ≤ 3×)', `${(a / g).toFixed(2)}×`);
  h.row(
    'audit throughput',
    `${Math.round(repo.count / (a / 1000)).toLocaleString('en-US')} commits/s`,
  );

  h.section('audit: 100,000 commits, peak memory');
  const big = await makeRepo(h, h.quick ? 10_000 : 100_000, 100);
  h.row(
    `history: ${big.count.toLocaleString('en-US')} commits (generated + imported)`,
    `${big.ms.toFixed(0)} ms`,
  );
  const bigOut = join(big.dir, '.git', 'audit.json');
  const gl = h.time('git', ['log', '--raw', '--no-abbrev'], {
    cwd: big.dir,
    env: big.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const rss = peakRss(h, big.dir, big.env, bigOut);
  h.row('git log --raw', `${gl.ms.toFixed(0)} ms`);
  h.row('cleanroom audit', `${rss.ms.toFixed(0)} ms (${(rss.ms / gl.ms).toFixed(2)}×)`);
  h.row('peak RSS, the audit (node) process itself', `${rss.self.toFixed(0)} MiB`);
  const logRss = gitLogRss(h, big.dir, big.env);
  if (rss.tree !== undefined)
    h.row('peak RSS, largest process of the audit (git log is one)', `${rss.tree.toFixed(0)} MiB`);
  if (logRss !== undefined)
    h.row('peak RSS, git log --raw alone (for comparison)', `${logRss.toFixed(0)} MiB`);
  writeFileSync(join(big.dir, '.git', 'bench-done'), '');
}
