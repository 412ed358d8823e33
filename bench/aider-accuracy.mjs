#!/usr/bin/env node
// Real-data accuracy of the tool table on Aider's own public history (issue 12): every
// commit cleanroom's audit attributes to aider, against an independent ground truth read
// with `git log` and plain regular expressions (no cleanroom code), with one zone `**`
// deny so that every attributed commit that changes a file is a violation.
//
//   node bench/aider-accuracy.mjs PATH-TO-AIDER-GIT-DIR [REV=main]
//   AIDER_REPO=… node bench/aider-accuracy.mjs
//
// The snapshot may lack a few large blobs. The audit diffs trees (renames need blob
// content), so a complete copy of REV is built first: `git fast-export --no-data` with the
// tree entries of absent blobs dropped, `git fast-import` into a scratch repository that
// borrows the snapshot's objects (alternates). Commit ids change where a tree lost an
// entry; the export and import marks map them back. Prints counts, recall and precision;
// exit 1 when either is below 100%. Needs `npm run build` first.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = process.argv[2] ?? process.env.AIDER_REPO;
const rev = process.argv[3] ?? 'main';
if (!src) {
  console.error(
    'usage: node bench/aider-accuracy.mjs PATH-TO-AIDER-GIT-DIR [REV]   (fetch github:Aider-AI/aider first)',
  );
  process.exit(2);
}
const env = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};
for (const k of Object.keys(env))
  if (/^(CLAUDECODE|CODEX_|CURSOR_AGENT|GEMINI_CLI|CLEANROOM|GIT_DIR|GIT_WORK_TREE)/.test(k))
    delete env[k];
const git = (dir, args, opts = {}) => {
  const r = spawnSync('git', ['--no-replace-objects', '--git-dir', dir, ...args], {
    env,
    maxBuffer: 1 << 30,
    ...opts,
  });
  if (r.status !== 0 && !opts.ok) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r;
};
const gitDir = resolve(
  git(resolve(src), ['rev-parse', '--absolute-git-dir']).stdout.toString().trim(),
);

// ---- ground truth: git log and regular expressions only ---------------------------------
// aider's forms (its own history and aider/repo.py): the " (aider)" suffix on the author or
// committer name; a Co-authored-by naming aider@aider.chat, noreply@aider.chat or
// noreply@aider.dev; the "aider: " subject prefix of 2023-24.
const log = git(gitDir, ['log', '-z', '--format=%H%x1f%an%x1f%cn%x1f%B', rev]).stdout.toString(
  'utf8',
);
const truth = new Set();
let total = 0;
const why = { suffix: 0, coauthor: 0, prefix: 0 };
for (const rec of log.split('\0')) {
  if (!rec) continue;
  total++;
  const [id, an, cn, body] = rec.split('\x1f');
  const suffix = / \(aider\)$/.test(an) || / \(aider\)$/.test(cn);
  const coauthor =
    /^co-authored-by:.*<(aider@aider\.chat|noreply@aider\.chat|noreply@aider\.dev)>\s*$/im.test(
      body,
    );
  const prefix = body.startsWith('aider: ');
  if (suffix) why.suffix++;
  if (coauthor) why.coauthor++;
  if (prefix) why.prefix++;
  if (suffix || coauthor || prefix) truth.add(id);
}

