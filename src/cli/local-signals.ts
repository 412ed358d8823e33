// Workstation-only signals that the server cannot see: the ledger written by agent
// hooks. (The agent environment is read in check/staged.ts.)
//
// Every staged file is looked up by its blob id (content an agent left, wherever it is
// now) and by its lines (an agent's lines pasted into another file). No ledger, no
// cost: without a ledger file nothing is spawned. Otherwise one `git diff-index` (the
// staged blobs), one `git cat-file --batch` (their content), and one pass over the
// ledger's key log (src/signals/ledger-keys.ts) that names the entries sharing a blob or a
// line with them — or, when the key log cannot be trusted, one pass over the ledger text.

import { UNKNOWN_AI, type FileChange, type Signal } from '../core/types.js';
import { runGit, spawnGit, verifyRev, withoutLazyFetch, type GitContext } from '../git/git.js';
import { isZeroId, type Repo } from '../git/repo.js';
import { stagedChanges } from '../git/staged.js';
import { ByteReader, exited, writeLine, type ObjectInfo } from '../git/stream.js';
import { isObjectId } from '../git/object-id.js';
import { CleanroomError } from '../errors.js';
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeAtomic } from '../fsutil.js';
import { VERSION } from '../version.js';
import {
  contentLines,
  indexLedger,
  ledgerPath,
  ledgerSize,
  lineRanges,
  matchContent,
  normalizeLine,
  lookupLedger,
  type HashedLine,
  type LedgerIndex,
  type ToolMatch,
} from '../signals/ledger.js';
import type { ToolTable } from '../signals/tools.js';

/** Blobs bigger than this are matched by id only. */
const MAX_LINE_MATCH_BYTES = 16 * 1024 * 1024;

/**
 * One `git cat-file --batch-command --buffer` for everything the lookup reads: HEAD (the
 * key of the stored matches) and the staged blobs' sizes in one round trip, then the
 * content of those small enough to match by line (issue 14: it was `rev-parse`,
 * `--batch-check` and `--batch`, three processes, each forked from Node). Without lazy
 * fetching, as the size query always was: a blob absent from a partial clone is matched
 * by its id alone. Sample answers: `8e27be7… blob 31457280\n` (info), `HEAD missing\n`
 * (an unborn branch), `8e27be7… blob 12\n<12 bytes>\n` (contents).
 */
class StagedObjects {
  private readonly child: ReturnType<typeof spawnGit>;
  private readonly reader: ByteReader;
  private readonly done: Promise<void>;
  constructor(ctx: GitContext) {
    const args = ['cat-file', '--batch-command', '--buffer'];
    this.child = spawnGit(withoutLazyFetch(ctx), args);
    this.done = exited(this.child, args);
    this.done.catch(() => undefined);
    this.child.stdin.on('error', () => undefined);
    this.reader = new ByteReader(this.child.stdout);
  }

  /** HEAD's id ('' when unborn) and type and size of each id (absent ones left out). */
  async info(ids: readonly string[]): Promise<{ head: string; infos: Map<string, ObjectInfo> }> {
    const bad = ids.find((id) => !isObjectId(id));
    if (bad !== undefined)
      throw new CleanroomError('internal', `not an object id: ${bad.slice(0, 80)}`);
    // Written while the answers are read: with thousands of ids both pipes can fill.
    const written = writeLine(
      this.child.stdin,
      ['HEAD', ...ids].map((id) => `info ${id}\n`).join('') + 'flush\n',
    );
    const answers: string[] = [];
    for (let i = 0; i <= ids.length; i++) {
      const line = await this.reader.until(0x0a);
      if (line === null) throw new CleanroomError('internal', 'git cat-file ended early');
      answers.push(line.toString('latin1'));
    }
    await written;
    const [h = '', ht = ''] = answers[0]!.split(' ');
    const infos = new Map<string, ObjectInfo>();
    for (const a of answers.slice(1)) {
      const [id = '', type = '', size] = a.split(' ');
      const n = Number(size);
      if (size !== undefined && type !== 'missing' && Number.isSafeInteger(n))
        infos.set(id, { type, size: n });
    }
    return { head: ht === 'missing' || !isObjectId(h) ? '' : h, infos };
  }

