// Issue 14 §1: prepare-commit-msg's ledger fast path (hooks/lib/no-ai-signal.sh
// cleanroom_ledger_no_match, hooks/lib/ledger-fast.pl) writes the trailers without Node
// when it can show that the ledger has nothing for the staged content. It must write
// exactly what Node writes, never fewer: a differential test over random ledgers and
// staged sets (whitespace Node normalises, Unicode, binary and malformed content, exact
// blobs, pasted lines, zones), then one named test per way its inputs can be absent,
// stale, corrupt, foreign-owned or not what they claim — each with the control beside
// it that takes the fast path. Real git, real perl, the real hooks.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  copyFileSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, ROOT, type TestRepo } from '../../helpers/repo.js';
import { prng } from '../../helpers/prng.js';
import {
  appendEntries,
  blobId,
  lineHashes,
  type LedgerEntry,
} from '../../../src/signals/ledger.js';
import { KEYS_FILE } from '../../../src/signals/ledger-keys.js';

afterAll(removeTempDirs, 120_000); // some fifty repositories

const SHIM = join(ROOT, 'hooks', 'prepare-commit-msg');
const NODE_MAIN = join(ROOT, 'dist', 'cleanroom.cjs');
const PERL = join(ROOT, 'hooks', 'lib', 'ledger-fast.pl');
const AGENT = { CLAUDECODE: '1' };

const stateDir = (repo: TestRepo) => join(repo.dir, '.git', 'cleanroom');

/** The first agent commit outside the zones: the full check writes the notes. */
function agentRepo(objectFormat?: 'sha1' | 'sha256'): TestRepo {
  const repo = repoWithPolicy(objectFormat ? { objectFormat } : {});
  repo.write('src/a.ts', '1\n');
  const r = repo.commit('first', { env: AGENT });
  expect(r.code, r.stderr).toBe(0);
  return repo;
}

const entry = (path: string, text: string | Buffer, tool = 'claude-code', i = 0): LedgerEntry => ({
  time: new Date(1795489008000 + i * 1000).toISOString(),
  tool: tool as LedgerEntry['tool'],
  session: `s${i}`,
  path,
  blob: blobId(text, 'sha1'),
  lines: typeof text === 'string' ? lineHashes(text) : [],
});

/**
 * An agent's repository whose ledger holds one entry nobody stages (so the ledger is
 * there to be read), with `path` written and staged.
 */
function stagedBesideLedger(path: string, content: string | Buffer): TestRepo {
  const repo = agentRepo();
  appendEntries(stateDir(repo), [
    entry('drafts/other.py', 'a line nobody stages, quite long\n', 'codex', 1),
  ]);
  repo.write(path, content);
  repo.git('add', '-A');
  return repo;
}

interface Outcome {
  message: string;
  /** Did the shim answer without Node (CLEANROOM_DEBUG's trace shows no `node`)? */
  fast: boolean;
}

