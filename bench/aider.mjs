// The standard real history: the public Aider repository (github: Aider-AI/aider, ~13k
// commits, many AI-attributed). Its stored mirror lacks some large binary blobs, as a
// `--filter=blob:limit=…` clone would; the raw mirror is therefore the partial-clone case,
// and `aiderComplete()` rebuilds a complete copy of `main`:
//   git fast-export --no-data main   (blobs referenced by id, not copied)
//   → drop the tree entries (`M mode id path`) whose blob is absent
//   → git fast-import into a new bare repository that borrows the mirror's objects,
//     then `git repack -a -d` so the copy stands alone.
// The copy is cached (it takes ~30 s to build); commit ids differ from upstream only for
// commits whose trees lost an absent blob and their descendants.
//
//   AIDER_MIRROR=/path/to/aider.git   the bare mirror (default: where `fetch` puts it here)
//   CLEANROOM_BENCH_CACHE=DIR         where the complete copy is kept (default: os tmpdir)

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const AIDER_MIRROR = process.env.AIDER_MIRROR ?? '/work/.mirror/Aider-AI+aider/repo';

/** The raw mirror (partial: some blobs absent), or undefined when it is not on this machine. */
export function aiderMirror() {
  return existsSync(join(AIDER_MIRROR, 'objects')) ? AIDER_MIRROR : undefined;
}

/**
 * A complete bare copy of the mirror's `main` (every blob present), built once and cached.
 * Returns { path, commits, dropped } or undefined when the mirror is absent.
 */
export function aiderComplete() {
  const mirror = aiderMirror();
  if (!mirror) return undefined;
  const cache = process.env.CLEANROOM_BENCH_CACHE ?? tmpdir();
  const dest = join(cache, 'cleanroom-bench-aider-complete.git');
  const done = join(dest, 'cleanroom-complete');
  const git = (cwd, args, input) =>
    execFileSync('git', args, {
      cwd,
      input,
      maxBuffer: 1 << 30,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
    });
  if (!existsSync(done)) {
    const tmp = `${dest}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    git(tmp, ['init', '-q', '--bare', '-b', 'main']);
    writeFileSync(join(tmp, 'objects', 'info', 'alternates'), `${join(mirror, 'objects')}\n`);
    const stream = git(mirror, [
      'fast-export',
      '--no-data',
      '--signed-tags=strip',
      '--reencode=no',
      'main',
    ]);
    // Which referenced blobs are absent? Ask cat-file once for every id the stream names.
    const lines = stream.toString('latin1').split('\n');
    const entry = /^M [0-7]{6} ([0-9a-f]{40}) /;
    const ids = [...new Set(lines.map((l) => entry.exec(l)?.[1]).filter(Boolean))];
    const check = git(
      mirror,
      ['cat-file', '--batch-check=%(objectname) %(objecttype)'],
      `${ids.join('\n')}\n`,
    ).toString('utf8');
    const absent = new Set(
      check
        .split('\n')
        .filter((l) => l.endsWith(' missing'))
        .map((l) => l.split(' ')[0]),
    );
    // Tree entries of absent blobs are dropped; `data N` blocks (messages) are kept byte for
    // byte, so only lines outside them are filtered.
    const out = [];
    let skip = 0;
    let dropped = 0;
    for (const l of lines) {
      if (skip > 0) {
        out.push(l);
        skip -= Buffer.byteLength(l, 'latin1') + 1;
        continue;
      }
      const d = /^data (\d+)$/.exec(l);
      if (d) {
        out.push(l);
        skip = Number(d[1]);
        continue;
      }
      const m = entry.exec(l);
      if (m && absent.has(m[1])) {
        dropped++;
        continue;
      }
      out.push(l);
    }
    git(tmp, ['fast-import', '--quiet'], Buffer.from(out.join('\n'), 'latin1'));
    git(tmp, ['repack', '-a', '-d', '-q']);
    rmSync(join(tmp, 'objects', 'info', 'alternates'));
    const fsck = spawnSync('git', ['rev-list', '--objects', '--missing=print', 'main'], {
      cwd: tmp,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    });
    if (fsck.status !== 0 || /^\?/m.test(fsck.stdout))
      throw new Error(`aider copy is not complete: ${fsck.stderr}`);
    writeFileSync(
      join(tmp, 'cleanroom-complete'),
      JSON.stringify({ absent: [...absent], dropped }) + '\n',
    );
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  }
  const commits = Number(git(dest, ['rev-list', '--count', 'main']).toString().trim());
  return { path: dest, commits };
}

/**
 * Wall and CPU time of one command, children included (user+sys from /usr/bin/time, which
 * reports the waited-for process tree). Returns { wallMs, cpuMs, rssMb, code, stdout, stderr }.
 */
export function timeTree(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '@@cleanroom-time %U %S %M', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    ...opts,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /@@cleanroom-time ([\d.]+) ([\d.]+) (\d+)\s*$/.exec(r.stderr ?? '');
  const stderr = (r.stderr ?? '').replace(/@@cleanroom-time [^\n]*\n?$/, '');
  return {
    wallMs,
    cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN,
    rssMb: m ? Number(m[3]) / 1024 : NaN,
    code: r.status,
    stdout: r.stdout,
    stderr,
  };
}
