// Rename detection with a bound. git's own `-M` costs grow with the product of added and
// deleted files — and with git 2.39 even its exact pass is quadratic when the content is
// identical: one ~2 KB pushed commit that moves 90,000 identical files from a/ to b/
// kept `git diff-tree -M` busy for over a minute. So cleanroom asks git for the diff
// without renames first, lets git detect renames (exact, then inexact) only in commits
// with at most RENAME_LIMIT added and RENAME_LIMIT deleted files (git's own default
// `diff.renameLimit`), and pairs the exact renames of bigger commits itself, by blob id,
// in linear time. What stays unpaired there — added files whose source git could not
// have looked for — is reported as `RenameLimit`, and the caller decides safely.

import type { FileChange } from '../core/types.js';
import { checkDeadline } from '../core/deadline.js';
import { tunable } from '../core/tunable.js';
import { CleanroomError } from '../errors.js';
import { decodePath } from './raw.js';

/**
 * Added and deleted files above which git's rename detection is not run for a commit
 * (git's own `diff.renameLimit` default). CLEANROOM_RENAME_LIMIT (an integer 1–100000)
 * lowers or raises it: tests build small bombs with it; a server admin may tune it. The
 * pusher has no say over the hook's environment.
 */
export const RENAME_LIMIT = renameLimitFrom(process.env.CLEANROOM_RENAME_LIMIT);

/** The limit CLEANROOM_RENAME_LIMIT asks for, or 1000 when unset or not an integer 1–100000. */
export function renameLimitFrom(value: string | undefined): number {
  return tunable(value, 1, 100_000, 1000);
}

/** A commit too big for git's rename detection: the added files left without a source. */
export interface RenameLimit {
  added: number;
  deleted: number;
  /** Added paths that no deleted file of the same content explains. */
  unpaired: string[];
}

/** Counts of added and deleted entries in one commit's `--raw -z` fields (no renames asked). */
export function addDeleteCounts(raw: readonly Buffer[]): {
  added: number;
  deleted: number;
  merge: boolean;
} {
  let added = 0;
  let deleted = 0;
  let merge = false;
  for (let i = 0; i < raw.length; i += 2) {
    checkDeadline();
    const meta = raw[i]!;
    if (meta[1] === 0x3a) merge = true;
    const status = meta[meta.length - 1];
    if (status === 0x41 /* A */) added++;
    else if (status === 0x44 /* D */) deleted++;
  }
  return { added, deleted, merge };
}

/**
 * Pairs exact renames in `--raw -z --no-renames` fields of a non-merge commit: a deleted
 * file and an added file with the same blob id (and mode kind) become one `R` change.
 * Sample: `:100644 000000 3b18e51… 0000000… D\0a/f1.txt\0:000000 100644 0000000… 3b18e51… A\0b/f1.txt\0`.
 * Same-named files pair first (git's basename preference), then in order.
 */
export function pairExactRenames(raw: readonly Buffer[]): {
  files: FileChange[];
  limit: RenameLimit;
} {
  interface Entry {
    status: string;
    oldMode: string;
    mode: string;
    oldBlob: string;
    blob: string;
    path: string;
  }
  const entries: Entry[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    checkDeadline();
    const meta = raw[i]!.toString('latin1');
    const path = raw[i + 1];
    const parts = meta.slice(1).split(' ');
    if (meta[0] !== ':' || meta[1] === ':' || parts.length !== 5 || path === undefined)
      throw new CleanroomError('internal', `unexpected diff line from git: ${meta.slice(0, 120)}`);
    entries.push({
      oldMode: parts[0]!,
      mode: parts[1]!,
      oldBlob: parts[2]!,
      blob: parts[3]!,
      status: parts[4]!,
      path: decodePath(path),
    });
  }
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const kind = (mode: string): string => mode.slice(0, 2); // 10 (file) / 12 (link): a file never pairs with a link
  // Queues of deleted entries by content, and by content and file name; each entry is
  // taken at most once, each queue read front to back: linear however many files share
  // one content (a rename bomb is 90,000 identical files).
  class Queue {
    items: Entry[] = [];
    at = 0;
    next(used: Set<Entry>): Entry | undefined {
      while (this.at < this.items.length && used.has(this.items[this.at]!)) this.at++;
      return this.items[this.at];
    }
  }
  const byContent = new Map<string, Queue>();
  const byName = new Map<string, Queue>();
  const enqueue = (map: Map<string, Queue>, key: string, e: Entry): void => {
    let q = map.get(key);
    if (!q) map.set(key, (q = new Queue()));
    q.items.push(e);
  };
  for (const e of entries) {
    if (e.status !== 'D') continue;
    enqueue(byContent, `${kind(e.oldMode)} ${e.oldBlob}`, e);
    enqueue(byName, `${kind(e.oldMode)} ${e.oldBlob} ${base(e.path)}`, e);
  }
  const used = new Set<Entry>();
  const from = new Map<Entry, Entry>();
  const added = entries.filter((e) => e.status === 'A');
  // Two passes: same file name first (git's basename preference), then any source of the same content.
  for (const sameName of [true, false]) {
    for (const a of added) {
      checkDeadline();
      if (from.has(a)) continue;
      const q = sameName
        ? byName.get(`${kind(a.mode)} ${a.blob} ${base(a.path)}`)
        : byContent.get(`${kind(a.mode)} ${a.blob}`);
      const d = q?.next(used);
      if (d) {
        used.add(d);
        from.set(a, d);
      }
    }
  }
  const files: FileChange[] = [];
  const unpaired: string[] = [];
  let deletedCount = 0;
  for (const e of entries) {
    checkDeadline();
    if (e.status === 'D') {
      deletedCount++;
      if (!used.has(e)) files.push({ status: 'D', path: e.path, blob: e.blob, mode: e.mode });
      continue;
    }
    const d = from.get(e);
    if (d)
      files.push({
        status: 'R',
        path: e.path,
        from: d.path,
        fromBlob: d.oldBlob,
        blob: e.blob,
        mode: e.mode,
      });
    else {
      files.push({
        status: e.status as FileChange['status'],
        path: e.path,
        blob: e.blob,
        mode: e.mode,
      });
      if (e.status === 'A') unpaired.push(e.path);
    }
  }
  return {
    files,
    limit: {
      added: added.length,
      deleted: deletedCount,
      unpaired: deletedCount > used.size ? unpaired : [],
    },
  };
}

/**
 * Sets `fromBlob` on the renames and copies of `files`, parsed by parseRawEntries from
 * the same `raw` fields (one change per meta field, in order): the source's blob is the
 * first id of `:100644 100644 <old> <new> R087`, so provenance never asks git for it.
 */
export function withSourceBlobs(raw: readonly Buffer[], files: FileChange[]): FileChange[] {
  let k = 0;
  for (let i = 0; i < raw.length && k < files.length; k++) {
    const meta = raw[i]!.toString('latin1');
    const two = /^:[^:].* [RC]\d*$/.test(meta);
    if (two) files[k]!.fromBlob = meta.split(' ')[2];
    i += two ? 3 : 2;
  }
  return files;
}
