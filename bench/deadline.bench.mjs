// Issue 11: a deadline that holds. Each section prints wall time against its bound
// (deadline + 0.5 s) or against raw git in the same run:
//   push15k   — 15,000 new commits pushed with --deadline 0.5 (must answer, and exit, within 1 s)
//   tags      — 2,000 new tags at known commits (vs raw `git rev-list` over the same tips)
//   bomb      — one commit moving 90,000 identical files a/ → b/ (a rename bomb), deadline 4.5
//   reorg     — a human commit moving 50 agent-written files into a zone, 20,000-commit history
//   bigfiles  — `git commit` of a 30 MB and a 200 MB file with a ledger present (vs no hooks)
//
// Run one section alone: `node bench/run.mjs deadline` with BENCH_DEADLINE=tags (a comma
// list). BENCH_QUICK=1 shrinks the inputs. No figures are quoted in docs from a loaded machine.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateHistory } from './history.mjs';

const POLICY = `version: 1
repository: bench/deadline
zones:
  - { name: eval-tasks, paths: ["evals/tasks/**"], ai: deny }
  - { name: moved, paths: ["b/**"], ai: deny }
  - { name: training-data, paths: ["data/train/**"], ai: deny }
`;
const ZERO = '0'.repeat(40);
const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

function server(h) {
  const env = h.env();
  const work = h.tmp();
  const bare = h.tmp();
  const git = (cwd, ...args) =>
    execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  git(work, 'init', '-q', '-b', 'main');
  mkdirSync(join(work, '.cleanroom'), { recursive: true });
  writeFileSync(join(work, '.cleanroom', 'policy.yaml'), POLICY);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', 'policy');
  git(bare, 'init', '-q', '--bare', '-b', 'main');
  // The server's own policy file: generated histories replace main's tree.
  const policy = join(h.tmp(), 'policy.yaml');
  writeFileSync(policy, POLICY);
  return { env, work, bare, git, policy };
}

/** The objects of `ref` present in the bare repository but unreferenced, as receive-pack leaves them. */
function stage(s, ref) {
  s.git(s.bare, 'fetch', '-q', s.work, `${ref}:refs/tmp/x`);
  s.git(s.bare, 'update-ref', '-d', 'refs/tmp/x');
}

// The hook's own CPU (user + system, children included) next to its wall time, read from
// /usr/bin/time where it exists: on a shared machine wall time alone hides whose time it was.
const TIME_BIN = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
function hook(h, s, input, deadline) {
  const args = [h.cli, 'pre-receive', '--policy', s.policy, '--deadline', String(deadline)];
  const r = TIME_BIN
    ? h.time(TIME_BIN, ['-f', 'cpu %U %S', process.execPath, ...args], {
        cwd: s.bare,
        env: s.env,
        input,
        timeout: 600_000,
      })
    : h.time(process.execPath, args, { cwd: s.bare, env: s.env, input, timeout: 600_000 });
  const m = /cpu (\d+\.\d+) (\d+\.\d+)\s*$/.exec(r.stderr ?? '');
  r.cpu = m ? `, cpu ${((Number(m[1]) + Number(m[2])) * 1000).toFixed(0)} ms` : '';
  return r;
}

const verdict = (r) =>
  r.code === 0
    ? 'accepted'
    : r.code === 1
      ? 'rejected (violation)'
      : /did not finish/.test(r.stderr)
        ? 'rejected (deadline)'
        : `exit ${r.code}`;

