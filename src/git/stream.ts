// Streaming readers for long-running git processes, so history of any length is read
// with bounded memory: one `rev-list`, one `diff-tree --stdin`, one `cat-file --batch`.

import type { Readable } from 'node:stream';
import { CleanroomError } from '../errors.js';
import { GitError, spawnGit, type GitContext } from './git.js';

const EMPTY = Buffer.alloc(0);

/** Reads delimited fields and exact byte counts from a stream. */
export class ByteReader {
  private buf: Buffer = EMPTY;
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
    const r = await this.pending;
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.pending = this.it.next();
    this.pending.catch(() => undefined);
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  /** The bytes before the next `delim` (consumed), the rest at EOF, or null when empty. */
  async until(delim: number): Promise<Buffer | null> {
    let from = 0;
    for (;;) {
      const i = this.buf.indexOf(delim, from);
      if (i >= 0) {
        const out = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + 1);
        return out;
      }
      from = this.buf.length;
      if (!(await this.fill())) {
        if (!this.buf.length) return null;
        const out = this.buf;
        this.buf = EMPTY;
        return out;
      }
    }
  }

  async exactly(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (!(await this.fill())) throw new CleanroomError('internal', 'git output ended early');
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

/** Waits for a child to exit; rejects with GitError (and its stderr) on failure. */
export function exited(child: ReturnType<typeof spawnGit>, args: readonly string[]): Promise<void> {
  const err: Buffer[] = [];
  child.stderr.on('data', (b: Buffer) => {
    if (err.length < 64) err.push(b);
  });
  return new Promise((resolve, reject) => {
    child.on('error', (e) => reject(new GitError(args, null, e.message)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new GitError(args, code, Buffer.concat(err).toString('utf8') || `killed by ${String(signal)}`));
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
export async function feed(child: ReturnType<typeof spawnGit>, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
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

  /** The next object: `<id> <type> <size>\n<content>\n`, or type 'missing'. */
  async next(): Promise<{ id: string; type: string; content: Buffer }> {
    const header = await this.reader.until(0x0a);
    if (header === null) throw new CleanroomError('internal', 'git cat-file ended early');
    const [id = '', type = '', size] = header.toString('latin1').split(' ');
    if (type === 'missing' || type === 'ambiguous' || size === undefined) return { id, type: 'missing', content: EMPTY };
    const n = Number(size);
    if (!Number.isSafeInteger(n) || n < 0) throw new CleanroomError('internal', `bad cat-file header: ${header.toString('latin1').slice(0, 100)}`);
    const content = await this.reader.exactly(n);
    await this.reader.exactly(1);
    return { id, type, content };
  }
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

  /** Object ids (or "missing") for each spec, in order. Specs must not contain newlines. */
  async ids(specs: readonly string[]): Promise<string[]> {
    if (specs.some((s) => s.includes('\n'))) throw new CleanroomError('internal', 'a cat-file spec with a newline');
    await writeLine(this.child.stdin, specs.map((s) => s + '\n').join(''));
    const out: string[] = [];
    for (let i = 0; i < specs.length; i++) {
      const line = await this.reader.until(0x0a);
      if (line === null) throw new CleanroomError('internal', 'git cat-file --batch-check ended early');
      const text = line.toString('latin1');
      out.push(text.endsWith(' missing') || text.endsWith(' ambiguous') ? 'missing' : text);
    }
    return out;
  }

  close(): void {
    this.child.stdin.end();
  }
}
