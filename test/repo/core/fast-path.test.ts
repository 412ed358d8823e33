// The commit-msg fast path (hooks/lib/no-ai-signal.sh) skips Node only when it can show the
// commit carries no AI signal. It must never say "no signal" where the full detector sees
// one: a differential test over the tool table's own matchers, mutated the ways people
// and agents write them, and random text; then real commits through the installed hooks.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  compileToolTable,
  type ToolTable,
  type ToolTableSpec,
} from '../../../src/signals/tools.js';
import { detectSignals, envSignals } from '../../../src/signals/detect.js';
import builtinTools from '../../../src/policy/generated/builtin-tools.js';
import { parseIdentity } from '../../../src/signals/trailers.js';
import { removeTempDirs, repoWithPolicy, ROOT, tempDir } from '../../helpers/repo.js';
// @ts-expect-error -- a build script (plain ESM), the generator of the fast path's data
import { noAiSignalData } from '../../../src/build/no-ai-signal.mjs';
import { noteFastPathPolicy, zonePrefixPatterns } from '../../../src/cli/hook.js';
import { globMatcher } from '../../../src/policy/compile.js';
import type { Io } from '../../../src/cli/io.js';
import type { Repo } from '../../../src/git/repo.js';

vi.setConfig({ testTimeout: 120_000 });
afterAll(removeTempDirs);

const spec = builtinTools as ToolTableSpec;
const table = compileToolTable(spec);
const LIB = join(ROOT, 'hooks', 'lib', 'no-ai-signal.sh');
const NEEDLES = join(ROOT, 'dist', 'no-ai-signal.needles');
const ENV_PATTERNS = join(ROOT, 'dist', 'no-ai-signal.env');

/** A small deterministic PRNG, so a failure names a case that can be run again. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const rand = rng(20261130);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const flipCase = (s: string) =>
  [...s].map((c) => (rand() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('');
const fillWildcards = (p: string) =>
  p.replace(/\*/g, () => pick(['', '12345+', 'x', '0+', 'Bot-']));

/** Every string the table reacts to, in the places a commit can carry it. */
function seeds(): { message: string; author: string; committer: string }[] {
  const human = 'Hana Human <hana@example.org>';
  const out: { message: string; author: string; committer: string }[] = [];
  const msg = (body: string) =>
    out.push({ message: `Fix the loader\n\n${body}\n`, author: human, committer: human });
  for (const t of spec.tools) {
    for (const e of t.emails ?? []) {
      const email = fillWildcards(e);
      msg(`Co-authored-by: Someone <${email}>`);
      msg(`see ${email}.`);
      msg(`> Co-Authored-By: X <${flipCase(email)}>`);
      out.push({ message: 'Fix\n', author: `Any Name <${email}>`, committer: human });
      out.push({ message: 'Fix\n', author: human, committer: `Any Name <${flipCase(email)}>` });
    }
    for (const k of t.trailers ?? []) msg(`${flipCase(k.includes(':') ? k : `${k}: abc123`)}`);
    for (const m of t.markers ?? []) msg(`${pick(['', '  ', '* '])}${flipCase(m)} and more`);
    for (const s of t.nameSuffixes ?? [])
      out.push({
        message: 'Fix\n',
        author: `Paul Gauthier${flipCase(s)} <paul@example.org>`,
        committer: human,
      });
    for (const n of t.coauthorNames ?? [])
      msg(
        `Co-authored-by: ${fillWildcards(n).replace(/\*$/, '')}${pick(['', '.5 Pro', ' 2.5'])} <bot@example.org>`,
      );
  }
  for (const k of spec.genericTrailers)
    msg(`${flipCase(k)}: ${pick(['claude-code:opus', 'some-agent', 'x'])}`);
  for (const t of spec.tools)
    for (const p of t.subjectPrefixes ?? [])
      out.push({ message: `${p}fix the loader\n`, author: human, committer: human });
  // The real strings each row was built from (tools.yaml `examples:`), where they were seen.
  for (const t of spec.tools) {
    for (const e of t.examples ?? []) {
      if (e.author) out.push({ message: 'Fix\n', author: e.author, committer: human });
      if (e.committer) out.push({ message: 'Fix\n', author: human, committer: e.committer });
      if (e.trailer) msg(e.trailer);
      if (e.message) out.push({ message: e.message, author: human, committer: human });
    }
  }
  return out;
}

/** Random printable text with, now and then, a fragment of a needle. */
function noise(needles: readonly string[]): string {
  let s = '';
  const n = 20 + Math.floor(rand() * 200);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.004) s += flipCase(pick(needles));
    else if (r < 0.03) s += '\n';
    else if (r < 0.05) s += pick([': ', '<', '>', '@', '-by: ', 'Co-authored-by: ']);
    else s += String.fromCharCode(32 + Math.floor(rand() * 95));
  }
  return s;
}

