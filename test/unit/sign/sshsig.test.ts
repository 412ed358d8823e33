import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  armorFromBase64,
  decodeBase64Strict,
  parsePublicKey,
  parseSignature,
  SshsigError,
  toCompactBase64,
  verifySshsig,
  type KeyType,
} from '../../../src/sign/sshsig.js';
import {
  armor,
  hasSshKeygen,
  mpint,
  nodeKey,
  pubLine,
  signBlob,
  sshKeygenKey,
  sshKeygenSign,
  sshString,
  tempDir,
  u32,
  unarmor,
  type NodeKey,
} from './helpers.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/sign');
const fx = (name: string) => readFileSync(join(FIXTURES, name));
const NS = 'cleanroom-override';

function expectCode(r: ReturnType<typeof verifySshsig>, code: string): void {
  expect(r.ok, `expected failure ${code}`).toBe(false);
  if (!r.ok) expect(r.code, r.reason).toBe(code);
}

function throwsCode(fn: () => unknown, code: string): SshsigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SshsigError);
    expect((e as SshsigError).code, (e as Error).message).toBe(code);
    return e as SshsigError;
  }
  throw new Error(`expected SshsigError ${code}, nothing thrown`);
}

// ---------------------------------------------------------------------------

describe('fixtures produced by ssh-keygen (OpenSSH 9.2)', () => {
  const message = fx('message.txt');
  const fps = JSON.parse(fx('fingerprints.json').toString()) as Record<
    string,
    { bits: number; fingerprint: string }
  >;
  const cases: Array<[string, string, KeyType]> = [
    ['ed25519', 'ed25519.sig', 'ssh-ed25519'],
    ['ed25519', 'ed25519-sha256.sig', 'ssh-ed25519'],
    ['ecdsa-p256', 'ecdsa-p256.sig', 'ecdsa-sha2-nistp256'],
    ['rsa-3072', 'rsa-3072.sig', 'ssh-rsa'],
  ];
  it.each(cases)(
    '%s / %s verifies and reports the ssh-keygen fingerprint',
    (name, sigFile, type) => {
      const r = verifySshsig({ armored: fx(sigFile), message, namespace: NS });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.publicKey.type).toBe(type);
      expect(r.publicKey.fingerprint).toBe(fps[name]!.fingerprint);
      const pub = parsePublicKey(fx(`${name}.pub`).toString());
      expect(pub.blob.equals(r.publicKey.blob)).toBe(true);
      expect(pub.fingerprint).toBe(fps[name]!.fingerprint);
    },
  );

  it('parseSignature exposes the fields', () => {
    const p = parseSignature(fx('ed25519-sha256.sig'));
    expect(p.namespace).toBe(NS);
    expect(p.hashAlgorithm).toBe('sha256');
    expect(p.sigType).toBe('ssh-ed25519');
    expect(p.version).toBe(1);
    expect(p.sigBlob.length).toBe(4 + 11 + 4 + 64);
    expect(parseSignature(fx('rsa-3072.sig')).sigType).toBe('rsa-sha2-512');
    expect(parseSignature(fx('rsa-3072.sig')).hashAlgorithm).toBe('sha512');
  });

  it('rejects the wrong namespace, message and a message with one extra byte', () => {
    expectCode(
      verifySshsig({ armored: fx('ed25519.sig'), message, namespace: 'git' }),
      'namespace',
    );
    expectCode(
      verifySshsig({ armored: fx('ed25519.sig'), message: 'other', namespace: NS }),
      'bad-signature',
    );
    expectCode(
      verifySshsig({
        armored: fx('rsa-3072.sig'),
        message: Buffer.concat([message, Buffer.from('\n')]),
        namespace: NS,
      }),
      'bad-signature',
    );
    expectCode(
      verifySshsig({ armored: fx('ecdsa-p256.sig'), message: message.subarray(1), namespace: NS }),
      'bad-signature',
    );
    // namespace comparison is exact: no prefix, case or trailing-space games
    for (const ns of [
      'cleanroom',
      'cleanroom-override ',
      'Cleanroom-Override',
      'cleanroom-overridex',
    ]) {
      expectCode(verifySshsig({ armored: fx('ed25519.sig'), message, namespace: ns }), 'namespace');
    }
  });

  it('toCompactBase64 / armorFromBase64 round-trip byte-exactly with ssh-keygen output', () => {
    for (const f of ['ed25519.sig', 'ed25519-sha256.sig', 'ecdsa-p256.sig', 'rsa-3072.sig']) {
      const armored = fx(f).toString();
      const compact = toCompactBase64(armored);
      expect(compact).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
      expect(compact).not.toContain('\n');
      expect(armorFromBase64(compact)).toBe(armored);
      expect(toCompactBase64(Buffer.from(armored))).toBe(compact);
      // a compact signature re-armored verifies
      expect(verifySshsig({ armored: armorFromBase64(compact), message, namespace: NS }).ok).toBe(
        true,
      );
    }
  });
});

