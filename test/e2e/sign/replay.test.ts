// Replays and forgeries end to end: a genuine override copied onto another path, other
// content, another zone or another repository, and forged or malformed trailers, in real
// commits through the installed hooks and real pushes to the server. Each is refused
// with the rule named, exit 1 (a violation), never a crash.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY, removeTempDirs, tempDir, type Run } from '../../helpers/repo.js';
import {
  AI,
  APPROVER,
  expectOneScreen,
  grant,
  push,
  serverRef,
  sshKey,
  world,
  type World,
} from './world.js';

afterAll(() => removeTempDirs());

const TASK = '{"question": "What is 2 + 2?", "answer": "4"}\n';

describe('a trailer copied onto another change', () => {
  let w: World;
  let trailer: string;
  beforeAll(() => {
    w = world();
    w.repo.write('evals/tasks/q1.json', TASK);
    w.repo.git('add', '-A');
    trailer = grant(w, 'override');
    const r = w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', trailer] });
    if (r.code !== 0) throw new Error(r.stderr);
    if (push(w).code !== 0) throw new Error('push of the genuine override failed');
  });

  /** Blocked by commit-msg; committed anyway, refused by `check` (exit 1) and by the server; then dropped. */
  function expectReplayRefused(target: World, rule: RegExp): void {
    const local = target.repo.commit(`Replay\n\n${AI}`, { args: ['--trailer', trailer] });
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('cleanroom: commit blocked');
    expect(local.stderr).toMatch(new RegExp(`note: override not accepted: ${rule.source}`));
    expectOneScreen(local.stderr);
    expect(
      target.repo.commit(`Replay\n\n${AI}`, { args: ['--no-verify', '--trailer', trailer] }).code,
    ).toBe(0);
    const check = target.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toMatch(rule);
    const before = serverRef(target);
    const p = push(target, { noVerify: true });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(
      new RegExp(`remote: note: [0-9a-f]{12}: override not accepted: ${rule.source}`),
    );
    expect(serverRef(target)).toBe(before);
    target.repo.git('reset', '-q', '--hard', 'HEAD~1');
  }

  it('another path, same content', () => {
    w.repo.write('evals/tasks/q2.json', TASK);
    expectReplayRefused(
      w,
      /it covers other content \(1 file, sha256:[0-9a-f]{12}…\) than this change \(1, sha256:[0-9a-f]{12}…\): it was signed for another change .* or the files changed since it was requested .* Request and sign one for this change/,
    );
  });

  it('other content at the same path', () => {
    w.repo.write('evals/tasks/q1.json', TASK.replace('"4"', '"5"'));
    expectReplayRefused(w, /it covers other content/);
  });

  it('another zone', () => {
    w.repo.write('data/train/q1.json', TASK);
    expectReplayRefused(w, /it covers zones eval-tasks, and this change touches training-data/);
  });

  it('another repository id (same approver key, same path and content)', () => {
    const fork = world({
      policy: POLICY.replace('example.org/acme/evals', 'example.org/acme/fork'),
      keys: w.keys,
    });
    fork.repo.write('evals/tasks/q1.json', TASK);
    expectReplayRefused(
      fork,
      /it was signed for repository example\.org\/acme\/evals, and this is example\.org\/acme\/fork/,
    );
  });
});

describe('forged and malformed overrides in a real commit', () => {
  let w: World;
  let genuine: string;
  let base: string;
  beforeAll(() => {
    w = world();
    base = w.repo.head();
    w.repo.write('evals/tasks/q1.json', TASK);
    w.repo.git('add', '-A');
    genuine = grant(w, 'override');
  });
  // Each case starts from the same state: q1 staged on top of the trust files.
  beforeEach(() => w.repo.git('reset', '-q', '--soft', base));

  const cases: [string, () => string, RegExp][] = [
    [
      'an unlisted key',
      () =>
        grant(w, 'override', {
          key: sshKey(tempDir(), 'mallory', 'ed25519'),
          principal: APPROVER,
          forge: true,
        }),
      /key SHA256:\S+ is not in \S*\.cleanroom\/approvers; ava@example\.org is listed with key SHA256:\S+/,
    ],
    [
      'a listed key with the wrong principal',
      () => grant(w, 'override', { principal: 'bob@example.org', forge: true }),
      /key SHA256:\S+ is listed for ava@example\.org \(\S*\.cleanroom\/approvers:2\) but the signature claims bob@example\.org/,
    ],
    [
      'a reviewer key (namespaces="cleanroom-review") used for an override',
      () => grant(w, 'override', { key: w.keys.rita, principal: 'rita@example.org', forge: true }),
      /key SHA256:\S+ is not in \S*\.cleanroom\/approvers/,
    ],
    ['invalid base64', () => genuine.replace(/sig=[\s\S]*$/, 'sig=U1NI!0lH'), /sig= is not base64/],
    [
      'a newline smuggled into the reason',
      () => genuine.replace(/reason=\S+/, 'reason=ok%0Aprincipal%20mallory@example.org'),
      /the reason must be one line without control characters/,
    ],
    [
      'a 1 MB trailer',
      () => `Cleanroom-Override: v1 ${'A'.repeat(1_000_000)}`,
      /the trailer is 1000003 bytes long; a real one is under 8192/,
    ],
  ];

  /** The message goes in a file: a 1 MB trailer is more than one argv string may hold. */
  function commitWith(trailer: string, ...flags: string[]): Run {
    const file = join(tempDir(), 'MSG');
    writeFileSync(file, `Add q1\n\n${AI}\n${trailer}\n`);
    return w.repo.tryGit(['commit', '-q', ...flags, '-F', file]);
  }

  it.each(cases)(
    '%s: commit blocked (exit 1) with the rule named, check --commit exits 1',
    (_name, make, rule) => {
      const trailer = make();
      const r = commitWith(trailer);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`note: override not accepted: ${rule.source}`));
      expect(r.stderr).not.toContain('    at ');
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr.length).toBeLessThan(4000);
      expect(commitWith(trailer, '--no-verify').code).toBe(0);
      const check = w.repo.cleanroom(['check', '--commit', 'HEAD']);
      expect(check.code).toBe(1);
      expect(check.stdout + check.stderr).toMatch(rule);
    },
  );

  it('a 1 MB trailer pushed to the server: rejected as a violation (exit 1), not a crash', () => {
    expect(commitWith(`Cleanroom-Override: v1 ${'A'.repeat(1_000_000)}`, '--no-verify').code).toBe(
      0,
    );
    const before = serverRef(w);
    const p = push(w, { noVerify: true });
    expect(p.code).toBe(1);
    expect(p.stderr).toContain('remote: cleanroom: push rejected');
    expect(p.stderr).toMatch(
      /remote: note: [0-9a-f]{12}: override not accepted: the trailer is 1000003 bytes long/,
    );
    expect(p.stderr).not.toMatch(/could not be completed|internal error|    at /);
    expect(serverRef(w)).toBe(before);
  });
});
