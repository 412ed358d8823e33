// The symlinks of the last pushed tips, kept by the server between pushes (issue 14 §3).
//
// A push's judge needs the links of the commit the push builds on (`TreeLinks`): for a
// push onto an existing branch, the branch's old tip. Without this file that is one
// `git cat-file --batch` process reading every tree of that commit, on every push, though
// the previous push of the branch already knew the answer (its new tip is this push's old
// one). A commit's links are a function of its id (the id names the tree, the tree its
// entries), so an answer learnt once holds for good, in quarantine or not.
//
// Trust: the file lives in the repository's cleanroom state directory (`git rev-parse
// --git-path cleanroom`), beside the compiled policy cache (src/policy/trusted-cache.ts),
// and is trusted as that cache's parsed data is: a pusher writes objects and refs through
// receive-pack, never files in the git directory, and whoever can write there can equally
// replace the hook. What the reader does not take on trust: the file's shape (format,
// every id full-length lowercase hex of one length, every path a non-empty string without
// NUL, bounded sizes); anything else, and the file is ignored (a miss: the links are read
// from git as without it). A write that fails (read-only git dir) only costs the next
// push the read. Local hooks and the audit never read it.

import { closeSync, fstatSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { openRegular, writeAtomic } from '../fsutil.js';

/** A link as the tree holds it (links.ts): its path and the blob id of its text. */
export interface CachedLink {
  path: string;
  blob: string;
}

export const LINK_CACHE_FORMAT = 1;
/** Commits kept: the tips of the last pushes (most recent first). */
const MAX_COMMITS = 32;
/** Links kept, over all commits: a tree with more is read from git each time. */
const MAX_LINKS = 8192;
/** Largest file read back. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;

const HEX_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** The file: `<cacheDir>/links-v1.json`, `{"format":1,"commits":[[id,[[path,blob],…]],…]}`. */
export function linkCacheFile(cacheDir: string): string {
  return join(cacheDir, `links-v${LINK_CACHE_FORMAT}.json`);
}

/**
 * The commits → links of `file`, or an empty map when it is absent, not a regular file,
 * too large, or not exactly the shape above (see the top of this file).
 */
export function readLinkCache(file: string): Map<string, readonly CachedLink[]> {
  const out = new Map<string, readonly CachedLink[]>();
  let text: string;
  try {
    // openRegular: a FIFO planted there must not block the hook (it has a deadline, but
    // a read blocked in the kernel is beyond it).
    const fd = openRegular(file);
    try {
      const size = fstatSync(fd).size;
      if (size > MAX_FILE_BYTES) return out;
      const buf = Buffer.alloc(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      text = buf.toString('utf8', 0, got);
    } finally {
      closeSync(fd);
    }
  } catch {
    return out;
  }
  const parsed = parseLinkCache(text);
  return parsed ?? out;
}

/** The map a file's text holds, or undefined when any part of it is not of the shape. */
export function parseLinkCache(text: string): Map<string, readonly CachedLink[]> | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const { format, commits } = data as { format?: unknown; commits?: unknown };
  if (format !== LINK_CACHE_FORMAT || !Array.isArray(commits) || commits.length > MAX_COMMITS)
    return undefined;
  const out = new Map<string, readonly CachedLink[]>();
  let total = 0;
  for (const c of commits as unknown[]) {
    if (!Array.isArray(c) || c.length !== 2) return undefined;
    const [id, links] = c as [unknown, unknown];
    if (typeof id !== 'string' || !HEX_ID.test(id) || out.has(id) || !Array.isArray(links))
      return undefined;
    total += links.length;
    if (total > MAX_LINKS) return undefined;
    const list: CachedLink[] = [];
    for (const l of links as unknown[]) {
      if (!Array.isArray(l) || l.length !== 2) return undefined;
      const [path, blob] = l as [unknown, unknown];
      if (
        typeof path !== 'string' ||
        !path.length ||
        path.includes('\0') ||
        typeof blob !== 'string' ||
        blob.length !== id.length ||
        !HEX_ID.test(blob)
      )
        return undefined;
      list.push({ path, blob });
    }
    out.set(id, Object.freeze(list));
  }
  return out;
}

/**
 * One push's view of the file: `get` answers from it (read once, on first use), `learn`
 * takes the links the push came to know whole (the commits it read from git, and its
 * tips: `wanted`), `save` writes them before the older entries, up to the bounds. Errors: none (a failed read is a miss, a
 * failed write is skipped).
 */
export class LinkCache {
  private known: Map<string, readonly CachedLink[]> | undefined;
  private readonly learnt = new Map<string, readonly CachedLink[]>();
  /** Commits whose links are worth keeping for the next push: the tips of this one. */
  readonly wanted = new Set<string>();

  constructor(private readonly dir: string) {}

  /** The links of `commit` as the file holds them; undefined when it holds none for it. */
  get(commit: string): readonly CachedLink[] | undefined {
    this.known ??= readLinkCache(linkCacheFile(this.dir));
    return this.learnt.get(commit) ?? this.known.get(commit);
  }

  /**
   * `links` are `commit`'s, known whole: read from git (the commit a push builds on, which
   * the next push onto the same commit builds on too), or followed through the diffs from
   * such a commit to a tip of the push (`wanted`).
   */
  learn(commit: string, links: readonly CachedLink[]): void {
    if (links.length <= MAX_LINKS) this.learnt.set(commit, links);
  }

  /** Writes what was learnt (first) and what the file held, when something is new. */
  save(): void {
    this.known ??= readLinkCache(linkCacheFile(this.dir));
    const fresh = [...this.learnt].filter(([id]) => !this.known!.has(id));
    if (!fresh.length) return;
    const commits: [string, [string, string][]][] = [];
    let total = 0;
    const ids = new Set<string>();
    for (const [id, links] of [...this.learnt, ...this.known]) {
      if (ids.has(id) || commits.length >= MAX_COMMITS || total + links.length > MAX_LINKS)
        continue;
      ids.add(id);
      total += links.length;
      commits.push([id, links.map((l) => [l.path, l.blob])]);
    }
    try {
      writeAtomic(linkCacheFile(this.dir), JSON.stringify({ format: LINK_CACHE_FORMAT, commits }));
    } catch {
      // a read-only git dir: the next push reads the links from git
    }
  }
}