// ---- a complete copy ---------------------------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'aider-accuracy-'));
try {
  const copy = join(work, 'copy.git');
  spawnSync('git', ['init', '--quiet', '--bare', copy], { env });
  mkdirSync(join(copy, 'objects', 'info'), { recursive: true });
  writeFileSync(join(copy, 'objects', 'info', 'alternates'), join(gitDir, 'objects') + '\n');
  const oldMarks = join(work, 'old.marks');
  const stream = git(gitDir, [
    'fast-export',
    '--no-data',
    '--signed-tags=strip',
    '--reencode=no',
    `--export-marks=${oldMarks}`,
    rev,
  ]).stdout;
  // Tree entries `M <mode> <blob> <path>`, read line by line; `data N` payloads (messages)
  // are copied as bytes, never parsed.
  const parts = [];
  for (let pos = 0; pos < stream.length;) {
    let end = stream.indexOf(0x0a, pos);
    if (end < 0) end = stream.length;
    const line = stream.toString('latin1', pos, end);
    const data = /^data (\d+)$/.exec(line);
    if (data) {
      const stop = end + 1 + Number(data[1]);
      parts.push({ line: null, raw: stream.subarray(pos, stop) });
      pos = stop;
      continue;
    }
    parts.push({ line, raw: stream.subarray(pos, Math.min(end + 1, stream.length)) });
    pos = end + 1;
  }
  const entry = /^M 1[0-7]{5} ([0-9a-f]{40}) /;
  const blobs = [...new Set(parts.map((p) => p.line && entry.exec(p.line)?.[1]).filter(Boolean))];
  const check = git(gitDir, ['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    input: blobs.join('\n') + '\n',
  }).stdout.toString();
  const absent = new Set(
    check
      .split('\n')
      .filter((l) => l.endsWith(' missing'))
      .map((l) => l.split(' ')[0]),
  );
  const kept = parts.filter((p) => !(p.line && absent.has(entry.exec(p.line)?.[1])));
  const filtered = Buffer.concat(kept.map((p) => p.raw));
  const newMarks = join(work, 'new.marks');
  git(copy, ['fast-import', '--quiet', `--export-marks=${newMarks}`], { input: filtered });
  const marks = (f) =>
    new Map(
      readFileSync(f, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')),
    );
  const before = marks(oldMarks);
  const after = marks(newMarks);
  const toOld = new Map();
  for (const [mark, oldId] of before) if (after.has(mark)) toOld.set(after.get(mark), oldId);

  // ---- cleanroom's audit, one zone ** deny -------------------------------------------------
  const policy = join(work, 'policy.yaml');
  writeFileSync(
    policy,
    'version: 1\nrepository: github.com/Aider-AI/aider\nzones:\n  - name: everything\n    paths: ["**"]\n    ai: deny\n',
  );
  // The audit's report lists contaminated paths that exist now; the per-commit verdicts
  // come from `check` over the same history (the root commit on its own: A..B leaves A out).
  const cli = (args) => {
    const r = spawnSync(
      process.execPath,
      [join(root, 'dist', 'cleanroom.cjs'), ...args, '--policy', policy, '--format', 'json'],
      { cwd: copy, env, maxBuffer: 1 << 30 },
    );
    if (r.status !== 0 && r.status !== 1)
      throw new Error(`cleanroom ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout.toString());
  };
  const audit = cli(['audit', '--range', rev]);
  const roots = git(copy, ['rev-list', '--max-parents=0', rev])
    .stdout.toString()
    .trim()
    .split('\n');
  const report = {
    violations: [
      ...cli(['check', '--range', `${roots[0]}..${rev}`]).violations,
      ...roots.flatMap((r) => cli(['check', '--commit', r]).violations),
    ],
  };
  if (process.env.AIDER_AUDIT_JSON)
    writeFileSync(process.env.AIDER_AUDIT_JSON, JSON.stringify(audit, null, 1));
  const found = new Set();
  const otherTools = new Map();
  // A rename of content aider wrote carries aider's provenance (signal "moved from …"): a
  // verdict on the content, not on who made the commit, so it is counted apart.
  const carried = new Map();
  for (const v of report.violations) {
    const id = toOld.get(v.commit) ?? v.commit;
    if (v.tool === 'aider' && /^moved from /.test(v.signal)) carried.set(id, v.signal);
    else if (v.tool === 'aider') found.add(id);
    else otherTools.set(v.tool, (otherTools.get(v.tool) ?? 0) + 1);
  }
  // A commit that changes no file has nothing to judge (no violation can name it).
  const changed = new Set(
    git(
      gitDir,
      ['log', '--format=%H', '--diff-filter=d', '--no-renames', '--name-only', '-z', rev],
      { ok: true },
    )
      .stdout.toString()
      .split(/\0|\n/)
      .filter((s) => /^[0-9a-f]{40}$/.test(s)),
  );
  const judgeable = new Set([...truth].filter((id) => changed.has(id)));
  const tp = [...found].filter((id) => judgeable.has(id)).length;
  const fn = [...judgeable].filter((id) => !found.has(id));
  const fp = [...found].filter((id) => !truth.has(id));
  const pct = (a, b) => (b ? ((100 * a) / b).toFixed(2) : '100.00');
  console.log(
    `Aider history ${rev}: ${total} commits; ${absent.size} absent blobs dropped from the copy`,
  );
  console.log(
    `ground truth (git log + regex): ${truth.size} aider commits (name suffix ${why.suffix}, co-author ${why.coauthor}, "aider: " subject ${why.prefix}); ${judgeable.size} add or modify a file (deletions are never violations)`,
  );
  console.log(
    `cleanroom audit (zone ** deny): ${audit.history.commits} commits read, ${audit.history.commitsWithFindings} with findings; paths contaminated now per tool: ${JSON.stringify(audit.summary.tools)}`,
  );
  console.log(
    `cleanroom check (same policy, every commit): ${found.size} commits attributed to aider; other tools' violations: ${[...otherTools].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}`,
  );
  const carriedOnly = [...carried.keys()].filter((id) => !found.has(id));
  console.log(
    `  + ${carriedOnly.length} more commits whose only aider finding is moved content aider wrote (provenance carried by a rename, not the commit's identity)`,
  );
  console.log(`true positives ${tp}, false negatives ${fn.length}, false positives ${fp.length}`);
  console.log(`recall ${pct(tp, judgeable.size)}%, precision ${pct(tp, found.size)}%`);
  for (const id of fn.slice(0, 10)) console.log(`  missed: ${id}`);
  for (const id of fp.slice(0, 10)) console.log(`  extra:  ${id}`);
  process.exitCode = fn.length || fp.length ? 1 : 0;
} finally {
  rmSync(work, { recursive: true, force: true });
}
