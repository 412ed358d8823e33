// Issue 14 §1: the ledger's key log (src/signals/ledger-keys.ts) makes the commit-time
// lookup indexed. Whatever state the key log is in, the lookup must find every entry the
// full scan finds: a differential test over random ledgers (hand-made line shapes
// included) and random staged sets, and one named test per way the key log can be
// absent, stale, truncated, corrupt, foreign-owned or forged. Real files, real processes.

import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../../helpers/repo.js';
import { bundleForWorkers, runWorker } from '../../helpers/workers.js';
import {
  appendEntries,
  canonicalKeys,
  compactLedger,
  formatEntry,
  lookupLedger,
  parseLedger,
  scanLedger,
  type LedgerEntry,
  type Wanted,
} from '../../../src/signals/ledger.js';
import { KEYS_FILE, MIN_TAIL_LINES } from '../../../src/signals/ledger-keys.js';
import { prng } from '../../helpers/prng.js';

afterAll(removeTempDirs);

const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

/** What the full scan must find: every entry (parsed exactly) that shares a key with `want`. */
const shares = (want: Wanted) => (e: LedgerEntry) =>
  want.blobs.has(e.blob) || e.lines.some((h) => want.lines.has(h));
const reference = (dir: string, want: Wanted): LedgerEntry[] =>
  parseLedger(readFileSync(join(dir, 'ledger.jsonl'), 'utf8')).entries.filter(shares(want));
const found = (dir: string, want: Wanted) => {
  const r = lookupLedger(dir, want);
  return { indexed: r.indexed, entries: r.entries.filter(shares(want)) };
};

/** A world of keys: line hashes and blob ids, some sharing their first 8 hex digits (one key). */
function world(rand: () => number) {
  const hashes: string[] = [];
  const blobs: string[] = [];
  for (let i = 0; i < 60; i++) {
    const h = sha1(`line ${i} ${rand()}`).slice(0, 12);
    hashes.push(h);
    // A twin with the same key (first 8 digits) and another tail: the key log must not
    // confuse them, and a lookup for one must still find the other's entries' exact match.
    if (i % 7 === 0) hashes.push(h.slice(0, 8) + sha1(`twin ${i}`).slice(0, 4));
  }
  for (let i = 0; i < 25; i++) {
    const b = sha1(`blob ${i} ${rand()}`);
    blobs.push(b);
    if (i % 6 === 0) blobs.push(b.slice(0, 8) + sha1(`twin blob ${i}`).slice(8));
  }
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const entry = (i: number): LedgerEntry => ({
    time: new Date(1795489008000 + i * 1000).toISOString(),
    tool: rand() < 0.5 ? 'claude-code' : 'codex',
    session: `s${Math.floor(rand() * 4)}`,
    path: `src/f${Math.floor(rand() * 10)}.py`,
    blob: pick(blobs),
    lines: [...new Set(Array.from({ length: Math.floor(rand() * 6) }, () => pick(hashes)))],
  });
  /** A ledger line as formatEntry writes it, or in one of the shapes a hand edit makes. */
  const line = (i: number): string => {
    const e = entry(i);
    const text = formatEntry(e).trimEnd();
    const r = rand();
    if (r < 0.55) return text;
    const shapes = [
      () => text.replace(/,/g, ', '), // spaces: not the writer's shape
      () => text.replace('"blob"', '"bl\\u006fb"'), // an escape spells the key
      () =>
        // duplicate keys: JSON.parse keeps the last — the decoy comes first
        text.replace('{', `{"blob":"${pick(blobs)}","lines":["${pick(hashes)}"],`),
      () => text.replace('"lines":[', '"lines":[ '), // a space inside the array
      () => text.replace('"lines":[', `"lines":[7,`), // a number among the hashes
      () => text.replace(/"blob":"[0-9a-f]+"/, `"x":{"blob":"${pick(blobs)}"}`), // nested only
      () => text.toUpperCase().replace('"V":1', '"v":1'), // upper-case hex: never a match
      () => text.slice(0, Math.floor(text.length / 2)), // torn mid-line (then a newline)
      () => '', // an empty line
      () => '{"v":1,"tool":"x"', // not JSON
      () => text.replace(`"path":"${e.path}"`, `"path":"a\\"b"`), // an escaped quote in a value
      () =>
        `{"v":1,"tool":"codex","path":"p","blob":"${e.blob}","lines":${JSON.stringify(e.lines)}}`,
    ];
    return shapes[Math.floor(rand() * shapes.length)]!();
  };
  const want = (): Wanted => {
    const w = { blobs: new Set<string>(), lines: new Set<string>() };
    const nb = Math.floor(rand() * 4);
    const nl = Math.floor(rand() * 12);
    for (let i = 0; i < nb; i++) w.blobs.add(rand() < 0.8 ? pick(blobs) : sha1(`other ${rand()}`));
    for (let i = 0; i < nl; i++)
      w.lines.add(rand() < 0.8 ? pick(hashes) : sha1(`other ${rand()}`).slice(0, 12));
    return w;
  };
  return { entry, line, want };
}

