#!/usr/bin/env node
// npm run bench — every speed claim in the README comes from here. Each section is a
// bench/*.bench.mjs module exporting `default async (h) => void`; it measures raw git
// and cleanroom in the same run and prints ratios, never absolute thresholds alone.
//
//   node bench/run.mjs [SECTION…]      e.g. node bench/run.mjs commit
//   BENCH_QUICK=1 …                    smaller inputs (smoke test)

import { readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
delete process.env.NODE_EXTRA_CA_CERTS; // adds ~80 ms to every node start (docs/design/field-notes.md, Speed)

export const h = {
  root,
  cli: join(root, 'dist', 'cleanroom.mjs'),
  quick: process.env.BENCH_QUICK === '1',
  tmp(prefix = 'cleanroom-bench-') {
    const d = mkdtempSync(join(tmpdir(), prefix));
    cleanup.push(d);
    return d;
  },
  env(extra = {}) {
    const env = {
      ...process.env,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      NO_COLOR: '1',
      GIT_AUTHOR_NAME: 'Bench Human',
      GIT_AUTHOR_EMAIL: 'bench@example.org',
      GIT_COMMITTER_NAME: 'Bench Human',
      GIT_COMMITTER_EMAIL: 'bench@example.org',
      ...extra,
    };
    for (const k of Object.keys(env))
      if (/^(CLAUDECODE|CODEX_|CURSOR_AGENT|GEMINI_CLI|CLEANROOM)/.test(k) && !(k in extra))
        delete env[k];
    return env;
  },
  /** Runs a command, returns { ms, code, stdout, stderr }. */
  time(cmd, args, opts = {}) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ms, code: r.status, stdout: r.stdout, stderr: r.stderr };
  },
  /**
   * Runs a command and returns { ms, cpuMs, code, stdout, stderr }: cpuMs is the user+sys
   * time of the command and every process it started (bash's `times` for its children,
   * getrusage(RUSAGE_CHILDREN): millisecond resolution, where /usr/bin/time has 10 ms).
   */
  cpu(cmd, args, opts = {}) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bench', cmd, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      ...opts,
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const lines = (r.stderr ?? '').trimEnd().split('\n');
    const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? '');
    const cpuMs = m
      ? (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000
      : NaN;
    return { ms, cpuMs, code: r.status, stdout: r.stdout, stderr: lines.slice(0, -2).join('\n') };
  },
  median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  },
  row(label, value) {
    console.log(`  ${label.padEnd(58)} ${value}`);
  },
  section(title) {
    console.log(`\n== ${title}`);
  },
};
const cleanup = [];

const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort();
// A misspelt section (or --help) used to run nothing and exit 0, looking like a pass.
const names = files.map((f) => f.replace(/\.bench\.mjs$/, ''));
const unknown = wanted.filter((w) => !names.includes(w));
if (unknown.length) {
  const help = unknown.some((w) => w === '-h' || w === '--help');
  (help ? console.log : console.error)(
    `${help ? '' : `unknown section: ${unknown.join(' ')}\n`}usage: node bench/run.mjs [SECTION…]   (none: every section; BENCH_QUICK=1 smaller inputs)\nsections: ${names.join(' ')}\n(docs/benchmarks.md, "Running the bench")`,
  );
  process.exit(help ? 0 : 2);
}
console.log(
  `cleanroom bench — node ${process.version}, ${spawnSync('git', ['version'], { encoding: 'utf8' }).stdout.trim()}${h.quick ? ' (quick)' : ''}`,
);
let failed = false;
for (const f of files) {
  const name = f.replace(/\.bench\.mjs$/, '');
  if (wanted.length && !wanted.includes(name)) continue;
  try {
    const m = await import(pathToFileURL(join(here, f)).href);
    await m.default(h);
  } catch (e) {
    failed = true;
    console.error(`bench ${name} failed: ${e?.stack ?? e}`);
  }
}
for (const d of cleanup) rmSync(d, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
