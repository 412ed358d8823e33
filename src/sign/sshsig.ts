/**
 * In-process verifier for OpenSSH "SSHSIG" signatures (`ssh-keygen -Y sign`).
 *
 * References: OpenSSH PROTOCOL.sshsig, PROTOCOL.u2f, and the OpenSSH 9.2
 * sources (sshsig.c, sshkey.c, ssh-*.c, openbsd-compat/base64.c), whose
 * parsing rules this module mirrors so that it accepts and rejects the same
 * inputs as `ssh-keygen -Y verify`, except where it is deliberately stricter
 * (listed below).
 *
 * Every input is treated as hostile: all functions either return a value or
 * throw an {@link SshsigError} (never anything else), and the work done is
 * bounded by the 64 KiB armored-input limit.
 *
 * Deliberate differences from ssh-keygen (OpenSSH 9.2), all of them stricter:
 *  - version must be exactly 1 (ssh-keygen also accepts version 0);
 *  - nothing but whitespace may follow the END line (ssh-keygen ignores it);
 *  - the "reserved" field must be empty (ssh-keygen ignores its contents,
 *    which are not covered by the signature);
 *  - string fields may not contain NUL bytes (ssh-keygen accepts one
 *    trailing NUL and strips it);
 *  - RSA keys need at least 2048 bits (ssh-keygen: 1024);
 *  - key blobs must be canonically encoded (minimal mpints), so the blob,
 *    the fingerprint and key equality are all byte-exact;
 *  - ssh-dss, xmss and webauthn signatures are not supported;
 *  - a certificate's CA signature may not use ssh-rsa (SHA-1), and the CA key
 *    may not itself be a certificate;
 *  - FIDO (sk-*) signatures must assert user presence unless the caller
 *    passes `requireUserPresence: false` (ssh-keygen 9.2 does not check).
 */
import type { KeyObject } from 'node:crypto';
import { nodeCrypto } from '../lazy-crypto.js';

export type KeyType =
  | 'ssh-ed25519'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'ssh-rsa' /* key type; signatures must be rsa-sha2-256/512 */
  | 'sk-ssh-ed25519@openssh.com'
  | 'sk-ecdsa-sha2-nistp256@openssh.com';

