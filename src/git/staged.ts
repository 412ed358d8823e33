// What `git commit` is about to record: the index (through git, so GIT_INDEX_FILE —
// `git commit -a`, `git commit PATH` — is honoured) against HEAD, or against the empty
// tree for the first commit. For a merge in progress, only the paths that differ from
// every parent count, as for merge commits on the server.

import { isAscii } from 'node:buffer';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileChange } from '../core/types.js';
import { largeDiffFlags } from '../long-run.js';
import { GitError, runGit, runGitChunks, SHOW_GITLINKS, splitZ, type GitContext } from './git.js';
import { decodePath, parseRawEntries } from './raw.js';
import { checkDeadline } from '../core/deadline.js';
import {
  addDeleteCounts,
  pairExactRenames,
  RENAME_LIMIT,
  withSourceBlobs,
  type RenameLimit,
} from './renames.js';
import type { Repo } from './repo.js';
import { isObjectId } from './object-id.js';

/** The staged changes against `base`; `renameLimit` set when the rename limit was hit. */
export interface StagedDiff {
  files: FileChange[];
  renameLimit?: RenameLimit | undefined;
}

// Single-parent status letters parseRawMeta accepts, but R and C (two paths, a score).
const PLAIN_STATUS = new Set([0x41, 0x4d, 0x44, 0x54, 0x55, 0x58]); // A M D T U X

/** What `parseIndexDiff` answers: the changes, and how many of them are additions and deletions. */
export interface IndexDiff {
  files: FileChange[];
  added: number;
  deleted: number;
}

/**
 * `parseRawEntries(splitZ(out))` with `addDeleteCounts` of the same fields, for the
 * output of `git diff-index --raw -z --no-renames --no-abbrev` (sample:
 * `:100644 100644 3b18e51… 0000000… M\0evals/tasks/q1.json\0`), in one pass: no Buffer
 * and no split per field (100,000 staged files: issue 14 §4). `out` is that output
 * whole, or as the pieces git's pipe gave it (`runGitChunks`), in order: a record may
 * straddle pieces, and the answer is the same however the bytes are cut.
 * Only records of exactly that form are read here — one colon, four spaces, a one-letter
 * status other than R and C, a path — the same FileChange (keys in the same order) as
 * the general parser; on anything else it answers undefined and the caller takes the
 * general parsers, which also give their errors.
 *
 * Each piece is scanned as a latin1 string (a byte a character), dropped once read; the
 * path and blob id of a record are copied out of the bytes as strings of their own, so
 * nothing keeps the 12 MB of a 100,000-file diff alive (issue 14 §4, seventh pass: the
 * output joined, then decoded whole, cost two copies of it in fresh pages). A path whose
 * bytes are all ASCII is the same text in latin1 and in UTF-8; any other path is decoded
 * by `decodePath` from its bytes, as the general parser does (UTF-8, git's `\377` for
 * invalid bytes, a leading BOM dropped by the decoder).
 */
export function parseIndexDiff(out: Buffer | readonly Buffer[]): IndexDiff | undefined {
  const into: IndexDiff = { files: [], added: 0, deleted: 0 };
  const pieces = Buffer.isBuffer(out) ? [out] : out;
  // The start of a record the pieces so far hold only part of.
  let carry: Buffer | undefined;
  for (const piece of pieces) {
    let from = 0;
    if (carry) {
      // The carried record ends at its second NUL (meta, then path): at most two more
      // to find here, else the whole piece is carried on (a path longer than a piece).
      let nul = piece.indexOf(0);
      if (nul >= 0 && !carry.includes(0)) nul = piece.indexOf(0, nul + 1);
      if (nul < 0) {
        carry = Buffer.concat([carry, piece]);
        continue;
      }
      const record = Buffer.concat([carry, piece.subarray(0, nul + 1)]);
      carry = undefined;
      if (readRecords(record, 0, false, into) !== record.length) return undefined;
      from = nul + 1;
    }
    const at = readRecords(piece, from, false, into);
    if (at < 0) return undefined;
    if (at < piece.length) carry = piece.subarray(at);
  }
  // What is left lacks its final NUL: read as the last record (a path up to the end).
  if (carry && readRecords(carry, 0, true, into) < 0) return undefined;
  return into;
}

/**
 * Reads the records of `buf` from `pos` into `into`; answers where the first record
 * `buf` holds only part of starts (`buf.length` when none), or -1 for a record not of
 * the plain form. `last`: no byte follows `buf`, so a record missing its final NUL is
 * read up to the end, and one missing more is not of the plain form (the general parser
 * decides). Top-level, no closure: this runs once per record.
 */
function readRecords(buf: Buffer, pos: number, last: boolean, into: IndexDiff): number {
  const text = buf.toString('latin1');
  const ascii = isAscii(buf);
  const length = text.length;
  const files = into.files;
  while (pos < length) {
    checkDeadline();
    const end = text.indexOf('\0', pos);
    if (end < 0) return last ? -1 : pos;
    if (text.charCodeAt(pos) !== 0x3a || text.charCodeAt(pos + 1) === 0x3a) return -1;
    const s1 = text.indexOf(' ', pos);
    const s2 = s1 < 0 ? -1 : text.indexOf(' ', s1 + 1);
    const s3 = s2 < 0 ? -1 : text.indexOf(' ', s2 + 1);
    const s4 = s3 < 0 ? -1 : text.indexOf(' ', s3 + 1);
    // Four spaces inside the field, the status one letter after the last.
    if (s4 < 0 || s4 + 2 !== end) return -1;
    const letter = text.charCodeAt(s4 + 1);
    if (!PLAIN_STATUS.has(letter)) return -1;
    if (end + 1 >= length) return last ? -1 : pos; // no path field: the general parser says so
    const stop = text.indexOf('\0', end + 1);
    if (stop < 0 && !last) return pos;
    const pathEnd = stop < 0 ? length : stop;
    const path = buf.toString('latin1', end + 1, pathEnd);
    files.push({
      status: STATUS_OF[letter] as FileChange['status'],
      path: ascii || !NON_ASCII.test(path) ? path : decodePath(buf.subarray(end + 1, pathEnd)),
      blob: buf.toString('latin1', s3 + 1, s4),
      mode: modeOf(text, s1 + 1, s2),
    });
    // Both tests run for every record: a test first reached halfway through (the first
    // modified file after 45,000 added ones, in path order) has no type feedback, and the
    // optimised loop is thrown away there and compiled again.
    into.added += letter === 0x41 ? 1 : 0;
    into.deleted += letter === 0x44 ? 1 : 0;
    pos = pathEnd + 1;
  }
  return length;
}

