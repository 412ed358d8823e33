import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AllowedSignersError,
  findSigner,
  matchPattern,
  matchPatternList,
  parseAllowedSigners,
  parseSshTime,
  splitPatternList,
  type AllowedSigner,
} from '../../../src/sign/allowed-signers.js';
import { parsePublicKey, type SshPublicKey } from '../../../src/sign/sshsig.js';
import { nodeKey, pubLine } from './helpers.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/sign');
const ED = readFileSync(join(FIXTURES, 'ed25519.pub'), 'utf8')
  .trim()
  .split(' ')
  .slice(0, 2)
  .join(' ');
const EC = readFileSync(join(FIXTURES, 'ecdsa-p256.pub'), 'utf8')
  .trim()
  .split(' ')
  .slice(0, 2)
  .join(' ');
const RSA = readFileSync(join(FIXTURES, 'rsa-3072.pub'), 'utf8')
  .trim()
  .split(' ')
  .slice(0, 2)
  .join(' ');
const edKey = parsePublicKey(ED);
const ecKey = parsePublicKey(EC);
const rsaKey = parsePublicKey(RSA);
const FILE = '.cleanroom/approvers';

function parseErr(text: string): AllowedSignersError {
  try {
    parseAllowedSigners(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(AllowedSignersError);
    return e as AllowedSignersError;
  }
  throw new Error('expected AllowedSignersError');
}

describe('matchPattern (ssh match_pattern)', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['', '', true],
    ['', 'a', false],
    ['alice@example.com', 'alice@example.com', true],
    ['alice@example.com', 'Alice@example.com', false], // case-sensitive
    ['alice@example.com', 'alice@example.co', false],
    ['alice@example.co', 'alice@example.com', false],
    ['*@example.com', 'bob@example.com', true],
    ['*@example.com', 'bob@example.com.evil', false],
    ['*@example.com', '@example.com', true],
    ['?ob@example.com', 'bob@example.com', true],
    ['?ob@example.com', 'ob@example.com', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['a**b', 'ab', true],
    ['*?', '', false],
    ['*?', 'x', true],
    ['a*a*a*a*a*a*a*a*b', 'a'.repeat(200), false],
    ['caf?', 'café', false], // é is two UTF-8 bytes; ? matches one byte (as in OpenSSH)
    ['caf??', 'café', true],
    ['*', '*', true],
    ['\\*', '*', false], // no escaping
  ])('matchPattern(%j, %j) = %s', (p, s, want) => {
    expect(matchPattern(p, s)).toBe(want);
  });

  it('is fast on adversarial input', () => {
    const t0 = performance.now();
    expect(matchPattern('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(4096))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('pattern lists: split like match_pattern_list, negation wins', () => {
    expect(splitPatternList('a,b')).toEqual(['a', 'b']);
    expect(splitPatternList('a,')).toEqual(['a']);
    expect(splitPatternList(',a')).toEqual(['', 'a']);
    expect(splitPatternList('')).toEqual([]);
    const list = ['*@example.com', '!eve@example.com'];
    expect(matchPatternList('bob@example.com', list)).toBe(1);
    expect(matchPatternList('eve@example.com', list)).toBe(-1);
    expect(matchPatternList('bob@other.com', list)).toBe(0);
    expect(matchPatternList('eve@example.com', ['!eve@example.com', '*'])).toBe(-1);
    expect(matchPatternList('x', ['!y'])).toBe(0); // negation alone never grants
    expect(matchPatternList('x', [])).toBe(0);
  });
});

describe('parseSshTime', () => {
  it.each([
    ['20240101', '2024-01-01T00:00:00.000Z'],
    ['20240101Z', '2024-01-01T00:00:00.000Z'],
    ['20240101z', '2024-01-01T00:00:00.000Z'],
    ['20240101UTC', '2024-01-01T00:00:00.000Z'],
    ['202402291230', '2024-02-29T12:30:00.000Z'],
    ['20240229123059Z', '2024-02-29T12:30:59.000Z'],
  ])('%s -> %s (no suffix = UTC)', (s, iso) => expect(parseSshTime(s)?.toISOString()).toBe(iso));
  it.each([
    '',
    '2024',
    '2024010',
    '202401011',
    '20230229',
    '20241301',
    '20240100',
    '20240101T1200',
    '202401012400',
    '20240101126000',
    '19700101Z',
    '19690101',
    '2024-01-01',
    '20240101Q',
    ' 20240101',
  ])('rejects %j', (s) => expect(parseSshTime(s)).toBeNull());
});

describe('parseAllowedSigners', () => {
  it('parses entries, comments, blank lines, CRLF, quoted principals and options', () => {
    const text = [
      '# cleanroom approvers',
      '',
      `alice@example.com ${ED} alice's laptop`,
      '   # indented comment',
      `"bob@example.com,carol@example.com" ${EC}\r`,
      `*@ops.example.com,!mallory@ops.example.com namespaces="cleanroom-*,git",VALID-AFTER="20240101Z",valid-before="203001011200" ${RSA} ops`,
      `dave@example.com Namespaces="a b,c\\"d" ${ED}`,
      '\t',
    ].join('\n');
    const entries = parseAllowedSigners(text, FILE);
    expect(entries).toHaveLength(4);
    const [a, b, c, d] = entries as [AllowedSigner, AllowedSigner, AllowedSigner, AllowedSigner];
    expect(a).toMatchObject({
      principals: ['alice@example.com'],
      namespaces: null,
      validAfter: null,
      validBefore: null,
      line: 3,
      file: FILE,
    });
    expect(a.key.fingerprint).toBe(edKey.fingerprint);
    expect(b.principals).toEqual(['bob@example.com', 'carol@example.com']);
    expect(b.line).toBe(5);
    expect(b.key.type).toBe('ecdsa-sha2-nistp256');
    expect(c.principals).toEqual(['*@ops.example.com', '!mallory@ops.example.com']);
    expect(c.namespaces).toEqual(['cleanroom-*', 'git']);
    expect(c.validAfter?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(c.validBefore?.toISOString()).toBe('2030-01-01T12:00:00.000Z');
    expect(c.key.type).toBe('ssh-rsa');
    expect(d.namespaces).toEqual(['a b', 'c"d']);
    expect(parseAllowedSigners('', FILE)).toEqual([]);
    expect(parseAllowedSigners('# only a comment\n\n', FILE)).toEqual([]);
  });

  it('reads cert-authority lines (issue 17 §4), alone or with other options, in any case', () => {
    const [ca] = parseAllowedSigners(`# ca\n*@example.com cert-authority ${ED}\n`, FILE);
    expect(ca!.certAuthority).toBe(true);
    expect(ca!.principals).toEqual(['*@example.com']);
    const [both] = parseAllowedSigners(`x namespaces="git",Cert-Authority ${ED}`, FILE);
    expect(both!.certAuthority).toBe(true);
    expect(both!.namespaces).toEqual(['git']);
    // human control: a plain line is not a CA
    expect(parseAllowedSigners(`x ${ED}`, FILE)[0]!.certAuthority).toBe(false);
    // a misspelt flag is still an error, not a silent plain line
    expect(parseErr(`x cert-authorityX ${ED}`).errors[0]!.message).toMatch(/unknown option/);
  });

  it.each([
    ['bad base64', `alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA*AAA`, /not valid base64/],
    ['truncated key', `alice ${ED.slice(0, 40)}`, /truncated|claims/],
    ['unknown key type', `alice ssh-foo AAAAC3NzaC1lZDI1NTE5`, /unknown key type "ssh-foo"/],
    ['dsa key', `alice ssh-dss AAAAB3NzaC1kc3MAAACBAP1`, /not supported|base64|truncated/],
    [
      'type/blob mismatch',
      `alice ssh-rsa ${ED.split(' ')[1]}`,
      /labelled ssh-rsa but the encoded key is ssh-ed25519/,
    ],
    ['missing key', `alice`, /missing key/],
    ['missing key after options', `alice namespaces="git"`, /missing key after the options/],
    ['missing key type', `alice ${ED.split(' ')[1]}`, /key type is missing/],
    ['principals missing', `${ED} comment`, /put the principal\(s\) first/],
    [
      'unknown option',
      `alice no-touch-required,namespaces="git" ${ED}`,
      /unknown option "no-touch-required"/,
    ],
    ['trailing comma', `alice namespaces="git", ${ED}`, /trailing comma/],
    ['duplicate namespaces', `alice namespaces="git",namespaces="x" ${ED}`, /appears twice/],
    ['unquoted value', `alice namespaces=git ${ED}`, /double quotes/],
    ['unterminated quote', `alice namespaces="git ${ED}`, /unterminated quote/],
    ['bad time', `alice valid-after="2024-01-01" ${ED}`, /invalid valid-after time/],
    ['impossible date', `alice valid-before="20230230" ${ED}`, /invalid valid-before time/],
    [
      'before <= after',
      `alice valid-after="20250101",valid-before="20250101" ${ED}`,
      /not later than valid-after/,
    ],
    ['unterminated quoted principals', `"alice ${ED}`, /unterminated quote in the principals/],
    [
      'weak rsa',
      `alice ${pubLine(nodeKey('rsa', { rsaBits: 1024 }))}`,
      /1024 bits; cleanroom requires at least 2048/,
    ],
    ['certificate', `alice ssh-ed25519-cert-v01@openssh.com AAAA`, /certificate|base64|truncated/],
    ['NUL byte', `alice\0 ${ED}`, /NUL/],
    ['long pattern', `${'a'.repeat(1023)} ${ED}`, /1023 bytes long/],
  ])('reports %s with file and line number', (_name, line, re) => {
    const e = parseErr(`# header\n${line}\n`);
    expect(e.errors).toHaveLength(1);
    expect(e.errors[0]!.line).toBe(2);
    expect(e.errors[0]!.message.startsWith(`${FILE}:2: `)).toBe(true);
    expect(e.errors[0]!.message).toMatch(re);
  });

  it('collects every error in one exception', () => {
    const text = [
      `alice@example.com ${ED}`,
      `bob@example.com cert-authority ${EC}`,
      `carol@example.com ssh-ed25519 not_base64!`,
      `# fine`,
      `dave@example.com ssh-nope AAAA`,
      `erin@example.com valid-before="tomorrow" ${RSA}`,
    ].join('\n');
    const e = parseErr(text);
    expect(e.errors.map((x) => x.line)).toEqual([3, 5, 6]);
    expect(e.line).toBe(3);
    expect(e.message.split('\n')[0]).toBe(`3 problems in ${FILE}:`);
    for (const x of e.errors) expect(e.message).toContain(x.message);
    expect(e.message).toContain('— '); // every message says how to fix it
  });

  it('refuses absurdly large files and non-text input', () => {
    expect(parseErr('#'.repeat(1024 * 1024 + 1)).errors[0]!.message).toMatch(/larger than/);
    expect(() => parseAllowedSigners(undefined as unknown as string, FILE)).toThrow(
      AllowedSignersError,
    );
  });
});

describe('findSigner', () => {
  const text = [
    `alice@example.com ${ED}`,
    `*@ops.example.com,!mallory@ops.example.com ${EC}`,
    `carol@example.com namespaces="git" ${RSA}`,
    `carol@example.com namespaces="cleanroom-*",valid-after="20250101Z",valid-before="20260101Z" ${RSA}`,
    `dave@example.com namespaces="!cleanroom-review,cleanroom-*" ${ED}`,
  ].join('\n');
  const signers = parseAllowedSigners(text, FILE);
  const now = new Date('2025-06-01T00:00:00Z');
  const q = (principal: string, key: SshPublicKey, namespace = 'cleanroom-override', at = now) =>
    findSigner(signers, { principal, key, namespace, now: at });

  it('accepts listed keys for matching principals', () => {
    const r = q('alice@example.com', edKey);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.entry.line).toBe(1);
    expect(q('bob@ops.example.com', ecKey).ok).toBe(true);
    expect(q('dave@example.com', edKey).ok).toBe(true);
  });

  it('unknown-key names the fingerprint and the file', () => {
    const other = parsePublicKey(pubLine(nodeKey('ed25519')));
    const r = q('alice@example.com', other);
    expect(r).toMatchObject({ ok: false, code: 'unknown-key' });
    if (!r.ok) {
      expect(r.reason).toContain(`key ${other.fingerprint} is not in ${FILE}`);
      expect(r.reason).toContain(edKey.fingerprint); // alice's real key, as a hint
    }
  });

  it('principal mismatch explains who the key belongs to', () => {
    const r = q('bob@example.com', edKey);
    expect(r).toMatchObject({ ok: false, code: 'principal' });
    if (!r.ok) {
      expect(r.reason).toContain('is listed for alice@example.com');
      expect(r.reason).toContain('but the signature claims bob@example.com');
    }
    const neg = q('mallory@ops.example.com', ecKey);
    expect(neg).toMatchObject({ ok: false, code: 'principal' });
    if (!neg.ok) expect(neg.reason).toMatch(/excluded for mallory@ops\.example\.com/);
    expect(q('Alice@example.com', edKey)).toMatchObject({ ok: false, code: 'principal' });
  });

  it('namespace restrictions, including negated namespace patterns', () => {
    const r = q('carol@example.com', rsaKey, 'file');
    expect(r).toMatchObject({ ok: false, code: 'namespace' });
    if (!r.ok)
      expect(r.reason).toContain('namespace file not allowed for this key (namespaces="git"');
    expect(q('carol@example.com', rsaKey, 'git').ok).toBe(true);
    // line 4 allows cleanroom-* in the validity window; line 3 does not
    const ok = q('carol@example.com', rsaKey, 'cleanroom-override');
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.entry.line).toBe(4);
    expect(q('dave@example.com', edKey, 'cleanroom-review')).toMatchObject({
      ok: false,
      code: 'namespace',
    });
    expect(q('dave@example.com', edKey, 'git')).toMatchObject({ ok: false, code: 'namespace' });
  });

  it('validity windows use the verifier clock, whole seconds, inclusive bounds', () => {
    const at = (iso: string) => q('carol@example.com', rsaKey, 'cleanroom-override', new Date(iso));
    expect(at('2024-12-31T23:59:59Z')).toMatchObject({ ok: false, code: 'not-yet-valid' });
    expect(at('2025-01-01T00:00:00Z').ok).toBe(true);
    expect(at('2025-12-31T23:59:59Z').ok).toBe(true);
    expect(at('2026-01-01T00:00:00Z').ok).toBe(true); // verify_time > valid_before is the test
    expect(at('2026-01-01T00:00:00.999Z').ok).toBe(true); // same second
    const exp = at('2026-01-01T00:00:01Z');
    expect(exp).toMatchObject({ ok: false, code: 'expired' });
    if (!exp.ok) expect(exp.reason).toContain('expired on 2026-01-01 (valid-before');
    const early = at('2024-06-01T00:00:00Z');
    if (!early.ok) expect(early.reason).toContain('not valid until 2025-01-01 (valid-after');
    // git namespace is unaffected by the window on line 4
    expect(q('carol@example.com', rsaKey, 'git', new Date('2030-01-01T00:00:00Z')).ok).toBe(true);
  });

  it('valid-after without Z is UTC', () => {
    const s = parseAllowedSigners(`x valid-after="202501011230" ${ED}`, FILE);
    expect(
      findSigner(s, {
        principal: 'x',
        key: edKey,
        namespace: 'n',
        now: new Date('2025-01-01T12:29:59Z'),
      }).ok,
    ).toBe(false);
    expect(
      findSigner(s, {
        principal: 'x',
        key: edKey,
        namespace: 'n',
        now: new Date('2025-01-01T12:30:00Z'),
      }).ok,
    ).toBe(true);
  });

  it('never throws on bad arguments', () => {
    expect(findSigner([], { principal: 'a', key: edKey, namespace: 'n', now })).toMatchObject({
      ok: false,
      code: 'unknown-key',
    });
    expect(
      findSigner(signers, { principal: 'a'.repeat(5000), key: edKey, namespace: 'n', now }),
    ).toMatchObject({ ok: false, code: 'principal' });
    expect(
      findSigner(signers, {
        principal: 'alice@example.com',
        key: edKey,
        namespace: 'n',
        now: new Date(NaN),
      }).ok,
    ).toBe(false);
    expect(
      findSigner(signers, {
        principal: 'alice@example.com',
        key: null as unknown as SshPublicKey,
        namespace: 'n',
        now,
      }).ok,
    ).toBe(false);
    expect(
      findSigner(signers, { principal: 'alice@example.com', key: edKey, namespace: '', now }).ok,
    ).toBe(false);
  });
});
