import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  armorFromBase64,
  parsePublicKey,
  parseSignature,
  SshsigError,
  toCompactBase64,
  verifySshsig,
  MAX_ARMORED_BYTES,
} from '../../../src/sign/sshsig.js';
import {
  AllowedSignersError,
  findSigner,
  parseAllowedSigners,
} from '../../../src/sign/allowed-signers.js';
import { armor, mpint, prng, randomBytes, sshString, u32, unarmor } from './helpers.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/sign');
const GOOD = readFileSync(join(FIXTURES, 'ed25519.sig'), 'utf8');
const MESSAGE = readFileSync(join(FIXTURES, 'message.txt'));
const NS = 'cleanroom-override';

/** Run fn; it may return anything or throw SshsigError, nothing else. */
function onlyTypedErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SshsigError))
      throw new Error(`untyped error escaped: ${String(e)}`, { cause: e });
  }
}

describe('size limits', () => {
  it('1 MB armored input is refused as too-large, fast', () => {
    const big =
      '-----BEGIN SSH SIGNATURE-----\n' +
      'A'.repeat(1024 * 1024) +
      '\n-----END SSH SIGNATURE-----\n';
    for (const armored of [big, Buffer.from(big)]) {
      const t0 = performance.now();
      const r = verifySshsig({ armored, message: MESSAGE, namespace: NS });
      expect(performance.now() - t0).toBeLessThan(50);
      expect(r).toMatchObject({ ok: false, code: 'too-large' });
    }
    expect(() => parseSignature(big)).toThrow(SshsigError);
    expect(() => toCompactBase64(big)).toThrow(/larger than/);
  });

  it('the limit is 64 KiB of bytes, also for multi-byte strings', () => {
    const pad = (n: number) => GOOD + ' '.repeat(n - Buffer.byteLength(GOOD));
    expect(
      verifySshsig({ armored: pad(MAX_ARMORED_BYTES), message: MESSAGE, namespace: NS }).ok,
    ).toBe(true);
    expect(
      verifySshsig({ armored: pad(MAX_ARMORED_BYTES + 1), message: MESSAGE, namespace: NS }),
    ).toMatchObject({ ok: false, code: 'too-large' });
    const wide = 'é'.repeat(40_000); // 40k chars, 80k bytes
    expect(verifySshsig({ armored: wide, message: MESSAGE, namespace: NS })).toMatchObject({
      ok: false,
      code: 'too-large',
    });
  });

  it('a huge message is fine (it is only hashed)', () => {
    const r = verifySshsig({
      armored: GOOD,
      message: Buffer.alloc(8 * 1024 * 1024),
      namespace: NS,
    });
    expect(r).toMatchObject({ ok: false, code: 'bad-signature' });
  });
});

describe('garbage arguments never throw', () => {
  const bad: unknown[] = [undefined, null, 0, {}, [], () => 1, Symbol('x'), ''];
  it.each(bad.map((b) => [String(typeof b), b]))('armored = %s', (_t, armored) => {
    const r = verifySshsig({ armored: armored as string, message: MESSAGE, namespace: NS });
    expect(r.ok).toBe(false);
  });
  it('bad message / namespace / options', () => {
    expect(
      verifySshsig({ armored: GOOD, message: 5 as unknown as string, namespace: NS }),
    ).toMatchObject({ ok: false, code: 'input' });
    expect(verifySshsig({ armored: GOOD, message: MESSAGE, namespace: '' })).toMatchObject({
      ok: false,
      code: 'input',
    });
    expect(verifySshsig({ armored: GOOD, message: MESSAGE, namespace: 'a\0b' })).toMatchObject({
      ok: false,
      code: 'input',
    });
    expect(verifySshsig(null as never)).toMatchObject({ ok: false, code: 'input' });
    expect(
      verifySshsig({ armored: GOOD, message: new Uint8Array(MESSAGE), namespace: NS }).ok,
    ).toBe(true);
    expect(
      verifySshsig({ armored: new Uint8Array(Buffer.from(GOOD)), message: MESSAGE, namespace: NS })
        .ok,
    ).toBe(true);
  });
  it('empty and near-empty inputs', () => {
    for (const armored of [
      '',
      '\n',
      '-----BEGIN SSH SIGNATURE-----\n',
      '-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n',
      '-----BEGIN SSH SIGNATURE-----\n\n-----END SSH SIGNATURE-----\n',
      Buffer.alloc(0),
    ]) {
      const r = verifySshsig({ armored, message: MESSAGE, namespace: NS });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['armor', 'magic']).toContain(r.code);
    }
  });
});