const NON_ASCII = /[^\0-\x7f]/;
const STATUS_OF: Partial<Record<number, string>> = {
  0x41: 'A',
  0x4d: 'M',
  0x44: 'D',
  0x54: 'T',
  0x55: 'U',
  0x58: 'X',
};
// The modes a diff shows (file, executable, symlink, gitlink, none): one string each
// for 100,000 records, not one copy per record.
const MODES = ['100644', '100755', '120000', '160000', '000000'];

function modeOf(text: string, from: number, to: number): string {
  if (to - from === 6) for (const m of MODES) if (text.startsWith(m, from)) return m;
  return text.slice(from, to);
}

/** A staged diff of more than this (about 8,000 files) is judged under `largeDiffFlags`. */
export const LARGE_DIFF_BYTES = 1 << 20;

/**
 * The staged diff against `base` as `--raw -z` records, with `renames` (`--no-renames`,
 * or `-M` with a limit). --ita-invisible-in-index: an intent-to-add entry (`git add -N`)
 * is not committed, so it is not judged either (it would otherwise show as an added
 * empty file).
 */
export const diffIndexArgs = (renames: readonly string[], base: string): string[] => [
  'diff-index',
  '--cached',
  '--ita-invisible-in-index',
  '--raw',
  '-z',
  ...renames,
  '--no-abbrev',
  SHOW_GITLINKS,
  base,
  '--',
];

/**
 * Rename detection bounded as on the server (src/git/renames.ts): git's `-M` costs grow
 * with the product of added and deleted files, so a staged rename bomb (90,000 files
 * moved) kept the commit hook busy for minutes. The diff is read without renames first;
 * git detects renames (exact, then inexact with `-l`) only within RENAME_LIMIT added and
 * deleted files; past it, exact renames are paired by blob id in linear time, and the
 * rest is reported as the limit hit (the judge treats it as of unknown origin).
 */
async function diffIndex(ctx: GitContext, base: string): Promise<StagedDiff> {
  const output = async (renames: string[]): Promise<Buffer> =>
    (await runGit(ctx, diffIndexArgs(renames, base))).stdout;
  const run = async (renames: string[]): Promise<Buffer[]> => splitZ(await output(renames));
  const { chunks } = await runGitChunks(ctx, diffIndexArgs(['--no-renames'], base));
  let size = 0;
  for (const c of chunks) size += c.length;
  if (size > LARGE_DIFF_BYTES) largeDiffFlags();
  // The common case (no file both added and another deleted: nothing to pair) is read
  // straight from git's pieces; the rest goes through the general parsers.
  const fast = parseIndexDiff(chunks);
  if (fast && (!fast.added || !fast.deleted)) return { files: fast.files };
  const plainOut = Buffer.concat(chunks);
  const plain = splitZ(plainOut);
  const { added, deleted } = addDeleteCounts(plain);
  if (!added || !deleted) return { files: parseRawEntries(plain) };
  if (added <= RENAME_LIMIT && deleted <= RENAME_LIMIT) {
    const raw = await run(['-M', `-l${RENAME_LIMIT}`]);
    return { files: withSourceBlobs(raw, parseRawEntries(raw)) };
  }
  const paired = pairExactRenames(plain);
  return { files: paired.files, renameLimit: paired.limit };
}

/**
 * `base` is HEAD unless the commit being made replaces HEAD (`git commit --amend`): then
 * the amended commit's parent, so what the original commit brought in is judged again
 * under the new message.
 */
export async function stagedChanges(
  ctx: GitContext,
  repo: Repo,
  base = 'HEAD',
): Promise<FileChange[]> {
  return (await stagedDiff(ctx, repo, base)).files;
}

/** As stagedChanges, with the rename limit when it was hit (see diffIndex). */
export async function stagedDiff(ctx: GitContext, repo: Repo, base = 'HEAD'): Promise<StagedDiff> {
  let diff: StagedDiff;
  try {
    diff = await diffIndex(ctx, base);
  } catch (e) {
    // Unborn branch: compare with the empty tree (sha1 or sha256, per the repository).
    // Asked by exit code, not by matching git's (translated) error message.
    if (
      !(e instanceof GitError) ||
      (await runGit(ctx, ['rev-parse', '-q', '--verify', base], { okCodes: [1] })).code !== 1
    )
      throw e;
    return diffIndex(ctx, repo.emptyTree);
  }
  const mergeHead = join(repo.gitDir, 'MERGE_HEAD');
  if (!existsSync(mergeHead)) return diff;
  const others = readFileSync(mergeHead, 'utf8')
    .split('\n')
    .filter((l) => isObjectId(l));
  let changes = diff.files;
  for (const other of others) {
    const vsOther = new Set((await diffIndex(ctx, other)).files.map((c) => c.path));
    changes = changes.filter((c) => vsOther.has(c.path));
  }
  return { ...diff, files: changes };
}
