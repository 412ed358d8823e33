// Pure tables for what an approver or reviewer signs: the canonical statement, the
// one-line trailer that carries it (parsed strictly), the coverage digest that binds
// (path, blob) pairs, and the request document `request` prints and `sign` reads.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FileChange } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import {
  canonicalText,
  coverage,
  foldTrailerValue,
  formatRequest,
  formatTrailerValue,
  isIsoInstant,
  isoSeconds,
  MAX_TRAILER_VALUE,
  parseDuration,
  parseRequest,
  parseTrailerValue,
  reasonProblem,
  validityProblem,
  type Request,
  type Statement,
} from '../../../src/sign/statement.js';
import { POLICY } from '../../helpers/repo.js';

const policy = loadPolicyText(POLICY, 'policy.yaml');
const ZERO = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
/** A syntactically valid SSHSIG-sized base64 value (parse does not verify it). */
const SIG = Buffer.from('SSHSIG' + 'x'.repeat(60)).toString('base64');

const ST: Statement = {
  kind: 'override',
  repository: 'example.org/acme/evals',
  zones: ['eval-tasks', 'training-data'],
  files: 2,
  digest: `sha256:${'5f'.repeat(32)}`,
  reason: 'Hand-checked fixtures from the 2025 set (50% of them)',
  principal: 'ava@example.org',
  created: '2026-11-24T10:00:00Z',
  expires: '2026-12-01T10:00:00Z',
};

const file = (
  path: string,
  blob: string,
  status: FileChange['status'] = 'A',
  from?: string,
): FileChange => ({
  status,
  path,
  blob,
  mode: status === 'D' ? '000000' : '100644',
  ...(from !== undefined ? { from } : {}),
});

/** The digest computed independently of coverage(): sha256 over "blob\0path\0", pairs sorted bytewise by path. */
function digestOf(pairs: [string, string][]): string {
  const sorted = [...pairs].sort((x, y) => Buffer.compare(Buffer.from(x[0]), Buffer.from(y[0])));
  const h = createHash('sha256');
  for (const [p, b] of sorted) h.update(`${b}\0${p}\0`);
  return `sha256:${h.digest('hex')}`;
}

describe('canonical statement', () => {
  it('is exactly these eight lines, in this order, each ending in a newline', () => {
    expect(canonicalText(ST)).toBe(
      'cleanroom override v1\n' +
        'repository example.org/acme/evals\n' +
        'zones eval-tasks,training-data\n' +
        `files 2 sha256:${'5f'.repeat(32)}\n` +
        'reason Hand-checked fixtures from the 2025 set (50% of them)\n' +
        'principal ava@example.org\n' +
        'created 2026-11-24T10:00:00Z\n' +
        'expires 2026-12-01T10:00:00Z\n',
    );
  });

  it('names the kind in its first line, so a review can never be read as an override', () => {
    const review = canonicalText({ ...ST, kind: 'review' });
    expect(review.split('\n')[0]).toBe('cleanroom review v1');
    expect(review).not.toBe(canonicalText(ST));
  });

  it.each<[string, Partial<Statement>]>([
    ['repository', { repository: 'example.org/other/evals' }],
    ['zones', { zones: ['eval-tasks'] }],
    ['file count', { files: 3 }],
    ['digest', { digest: `sha256:${'6f'.repeat(32)}` }],
    ['reason', { reason: 'something else' }],
    ['principal', { principal: 'bob@example.org' }],
    ['created', { created: '2026-11-24T10:00:01Z' }],
    ['expires', { expires: '2026-12-01T10:00:01Z' }],
  ])('changes when the %s changes (every field is bound)', (_name, change) => {
    expect(canonicalText({ ...ST, ...change })).not.toBe(canonicalText(ST));
  });

  it('writes instants one way: seconds, UTC, Z', () => {
    expect(isoSeconds(new Date('2026-11-24T10:00:00.999+02:00'))).toBe('2026-11-24T08:00:00Z');
  });
});

