// Synthetic histories for the benchmarks, written with `git fast-import` (seconds for
// 100,000 commits, where `git commit` in a loop would take an hour).

import { spawnSync } from 'node:child_process';

const TOOLS = [
  'Co-authored-by: Claude <noreply@anthropic.com>',
  'Co-authored-by: aider (gpt-4o) <noreply@aider.chat>',
  'Co-authored-by: Codex <noreply@openai.com>',
  'Co-authored-by: Copilot <198982749+Copilot@users.noreply.github.com>',
  'Co-authored-by: Cursor Agent <cursoragent@cursor.com>',
  'Assisted-by: gemini:gemini-2.5-pro',
  'Generated-by: some-internal-bot',
];

/**
 * Writes `commits` commits on `ref` (default refs/heads/main) of the repository at `dir`: 1–3 files
 * changed each, a rename every 50, a merge every 100, `aiShare` of them AI-attributed
 * (rotating through the tools), none inside `evals/` or `data/` unless `intoZones`.
 */
export function generateHistory(
  dir,
  {
    commits,
    aiShare = 0.3,
    intoZones = false,
    env = process.env,
    seed = 1,
    ref = 'refs/heads/main',
  },
) {
  let rnd = seed;
  const rand = () => (rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648;
  const parts = [];
  const push = (s) => parts.push(s);
  const data = (text) => {
    push(`data ${Buffer.byteLength(text)}\n${text}\n`);
  };
  let mark = 0;
  let prev = 0;
  const files = [];
  const t0 = 1_700_000_000;
  const ident = (i, ai) =>
    ai && i % 7 === 0 ? 'aider-user (aider) <dev@example.org>' : 'Dev Human <dev@example.org>';
  for (let i = 0; i < commits; i++) {
    const ai = rand() < aiShare;
    const isMerge = i > 0 && i % 100 === 0;
    let side = 0;
    if (isMerge) {
      mark++;
      side = mark;
      push(
        `commit ${ref}-side\nmark :${side}\nauthor Side Dev <side@example.org> ${t0 + i * 60} +0000\ncommitter Side Dev <side@example.org> ${t0 + i * 60} +0000\n`,
      );
      data(`side work ${i}\n`);
      push(`from :${prev}\nM 100644 inline side/s${i % 50}.txt\n`);
      data(`side ${i}\n`);
    }
    mark++;
    const who = ident(i, ai);
    push(
      `commit ${ref}\nmark :${mark}\nauthor ${who} ${t0 + i * 60} +0000\ncommitter ${who} ${t0 + i * 60} +0000\n`,
    );
    data(
      `change ${i}\n\nSome description of change ${i}.\n${ai ? `\n${TOOLS[i % TOOLS.length]}\n` : ''}`,
    );
    if (prev) push(`from :${prev}\n`);
    if (side) push(`merge :${side}\n`);
    const n = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < n; k++) {
      let path;
      if (files.length < 200 || rand() < 0.3) {
        const zone = intoZones && rand() < 0.5;
        path = zone ? `evals/tasks/t${i}_${k}.json` : `src/mod${i % 97}/file${i}_${k}.ts`;
        files.push(path);
      } else {
        path = files[Math.floor(rand() * files.length)];
      }
      push(`M 100644 inline ${path}\n`);
      data(
        `// ${path} at ${i}\nexport const v${k} = ${i};\n${'x'.repeat(Math.floor(rand() * 200))}\n`,
      );
    }
    if (i % 50 === 25 && files.length > 10) {
      const j = Math.floor(rand() * files.length);
      const from = files[j];
      const to = from.replace(/\.ts$/, `.r${i}.ts`);
      push(`R ${from} ${to}\n`);
      files[j] = to;
    }
    push('\n');
    prev = mark;
  }
  const r = spawnSync('git', ['fast-import', '--quiet', '--force'], {
    cwd: dir,
    env,
    input: parts.join(''),
    maxBuffer: 1 << 30,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`fast-import failed: ${r.stderr}`);
  return spawnSync('git', ['rev-parse', ref], { cwd: dir, env, encoding: 'utf8' }).stdout.trim();
}
