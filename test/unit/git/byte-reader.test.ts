// Issue 11 §5: ByteReader answers the same whatever the chunking, in linear time (a
// chunk list, no concatenation per chunk), and a destroyed stream reads as EOF.

import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../../src/git/stream.js';

const chunked = (buf: Buffer, size: (i: number) => number): Buffer[] => {
  const out: Buffer[] = [];
  for (let pos = 0, i = 0; pos < buf.length; i++) {
    const n = Math.max(1, size(i));
    out.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return out;
};

describe('ByteReader', () => {
  const text = Buffer.from(
    Array.from({ length: 2000 }, (_, i) => `field-${i}\0`).join('') + 'tail',
  );

  for (const [name, size] of [
    ['one byte per chunk', () => 1],
    ['7-byte chunks', () => 7],
    ['random chunks', () => 1 + Math.floor(Math.random() * 300)],
    ['one chunk', () => text.length],
  ] as const) {
    it(`splits fields the same with ${name}`, async () => {
      const r = new ByteReader(Readable.from(chunked(text, size)));
      const fields: string[] = [];
      for (;;) {
        const f = await r.until(0);
        if (f === null) break;
        fields.push(f.toString());
      }
      expect(fields.length).toBe(2001);
      expect(fields[0]).toBe('field-0');
      expect(fields[1999]).toBe('field-1999');
      expect(fields[2000]).toBe('tail');
    });

    // Issue 14 §4: the audit reads buffered fields without a promise each. Mixed with
    // `until`, the same fields come out in the same order, and a field whose delimiter
    // has not arrived is left whole for `until` (untilBuffered consumes nothing then).
    it(`untilBuffered then until splits fields the same with ${name}`, async () => {
      const r = new ByteReader(Readable.from(chunked(text, size)));
      const fields: string[] = [];
      let waited = 0;
      for (;;) {
        let f: Buffer | null | undefined = r.untilBuffered(0);
        if (f === undefined) {
          waited++;
          f = await r.until(0);
        }
        if (f === null) break;
        fields.push(f.toString());
      }
      expect(fields).toEqual([...Array.from({ length: 2000 }, (_, i) => `field-${i}`), 'tail']);
      expect(waited).toBeGreaterThan(0);
    });
  }

  it('untilBuffered answers undefined, consuming nothing, before the delimiter arrives', async () => {
    const r = new ByteReader(Readable.from([Buffer.from('ab'), Buffer.from('c\0d')]));
    expect(r.untilBuffered(0)).toBeUndefined();
    expect((await r.until(0))?.toString()).toBe('abc');
    expect(await r.until(0)).not.toBeNull();
  });

  it('reads a 64 MB body from 16,384 chunks of 4 KiB exactly (a large blob)', async () => {
    const body = Buffer.alloc(64 * 1024 * 1024);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE(i, i);
    const header = Buffer.from(`abc blob ${body.length}\n`);
    const r = new ByteReader(
      Readable.from(chunked(Buffer.concat([header, body, Buffer.from('\n')]), () => 4096)),
    );
    expect((await r.until(0x0a))?.toString()).toBe(`abc blob ${body.length}`);
    const got = await r.exactly(body.length);
    expect(got.length).toBe(body.length);
    expect(got.equals(body)).toBe(true);
    expect((await r.exactly(1)).toString()).toBe('\n');
    expect(await r.until(0x0a)).toBeNull();
  });

  it('discards a body it does not need, and reads on after it', async () => {
    const r = new ByteReader(Readable.from(chunked(Buffer.from('0123456789abcdef|next'), () => 3)));
    await r.discard(16);
    expect((await r.until(0x7c))?.length).toBe(0);
    expect((await r.until(0x7c))?.toString()).toBe('next');
  });

  it('a stream destroyed mid-read is EOF, never a hang or a crash', async () => {
    const s = new Readable({ read() {} });
    s.push(Buffer.from('partial'));
    const r = new ByteReader(s);
    setTimeout(() => s.destroy(new Error('killed')), 20);
    expect((await r.until(0))?.toString()).toBe('partial');
    expect(await r.until(0)).toBeNull();
    await expect(r.exactly(5)).rejects.toThrow('ended early');
  });
});
