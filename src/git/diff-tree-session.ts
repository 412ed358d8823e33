// One `git diff-tree --stdin` for many requests, instead of a process per request: the
// audit asks for renames once per read-ahead window (some 50 windows on a 13,000-commit
// history), and starting a process from a Node heap of 100+ MB costs milliseconds of CPU
// each (fork), more than the diffs it asks for.
//
// Where one request's answer ends: diff-tree echoes, unchanged and flushed, any stdin line
// that does not start with an object id (builtin/diff-tree.c, `fputs(line); fflush`). A
// marker line after each request's ids comes back after its last commit. The output is
// read positionally (a header id, then meta fields starting with ':' each followed by
// its path, or two paths for R and C), so no path can pass for the marker.

import { checkDeadline } from '../core/deadline.js';
import { CleanroomError } from '../errors.js';
import { spawnGit, type GitContext } from './git.js';
import { isObjectId } from './object-id.js';
import { ByteReader, exited, writeLine } from './stream.js';

/** Echoed back by diff-tree after each request ('~' starts no id and no raw entry). */
const MARK = '~cleanroom-end~\n';

/**
 * Commits one process answers before it is replaced: diff-tree keeps every commit and
 * tree it parsed for its whole life (~6 KB a commit), so memory stays bounded.
 */
const MAX_COMMITS = 5_000;

export class DiffTreeSession {
  private child: ReturnType<typeof spawnGit> | undefined;
  private reader: ByteReader | undefined;
  private done: Promise<void> | undefined;
  private answered = 0;

  /** `args`: a whole `diff-tree --stdin -z --raw --always …` command line (no --stdin-less use). */
  constructor(
    private readonly ctx: GitContext,
    private readonly args: readonly string[],
  ) {}

  /**
   * The raw entries of each commit, in the order asked: `{ id, raw }` as splitDiffTree
   * gives them (meta fields, each followed by its path or paths). Throws GitError when git
   * fails, CleanroomError('input') for an id that is not an object id.
   */
  async diffs(ids: readonly string[]): Promise<{ id: string; raw: Buffer[] }[]> {
    if (!ids.length) return [];
    const bad = ids.find((id) => !isObjectId(id));
    if (bad !== undefined)
      throw new CleanroomError('input', `not an object id: ${bad.slice(0, 80)}`);
    if (this.child && this.answered + ids.length > MAX_COMMITS) this.close();
    if (!this.child) {
      // GIT_FLUSH=0: diff-tree otherwise flushes after every commit; the marker is flushed.
      this.child = spawnGit({ ...this.ctx, env: { ...this.ctx.env, GIT_FLUSH: '0' } }, this.args);
      this.child.stdin.on('error', () => undefined);
      this.done = exited(this.child, this.args);
      this.done.catch(() => undefined);
      this.reader = new ByteReader(this.child.stdout);
      this.answered = 0;
    }
    this.answered += ids.length;
    const reader = this.reader!;
    const done = this.done!;
    // Written while the answer is read: both pipes may fill (see BatchCheck.ids).
    const written = writeLine(this.child.stdin, ids.join('\n') + '\n' + MARK);
    const out: { id: string; raw: Buffer[] }[] = [];
    const ended = async (): Promise<never> => {
      await done; // git's own error, if it failed
      throw new CleanroomError('internal', 'git diff-tree --stdin ended early');
    };
    for (;;) {
      checkDeadline();
      const first = await reader.peek();
      if (first === null) return ended();
      if (first === 0x7e /* '~' */) {
        const mark = await reader.exactly(MARK.length);
        if (mark.toString('latin1') !== MARK)
          throw new CleanroomError('internal', 'unexpected git diff-tree output');
        break;
      }
      const head = await reader.until(0);
      const id = head?.toString('latin1') ?? '';
      if (!isObjectId(id))
        throw new CleanroomError('internal', `unexpected diff-tree output: ${id.slice(0, 80)}`);
      const raw: Buffer[] = [];
      while ((await reader.peek()) === 0x3a /* ':' */) {
        const meta = (await reader.until(0))!;
        raw.push(meta);
        const two = /^:[^:].* [RC]\d*$/.test(meta.toString('latin1'));
        for (let n = two ? 2 : 1; n > 0; n--) {
          const path = await reader.until(0);
          if (path === null) return ended();
          raw.push(path);
        }
      }
      out.push({ id, raw });
    }
    await written;
    if (out.length !== ids.length || out.some((d, i) => d.id !== ids[i]))
      throw new CleanroomError(
        'internal',
        `git diff-tree answered ${out.length} diffs for ${ids.length} commits`,
      );
    return out;
  }

  close(): void {
    this.child?.stdin.end();
    this.child?.kill();
    this.child = undefined;
    this.reader = undefined;
    this.done = undefined;
  }
}
