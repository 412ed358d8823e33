// Which key signs and where the trust comes from (issue 17 §1, §2): user.signingkey in its
// three forms, a key listed under two principals, a server-owned policy that exists
// nowhere in the repository, and a bundle whose content was tampered with.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';
import { AI, APPROVER, sshKey, world, type Key, type World } from './world.js';

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

const sign = (args: string[], input = request) =>
  w.repo.cleanroom(['override', 'sign', ...args], { input });

describe('--key defaults to user.signingkey', () => {
  it.each([
    ['a private key path', (k: Key) => k.path],
    ['a .pub path', (k: Key) => `${k.path}.pub`],
  ])('%s', (_what, spec) => {
    w.repo.git('config', 'user.signingkey', spec(w.keys.ava));
    const r = sign([]);
    expect(r.stderr).toMatch(/signed override .* as ava@example\.org/);
    expect(r.code).toBe(0);
    w.repo.git('config', '--unset', 'user.signingkey');
  });

  it('a key:: literal is a key held by ssh-agent: without an agent, ssh-keygen says it cannot sign (nothing printed)', () => {
    w.repo.git('config', 'user.signingkey', `key::${w.keys.ava.pub}`);
    const r = w.repo.cleanroom(['override', 'sign'], {
      input: request,
      env: { ...w.repo.env, SSH_AUTH_SOCK: join(tempDir(), 'no-agent') },
    });
    // The literal was parsed and its principal found; only the signing itself needs the agent.
    expect(r.stderr).toMatch(/ssh-keygen could not sign/);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    w.repo.git('config', '--unset', 'user.signingkey');
  });

  it('a key:: literal of a key nobody listed is refused before ssh-keygen runs', () => {
    const stranger = sshKey(tempDir(), 'stranger', 'ed25519');
    const r = sign(['--key', `key::${stranger.pub}`]);
    expect(r.stderr).toMatch(/is not listed in \.cleanroom\/approvers for cleanroom-override/);
    expect(r.code).toBe(2);
  });
});

describe('a key listed under two principals', () => {
  it('is not guessed: sign asks for --principal', () => {
    const two = world();
    two.repo.write(
      '.cleanroom/approvers',
      `ava@example.org ${two.keys.ava.pub}\nava@home.example ${two.keys.ava.pub}\n`,
    );
    two.repo.write('evals/tasks/q1.json', '{"q": 1}\n');
    two.repo.git('add', '-A');
    const req = two.repo.cleanroom(['override', 'request', '--reason', 'x']).stdout;
    const r = two.repo.cleanroom(['override', 'sign', '--key', two.keys.ava.path], { input: req });
    expect(r.stderr).toMatch(
      /override sign: this key is listed as ava@example\.org, ava@home\.example\n  → choose one with --principal/,
    );
    expect(r.code).toBe(2);
    const ok = two.repo.cleanroom(
      ['override', 'sign', '--key', two.keys.ava.path, '--principal', 'ava@home.example'],
      { input: req },
    );
    expect(ok.code).toBe(0);
  });
});

describe('a server-owned policy (install-server --policy): the repository has none', () => {
  it('request and sign take --policy, the file the admin publishes', () => {
    const admin = tempDir('cleanroom-published-');
    mkdirSync(join(admin, 'p'));
    writeFileSync(join(admin, 'p', 'policy.yaml'), POLICY);
    writeFileSync(join(admin, 'p', 'approvers'), `${APPROVER} ${w.keys.ava.pub}\n`);
    const repo = TestRepo.init();
    repo.write('evals/tasks/q1.json', '{"q": 1}\n');
    repo.git('add', '-A');
    const bare = repo.cleanroom(['override', 'request', '--reason', 'x']);
    expect(bare.code).toBe(2);
    const req = repo.cleanroom([
      'override',
      'request',
      '--reason',
      'x',
      '--policy',
      join(admin, 'p', 'policy.yaml'),
    ]);
    expect(req.stderr).toBe('');
    expect(req.code).toBe(0);
    // The approver, outside any repository, names the same published policy.
    const signed = repo.cleanroom(
      ['override', 'sign', '--key', w.keys.ava.path, '--policy', join(admin, 'p', 'policy.yaml')],
      { input: req.stdout, cwd: admin },
    );
    expect(signed.stderr).toMatch(/as ava@example\.org/);
    expect(signed.code).toBe(0);
  });
});

describe('request --bundle', () => {
  it('sign refuses a bundle whose content does not hash to its blob id', () => {
    const file = join(tempDir(), 'req.json');
    expect(w.repo.cleanroom(['override', 'request', '--reason', 'x', '--bundle', file]).code).toBe(
      0,
    );
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { files: { content: string }[] };
    doc.files[0]!.content = Buffer.from('{"q": "something else"}\n').toString('base64');
    writeFileSync(file, JSON.stringify(doc));
    const r = sign(['--key', w.keys.ava.path, file], '');
    expect(r.stderr).toMatch(
      /override sign: the bundle does not match its request: the content of "evals\/tasks\/q1\.json" does not hash to [0-9a-f]{40}/,
    );
    expect(r.code).toBe(2);
  });

  it('human control: the untouched bundle signs, listing what is approved', () => {
    const file = join(tempDir(), 'req.json');
    expect(w.repo.cleanroom(['override', 'request', '--reason', 'x', '--bundle', file]).code).toBe(
      0,
    );
    const r = sign(['--key', w.keys.ava.path, file], '');
    expect(r.stderr).toContain('evals/tasks/q1.json  (9 bytes)');
    expect(r.code).toBe(0);
    const c = w.repo.commit(`Add q1\n\n${AI}`, {
      add: [],
      args: ['--trailer', r.stdout.trimEnd()],
    });
    expect(c.code).toBe(0);
    execFileSync('git', ['reset', '-q', '--soft', 'HEAD~1'], { cwd: w.repo.dir, env: w.repo.env });
  });
});
