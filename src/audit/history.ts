// The audit's one pass over history, built for long histories:
//
//   git rev-list --reverse --topo-order --children RANGE     ids, and how many children
//   git log -z --reverse --topo-order --raw -c -M RANGE      the same commits, same order,
//                                                            with parents, time and paths
//   git cat-file --batch                                     messages, only where needed
//
// Why not `judgeCommits` (diff-tree --stdin + cat-file for every commit)? A commit whose
// paths are all outside every zone cannot produce a finding whatever its message says
// (`evaluate` judges only paths in zones), and most commits of a real repository never
// touch its eval directories. So the audit reads every commit's paths in one buffered
// `git log` stream — git's fastest way to replay history — and asks `cat-file` only for
// the commits that touch a zone. Those are judged exactly as `judgeCommits` judges them:
// `buildChange` then `evaluate`, on the object read by `cat-file` (never on a message
// reformatted by `git log`, which a hostile message could shape).
//
// rev-list and log walk the same revisions with the same options, so their outputs are
// zipped line by line (and checked); neither reads stdin, so reading them in turn cannot
// deadlock. cat-file requests run ahead of the commit being judged by at most WINDOW
// commits, which bounds memory.

import { buildChange } from '../check/change.js';
import type { Trust } from '../check/grants.js';
import { evaluate } from '../core/evaluate.js';
import { UNKNOWN_AI, type FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';
import { parseCommitObject } from '../git/commit-object.js';
import { spawnGit, type GitContext } from '../git/git.js';
import { parseRawEntries } from '../git/raw.js';
import { ByteReader, CatFileBatch, exited } from '../git/stream.js';
import type { Policy } from '../policy/compile.js';
import type { JudgedCommit } from './accumulate.js';
import { isObjectId } from '../git/object-id.js';

const WINDOW = 512;

interface Pending {
  id: string;
  parents: string[];
  children: number;
  time: number;
  files: FileChange[];
  /** A cat-file request was sent: the commit touches a zone. */
  judged: boolean;
  skipped: boolean;
}

/** Options that make `git log` output depend on nothing but the repository. */
const LOG_ARGS = ['log', '-z', '--raw', '-r', '-c', '-M', '--no-abbrev', '--root', '--no-color', '--no-show-signature', '--no-relative', '--no-ext-diff', '--no-textconv', '--format=%H %P %ct'];

export interface WalkOptions {
  /** Revision options shared by rev-list and log: --since, then --all or --end-of-options RANGE. */
  walk: readonly string[];
  /** Shallow-clone boundary commits: their "diff" is the whole tree, so they are not judged. */
  boundary: ReadonlySet<string>;
}

export async function* judgeHistory(ctx: GitContext, policy: Policy, trust: Trust, opts: WalkOptions, now: Date): AsyncGenerator<JudgedCommit> {
  const revArgs = ['rev-list', '--reverse', '--topo-order', '--children', ...opts.walk];
  const logArgs = [...LOG_ARGS, '--reverse', '--topo-order', ...opts.walk];
  const revs = spawnGit(ctx, revArgs);
  const log = spawnGit(ctx, logArgs);
  const revsDone = exited(revs, revArgs);
  const logDone = exited(log, logArgs);
  revsDone.catch(() => undefined);
  logDone.catch(() => undefined);
  revs.stdin.end();
  log.stdin.end();
  const revReader = new ByteReader(revs.stdout);
  const logReader = new ByteReader(log.stdout);
  const cat = new CatFileBatch(ctx);
  cat.child.stdin.on('error', () => undefined);

  const touchesZone = (files: readonly FileChange[]): boolean => files.some((f) => f.status !== 'D' && policy.zonesFor(f.path).length > 0);

  // Sample (NUL shown as \0): `git log -z --raw -c --format='%H %P %ct'`
  //   82a92f8… e0562da… 1694451403\0\n:000000 100644 0000… 77fe… A\0evals/q.jsonl\0
  //   :100644 100644 4aa7… 5c1e… M\0src/a.ts\0<next header>\0\n:…      (header, then entries)
  //   594c9df… f5bfa4b… a50d2e8… 1693982057\0\0::000000 000000 100644 … AA\0src/f.md\0   (a merge:
//                                                   an empty field, then combined entries)
  // The header holds only ids and a number; entries are read positionally (a meta
  // field starting with ':', then one path, or two for R and C), so no path can pass
  // for a header.
  let field = await logReader.until(0);
  const nextCommit = async (): Promise<Pending | null> => {
    while (field !== null && field.length === 0) field = await logReader.until(0);
    if (field === null) return null;
    const header = field.toString('latin1').replace(/^\n/, '');
    const [id = '', ...rest] = header.split(' ').filter(Boolean);
    const time = Number(rest.pop());
    if (!isObjectId(id) || !Number.isFinite(time) || !rest.every((p) => isObjectId(p))) {
      throw new CleanroomError('internal', `unexpected git log output: ${header.slice(0, 120)}`);
    }
    const raw: Buffer[] = [];
    for (;;) {
      field = await logReader.until(0);
      // A merge's entries follow an empty field ("header\0\0::…"), a commit's a newline.
      if (field !== null && field.length === 0 && !raw.length) field = await logReader.until(0);
      if (field === null) break;
      const start = field[0] === 0x0a ? 1 : 0;
      if (field[start] !== 0x3a /* ':' */) break;
      const meta = start ? field.subarray(start) : field;
      raw.push(meta);
      const two = /^:[^:].* [RC]\d*$/.test(meta.toString('latin1'));
      for (let n = two ? 2 : 1; n > 0; n--) {
        const path = await logReader.until(0);
        if (path === null) throw new CleanroomError('internal', 'truncated git log output');
        raw.push(path);
      }
    }
    const line = await revReader.until(0x0a);
    const [revId = '', ...kids] = (line?.toString('latin1') ?? '').split(' ');
    if (revId !== id) throw new CleanroomError('internal', `git rev-list and git log disagree on the order of commits (${revId.slice(0, 12)} vs ${id.slice(0, 12)})`);
    const files = parseRawEntries(raw);
    const skipped = opts.boundary.has(id);
    return { id, parents: rest, children: kids.filter(Boolean).length, time, files, judged: !skipped && touchesZone(files), skipped };
  };

  // Commits read ahead of the one being judged; the cat-file requests of the judged ones
  // among them are already on their way (at most WINDOW ids: less than a pipe's buffer).
  const queue: Pending[] = [];
  let head = 0;
  let ended = false;
  const fill = async (): Promise<void> => {
    while (!ended && queue.length - head < WINDOW) {
      const p = await nextCommit();
      if (!p) {
        ended = true;
        cat.child.stdin.end();
        break;
      }
      queue.push(p);
      if (p.judged) cat.child.stdin.write(p.id + '\n');
    }
  };

  try {
    for (;;) {
      if (!ended && queue.length - head < WINDOW / 2) {
        if (head > WINDOW) queue.splice(0, head), (head = 0);
        await fill();
      }
      const p = queue[head++];
      if (!p) break;
      if (!p.judged) {
        yield { id: p.id, parents: p.parents, children: p.children, time: p.time, files: p.files, findings: [], skipped: p.skipped };
        continue;
      }
      const obj = await cat.next();
      if (obj.id !== p.id || obj.type !== 'commit') throw new CleanroomError('input', `${p.id} is not a commit that git can read (cat-file says ${obj.type})`);
      const commit = parseCommitObject(obj.content);
      // Grants (override and signed-review expiry) are judged as of the commit, as the
      // server that accepted it judged them: "was it valid when it was made?"
      const clock = commit.committerTime ? new Date(commit.committerTime * 1000) : now;
      const extraSignals = commit.undecodable
        ? [{ tool: UNKNOWN_AI, source: 'trailer' as const, evidence: `a message in encoding ${commit.undecodable}, which cleanroom cannot read` }]
        : [];
      const change = buildChange(
        policy,
        { commit: p.id, files: p.files, message: commit.message, author: commit.author, committer: commit.committer, others: commit.others, extraSignals },
        trust,
        clock,
      );
      yield { id: p.id, parents: p.parents, children: p.children, time: p.time, files: p.files, findings: evaluate(policy, change), notes: change.notes ?? [] };
    }
    if ((await revReader.until(0x0a)) !== null) throw new CleanroomError('internal', 'git rev-list listed more commits than git log');
    await Promise.all([revsDone, logDone]);
  } finally {
    revs.kill();
    log.kill();
    cat.child.kill();
  }
}