// ---------------------------------------------------------------------------

describe.skipIf(!hasSshKeygen() && process.env.CI === undefined)(
  'interop with freshly generated ssh-keygen keys',
  () => {
    const dir = tempDir();
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const message = Buffer.from('Cleanroom-Override: allow\nrun: 42\n');
    const specs: Array<[string, string[], KeyType]> = [
      ['ed25519', ['-t', 'ed25519'], 'ssh-ed25519'],
      ['ecdsa256', ['-t', 'ecdsa', '-b', '256'], 'ecdsa-sha2-nistp256'],
      ['ecdsa384', ['-t', 'ecdsa', '-b', '384'], 'ecdsa-sha2-nistp384'],
      ['ecdsa521', ['-t', 'ecdsa', '-b', '521'], 'ecdsa-sha2-nistp521'],
      ['rsa3072', ['-t', 'rsa', '-b', '3072'], 'ssh-rsa'],
    ];
    const keys = new Map<string, ReturnType<typeof sshKeygenKey>>();
    beforeAll(() => {
      for (const [name, args] of specs) keys.set(name, sshKeygenKey(dir, name, args));
    }, 120_000);

    it.each(specs)(
      '%s: sign with ssh-keygen, verify in-process',
      (name, _args, type) => {
        const key = keys.get(name)!;
        for (const hash of [undefined, 'sha256', 'sha512'] as const) {
          const armored = sshKeygenSign(
            key,
            dir,
            `${name}-${hash ?? 'default'}.txt`,
            message,
            NS,
            hash,
          );
          const r = verifySshsig({ armored, message, namespace: NS });
          expect(r.ok, r.ok ? '' : r.reason).toBe(true);
          if (!r.ok) continue;
          expect(r.publicKey.type).toBe(type);
          const fp = execFileSync('ssh-keygen', ['-lf', `${key.path}.pub`])
            .toString()
            .split(' ')[1];
          expect(r.publicKey.fingerprint).toBe(fp);
          expect(r.signature.hashAlgorithm).toBe(hash ?? 'sha512');
          expect(parsePublicKey(key.pub).blob.equals(r.publicKey.blob)).toBe(true);
          if (type === 'ssh-rsa') expect(r.signature.sigType).toBe('rsa-sha2-512');
          expectCode(verifySshsig({ armored, message, namespace: 'git' }), 'namespace');
          expectCode(
            verifySshsig({ armored, message: Buffer.from('tampered'), namespace: NS }),
            'bad-signature',
          );
        }
      },
      60_000,
    );
  },
);

// ---------------------------------------------------------------------------

