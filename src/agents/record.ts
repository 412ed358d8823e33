// After an agent wrote: what each written path now holds, appended to the ledger of the
// repository that holds it (see src/signals/ledger.ts). Loaded only for after-write
// events — it needs git and hashing, which the pre-events on every tool call do not.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Io } from '../io.js';
import { runGit, splitZ, type GitContext } from '../git/git.js';
import { openRepo, type Repo } from '../git/repo.js';
import {
  appendEntries,
  blobId,
  compactLedger,
  compactionDue,
  contentLines,
  lineHashes,
  type LedgerEntry,
  type LiveContent,
} from '../signals/ledger.js';
import { realpathDeep, targetsOf } from './decide.js';
import type { AgentEvent } from './types.js';

/** Files larger than this are not hashed into the ledger. */
const MAX_LEDGER_FILE = 64 * 1024 * 1024;
/**
 * The ledger is compacted when it grows past this (CLEANROOM_LEDGER_MAX_BYTES overrides),
 * and again only once it has doubled since (compactionDue in src/signals/ledger.ts).
 */
const LEDGER_MAX_BYTES = 8 * 1024 * 1024;

/** What each written path holds now, appended to the ledger of the repository that holds it. */
export async function record(
  io: Io,
  event: AgentEvent,
  gitCtx: (cwd: string) => GitContext,
): Promise<void> {
  const cwd = event.cwd ?? io.cwd;
  const byRoot = new Map<string, { entry: Omit<LedgerEntry, 'blob'>; content: Buffer }[]>();
  event.paths.forEach((given, i) => {
    const real = realpathDeep(resolve(cwd, given));
    const t = targetsOf(real, cwd).at(-1);
    if (
      !t ||
      !existsSync(real) ||
      !statSync(real).isFile() ||
      statSync(real).size > MAX_LEDGER_FILE
    )
      return;
    const content = readFileSync(real);
    const text =
      event.content?.[i] ?? (content.subarray(0, 8000).includes(0) ? '' : content.toString('utf8'));
    const entry: Omit<LedgerEntry, 'blob'> = {
      time: io.now().toISOString(),
      tool: event.tool,
      session: event.session,
      path: t.rel,
      lines: lineHashes(text),
    };
    if (event.model) entry.model = event.model;
    byRoot.set(t.root, [...(byRoot.get(t.root) ?? []), { entry, content }]);
  });
  for (const [root, writes] of byRoot) {
    const ctx = gitCtx(root);
    const repo = await openRepo(ctx);
    const lfs = usesLfs(root);
    appendEntries(
      repo.ledgerDir,
      writes.flatMap(({ entry, content }) =>
        [...new Set(stagedForms(content, lfs).map((c) => blobId(c, repo.objectFormat)))].map(
          (blob) => ({ ...entry, blob }),
        ),
      ),
    );
    const max = Number(io.env.CLEANROOM_LEDGER_MAX_BYTES) || LEDGER_MAX_BYTES;
    if (compactionDue(repo.ledgerDir, max)) await compact(ctx, root, repo);
  }
}

/**
 * Drops ledger entries whose content is gone from the index and the work tree of every
 * worktree of the repository (the ledger is shared by them all: a draft that lives only
 * in another worktree is kept).
 */
async function compact(ctx: GitContext, root: string, repo: Repo): Promise<void> {
  // `git worktree list --porcelain -z`: "worktree /path\0HEAD …\0branch …\0\0" per worktree.
  const listed = splitZ((await runGit(ctx, ['worktree', 'list', '--porcelain', '-z'])).stdout)
    .map((f) => f.toString('utf8'))
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length));
  const roots = [...new Set([root, ...listed])].filter((r) => existsSync(r));
  const blobs = new Set<string>();
  for (const r of roots) {
    // `git ls-files -s -z`: "100644 8e27be7… 0\tevals/harness/run.py\0" — the index's blobs.
    const { stdout } = await runGit({ ...ctx, cwd: r }, ['ls-files', '-s', '-z'], {
      okCodes: [128],
    });
    for (const f of splitZ(stdout)) {
      const id = f.toString('latin1').split(' ')[1];
      if (id) blobs.add(id);
    }
  }
  compactLedger(repo.ledgerDir, (entries): LiveContent => {
    const linesByPath = new Map<string, Set<string>>();
    for (const path of new Set(entries.map((e) => e.path))) {
      const here = new Set<string>();
      for (const r of roots) {
        const file = join(r, path);
        try {
          if (!statSync(file).isFile() || statSync(file).size > MAX_LEDGER_FILE) continue;
          const buf = readFileSync(file);
          blobs.add(blobId(buf, repo.objectFormat));
          for (const l of contentLines(buf)) here.add(l.hash);
        } catch {
          // gone from this work tree
        }
      }
      if (here.size) linesByPath.set(path, here);
    }
    return { blobs, linesByPath };
  });
}

/**
 * The contents `git add` may store for what the agent wrote: the bytes themselves; with
 * CRLF line ends, the same with LF (core.autocrlf, `text=auto`: git converts on add,
 * gitattributes(5) "eol"); in a repository whose .gitattributes names `filter=lfs`, the
 * Git LFS pointer git-lfs's clean filter stores instead (git-lfs docs/spec.md: version,
 * `oid sha256:`, size). The ledger records a blob id for each, so a human who stages the
 * agent's file is matched whatever the filters made of it.
 */
export function stagedForms(content: Buffer, lfs: boolean): Buffer[] {
  const out = [content];
  if (content.includes('\r\n') && !content.subarray(0, 8000).includes(0))
    out.push(Buffer.from(content.toString('latin1').replace(/\r\n/g, '\n'), 'latin1'));
  if (lfs) {
    const oid = createHash('sha256').update(content).digest('hex');
    out.push(
      Buffer.from(
        `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${content.length}\n`,
      ),
    );
  }
  return out;
}

/** Whether the repository's top-level .gitattributes routes any path through Git LFS. */
function usesLfs(root: string): boolean {
  try {
    return /\bfilter=lfs\b/.test(readFileSync(join(root, '.gitattributes'), 'latin1'));
  } catch {
    return false;
  }
}