  /** The content of each id, in order (ids `info` found: nothing is missing). */
  async contents(ids: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    if (!ids.length) return out;
    const written = writeLine(
      this.child.stdin,
      ids.map((id) => `contents ${id}\n`).join('') + 'flush\n',
    );
    for (let i = 0; i < ids.length; i++) {
      const header = await this.reader.until(0x0a);
      if (header === null) throw new CleanroomError('internal', 'git cat-file ended early');
      const [id = '', type = '', size] = header.toString('latin1').split(' ');
      const n = Number(size);
      if (size === undefined || !Number.isSafeInteger(n) || n < 0) continue; // "<id> missing"
      const content = await this.reader.exactly(n);
      await this.reader.exactly(1);
      if (type === 'blob' && n <= MAX_LINE_MATCH_BYTES) out.set(id, content);
    }
    await written;
    return out;
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    await this.done.catch(() => undefined);
  }
}

/**
 * The content of the staged blobs that line matching can use. Sizes are asked first
 * (`info`), so a 30 MB data file is never read: it is matched by its blob id alone,
 * which needs no content.
 */
async function readBlobs(
  objects: StagedObjects,
  all: readonly string[],
  known?: Map<string, ObjectInfo>,
): Promise<Map<string, Buffer>> {
  const info = known ?? (await objects.info(all)).infos;
  const ids = all.filter((id) => {
    const i = info.get(id);
    return i !== undefined && i.type === 'blob' && i.size <= MAX_LINE_MATCH_BYTES;
  });
  return objects.contents(ids);
}

export function ledgerEvidence(m: ToolMatch): string {
  const lines = `${m.matched} of ${m.total} lines`;
  const which = m.lines.length
    ? ` (line${m.lines.length === 1 ? '' : 's'} ${lineRanges(m.lines)})`
    : '';
  const session =
    m.entry.session && m.entry.session !== 'unknown'
      ? `, session ${m.entry.session.slice(0, 8)}…`
      : '';
  return m.exact
    ? `ledger: ${m.tool} wrote this content (${lines} are its own${session})`
    : `ledger: ${lines}${which} match what ${m.tool} wrote to ${m.entry.path}${session}`;
}

/**
 * Line hashes of `candidates` (path → its matched lines' normalised text) that HEAD
 * already holds in some *other* file, not one the ledger says an agent wrote them into:
 * boilerplate such as a licence header, which says nothing about who wrote this file. One `git grep -F -z` over HEAD's tree; its output
 * is "HEAD:path\0line\n" per hit.
 */
async function sharedAtHead(
  ctx: GitContext,
  index: LedgerIndex,
  candidates: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const texts = new Map<string, string>(); // normalised text → hash
  for (const m of candidates.values()) for (const [hash, text] of m) texts.set(text, hash);
  if (!texts.size || (await verifyRev(ctx, 'HEAD^{tree}')) === undefined) return out;
  const r = await runGit(ctx, ['grep', '-z', '-F', '-I', '--no-color', '-f', '-', 'HEAD', '--'], {
    input: [...texts.keys()].join('\n') + '\n',
    okCodes: [1],
    maxBytes: 64 * 1024 * 1024,
  });
  const buf = r.stdout;
  const where = new Map<string, Set<string>>(); // hash → paths at HEAD holding it
  for (let pos = 0; pos < buf.length;) {
    const nul = buf.indexOf(0, pos);
    if (nul < 0) break;
    const nl = buf.indexOf(0x0a, nul);
    const end = nl < 0 ? buf.length : nl;
    const path = buf.toString('utf8', pos, nul).replace(/^HEAD:/, '');
    const hash = texts.get(normalizeLine(buf.toString('utf8', nul + 1, end)));
    if (hash) (where.get(hash) ?? where.set(hash, new Set()).get(hash)!).add(path);
    pos = end + 1;
  }
  for (const [path, m] of candidates) {
    const shared = new Set<string>();
    // Only where HEAD holds the line in another file that no agent wrote it into: an
    // agent's committed draft (drafts/q9.json) does not launder its lines into a zone.
    const agentPaths = (hash: string) => index.linePaths.get(hash) ?? new Set<string>();
    for (const hash of m.keys())
      if ([...(where.get(hash) ?? [])].some((p) => p !== path && !agentPaths(hash).has(p)))
        shared.add(hash);
    out.set(path, shared);
  }
  return out;
}