describe('node-built vectors (independent signer in helpers.ts)', () => {
  const message = Buffer.from('message to sign\n');
  const keys: Record<string, NodeKey> = {};
  beforeAll(() => {
    for (const k of ['ed25519', 'p256', 'p384', 'p521', 'sk-ed25519', 'sk-p256'] as const)
      keys[k] = nodeKey(k);
    keys.rsa = nodeKey('rsa', { rsaBits: 2048 });
    keys.rsa1024 = nodeKey('rsa', { rsaBits: 1024 });
    keys.ed25519b = nodeKey('ed25519');
  }, 60_000);
  const v = (
    blob: Buffer,
    o: { message?: Buffer | string; namespace?: string; requireUserPresence?: boolean } = {},
  ) =>
    verifySshsig({
      armored: armor(blob),
      message: o.message ?? message,
      namespace: o.namespace ?? NS,
      ...(o.requireUserPresence === undefined
        ? {}
        : { requireUserPresence: o.requireUserPresence }),
    });

  it.each(['ed25519', 'p256', 'p384', 'p521', 'rsa', 'sk-ed25519', 'sk-p256'])(
    '%s verifies (sha256 and sha512)',
    (k) => {
      for (const hash of ['sha256', 'sha512'] as const) {
        const blob = signBlob(keys[k]!, { namespace: NS, message, hash });
        const r = v(blob);
        expect(r.ok, r.ok ? '' : r.reason).toBe(true);
        expectCode(v(blob, { message: 'x' }), 'bad-signature');
        expectCode(v(blob, { namespace: 'file' }), 'namespace');
      }
    },
  );

  it('RSA: rsa-sha2-256 and rsa-sha2-512 accepted, ssh-rsa (SHA-1) refused', () => {
    expect(v(signBlob(keys.rsa!, { namespace: NS, message, rsaAlg: 'rsa-sha2-256' })).ok).toBe(
      true,
    );
    expect(v(signBlob(keys.rsa!, { namespace: NS, message, rsaAlg: 'rsa-sha2-512' })).ok).toBe(
      true,
    );
    const r = v(signBlob(keys.rsa!, { namespace: NS, message, rsaAlg: 'ssh-rsa' }));
    expectCode(r, 'signature-type');
    if (!r.ok) expect(r.reason).toMatch(/SHA-1/);
    // the algorithm name is authenticated by the hash: a SHA-256 signature
    // relabelled as rsa-sha2-512 does not verify
    expectCode(
      v(
        signBlob(keys.rsa!, {
          namespace: NS,
          message,
          rsaAlg: 'rsa-sha2-256',
          sigTypeName: 'rsa-sha2-512',
        }),
      ),
      'bad-signature',
    );
  });

  it('RSA keys below 2048 bits are refused (weak-key)', () => {
    const r = v(signBlob(keys.rsa1024!, { namespace: NS, message }));
    expectCode(r, 'weak-key');
    throwsCode(() => parsePublicKey(pubLine(keys.rsa1024!)), 'weak-key');
  });

  it('signature algorithm must match the key family', () => {
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, sigTypeName: 'ssh-rsa' })),
      'signature-type',
    );
    expectCode(
      v(signBlob(keys.p256!, { namespace: NS, message, sigTypeName: 'ecdsa-sha2-nistp384' })),
      'signature-type',
    );
    expectCode(
      v(signBlob(keys.rsa!, { namespace: NS, message, sigTypeName: 'ssh-ed25519' })),
      'signature-type',
    );
    expectCode(
      v(signBlob(keys['sk-ed25519']!, { namespace: NS, message, sigTypeName: 'ssh-ed25519' })),
      'signature-type',
    );
    expectCode(
      v(
        signBlob(keys['sk-p256']!, {
          namespace: NS,
          message,
          sigTypeName: 'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
        }),
      ),
      'signature-type',
    );
  });

  it('a signature whose embedded key was swapped for another key fails', () => {
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, keyBlob: keys.ed25519b!.blob })),
      'bad-signature',
    );
    // swapped for a key of another type: family mismatch
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, keyBlob: keys.p256!.blob })),
      'signature-type',
    );
  });

  it('structure: version, reserved, hash algorithm, trailing data', () => {
    expectCode(v(signBlob(keys.ed25519!, { namespace: NS, message, version: 2 })), 'version');
    expectCode(v(signBlob(keys.ed25519!, { namespace: NS, message, version: 0 })), 'version');
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, reserved: Buffer.from('x') })),
      'reserved',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, hashName: 'sha1' })),
      'hash-algorithm',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, hashName: 'SHA512' })),
      'hash-algorithm',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, hashName: 'sha384' })),
      'hash-algorithm',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, trailing: Buffer.from([0]) })),
      'trailing-data',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, blobNamespace: `${NS}\0`, message })),
      'namespace',
    );
    expectCode(
      v(signBlob(keys.ed25519!, { namespace: NS, message, hashName: 'sha512\0' })),
      'hash-algorithm',
    );
  });

  it('structure: lengths past the end, truncation at every byte, inner trailing data', () => {
    const good = signBlob(keys.p256!, { namespace: NS, message });
    for (let n = 0; n < good.length; n++) {
      const r = v(good.subarray(0, n));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['magic', 'truncated', 'armor', 'base64']).toContain(r.code);
    }
    const huge = Buffer.from(good);
    huge.writeUInt32BE(0xffffffff, 10); // public key length
    expectCode(v(huge), 'truncated');
    // trailing bytes inside the ECDSA (r, s) blob
    const k = keys.p256!;
    const sig = parseSignature(armor(good));
    const inner = sig.sigBlob.subarray(4 + 19); // skip string "ecdsa-sha2-nistp256"
    const innerBlob = inner.subarray(4, 4 + inner.readUInt32BE(0));
    const badInner = Buffer.concat([
      sshString(k.type),
      sshString(Buffer.concat([innerBlob, Buffer.from([0])])),
    ]);
    const rebuilt = Buffer.concat([
      Buffer.from('SSHSIG'),
      u32(1),
      sshString(k.blob),
      sshString(NS),
      sshString(''),
      sshString('sha512'),
      sshString(badInner),
    ]);
    expectCode(v(rebuilt), 'trailing-data');
  });

  it('ECDSA accepts non-minimal (zero-padded) r/s like ssh-keygen, rejects r = 0 and r >= n', () => {
    const k = keys.p256!;
    const good = signBlob(k, { namespace: NS, message });
    const sig = parseSignature(armor(good));
    const inner = sig.sigBlob.subarray(4 + 19);
    const rs = inner.subarray(4, 4 + inner.readUInt32BE(0));
    const rLen = rs.readUInt32BE(0);
    const r = rs.subarray(4, 4 + rLen);
    const s = rs.subarray(4 + rLen); // still length-prefixed
    const build = (rr: Buffer, ss: Buffer) =>
      Buffer.concat([
        Buffer.from('SSHSIG'),
        u32(1),
        sshString(k.blob),
        sshString(NS),
        sshString(''),
        sshString('sha512'),
        sshString(Buffer.concat([sshString(k.type), sshString(Buffer.concat([rr, ss]))])),
      ]);
    expect(v(build(sshString(r), s)).ok).toBe(true);
    expect(v(build(sshString(Buffer.concat([Buffer.alloc(3), r])), s)).ok).toBe(true);
    expectCode(v(build(sshString(Buffer.alloc(0)), s)), 'bad-signature');
    expectCode(
      v(
        build(
          mpint(
            Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex'),
          ),
          s,
        ),
      ),
      'bad-signature',
    );
    expectCode(v(build(sshString(Buffer.from([0x80, 1])), s)), 'signature-format'); // negative
  });

  it('FIDO: flags and counter exposed; user presence required by default', () => {
    for (const k of ['sk-ed25519', 'sk-p256']) {
      const good = signBlob(keys[k]!, { namespace: NS, message, flags: 0x05, counter: 123456 });
      const r = v(good);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.signature.sk).toEqual({ flags: 5, counter: 123456 });
      const noTouch = signBlob(keys[k]!, { namespace: NS, message, flags: 0x00 });
      expectCode(v(noTouch), 'user-presence');
      expect(v(noTouch, { requireUserPresence: false }).ok).toBe(true);
      // flags and counter are signed: tampering with them breaks the signature
      const tampered = Buffer.from(good);
      tampered[tampered.length - 5] = 0x01; // flags byte
      expectCode(v(tampered), 'bad-signature');
      const tampered2 = Buffer.from(good);
      tampered2[tampered2.length - 1] = tampered2[tampered2.length - 1]! ^ 1; // counter
      expectCode(v(tampered2), 'bad-signature');
    }
  });

  it('FIDO: the application string is bound into the signature', () => {
    const k = keys['sk-ed25519']!;
    const other = Buffer.concat([
      sshString(k.type),
      sshString(k.blob.subarray(4 + k.type.length + 4, 4 + k.type.length + 36)),
      sshString('ssh:other'),
    ]);
    expectCode(v(signBlob(k, { namespace: NS, message, keyBlob: other })), 'bad-signature');
    expect(parsePublicKey(pubLine(k)).type).toBe('sk-ssh-ed25519@openssh.com');
    expect(parsePublicKey(pubLine(keys['sk-p256']!)).type).toBe(
      'sk-ecdsa-sha2-nistp256@openssh.com',
    );
  });
});