describe('the ledger key log: the indexed lookup finds what the full scan finds', () => {
  it('random ledgers, hand-made line shapes and staged sets: index == full scan == parse all', () => {
    let indexedRuns = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const w = world(rand);
      const dir = join(tempDir(), 'state');
      mkdirSync(dir, { recursive: true });
      // Hand-made lines written behind the writer's back, then entries appended through it
      // (the key log is rebuilt once, then kept in step append by append).
      const raw = Array.from({ length: Math.floor(rand() * 40) }, (_, i) => w.line(i));
      if (raw.length) writeFileSync(join(dir, 'ledger.jsonl'), raw.join('\n') + '\n');
      const batches = Math.floor(rand() * 6);
      for (let b = 0; b < batches; b++)
        appendEntries(
          dir,
          Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) => w.entry(100 + b * 10 + i)),
        );
      for (let q = 0; q < 6; q++) {
        const want = w.want();
        const ref = reference(dir, want);
        const buf = readFileSync(join(dir, 'ledger.jsonl'));
        expect(scanLedger(buf, want).filter(shares(want)), `seed ${seed}: full scan`).toEqual(ref);
        const got = found(dir, want);
        expect(got.entries, `seed ${seed}, query ${q}: lookup`).toEqual(ref);
        if (got.indexed) indexedRuns++;
      }
      // After the first lookup at the latest, the key log describes the ledger.
      expect(found(dir, w.want()).indexed, `seed ${seed}: indexed once built`).toBe(true);
    }
    expect(indexedRuns).toBeGreaterThan(200);
  }, 120_000);

  it('the full scan finds hand-made lines that the byte reader once skipped (a human control beside)', () => {
    const h = '0123456789ab';
    const b = 'a'.repeat(40);
    const text = formatEntry({
      time: 't',
      tool: 'codex',
      session: 's',
      path: 'p',
      blob: b,
      lines: ['ffffffffffff', h],
    }).trimEnd();
    const byLine: Wanted = { blobs: new Set(), lines: new Set([h]) };
    const byBlob: Wanted = { blobs: new Set([b]), lines: new Set() };
    const scan = (line: string, want: Wanted) => scanLedger(Buffer.from(line + '\n'), want).length;
    expect(scan(text, byLine), "control: the writer's own shape").toBe(1);
    expect(scan(text.replace('"lines":[', '"lines":[ '), byLine), 'a space in the array').toBe(1);
    expect(scan(text.replace(/","/g, '", "'), byLine), 'spaces after commas').toBe(1);
    const decoy = text.replace('{', `{"blob":"${'c'.repeat(40)}","lines":[],`);
    expect(scan(decoy, byBlob), 'a decoy blob key first (JSON.parse keeps the last)').toBe(1);
    expect(
      scan(text, { blobs: new Set(['c'.repeat(40)]), lines: new Set() }),
      'control: no match',
    ).toBe(0);
  });

  it("the canonical shape is exactly the writer's: anything else goes to JSON.parse", () => {
    const e: LedgerEntry = {
      time: 't',
      tool: 'claude-code',
      session: 's',
      path: 'p',
      blob: 'a'.repeat(40),
      lines: ['0123456789ab', 'ba9876543210'],
    };
    const text = formatEntry(e).trimEnd();
    const at = (s: string) => canonicalKeys(Buffer.from(s), 0, Buffer.byteLength(s));
    expect(at(text)).toMatchObject({ count: 2 });
    for (const bad of [
      text.replace('"blob"', '"bl\\u006fb"'),
      text.replace('{', '{"blob":"b",'),
      text.replace('"lines":[', '"lines":[ '),
      text.replace('"lines":[', '"lines":["0123456789AB",'),
      text.replace('"]', '" ]'),
      text.replace('{', '{"lines":[],'),
    ])
      expect(at(bad), bad).toBeUndefined();
  });
});

