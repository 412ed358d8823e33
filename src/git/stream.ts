// Streaming readers for long-running git processes, so history of any length is read
// with bounded memory: one `rev-list`, one `diff-tree --stdin`, one `cat-file --batch`.

import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CleanroomError } from '../errors.js';
import { safePath } from '../escape.js';
import { GitError, runGit, spawnGit, withoutLazyFetch, type GitContext } from './git.js';

const EMPTY = Buffer.alloc(0);

/**
 * Reads delimited fields and exact byte counts from a stream, in time linear in the
 * bytes read. Chunks are kept as a list and joined only once per answer: concatenating
 * the whole buffer on every chunk made a 100 MB blob (some 1,600 chunks of 64 KiB)
 * cost 91 s instead of one second.
 */
export class ByteReader {
  /** Unconsumed chunks; the first one starts at `head`. */
  private chunks: Buffer[] = [];
  private head = 0;
  /** Bytes available: the sum of chunk lengths minus `head`. */
  private size = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer>;
  private pending: Promise<IteratorResult<Buffer>>;
  constructor(stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // Start reading now: a child's stdout that nobody listens to when the child exits
    // is resumed by Node (flushStdio) and its data discarded — a short-lived git
    // process can finish before our first read.
    this.pending = this.it.next();
    this.pending.catch(() => undefined);
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    let r: IteratorResult<Buffer>;
    try {
      r = await this.pending;
    } catch {
      // The stream was destroyed (the process was ended at a deadline or an error): EOF.
      r = { done: true, value: undefined };
    }
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.pending = this.it.next();
    this.pending.catch(() => undefined);
    if (r.value.length) {
      this.chunks.push(r.value);
      this.size += r.value.length;
    }
    return true;
  }

  /** Takes `n` available bytes off the front (one copy at most, none within one chunk). */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    if (first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.head += n;
      this.size -= n;
      if (this.head === first.length) this.dropFirst();
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n - filled);
      c.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.head += k;
      if (this.head === c.length) this.dropFirst();
    }
    this.size -= n;
    return out;
  }

  /** Drops the first chunk, which has been read to its end. */
  private dropFirst(): void {
    this.chunks.shift();
    this.head = 0;
  }

  /** Drops `n` available bytes. */
  private skip(n: number): void {
    while (n > 0) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length - this.head, n);
      this.head += k;
      this.size -= k;
      n -= k;
      if (this.head === c.length) this.dropFirst();
    }
  }

  /**
   * `until`, answered from what is already buffered, without a promise: the bytes before
   * the next `delim` (consumed), or undefined when no `delim` has arrived yet (nothing is
   * consumed then; `until` waits for it). A long history is read a field at a time, and an
   * await per field cost more than the parsing.
   */
  untilBuffered(delim: number): Buffer | undefined {
    return this.takeThrough(delim, { ci: 0, offset: 0 });
  }

  /** The bytes before the next `delim` (consumed), the rest at EOF, or null when empty. */
  async until(delim: number): Promise<Buffer | null> {
    // Search each chunk once: the cursor keeps what was searched across fills.
    const at = { ci: 0, offset: 0 };
    for (;;) {
      const out = this.takeThrough(delim, at);
      if (out) return out;
      if (!(await this.fill())) {
        if (!this.size) return null;
        return this.take(this.size);
      }
    }
  }

  /**
   * Searches the buffered chunks from `at.ci` (`at.offset` bytes already searched before
   * it) for `delim`: the bytes before it, consumed with it; or undefined, `at` moved past
   * every chunk searched (`fill` only appends, so the next search resumes there).
   */
  private takeThrough(delim: number, at: { ci: number; offset: number }): Buffer | undefined {
    for (; at.ci < this.chunks.length; at.ci++) {
      const c = this.chunks[at.ci]!;
      const start = at.ci === 0 ? this.head : 0;
      const i = c.indexOf(delim, start);
      if (i >= 0) {
        const out = this.take(at.offset + (i - start));
        this.skip(1);
        return out;
      }
      at.offset += c.length - start;
    }
    return undefined;
  }

  /** Bytes that have arrived and are not consumed yet. */
  get available(): number {
    return this.size;
  }

  /** `exactly`, answered from what is already buffered: `n` bytes (consumed), or undefined (nothing consumed). */
  exactlyBuffered(n: number): Buffer | undefined {
    return this.size >= n ? this.take(n) : undefined;
  }

  /** The next byte, not consumed; null at EOF. */
  async peek(): Promise<number | null> {
    while (!this.size) if (!(await this.fill())) return null;
    return this.chunks[0]![this.head]!;
  }

  async exactly(n: number): Promise<Buffer> {
    while (this.size < n) {
      if (!(await this.fill())) throw new CleanroomError('internal', 'git output ended early');
    }
    return this.take(n);
  }

  /** Reads and drops `n` bytes without keeping them (a blob the decision does not need). */
  async discard(n: number): Promise<void> {
    while (n > 0) {
      if (!this.size && !(await this.fill()))
        throw new CleanroomError('internal', 'git output ended early');
      const k = Math.min(n, this.size);
      this.skip(k);
      n -= k;
    }
  }
}