/** What the ledger says about one staged file. */
interface FileMatches {
  path: string;
  matches: ToolMatch[];
}

/** The ledger's matches for `files` (staged, not deleted, not submodules): the costly part. */
async function ledgerMatches(
  ctx: GitContext,
  repo: Repo,
  files: readonly FileChange[],
  objects: StagedObjects,
  known?: Map<string, ObjectInfo>,
): Promise<FileMatches[]> {
  // The staged content first, so only the ledger entries it can match are parsed.
  const contents = await readBlobs(objects, [...new Set(files.map((f) => f.blob))], known);
  const hashed = new Map<string, HashedLine[]>();
  for (const [id, c] of contents) hashed.set(id, contentLines(c));
  const lines = new Set([...hashed.values()].flatMap((ls) => ls.map((l) => l.hash)));
  const { entries } = lookupLedger(repo.ledgerDir, {
    blobs: new Set(files.map((f) => f.blob)),
    lines,
  });
  if (!entries.length) return [];
  const index = indexLedger(entries);
  // Lines matched only by line (not the whole blob) are checked against HEAD: lines that
  // already exist there in other files are boilerplate, not provenance.
  const candidates = new Map<string, Map<string, string>>();
  for (const f of files) {
    const ls = hashed.get(f.blob) ?? [];
    const hits = ls.filter((l) => index.byLine.has(l.hash));
    if (!hits.length) continue;
    const raw = (contents.get(f.blob)?.toString('utf8') ?? '').split('\n');
    candidates.set(
      f.path,
      new Map(hits.map((l) => [l.hash, normalizeLine(raw[l.line - 1] ?? '')])),
    );
  }
  const shared = await sharedAtHead(ctx, index, candidates);
  const out: FileMatches[] = [];
  for (const f of files) {
    const matches = matchContent(index, f.blob, hashed.get(f.blob) ?? [], shared.get(f.path));
    if (matches.length) out.push({ path: f.path, matches });
  }
  return out;
}

// ---- one ledger lookup per commit ------------------------------------------------
//
// prepare-commit-msg looks the staged files up twice (its Assisted-by trailers, then the
// deny-zone heads-up through checkStaged) and commit-msg once more, each a Node process
// of its own. The lookup's result depends only on the ledger file, HEAD (sharedAtHead)
// and the staged (path, blob) list, so it is kept in memory for the process and in
// `<ledger dir>/ledger.matches` for the next hook, under a key made of exactly those:
// the ledger's device, inode, size and mtime (ns) — an append changes the size, a
// compaction the inode —, HEAD's id and the staged list. Any other key, or a file that
// does not parse to the expected shape, is a miss: the lookup runs again.
//
// Trust: the file sits beside the ledger, in the same directory with the same
// permissions; whoever can write it can as well delete the ledger's entries, which
// removes the same signals. So it grants no power the ledger does not already give, and
// it holds ledger matches only: the agent environment, the message, the identities and
// the zones are judged afresh by every hook. (The ledger is a workstation-only signal;
// the server and CI never read either file.)

const MATCHES_FILE = 'ledger.matches';
/** A stored lookup larger than this was not written by us (a commit's matches are small). */
const MAX_MATCHES_BYTES = 64 * 1024 * 1024;
const memo = new Map<string, Promise<FileMatches[]>>();

/**
 * HEAD, asked once per git context: prepare-commit-msg makes the key twice (its trailers,
 * then the heads-up), and HEAD does not move while a hook runs (git holds the index lock).
 */
const heads = new WeakMap<GitContext, string>();