describe('hostile length fields', () => {
  it('0xffffffff at every length position is truncated, not a crash or allocation', () => {
    const blob = unarmor(GOOD);
    // walk the top-level string fields
    const starts: number[] = [];
    let p = 10;
    for (let i = 0; i < 5; i++) {
      starts.push(p);
      p += 4 + blob.readUInt32BE(p);
    }
    expect(p).toBe(blob.length);
    for (const at of starts) {
      const m = Buffer.from(blob);
      m.writeUInt32BE(0xffffffff, at);
      const r = verifySshsig({ armored: armor(m), message: MESSAGE, namespace: NS });
      expect(r).toMatchObject({ ok: false, code: 'truncated' });
    }
  });

  it('bounded work for a 16384-bit "RSA key" and a huge exponent', () => {
    const rand = prng(99);
    const n = randomBytes(rand, 2048);
    n[0] = n[0]! | 0x80;
    n[n.length - 1] = n[n.length - 1]! | 1;
    const e = randomBytes(rand, 1024);
    e[e.length - 1] = e[e.length - 1]! | 1;
    e[0] = 0x40;
    for (const [ee, nn] of [
      [Buffer.from([1, 0, 1]), n],
      [e, n],
    ] as const) {
      const key = Buffer.concat([sshString('ssh-rsa'), mpint(ee), mpint(nn)]);
      const sigField = Buffer.concat([
        sshString('rsa-sha2-512'),
        sshString(randomBytes(rand, 2048)),
      ]);
      const blob = Buffer.concat([
        Buffer.from('SSHSIG'),
        u32(1),
        sshString(key),
        sshString(NS),
        sshString(''),
        sshString('sha512'),
        sshString(sigField),
      ]);
      const t0 = performance.now();
      const r = verifySshsig({ armored: armor(blob), message: MESSAGE, namespace: NS });
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(r.ok).toBe(false);
    }
  });
});

describe('fuzz (fixed seed)', () => {
  it('2,000 random buffers: never throws, never verifies', () => {
    const rand = prng(0x5eed);
    const t0 = performance.now();
    const codes = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rand() * 600);
      const raw = randomBytes(rand, len);
      let input: Buffer | string;
      switch (i % 5) {
        case 0: // raw bytes
          input = raw;
          break;
        case 1: // valid armor around random bytes
          input = armor(raw);
          break;
        case 2: // valid magic + version, random rest
          input = armor(Buffer.concat([Buffer.from('SSHSIG'), u32(1), raw]));
          break;
        case 3: // random small length fields: plausible structure
          input = armor(
            Buffer.concat([
              Buffer.from('SSHSIG'),
              u32(1),
              ...Array.from({ length: 1 + Math.floor(rand() * 8) }, () =>
                sshString(randomBytes(rand, Math.floor(rand() * 80))),
              ),
            ]),
          );
          break;
        default: // random text in the armor body
          input = `-----BEGIN SSH SIGNATURE-----\n${raw.toString('latin1')}\n-----END SSH SIGNATURE-----\n`;
      }
      let r: ReturnType<typeof verifySshsig>;
      try {
        r = verifySshsig({ armored: input, message: MESSAGE, namespace: NS });
      } catch (e) {
        throw new Error(`verifySshsig threw on fuzz case ${i}: ${String(e)}`, { cause: e });
      }
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.code).not.toBe('internal');
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
      }
      onlyTypedErrors(() => parseSignature(input));
      onlyTypedErrors(() => toCompactBase64(input));
      onlyTypedErrors(() => armorFromBase64(raw.toString('latin1')));
      onlyTypedErrors(() => parsePublicKey(`ssh-ed25519 ${raw.toString('base64')}`));
      onlyTypedErrors(() => parsePublicKey(raw.toString('latin1')));
    }
    expect(performance.now() - t0).toBeLessThan(10_000);
    // the fuzz reached several layers of the parser, not just the armor check
    expect(codes.size).toBeGreaterThanOrEqual(5);
  });

  it('1,000 random multi-byte mutations of a valid signature: never throws, only the original verifies', () => {
    const rand = prng(0xbadc0de);
    const blob = unarmor(GOOD);
    for (let i = 0; i < 1000; i++) {
      const m = Buffer.from(blob);
      const flips = 1 + Math.floor(rand() * 8);
      for (let j = 0; j < flips; j++) {
        const at = Math.floor(rand() * m.length);
        m[at] = m[at]! ^ (1 + Math.floor(rand() * 255));
      }
      const r = verifySshsig({ armored: armor(m), message: MESSAGE, namespace: NS });
      expect(r.ok).toBe(m.equals(blob));
      if (!r.ok) expect(r.code).not.toBe('internal');
    }
  });

  it('allowed_signers: random lines never throw anything but AllowedSignersError; findSigner never throws', () => {
    const rand = prng(4242);
    const good = parseAllowedSigners(
      `alice@example.com ${readFileSync(join(FIXTURES, 'ed25519.pub'), 'utf8')}`,
      'f',
    );
    const pieces = [
      'alice',
      '"',
      ',',
      '=',
      ' ',
      '\t',
      'namespaces=',
      'valid-after=',
      '"2024"',
      'cert-authority',
      'ssh-ed25519',
      'AAAA',
      '#',
      '!',
      '*',
      '\\"',
      '\r',
      'é',
    ];
    for (let i = 0; i < 500; i++) {
      const line = Array.from(
        { length: 1 + Math.floor(rand() * 10) },
        () => pieces[Math.floor(rand() * pieces.length)],
      ).join('');
      try {
        parseAllowedSigners(`${line}\n${randomBytes(rand, 40).toString('latin1')}`, 'f');
      } catch (e) {
        if (!(e instanceof AllowedSignersError))
          throw new Error(`untyped error for ${JSON.stringify(line)}: ${String(e)}`, { cause: e });
      }
      const r = findSigner(good, {
        principal: line,
        key: good[0]!.key,
        namespace: line || 'x',
        now: new Date(),
      });
      expect(typeof r.ok).toBe('boolean');
    }
  });
});