/**
 * A ledger of `n` entries appended one by one, and a query that finds entry 3. `folded`:
 * the key log rebuilt afterwards, so every entry is in its base (else all but the first
 * are in its tail).
 */
function ledgerWithIndex(n = 30, folded = true) {
  const dir = join(tempDir(), 'state');
  const entries = Array.from({ length: n }, (_, i): LedgerEntry => ({
    time: new Date(1795489008000 + i).toISOString(),
    tool: 'claude-code',
    session: 's',
    path: `f${i}.py`,
    blob: sha1(`blob ${i}`),
    lines: [sha1(`a ${i}`).slice(0, 12), sha1(`b ${i}`).slice(0, 12)],
  }));
  for (const e of entries) appendEntries(dir, [e]);
  if (folded) {
    rmSync(join(dir, KEYS_FILE));
    lookupLedger(dir, { blobs: new Set(), lines: new Set() });
  }
  const want: Wanted = { blobs: new Set(), lines: new Set([entries[3]!.lines[1]!]) };
  expect(found(dir, want)).toEqual({ indexed: true, entries: [entries[3]] });
  return { dir, entries, want, keys: join(dir, KEYS_FILE), ledger: join(dir, 'ledger.jsonl') };
}

/** The lookup scans in full (the key log is not trusted) and still finds entry 3. */
function scansAndFinds(dir: string, want: Wanted, entries: LedgerEntry[]) {
  expect(found(dir, want)).toEqual({ indexed: false, entries: [entries[3]] });
}