const SECTIONS = {
  push15k(h) {
    h.section('deadline: 15,000 new commits pushed with --deadline 0.5');
    const s = server(h);
    s.git(s.work, 'push', '-q', s.bare, 'main');
    const tip = generateHistory(s.work, {
      commits: h.quick ? 3_000 : 15_000,
      env: s.env,
      ref: 'refs/heads/hist',
    });
    stage(s, 'hist');
    const r = hook(h, s, `${ZERO} ${tip} refs/heads/hist\n`, 0.5);
    h.row(
      'cleanroom pre-receive --deadline 0.5 (answer and exit)',
      `${r.ms.toFixed(0)} ms${r.cpu}, ${verdict(r)}  (bound: 1000 ms)`,
    );
  },

  tags(h) {
    h.section('deadline: 2,000 new tags at known commits');
    const s = server(h);
    generateHistory(s.work, { commits: 500, env: s.env, ref: 'refs/heads/main' });
    s.git(s.work, 'push', '-q', s.bare, 'main');
    const ids = s.git(s.work, 'rev-list', 'main').trim().split('\n');
    const n = h.quick ? 500 : 2_000;
    const lines = Array.from(
      { length: n },
      (_, i) => `${ZERO} ${ids[i % ids.length]} refs/tags/t${i}`,
    );
    const raw = h.time(
      'git',
      ['rev-list', '--count', ...lines.map((l) => l.split(' ')[1]), '--not', '--all'],
      { cwd: s.bare, env: s.env },
    );
    const r = hook(h, s, lines.join('\n') + '\n', 4.5);
    h.row(`git rev-list over the same ${n} tips`, `${raw.ms.toFixed(0)} ms`);
    h.row(
      `cleanroom pre-receive, ${n} tags`,
      `${r.ms.toFixed(0)} ms${r.cpu}, ${verdict(r)}  (bound: 5000 ms)`,
    );
  },

  bomb(h) {
    h.section('deadline: rename bomb — one commit moving 90,000 identical files a/ → b/');
    const s = server(h);
    s.git(s.work, 'push', '-q', s.bare, 'main');
    const n = h.quick ? 20_000 : 90_000;
    const head = s.git(s.work, 'rev-parse', 'HEAD').trim();
    const parts = [
      'blob\nmark :1\ndata 6\nsame!\n',
      `commit refs/heads/base\nmark :2\ncommitter B <b@example.org> 1700000000 +0000\ndata 5\nbase\nfrom ${head}\n`,
    ];
    for (let i = 0; i < n; i++) parts.push(`M 100644 :1 a/d${Math.floor(i / 300)}/f${i}.txt\n`);
    for (const [ref, msg] of [
      ['aibomb', `move\n\n${CLAUDE}\n`],
      ['humanbomb', 'move\n'],
    ]) {
      parts.push(
        `\ncommit refs/heads/${ref}\ncommitter B <b@example.org> 1700000001 +0000\ndata ${Buffer.byteLength(msg)}\n${msg}from :2\nD a\n`,
      );
      for (let i = 0; i < n; i++) parts.push(`M 100644 :1 b/d${Math.floor(i / 300)}/f${i}.txt\n`);
    }
    execFileSync('git', ['fast-import', '--quiet'], {
      cwd: s.work,
      env: s.env,
      input: parts.join('') + '\n',
      maxBuffer: 1 << 30,
    });
    s.git(s.work, 'push', '-q', s.bare, 'base');
    for (const ref of ['aibomb', 'humanbomb']) {
      stage(s, ref);
      const tip = s.git(s.work, 'rev-parse', ref).trim();
      const raw = h.time('git', ['diff-tree', '-r', '--raw', '--no-renames', tip], {
        cwd: s.bare,
        env: s.env,
      });
      const r = hook(h, s, `${ZERO} ${tip} refs/heads/${ref}\n`, 4.5);
      h.row(`${ref}: git diff-tree --no-renames (raw)`, `${raw.ms.toFixed(0)} ms`);
      h.row(
        `${ref}: cleanroom pre-receive --deadline 4.5`,
        `${r.ms.toFixed(0)} ms${r.cpu}, ${verdict(r)}  (bound: 5000 ms)`,
      );
    }
  },

  reorg(h) {
    h.section(
      'deadline: a human commit moving 50 agent-written files into a zone (20,000-commit history)',
    );
    const s = server(h);
    generateHistory(s.work, {
      commits: h.quick ? 5_000 : 20_000,
      env: s.env,
      ref: 'refs/heads/main',
    });
    s.git(s.work, 'reset', '-q', '--hard', 'main');
    mkdirSync(join(s.work, 'drafts'), { recursive: true });
    for (let i = 0; i < 50; i++)
      writeFileSync(join(s.work, 'drafts', `q${i}.json`), `{"q": ${i}, "text": "draft ${i}"}\n`);
    s.git(s.work, 'add', '-A');
    s.git(s.work, 'commit', '-q', '-m', 'drafts', '-m', CLAUDE);
    s.git(s.work, 'push', '-q', s.bare, 'main');
    mkdirSync(join(s.work, 'evals', 'tasks'), { recursive: true });
    s.git(s.work, 'mv', 'drafts', 'evals/tasks/drafts');
    s.git(s.work, 'commit', '-q', '-m', 'promote drafts');
    stage(s, 'main');
    const tip = s.git(s.work, 'rev-parse', 'HEAD').trim();
    const raw = h.time('git', ['log', '--raw', '--no-renames', '--format=%H', 'HEAD~1'], {
      cwd: s.work,
      env: s.env,
    });
    const old = s.git(s.bare, 'rev-parse', 'main').trim();
    const r = hook(h, s, `${old} ${tip} refs/heads/main\n`, 4.5);
    h.row('git log --raw over the history (one walk, raw)', `${raw.ms.toFixed(0)} ms`);
    h.row(
      'cleanroom pre-receive --deadline 4.5',
      `${r.ms.toFixed(0)} ms${r.cpu}, ${verdict(r)}  (expected: rejected (violation); bound: 5000 ms)`,
    );
  },

  bigfiles(h) {
    h.section('deadline: git commit of large data files with a ledger present');
    const env = h.env();
    const dir = h.tmp();
    const git = (...args) =>
      execFileSync('git', args, { cwd: dir, env, encoding: 'utf8', maxBuffer: 1 << 30 });
    git('init', '-q', '-b', 'main');
    mkdirSync(join(dir, '.cleanroom'), { recursive: true });
    writeFileSync(join(dir, '.cleanroom', 'policy.yaml'), POLICY);
    git('add', '-A');
    git('commit', '-q', '-m', 'policy');
    execFileSync(process.execPath, [h.cli, 'init', '--hooks', 'git', '-q'], { cwd: dir, env });
    // A ledger exists: an agent wrote something once.
    const state = git('rev-parse', '--git-path', 'cleanroom').trim();
    mkdirSync(join(dir, state), { recursive: true });
    writeFileSync(
      join(dir, state, 'ledger.jsonl'),
      JSON.stringify({
        v: 1,
        time: new Date().toISOString(),
        tool: 'claude-code',
        session: 's',
        path: 'x.py',
        blob: '1'.repeat(40),
        lines: ['0123456789ab'],
      }) + '\n',
    );
    const noHooks = join(dir, '.git', 'no-hooks');
    mkdirSync(noHooks, { recursive: true });
    const line = '{"text": "a row of training data that is long enough to matter"}\n';
    mkdirSync(join(dir, 'data', 'train'), { recursive: true });
    for (const mb of h.quick ? [30] : [30, 200]) {
      const body = line.repeat(Math.ceil((mb * 1024 * 1024) / line.length));
      writeFileSync(join(dir, 'data', 'train') + `/plain-${mb}.jsonl`, body, { flag: 'w' });
      git('add', '-A');
      const base = h.time(
        'git',
        ['-c', `core.hooksPath=${noHooks}`, 'commit', '-q', '-m', `plain ${mb}`],
        { cwd: dir, env },
      );
      writeFileSync(join(dir, 'data', 'train') + `/hooked-${mb}.jsonl`, body.replace(/^/, 'x'));
      git('add', '-A');
      const t = h.time('git', ['commit', '-q', '-m', `hooked ${mb}`], { cwd: dir, env });
      h.row(`${mb} MB file: git commit without hooks`, `${base.ms.toFixed(0)} ms`);
      h.row(
        `${mb} MB file: git commit with cleanroom hooks and a ledger`,
        `${t.ms.toFixed(0)} ms (exit ${t.code}; ×${(t.ms / base.ms).toFixed(2)} raw git)`,
      );
    }
  },
};

export default async function (h) {
  const only = (process.env.BENCH_DEADLINE ?? '').split(',').filter(Boolean);
  for (const [name, run] of Object.entries(SECTIONS)) {
    if (only.length && !only.includes(name)) continue;
    run(h);
  }
}
