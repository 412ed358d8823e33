// readStdin reads a hook's stdin straight from its descriptor (issue 14 §3: no stream on
// every push). Differential: the descriptor path gives exactly the bytes and the same
// refusals as the stream path it replaces, on random inputs around the buffer size and
// the limit.

import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readStdin, type Io } from '../../../src/cli/io.js';

const dir = mkdtempSync(join(tmpdir(), 'cleanroom-stdin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(stdin: PassThrough, extra: Partial<Io> = {}): Io {
  return {
    cwd: dir,
    env: {},
    stdin,
    stdinIsTTY: false,
    stdout: () => undefined,
    stderr: () => undefined,
    stderrIsTTY: false,
    now: () => new Date(0),
    packageRoot: dir,
    ...extra,
  };
}

/** Both paths over the same bytes: the stream's, and a file descriptor's. */
async function both(bytes: Buffer, max: number): Promise<[Buffer | Error, Buffer | Error]> {
  const stream = new PassThrough();
  stream.end(bytes);
  const viaStream = await readStdin(io(stream), max).catch((e: Error) => e);
  const file = join(dir, `in-${bytes.length}-${max}`);
  writeFileSync(file, bytes);
  const fd = openSync(file, 'r');
  try {
    // The stream given here is never read: an Io with a descriptor reads the descriptor.
    const unused = new PassThrough();
    const viaFd = await readStdin(io(unused, { stdinFd: fd }), max).catch((e: Error) => e);
    return [viaStream, viaFd];
  } finally {
    closeSync(fd);
  }
}

describe('readStdin from the descriptor', () => {
  it('gives the same bytes and the same refusals as the stream, on random inputs', async () => {
    let seed = 14;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const sizes = [0, 1, 65535, 65536, 65537, 131072, 200003];
    for (let i = 0; i < 12; i++) sizes.push(rand(300000));
    for (const size of sizes) {
      const bytes = Buffer.alloc(size);
      for (let k = 0; k < size; k++) bytes[k] = rand(256);
      for (const max of [size, size - 1, size + 1, 65536, 4 * 1024 * 1024]) {
        if (max < 0) continue;
        const [a, b] = await both(bytes, max);
        if (a instanceof Error) {
          expect(b, `size ${size}, max ${max}`).toBeInstanceOf(Error);
          expect((b as Error).message).toBe(a.message);
        } else {
          expect(b, `size ${size}, max ${max}`).toBeInstanceOf(Buffer);
          expect((b as Buffer).equals(a), `size ${size}, max ${max}`).toBe(true);
        }
      }
    }
  });

  it('refuses an input one byte over the limit, and takes one at the limit (control)', async () => {
    const bytes = Buffer.from('0'.repeat(100));
    const [, over] = await both(bytes, 99);
    expect(over).toBeInstanceOf(Error);
    expect((over as Error).message).toBe('input larger than 99 bytes');
    const [, at] = await both(bytes, 100);
    expect((at as Buffer).toString()).toBe(bytes.toString());
  });

  it('reads a closed descriptor as empty input, as a closed stdin stream ends at once', async () => {
    // A descriptor number far above any this process has open: EBADF.
    const got = await readStdin(io(new PassThrough(), { stdinFd: 987654 }), 10);
    expect(got.length).toBe(0);
  });

  it('reads a terminal through the stream, not the descriptor', async () => {
    const stream = new PassThrough();
    stream.end('typed\n');
    // 987654 would read as empty: the answer shows which path ran.
    const got = await readStdin(io(stream, { stdinFd: 987654, stdinIsTTY: true }), 100);
    expect(got.toString()).toBe('typed\n');
  });
});