/** Overwrites bytes of a file in place. */
function poke(file: string, at: number, bytes: Buffer) {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

const HEADER = 128;
const META_DIR = 4 * 65537 + 4 * 65536;

describe('a key log that cannot be trusted: the full scan, then a rebuild', () => {
  it('absent: scans, and writes one', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    rmSync(keys);
    scansAndFinds(dir, want, entries);
    expect(existsSync(keys)).toBe(true);
    expect(found(dir, want).indexed).toBe(true);
  });

  it('stale: a line appended behind the writer (an older cleanroom) is found', () => {
    const { dir, entries, want, ledger } = ledgerWithIndex();
    const late: LedgerEntry = { ...entries[5]!, path: 'late.py', time: '2027-01-01T00:00:00Z' };
    late.lines = [...want.lines];
    appendFileSync(ledger, formatEntry(late));
    expect(found(dir, want)).toEqual({ indexed: false, entries: [entries[3], late] });
    expect(found(dir, want)).toEqual({ indexed: true, entries: [entries[3], late] });
  });

  it('stale: an edit in place of the same size, mtime put back, is seen (the ctime moved)', () => {
    const { dir, entries, want, ledger } = ledgerWithIndex();
    const text = readFileSync(ledger, 'utf8');
    const target = entries[7]!.lines[0]!;
    const hidden = [...want.lines][0]!;
    // `touch -r` keeps the nanoseconds that utimes from JS would round away.
    const ref = join(dir, 'times');
    execFileSync('touch', ['-r', ledger, ref]);
    writeFileSync(ledger, text.replace(target, hidden)); // same inode, same size
    execFileSync('touch', ['-r', ref, ledger]);
    expect(statSync(ledger, { bigint: true }).mtimeNs).toBe(
      statSync(ref, { bigint: true }).mtimeNs,
    );
    const e7 = { ...entries[7]!, lines: [hidden, entries[7]!.lines[1]!] };
    expect(found(dir, want)).toEqual({ indexed: false, entries: [entries[3], e7] });
  });

  it('truncated: scans', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    const size = statSync(keys).size;
    execFileSync('truncate', ['-s', String(size - 16), keys]);
    scansAndFinds(dir, want, entries);
    expect(found(dir, want).indexed).toBe(true);
  });

  it('corrupt postings (a key changed in the bucket a lookup reads): the bucket crc32 fails', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    const buf = readFileSync(keys);
    const n = buf.readUInt32LE(56);
    const postStart = HEADER + META_DIR + 4 * (n + 1);
    // Every posting of the wanted key: its lowest bit flipped (the same bucket, as a bad
    // sector or a hand edit would leave it), so only the bucket's crc32 can tell.
    const key = parseInt([...want.lines][0]!.slice(0, 8), 16);
    let poked = 0;
    for (let p = postStart; p < buf.length; p += 8)
      if (buf.readUInt32LE(p) === key) {
        const k = Buffer.alloc(4);
        k.writeUInt32LE((key ^ 1) >>> 0);
        poke(keys, p, k);
        poked++;
      }
    expect(poked).toBe(1);
    scansAndFinds(dir, want, entries);
  });

  it('corrupt meta region (bucket starts, line offsets): its crc32 fails', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    poke(keys, HEADER + 4 * 100, Buffer.from([0xff]));
    scansAndFinds(dir, want, entries);
  });

  it('corrupt tail (the records of recent appends): its crc32 fails', () => {
    const { dir, entries, want, keys } = ledgerWithIndex(30, false);
    // Every append after the first went to the tail: entry 3's record is there.
    const buf = readFileSync(keys);
    const key = parseInt([...want.lines][0]!.slice(0, 8), 16);
    const k = Buffer.alloc(4);
    k.writeUInt32LE(key);
    const at = buf.indexOf(k, HEADER + META_DIR);
    expect(at).toBeGreaterThan(0);
    poke(keys, at, Buffer.alloc(4));
    scansAndFinds(dir, want, entries);
  });

  it('forged: line offsets moved off the line boundaries, crc32 recomputed — the read-back catches it', () => {
    const { dir, entries, want, keys } = ledgerWithIndex(20);
    const buf = readFileSync(keys);
    const n = buf.readUInt32LE(56);
    expect(n).toBe(20);
    const starts = HEADER + META_DIR;
    // Line 3 starts 5 bytes late and line 4 early: the read-back lands mid-line.
    buf.writeUInt32LE(buf.readUInt32LE(starts + 4 * 3) + 5, starts + 4 * 3);
    buf.writeUInt32LE(buf.readUInt32LE(starts + 4 * 4) - 5, starts + 4 * 4);
    buf.writeUInt32LE(zlib.crc32(buf.subarray(HEADER, HEADER + META_DIR + 4 * (n + 1))), 72);
    writeFileSync(keys, buf);
    scansAndFinds(dir, want, entries);
  });

  it("forged: another ledger's key log (copied in) does not describe this one", () => {
    const a = ledgerWithIndex();
    const b = ledgerWithIndex(31);
    writeFileSync(a.keys, readFileSync(b.keys));
    scansAndFinds(a.dir, a.want, a.entries);
  });

  it('foreign-owned, or writable by others: not used', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    chmodSync(keys, 0o666);
    scansAndFinds(dir, want, entries);
    expect(statSync(keys).mode & 0o022, 'rebuilt with our mode').toBe(0);
    if (process.getuid?.() === 0) {
      chownSync(keys, 4242, 4242);
      scansAndFinds(dir, want, entries);
      expect(statSync(keys).uid).toBe(0);
    }
  });

  it('a symlink or a FIFO in its place: not followed, no hang', () => {
    const { dir, entries, want, keys } = ledgerWithIndex();
    const elsewhere = join(tempDir(), 'keys');
    writeFileSync(elsewhere, readFileSync(keys));
    rmSync(keys);
    symlinkSync(elsewhere, keys);
    scansAndFinds(dir, want, entries);
    rmSync(keys, { force: true });
    execFileSync('mkfifo', [keys]);
    // The rebuild after the scan replaces it by rename; the lookup itself must not block.
    scansAndFinds(dir, want, entries);
  });

  it('a torn last ledger line: no key log describes it; the next append rebuilds', () => {
    const { dir, entries, want, ledger } = ledgerWithIndex();
    appendFileSync(ledger, '{"v":1,"tool":"codex","pa');
    scansAndFinds(dir, want, entries);
    scansAndFinds(dir, want, entries); // still no key log: the torn line is not described
    appendEntries(dir, [{ ...entries[9]!, path: 'after-tear.py' }]);
    // The appended line joined the torn one: neither is an entry, for the full scan too.
    expect(found(dir, want)).toEqual({ indexed: true, entries: [entries[3]] });
  });

  it('compaction writes the key log of the compacted ledger', () => {
    const { dir, entries, want } = ledgerWithIndex();
    const [before, after] = compactLedger(dir, () => ({
      blobs: new Set(entries.filter((_, i) => i % 2 === 1).map((e) => e.blob)),
      linesByPath: new Map(),
    }));
    expect([before, after]).toEqual([30, 15]);
    expect(found(dir, want)).toEqual({ indexed: true, entries: [entries[3]] });
    const gone: Wanted = { blobs: new Set([entries[4]!.blob]), lines: new Set() };
    expect(found(dir, gone)).toEqual({ indexed: true, entries: [] });
  });

  it('a tail past its share is folded into the base, and lookups still agree', () => {
    const { dir, entries, want, keys } = ledgerWithIndex(10, false);
    const many = Array.from({ length: MIN_TAIL_LINES + 10 }, (_, i) => ({
      ...entries[i % 10]!,
      path: `bulk/${i}.py`,
    }));
    appendEntries(dir, many);
    const tailLines = readFileSync(keys).readUInt32LE(76);
    expect(tailLines).toBe(0);
    const got = found(dir, want);
    expect(got.indexed).toBe(true);
    expect(got.entries).toEqual(reference(dir, want));
    expect(got.entries.length).toBe(1 + Math.ceil((MIN_TAIL_LINES + 10 - 3) / 10));
  });
});