// ---------------------------------------------------------------------------

describe('public key parsing', () => {
  const ed = nodeKey('ed25519');
  it('parses "type base64 comment" and computes the ssh-keygen style fingerprint', () => {
    const k = parsePublicKey(`  ${pubLine(ed)} alice@laptop extra words\n`);
    expect(k.type).toBe('ssh-ed25519');
    expect(k.blob.equals(ed.blob)).toBe(true);
    expect(k.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
  it('rejects bad input with typed errors', () => {
    throwsCode(() => parsePublicKey(''), 'key-invalid');
    throwsCode(() => parsePublicKey('ssh-ed25519'), 'key-invalid');
    throwsCode(() => parsePublicKey(`ssh-foo ${ed.blob.toString('base64')}`), 'key-type');
    throwsCode(() => parsePublicKey(`ssh-dss ${ed.blob.toString('base64')}`), 'key-type');
    const e = throwsCode(
      () => parsePublicKey(`ssh-ed25519-cert-v01@openssh.com ${ed.blob.toString('base64')}`),
      'key-type',
    );
    expect(e.message).toMatch(/certificate/);
    throwsCode(() => parsePublicKey(`ssh-rsa ${ed.blob.toString('base64')}`), 'key-type'); // label mismatch
    throwsCode(
      () => parsePublicKey(`ssh-ed25519 ${ed.blob.toString('base64').slice(0, -2)}`),
      'base64',
    );
    throwsCode(
      () => parsePublicKey(`ssh-ed25519 ${ed.blob.toString('base64').slice(0, -4)}`),
      'truncated',
    );
    throwsCode(
      () => parsePublicKey(`ssh-ed25519 -${ed.blob.toString('base64').slice(1)}`),
      'base64',
    ); // base64url alphabet
    throwsCode(
      () =>
        parsePublicKey(
          `ssh-ed25519 ${Buffer.concat([ed.blob, Buffer.from([0])]).toString('base64')}`,
        ),
      'trailing-data',
    );
    throwsCode(
      () => parsePublicKey(`ssh-ed25519 ${ed.blob.subarray(0, 40).toString('base64')}`),
      'truncated',
    );
    const short = Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(31, 1))]);
    throwsCode(() => parsePublicKey(`ssh-ed25519 ${short.toString('base64')}`), 'key-invalid');
    throwsCode(() => parsePublicKey('x'.repeat(70_000)), 'too-large');
    throwsCode(() => parsePublicKey(42 as unknown as string), 'input');
  });
  it('rejects invalid EC points and non-canonical RSA encodings', () => {
    const p = nodeKey('p256');
    const bad = Buffer.from(p.blob);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1; // y no longer on the curve
    throwsCode(
      () => parsePublicKey(`ecdsa-sha2-nistp256 ${bad.toString('base64')}`),
      'key-invalid',
    );
    const compressed = Buffer.concat([
      sshString('ecdsa-sha2-nistp256'),
      sshString('nistp256'),
      sshString(Buffer.concat([Buffer.from([2]), Buffer.alloc(32, 1)])),
    ]);
    throwsCode(
      () => parsePublicKey(`ecdsa-sha2-nistp256 ${compressed.toString('base64')}`),
      'key-invalid',
    );
    const wrongCurve = Buffer.concat([
      sshString('ecdsa-sha2-nistp256'),
      sshString('nistp384'),
      p.blob.subarray(4 + 19 + 4 + 8),
    ]);
    throwsCode(
      () => parsePublicKey(`ecdsa-sha2-nistp256 ${wrongCurve.toString('base64')}`),
      'key-invalid',
    );
    const r = nodeKey('rsa', { rsaBits: 2048 });
    const jwk = r.privateKey.export({ format: 'jwk' });
    const n = Buffer.from(jwk.n!, 'base64url');
    const padded = Buffer.concat([
      sshString('ssh-rsa'),
      mpint(Buffer.from(jwk.e!, 'base64url')),
      sshString(Buffer.concat([Buffer.alloc(2), n])),
    ]);
    throwsCode(() => parsePublicKey(`ssh-rsa ${padded.toString('base64')}`), 'key-invalid');
    const e1 = Buffer.concat([sshString('ssh-rsa'), mpint(Buffer.from([1])), mpint(n)]);
    throwsCode(() => parsePublicKey(`ssh-rsa ${e1.toString('base64')}`), 'key-invalid');
    expect(parsePublicKey(pubLine(r)).type).toBe('ssh-rsa');
  });
});

