/**
 * Test helpers for the SSHSIG tests: a tiny independent SSHSIG *signer*
 * built on node:crypto (so we can produce FIDO, SHA-1 and malformed
 * vectors that ssh-keygen cannot), ssh-keygen wrappers, a seeded PRNG and a
 * promise pool.
 */
import {
  createHash,
  generateKeyPairSync,
  sign as cryptoSign,
  constants as cryptoConstants,
  type KeyObject,
} from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ---------------------------------------------------------------------------
// wire encoding
// ---------------------------------------------------------------------------

export function sshString(data: Buffer | string): Buffer {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length, 0);
  return Buffer.concat([len, b]);
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

export function mpint(mag: Buffer): Buffer {
  let s = 0;
  while (s < mag.length && mag[s] === 0) s++;
  let m = mag.subarray(s);
  if (m.length > 0 && (m[0]! & 0x80) !== 0) m = Buffer.concat([Buffer.from([0]), m]);
  return sshString(m);
}

export function armor(blob: Buffer): string {
  const s = blob.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 70) lines.push(s.slice(i, i + 70));
  return `-----BEGIN SSH SIGNATURE-----\n${lines.join('\n')}\n-----END SSH SIGNATURE-----\n`;
}

/** Decode armor leniently (for building mutations of known-good input). */
export function unarmor(text: string): Buffer {
  const body = text
    .replace('-----BEGIN SSH SIGNATURE-----', '')
    .replace(/-----END SSH SIGNATURE-----[\s\S]*$/, '')
    .replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

// ---------------------------------------------------------------------------
// a minimal SSHSIG signer on node:crypto
// ---------------------------------------------------------------------------

export type NodeKeyKind = 'ed25519' | 'p256' | 'p384' | 'p521' | 'rsa' | 'sk-ed25519' | 'sk-p256';

export interface NodeKey {
  kind: NodeKeyKind;
  type: string;
  privateKey: KeyObject;
  blob: Buffer;
  application?: string;
}

const CURVES = {
  p256: ['P-256', 'nistp256', 'sha256'],
  p384: ['P-384', 'nistp384', 'sha384'],
  p521: ['P-521', 'nistp521', 'sha512'],
} as const;

export function nodeKey(
  kind: NodeKeyKind,
  opts: { rsaBits?: number; application?: string } = {},
): NodeKey {
  const application = opts.application ?? 'ssh:';
  if (kind === 'ed25519' || kind === 'sk-ed25519') {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pk = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
    const type = kind === 'ed25519' ? 'ssh-ed25519' : 'sk-ssh-ed25519@openssh.com';
    const parts = [sshString(type), sshString(pk)];
    if (kind === 'sk-ed25519') parts.push(sshString(application));
    return {
      kind,
      type,
      privateKey,
      blob: Buffer.concat(parts),
      ...(kind === 'sk-ed25519' ? { application } : {}),
    };
  }
  if (kind === 'rsa') {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: opts.rsaBits ?? 2048,
    });
    const jwk = publicKey.export({ format: 'jwk' });
    const blob = Buffer.concat([
      sshString('ssh-rsa'),
      mpint(Buffer.from(jwk.e!, 'base64url')),
      mpint(Buffer.from(jwk.n!, 'base64url')),
    ]);
    return { kind, type: 'ssh-rsa', privateKey, blob };
  }
  const curveKind = kind === 'sk-p256' ? 'p256' : kind;
  const [crv, sshName] = CURVES[curveKind];
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: crv });
  const jwk = publicKey.export({ format: 'jwk' });
  const q = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  const type = kind === 'sk-p256' ? 'sk-ecdsa-sha2-nistp256@openssh.com' : `ecdsa-sha2-${sshName}`;
  const parts = [sshString(type), sshString(sshName), sshString(q)];
  if (kind === 'sk-p256') parts.push(sshString(application));
  return {
    kind,
    type,
    privateKey,
    blob: Buffer.concat(parts),
    ...(kind === 'sk-p256' ? { application } : {}),
  };
}

export function pubLine(k: { type: string; blob: Buffer }, comment = ''): string {
  return `${k.type} ${k.blob.toString('base64')}${comment ? ' ' + comment : ''}`;
}

export interface SignOpts {
  namespace: string;
  message: Buffer | string;
  hash?: 'sha256' | 'sha512';
  /** RSA only: signature algorithm name ('rsa-sha2-512' default, 'ssh-rsa' = SHA-1). */
  rsaAlg?: 'rsa-sha2-256' | 'rsa-sha2-512' | 'ssh-rsa';
  /** sk only */
  flags?: number;
  counter?: number;
  /** structure tweaks */
  version?: number;
  reserved?: Buffer;
  trailing?: Buffer;
  /** override the hash algorithm *name* written into the blob (and signed data) */
  hashName?: string;
  /** override the sig type name inside the signature field */
  sigTypeName?: string;
  /** override the embedded public key blob */
  keyBlob?: Buffer;
  /** hash algorithm name written into the blob (default: the signed one) */
  blobHashName?: string;
  /** namespace written into the blob (default: `namespace`, which is what gets signed) */
  blobNamespace?: string;
}

function ecdsaSigField(sigP1363: Buffer): Buffer {
  const half = sigP1363.length / 2;
  return Buffer.concat([mpint(sigP1363.subarray(0, half)), mpint(sigP1363.subarray(half))]);
}