export const KEY_TYPES: readonly KeyType[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** Key type names OpenSSH knows but cleanroom refuses (with a clear reason). */
const KNOWN_UNSUPPORTED_KEY_TYPES: ReadonlyMap<string, string> = new Map([
  ['ssh-dss', 'DSA keys are obsolete and insecure'],
  ['ssh-xmss@openssh.com', 'XMSS keys are experimental'],
]);

export interface SshPublicKey {
  type: KeyType;
  /** The canonical wire blob (RFC 4253 public key encoding). */
  blob: Buffer;
  /** "SHA256:<base64, no padding>", as printed by `ssh-keygen -l`. */
  fingerprint: string;
}

export type SshsigErrorCode =
  | 'input' // argument of the wrong JS type
  | 'too-large' // armored input > 64 KiB
  | 'armor' // missing/duplicated BEGIN/END lines, data around the armor
  | 'base64' // not strict base64
  | 'magic' // binary does not start with "SSHSIG"
  | 'truncated' // a length field points past the end of its buffer
  | 'trailing-data' // bytes left after a complete structure
  | 'version' // version field is not 1
  | 'reserved' // reserved field not empty
  | 'namespace' // namespace differs from the expected one / is invalid
  | 'hash-algorithm' // hash algorithm not sha256/sha512
  | 'key-type' // unknown or unsupported key type, or type mismatch
  | 'key-invalid' // malformed key material
  | 'weak-key' // RSA key below 2048 bits
  | 'signature-type' // signature algorithm not allowed for the key
  | 'signature-format' // malformed signature blob
  | 'user-presence' // FIDO signature without the user-presence flag
  | 'bad-signature' // cryptographic verification failed
  | 'internal'; // unexpected failure (should never happen)

export class SshsigError extends Error {
  readonly code: SshsigErrorCode;
  constructor(code: SshsigErrorCode, message: string) {
    super(message);
    this.name = 'SshsigError';
    this.code = code;
  }
}

export type HashAlgorithm = 'sha256' | 'sha512';

/**
 * An OpenSSH certificate (PROTOCOL.certkeys, `*-cert-v01@openssh.com`) whose CA
 * signature has been verified. Times are seconds since the epoch, as in the
 * certificate (valid_before 0xffffffffffffffff = forever).
 */
export interface SshCertificate {
  /** The certificate key type, e.g. "ssh-ed25519-cert-v01@openssh.com". */
  certType: string;
  /** 1 = user, 2 = host. */
  type: number;
  serial: bigint;
  keyId: string;
  principals: string[];
  validAfter: bigint;
  validBefore: bigint;
  /** Critical option names (their data is not interpreted). */
  criticalOptions: string[];
  extensions: string[];
  /** The key that signed the certificate. */
  ca: SshPublicKey;
}

export interface ParsedSignature {
  /** Always 1. */
  version: number;
  publicKey: SshPublicKey;
  namespace: string;
  hashAlgorithm: HashAlgorithm;
  /** Algorithm named inside the signature, e.g. "rsa-sha2-512". */
  sigType: string;
  /** The complete `string signature` field (algorithm name + signature data). */
  sigBlob: Buffer;
  /** FIDO signatures only: authenticator flags and counter. */
  sk?: { flags: number; counter: number };
  /** When the signer used a certificate: its verified contents (publicKey is then the certified plain key). */
  certificate?: SshCertificate;
}

export type VerifyResult =
  | { ok: true; publicKey: SshPublicKey; signature: ParsedSignature; certificate?: SshCertificate }
  | { ok: false; code: SshsigErrorCode; reason: string };

/** Maximum size of an armored signature accepted by any function here. */
export const MAX_ARMORED_BYTES = 64 * 1024;
/** Minimum RSA modulus size. */
export const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 16384; // OpenSSH SSHBUF_MAX_BIGNUM
const MAX_KEY_LINE = 64 * 1024;

const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
const BEGIN_BYTES = Buffer.from(BEGIN + '\n', 'latin1');
const END_MARKER = Buffer.from('\n' + END, 'latin1');
const MAGIC = Buffer.from('SSHSIG', 'latin1');
const SK_FLAG_USER_PRESENCE = 0x01;

// ---------------------------------------------------------------------------
// Strict base64 (an exact port of OpenBSD b64_pton as used by OpenSSH)
// ---------------------------------------------------------------------------

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE: Int16Array = (() => {
  const t = new Int16Array(256).fill(-1);
  for (let i = 0; i < B64_ALPHABET.length; i++) t[B64_ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** C-locale isspace(): space, \t, \n, \v, \f, \r. */
function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Decode base64 exactly as OpenSSH's b64_pton() does: whitespace is skipped
 * anywhere, padding is required for partial groups, nothing but whitespace may
 * follow the padding, and the unused bits before the padding must be zero.
 * Returns null on any violation.
 */
export function decodeBase64Strict(src: Buffer): Buffer | null {
  const out = Buffer.alloc(Math.floor((src.length * 3) / 4) + 3);
  let state = 0;
  let t = 0;
  let i = 0;
  for (; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === 0) return null; // C string would end here; OpenSSH rejects embedded NUL
    if (isCSpace(ch)) continue;
    if (ch === 0x3d /* = */) break;
    const v = B64_VALUE[ch]!;
    if (v < 0) return null;
    switch (state) {
      case 0:
        out[t] = v << 2;
        state = 1;
        break;
      case 1:
        out[t] = out[t]! | (v >> 4);
        out[t + 1] = (v & 0x0f) << 4;
        t++;
        state = 2;
        break;
      case 2:
        out[t] = out[t]! | (v >> 2);
        out[t + 1] = (v & 0x03) << 6;
        t++;
        state = 3;
        break;
      default:
        out[t] = out[t]! | v;
        t++;
        state = 0;
        break;
    }
  }
  if (i < src.length) {
    // stopped at '='
    i++;
    if (state === 0 || state === 1) return null;
    if (state === 2) {
      while (i < src.length && isCSpace(src[i]!)) i++;
      if (i >= src.length || src[i] !== 0x3d) return null;
      i++;
    }
    for (; i < src.length; i++) {
      const c = src[i]!;
      if (c === 0) return null;
      if (!isCSpace(c)) return null;
    }
    if (out[t] !== 0) return null; // non-zero slop bits: a subliminal channel
  } else if (state !== 0) {
    return null;
  }
  return Buffer.from(out.subarray(0, t));
}

// ---------------------------------------------------------------------------
// Wire-format reader
// ---------------------------------------------------------------------------

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
    private readonly errCode: SshsigErrorCode = 'truncated',
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  u64(field: string): bigint {
    if (this.remaining < 8) throw this.short(field);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  u8(field: string): number {
    if (this.remaining < 1) throw this.short(field);
    return this.buf[this.pos++]!;
  }

  u32(field: string): number {
    if (this.remaining < 4) throw this.short(field);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  bytes(n: number, field: string): Buffer {
    if (this.remaining < n) throw this.short(field);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  string(field: string): Buffer {
    const len = this.u32(field);
    if (len > this.remaining) {
      throw new SshsigError(
        this.errCode,
        `${this.what}: ${field} claims ${len} bytes but only ${this.remaining} remain`,
      );
    }
    return this.bytes(len, field);
  }

  /** A string that must not contain NUL bytes, decoded as latin1 (byte-exact). */
  cstring(field: string, code: SshsigErrorCode = 'signature-format'): string {
    const b = this.string(field);
    if (b.includes(0)) throw new SshsigError(code, `${this.what}: ${field} contains a NUL byte`);
    return b.toString('latin1');
  }

  /**
   * An mpint as OpenSSH's sshbuf_get_bignum2 reads it: non-negative, at most
   * 16384 bits. Returns the magnitude with leading zeros stripped. When
   * `canonical` is set, non-minimal encodings are rejected too.
   */
  mpint(field: string, code: SshsigErrorCode, canonical: boolean): Buffer {
    const b = this.string(field);
    if (b.length > 0 && (b[0]! & 0x80) !== 0) {
      throw new SshsigError(code, `${this.what}: ${field} is negative`);
    }
    if (b.length > MAX_RSA_BITS / 8 + 1 || (b.length === MAX_RSA_BITS / 8 + 1 && b[0] !== 0)) {
      throw new SshsigError(code, `${this.what}: ${field} is too large`);
    }
    let s = 0;
    while (s < b.length && b[s] === 0) s++;
    const mag = b.subarray(s);
    if (canonical) {
      const minimal = mag.length === 0 ? 0 : mag.length + ((mag[0]! & 0x80) !== 0 ? 1 : 0);
      if (b.length !== minimal) {
        throw new SshsigError(code, `${this.what}: ${field} is not minimally encoded`);
      }
    }
    return mag;
  }

  end(): void {
    if (this.remaining !== 0) {
      throw new SshsigError(
        'trailing-data',
        `${this.what}: ${this.remaining} unexpected trailing byte(s)`,
      );
    }
  }

  private short(field: string): SshsigError {
    return new SshsigError(this.errCode, `${this.what}: truncated while reading ${field}`);
  }
}

function putString(parts: Buffer[], data: Buffer | string): void {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length, 0);
  parts.push(len, b);
}

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

// ---------------------------------------------------------------------------
// Public keys
// ---------------------------------------------------------------------------

interface EcCurve {
  sshName: string; // curve identifier inside the blob
  jwkCrv: 'P-256' | 'P-384' | 'P-521';
  fieldBytes: number;
  order: bigint;
  orderBits: number;
  hash: 'sha256' | 'sha384' | 'sha512';
}

const P256: EcCurve = {
  sshName: 'nistp256',
  jwkCrv: 'P-256',
  fieldBytes: 32,
  order: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  orderBits: 256,
  hash: 'sha256',
};
const P384: EcCurve = {
  sshName: 'nistp384',
  jwkCrv: 'P-384',
  fieldBytes: 48,
  order: BigInt(
    '0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  ),
  orderBits: 384,
  hash: 'sha384',
};
const P521: EcCurve = {
  sshName: 'nistp521',
  jwkCrv: 'P-521',
  fieldBytes: 66,
  order: BigInt(
    '0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  ),
  orderBits: 521,
  hash: 'sha512',
};

const CURVE_BY_TYPE: Partial<Record<KeyType, EcCurve>> = {
  'ecdsa-sha2-nistp256': P256,
  'ecdsa-sha2-nistp384': P384,
  'ecdsa-sha2-nistp521': P521,
  'sk-ecdsa-sha2-nistp256@openssh.com': P256,
};

/** Parsed key material (internal). */
type KeyMaterial =
  | { kind: 'ed25519'; pk: Buffer; application?: string }
  | { kind: 'ecdsa'; curve: EcCurve; x: Buffer; y: Buffer; application?: string }
  | { kind: 'rsa'; e: Buffer; n: Buffer; bits: number };

interface ParsedKey {
  publicKey: SshPublicKey;
  material: KeyMaterial;
  certificate?: SshCertificate;
}

function bitLength(mag: Buffer): number {
  if (mag.length === 0) return 0;
  return (mag.length - 1) * 8 + (32 - Math.clz32(mag[0]!));
}

function bigFromBuf(b: Buffer): bigint {
  return b.length === 0 ? 0n : BigInt('0x' + b.toString('hex'));
}

function bigBits(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

function isKeyType(s: string): s is KeyType {
  return (KEY_TYPES as readonly string[]).includes(s);
}

function describeType(name: string): string {
  const printable = /^[\x21-\x7e]{1,64}$/.test(name) ? name : JSON.stringify(name.slice(0, 64));
  return printable;
}

function unsupportedTypeMessage(name: string): string {
  if (/-cert-v0[01]@openssh\.com$/.test(name)) {
    return `key type ${describeType(name)} is a certificate; list the signer's plain public key, or the CA's key on a cert-authority line`;
  }
  const why = KNOWN_UNSUPPORTED_KEY_TYPES.get(name);
  if (why !== undefined) {
    return `key type ${name} is not supported (${why}); use an ssh-ed25519 key instead`;
  }
  return `unknown key type ${describeType(name)}; supported types: ${KEY_TYPES.join(', ')}`;
}

function fingerprintOf(blob: Buffer): string {
  return (
    'SHA256:' + nodeCrypto().createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
  );
}

const CERT_SUFFIX = '-cert-v01@openssh.com';

/** `ssh-ed25519-cert-v01@openssh.com` → `ssh-ed25519`; undefined for other names. */
function certBaseType(name: string): KeyType | undefined {
  if (!name.endsWith(CERT_SUFFIX)) return undefined;
  const base = name.slice(0, -CERT_SUFFIX.length);
  const plain =
    base === 'sk-ssh-ed25519' || base === 'sk-ecdsa-sha2-nistp256' ? `${base}@openssh.com` : base;
  return isKeyType(plain) ? plain : undefined;
}

/**
 * Parse a public key wire blob; the whole buffer must be consumed. With
 * `allowCert`, a certificate blob is accepted: its CA signature is verified
 * here (as sshkey_from_blob → cert_parse does) and the certified plain key is
 * returned with the certificate beside it.
 */
function parseKeyBlob(blob: Buffer, what: string, allowCert = false): ParsedKey {
  const r = new Reader(blob, what, 'truncated');
  const typeBytes = r.string('key type');
  if (typeBytes.includes(0))
    throw new SshsigError('key-invalid', `${what}: key type contains a NUL byte`);
  const typeName = typeBytes.toString('latin1');
  const base = allowCert ? certBaseType(typeName) : undefined;
  if (base) return parseCertBlob(blob, r, typeName, base, what);
  if (!isKeyType(typeName))
    throw new SshsigError('key-type', `${what}: ${unsupportedTypeMessage(typeName)}`);
  readMaterial(r, typeName, what);
  r.end();
  const parsed = parsePlainMaterial(blob, what);
  return parsed;
}

/** packed list of strings (principals) or of (name, data) pairs (options, extensions). */
function readPacked(buf: Buffer, what: string, pairs: boolean): string[] {
  const r = new Reader(buf, what, 'key-invalid');
  const out: string[] = [];
  while (r.remaining > 0) {
    out.push(r.cstring(pairs ? 'option name' : 'principal', 'key-invalid'));
    if (pairs) r.string('option data');
  }
  return out;
}

function parseCertBlob(
  blob: Buffer,
  r: Reader,
  certType: string,
  base: KeyType,
  what: string,
): ParsedKey {
  r.string('certificate nonce');
  const start = r.offset;
  readMaterial(r, base, what);
  const plain = Buffer.concat([
    u32be(Buffer.byteLength(base, 'latin1')),
    Buffer.from(base, 'latin1'),
    blob.subarray(start, r.offset),
  ]);
  const key = parsePlainMaterial(plain, what);
  const serial = r.u64('certificate serial');
  const type = r.u32('certificate type');
  const keyId = r.cstring('certificate key id', 'key-invalid');
  const principals = readPacked(
    r.string('certificate principals'),
    `${what}: certificate principals`,
    false,
  );
  const validAfter = r.u64('certificate valid after');
  const validBefore = r.u64('certificate valid before');
  const criticalOptions = readPacked(
    r.string('certificate critical options'),
    `${what}: certificate critical options`,
    true,
  );
  const extensions = readPacked(
    r.string('certificate extensions'),
    `${what}: certificate extensions`,
    true,
  );
  r.string('certificate reserved');
  const caBlob = r.string('certificate signature key');
  const signedEnd = r.offset;
  const sigBlob = r.string('certificate signature');
  r.end();
  // A certificate cannot be a CA (OpenSSH refuses it too): parse without allowCert.
  const ca = parseKeyBlob(Buffer.from(caBlob), `${what}: certificate authority key`);
  const sig = parseSigField(ca, sigBlob);
  const check = { key: ca, inner: sig.inner, ...(sig.sk ? { sk: sig.sk } : {}) } as SigInternal;
  if (!cryptoCheck(check, blob.subarray(0, signedEnd))) {
    throw new SshsigError(
      'bad-signature',
      `${what}: the certificate's signature by CA key ${ca.publicKey.fingerprint} does not verify`,
    );
  }
  return {
    publicKey: key.publicKey,
    material: key.material,
    certificate: {
      certType,
      type,
      serial,
      keyId,
      principals,
      validAfter,
      validBefore,
      criticalOptions,
      extensions,
      ca: ca.publicKey,
    },
  };
}

/** A plain key blob (type string + material) → ParsedKey, material validated. */
function parsePlainMaterial(blob: Buffer, what: string): ParsedKey {
  const r = new Reader(blob, what, 'truncated');
  const typeName = r.string('key type').toString('latin1') as KeyType;
  const material = readMaterial(r, typeName, what);
  r.end();
  // The KeyObject import validates the material (e.g. EC point on the curve).
  keyObjectFor(material, what);
  const copy = Buffer.from(blob);
  return { publicKey: { type: typeName, blob: copy, fingerprint: fingerprintOf(copy) }, material };
}

function readMaterial(r: Reader, typeName: KeyType, what: string): KeyMaterial {
  let material: KeyMaterial;
  switch (typeName) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      const pk = r.string('ed25519 public key');
      if (pk.length !== 32) {
        throw new SshsigError(
          'key-invalid',
          `${what}: ed25519 public key is ${pk.length} bytes, expected 32`,
        );
      }
      material = { kind: 'ed25519', pk: Buffer.from(pk) };
      if (typeName === 'sk-ssh-ed25519@openssh.com') {
        material.application = r.cstring('security key application', 'key-invalid');
      }
      break;
    }
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
    case 'sk-ecdsa-sha2-nistp256@openssh.com': {
      const curve = CURVE_BY_TYPE[typeName]!;
      const curveName = r.string('curve name');
      if (!curveName.equals(Buffer.from(curve.sshName, 'latin1'))) {
        throw new SshsigError(
          'key-invalid',
          `${what}: curve ${describeType(curveName.toString('latin1'))} does not match key type ${typeName}`,
        );
      }
      const q = r.string('EC point');
      if (q.length !== 1 + 2 * curve.fieldBytes || q[0] !== 0x04) {
        throw new SshsigError(
          'key-invalid',
          `${what}: EC point is not an uncompressed ${curve.jwkCrv} point`,
        );
      }
      const x = Buffer.from(q.subarray(1, 1 + curve.fieldBytes));
      const y = Buffer.from(q.subarray(1 + curve.fieldBytes));
      // The extra checks OpenSSH's sshkey_ec_validate_public() performs
      // (on-curve is checked when the KeyObject is built).
      const xv = bigFromBuf(x);
      const yv = bigFromBuf(y);
      const half = Math.floor(curve.orderBits / 2);
      if (
        bigBits(xv) <= half ||
        bigBits(yv) <= half ||
        xv >= curve.order - 1n ||
        yv >= curve.order - 1n
      ) {
        throw new SshsigError('key-invalid', `${what}: EC public point fails validation`);
      }
      material = { kind: 'ecdsa', curve, x, y };
      if (typeName === 'sk-ecdsa-sha2-nistp256@openssh.com') {
        material.application = r.cstring('security key application', 'key-invalid');
      }
      break;
    }
    case 'ssh-rsa': {
      const e = r.mpint('RSA exponent', 'key-invalid', true);
      const n = r.mpint('RSA modulus', 'key-invalid', true);
      const bits = bitLength(n);
      if (bits < MIN_RSA_BITS) {
        throw new SshsigError(
          'weak-key',
          `${what}: RSA key has ${bits} bits; cleanroom requires at least ${MIN_RSA_BITS} (generate a new key, e.g. ssh-keygen -t ed25519)`,
        );
      }
      if (e.length === 0 || (e[e.length - 1]! & 1) === 0 || (e.length === 1 && e[0]! < 3)) {
        throw new SshsigError('key-invalid', `${what}: RSA public exponent is invalid`);
      }
      if (e.length > n.length || (e.length === n.length && e.compare(n) >= 0)) {
        throw new SshsigError(
          'key-invalid',
          `${what}: RSA public exponent is not smaller than the modulus`,
        );
      }
      material = { kind: 'rsa', e: Buffer.from(e), n: Buffer.from(n), bits };
      break;
    }
  }
  return material;
}

const keyObjectCache = new WeakMap<KeyMaterial, KeyObject>();

function keyObjectFor(m: KeyMaterial, what: string): KeyObject {
  const cached = keyObjectCache.get(m);
  if (cached) return cached;
  let ko: KeyObject;
  try {
    switch (m.kind) {
      case 'ed25519':
        ko = nodeCrypto().createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: m.pk.toString('base64url') },
          format: 'jwk',
        });
        break;
      case 'ecdsa':
        ko = nodeCrypto().createPublicKey({
          key: {
            kty: 'EC',
            crv: m.curve.jwkCrv,
            x: m.x.toString('base64url'),
            y: m.y.toString('base64url'),
          },
          format: 'jwk',
        });
        break;
      case 'rsa':
        ko = nodeCrypto().createPublicKey({
          key: { kty: 'RSA', n: m.n.toString('base64url'), e: m.e.toString('base64url') },
          format: 'jwk',
        });
        break;
    }
  } catch {
    throw new SshsigError('key-invalid', `${what}: public key material is invalid`);
  }
  keyObjectCache.set(m, ko);
  return ko;
}

/**
 * Parse the key part of an authorized_keys / allowed_signers line:
 * "keytype base64 [comment]". Leading and trailing whitespace is ignored.
 * The type name must match the type inside the blob. Throws SshsigError.
 */
export function parsePublicKey(line: string): SshPublicKey {
  return parsePublicKeyInternal(line).publicKey;
}

function parsePublicKeyInternal(line: string): ParsedKey {
  if (typeof line !== 'string') throw new SshsigError('input', 'public key must be a string');
  if (line.length > MAX_KEY_LINE)
    throw new SshsigError('too-large', 'public key line is larger than 64 KiB');
  const text = line.replace(/^[ \t]+/, '');
  const m = /^([^ \t]+)[ \t]+([^ \t]+)/.exec(text);
  if (!m) {
    throw new SshsigError('key-invalid', 'expected "<keytype> <base64 key> [comment]"');
  }
  const typeName = m[1]!;
  if (!isKeyType(typeName)) throw new SshsigError('key-type', unsupportedTypeMessage(typeName));
  const blob = decodeBase64Strict(Buffer.from(m[2]!, 'utf8'));
  if (blob === null) {
    throw new SshsigError(
      'base64',
      `the ${typeName} key is not valid base64 (was it truncated or wrapped?)`,
    );
  }
  const parsed = parseKeyBlob(blob, 'public key');
  if (parsed.publicKey.type !== typeName) {
    throw new SshsigError(
      'key-type',
      `key is labelled ${typeName} but the encoded key is ${parsed.publicKey.type}`,
    );
  }
  return parsed;
}

/**
 * A public key line that may be a certificate (`id_ed25519-cert.pub`): the
 * certified plain key and, for a certificate, its verified contents. Throws
 * SshsigError.
 */
export function parseKeyOrCertificate(line: string): {
  key: SshPublicKey;
  certificate?: SshCertificate;
} {
  if (typeof line !== 'string') throw new SshsigError('input', 'public key must be a string');
  const m = /^[ \t]*([^ \t]+)[ \t]+([^ \t\r\n]+)/.exec(line);
  if (!m || !certBaseType(m[1]!)) return { key: parsePublicKey(line) };
  const blob = decodeBase64Strict(Buffer.from(m[2]!, 'utf8'));
  if (blob === null)
    throw new SshsigError('base64', `the ${m[1]!} certificate is not valid base64`);
  const parsed = parseKeyBlob(blob, 'certificate', true);
  if (!parsed.certificate || parsed.certificate.certType !== m[1])
    throw new SshsigError('key-type', `the line is labelled ${m[1]!} but holds another key type`);
  return { key: parsed.publicKey, certificate: parsed.certificate };
}

/** Render a key as "type base64" (authorized_keys format, no comment). */
export function formatPublicKey(key: SshPublicKey): string {
  return `${key.type} ${key.blob.toString('base64')}`;
}

/** Byte-exact key equality (blobs are canonical, so this is key equality). */
export function sameKey(a: SshPublicKey, b: SshPublicKey): boolean {
  return a.type === b.type && a.blob.equals(b.blob);
}

// ---------------------------------------------------------------------------
// Armor
// ---------------------------------------------------------------------------

function toInputBuffer(armored: unknown): Buffer {
  if (typeof armored === 'string') {
    // Cheap size check before converting: a UTF-8 encoding is never shorter
    // than the number of UTF-16 code units / 3, and usually equal.
    if (armored.length > MAX_ARMORED_BYTES) {
      throw new SshsigError('too-large', `signature is larger than ${MAX_ARMORED_BYTES} bytes`);
    }
    const b = Buffer.from(armored, 'utf8');
    if (b.length > MAX_ARMORED_BYTES) {
      throw new SshsigError('too-large', `signature is larger than ${MAX_ARMORED_BYTES} bytes`);
    }
    return b;
  }
  if (armored instanceof Uint8Array) {
    if (armored.length > MAX_ARMORED_BYTES) {
      throw new SshsigError('too-large', `signature is larger than ${MAX_ARMORED_BYTES} bytes`);
    }
    return Buffer.from(armored.buffer, armored.byteOffset, armored.byteLength);
  }
  throw new SshsigError('input', 'signature must be a string or a Buffer');
}

/** Returns the decoded SSHSIG binary blob from an armored signature. */
function dearmor(input: Buffer): Buffer {
  if (input.length === 0) throw new SshsigError('armor', 'signature is empty');
  if (
    input.length < BEGIN_BYTES.length ||
    !input.subarray(0, BEGIN_BYTES.length).equals(BEGIN_BYTES)
  ) {
    throw new SshsigError(
      'armor',
      `signature must start with the line "${BEGIN}" (with nothing before it)`,
    );
  }
  const body = input.subarray(BEGIN_BYTES.length);
  const endAt = body.indexOf(END_MARKER);
  if (endAt < 0) throw new SshsigError('armor', `signature has no "${END}" line`);
  const b64 = body.subarray(0, endAt);
  const after = body.subarray(endAt + END_MARKER.length);
  for (const c of after) {
    if (!isCSpace(c)) {
      throw new SshsigError(
        'armor',
        after.includes(Buffer.from('-----', 'latin1'))
          ? 'signature has more than one armor block or a duplicated END line'
          : `unexpected data after the "${END}" line`,
      );
    }
  }
  if (b64.includes(Buffer.from('-----', 'latin1'))) {
    throw new SshsigError('armor', 'signature has a duplicated or misplaced armor line');
  }
  const blob = decodeBase64Strict(b64);
  if (blob === null) {
    throw new SshsigError(
      'base64',
      'signature body is not valid base64 (strict: alphabet, padding and trailing bits)',
    );
  }
  return blob;
}

/**
 * Wrap a one-line base64 SSHSIG blob (as carried in a git trailer) into the
 * armored form `ssh-keygen` writes (70-column lines). The input must be strict
 * standard base64 with padding and no embedded whitespace; leading and
 * trailing whitespace is ignored. Throws SshsigError.
 */
export function armorFromBase64(b64: string): string {
  if (typeof b64 !== 'string') throw new SshsigError('input', 'base64 signature must be a string');
  if (b64.length > MAX_ARMORED_BYTES) {
    throw new SshsigError('too-large', `signature is larger than ${MAX_ARMORED_BYTES} bytes`);
  }
  const s = b64.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (s.length === 0) throw new SshsigError('base64', 'base64 signature is empty');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) {
    throw new SshsigError('base64', 'signature is not a single line of standard padded base64');
  }
  const blob = decodeBase64Strict(Buffer.from(s, 'latin1'));
  if (blob === null || blob.toString('base64') !== s) {
    throw new SshsigError('base64', 'signature is not canonical base64');
  }
  return armorBlob(blob);
}

/** Armor a binary SSHSIG blob exactly like ssh-keygen (sshsig_armor). */
export function armorBlob(blob: Buffer): string {
  const s = blob.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < s.length; i += 70) lines.push(s.slice(i, i + 70));
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/**
 * The inverse of {@link armorFromBase64}: validate the armor (strictly, as
 * {@link verifySshsig} does) and return the blob as one line of canonical
 * base64, suitable for a git trailer. Throws SshsigError.
 */
export function toCompactBase64(armored: string | Buffer | Uint8Array): string {
  return dearmor(toInputBuffer(armored)).toString('base64');
}

// ---------------------------------------------------------------------------
// Signature parsing
// ---------------------------------------------------------------------------

interface SigInternal {
  parsed: ParsedSignature;
  key: ParsedKey;
  namespaceBytes: Buffer;
  /** Inner signature material, per family. */
  inner:
    | { kind: 'ed25519'; sig: Buffer }
    | { kind: 'ecdsa'; r: Buffer; s: Buffer }
    | { kind: 'rsa'; hash: 'sha256' | 'sha512'; sig: Buffer };
  sk?: { flags: number; counter: number };
}

function expectedSigTypes(t: KeyType): readonly string[] {
  switch (t) {
    case 'ssh-rsa':
      return ['rsa-sha2-256', 'rsa-sha2-512'];
    default:
      return [t];
  }
}

function parseSigField(
  key: ParsedKey,
  sigBlob: Buffer,
): Pick<SigInternal, 'inner' | 'sk'> & { sigType: string } {
  const what = 'signature';
  const r = new Reader(sigBlob, what, 'signature-format');
  const sigTypeBytes = r.string('signature algorithm');
  if (sigTypeBytes.includes(0))
    throw new SshsigError('signature-format', 'signature algorithm contains a NUL byte');
  const sigType = sigTypeBytes.toString('latin1');
  const keyType = key.publicKey.type;
  if (keyType === 'ssh-rsa' && sigType === 'ssh-rsa') {
    throw new SshsigError(
      'signature-type',
      'RSA signature uses ssh-rsa (SHA-1), which is refused; sign with a current ssh-keygen (rsa-sha2-512)',
    );
  }
  if (!expectedSigTypes(keyType).includes(sigType)) {
    throw new SshsigError(
      'signature-type',
      `signature algorithm ${describeType(sigType)} does not match the ${keyType} key (expected ${expectedSigTypes(keyType).join(' or ')})`,
    );
  }
  let inner: SigInternal['inner'];
  let sk: SigInternal['sk'];
  switch (key.material.kind) {
    case 'ed25519': {
      const sig = r.string('ed25519 signature');
      if (sig.length !== 64) {
        throw new SshsigError(
          'signature-format',
          `ed25519 signature is ${sig.length} bytes, expected 64`,
        );
      }
      inner = { kind: 'ed25519', sig };
      break;
    }
    case 'ecdsa': {
      const inBlob = r.string('ECDSA signature');
      const ir = new Reader(inBlob, 'ECDSA signature', 'signature-format');
      const rr = ir.mpint('r', 'signature-format', false);
      const ss = ir.mpint('s', 'signature-format', false);
      ir.end();
      inner = { kind: 'ecdsa', r: rr, s: ss };
      break;
    }
    case 'rsa': {
      const sig = r.string('RSA signature');
      inner = { kind: 'rsa', hash: sigType === 'rsa-sha2-256' ? 'sha256' : 'sha512', sig };
      break;
    }
  }
  if (keyType.startsWith('sk-')) {
    const flags = r.u8('security key flags');
    const counter = r.u32('security key counter');
    sk = { flags, counter };
  }
  r.end();
  return sk ? { sigType, inner, sk } : { sigType, inner };
}

function parseBlob(blob: Buffer): SigInternal {
  const what = 'signature';
  const r = new Reader(blob, what, 'truncated');
  if (blob.length < MAGIC.length || !blob.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new SshsigError('magic', 'signature does not start with the SSHSIG magic');
  }
  r.bytes(MAGIC.length, 'magic');
  const version = r.u32('version');
  if (version !== 1) {
    throw new SshsigError(
      'version',
      `signature version ${version} is not supported (only version 1)`,
    );
  }
  const keyBlob = r.string('public key');
  const nsBytes = r.string('namespace');
  const reserved = r.string('reserved');
  const hashBytes = r.string('hash algorithm');
  const sigBlob = r.string('signature');
  r.end();

  const key = parseKeyBlob(keyBlob, 'signing key', true);
  if (nsBytes.includes(0))
    throw new SshsigError('namespace', 'signature namespace contains a NUL byte');
  if (nsBytes.length === 0) throw new SshsigError('namespace', 'signature namespace is empty');
  if (reserved.length !== 0) {
    throw new SshsigError(
      'reserved',
      'signature has a non-empty reserved field (not produced by OpenSSH; refusing unsigned data)',
    );
  }
  const hashName = hashBytes.toString('latin1');
  if (hashName !== 'sha256' && hashName !== 'sha512') {
    throw new SshsigError(
      'hash-algorithm',
      `hash algorithm ${describeType(hashName)} is not allowed (sha256 or sha512)`,
    );
  }
  const sigField = parseSigField(key, sigBlob);
  const parsed: ParsedSignature = {
    version,
    publicKey: key.publicKey,
    namespace: nsBytes.toString('utf8'),
    hashAlgorithm: hashName,
    sigType: sigField.sigType,
    sigBlob: Buffer.from(sigBlob),
  };
  if (sigField.sk) parsed.sk = { ...sigField.sk };
  if (key.certificate) parsed.certificate = key.certificate;
  const out: SigInternal = {
    parsed,
    key,
    namespaceBytes: Buffer.from(nsBytes),
    inner: sigField.inner,
  };
  if (sigField.sk) out.sk = sigField.sk;
  return out;
}

/**
 * Parse and structurally validate an armored SSHSIG signature without
 * verifying it. Throws SshsigError.
 */
export function parseSignature(armored: string | Buffer | Uint8Array): ParsedSignature {
  return parseBlob(dearmor(toInputBuffer(armored))).parsed;
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

function signedData(namespace: Buffer, hashAlg: HashAlgorithm, message: Buffer): Buffer {
  const h = nodeCrypto().createHash(hashAlg).update(message).digest();
  const parts: Buffer[] = [MAGIC];
  putString(parts, namespace);
  putString(parts, Buffer.alloc(0)); // reserved
  putString(parts, hashAlg);
  putString(parts, h);
  return Buffer.concat(parts);
}

function leftPad(b: Buffer, len: number): Buffer | null {
  if (b.length > len) return null;
  if (b.length === len) return b;
  return Buffer.concat([Buffer.alloc(len - b.length), b]);
}

function cryptoCheck(sig: SigInternal, data: Buffer): boolean {
  const m = sig.key.material;
  const ko = keyObjectFor(m, 'signing key');
  const inner = sig.inner;
  const sk = sig.sk;
  // FIDO: the authenticator signs sha256(application) || flags || counter || sha256(data)
  const payload = sk
    ? Buffer.concat([
        nodeCrypto()
          .createHash('sha256')
          .update(Buffer.from((m as { application?: string }).application ?? '', 'latin1'))
          .digest(),
        Buffer.from([sk.flags]),
        u32be(sk.counter),
        nodeCrypto().createHash('sha256').update(data).digest(),
      ])
    : data;
  try {
    if (inner.kind === 'ed25519' && m.kind === 'ed25519') {
      return nodeCrypto().verify(null, payload, ko, inner.sig);
    }
    if (inner.kind === 'ecdsa' && m.kind === 'ecdsa') {
      const L = m.curve.fieldBytes;
      const rr = leftPad(inner.r, L);
      const ss = leftPad(inner.s, L);
      if (!rr || !ss) return false;
      const rv = bigFromBuf(inner.r);
      const sv = bigFromBuf(inner.s);
      if (rv === 0n || sv === 0n || rv >= m.curve.order || sv >= m.curve.order) return false;
      const hash = sk ? 'sha256' : m.curve.hash;
      return nodeCrypto().verify(
        hash,
        payload,
        { key: ko, dsaEncoding: 'ieee-p1363' },
        Buffer.concat([rr, ss]),
      );
    }
    if (inner.kind === 'rsa' && m.kind === 'rsa') {
      const modLen = Math.ceil(m.bits / 8);
      const s = leftPad(inner.sig, modLen);
      if (!s) return false;
      return nodeCrypto().verify(
        inner.hash,
        payload,
        { key: ko, padding: nodeCrypto().constants.RSA_PKCS1_PADDING },
        s,
      );
    }
  } catch {
    return false;
  }
  return false;
}

export interface VerifyOptions {
  /** The armored signature ("-----BEGIN SSH SIGNATURE-----" ...). */
  armored: string | Buffer | Uint8Array;
  /** The signed message (strings are encoded as UTF-8). */
  message: Buffer | string | Uint8Array;
  /** The namespace the signature must have been made for (`-n`). */
  namespace: string;
  /** FIDO keys: require the user-presence flag (default true). */
  requireUserPresence?: boolean;
}

/**
 * Verify an armored SSHSIG signature over `message` for `namespace`. Like
 * `ssh-keygen -Y verify` without `-f`: this establishes that the embedded key
 * made the signature, not that the key is trusted; use findSigner() for that.
 * Never throws.
 */
export function verifySshsig(opts: VerifyOptions): VerifyResult {
  try {
    if (opts === null || typeof opts !== 'object')
      throw new SshsigError('input', 'options must be an object');
    const { namespace, message } = opts;
    if (typeof namespace !== 'string' || namespace.length === 0) {
      throw new SshsigError('input', 'expected namespace must be a non-empty string');
    }
    if (namespace.includes('\0'))
      throw new SshsigError('input', 'expected namespace contains a NUL character');
    let msg: Buffer;
    if (typeof message === 'string') msg = Buffer.from(message, 'utf8');
    else if (message instanceof Uint8Array)
      msg = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    else throw new SshsigError('input', 'message must be a string or a Buffer');

    const sig = parseBlob(dearmor(toInputBuffer(opts.armored)));
    const expectedNs = Buffer.from(namespace, 'utf8');
    if (!sig.namespaceBytes.equals(expectedNs)) {
      throw new SshsigError(
        'namespace',
        `signature was made for namespace ${JSON.stringify(sig.parsed.namespace)}, expected ${JSON.stringify(namespace)}`,
      );
    }
    const data = signedData(expectedNs, sig.parsed.hashAlgorithm, msg);
    if (!cryptoCheck(sig, data)) {
      throw new SshsigError(
        'bad-signature',
        `signature by ${sig.parsed.publicKey.type} key ${sig.parsed.publicKey.fingerprint} does not match the message`,
      );
    }
    if (
      sig.sk &&
      opts.requireUserPresence !== false &&
      (sig.sk.flags & SK_FLAG_USER_PRESENCE) === 0
    ) {
      throw new SshsigError(
        'user-presence',
        'security-key signature was made without user presence (touch); re-sign and touch the key',
      );
    }
    return sig.parsed.certificate
      ? {
          ok: true,
          publicKey: sig.parsed.publicKey,
          signature: sig.parsed,
          certificate: sig.parsed.certificate,
        }
      : { ok: true, publicKey: sig.parsed.publicKey, signature: sig.parsed };
  } catch (e) {
    if (e instanceof SshsigError) return { ok: false, code: e.code, reason: e.message };
    return {
      ok: false,
      code: 'internal',
      reason: `internal error while verifying signature: ${String((e as Error)?.message ?? e)}`,
    };
  }
}
