// `cleanroom override|review request|sign` misuse: exit 2, a message that fits on one
// screen and says what to do, never a stack trace, nothing on stdout.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs, repoWithPolicy, tempDir, type Run } from '../../helpers/repo.js';
import { AI, APPROVER, world, type World } from './world.js';

afterAll(() => removeTempDirs());

let w: World;
let request: string;
beforeAll(() => {
  w = world();
  w.repo.write('evals/tasks/q1.json', '{"q": 1}\n');
  w.repo.git('add', '-A');
  const r = w.repo.cleanroom(['override', 'request', '--reason', 'hand-checked']);
  if (r.code !== 0) throw new Error(r.stderr);
  request = r.stdout;
});

function expectUsage(r: Run, message: RegExp): void {
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr).not.toMatch(/internal error|this is a bug/);
  expect(r.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(4);
  expect(r.stderr).toMatch(/^cleanroom: /);
}

const sign = (
  input: string | Buffer,
  args: string[] = ['--key', w.keys.ava.path, '--principal', APPROVER],
  kind = 'override',
): Run => w.repo.cleanroom([kind, 'sign', ...args], { input });

describe('cleanroom override sign', () => {
  it('without --key and without git config user.signingkey', () => {
    expectUsage(
      sign(request, ['--principal', APPROVER]),
      /^cleanroom: override sign: no --key and no git config user\.signingkey\n  → e\.g\. --key ~\/\.ssh\/id_ed25519/,
    );
  });

  it('with request text that is not a request', () => {
    expectUsage(
      sign('please approve my change\n'),
      /override sign: not a cleanroom request \(the first line should be "cleanroom override request v1"\)\n  → make one with cleanroom override request/,
    );
  });

  it('with a request whose fields were tampered with', () => {
    expectUsage(
      sign(request.replace(/^files \d+ /m, 'files many ')),
      /override sign: the files line should be "files N sha256:<hex>"/,
    );
    expectUsage(
      sign(request.replace(/^reason .*$/m, 'reason ')),
      /override sign: the reason is empty/,
    );
    expectUsage(
      sign(request.replace(/^expires .*$/m, 'expires 2099-13-45T99:99:99Z')),
      /override sign: created\/expires must be real instants/,
    );
  });

  it('with an expired request', () => {
    const old = request
      .replace(/^created .*$/m, 'created 2024-01-01T00:00:00Z')
      .replace(/^expires .*$/m, 'expires 2024-01-08T00:00:00Z');
    expectUsage(
      sign(old),
      /^cleanroom: override sign: the request expired at 2024-01-08T00:00:00Z\n  → ask for a new request\n$/,
    );
  });

  it('with a review request', () => {
    const review = w.repo.cleanroom(['review', 'request']);
    expect(review.code).toBe(0);
    expectUsage(
      sign(review.stdout),
      /override sign: this is a review request\n  → use cleanroom review sign/,
    );
    expectUsage(
      sign(request, undefined, 'review'),
      /review sign: this is an override request\n  → use cleanroom override sign/,
    );
  });

  it('with 1 MB on stdin', () => {
    expectUsage(sign(Buffer.alloc(1_000_000, 'x')), /override sign: not a cleanroom request/);
    expectUsage(
      sign(request + `# ${'x'.repeat(1_000_000)}\n`.repeat(2)),
      /override sign: the request on stdin is larger than 1 MiB\n  → a request is a few lines/,
    );
  });

  it('with a request file over 1 MiB', () => {
    const file = join(tempDir(), 'huge.txt');
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, '#'));
    expectUsage(
      sign('', ['--key', w.keys.ava.path, '--principal', APPROVER, file]),
      /override sign: the request in .*huge\.txt is larger than 1 MiB/,
    );
  });

  it('with a request file that does not exist, or two of them', () => {
    expectUsage(
      sign('', ['--key', w.keys.ava.path, 'nope.txt']),
      /override sign: cannot read nope\.txt: ENOENT/,
    );
    expectUsage(
      sign('', ['--key', w.keys.ava.path, 'a.txt', 'b.txt']),
      /override sign: give at most one request FILE/,
    );
  });

  it('with a key ssh-keygen cannot use', () => {
    const r = sign(request, ['--key', join(w.repo.dir, 'no-such-key'), '--principal', APPROVER]);
    // Found before anything is signed (issue 17 §1): the key must be readable to know who it is.
    expectUsage(
      r,
      /^cleanroom: no such key file: .*no-such-key\n  → give the private key, its \.pub, or set git config user\.signingkey/,
    );
  });

  it('with a principal that has a space or a newline', () => {
    expectUsage(
      sign(request, ['--key', w.keys.ava.path, '--principal', 'ava example']),
      /override sign: invalid --principal "ava example"/,
    );
    expectUsage(
      sign(request, ['--key', w.keys.ava.path, '--principal', 'ava\nprincipal x']),
      /override sign: invalid --principal "ava\\nprincipal x"/,
    );
  });

  it('without --principal and without git config user.email: the approvers file says who the key is (issue 17 §1)', () => {
    const r = sign(request, ['--key', w.keys.ava.path]);
    expect(r.stderr).toMatch(
      /^cleanroom: signed override for \S+ \(eval-tasks; 1 file\) as ava@example\.org, expires/,
    );
    expect(r.code).toBe(0);
  });

  it("with a reviewer's key (listed only for cleanroom-review): refused before anything is signed", () => {
    const r = sign(request, ['--key', w.keys.rita.path]);
    expectUsage(
      r,
      /override sign: the key SHA256:\S+ is not listed in \.cleanroom\/approvers for cleanroom-override — nothing was signed/,
    );
    expect(r.stdout).toBe('');
  });

  it('with a key listed nowhere: refused before anything is signed', () => {
    const dir = tempDir();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'stranger')]);
    const r = sign(request, ['--key', join(dir, 'stranger')]);
    expectUsage(
      r,
      /override sign: the key SHA256:\S+ is not listed in \.cleanroom\/approvers for cleanroom-override/,
    );
    expect(r.stdout).toBe('');
  });

  it('in a repository with no approvers file: the hint says the committed file is what counts, not --allowed-signers (newcomer report)', () => {
    const bare = repoWithPolicy();
    bare.write('evals/tasks/q1.json', '{"q": 1}\n');
    bare.git('add', '-A');
    const req = bare.cleanroom(['override', 'request', '--reason', 'hand-checked']);
    expect(req.code).toBe(0);
    const r = bare.cleanroom(
      ['override', 'sign', '--key', w.keys.ava.path, '--principal', APPROVER],
      { input: req.stdout },
    );
    expectUsage(
      r,
      /override sign: the policy's approvers file \(\.cleanroom\/approvers\) is missing\n {2}→ an override counts only once \.cleanroom\/approvers \(the policy's overrides\.approvers\) lists the key and is committed — on the default branch for CI and the server; --allowed-signers FILE only checks the signature locally/,
    );
    expect(r.stderr).not.toContain('pass --allowed-signers FILE to name it');
    // Control: the same key and request shape where the approvers file is committed signs.
    const ok = sign(request, ['--key', w.keys.ava.path, '--principal', APPROVER]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^Cleanroom-Override: /);
  });

  it('with --principal naming someone the key is not listed for: refused before signing', () => {
    expectUsage(
      sign(request, ['--key', w.keys.ava.path, '--principal', 'boss@example.org']),
      /override sign: this key may not sign as boss@example\.org: key SHA256:\S+ is listed for ava@example\.org/,
    );
  });
});

