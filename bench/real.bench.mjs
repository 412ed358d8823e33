// Real history: the public Aider repository (see bench/aider.mjs for how the complete copy
// is rebuilt from the stored mirror, and why the raw mirror is the partial-clone case).
// Medians of interleaved runs; wall time and CPU time (user+sys, children included).
//   - pre-receive: the whole of `main` pushed as a new branch, against the issue's anchor
//     `git log --raw -M` over the same commits (the ratio the target ≤ 2.5× is about), and
//     `git log --raw -M -c` (merges' combined diffs too: more work, so a kinder ratio,
//     printed beside it, never instead of it);
//   - audit with one zone `**` (deny): every commit judged, against `git log --raw -M`;
//   - audit on the raw mirror, whose history lacks some blobs (a --filter=blob:limit clone).
// Skipped, saying so, when the mirror is not on this machine (AIDER_MIRROR).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aiderComplete, aiderMirror, timeTree } from './aider.mjs';

const EVERYTHING = `version: 1
repository: github.com/Aider-AI/aider
zones:
  - { name: everything, paths: ["**"], ai: deny }
`;
const TYPICAL = `version: 1
repository: github.com/Aider-AI/aider
zones:
  - { name: benchmark, paths: ["benchmark/**"], ai: deny }
  - { name: tests, paths: ["tests/**"], ai: review }
`;

function interleave(h, runs, fns) {
  const out = fns.map(() => []);
  for (let i = 0; i < runs; i++) fns.forEach((f, j) => out[j].push(f()));
  return out.map((rs) => ({
    wall: h.median(rs.map((r) => r.wallMs)),
    cpu: h.median(rs.map((r) => r.cpuMs)),
    rss: Math.max(...rs.map((r) => r.rssMb)),
    code: rs[0].code,
    stderr: rs[0].stderr,
  }));
}

const fmt = (m, anchor) =>
  `wall ${m.wall.toFixed(0)} ms, cpu ${m.cpu.toFixed(0)} ms` +
  (anchor
    ? `  (×${(m.wall / anchor.wall).toFixed(2)} wall, ×${(m.cpu / anchor.cpu).toFixed(2)} cpu)`
    : '') +
  `  exit ${m.code}`;