/** Waits for a child to exit; rejects with GitError (and its stderr) on failure. */
export function exited(
  child: ChildProcess & { stderr: Readable },
  args: readonly string[],
): Promise<void> {
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => {
    if (err.length < 64) err.push(b);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new GitError(args, null, e.message)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new GitError(
            args,
            code,
            Buffer.concat(err).toString('utf8') || `killed by ${String(signal)}`,
          ),
        );
    });
  });
}

/** Writes to a pipe, waiting for it to drain when it is full (or closed by the child). */
export function writeLine(stdin: NodeJS.WritableStream, line: string): Promise<void> | undefined {
  if (stdin.write(line)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      stdin.removeListener('drain', done);
      stdin.removeListener('close', done);
      resolve();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  });
}

/** Writes lines to a child's stdin with back-pressure, then closes it. */
export async function feed(
  child: ReturnType<typeof spawnGit>,
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<void> {
  let broken = false;
  child.stdin.on('error', () => {
    broken = true;
  });
  for await (const line of lines) {
    if (broken) return;
    await writeLine(child.stdin, line + '\n');
  }
  child.stdin.end();
}

/** `git cat-file --batch`, pipelined: write ids with `feed`, read objects in order. */
export class CatFileBatch {
  readonly child: ReturnType<typeof spawnGit>;
  readonly done: Promise<void>;
  private readonly reader: ByteReader;
  constructor(ctx: GitContext) {
    const args = ['cat-file', '--batch'];
    this.child = spawnGit(ctx, args);
    this.done = exited(this.child, args);
    this.done.catch(() => undefined);
    this.reader = new ByteReader(this.child.stdout);
  }

  /** The header of the object being read, when its content has not all arrived yet. */
  private header: { id: string; type: string; size: number } | undefined;

  /**
   * `next`, answered without a promise when the whole object has already arrived (the
   * audit asks for a window of commits at once, so it usually has): the object, or
   * undefined when it has not (then `next` reads it; a header already read is kept).
   */
  nextBuffered(): { id: string; type: string; content: Buffer } | undefined {
    if (!this.header) {
      const line = this.reader.untilBuffered(0x0a);
      if (line === undefined) return undefined;
      const h = parseHeader(line);
      if (h.type === 'missing') return { id: h.id, type: 'missing', content: EMPTY };
      this.header = h;
    }
    const { id, type, size } = this.header;
    if (this.reader.available < size + 1) return undefined;
    this.header = undefined;
    const content = this.reader.exactlyBuffered(size)!;
    this.reader.exactlyBuffered(1);
    return { id, type, content };
  }

  /** The next object: `<id> <type> <size>\n<content>\n`, or type 'missing'. */
  async next(): Promise<{ id: string; type: string; content: Buffer }> {
    const o = await this.nextOrEnd();
    if (!o) throw new CleanroomError('internal', 'git cat-file ended early');
    return o;
  }

  /**
   * `next`, or null once cat-file's output has ended: for a reader that does not know how
   * many ids were written (its stdin fed by another process). The tree pass reads its
   * cat-file through src/git/trees.ts TreeBatchScan instead, a chunk at a time.
   */
  async nextOrEnd(): Promise<{ id: string; type: string; content: Buffer } | null> {
    const ready = this.nextBuffered();
    if (ready) return ready;
    if (!this.header) {
      const line = await this.reader.until(0x0a);
      if (line === null) return null;
      const h = parseHeader(line);
      if (h.type === 'missing') return { id: h.id, type: 'missing', content: EMPTY };
      this.header = h;
    }
    const { id, type, size } = this.header;
    this.header = undefined;
    const content = await this.reader.exactly(size);
    await this.reader.exactly(1);
    return { id, type, content };
  }
}

/** A `cat-file --batch` header: `<id> <type> <size>`, or `<id> missing` (type 'missing', size 0). */
function parseHeader(header: Buffer): { id: string; type: string; size: number } {
  const [id = '', type = '', size] = header.toString('latin1').split(' ');
  if (type === 'missing' || type === 'ambiguous' || size === undefined)
    return { id, type: 'missing', size: 0 };
  const n = Number(size);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new CleanroomError(
      'internal',
      `bad cat-file header: ${header.toString('latin1').slice(0, 100)}`,
    );
  return { id, type, size: n };
}

export interface ObjectInfo {
  type: string;
  size: number;
}

/**
 * Type and size of each object, without reading any content: one `git cat-file
 * --batch-check` for all of them. Absent objects (a partial clone, a damaged store) are
 * left out of the map. Sample output: `8e27be7… blob 31457280\n`, `1f2e… missing\n`.
 */
export async function objectInfo(
  ctx: GitContext,
  ids: readonly string[],
): Promise<Map<string, ObjectInfo>> {
  const out = new Map<string, ObjectInfo>();
  if (!ids.length) return out;
  const bad = ids.find((id) => !/^[0-9a-f]{4,64}$/.test(id));
  if (bad !== undefined)
    throw new CleanroomError('internal', `not an object id: ${bad.slice(0, 80)}`);
  // withoutLazyFetch: sizes are asked to decide what to read; in a partial clone an
  // absent object is reported as missing, never fetched one by one from the remote here.
  const quiet: GitContext = withoutLazyFetch(ctx);
  const { stdout } = await runGit(
    quiet,
    ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'],
    { input: ids.join('\n') + '\n' },
  );
  for (const line of stdout.toString('latin1').split('\n')) {
    const [id = '', type = '', size] = line.split(' ');
    const n = Number(size);
    if (size !== undefined && type !== 'missing' && Number.isSafeInteger(n))
      out.set(id, { type, size: n });
  }
  return out;
}

/**
 * Throws an input error (exit 2) when `spec` (`REV:PATH`, or an id) is no line `git cat-file
 * --batch` reads as written: git reads a request a line at a time and strips a CR at its end
 * (builtin/cat-file.c, strbuf_getline), so a newline makes two requests (every later answer
 * shifted by one) and a final CR asks for another path. The message names the path.
 */
export function assertSpecLine(spec: string): void {
  if (!spec.includes('\n') && !spec.endsWith('\r')) return;
  const colon = spec.indexOf(':');
  throw new CleanroomError(
    'input',
    `the path ${safePath(colon < 0 ? spec : spec.slice(colon + 1))} holds a newline, or ends in a carriage return, and git cannot be asked for it by name`,
    'cleanroom cannot judge it: rename the path (git mv), then push again',
  );
}

/** `git cat-file --batch-check`: the object id behind `REV:PATH` specs, one process for many asks. */
export class BatchCheck {
  private readonly child: ReturnType<typeof spawnGit>;
  private readonly reader: ByteReader;
  constructor(ctx: GitContext) {
    const args = ['cat-file', '--batch-check=%(objectname)'];
    this.child = spawnGit(ctx, args);
    exited(this.child, args).catch(() => undefined);
    this.child.stdin.on('error', () => undefined);
    this.reader = new ByteReader(this.child.stdout);
  }

  /**
   * Object ids (or "missing") for each spec, in order. Specs must not contain newlines,
   * nor end with a CR (git strips a CR at a line's end: `C:x\r` would be answered for
   * `C:x`, another path's object): such a spec throws.
   */
  async ids(specs: readonly string[]): Promise<string[]> {
    for (const spec of specs) assertSpecLine(spec);
    // Written while the answers are read: awaiting the write first deadlocks once both
    // pipes are full (git blocks writing answers nobody reads, and stops reading specs).
    const written = writeLine(this.child.stdin, specs.map((s) => s + '\n').join(''));
    const out: string[] = [];
    for (let i = 0; i < specs.length; i++) {
      const line = await this.reader.until(0x0a);
      if (line === null)
        throw new CleanroomError('internal', 'git cat-file --batch-check ended early');
      const text = line.toString('latin1');
      out.push(text.endsWith(' missing') || text.endsWith(' ambiguous') ? 'missing' : text);
    }
    await written;
    return out;
  }

  close(): void {
    this.child.stdin.end();
  }
}
