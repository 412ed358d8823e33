// Issue "agents": the agent hook runs on every tool call of every agent, and the ledger
// is read at every commit once an agent has written anything.
//   - per-call latency of the agent hook (target: median ≤ 60 ms) — the bundle agents are
//     wired to (dist/agent-hook.cjs) and `cleanroom agent-hook` through the full CLI,
//     against a bare `node -e 0` measured in the same run;
//   - ledger lookup at commit with 10,000 ledger entries: `cleanroom check --staged` on
//     100 staged files with the ledger vs without it, and raw `git diff-index --cached`.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const POLICY = `version: 1
repository: example.org/bench/agents
zones:
  - name: eval-tasks
    paths: ["evals/tasks/**", "evals/**/*.jsonl"]
    ai: deny
    read: deny
  - name: eval-harness
    paths: ["evals/harness/**"]
    ai: review
  - name: training-data
    paths: ["data/train/**"]
    ai: deny
`;

// The ledger's own hashing (src/signals/ledger.ts), so entries match what git stages.
const blobId = (text) =>
  createHash('sha1')
    .update(`blob ${Buffer.byteLength(text)}\0`)
    .update(text)
    .digest('hex');
const lineHashes = (text) => [
  ...new Set(
    text
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .filter((l) => l.length >= 12 && /[\p{L}\p{N}]/u.test(l))
      .map((l) => createHash('sha1').update(l).digest('hex').slice(0, 12)),
  ),
];
const fileText = (i) =>
  Array.from(
    { length: 40 },
    (_, j) => `result_${i}_${j} = evaluate(model="m${i % 7}", task=${j}, seed=${i * 31 + j})`,
  ).join('\n') + '\n';

function repo(h) {
  const dir = h.tmp('cleanroom-agents-bench-');
  const env = h.env();
  execFileSync('git', ['init', '-q', '-b', 'main', dir], { env });
  mkdirSync(join(dir, '.cleanroom'));
  writeFileSync(join(dir, '.cleanroom', 'policy.yaml'), POLICY);
  writeFileSync(join(dir, 'README.md'), '# bench\n');
  execFileSync('git', ['add', '-A'], { cwd: dir, env });
  execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env });
  return { dir, env };
}

function latency(h, args, input, cwd, env, runs) {
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const r = h.time(process.execPath, args, { cwd, env, input });
    if (r.code !== 0 && r.code !== 2)
      throw new Error(`${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    ms.push(r.ms);
  }
  return h.median(ms);
}