// ---------------------------------------------------------------------------

describe('strict base64 (port of OpenSSH b64_pton)', () => {
  const t = (s: string) => {
    const r = decodeBase64Strict(Buffer.from(s, 'latin1'));
    return r === null ? null : r.toString('hex');
  };
  it.each([
    ['', ''],
    ['AAAA', '000000'],
    ['AA==', '00'],
    ['AAA=', '0000'],
    ['AA\n==', '00'],
    ['A A\tA\rA\x0b\x0c', '000000'],
    ['AA= =', '00'],
    ['AAA=  \n', '0000'],
    ['/w==', 'ff'],
  ])('accepts %j', (s, hex) => expect(t(s)).toBe(hex));
  it.each([
    ['AA'], // unpadded partial group
    ['AAA'],
    ['A==='],
    ['A'],
    ['=AAA'],
    ['AB=='], // non-zero slop bits
    ['AAB='],
    ['AA==A'],
    ['AAA=='], // extra pad after a single-pad group
    ['AA=A'],
    ['-_=='], // base64url alphabet
    ['AA*A'],
    ['AA\0A'],
    ['AAAA\u00a0'],
  ])('rejects %j', (s) => expect(t(s)).toBeNull());
});

describe('armor handling', () => {
  const good = fx('ed25519.sig').toString();
  const message = fx('message.txt');
  const v = (armored: string | Buffer) => verifySshsig({ armored, message, namespace: NS });
  it('accepts harmless variations ssh-keygen accepts', () => {
    expect(v(good).ok).toBe(true);
    expect(v(good.trimEnd()).ok).toBe(true); // no final newline
    expect(v(good + '\n\n  \n').ok).toBe(true); // trailing blank lines
    const body = good.split('\n').slice(1, -2).join('');
    expect(v(`-----BEGIN SSH SIGNATURE-----\n${body}\n-----END SSH SIGNATURE-----`).ok).toBe(true); // one long line
    expect(
      v(
        `-----BEGIN SSH SIGNATURE-----\n${body.replace(/(.{10})/g, '$1\r\n')}\n-----END SSH SIGNATURE-----\n`,
      ).ok,
    ).toBe(true);
  });
  it.each([
    ['empty', ''],
    ['leading space', ' ' + good],
    ['leading BOM', '\ufeff' + good],
    ['CRLF header', good.replace('\n', '\r\n')],
    ['missing header', good.split('\n').slice(1).join('\n')],
    ['missing footer', good.replace('-----END SSH SIGNATURE-----', '')],
    [
      'duplicated header',
      good.replace(
        '-----BEGIN SSH SIGNATURE-----\n',
        '-----BEGIN SSH SIGNATURE-----\n-----BEGIN SSH SIGNATURE-----\n',
      ),
    ],
    ['duplicated footer', good + '-----END SSH SIGNATURE-----\n'],
    ['text after footer', good + 'hello\n'],
    ['two signatures', good + good],
    ['lowercase armor', good.toLowerCase()],
  ])('rejects %s', (_n, text) => {
    const r = v(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('armor');
  });
  it('rejects non-strict base64 bodies', () => {
    const body = good.split('\n').slice(1, -2).join('');
    const wrap = (b: string) =>
      `-----BEGIN SSH SIGNATURE-----\n${b}\n-----END SSH SIGNATURE-----\n`;
    expectCode(v(wrap(body.replace(/=+$/, ''))), 'base64'); // padding removed
    expectCode(v(wrap(body + '=')), 'base64');
    expectCode(
      v(wrap(body.replace(/\//g, '_').replace(/\+/g, '-'))),
      body.includes('/') || body.includes('+') ? 'base64' : 'bad-signature',
    );
    expectCode(v(wrap(body.slice(0, 20) + '!' + body.slice(21))), 'base64');
  });
  it('armorFromBase64 is strict', () => {
    const compact = toCompactBase64(good);
    expect(armorFromBase64(`  ${compact}\n`)).toBe(good);
    throwsCode(() => armorFromBase64(''), 'base64');
    throwsCode(() => armorFromBase64(compact.slice(0, 40) + '\n' + compact.slice(40)), 'base64');
    throwsCode(() => armorFromBase64(compact.replace(/=+$/, '')), 'base64');
    // flip the lowest bit of the last data character: only the unused
    // ("slop") bits change, which Node's decoder would silently accept
    const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const lastData = compact.replace(/=+$/, '').length - 1;
    const slop =
      compact.slice(0, lastData) +
      ALPHA[ALPHA.indexOf(compact[lastData]!) ^ 1] +
      compact.slice(lastData + 1);
    expect(compact.endsWith('=')).toBe(true);
    expect(Buffer.from(slop, 'base64').equals(Buffer.from(compact, 'base64'))).toBe(true);
    throwsCode(() => armorFromBase64(slop), 'base64');
    expectCode(v(armorFromBase64(compact).replace(compact.slice(-20), slop.slice(-20))), 'base64');
    throwsCode(() => armorFromBase64(good), 'base64');
    throwsCode(() => armorFromBase64('A'.repeat(70_000)), 'too-large');
    throwsCode(() => toCompactBase64('nope'), 'armor');
  });
  it('round trips node-built blobs whose base64 length is a multiple of 70', () => {
    // 105 bytes -> 140 base64 chars -> exactly two full lines
    const blob = Buffer.alloc(105, 7);
    const a = armor(blob);
    expect(a.split('\n').length).toBe(5);
    expect(armorFromBase64(blob.toString('base64'))).toBe(a);
    expect(unarmor(a).equals(blob)).toBe(true);
  });
});