/** Build the SSHSIG blob for `key` (an independent implementation of the format). */
export function signBlob(key: NodeKey, o: SignOpts): Buffer {
  const hash = o.hash ?? 'sha512';
  const hashName = o.hashName ?? hash;
  const msg = typeof o.message === 'string' ? Buffer.from(o.message, 'utf8') : o.message;
  const h = createHash(hash).update(msg).digest();
  const toSign = Buffer.concat([
    Buffer.from('SSHSIG'),
    sshString(o.namespace),
    sshString(Buffer.alloc(0)),
    sshString(hashName),
    sshString(h),
  ]);
  let sigField: Buffer;
  switch (key.kind) {
    case 'ed25519': {
      const s = cryptoSign(null, toSign, key.privateKey);
      sigField = Buffer.concat([sshString(o.sigTypeName ?? 'ssh-ed25519'), sshString(s)]);
      break;
    }
    case 'p256':
    case 'p384':
    case 'p521': {
      const [, , dh] = CURVES[key.kind];
      const s = cryptoSign(dh, toSign, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
      sigField = Buffer.concat([sshString(o.sigTypeName ?? key.type), sshString(ecdsaSigField(s))]);
      break;
    }
    case 'rsa': {
      const alg = o.rsaAlg ?? 'rsa-sha2-512';
      const dh = alg === 'rsa-sha2-256' ? 'sha256' : alg === 'rsa-sha2-512' ? 'sha512' : 'sha1';
      const s = cryptoSign(dh, toSign, {
        key: key.privateKey,
        padding: cryptoConstants.RSA_PKCS1_PADDING,
      });
      sigField = Buffer.concat([sshString(o.sigTypeName ?? alg), sshString(s)]);
      break;
    }
    case 'sk-ed25519':
    case 'sk-p256': {
      const flags = o.flags ?? 0x01;
      const counter = o.counter ?? 7;
      const signed = Buffer.concat([
        createHash('sha256')
          .update(key.application ?? '')
          .digest(),
        Buffer.from([flags]),
        u32(counter),
        createHash('sha256').update(toSign).digest(),
      ]);
      const inner =
        key.kind === 'sk-ed25519'
          ? sshString(cryptoSign(null, signed, key.privateKey))
          : sshString(
              ecdsaSigField(
                cryptoSign('sha256', signed, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }),
              ),
            );
      sigField = Buffer.concat([
        sshString(o.sigTypeName ?? key.type),
        inner,
        Buffer.from([flags]),
        u32(counter),
      ]);
      break;
    }
  }
  return Buffer.concat([
    Buffer.from('SSHSIG'),
    u32(o.version ?? 1),
    sshString(o.keyBlob ?? key.blob),
    sshString(o.blobNamespace ?? o.namespace),
    sshString(o.reserved ?? Buffer.alloc(0)),
    sshString(o.blobHashName ?? hashName),
    sshString(sigField),
    o.trailing ?? Buffer.alloc(0),
  ]);
}

// ---------------------------------------------------------------------------
// ssh-keygen
// ---------------------------------------------------------------------------

export function hasSshKeygen(): boolean {
  try {
    execFileSync('ssh-keygen', ['-Y', 'sign'], { stdio: 'ignore' });
  } catch (e) {
    // exits non-zero (usage) but exists
    return (e as { code?: string }).code !== 'ENOENT';
  }
  return true;
}

export function tempDir(prefix = 'cleanroom-sign-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface SshKeygenKey {
  path: string;
  pub: string; // "type base64" (no comment)
}

export function sshKeygenKey(dir: string, name: string, args: string[]): SshKeygenKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...args, '-N', '', '-f', path, '-C', 'x'], { stdio: 'ignore' });
  const pub = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  return { path, pub };
}

export function sshKeygenSign(
  key: SshKeygenKey,
  dir: string,
  name: string,
  message: Buffer,
  namespace: string,
  hash?: 'sha256' | 'sha512',
): string {
  const file = join(dir, name);
  writeFileSync(file, message);
  const args = ['-Y', 'sign', '-f', key.path, '-n', namespace];
  if (hash) args.push('-O', `hashalg=${hash}`);
  args.push(file);
  execFileSync('ssh-keygen', args, { stdio: 'ignore' });
  return readFileSync(`${file}.sig`, 'utf8');
}

/** Format a Date for ssh-keygen -Overify-time (explicit UTC). */
export function sshTime(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

export interface SshVerifyResult {
  ok: boolean;
  stderr: string;
}

/** `ssh-keygen -Y verify -f allowed -I principal -n ns -s sigfile < message` */
export function sshKeygenVerify(o: {
  allowedSignersFile: string;
  principal: string;
  namespace: string;
  sigFile: string;
  message: Buffer;
  now: Date;
  tz?: string;
}): Promise<SshVerifyResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ssh-keygen',
      [
        '-Y',
        'verify',
        '-f',
        o.allowedSignersFile,
        '-I',
        o.principal,
        '-n',
        o.namespace,
        '-s',
        o.sigFile,
        '-O',
        `verify-time=${sshTime(o.now)}`,
      ],
      { env: { ...process.env, TZ: o.tz ?? 'UTC' }, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ok: code === 0, stderr }));
    child.stdin.on('error', () => {
      /* ssh-keygen may exit before reading stdin (e.g. unparsable signature) */
    });
    child.stdin.end(o.message);
  });
}

export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
  return out;
}

// ---------------------------------------------------------------------------
// deterministic randomness
// ---------------------------------------------------------------------------

export { prng } from '../../helpers/prng.js';

export function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}