export default async function (h) {
  h.section('real history: the public Aider repository');
  if (!aiderMirror()) {
    h.row('skipped', `no mirror at AIDER_MIRROR (${process.env.AIDER_MIRROR ?? 'default path'})`);
    return;
  }
  const copy = aiderComplete();
  const env = h.env();
  const runs = h.quick ? 1 : 5;
  const dir = h.tmp();
  writeFileSync(join(dir, 'everything.yaml'), EVERYTHING);
  writeFileSync(join(dir, 'typical.yaml'), TYPICAL);
  h.row('commits on main (complete copy)', String(copy.commits));

  // Server: the objects are present but no ref names them, as receive-pack leaves a push.
  const server = join(dir, 'server.git');
  execFileSync('git', ['clone', '-q', '--bare', '--no-local', copy.path, server], { env });
  const tip = execFileSync('git', ['rev-parse', 'main'], {
    cwd: server,
    env,
    encoding: 'utf8',
  }).trim();
  execFileSync('git', ['update-ref', '-d', 'refs/heads/main'], { cwd: server, env });
  const input = `${'0'.repeat(40)} ${tip} refs/heads/main\n`;
  // BENCH_BASE=DIR (a build of another revision, e.g. main): its pre-receive measured
  // interleaved with this one, in the same run.
  const baseDir = process.env.BENCH_BASE;
  const baseCli = baseDir ? join(baseDir, 'dist', 'cleanroom.cjs') : undefined;
  const [nodeFloor, rawPlain, rawLog, treeWork, hook, baseHook] = interleave(h, runs, [
    () => timeTree(process.execPath, ['-e', '0'], { env }),
    () =>
      timeTree(
        'git',
        ['log', '--raw', '-M', '--no-abbrev', '--format=%H%n%an <%ae>%n%cn <%ce>%n%B', tip],
        { cwd: server, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    () =>
      timeTree(
        'git',
        ['log', '--raw', '-M', '-c', '--no-abbrev', '--format=%H%n%an <%ae>%n%cn <%ce>%n%B', tip],
        { cwd: server, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    // The git half of the tree check (src/git/trees.ts) alone: with Git's defaults
    // (receive.fsckObjects off) the hook must read every new tree once more than the
    // anchor does, whatever Node then does with them.
    () =>
      timeTree(
        'sh',
        [
          '-c',
          'git rev-list --objects --filter=object:type=tree --no-object-names "$1" | git cat-file --batch --buffer > /dev/null',
          'trees',
          tip,
        ],
        { cwd: server, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    () =>
      timeTree(
        process.execPath,
        [h.cli, 'pre-receive', '--deadline', '600', '--policy', join(dir, 'typical.yaml')],
        { cwd: server, env, input },
      ),
    ...(baseCli
      ? [
          () =>
            timeTree(
              process.execPath,
              [baseCli, 'pre-receive', '--deadline', '600', '--policy', join(dir, 'typical.yaml')],
              { cwd: server, env, input },
            ),
        ]
      : []),
  ]);
  h.row('node -e 0', fmt(nodeFloor));
  h.row('git log --raw -M over main (anchor)', fmt(rawPlain));
  h.row('git log --raw -M -c over main', fmt(rawLog));
  h.row("the tree check's git work alone (rev-list --objects | cat-file)", fmt(treeWork, rawPlain));
  // What git alone must do with Git's defaults: the anchor's diffs plus the tree check's
  // reads. Node's share is what the target leaves above it.
  const floor = rawPlain.cpu + treeWork.cpu;
  h.row(
    "git floor with Git's defaults (anchor + tree check)",
    `cpu ${floor.toFixed(0)} ms (×${(floor / rawPlain.cpu).toFixed(2)} of the anchor; the ≤ 2.5× target leaves ${(2.5 * rawPlain.cpu - floor).toFixed(0)} ms for Node)`,
  );
  h.row('cleanroom pre-receive, main as a new branch (target ≤ 2.5× cpu)', fmt(hook, rawPlain));
  h.row('the same, against git log --raw -M -c', fmt(hook, rawLog));
  if (baseHook)
    h.row(`pre-receive of ${baseDir} (BENCH_BASE), the same push`, fmt(baseHook, rawPlain));

  const [rawAudit, audit] = interleave(h, runs, [
    () =>
      timeTree(
        'git',
        ['log', '--raw', '-M', '--no-abbrev', '--format=%H%n%an <%ae>%n%cn <%ce>%n%B', 'main'],
        { cwd: copy.path, env, stdio: ['ignore', 'ignore', 'pipe'] },
      ),
    () =>
      timeTree(
        process.execPath,
        [
          h.cli,
          'audit',
          '--policy',
          join(dir, 'everything.yaml'),
          '--format',
          'json',
          '--output',
          join(dir, 'audit.json'),
        ],
        { cwd: copy.path, env },
      ),
  ]);
  h.row('git log --raw -M over main (anchor)', fmt(rawAudit));
  h.row('cleanroom audit, zone ** deny (target ≤ 2× cpu)', fmt(audit, rawAudit));

  const [partial] = interleave(h, 1, [
    () =>
      timeTree(
        process.execPath,
        [
          h.cli,
          'audit',
          '--policy',
          join(dir, 'everything.yaml'),
          '--format',
          'json',
          '--output',
          join(dir, 'audit-partial.json'),
        ],
        { cwd: aiderMirror(), env },
      ),
  ]);
  h.row(
    'cleanroom audit on the partial mirror (absent blobs)',
    `${fmt(partial)}${partial.code === 2 ? `: ${partial.stderr.trim().split('\n')[0]}` : ''}`,
  );
}