// Concurrent agent hooks: appends from several processes keep the key log in step.
let bundle = '';
beforeAll(() => {
  bundle = bundleForWorkers(['src/signals/ledger.ts']);
});

const WORKER = `
const [mod, dir, n, tag] = process.argv.slice(2);
const L = await import(mod);
const { createHash } = await import('node:crypto');
const h = (s) => createHash('sha1').update(s).digest('hex');
for (let i = 0; i < Number(n); i++)
  L.appendEntries(dir, [{ time: new Date().toISOString(), tool: 'claude-code', session: tag,
    path: tag + '/' + i, blob: h(tag + i), lines: [h('shared').slice(0, 12), h(tag + ' ' + i).slice(0, 12)] }]);
`;

const worker = (dir: string, n: number, tag: string): Promise<number> =>
  runWorker(WORKER, bundle, [dir, String(n), tag]);

describe('concurrent agent hooks', () => {
  it('three writers appending at once: the key log stays in step with every entry', async () => {
    const dir = join(tempDir(), 'state');
    mkdirSync(dir, { recursive: true });
    expect(await Promise.all(['w1', 'w2', 'w3'].map((t) => worker(dir, 120, t)))).toEqual([
      0, 0, 0,
    ]);
    const shared: Wanted = { blobs: new Set(), lines: new Set([sha1('shared').slice(0, 12)]) };
    const got = found(dir, shared);
    expect(got.indexed).toBe(true);
    expect(got.entries.length).toBe(360);
    expect(got.entries).toEqual(reference(dir, shared));
    const one: Wanted = { blobs: new Set([sha1('w2' + 77)]), lines: new Set() };
    expect(found(dir, one)).toEqual({ indexed: true, entries: reference(dir, one) });
  });
});