/** The shim's prepare-commit-msg on a message file, as git runs it (cwd: the top). */
function viaShim(repo: TestRepo, env: Record<string, string> = {}): Outcome {
  const file = join(repo.dir, '.git', 'MSG_SHIM');
  writeFileSync(file, 'chore: x\n');
  const r = spawnSync('sh', [SHIM, file, 'message'], {
    cwd: repo.dir,
    env: { ...repo.env, ...env, CLEANROOM_DEBUG: '1' },
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return { message: readFileSync(file, 'utf8'), fast: !/exec node /.test(r.stderr) };
}

/** Node's prepare-commit-msg: the full lookup, the reference. */
function viaNode(repo: TestRepo, env: Record<string, string> = {}): string {
  const file = join(repo.dir, '.git', 'MSG_NODE');
  writeFileSync(file, 'chore: x\n');
  const r = spawnSync(
    process.execPath,
    [NODE_MAIN, 'hook', 'prepare-commit-msg', file, 'message'],
    {
      cwd: repo.dir,
      env: { ...repo.env, ...env },
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(file, 'utf8');
}

/** The ledger's identity as the shim's stat prints it (cleanroom_zone_key), for perl. */
const ledgerIdentity = (repo: TestRepo): string =>
  execFileSync('stat', ['-c', '%d %i %s %.9Y %.9Z', '--', join(stateDir(repo), 'ledger.jsonl')], {
    encoding: 'utf8',
  }).trimEnd();

/** The policy's sha256 as the zones note names it (the shim hands it to perl). */
const zonesNoteSha = (repo: TestRepo): string =>
  readFileSync(join(stateDir(repo), 'fastpath.zones'), 'utf8').split('\n')[0]!;

/** ledger-fast.pl alone: its exit status (0: nothing in the ledger for the staged content). */
const perl = (
  repo: TestRepo,
  identity = ledgerIdentity(repo),
  message: string | Buffer = 'chore: x\n',
): number => {
  const file = join(repo.dir, '.git', 'MSG_PERL');
  writeFileSync(file, message);
  return (
    spawnSync('perl', [PERL, stateDir(repo), identity, file, zonesNoteSha(repo)], {
      cwd: repo.dir,
      env: repo.env,
    }).status ?? -1
  );
};

// Lines an agent writes, and the ways they come back: Node's normalisation (trim, runs of
// JavaScript whitespace made one space) must be perl's too.
const WS = [
  ' ',
  '  ',
  '\t',
  '\r',
  '\v',
  '\f',
  '\u00a0',
  '\u3000',
  '\ufeff',
  '\u2028',
  '\u2003',
  '\u202f',
];
const WORDS = [
  'return',
  'value',
  'données',
  '数据集',
  'naïve',
  '😀',
  'x',
  'model.fit(train)',
  '=',
  '{',
  'ok',
];

describe('the ledger fast path writes exactly the trailers Node writes', () => {
  it('on random ledgers and staged sets (exact blobs, pasted lines, Unicode whitespace, binary, zones)', () => {
    const rand = prng(0x1ed9e7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const line = () =>
      Array.from({ length: 2 + Math.floor(rand() * 6) }, () => pick(WORDS)).join(
        pick([' ', '  ', '\t']),
      );
    const text = (n: number) => Array.from({ length: n }, line).join('\n') + '\n';
    /** The same lines as `t`, spaced differently: Node hashes them the same. */
    const respace = (t: string) =>
      t
        .split('\n')
        .map((l) => (l ? pick(WS) + l.replace(/ /g, () => pick(WS)) + pick(WS) : l))
        .join(rand() < 0.2 ? '\r\n' : '\n');
    let fast = 0;
    let matched = 0;
    const rounds = 36;
    for (let round = 0; round < rounds; round++) {
      const repo = agentRepo(round === 3 ? 'sha256' : undefined);
      // The agent's writes, through the agent hook's own append (key log kept in step).
      const writes = Array.from({ length: 1 + Math.floor(rand() * 5) }, () =>
        text(3 + Math.floor(rand() * 12)),
      );
      const dir = stateDir(repo);
      writes.forEach((w, i) =>
        appendEntries(dir, [entry(`drafts/w${i}.py`, w, pick(['claude-code', 'codex']), i)]),
      );
      if (rand() < 0.3) {
        // More entries, some appended one by one (the key log's tail), none staged.
        for (let i = 0; i < 20; i++)
          appendEntries(dir, [entry(`scratch/s${i}.py`, text(4), 'codex', 100 + i)]);
      }
      const files = 1 + Math.floor(rand() * 5);
      // A third of the rounds stage nothing of the agent's (the fast path's case).
      const clean = rand() < 0.35;
      for (let f = 0; f < files; f++) {
        const kind = clean ? 0.6 + rand() * 0.4 : rand();
        const path = rand() < 0.05 ? `evals/tasks/t${f}.json` : `src/f${round}_${f}.py`;
        if (kind < 0.15)
          repo.write(path, pick(writes)); // the agent's file, byte for byte
        else if (kind < 0.35)
          repo.write(path, text(2) + respace(pick(writes)) + text(1)); // pasted, respaced
        else if (kind < 0.45)
          repo.write(path, pick(writes).split('\n')[0]! + '\n' + text(3)); // one line only
        else if (kind < 0.5)
          repo.write(path, Buffer.concat([Buffer.from('\0bin'), Buffer.from(pick(writes))]));
        else if (kind < 0.55)
          repo.write(
            path,
            Buffer.concat([Buffer.from(pick(writes)), Buffer.from([0xff, 0xc3, 0x0a])]),
          );
        else if (kind < 0.8) repo.write(path, respace(text(1 + Math.floor(rand() * 8))));
        else repo.write(path, text(1 + Math.floor(rand() * 8)));
      }
      repo.git('add', '-A');
      const env = rand() < 0.5 ? AGENT : {};
      const shim = viaShim(repo, env);
      const node = viaNode(repo, env);
      expect(shim.message, `round ${round}`).toBe(node);
      if (shim.fast) fast++;
      if (/Assisted-by: codex|Assisted-by: claude-code$/m.test(node) && !('CLAUDECODE' in env))
        matched++;
    }
    // The test sees both sides: commits the fast path answered, and ledger matches.
    expect(fast).toBeGreaterThan(rounds / 5);
    expect(matched).toBeGreaterThan(rounds / 6);
  }, 600_000);

  it('answers without Node when nothing staged is in the ledger, and a real commit gets the same trailers', () => {
    const repo = agentRepo();
    const agentText =
      'def evaluate(model, data):\n    return model.score(data.features, data.labels)\n';
    appendEntries(stateDir(repo), [entry('drafts/e.py', agentText)]);
    repo.write('src/b.py', 'print("a human line, long enough to count")\n');
    repo.git('add', '-A');
    expect(perl(repo)).toBe(0);
    const shim = viaShim(repo, AGENT);
    expect(shim.fast).toBe(true);
    expect(shim.message).toBe(viaNode(repo, AGENT));
    expect(shim.message).toMatch(/^Assisted-by: claude-code$/m);
    // The agent's content staged: a key in the ledger, Node, and its trailer.
    repo.write('src/e.py', agentText);
    repo.git('add', '-A');
    expect(perl(repo)).toBe(3);
    const human = viaShim(repo);
    expect(human.fast).toBe(false);
    expect(human.message).toMatch(/^Assisted-by: claude-code$/m);
    const r = repo.commit('with the agent file', { env: {} });
    expect(r.code, r.stderr).toBe(0);
    expect(repo.lastMessage()).toMatch(/^Assisted-by: claude-code$/m);
  }, 120_000);
});

describe('the ledger fast path fails closed (each with its control)', () => {
  /** A repository whose ledger holds an entry for `src/e.py`'s content, not yet staged. */
  const withMatch = () => {
    const repo = agentRepo();
    const agentText =
      'def evaluate(model, data):\n    return model.score(data.features, data.labels)\n';
    appendEntries(stateDir(repo), [
      entry('drafts/other.py', 'a line nobody stages, quite long\n', 'codex', 1),
    ]);
    appendEntries(stateDir(repo), [entry('drafts/e.py', agentText, 'codex', 2)]);
    repo.write('src/e.py', agentText);
    repo.git('add', '-A');
    return repo;
  };
  /** The control: a clean key log makes perl find the key (3), and the trailer is written. */
  const expectNodeTrailer = (repo: TestRepo, status: number) => {
    expect(perl(repo)).toBe(status);
    const shim = viaShim(repo);
    expect(shim.fast).toBe(false);
    expect(shim.message).toMatch(/^Assisted-by: codex$/m);
    expect(shim.message).toBe(viaNode(repo));
  };

  it('control: a key log in step finds the entry', () => {
    expectNodeTrailer(withMatch(), 3);
  }, 120_000);

  it('no key log', () => {
    const repo = withMatch();
    rmSync(join(stateDir(repo), KEYS_FILE));
    expectNodeTrailer(repo, 1);
  }, 120_000);

  it('a stale key log: the ledger appended by hand (another writer)', () => {
    const repo = agentRepo();
    appendEntries(stateDir(repo), [
      entry('drafts/other.py', 'a line nobody stages, quite long\n', 'codex', 1),
    ]);
    const agentText =
      'def evaluate(model, data):\n    return model.score(data.features, data.labels)\n';
    appendFileSync(
      join(stateDir(repo), 'ledger.jsonl'),
      JSON.stringify({ v: 1, ...entry('drafts/e.py', agentText, 'codex', 2) }) + '\n',
    );
    repo.write('src/e.py', agentText);
    repo.git('add', '-A');
    expectNodeTrailer(repo, 1);
  }, 120_000);

  it('a key log whose size, mtime and contents were put back after the ledger changed (ctime moved)', () => {
    const repo = withMatch();
    const ledger = join(stateDir(repo), 'ledger.jsonl');
    const st = statSync(ledger);
    const text = readFileSync(ledger);
    writeFileSync(ledger, text); // same bytes, same size: only the ctime says it was written
    execFileSync('touch', ['-d', `@${st.mtimeMs / 1000}`, ledger]);
    expectNodeTrailer(repo, 1);
  }, 120_000);

  it('a corrupt key log: the meta region, the postings, the tail (each would hide the key unchecked)', () => {
    const agentText =
      'def evaluate(model, data):\n    return model.score(data.features, data.labels)\n';
    const other = entry('drafts/other.py', 'a line nobody stages, quite long\n', 'codex', 1);
    const cases = [
      // Both entries in the base (one append to an empty ledger builds it whole).
      { where: 'meta', base: true },
      { where: 'postings', base: true },
      // The matching entry appended later: its keys are in the tail.
      { where: 'tail', base: false },
    ] as const;
    for (const { where, base } of cases) {
      const repo = agentRepo();
      const dir = stateDir(repo);
      if (base) appendEntries(dir, [other, entry('drafts/e.py', agentText, 'codex', 2)]);
      else {
        appendEntries(dir, [other]);
        appendEntries(dir, [entry('drafts/e.py', agentText, 'codex', 2)]);
      }
      repo.write('src/e.py', agentText);
      repo.git('add', '-A');
      expect(perl(repo), `${where}: control`).toBe(3);
      const keys = join(dir, KEYS_FILE);
      const bytes = readFileSync(keys);
      const lines = bytes.readUInt32LE(56);
      const postings = bytes.readUInt32LE(60);
      const metaEnd = 128 + 4 * 65537 + 4 * 65536 + 4 * (lines + 1);
      const [from, to] =
        where === 'meta'
          ? [128, 128 + 4 * 65537] // the bucket starts
          : where === 'postings'
            ? [metaEnd, metaEnd + 8 * postings]
            : [metaEnd + 8 * postings, bytes.length];
      expect(to, where).toBeGreaterThan(from);
      // Every key word of the region changed: unchecked, no wanted key would be found there.
      for (let i = from; i < to; i++) bytes[i] = bytes[i]! ^ 0x5a;
      writeFileSync(keys, bytes);
      expect(perl(repo), where).toBe(1);
      const shim = viaShim(repo);
      expect(shim.fast, where).toBe(false);
      expect(shim.message, where).toMatch(/^Assisted-by: codex$/m);
    }
  }, 120_000);

  it('a truncated key log, and one replaced by an empty file', () => {
    const repo = withMatch();
    const keys = join(stateDir(repo), KEYS_FILE);
    const bytes = readFileSync(keys);
    writeFileSync(keys, bytes.subarray(0, bytes.length - 4));
    expectNodeTrailer(repo, 1);
    writeFileSync(keys, '');
    expectNodeTrailer(repo, 1);
  }, 120_000);

  it('a key log writable by group or others, a symlink, or another user\u2019s', () => {
    const repo = withMatch();
    const keys = join(stateDir(repo), KEYS_FILE);
    chmodSync(keys, 0o664);
    expectNodeTrailer(repo, 1);
    chmodSync(keys, 0o644);
    renameSync(keys, `${keys}.real`);
    symlinkSync(`${keys}.real`, keys);
    expectNodeTrailer(repo, 1);
    rmSync(keys);
    renameSync(`${keys}.real`, keys);
    if (process.getuid?.() === 0) {
      chownSync(keys, 4242, 4242);
      expectNodeTrailer(repo, 1);
    } else {
      // Not root: a file of another user cannot be made here; its mode is the check above.
      expect(statSync(keys).uid).toBe(process.getuid?.());
    }
  }, 120_000);

  it('a key shared by prefix only is no match; the same line with a backslash, or the whole id, goes to Node', () => {
    const repo = agentRepo();
    const dir = stateDir(repo);
    const staged = 'print("a human line, long enough to count as one")\n';
    const hash = lineHashes(staged)[0]!;
    const id = blobId(staged, 'sha1');
    // The same key (first 8 hex digits), another value: the key log names the line.
    const twin = (s: string) => s.slice(0, 8) + (s[8] === 'f' ? 'e' : 'f') + s.slice(9);
    appendEntries(dir, [{ ...entry('drafts/t.py', 'x'), blob: twin(id), lines: [twin(hash)] }]);
    repo.write('src/b.py', staged);
    repo.git('add', '-A');
    expect(perl(repo)).toBe(0);
    const shim = viaShim(repo);
    expect(shim.fast).toBe(true);
    expect(shim.message).toBe(viaNode(repo));
    // A line with a backslash (JSON escapes could spell a value): Node parses it.
    appendEntries(dir, [{ ...entry('drafts\\t.py', 'x'), blob: twin(id), lines: [twin(hash)] }]);
    expect(readFileSync(join(dir, 'ledger.jsonl'), 'utf8')).toContain('\\\\');
    expect(perl(repo)).toBe(3);
    expect(viaShim(repo).message).toBe(viaNode(repo));
    // The whole id: a match, Node, its trailer.
    appendEntries(dir, [entry('drafts/b.py', staged, 'codex', 3)]);
    expect(perl(repo)).toBe(3);
    expect(viaShim(repo).message).toMatch(/^Assisted-by: codex$/m);
  }, 120_000);

  it('the ledger identity the shell hands perl: another ctime, size, inode or form is refused', () => {
    const repo = withMatch();
    const ledger = join(stateDir(repo), 'ledger.jsonl');
    // Nothing of the ledger staged: the control answers 0 with the identity of the stat.
    repo.git('rm', '-q', '--cached', 'src/e.py');
    repo.write('src/b.py', 'print("a human line, long enough to count")\n');
    repo.git('add', 'src/b.py');
    const id = ledgerIdentity(repo);
    expect(perl(repo, id)).toBe(0);
    const [dev, ino, size, mt, ct] = id.split(' ') as [string, string, string, string, string];
    const ns = (t: string) => t.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    for (const [why, bad] of [
      ['a ctime one nanosecond off', `${dev} ${ino} ${size} ${mt} ${ns(ct)}`],
      ['an mtime one nanosecond off', `${dev} ${ino} ${size} ${ns(mt)} ${ct}`],
      ['another size', `${dev} ${ino} ${Number(size) + 1} ${mt} ${ct}`],
      ['another inode', `${dev} ${Number(ino) + 1} ${size} ${mt} ${ct}`],
      ['whole seconds', `${dev} ${ino} ${size} ${mt.split('.')[0]} ${ct.split('.')[0]}`],
      ['a trailing newline', `${id}\n`],
      ['a path after it', `${id} ${ledger}`],
      ['nothing', ''],
    ] as const)
      expect(perl(repo, bad), why).toBe(1);
    // The ledger appended after the shell's stat (the same inode, a longer file): the size
    // perl sees is not the one the stat named.
    appendFileSync(ledger, '');
    appendEntries(stateDir(repo), [entry('drafts/z.py', 'another line nobody stages at all\n')]);
    expect(perl(repo, id)).toBe(1);
    expect(perl(repo)).toBe(0);
  }, 120_000);

  it('more staged blobs than one cat-file chunk (128): lines matched in the last chunk are found', () => {
    const repo = agentRepo();
    // The agent's lines (over MIN_MATCHED_CHARS), pasted into a staged file whose blob id
    // sorts after every other staged one (perl reads the blobs in id order: the third
    // chunk). The ledger knows the lines only, not that blob: only reading it finds them.
    const agentText =
      'def tail_chunk(model, the_last_chunk_of_blobs):\n    return model.fit(the_last_chunk_of_blobs, epochs=3)\n';
    appendEntries(stateDir(repo), [entry('drafts/t.py', agentText, 'codex', 1)]);
    let n = 0;
    const pastedText = (i: number) => `x_${i} = 1\n${agentText}`;
    while (!blobId(pastedText(n), 'sha1').startsWith('f')) n++;
    const pasted = pastedText(n);
    const target = blobId(pasted, 'sha1');
    for (let i = 0, k = 0; k < 300; i++) {
      const text = `value_${i} = "distinct line ${i}"\n`;
      if (blobId(text, 'sha1') < target) repo.write(`src/many/f${k++}.py`, text);
    }
    repo.git('add', '-A');
    // Control: 300 blobs, none in the ledger: no match, the fast path, Node's message.
    expect(perl(repo)).toBe(0);
    const shim = viaShim(repo, AGENT);
    expect(shim.fast).toBe(true);
    expect(shim.message).toBe(viaNode(repo, AGENT));
    // The pasted file staged too: found, Node, its trailer.
    repo.write('src/many/agent.py', pasted);
    repo.git('add', '-A');
    expect(perl(repo)).toBe(3);
    const node = viaShim(repo);
    expect(node.fast).toBe(false);
    expect(node.message).toMatch(/^Assisted-by: codex$/m);
    expect(node.message).toBe(viaNode(repo));
  }, 180_000);

  it("the message's two questions: a `git revert` message or no final newline takes Node", () => {
    const repo = stagedBesideLedger('src/b.py', 'print("a human line, long enough to count")\n');
    const id = ledgerIdentity(repo);
    // Controls: an ordinary message, an empty one, one that only mentions a revert.
    for (const m of ['chore: x\n', '', 'fix: a revert, explained\n\nThis reverts nothing.\n'])
      expect(perl(repo, id, m), JSON.stringify(m)).toBe(0);
    for (const m of [
      'Revert "x"\n\nThis reverts commit 0123abc.\n',
      'Revert "x"\r\nThis reverts commit a.\n',
      'Merge branch x', // git merge's MERGE_MSG: no final newline
      'chore: x\n\nbody without a newline',
      Buffer.concat([Buffer.from('chore: x\n'), Buffer.alloc(1024 * 1024)]), // over 1 MiB
    ])
      expect(perl(repo, id, m), JSON.stringify(String(m).slice(0, 40))).toBe(1);
    // The shim, on each: Node's message, byte for byte.
    for (const m of ['Merge branch x', 'Revert "x"\n\nThis reverts commit 0123abc.\n']) {
      const viaMessage = (run: 'shim' | 'node') => {
        const file = join(repo.dir, '.git', `MSG_${run}`);
        writeFileSync(file, m);
        const r =
          run === 'shim'
            ? spawnSync('sh', [SHIM, file, 'message'], {
                cwd: repo.dir,
                env: { ...repo.env, ...AGENT, CLEANROOM_DEBUG: '1' },
                encoding: 'utf8',
              })
            : spawnSync(
                process.execPath,
                [NODE_MAIN, 'hook', 'prepare-commit-msg', file, 'message'],
                { cwd: repo.dir, env: { ...repo.env, ...AGENT }, encoding: 'utf8' },
              );
        expect(r.status, r.stderr).toBe(0);
        return { message: readFileSync(file, 'utf8'), node: /exec node /.test(r.stderr) };
      };
      const shim = viaMessage('shim');
      expect(shim.node).toBe(true);
      expect(shim.message).toBe(viaMessage('node').message);
      expect(shim.message).toMatch(/^Assisted-by: claude-code$/m);
    }
  }, 120_000);

  it("the policy's sha256, checked in perl: another text, a bad digest or no policy file is refused", () => {
    const repo = stagedBesideLedger('src/b.py', 'print("a human line, long enough to count")\n');
    const id = ledgerIdentity(repo);
    writeFileSync(join(repo.dir, '.git', 'MSG_PERL'), 'chore: x\n');
    const run = (sha: string) =>
      spawnSync('perl', [PERL, stateDir(repo), id, join(repo.dir, '.git', 'MSG_PERL'), sha], {
        cwd: repo.dir,
        env: repo.env,
      }).status;
    const sha = zonesNoteSha(repo);
    expect(run(sha)).toBe(0); // control
    expect(run(sha.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBe(1);
    expect(run(sha.toUpperCase())).toBe(1);
    expect(run(`${sha}\n`)).toBe(1);
    expect(run('')).toBe(1);
    const policy = join(repo.dir, '.cleanroom', 'policy.yaml');
    const text = readFileSync(policy);
    appendFileSync(policy, '\n');
    expect(run(sha)).toBe(1);
    rmSync(policy);
    expect(run(sha)).toBe(1);
    writeFileSync(policy, text);
    expect(run(sha)).toBe(0);
  }, 120_000);

  it('a ledger that is a symlink', () => {
    const repo = withMatch();
    const ledger = join(stateDir(repo), 'ledger.jsonl');
    copyFileSync(ledger, `${ledger}.real`);
    rmSync(ledger);
    symlinkSync(`${ledger}.real`, ledger);
    expect(perl(repo)).toBe(1);
    expect(viaShim(repo).fast).toBe(false);
  }, 120_000);

  it('staged text that is not well-formed UTF-8 (Node decodes it with replacement characters)', () => {
    const repo = stagedBesideLedger('src/x.py', Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x0a])); // an encoded surrogate
    expect(perl(repo)).toBe(1);
    const shim = viaShim(repo);
    expect(shim.fast).toBe(false);
    expect(shim.message).toBe(viaNode(repo));
    // Control: well-formed UTF-8 takes the fast path.
    repo.write('src/x.py', 'données naïves — 数据\n');
    repo.git('add', '-A');
    expect(perl(repo)).toBe(0);
    expect(viaShim(repo).fast).toBe(true);
  }, 120_000);

  it('a staged path in a zone, a merge under way, another policy: Node (its heads-up, its replay)', () => {
    const repo = stagedBesideLedger('src/ok.py', 'x = 1\n');
    expect(viaShim(repo, AGENT).fast).toBe(true);
    repo.write('evals/tasks/q.json', '{}\n');
    repo.git('add', '-A');
    expect(viaShim(repo, AGENT).fast).toBe(false);
    repo.git('rm', '-q', '--cached', 'evals/tasks/q.json');
    writeFileSync(join(repo.dir, '.git', 'MERGE_HEAD'), repo.head() + '\n');
    expect(viaShim(repo, AGENT).fast).toBe(false);
    rmSync(join(repo.dir, '.git', 'MERGE_HEAD'));
    appendFileSync(join(repo.dir, '.cleanroom', 'policy.yaml'), '# changed\n');
    expect(viaShim(repo, AGENT).fast).toBe(false);
  }, 120_000);
});

describe("commit-msg takes prepare-commit-msg's zone answer only for the same inputs", () => {
  const COMMIT_MSG = join(ROOT, 'hooks', 'commit-msg');
  const commitMsg = (repo: TestRepo) => {
    const file = join(repo.dir, '.git', 'MSG_SHIM');
    const r = spawnSync('sh', [COMMIT_MSG, file], {
      cwd: repo.dir,
      env: { ...repo.env, ...AGENT, CLEANROOM_DEBUG: '1' },
      encoding: 'utf8',
    });
    return {
      code: r.status,
      node: /exec node /.test(r.stderr),
      diffIndex: /diff-index/.test(r.stderr),
    };
  };

  it('same index and HEAD: no diff-index; a zone file staged after it, or the note forged for another HEAD: the full check refuses', () => {
    const repo = stagedBesideLedger('src/ok.py', 'x = 1\n');
    expect(viaShim(repo, AGENT).fast).toBe(true);
    const note = join(stateDir(repo), 'fastpath.staged');
    expect(readFileSync(note, 'utf8')).toMatch(/\nno zone\n$/);
    const same = commitMsg(repo);
    expect(same).toEqual({ code: 0, node: false, diffIndex: false });
    // The index changes under it (a deny-zone file from the agent's session): not the same key.
    const saved = readFileSync(note);
    repo.write('evals/tasks/q.json', '{"answer": 42}\n');
    repo.git('add', '-A');
    const moved = commitMsg(repo);
    expect(moved.node).toBe(true);
    expect(moved.code).not.toBe(0);
    // The old note put back: its key names the old index, so it is not taken.
    writeFileSync(note, saved);
    expect(commitMsg(repo).node).toBe(true);
    // This commit's key with another HEAD: not taken. With this HEAD (a note written by
    // whoever can write .git/cleanroom, as the notes are): taken — docs/local-hooks.md.
    const key = execFileSync(
      'sh',
      [
        '-c',
        `. ${join(ROOT, 'hooks', 'lib', 'no-ai-signal.sh')}; cleanroom_zone_key; printf '%s' "$_cr_key"`,
      ],
      {
        cwd: repo.dir,
        env: repo.env,
        encoding: 'utf8',
      },
    );
    expect(key).toMatch(new RegExp(`${repo.head()}$`));
    writeFileSync(note, `${key.replace(/[0-9a-f]{40}$/, '0'.repeat(40))}\nno zone\n`);
    expect(commitMsg(repo).node).toBe(true);
    writeFileSync(note, `${key}\nno zone\n`);
    expect(commitMsg(repo).node).toBe(false);
  }, 120_000);

  it('commit-msg skips the --amend probe only in the process whose prepare-commit-msg asked it', () => {
    const repo = stagedBesideLedger('src/ok.py', 'x = 1\n');
    expect(viaShim(repo, AGENT).fast).toBe(true);
    const note = join(stateDir(repo), 'fastpath.staged');
    const text = readFileSync(note, 'utf8');
    // The key names the process that ran both hooks (here this test's; in a commit, git).
    expect(text).toContain(`\ngit ${process.pid} `);
    // Control: the same process, the same key: no probe (no grep of the environment), no
    // diff-index, no Node.
    const traced = (env: Record<string, string> = {}) =>
      spawnSync('sh', [COMMIT_MSG, join(repo.dir, '.git', 'MSG_SHIM')], {
        cwd: repo.dir,
        env: { ...repo.env, ...AGENT, ...env, CLEANROOM_DEBUG: '1' },
        encoding: 'utf8',
      }).stderr;
    const same = traced();
    expect(same).not.toMatch(/grep -c -H|diff-index|exec node /);
    const envNote = join(stateDir(repo), 'fastpath.env');
    const envText = readFileSync(envNote, 'utf8');
    // The note of another process (another pid, or the same pid started at another time):
    // the zone path in full (its diff-index), after the probe — which prepare-commit-msg's
    // environment note (fastpath.env, of this same process: this test's) would answer; it
    // is removed to show the probe.
    for (const other of [
      text.replace(/\ngit (\d+) /, (_, p: string) => `\ngit ${Number(p) + 1} `),
      text.replace(
        /\ngit (\d+) (\d+)\n/,
        (_, p: string, t: string) => `\ngit ${p} ${Number(t) + 1}\n`,
      ),
    ]) {
      expect(other).not.toBe(text);
      writeFileSync(note, other);
      writeFileSync(envNote, envText);
      expect(traced()).not.toMatch(/grep -c -H/);
      rmSync(envNote);
      const r = traced();
      expect(r).toMatch(/grep -c -H/);
      expect(r).toMatch(/diff-index/);
    }
    // Both hooks run by a process started with `--amend` (as `git commit --amend -m`):
    // prepare-commit-msg takes Node and writes no note; commit-msg, finding the earlier
    // note of another process, probes, sees the argument, and takes the full check.
    writeFileSync(note, text);
    const file = join(repo.dir, '.git', 'MSG_AMEND');
    writeFileSync(file, 'chore: x\n');
    const r = spawnSync(
      'sh',
      ['-c', 'sh "$1" "$3" message && sh "$2" "$3"', 'sh', SHIM, COMMIT_MSG, file, '--amend'],
      { cwd: repo.dir, env: { ...repo.env, ...AGENT, CLEANROOM_DEBUG: '1' }, encoding: 'utf8' },
    );
    expect(r.stderr).toMatch(/grep -c -H/);
    expect(r.stderr.match(/exec node /g)?.length, r.stderr).toBe(2);
    expect(readFileSync(note, 'utf8')).toBe(text);
  }, 120_000);
});

describe("the ledger fast path's perl takes none of the caller's perl settings", () => {
  // As run-node.sh drops NODE_OPTIONS: an agent's shell sets PERL5OPT or PERL5LIB, and its
  // code runs inside the check (`-M5;exit(0)`: "nothing in the ledger, nothing staged"),
  // then commit-msg reuses the forged "no zone" answer.
  const zoneCommit = (env: Record<string, string>) => {
    const repo = stagedBesideLedger(
      'evals/tasks/q.json',
      '{"answer": "an agent wrote this line"}\n',
    );
    return repo.commit('agent content in a zone', { env: { ...AGENT, ...env } });
  };

  it('control: the agent commit into a zone is refused', () => {
    expect(zoneCommit({}).code).not.toBe(0);
  }, 120_000);

  it('PERL5OPT, PERL5LIB and PERLLIB that make perl exit 0 at once', () => {
    const lib = join(stateDir(agentRepo()), '..', 'evil-lib');
    execFileSync('mkdir', ['-p', lib]);
    writeFileSync(join(lib, 'XSLoader.pm'), 'CORE::exit(0);\n1;\n');
    expect(zoneCommit({ PERL5OPT: '-M5;exit(0)' }).code).not.toBe(0);
    expect(zoneCommit({ PERL5LIB: lib }).code).not.toBe(0);
    expect(zoneCommit({ PERLLIB: lib }).code).not.toBe(0);
  }, 240_000);
});

describe('the fast path names every agent the environment shows, as Node does', () => {
  // A prefix rule of the table (CODEX_SANDBOX*) matched by a variable the shim does not
  // spell, beside one it does (CLAUDECODE): Node writes both tools' trailers.
  const staged = () => {
    const repo = stagedBesideLedger('src/ok.py', 'x = 1\n');
    return repo;
  };

  it('control: CLAUDECODE alone, without Node, the same trailers', () => {
    const repo = staged();
    const shim = viaShim(repo, AGENT);
    expect(shim.fast).toBe(true);
    expect(shim.message).toBe(viaNode(repo, AGENT));
  }, 120_000);

  it('CLAUDECODE and CODEX_SANDBOX_MODE: both tools', () => {
    const repo = staged();
    const env = { ...AGENT, CODEX_SANDBOX_MODE: 'workspace-write' };
    const node = viaNode(repo, env);
    expect(node).toMatch(/^Assisted-by: codex$/m);
    expect(viaShim(repo, env).message).toBe(node);
  }, 120_000);
});