export default async function (h) {
  const hookBin = join(h.root, 'dist', 'agent-hook.cjs');
  const runs = h.quick ? 9 : 41;

  h.section('agents: agent-hook latency per tool call (median of ' + runs + ')');
  const { dir, env } = repo(h);
  const pre = JSON.stringify({
    session_id: 'b',
    cwd: dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Write',
    tool_input: { file_path: `${dir}/src/app.py`, content: 'print(1)\n' },
  });
  const deny = JSON.stringify({
    session_id: 'b',
    cwd: dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Write',
    tool_input: { file_path: `${dir}/evals/tasks/q1.json`, content: '{}' },
  });
  const bash = JSON.stringify({
    session_id: 'b',
    cwd: dir,
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command: 'grep -rn answer src/ tests/ | sort | head -n 20 > /tmp/out.txt' },
  });
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'app.py'), fileText(1));
  const post = JSON.stringify({
    session_id: 'b',
    cwd: dir,
    hook_event_name: 'PostToolUse',
    tool_name: 'Write',
    tool_input: { file_path: `${dir}/src/app.py`, content: fileText(1) },
  });

  const node = latency(h, ['-e', '0'], '', dir, env, runs);
  rmSync(join(dir, '.git', 'cleanroom'), { recursive: true, force: true });
  const cold = h.time(process.execPath, [hookBin, 'claude'], { cwd: dir, env, input: pre }).ms;
  const warm = latency(h, [hookBin, 'claude'], pre, dir, env, runs);
  const denied = latency(h, [hookBin, 'claude'], deny, dir, env, runs);
  const shell = latency(h, [hookBin, 'claude'], bash, dir, env, runs);
  const recorded = latency(h, [hookBin, 'claude'], post, dir, env, runs);
  const viaCli = latency(h, [h.cli, 'agent-hook', 'claude'], pre, dir, env, runs);
  h.row('node -e 0 (the floor: starting node)', `${node.toFixed(1)} ms`);
  h.row(
    'dist/agent-hook.cjs, Write outside zones (target ≤ 60 ms)',
    `${warm.toFixed(1)} ms (${(warm / node).toFixed(2)}× node)`,
  );
  h.row('dist/agent-hook.cjs, Write into a deny zone (blocked)', `${denied.toFixed(1)} ms`);
  h.row('dist/agent-hook.cjs, Bash command (shell parse)', `${shell.toFixed(1)} ms`);
  h.row('dist/agent-hook.cjs, PostToolUse (ledger append)', `${recorded.toFixed(1)} ms`);
  h.row(
    'dist/agent-hook.cjs, first call after a policy change',
    `${cold.toFixed(1)} ms (YAML parsed, cache written)`,
  );
  h.row('cleanroom agent-hook claude (whole CLI bundle)', `${viaCli.toFixed(1)} ms`);

  // Issue 14 §2: CPU time (user+sys, children included), the steadier figure on a shared
  // machine; interleaved runs. The hook's bundle alone (no code cache) beside the loader.
  const cpuRuns = h.quick ? 9 : 21;
  const cpu = { node: [], hook: [], bundle: [], base: [] };
  // BENCH_BASE=DIR (a build of another revision, e.g. main): its hook measured interleaved
  // with this one, each with a V8 code-cache directory of its own (the loader keeps one
  // cache file per directory: sharing one would make both compile on every call).
  const base = process.env.BENCH_BASE;
  const baseEnv = base && { ...env, XDG_CACHE_HOME: h.tmp('cleanroom-bench-xdg-') };
  for (let i = 0; i < cpuRuns; i++) {
    cpu.node.push(h.cpu(process.execPath, ['-e', '0'], { cwd: dir, env }).cpuMs);
    cpu.hook.push(
      h.cpu(process.execPath, [hookBin, 'claude'], { cwd: dir, env, input: pre }).cpuMs,
    );
    if (base)
      cpu.base.push(
        h.cpu(process.execPath, [join(base, 'dist', 'agent-hook.cjs'), 'claude'], {
          cwd: dir,
          env: baseEnv,
          input: pre,
        }).cpuMs,
      );
    // (a build before the loader: dist/agent-hook.cjs is the bundle itself)
    const bundle = join(h.root, 'dist', 'agent-hook-main.cjs');
    cpu.bundle.push(
      h.cpu(process.execPath, [existsSync(bundle) ? bundle : hookBin, 'claude'], {
        cwd: dir,
        env,
        input: pre,
      }).cpuMs,
    );
  }
  const [cn, ch, cb] = [cpu.node, cpu.hook, cpu.bundle].map((xs) => h.median(xs));
  h.row(`cpu: node -e 0 (median of ${cpuRuns}, interleaved)`, `${cn.toFixed(1)} ms`);
  h.row(
    'cpu: dist/agent-hook.cjs pre-write (target ≤ 40 ms)',
    `${ch.toFixed(1)} ms (${(ch / cn).toFixed(2)}× node)`,
  );
  h.row(
    'cpu: the bundle without the code cache',
    `${cb.toFixed(1)} ms (${(cb / cn).toFixed(2)}× node)`,
  );
  if (base) {
    const cbase = h.median(cpu.base);
    h.row(
      `cpu: ${base}/dist/agent-hook.cjs pre-write (BENCH_BASE)`,
      `${cbase.toFixed(1)} ms (${(cbase / cn).toFixed(2)}× node; this build ×${(ch / cbase).toFixed(2)} of it)`,
    );
  }

  // Issue 14 §2: post-write over a ledger past its size bound whose entries all stay live
  // (nothing to drop): compaction is amortised (again only once the ledger doubled).
  for (const n of h.quick ? [10_000] : [10_000, 100_000]) {
    const live = repo(h);
    mkdirSync(join(live.dir, 'src'));
    writeFileSync(join(live.dir, 'src', 'app.py'), fileText(1));
    const kept = lineHashes(fileText(1));
    const ledger = [];
    for (let i = 0; i < n; i++)
      ledger.push(
        JSON.stringify({
          v: 1,
          time: new Date(1795489008000 + i).toISOString(),
          tool: 'claude-code',
          session: `s${i}`,
          path: 'src/app.py',
          blob: blobId(fileText(1)),
          lines: kept,
        }),
      );
    mkdirSync(join(live.dir, '.git', 'cleanroom'), { recursive: true });
    const text = ledger.join('\n') + '\n';
    writeFileSync(join(live.dir, '.git', 'cleanroom', 'ledger.jsonl'), text);
    const postLive = post.replaceAll(dir, live.dir);
    const bound = { ...live.env, CLEANROOM_LEDGER_MAX_BYTES: String(1 << 20) };
    const ts = [];
    for (let i = 0; i < cpuRuns; i++) {
      const t = h.cpu(process.execPath, [hookBin, 'claude'], {
        cwd: live.dir,
        env: bound,
        input: postLive,
      });
      if (t.code !== 0) throw new Error(`post-write failed: ${t.stderr}`);
      ts.push(t);
    }
    const first = ts[0];
    const rest = ts.slice(1);
    h.row(
      `post-write, ${n.toLocaleString('en-US')} live entries (${(text.length / 1048576).toFixed(0)} MiB), bound 1 MiB`,
      `first (compacts) ${first.ms.toFixed(0)} ms wall, ${first.cpuMs.toFixed(0)} ms cpu`,
    );
    h.row(
      `  the next ${rest.length} writes (target ≤ 80 ms each)`,
      `median ${h.median(rest.map((t) => t.ms)).toFixed(1)} ms wall, ${h.median(rest.map((t) => t.cpuMs)).toFixed(1)} ms cpu; max ${Math.max(...rest.map((t) => t.ms)).toFixed(0)} ms wall`,
    );
  }

  // Issue 14 §1: the lookup goes through the ledger's key log (src/signals/ledger-keys.ts),
  // which the agent hook keeps in step; here the ledger is written directly, so one warm-up
  // lookup (a full scan, which then builds the key log) runs before the measured ones.
  for (const n of h.quick ? [1_000] : [10_000, 100_000]) await ledgerLookup(h, n);
}