/** Runs the shell's text check on many cases in one sh process; true = "no signal". */
function shellSaysNoSignal(
  cases: readonly { message: string; author: string; committer: string }[],
): boolean[] {
  const dir = tempDir();
  cases.forEach((c, i) => {
    writeFileSync(join(dir, `${i}.msg`), c.message);
    writeFileSync(
      join(dir, `${i}.ids`),
      `${c.author} 1700000000 +0000\n${c.committer} 1700000000 +0000`,
    );
  });
  const script = `. "${LIB}"; i=0; while [ $i -lt ${cases.length} ]; do
    if cleanroom_text_has_no_signal "${dir}/$i.msg" "$(cat "${dir}/$i.ids")" "${NEEDLES}"; then echo "$i clean"; else echo "$i maybe"; fi
    i=$((i+1)); done`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(cases.length);
  return lines.map((l) => l.endsWith(' clean'));
}

const detected = (c: { message: string; author: string; committer: string }) =>
  detectSignals(table, {
    message: c.message,
    author: parseIdentity(c.author),
    committer: parseIdentity(c.committer),
  }).length > 0;

describe('commit-msg fast path never says "no signal" where the detector finds one', () => {
  // The needles as text (dist/no-ai-signal.needles holds them as grep patterns).
  const needles = noAiSignalData(spec).needles;

  it('on every matcher of the tool table, in trailers, bare addresses, identities and markers', () => {
    const cases = seeds();
    const clean = shellSaysNoSignal(cases);
    const missed = cases.filter((c, i) => clean[i] && detected(c));
    expect(missed, JSON.stringify(missed.slice(0, 3), null, 1)).toEqual([]);
    // The seeds are real signals (an example that is only an environment variable carries
    // no text; the environment test covers it).
    expect(cases.filter((c) => detected(c)).length).toBeGreaterThan(100);
  });

  it('on mutated and random messages (case, quote markers, Unicode look-alikes, CRLF, noise)', () => {
    const mutate = (m: string): string =>
      pick([
        (s: string) => s.replace(/: /, '\uff1a '), // full-width colon: NFKC makes it ':'
        (s: string) => s.replace(/@/, '\u200b@'), // zero-width space, removed by the reader
        (s: string) => s.replace(/\n/g, '\r\n'),
        (s: string) => `> ${s}`,
        (s: string) => s.replace(/o/, '\u03bf'), // Greek omicron: not the same letters, but non-ASCII
        (s: string) => s.replace(/@/, '\0@'), // a NUL (git refuses it in a commit; never "clean")
        (s: string) => s.replace(/ /, '\v'), // a control byte where a space was
        (s: string) => `${s.replace(/\n/, ` ${'x'.repeat(70_000)}\n`)}`, // one very long line
        (s: string) => `${noise(needles)}\n${s}`,
        (s: string) => s,
      ])(m);
    const cases = [
      ...seeds().map((c) => ({ ...c, message: mutate(c.message) })),
      ...Array.from({ length: 300 }, () => ({
        message: noise(needles),
        author: 'Hana Human <hana@example.org>',
        committer: 'Hana Human <hana@example.org>',
      })),
    ];
    const clean = shellSaysNoSignal(cases);
    const missed = cases.filter((c, i) => clean[i] && detected(c));
    expect(missed, JSON.stringify(missed.slice(0, 3), null, 1)).toEqual([]);
    // The property is only worth something if some random cases do pass the fast path.
    expect(clean.filter(Boolean).length).toBeGreaterThan(25);
  });

  it('a message with any byte the restricting reader could normalise is never "no signal" (NUL, CR, controls, UTF-8, Latin-1, long lines)', () => {
    // Bytes, not strings: a NUL or a stray Latin-1 byte is what an agent would use to
    // split a needle. grep took a file with a NUL for binary and could treat the NUL as a
    // line end, so the not-printable pattern never saw it (and the needle was cut in two).
    const dir = tempDir();
    const trailer = 'Co-authored-by: Claude <noreply@anthropic.com>';
    const bytes = (s: string) => Buffer.from(s, 'latin1');
    const hostile: [string, Buffer][] = [
      [
        'NUL inside the address',
        bytes('Fix\n\nCo-authored-by: Claude <noreply@anth\0ropic.com>\n'),
      ],
      ['NUL before the trailer', bytes(`Fix\0\n\n${trailer}\n`)],
      ['a lone NUL', bytes('Fix the loader\0\n')],
      ['CR line ends', bytes('Fix the loader\r\n')],
      ['a control byte', bytes('Fix the \x1b[0mloader\n')],
      ['DEL', bytes('Fix the loader\x7f\n')],
      ['a Latin-1 byte', bytes('Fix the loader caf\xe9\n')],
      [
        'UTF-8 look-alike',
        Buffer.from('Fix\n\nCo-authored-by: Claude <noreply\uff20anthropic.com>\n'),
      ],
      ['UTF-16', Buffer.from(`\ufeffFix\n\n${trailer}\n`, 'utf16le')],
      [
        'a needle after 200,000 characters of one line',
        bytes(`Fix ${'a'.repeat(200_000)} ${trailer}\n`),
      ],
    ];
    const run = (file: string) =>
      spawnSync(
        'sh',
        [
          '-c',
          `. "${LIB}"; cleanroom_text_has_no_signal "${file}" "Hana <h@example.org>" "${NEEDLES}"`,
        ],
        { encoding: 'utf8' },
      ).status;
    for (const [name, content] of hostile) {
      const file = join(dir, `${hostile.findIndex(([n]) => n === name)}.msg`);
      writeFileSync(file, content);
      expect(run(file), name).not.toBe(0);
    }
    writeFileSync(join(dir, 'ok.msg'), `Fix the loader ${'a'.repeat(200_000)}\n`);
    expect(run(join(dir, 'ok.msg'))).toBe(0); // control: long, printable, no needle
  });

  it('an unreadable message file or patterns file is never "no signal" (grep errors count as signals)', () => {
    const dir = tempDir();
    const run = (msg: string, patterns: string) =>
      spawnSync(
        'sh',
        [
          '-c',
          `. "${LIB}"; cleanroom_text_has_no_signal "${msg}" "Hana <h@example.org>" "${patterns}"`,
        ],
        { encoding: 'utf8' },
      ).status;
    writeFileSync(join(dir, 'ok.msg'), 'Fix the loader\n');
    expect(run(join(dir, 'ok.msg'), NEEDLES)).toBe(0); // control
    expect(run(join(dir, 'missing.msg'), NEEDLES)).not.toBe(0);
    expect(run(join(dir, 'ok.msg'), join(dir, 'missing.needles'))).not.toBe(0);
  });

  it('lets ordinary human commits through, including human co-authors and look-alike names', () => {
    const human = 'Hana Human <hana@example.org>';
    const cases = [
      {
        message: 'Fix the grader\n\nCo-authored-by: Jane Doe <jane@example.com>\n',
        author: human,
        committer: human,
      },
      {
        message: 'Add tasks\n\nReviewed-by: Rae <rae@example.org>\n',
        author: 'Claude Monet <claude@monet.fr>',
        committer: human,
      },
      { message: 'Mention the codex in the docs\n', author: human, committer: human },
    ];
    expect(shellSaysNoSignal(cases)).toEqual([true, true, true]);
    for (const c of cases) expect(detected(c)).toBe(false);
  });

  // The shell's environment check (0 = "no agent"), run as the hook runs it.
  const envSaysNoAgent = (env: Record<string, string | undefined>): boolean =>
    spawnSync('sh', ['-c', `. "${LIB}"; cleanroom_env_has_no_agent "${ENV_PATTERNS}"`], {
      env,
      encoding: 'utf8',
    }).status === 0;

  // `git commit --amend -m …`: the full check diffs against HEAD^ when an ancestor within
  // six processes is `git commit` with --am…; the shell must see it at every such depth,
  // whatever the processes in between are called.
  it('sees --amend (and its prefixes) in any ancestor up to six levels, through hostile process names', () => {
    const dir = tempDir();
    // A process name with ") " and a newline, as /proc/PID/stat shows it: the parent pid
    // must still be read from after the last ") ".
    const odd = join(dir, 'a) 1 2\n3');
    symlinkSync('/bin/sh', odd);
    const probe = `. "${LIB}"; cleanroom_env_has_no_agent "${ENV_PATTERNS}"; echo "rc=$?"`;
    // Each level is a shell that waits for its child (`; :` keeps sh from exec-ing it); the
    // probe runs in level 1 (the hook's own shell), so its ancestors are levels 2 to 5,
    // then the outer sh and node.
    const nest = (levels: number, argAt: number, arg: string): string[] => {
      let script = probe;
      for (let level = 1; level <= levels; level++) {
        const shell = level === 2 ? odd : 'sh';
        const args = level === argAt ? ['x', arg] : [];
        script = `'${shell.replace(/'/g, `'\\''`)}' -c '${script.replace(/'/g, `'\\''`)}; :' ${args.join(' ')}`;
      }
      return ['-c', script];
    };
    const noAgent = (args: string[]) => {
      const r = spawnSync('sh', args, { encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(r.stdout, r.stderr).toMatch(/rc=\d/);
      return r.stdout.includes('rc=0');
    };
    for (const arg of ['--amend', '--am', '--amen'])
      for (let level = 2; level <= 5; level++)
        expect(noAgent(nest(5, level, arg)), `${arg} at level ${level}`).toBe(false);
    // Controls: the same chains without the argument, or with one git does not take for it.
    expect(noAgent(nest(5, 0, ''))).toBe(true);
    expect(noAgent(nest(5, 3, '--a'))).toBe(true);
  });

  it('sees every agent environment rule, with any value, and nothing else', () => {
    const names = table.env.flatMap((r) =>
      // A prefix rule also with names no shell imports (a dot, a dash): git passes them on.
      r.prefix ? [`${r.name}X`, `${r.name}.x`, `${r.name}-1`] : [r.name],
    );
    for (const name of names) {
      const env = { PATH: process.env.PATH, [name]: '1' };
      expect(envSaysNoAgent(env), `${name} not seen by the fast path`).toBe(false);
      expect(envSignals(table, env).length, name).toBeGreaterThan(0);
    }
    expect(envSaysNoAgent({ PATH: process.env.PATH, CLAUDE: '1', MY_CODEX: '1' })).toBe(true);
  });
});