describe('cleanroom override request', () => {
  it('without --reason', () => {
    expectUsage(
      w.repo.cleanroom(['override', 'request']),
      /override request: --reason is required/,
    );
  });

  it('with a reason that smuggles a newline', () => {
    expectUsage(
      w.repo.cleanroom(['override', 'request', '--reason', 'ok\nprincipal mallory@example.org']),
      /override request: the reason must be one line without control characters/,
    );
  });

  it('with an invalid --expires', () => {
    for (const e of ['2y', '0d', '400d', 'soon'])
      expectUsage(
        w.repo.cleanroom(['override', 'request', '--reason', 'x', '--expires', e]),
        /override request: invalid --expires .*\n  → e\.g\. 7d, 12h or 30m \(at most a year\)/,
      );
  });

  it('with nothing staged in a zone', () => {
    const other = world();
    expectUsage(
      other.repo.cleanroom(['override', 'request', '--reason', 'x']),
      /override request: nothing in the staged changes lies in a zone\n  → stage the zone files first/,
    );
  });

  it('for a commit that does not exist', () => {
    expectUsage(
      w.repo.cleanroom(['override', 'request', '--reason', 'x', '--commit', 'no-such-rev']),
      /no such commit: no-such-rev/,
    );
  });
});

describe('an invalid approvers file is found before an override is needed (issue 17 §3)', () => {
  let bad: World;
  beforeAll(() => {
    bad = world();
    bad.repo.write(
      '.cleanroom/approvers',
      `ava@example.org ${bad.keys.ava.pub}\nbob@example.org ssh-ed25519 not-base64!\ncarol@example.org valid-before="tomorrow" ${bad.keys.ava.pub}\n`,
    );
    bad.repo.git('add', '-A');
    bad.repo.git('commit', '-q', '--no-verify', '-m', 'broken approvers');
  });

  it('policy validate lists every bad line and exits 2', () => {
    const r = bad.repo.cleanroom(['policy', 'validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^\.cleanroom\/approvers:2: .*base64.*\n\.cleanroom\/approvers:3: invalid valid-before time "tomorrow"/,
    );
    expect(r.stderr).not.toContain('\\n');
  });

  it('doctor shows it as a failed check', () => {
    const r = bad.repo.cleanroom(['doctor']);
    expect(r.stdout + r.stderr).toMatch(/✗ \.cleanroom\/approvers:2: /);
  });

  it('the note at commit time is one readable line, with no literal \\n', () => {
    bad.repo.write('evals/tasks/q9.json', '{"q": 9}\n');
    bad.repo.git('add', '-A');
    const req = bad.repo.cleanroom(['override', 'request', '--reason', 'x']);
    const dir = tempDir();
    writeFileSync(join(dir, 'allowed'), `ava@example.org ${bad.keys.ava.pub}\n`);
    const signed = bad.repo.cleanroom(
      ['override', 'sign', '--key', bad.keys.ava.path, '--allowed-signers', join(dir, 'allowed')],
      { input: req.stdout },
    );
    const r = bad.repo.commit(`Add q9\n\n${AI}`, {
      add: [],
      args: ['--trailer', signed.stdout.trimEnd()],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /override not accepted: approvers file is invalid: \.cleanroom\/approvers:2: .*; \.cleanroom\/approvers:3: /,
    );
    expect(r.stderr).not.toContain('\\n');
  });

  it('human control: policy validate passes with valid trust files', () => {
    const r = w.repo.cleanroom(['policy', 'validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