async function ledgerLookup(h, n) {
  h.section(`agents: ledger lookup at commit, ${n.toLocaleString('en-US')} ledger entries`);
  const big = repo(h);
  const lines = [];
  for (let i = 0; i < n; i++) {
    const text = fileText(i + 1000);
    lines.push(
      JSON.stringify({
        v: 1,
        time: new Date(1795489008000 + i).toISOString(),
        tool: i % 3 ? 'claude-code' : 'codex',
        session: `s${i % 50}`,
        path: `scratch/f${i}.py`,
        blob: blobId(text),
        lines: lineHashes(text),
      }),
    );
  }
  // 100 staged files: 20 written by an agent as they are, 20 with an agent's lines pasted in, 60 human.
  for (let i = 0; i < 100; i++) {
    const text =
      i < 20
        ? fileText(1000 + i)
        : i < 40
          ? `# human header ${i}\n` +
            fileText(1000 + i)
              .split('\n')
              .slice(0, 5)
              .join('\n') +
            '\n'
          : `human_${i} = "written by a person, line ${i}"\n`.repeat(30);
    mkdirSync(join(big.dir, 'src', String(i % 10)), { recursive: true });
    writeFileSync(join(big.dir, 'src', String(i % 10), `f${i}.py`), text);
  }
  execFileSync('git', ['add', '-A'], { cwd: big.dir, env: big.env });
  const ledgerFile = join(big.dir, '.git', 'cleanroom', 'ledger.jsonl');
  const text = lines.join('\n') + '\n';
  const check = (withLedger) => {
    rmSync(join(big.dir, '.git', 'cleanroom'), { recursive: true, force: true });
    if (withLedger) {
      mkdirSync(join(big.dir, '.git', 'cleanroom'));
      writeFileSync(ledgerFile, text);
    }
    const ms = [];
    const cpu = [];
    for (let i = -1; i < (h.quick ? 3 : 7); i++) {
      const r = h.cpu(process.execPath, [h.cli, 'check', '--staged', '--format', 'json'], {
        cwd: big.dir,
        env: big.env,
      });
      if (r.code !== 0 && r.code !== 1) throw new Error(`check --staged failed: ${r.stderr}`);
      if (i < 0) continue; // the warm-up: builds the key log
      ms.push(r.ms);
      cpu.push(r.cpuMs);
    }
    return { ms: h.median(ms), cpu: h.median(cpu) };
  };
  const raw = h.median(
    Array.from(
      { length: 7 },
      () =>
        h.time('git', ['diff-index', '--cached', '--raw', '-z', '-M', 'HEAD'], {
          cwd: big.dir,
          env: big.env,
        }).ms,
    ),
  );
  const without = check(false);
  const withLedger = check(true);
  h.row(
    `ledger: ${n.toLocaleString('en-US')} entries, ${(Buffer.byteLength(text) / 1048576).toFixed(1)} MiB`,
    '',
  );
  h.row('git diff-index --cached (raw plumbing, 100 staged files)', `${raw.toFixed(1)} ms`);
  h.row(
    'cleanroom check --staged, no ledger',
    `${without.ms.toFixed(1)} ms wall, ${without.cpu.toFixed(1)} ms cpu`,
  );
  h.row(
    'cleanroom check --staged, with the ledger',
    `${withLedger.ms.toFixed(1)} ms wall, ${withLedger.cpu.toFixed(1)} ms cpu`,
  );
  h.row(
    'ledger lookup cost (difference; target at 100,000: <= 30 ms)',
    `${(withLedger.ms - without.ms).toFixed(1)} ms wall, ${(withLedger.cpu - without.cpu).toFixed(1)} ms cpu`,
  );
}