describe('commit-msg fast path in real commits', () => {
  const traced = (stderr: string) => (/exec node .*hook commit-msg/.test(stderr) ? 'node' : 'fast');

  it('a human commit skips Node once the full check has seen the policy; signals and moves still get the full check', () => {
    const repo = repoWithPolicy();
    const commit = (
      files: Record<string, string>,
      message: string,
      env: Record<string, string> = {},
    ) => {
      for (const [p, c] of Object.entries(files)) repo.write(p, c);
      return repo.commit(message, { env: { CLEANROOM_DEBUG: '1', ...env } });
    };
    // First commit: no record of the policy yet, so the full check runs (and records it).
    expect(traced(commit({ 'src/a.ts': '1\n' }, 'first').stderr)).toBe('node');
    const human = commit({ 'evals/tasks/q1.json': '{}\n' }, 'a task, by hand');
    expect(human.code, human.stderr).toBe(0);
    expect(traced(human.stderr)).toBe('fast');
    // An AI trailer: full check, blocked.
    const ai = commit(
      { 'evals/tasks/q2.json': '{}\n' },
      'task\n\nCo-authored-by: Claude <noreply@anthropic.com>',
    );
    expect(traced(ai.stderr)).toBe('node');
    expect(ai.code).toBe(1);
    repo.git('reset', '-q', '--hard');
    // The agent environment outside every zone: the zone path (below) answers, no Node.
    expect(traced(commit({ 'src/b.ts': '2\n' }, 'x', { CLAUDECODE: '1' }).stderr)).toBe('fast');
    // The agent environment in a zone: full check, blocked.
    const agent = commit({ 'evals/tasks/q3.json': '{}\n' }, 'x', { CLAUDECODE: '1' });
    expect(traced(agent.stderr)).toBe('node');
    expect(agent.code).toBe(1);
    repo.git('reset', '-q', '--hard');
    // A staged deletion (a move): full check, which traces the source's provenance.
    repo.git('mv', 'src/a.ts', 'src/c.ts');
    expect(traced(repo.commit('move', { env: { CLEANROOM_DEBUG: '1' } }).stderr)).toBe('node');
    // The policy changes: full check again until it has loaded the new one.
    expect(
      traced(
        commit(
          {
            '.cleanroom/policy.yaml': `${repo.git('show', 'HEAD:.cleanroom/policy.yaml')}# edited\n`,
          },
          'policy',
        ).stderr,
      ),
    ).toBe('node');
    expect(traced(commit({ 'src/d.ts': '3\n' }, 'after').stderr)).toBe('fast');
    // `--amend -m` (prepare-commit-msg is told "message"), also abbreviated: full check,
    // which judges against the amended commit's parent. A plain commit after it: fast.
    for (const flag of ['--amend', '--am']) {
      repo.write('src/d.ts', `${flag}\n`);
      const amended = repo.commit('amended', { args: [flag], env: { CLEANROOM_DEBUG: '1' } });
      expect(amended.code, amended.stderr).toBe(0);
      expect(traced(amended.stderr), flag).toBe('node');
    }
    expect(traced(commit({ 'src/d.ts': '4\n' }, 'plain again').stderr)).toBe('fast');
    // An agent ledger: outside the zones, the zone path answers; in a zone, full check.
    mkdirSync(join(repo.dir, '.git', 'cleanroom'), { recursive: true });
    writeFileSync(join(repo.dir, '.git', 'cleanroom', 'ledger.jsonl'), '{}\n');
    expect(traced(commit({ 'src/e.ts': '4\n' }, 'ledger').stderr)).toBe('fast');
    expect(traced(commit({ 'evals/tasks/q9.json': '{}\n' }, 'ledger, zone').stderr)).toBe('node');
  });

  it("commit-msg takes prepare-commit-msg's environment answer only in the same git commit (one grep for both hooks)", () => {
    const repo = repoWithPolicy();
    const note = join(repo.dir, '.git', 'cleanroom', 'fastpath.env');
    const commit = (file: string, env: Record<string, string> = {}, args: string[] = []) => {
      repo.write(file, `${file} ${Math.random()}\n`);
      const r = repo.commit('x', { args, env: { CLEANROOM_DEBUG: '1', ...env } });
      expect(r.code, r.stderr).toBe(0);
      return { greps: r.stderr.match(/grep -c -H/g)?.length ?? 0, path: traced(r.stderr) };
    };
    commit('src/a.ts'); // the full check records the policy
    // A human commit: prepare-commit-msg's grep, none in commit-msg; the note names git.
    expect(commit('src/b.ts')).toEqual({ greps: 1, path: 'fast' });
    const human = readFileSync(note, 'utf8');
    expect(human).toMatch(/^git \d+ \d+\nnone\n$/);
    // An agent's commit outside the zones: the same, noted as an agent's.
    expect(commit('src/c.ts', { CLAUDECODE: '1' })).toEqual({ greps: 1, path: 'fast' });
    expect(readFileSync(note, 'utf8')).toMatch(/^git \d+ \d+\nagent\n$/);
    // --amend -m (prepare-commit-msg is told "message"): its grep sees the argument and it
    // leaves no note; commit-msg finds the earlier one of another git process, asks again
    // (a second grep), sees the argument: the full check.
    writeFileSync(note, human);
    expect(commit('src/d.ts', {}, ['--amend'])).toEqual({ greps: 2, path: 'node' });
    expect(readFileSync(note, 'utf8')).toBe(human);
    // The note read by a shell whose parent is this test: taken for this process only.
    const startOf = (pid: number) =>
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[19]!;
    const me = `git ${process.pid} ${startOf(process.pid)}`;
    const noted = (text: string) => {
      rmSync(note, { force: true });
      writeFileSync(note, text);
      return spawnSync('sh', ['-c', `. "${LIB}"; cleanroom_env_noted && echo "$_cr_seen"`], {
        cwd: repo.dir,
        encoding: 'utf8',
      });
    };
    expect(noted(`${me}\nnone\n`).stdout).toBe('none\n'); // control
    expect(noted(`${me}\nagent\n`).stdout).toBe('agent\n'); // control
    const [, pid, start] = /^git (\d+) (\d+)/.exec(me)!;
    for (const bad of [
      `git ${pid} ${Number(start) + 1}\nnone\n`, // the same pid, started at another time
      `git ${Number(pid) + 1} ${start}\nnone\n`, // another process
      `${me}\nnone, really\n`,
      `${me}\n`,
      'none\n',
    ])
      expect(noted(bad).status, bad).toBe(1);
    // A link to a good note is not followed.
    writeFileSync(`${note}.real`, `${me}\nnone\n`);
    rmSync(note);
    symlinkSync(`${note}.real`, note);
    expect(
      spawnSync('sh', ['-c', `. "${LIB}"; cleanroom_env_noted`], { cwd: repo.dir }).status,
    ).toBe(1);
  });

  it('a FIFO at the fast-path note does not hang the commit: the full check runs', () => {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', '1\n');
    expect(repo.commit('first').code).toBe(0);
    const note = join(repo.dir, '.git', 'cleanroom', 'fastpath');
    rmSync(note, { force: true });
    execFileSync('mkfifo', [note]);
    repo.write('src/b.ts', '2\n');
    repo.git('add', '-A');
    // repo.commit has no timeout of its own: spawnSync's ends a hung commit, and fails.
    const r = spawnSync('git', ['commit', '-q', '-m', 'second'], {
      cwd: repo.dir,
      env: { ...repo.env, CLEANROOM_DEBUG: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.error, 'the commit hung on the FIFO').toBeUndefined();
    expect(traced(r.stderr)).toBe('node');
    // A FIFO for a ledger: read as no ledger (size 0, like a deleted one), never a hang.
    const ledger = join(repo.dir, '.git', 'cleanroom', 'ledger.jsonl');
    execFileSync('mkfifo', [ledger]);
    repo.write('src/c.ts', '3\n');
    repo.git('add', '-A');
    const l = spawnSync('git', ['commit', '-q', '-m', 'third'], {
      cwd: repo.dir,
      env: repo.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(l.error, 'the commit hung on the ledger FIFO').toBeUndefined();
    expect(l.status, l.stderr).toBe(0);
  });

  it('the note vouches for the policy text the full check judged, not the file read again', () => {
    // The file can change between the judgement and the note (an editor's save, a pull):
    // a new text may define its own tools, which the shell's needles do not know.
    const repo = repoWithPolicy();
    const file = join(repo.dir, '.cleanroom', 'policy.yaml');
    const judged = readFileSync(file, 'utf8');
    writeFileSync(file, `${judged}tools:\n  - { id: acme-bot, emails: [bot@acme.internal] }\n`);
    const stateDir = join(repo.dir, '.git', 'cleanroom');
    mkdirSync(stateDir, { recursive: true });
    noteFastPathPolicy({ env: {} } as Io, {
      repo: { root: repo.dir, stateDir } as Repo,
      policy: { tools: { extraRows: 0 } as ToolTable, zones: [] },
      policyFile: file,
      policyText: judged,
    });
    const note = readFileSync(join(stateDir, 'fastpath'), 'utf8').trim();
    expect(note).toBe(createHash('sha256').update(judged).digest('hex'));
    const zones = readFileSync(join(stateDir, 'fastpath.zones'), 'utf8').split('\n')[0];
    expect(zones).toBe(createHash('sha256').update(judged).digest('hex'));
  });

  it('an invalid policy is never skipped: the full check reports it', () => {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', '1\n');
    expect(repo.commit('first').code).toBe(0);
    repo.write('.cleanroom/policy.yaml', 'version: 1\nzones: [\n');
    const r = repo.commit('broken policy', { env: { CLEANROOM_DEBUG: '1' } });
    expect(traced(r.stderr)).toBe('node');
    expect(r.code).not.toBe(0); // git commit exits 1 for any hook failure; the hook itself exits 2
    expect(r.stderr).toMatch(/policy\.yaml:\d+:\d+/);
    // Git says nothing of a failed hook: the hook says the commit is blocked, and how to go on.
    expect(r.stderr).toContain('this commit is blocked: the policy is invalid');
    expect(r.stderr).toContain('cleanroom policy validate shows them again');
  });
});

// The zone path (hooks/lib/no-ai-signal.sh cleanroom_no_zone_path): in an agent's session
// with no ledger, Node is skipped when no staged path can be in a zone and the index holds
// no symlink. It must never pass a commit the full check refuses.
describe('commit-msg zone path never says "no zone" where the policy sees one', () => {
  const PIECES = [
    'evals',
    'tasks',
    'Data',
    'a',
    'b',
    'x.py',
    '.jsonl',
    '_k',
    '-',
    '.',
    '/',
    '/',
    '*',
    '**',
    '**/',
    '/**',
    '?',
    '{a,b}',
    '{,c}',
    '[ab]',
    '[!a]',
    '[a-c]',
    '@(x|y)',
    '!(z)',
    '+(q)',
    '*(r)',
    '?(s)',
    '//',
    './',
    '!',
    '\\*',
    '|',
    ',',
    '+',
    '@',
    '$',
    '^',
    ' ',
    '%',
    '~',
    '{1..9}',
    '[[:alpha:]]',
    '***',
  ];
  const FILL = ['', 'a', 'x', 'b/c', 'q', 'EVALS', 'z.y', '.h', 'r/s/t', '-', 'ab', 'c'];
  /** A path the glob may well match: its pieces filled in, or random printable ASCII. */
  const instance = (parts: string[]): string =>
    parts
      .map((p) =>
        /^[A-Za-z0-9_./-]+$/.test(p) && rand() < 0.9
          ? rand() < 0.3
            ? flipCase(p)
            : p
          : pick(FILL),
      )
      .join('');

  it('on random globs (every picomatch construct) and paths the policy matcher puts in the zone', () => {
    const dir = tempDir();
    let inZone = 0;
    for (let g = 0; g < 400; g++) {
      const parts = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => pick(PIECES));
      const glob = parts.join('');
      let matcher;
      try {
        matcher = globMatcher([glob], { dot: true, nocase: true, flags: 'is' });
      } catch {
        continue; // not a glob picomatch compiles: the policy would be refused
      }
      const paths = new Set<string>([glob]);
      for (let k = 0; k < 60; k++) paths.add(instance(parts));
      for (let k = 0; k < 10; k++)
        paths.add(
          Array.from({ length: 12 }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join(
            '',
          ),
        );
      const matched = [...paths].filter(
        (p) => /^[ -~]+$/.test(p) && !p.startsWith('/') && matcher(p),
      );
      if (!matched.length) continue;
      inZone += matched.length;
      const [pattern] = zonePrefixPatterns({ zones: [{ paths: [glob] }] });
      writeFileSync(join(dir, 'pat'), `${pattern}\n`);
      // -v: the matched paths the pattern misses; there must be none.
      const r = spawnSync('grep', ['-a', '-z', '-i', '-v', '-f', join(dir, 'pat')], {
        input: matched.join('\0') + '\0',
        env: { ...process.env, LC_ALL: 'C' },
      });
      const missed = r.stdout.toString('latin1').split('\0').filter(Boolean);
      expect(missed, `glob ${JSON.stringify(glob)} → ${pattern}`).toEqual([]);
    }
    expect(inZone).toBeGreaterThan(1000);
  });

  it('a dot is any character: picomatch leaves it unescaped before a brace range', () => {
    const dir = tempDir();
    for (const [glob, path] of [
      ['data/train.{1..9}/**', 'data/train_3/x'],
      ['x/v.{a..c}/**', 'x/v_b/y'],
    ] as const) {
      const matcher = globMatcher([glob], { dot: true, nocase: true, flags: 'is' });
      // The policy's matcher puts the path in the zone (the premise), and so must the pattern.
      expect(matcher(path), glob).toBe(true);
      const [pattern] = zonePrefixPatterns({ zones: [{ paths: [glob] }] });
      writeFileSync(join(dir, 'pat'), `${pattern}\n`);
      const r = spawnSync('grep', ['-a', '-z', '-i', '-q', '-f', join(dir, 'pat')], {
        input: `${path}\0`,
        env: { ...process.env, LC_ALL: 'C' },
      });
      expect(r.status, `${glob} → ${pattern} misses ${path}`).toBe(0);
    }
  });

  it('the preset and test policies keep their zones plain enough to skip Node outside them', () => {
    const patterns = zonePrefixPatterns({
      zones: [{ paths: ['evals/tasks/**', 'evals/**/*.jsonl', '**/answer_key*', 'data/train/**'] }],
    });
    expect(patterns).toEqual(['^evals/tasks', '^evals.*jsonl', '^.*answer_key', '^data/train']);
    expect(
      zonePrefixPatterns({ zones: [{ paths: ['!evals/**', './x', '{a,b}/**', 'a\\*'] }] }),
    ).toEqual(['^', '^.*']);
  });
});

describe('commit-msg zone path in real commits (agent session, no ledger)', () => {
  const traced = (stderr: string) => (/exec node .*hook commit-msg/.test(stderr) ? 'node' : 'fast');
  const AGENT = { CLAUDECODE: '1', CLEANROOM_DEBUG: '1' };
  /** A repository whose first agent commit (outside the zones) has had the full check write the notes. */
  const agentRepo = () => {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', '1\n');
    expect(repo.commit('first', { env: AGENT }).code).toBe(0);
    return repo;
  };

  it('outside the zones: no Node; each way into a zone still gets the full check and is refused', () => {
    const repo = repoWithPolicy();
    repo.write('src/a.ts', '1\n');
    expect(traced(repo.commit('first', { env: AGENT }).stderr)).toBe('node'); // writes the note
    const outside = (() => {
      repo.write('src/b.ts', '2\n');
      return repo.commit('outside', { env: AGENT });
    })();
    expect(outside.code, outside.stderr).toBe(0);
    expect(traced(outside.stderr)).toBe('fast');
    const refused = (files: Record<string, string>, label: string, args: string[] = []) => {
      for (const [p, c] of Object.entries(files)) repo.write(p, c);
      const r = repo.commit(label, { env: AGENT, args });
      expect(traced(r.stderr), label).toBe('node');
      expect(r.code, `${label}: ${r.stderr}`).toBe(1);
      repo.git('reset', '-q', '--hard');
      repo.git('clean', '-q', '-fd');
    };
    refused({ 'evals/tasks/q1.json': '{}\n' }, 'into a zone');
    refused({ 'EVALS/Tasks/q1.json': '{}\n' }, 'into a zone, other case');
    refused({ 'evals/x/deep/q1.jsonl': '{}\n' }, 'into a zone by suffix glob');
    refused({ 'data/train/c.txt': 'x\n' }, 'into another zone');
    // git commit -a: the hook's index is another file (GIT_INDEX_FILE)
    repo.write('evals/tasks/q2.json', '{}\n');
    repo.git('add', 'evals/tasks/q2.json');
    repo.git('commit', '-q', '--no-verify', '-m', 'human task');
    refused({ 'evals/tasks/q2.json': '{"ai": 1}\n' }, 'commit -a into a zone', ['-a']);
  });

  it('a symlink anywhere in the index, or a path that is not plain ASCII, takes the full check', () => {
    const repo = agentRepo();
    // Control: a draft outside the zones commits without Node.
    repo.write('drafts/q0.json', '{}\n');
    const control = repo.commit('draft', { env: AGENT });
    expect(control.code, control.stderr).toBe(0);
    expect(traced(control.stderr)).toBe('fast');
    // A zone link to drafts/, committed by a human: content staged in drafts/ is in the zone.
    mkdirSync(join(repo.dir, 'evals', 'tasks'), { recursive: true });
    symlinkSync('../../drafts', join(repo.dir, 'evals', 'tasks', 'linked'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'link');
    repo.write('drafts/q1.json', '{}\n');
    const viaLink = repo.commit('through the link', { env: AGENT });
    expect(traced(viaLink.stderr)).toBe('node');
    expect(viaLink.code, viaLink.stderr).toBe(1);
    repo.git('reset', '-q', '--hard');
    repo.git('clean', '-q', '-fd');
    repo.git('rm', '-q', 'evals/tasks/linked');
    repo.git('commit', '-q', '--no-verify', '-m', 'unlink');
    // A name outside the zones that is not plain ASCII: full check (it passes).
    repo.write('src/caf\u00e9.ts', '1\n');
    const accented = repo.commit('accented', { env: AGENT });
    expect(traced(accented.stderr)).toBe('node');
    expect(accented.code, accented.stderr).toBe(0);
  });

  it('a gitlink anywhere in the index takes the full check (a submodule above a zone is judged by it)', () => {
    const repo = agentRepo();
    const head = repo.git('rev-parse', 'HEAD').trim();
    // `evals` itself is in no zone's pattern (^evals/tasks, ^evals.*jsonl); the zones under
    // it judge a submodule there.
    repo.git('update-index', '--add', '--cacheinfo', `160000,${head},evals`);
    const above = repo.commit('a submodule above the zones', { env: AGENT, add: [] });
    expect(traced(above.stderr)).toBe('node');
    expect(above.code, above.stderr).toBe(1);
    repo.git('reset', '-q', '--hard');
    // Control: a submodule outside every zone also takes the full check, which passes it.
    repo.git('update-index', '--add', '--cacheinfo', `160000,${head},vendor/lib`);
    const outside = repo.commit('a submodule outside the zones', { env: AGENT, add: [] });
    expect(traced(outside.stderr)).toBe('node');
    expect(outside.code, outside.stderr).toBe(0);
  });

  it("an agent's NODE_OPTIONS cannot load code into the check", () => {
    const repo = repoWithPolicy();
    const preload = join(tempDir(), 'exit0.cjs');
    writeFileSync(preload, 'process.exit(0);\n');
    repo.write('evals/tasks/q1.json', '{}\n');
    const r = repo.commit('preloaded', {
      env: { ...AGENT, NODE_OPTIONS: `--require=${preload}` },
    });
    expect(traced(r.stderr)).toBe('node');
    expect(r.code, r.stderr).toBe(1);
  });

  it('the hooks start Node without NODE_EXTRA_CA_CERTS (read at every start, never used)', () => {
    const repo = repoWithPolicy();
    repo.write('evals/tasks/q1.json', '{}\n');
    // Node warns at start when the file cannot be read: the warning shows it was read.
    const env = { ...AGENT, NODE_EXTRA_CA_CERTS: join(tempDir(), 'absent.pem') };
    const r = repo.commit('with a CA file', { env });
    expect(traced(r.stderr)).toBe('node');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain('Ignoring extra certs');
    // Control: the same variable does reach a Node started outside the hooks.
    const direct = spawnSync(process.execPath, ['-e', '0'], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS },
    });
    expect(direct.stderr.toString()).toContain('Ignoring extra certs');
  });

  it('a replace ref that stands in for HEAD does not hide a staged zone file', () => {
    const repo = agentRepo();
    repo.write('src/b.ts', '2\n');
    expect(traced(repo.commit('outside', { env: AGENT }).stderr)).toBe('fast'); // control
    // The agent's file in a deny zone, and a commit whose tree already holds it put in
    // HEAD's place: `git diff-index HEAD` without --no-replace-objects sees only src/c.ts.
    repo.write('evals/tasks/q1.json', '{}\n');
    repo.git('add', 'evals/tasks/q1.json');
    const stand = repo
      .git('commit-tree', repo.git('write-tree').trim(), '-p', 'HEAD', '-m', 'stand-in')
      .trim();
    repo.git('replace', repo.git('rev-parse', 'HEAD').trim(), stand);
    repo.write('src/c.ts', '3\n');
    const r = repo.commit('behind a replace ref', { env: AGENT });
    expect(traced(r.stderr)).toBe('node');
    expect(r.code, r.stderr).toBe(1);
  });

  it('a zones note that is missing, of another policy text or without its form line takes the full check', () => {
    const repo = agentRepo();
    const zones = join(repo.dir, '.git', 'cleanroom', 'fastpath.zones');
    const good = readFileSync(zones, 'utf8');
    const [digest, form, ...patterns] = good.split('\n');
    expect(form).toBe('zones-v1');
    let n = 0;
    for (const bad of [
      undefined, // missing
      `${'0'.repeat(64)}\n${form}\n${patterns.join('\n')}`, // another policy's
      `${digest}\n${patterns.join('\n')}`, // no form line
      `${digest}\n`, // an older cleanroom's fastpath copied over
      'link',
    ]) {
      if (bad === undefined) rmSync(zones);
      else if (bad === 'link') {
        // the right content, but through a symlink (to a file anyone could have written)
        writeFileSync(join(repo.dir, 'elsewhere'), good);
        rmSync(zones);
        symlinkSync(join(repo.dir, 'elsewhere'), zones);
      } else writeFileSync(zones, bad);
      repo.write('src/b.ts', `${n++}\n`);
      const r = repo.commit('again', { env: AGENT });
      expect(traced(r.stderr), String(bad)).toBe('node');
      expect(r.code, r.stderr).toBe(0);
      // The full check wrote it again: the next one is fast.
      expect(readFileSync(zones, 'utf8')).toBe(good);
      repo.write('src/c.ts', `${n++}\n`);
      expect(traced(repo.commit('fast again', { env: AGENT }).stderr)).toBe('fast');
    }
    // The human path's note is unchanged by all this: one line, the sha256.
    expect(readFileSync(join(repo.dir, '.git', 'cleanroom', 'fastpath'), 'utf8')).toBe(
      `${digest}\n`,
    );
  });

  it("with a ledger, prepare-commit-msg's heads-up still sees a zone reached through a link", () => {
    const repo = agentRepo();
    mkdirSync(join(repo.dir, '.git', 'cleanroom'), { recursive: true });
    writeFileSync(join(repo.dir, '.git', 'cleanroom', 'ledger.jsonl'), '{}\n');
    // Control: a draft outside the zones, no link: no heads-up, no Node in commit-msg.
    repo.write('drafts/q0.json', '{}\n');
    const control = repo.commit('draft', { env: AGENT });
    expect(control.code, control.stderr).toBe(0);
    expect(control.stderr).not.toContain('heads-up');
    expect(traced(control.stderr)).toBe('fast');
    mkdirSync(join(repo.dir, 'evals', 'tasks'), { recursive: true });
    symlinkSync('../../drafts', join(repo.dir, 'evals', 'tasks', 'linked'));
    repo.git('add', '-A');
    repo.git('commit', '-q', '--no-verify', '-m', 'link');
    repo.write('drafts/q1.json', '{}\n');
    const viaLink = repo.commit('through the link', { env: AGENT });
    expect(viaLink.stderr).toContain('cleanroom: heads-up');
    expect(traced(viaLink.stderr)).toBe('node');
    expect(viaLink.code, viaLink.stderr).toBe(1);
  });
});