describe('reason', () => {
  it.each<[string, string, RegExp | undefined]>([
    ['plain sentence', 'hand-checked by the eval team', undefined],
    ['unicode', 'geprüft von Jürgen — ok ✓', undefined],
    ['empty', '', /empty/],
    ['blank', '   ', /empty/],
    [
      'newline smuggling a forged line',
      'ok\nprincipal mallory@example.org',
      /one line without control characters/,
    ],
    ['carriage return', 'ok\rexpires 2099-01-01T00:00:00Z', /one line/],
    ['tab', 'a\tb', /one line/],
    ['NUL', 'a\0b', /one line/],
    ['DEL', 'a\u007fb', /one line/],
    ['unicode line separator', 'a\u2028principal x', /one line/],
    ['unicode paragraph separator', 'a\u2029b', /one line/],
    ['501 characters', 'x'.repeat(501), /longer than 500/],
  ])('%s', (_name, reason, problem) => {
    const got = reasonProblem(reason);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });

  it('accepts exactly 500 characters', () => {
    expect(reasonProblem('x'.repeat(500))).toBeUndefined();
  });
});

describe('instants and validity windows', () => {
  it.each<[string, boolean]>([
    ['2026-11-24T10:00:00Z', true],
    ['2028-02-29T23:59:59Z', true],
    ['2026-13-45T99:99:99Z', false], // Date.parse gives NaN: an expiry no comparison catches
    ['2026-02-30T10:00:00Z', false], // rolls over to March 2 in Date.parse
    ['2026-12-31T24:00:00Z', false], // rolls over to the next day
    ['2026-12-31T23:59:60Z', false],
    ['2026-11-24T10:00:00.000Z', false],
    ['2026-11-24T10:00:00+00:00', false],
    ['2026-11-24 10:00:00Z', false],
    ['20261124T100000Z', false],
  ])('%s is a valid instant: %s', (s, ok) => {
    expect(isIsoInstant(s)).toBe(ok);
  });

  it.each<[string, string, RegExp | undefined]>([
    ['2026-11-24T10:00:00Z', '2026-12-01T10:00:00Z', undefined],
    ['2026-11-24T10:00:00Z', '2026-11-24T10:00:00Z', /expires before it was created/],
    ['2026-11-24T10:00:00Z', '2026-11-24T09:59:59Z', /expires before it was created/],
    ['2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z', undefined], // 366 days: the --expires limit
    ['2026-01-01T00:00:00Z', '2027-01-02T00:00:01Z', /more than a year/],
    ['2026-01-01T00:00:00Z', '9999-12-31T23:59:59Z', /more than a year/],
    ['2026-01-01T00:00:00Z', '2026-13-45T99:99:99Z', /real instants/],
  ])('created %s, expires %s', (created, expires, problem) => {
    const got = validityProblem(created, expires);
    if (problem) expect(got).toMatch(problem);
    else expect(got).toBeUndefined();
  });

  it.each<[string, number | undefined]>([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 30 * 60_000],
    [' 7d ', 7 * 86_400_000],
    ['366d', 366 * 86_400_000],
    ['367d', undefined],
    ['0d', undefined],
    ['7', undefined],
    ['7w', undefined],
    ['-7d', undefined],
    ['1.5d', undefined],
    ['', undefined],
  ])('duration %j → %s ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('trailer value', () => {
  const good = formatTrailerValue(ST, SIG);

  it('is one line: v1 and nine fields in a fixed order, values percent-encoded', () => {
    expect(good).toBe(
      'v1 repo=example.org/acme/evals by=ava@example.org zones=eval-tasks,training-data files=2 ' +
        `digest=sha256:${'5f'.repeat(32)} created=2026-11-24T10:00:00Z expires=2026-12-01T10:00:00Z ` +
        `reason=Hand-checked%20fixtures%20from%20the%202025%20set%20(50%25%20of%20them) sig=${SIG}`,
    );
    expect(good).not.toMatch(/[\n\r]/);
  });

  it('round-trips every field', () => {
    const { kind: _kind, ...fields } = ST;
    expect(parseTrailerValue(good)).toStrictEqual({ ok: true, statement: fields, signature: SIG });
  });

  it.each([
    'hand-checked: 100% (see #123) & signed off; "quoted" =equals= + plus',
    'geprüft — ok ✓ 𝓤𝓷𝓲𝓬𝓸𝓭𝓮',
    'a,b,c zones=x by=mallory@example.org sig=AAAA',
  ])('round-trips the reason %j without letting it add fields', (reason) => {
    const v = formatTrailerValue({ ...ST, reason }, SIG);
    expect(v.split(' ')).toHaveLength(10);
    const t = parseTrailerValue(v);
    expect(t.ok && t.statement.reason).toBe(reason);
  });

  it('survives surrounding whitespace (git trims trailer values)', () => {
    expect(parseTrailerValue(`  ${good}  `).ok).toBe(true);
  });

  const field = (name: string, value: string): string =>
    good.replace(new RegExp(`(^| )${name}=[^ ]*`), `$1${name}=${value}`);
  const drop = (name: string): string => good.replace(new RegExp(` ${name}=[^ ]*`), '');
  const swap = (a: string, b: string): string => {
    const parts = good.split(' ');
    const i = parts.findIndex((p) => p.startsWith(`${a}=`));
    const j = parts.findIndex((p) => p.startsWith(`${b}=`));
    [parts[i], parts[j]] = [parts[j]!, parts[i]!];
    return parts.join(' ');
  };

  it.each<[string, string, RegExp]>([
    ['an unknown version', good.replace(/^v1/, 'v2'), /unknown trailer version/],
    ['no version', good.replace(/^v1 /, ''), /unknown trailer version/],
    ['a missing field (reason)', drop('reason'), /expected 9 fields/],
    ['a missing field (sig)', drop('sig'), /expected 9 fields/],
    // After sig= every piece is signature (folded trailers cut it): an extra field spoils the signature.
    ['an extra field', `${good} extra=1`, /sig= is not base64/],
    [
      'a field given twice instead of another',
      good.replace(/ by=[^ ]*/, ' repo=example.org/acme/evals'),
      /field 2 should be by=/,
    ],
    ['fields out of order (zones before by)', swap('by', 'zones'), /field 2 should be by=/],
    ['fields out of order (sig before reason)', swap('reason', 'sig'), /expected 9 fields/],
    ['a field without "="', good.replace(/ files=2/, ' files'), /field 4 should be files=/],
    ['an upper-case field name', good.replace(/ by=/, ' BY='), /field 2 should be by=/],
    ['two spaces between fields', good.replace(' by=', '  by='), /expected 9 fields/],
    ['a tab between fields', good.replace(' by=', '\tby='), /expected 9 fields/],
    ['a raw newline inside a value', good.replace(' reason=', '\nreason='), /expected 9 fields/],
    ['files not a number', field('files', 'two'), /files= is not a count/],
    ['files negative', field('files', '-2'), /files= is not a count/],
    [
      'files with a leading zero (a second spelling)',
      field('files', '02'),
      /files= is not a count/,
    ],
    ['files with 8 digits', field('files', '12345678'), /files= is not a count/],
    [
      'digest of another algorithm',
      field('digest', `sha1:${'a'.repeat(40)}`),
      /digest= is not sha256/,
    ],
    [
      'digest in upper-case hex',
      field('digest', `sha256:${'5F'.repeat(32)}`),
      /digest= is not sha256/,
    ],
    ['digest too short', field('digest', `sha256:${'5f'.repeat(31)}`), /digest= is not sha256/],
    ['created not ISO', field('created', '2026-11-24'), /created=\/expires= must be/],
    [
      'expires with milliseconds',
      field('expires', '2026-12-01T10:00:00.000Z'),
      /created=\/expires= must be/,
    ],
    [
      'expires with an offset',
      field('expires', '2026-12-01T10:00:00+00:00'),
      /created=\/expires= must be/,
    ],
    [
      'expires that is no date (would never expire)',
      field('expires', '2026-13-45T99:99:99Z'),
      /real instants/,
    ],
    ['expires on February 30', field('expires', '2026-02-30T10:00:00Z'), /real instants/],
    ['sig with characters outside base64', field('sig', 'U1NI!0lH'), /sig= is not base64/],
    [
      'sig in base64url',
      field('sig', SIG.replace(/\+/g, '-').replace(/\//g, '_') + '-_'),
      /sig= is not base64/,
    ],
    [
      'sig with a length that is not a multiple of 4',
      field('sig', 'U1NIU0lHA'),
      /sig= is not base64/,
    ],
    ['sig with padding in the middle', field('sig', 'U1M=U0lH'), /sig= is not base64/],
    ['sig empty', field('sig', ''), /sig= is not base64/],
    ['sig still armored', field('sig', '-----BEGIN'), /sig= is not base64/],
    ['invalid percent-encoding', field('reason', 'bad%zzescape'), /not valid percent-encoding/],
    ['a truncated UTF-8 sequence', field('reason', 'caf%C3'), /not valid percent-encoding/],
    ['an overlong UTF-8 sequence', field('reason', '%C0%AF'), /not valid percent-encoding/],
    [
      'a newline smuggled into the reason',
      field('reason', 'ok%0Aprincipal%20mallory@example.org'),
      /one line without control characters/,
    ],
    ['a CR smuggled into the reason', field('reason', 'ok%0D'), /one line/],
    ['a NUL in the reason', field('reason', 'ok%00'), /one line/],
    ['U+2028 in the reason', field('reason', 'ok%E2%80%A8x'), /one line/],
    ['an ESC (terminal control) in the reason', field('reason', 'ok%1B%5B2J'), /one line/],
    ['an empty reason', field('reason', ''), /reason is empty/],
    ['a reason of 501 characters', field('reason', 'x'.repeat(501)), /longer than 500/],
    [
      'lower-case percent escapes (a second spelling)',
      field('reason', 'a%2cb'),
      /reason= is not percent-encoded the way cleanroom writes it/,
    ],
    ['a needlessly escaped letter', field('by', '%61va@example.org'), /by= is not percent-encoded/],
    ['a raw non-ASCII character', field('reason', 'geprüft'), /reason= is not percent-encoded/],
    [
      'a newline in the principal',
      field('by', 'ava%0A@example.org'),
      /by= is not percent-encoded|by=\/repo= contain/,
    ],
    [
      'a space in the principal',
      field('by', 'ava%20x@example.org'),
      /by=\/repo= contain characters/,
    ],
    ['an empty principal', field('by', ''), /by=\/repo= contain characters/],
    [
      'a control character in the repository',
      field('repo', 'example.org%0A'),
      /by=\/repo= contain characters/,
    ],
    ['an empty zone name', field('zones', 'eval-tasks,,training-data'), /empty zone name/],
  ])('refuses %s', (_name, value, reason) => {
    const t = parseTrailerValue(value);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.reason).toMatch(reason);
  });

  it('reads a percent-encoded comma as part of one zone name, never as a list separator', () => {
    // Zone names cannot hold a comma (schema), so such a statement never matches a policy.
    const t = parseTrailerValue(field('zones', 'eval-tasks%2Ctraining-data'));
    expect(t.ok && t.statement.zones).toEqual(['eval-tasks,training-data']);
  });

  it(`refuses a value over ${MAX_TRAILER_VALUE} bytes before looking at it`, () => {
    const t = parseTrailerValue(field('reason', 'x'.repeat(MAX_TRAILER_VALUE)));
    expect(!t.ok && t.reason).toMatch(/the trailer is \d+ bytes long; a real one is under 8192/);
  });

  it('refuses a 1 MB trailer quickly, with the size in the message', () => {
    const huge = `v1 ${'A'.repeat(1_000_000)}`;
    const t0 = performance.now();
    const t = parseTrailerValue(huge);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(!t.ok && t.reason).toBe(
      `the trailer is ${huge.length} bytes long; a real one is under 8192`,
    );
  });

  it('accepts a value just under the limit (an RSA-4096 signature fits)', () => {
    const rsa4096 = Buffer.alloc(1100, 7).toString('base64');
    expect(parseTrailerValue(formatTrailerValue(ST, rsa4096)).ok).toBe(true);
  });
});

describe('folded trailer value (issue 16 §6)', () => {
  const unfold = (v: string): string => v.replace(/\n[ \t\n\r]*/g, ' '); // git's unfold_value
  const longSig = Buffer.alloc(300, 7).toString('base64');
  const cases: [string, Statement][] = [
    ['a short statement', ST],
    ['a 500-character reason', { ...ST, reason: 'x = y; '.repeat(71).slice(0, 500) }],
    ['many zones', { ...ST, zones: Array.from({ length: 12 }, (_, i) => `zone-${i}`) }],
  ];
  it.each(cases)(
    '%s: every line fits commitlint (100), continuation lines start with a space, and it reads back',
    (_name, st) => {
      const one = formatTrailerValue(st, longSig);
      const folded = foldTrailerValue(one);
      const lines = `Cleanroom-Override: ${folded}`.split('\n');
      expect(lines.length).toBeGreaterThan(1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
      for (const l of lines.slice(1)) expect(l).toMatch(/^ \S/);
      const { kind: _kind, ...fields } = st;
      expect(parseTrailerValue(unfold(folded))).toStrictEqual({
        ok: true,
        statement: fields,
        signature: longSig,
      });
      // human control: the one-line form reads the same
      expect(parseTrailerValue(one)).toStrictEqual(parseTrailerValue(unfold(folded)));
    },
  );

  it('a folded signature cannot smuggle a field: after sig= everything is signature', () => {
    const t = parseTrailerValue(`${formatTrailerValue(ST, SIG)} by=mallory@example.org`);
    expect(t.ok).toBe(false);
  });

  it('a reason piece with "=" is not a reason piece (it would be a new field): refused', () => {
    const v = formatTrailerValue(ST, SIG).replace(/ sig=/, ' zones=x sig=');
    expect(parseTrailerValue(v).ok).toBe(false);
  });
});

describe('coverage', () => {
  it('takes every changed path in a zone, with its blob, sorted bytewise, and the zones it touches', () => {
    const cov = coverage(policy, [
      file('evals/tasks/q2.json', B),
      file('README.md', C, 'M'),
      file('data/train/x.txt', A),
      file('evals/tasks/q1.json', A),
    ]);
    expect(cov.pairs).toEqual([
      ['data/train/x.txt', A],
      ['evals/tasks/q1.json', A],
      ['evals/tasks/q2.json', B],
    ]);
    expect(cov.zones).toEqual(['eval-tasks', 'training-data']);
    expect(cov.digest).toBe(digestOf(cov.pairs));
  });

  it('binds the file mode: the same blob as a symlink or a submodule is other content (issue 10 §6)', () => {
    const asFile = coverage(policy, [file('evals/tasks/q1.json', A)]);
    const asLink = coverage(policy, [{ ...file('evals/tasks/q1.json', A), mode: '120000' }]);
    const asGitlink = coverage(policy, [{ ...file('evals/tasks/q1.json', A), mode: '160000' }]);
    const executable = coverage(policy, [{ ...file('evals/tasks/q1.json', A), mode: '100755' }]);
    expect(new Set([asFile.digest, asLink.digest, asGitlink.digest]).size).toBe(3);
    expect(asLink.modes).toEqual(['120000']);
    // Regular files hash as they always did: statements signed before modes were bound still verify.
    expect(asFile.digest).toBe(digestOf(asFile.pairs));
    // human control: the executable bit does not change what a checkout shows under the path
    expect(executable.digest).toBe(asFile.digest);
  });

  it('does not depend on the order git lists the files in', () => {
    const files = [
      file('evals/tasks/b.json', B),
      file('evals/tasks/a.json', A),
      file('evals/harness/run.py', C, 'M'),
      file('data/train/z', ZERO, 'D'),
    ];
    const want = coverage(policy, files);
    for (const order of [
      [...files].reverse(),
      [files[2]!, files[0]!, files[3]!, files[1]!],
      [files[3]!, files[1]!, files[0]!, files[2]!],
    ]) {
      expect(coverage(policy, order)).toEqual(want);
    }
  });

  it('sorts by UTF-8 bytes, not UTF-16 code units (the same order in every language)', () => {
    // U+FF21 sorts after U+1D400 in UTF-16 (0xFF21 > 0xD835) but before it in UTF-8.
    const cov = coverage(policy, [
      file('evals/tasks/\u{1D400}.json', A),
      file('evals/tasks/\uFF21.json', B),
      file('evals/tasks/Z.json', C),
    ]);
    expect(cov.pairs.map(([p]) => p)).toEqual([
      'evals/tasks/Z.json',
      'evals/tasks/\uFF21.json',
      'evals/tasks/\u{1D400}.json',
    ]);
  });

  it('binds the content: another blob at the same path is another digest', () => {
    expect(coverage(policy, [file('evals/tasks/q1.json', A)]).digest).not.toBe(
      coverage(policy, [file('evals/tasks/q1.json', B)]).digest,
    );
  });

  it('binds the path: the same blob at another path is another digest', () => {
    expect(coverage(policy, [file('evals/tasks/q1.json', A)]).digest).not.toBe(
      coverage(policy, [file('evals/tasks/q2.json', A)]).digest,
    );
  });

  it('keeps the path as committed: a case-variant path matches the zone and is its own pair', () => {
    const cov = coverage(policy, [file('Evals/Tasks/q1.json', A)]);
    expect(cov.pairs).toEqual([['Evals/Tasks/q1.json', A]]);
    expect(cov.digest).not.toBe(coverage(policy, [file('evals/tasks/q1.json', A)]).digest);
  });

  it('cannot be confused by a path and blob that shift a separator', () => {
    // "b\0p\0" framing: moving characters between path and blob changes the digest.
    const one = coverage(policy, [file('evals/tasks/ab', A), file('evals/tasks/a', B)]);
    const two = coverage(policy, [file('evals/tasks/a', A), file('evals/tasks/ab', B)]);
    expect(one.digest).not.toBe(two.digest);
  });

  it('includes deletions, with the zero id (an override covers them like any change)', () => {
    const cov = coverage(policy, [
      file('evals/tasks/old.json', ZERO, 'D'),
      file('evals/tasks/new.json', A),
    ]);
    expect(cov.pairs).toEqual([
      ['evals/tasks/new.json', A],
      ['evals/tasks/old.json', ZERO],
    ]);
    expect(cov.digest).not.toBe(coverage(policy, [file('evals/tasks/new.json', A)]).digest);
  });

  it('judges renames at their destination: into a zone is covered, out of every zone is not', () => {
    const into = coverage(policy, [file('evals/tasks/q1.json', A, 'R', 'drafts/q1.json')]);
    expect(into.pairs).toEqual([['evals/tasks/q1.json', A]]);
    expect(into.zones).toEqual(['eval-tasks']);
    expect(into.digest).toBe(coverage(policy, [file('evals/tasks/q1.json', A)]).digest);
    expect(coverage(policy, [file('drafts/q1.json', A, 'R', 'evals/tasks/q1.json')]).pairs).toEqual(
      [],
    );
  });

  it('covers a rename between two zones under the destination zone only', () => {
    const cov = coverage(policy, [file('data/train/q1.json', A, 'R', 'evals/tasks/q1.json')]);
    expect(cov.zones).toEqual(['training-data']);
  });

  it('covers .cleanroom/** as the cleanroom-config zone, renames out of it too', () => {
    expect(coverage(policy, [file('.cleanroom/approvers', A, 'M')]).zones).toEqual([
      'cleanroom-config',
    ]);
    const out = coverage(policy, [file('notes/approvers.bak', A, 'R', '.cleanroom/approvers')]);
    expect(out.pairs).toEqual([['notes/approvers.bak', A]]);
    expect(out.zones).toEqual(['cleanroom-config']);
  });

  it('honours exclude, and leaves out paths in no zone', () => {
    expect(
      coverage(policy, [file('data/train/README.md', A, 'M'), file('src/index.ts', B)]).pairs,
    ).toEqual([]);
  });

  it('is empty (and hashes nothing) when no path lies in a zone', () => {
    expect(coverage(policy, [])).toEqual({
      pairs: [],
      modes: [],
      zones: [],
      digest: `sha256:${createHash('sha256').digest('hex')}`,
    });
  });
});

describe('request document', () => {
  const cov = coverage(policy, [file('evals/tasks/q1.json', A), file('evals/tasks/q2.json', B)]);
  const REQ: Request = {
    kind: 'override',
    repository: policy.repository,
    zones: cov.zones,
    files: cov.pairs.length,
    digest: cov.digest,
    reason: 'hand-checked by the eval team',
    created: '2026-11-24T10:00:00Z',
    expires: '2026-12-01T10:00:00Z',
  };
  const text = formatRequest(REQ, cov, 'staged changes in example.org/acme/evals');

  it('shows the statement, the covered files and how to sign, as plain lines', () => {
    expect(text).toBe(
      [
        'cleanroom override request v1',
        'repository example.org/acme/evals',
        'zones eval-tasks',
        `files 2 ${cov.digest}`,
        'reason hand-checked by the eval team',
        'created 2026-11-24T10:00:00Z',
        'expires 2026-12-01T10:00:00Z',
        '# staged changes in example.org/acme/evals. Covered files (path, blob):',
        `#   evals/tasks/q1.json  ${A}`,
        `#   evals/tasks/q2.json  ${B}`,
        '# Sign with: cleanroom override sign [--key ~/.ssh/id_ed25519] FILE|-',
        '',
      ].join('\n'),
    );
  });

  it('round-trips, ignoring the comment lines', () => {
    expect(parseRequest(text)).toEqual({ ok: true, request: REQ });
  });

  it('reads a request saved with CRLF line endings', () => {
    expect(parseRequest(text.replace(/\n/g, '\r\n'))).toEqual({ ok: true, request: REQ });
  });

  it('lists at most 200 files and says how many more', () => {
    const many = Array.from({ length: 205 }, (_, i) =>
      file(`evals/tasks/q${String(i).padStart(3, '0')}.json`, A),
    );
    const big = coverage(policy, many);
    const t = formatRequest({ ...REQ, files: big.pairs.length, digest: big.digest }, big, 'x');
    expect(t).toContain('#   … and 5 more');
    expect(parseRequest(t).ok).toBe(true);
  });

  it('escapes control characters in listed paths (a path cannot forge a statement line)', () => {
    const odd = coverage(policy, [file('evals/tasks/x\nreason forged.json', A)]);
    const t = formatRequest({ ...REQ, files: 1, digest: odd.digest }, odd, 'x');
    expect(t).toContain('#   evals/tasks/x\\nreason forged.json');
    expect(parseRequest(t)).toMatchObject({ ok: true, request: { reason: REQ.reason } });
  });

  const lines = text.split('\n');
  const edit = (i: number, line: string | null): string => {
    const copy = [...lines];
    if (line === null) copy.splice(i, 1);
    else copy[i] = line;
    return copy.join('\n');
  };
  it.each<[string, string, RegExp]>([
    ['empty input', '', /not a cleanroom request/],
    ['a trailer instead of a request', 'Cleanroom-Override: v1 repo=x', /not a cleanroom request/],
    [
      'a request of another version',
      edit(0, 'cleanroom override request v2'),
      /not a cleanroom request/,
    ],
    ['a missing line', edit(2, null), /line 3 should start with "zones "/],
    [
      'lines out of order',
      edit(1, lines[2]!).replace(
        /\nzones eval-tasks\n(?=files)/,
        '\nrepository example.org/acme/evals\n',
      ),
      /line 2 should start with "repository "/,
    ],
    ['an extra line', edit(7, 'principal mallory@example.org'), /unexpected extra lines/],
    ['a files line without a digest', edit(3, 'files 2'), /files N sha256/],
    ['a files line with a bad count', edit(3, `files two ${cov.digest}`), /files N sha256/],
    ['an expiry that is no date', edit(6, 'expires 2026-13-45T99:99:99Z'), /real instants/],
    [
      'an expiry before creation',
      edit(6, 'expires 2026-11-23T10:00:00Z'),
      /expires before it was created/,
    ],
    ['an expiry ten years out', edit(6, 'expires 2036-11-24T10:00:00Z'), /more than a year/],
    ['an empty reason', edit(4, 'reason '), /reason is empty/],
    ['a reason line without its value', edit(4, 'reason'), /reason is empty/],
    [
      'a reason with a control character',
      edit(4, 'reason ok\u001b[2J'),
      /one line without control characters/,
    ],
    ['a reason over 500 characters', edit(4, `reason ${'x'.repeat(501)}`), /longer than 500/],
    ['more than 1 MiB', text + `# ${'x'.repeat(1024 * 1024)}\n`, /larger than 1 MiB/],
  ])('refuses %s', (_name, input, reason) => {
    const r = parseRequest(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('reads the kind from the first line', () => {
    expect(
      parseRequest(text.replace('cleanroom override request v1', 'cleanroom review request v1')),
    ).toMatchObject({ ok: true, request: { kind: 'review' } });
  });
});
