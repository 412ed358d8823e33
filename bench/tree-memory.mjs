// Peak memory of a whole process tree (a hook and every git process it starts), the
// figure issue 14 §3 bounds (≤ 256 MiB at 100,000 commits). GNU time's %M is the largest
// single process, not the tree; summing RSS counts a fork's pages twice (Node forks its
// ~300 MiB self before each exec). So the tree is sampled every 20 ms from /proc and each
// process counted by its PSS (shared pages split among their users). Linux only: elsewhere
// `peak` is NaN. CPU is user+sys of the command and its children (/proc/self/stat's
// cutime+cstime, 10 ms resolution).

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setInterval, clearInterval } from 'node:timers';

const read = (p) => {
  try {
    return readFileSync(p, 'latin1');
  } catch {
    return '';
  }
};

const childCpuMs = () => {
  const st = read('/proc/self/stat');
  const rest = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[13]) + Number(rest[14])) * 10;
};

/**
 * Runs `cmd args` with `input` on stdin; resolves { peakMb, largestMb, atPeak, cpuMs, wallMs,
 * code, stderr }: `atPeak`, each process of the tree at the peak sample (`12 MiB git cat-file …`).
 */
export function treeMemory(cmd, args, { cwd, env, input = '' } = {}) {
  return new Promise((resolve, reject) => {
    const cpu0 = childCpuMs();
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    let peak = 0;
    let largest = 0;
    let atPeak = [];
    const linux = process.platform === 'linux';
    const sample = () => {
      const parent = new Map();
      for (const d of readdirSync('/proc')) {
        if (!/^\d+$/.test(d)) continue;
        const st = read(`/proc/${d}/stat`);
        if (!st) continue;
        parent.set(Number(d), Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]));
      }
      let sum = 0;
      const parts = [];
      for (const pid of parent.keys()) {
        let p = pid;
        for (let k = 0; k < 32 && p > 1 && p !== child.pid; k++) p = parent.get(p) ?? 0;
        if (p !== child.pid) continue;
        const m = /Pss:\s+(\d+)/.exec(read(`/proc/${pid}/smaps_rollup`));
        const kb = m ? Number(m[1]) : 0;
        sum += kb;
        largest = Math.max(largest, kb);
        parts.push({
          kb,
          what: read(`/proc/${pid}/cmdline`)
            .split('\0')
            .filter((a) => !/^-c$|^[a-z.]+=|^--no-replace/i.test(a))
            .slice(0, 4)
            .join(' '),
        });
      }
      if (sum > peak) {
        peak = sum;
        atPeak = parts;
      }
    };
    const timer = linux ? setInterval(sample, 20) : undefined;
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      resolve({
        peakMb: linux ? peak / 1024 : NaN,
        largestMb: linux ? largest / 1024 : NaN,
        atPeak: atPeak.map((p) => `${(p.kb / 1024).toFixed(0)} MiB ${p.what.slice(0, 60)}`),
        cpuMs: linux ? childCpuMs() - cpu0 : NaN,
        wallMs: Number(process.hrtime.bigint() - t0) / 1e6,
        code,
        stderr,
      });
    });
  });
}