function matchKey(repo: Repo, st: BigIntStats, head: string, files: readonly FileChange[]): string {
  const h = createHash('sha256');
  h.update(
    `v1\0${VERSION}\0${repo.ledgerDir}\0${st.dev}\0${st.ino}\0${st.size}\0${st.mtimeNs}\0${head}\0`,
  );
  for (const f of files) h.update(`${f.path}\0${f.blob}\0`);
  return h.digest('hex');
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The stored matches for `key`, or undefined (absent, another key, not our shape). */
function storedMatches(repo: Repo, key: string): FileMatches[] | undefined {
  let o: unknown;
  try {
    const file = join(repo.ledgerDir, MATCHES_FILE);
    if (statSync(file).size > MAX_MATCHES_BYTES) return undefined; // not ours: look up again
    o = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const r = o as { key?: unknown; files?: unknown };
  if (!r || r.key !== key || !Array.isArray(r.files)) return undefined;
  for (const f of r.files as FileMatches[]) {
    if (!f || !isStr(f.path) || !Array.isArray(f.matches)) return undefined;
    for (const m of f.matches) {
      const e = m?.entry;
      if (
        !isStr(m.tool) ||
        typeof m.exact !== 'boolean' ||
        !isNum(m.matched) ||
        !isNum(m.total) ||
        !Array.isArray(m.lines) ||
        !m.lines.every(isNum) ||
        !e ||
        !isStr(e.tool) ||
        !isStr(e.path) ||
        !isStr(e.session) ||
        !isStr(e.time) ||
        !isStr(e.blob) ||
        !Array.isArray(e.lines) ||
        (e.model !== undefined && !isStr(e.model))
      )
        return undefined;
    }
  }
  return r.files as FileMatches[];
}

async function ledgerMatchesOnce(
  ctx: GitContext,
  repo: Repo,
  files: readonly FileChange[],
): Promise<FileMatches[]> {
  // Started only when something is read: a second lookup in the process (the heads-up's)
  // finds its answer in `memo` without a git process.
  let started: StagedObjects | undefined;
  const objects = (): StagedObjects => (started ??= new StagedObjects(ctx));
  try {
    let st: BigIntStats;
    try {
      st = statSync(ledgerPath(repo.ledgerDir), { bigint: true });
    } catch {
      return await ledgerMatches(ctx, repo, files, objects());
    }
    // HEAD and the blobs' sizes in one round trip, the first time in this process.
    let head = heads.get(ctx);
    let known: Map<string, ObjectInfo> | undefined;
    if (head === undefined) {
      const got = await objects().info([...new Set(files.map((f) => f.blob))]);
      heads.set(ctx, (head = got.head));
      known = got.infos;
    }
    const key = matchKey(repo, st, head, files);
    let p = memo.get(key);
    if (!p) {
      p = (async () => {
        const stored = storedMatches(repo, key);
        if (stored) return stored;
        const got = await ledgerMatches(ctx, repo, files, objects(), known);
        try {
          writeAtomic(join(repo.ledgerDir, MATCHES_FILE), JSON.stringify({ key, files: got }));
        } catch {
          // a read-only git dir: the next hook looks the ledger up again
        }
        return got;
      })();
      memo.set(key, p);
    }
    return await p;
  } finally {
    await started?.close();
  }
}

/** `staged`: the staged changes when the caller already has them (one diff-index per commit). */
export async function ledgerSignalsForStaged(
  ctx: GitContext,
  repo: Repo,
  tools: ToolTable,
  staged?: readonly FileChange[],
): Promise<Signal[]> {
  if (repo.bare || ledgerSize(repo.ledgerDir) === 0) return [];
  const files = (staged ?? (await stagedChanges(ctx, repo))).filter(
    (f) => f.status !== 'D' && !isZeroId(f.blob) && f.mode !== '160000',
  );
  if (!files.length) return [];
  const signals: Signal[] = [];
  for (const { path, matches } of await ledgerMatchesOnce(ctx, repo, files)) {
    for (const m of matches) {
      const share = m.exact ? 1 : m.total ? m.matched / m.total : 0;
      const s: Signal = {
        tool: tools.ids.has(m.tool) ? m.tool : UNKNOWN_AI,
        source: 'ledger',
        evidence: ledgerEvidence(m),
        paths: new Map([[path, share]]),
      };
      if (m.entry.model) s.model = m.entry.model;
      signals.push(s);
    }
  }
  return signals;
}
