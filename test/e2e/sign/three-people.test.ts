// The approver and reviewer flow as three people live it (issue 17 "Done when"): an
// author, an approver and a reviewer, each in their own clone with their own git
// identity and SSH key. The lab's approvers are named by an SSH certificate authority
// (cert-authority line); one former approver's key is revoked. The server keeps the
// override log, which anyone can verify afterwards.

import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, POLICY, removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';
import { AI, sshKey, type Key } from './world.js';

afterAll(() => removeTempDirs());

const POLICY_SIGNED = POLICY.replace(
  /review:[\s\S]*$/,
  'review:\n  mode: signed\n  reviewers: .cleanroom/reviewers\n  independent: true\noverrides:\n  approvers: .cleanroom/approvers\n  revoked: .cleanroom/revoked\n',
);

interface Person {
  name: string;
  email: string;
  clone: TestRepo;
}

let server: TestRepo;
let keys: { ca: Key; ava: Key; rita: Key; olga: Key };
let author: Person;
let approver: Person;
let reviewer: Person;
const grantLog = (): string => join(server.dir, 'cleanroom-grants.jsonl');

function person(name: string, email: string): Person {
  const dir = tempDir(`cleanroom-${name.toLowerCase()}-`);
  execFileSync('git', ['clone', '-q', server.dir, dir], { env: cleanEnv() });
  const env = cleanEnv({
    GIT_AUTHOR_NAME: name,
    GIT_AUTHOR_EMAIL: email,
    GIT_COMMITTER_NAME: name,
    GIT_COMMITTER_EMAIL: email,
  });
  const clone = new TestRepo(dir, env);
  clone.git('config', 'user.name', name);
  clone.git('config', 'user.email', email);
  const init = clone.cleanroom(['init', '--hooks', 'git']);
  if (init.code !== 0) throw new Error(init.stderr);
  return { name, email, clone };
}

beforeAll(() => {
  const keyDir = tempDir('cleanroom-keys-');
  keys = {
    ca: sshKey(keyDir, 'lab-ca', 'ed25519'),
    ava: sshKey(keyDir, 'ava', 'ed25519'),
    rita: sshKey(keyDir, 'rita', 'ecdsa'),
    olga: sshKey(keyDir, 'olga', 'ed25519'),
  };
  // The lab's CA certifies Ava's key for her work address (as Vault or step-ca would).
  execFileSync(
    'ssh-keygen',
    [
      '-q',
      '-s',
      keys.ca.path,
      '-I',
      'ava-laptop',
      '-n',
      'ava@example.org',
      '-V',
      '-1d:+30d',
      `${keys.ava.path}.pub`,
    ],
    { stdio: 'ignore' },
  );

  // The maintainer sets up the repository: policy, trust files, revocation list.
  const admin = TestRepo.init();
  admin.write('.cleanroom/policy.yaml', POLICY_SIGNED);
  admin.write(
    '.cleanroom/approvers',
    `# the lab CA names the approvers\n*@example.org cert-authority,namespaces="cleanroom-override" ${keys.ca.pub}\nolga@example.org ${keys.olga.pub}\n`,
  );
  admin.write(
    '.cleanroom/reviewers',
    `rita@example.org namespaces="cleanroom-review" ${keys.rita.pub}\n`,
  );
  admin.write('.cleanroom/revoked', `# olga left the lab\n${keys.olga.pub}\n`);
  admin.write('README.md', '# evals\n');
  admin.git('add', '-A');
  admin.git('commit', '-q', '-m', 'cleanroom policy and trust files');
  server = TestRepo.init({ bare: true });
  admin.git('push', '-q', server.dir, 'main');
  const r = admin.cleanroom(['install-server', server.dir]);
  if (r.code !== 0) throw new Error(r.stderr);
  server.git('config', 'cleanroom.grantLog', grantLog());

  author = person('Hana Human', 'hana@example.org');
  // Ava's clone uses her personal address; the trust file, not user.email, says who signs.
  approver = person('Ava Approver', 'ava@home.example');
  approver.clone.git('config', 'user.signingkey', keys.ava.path);
  reviewer = person('Rita Reviewer', 'rita@example.org');
});

describe('author, approver and reviewer in three clones', () => {
  let bundle: string;

  it('the author is blocked on an AI-written eval task and asks for an override with the content attached', () => {
    author.clone.write('evals/tasks/q1.json', '{"question": "2 + 2", "answer": "4"}\n');
    const blocked = author.clone.commit(`Add q1\n\n${AI}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/eval-tasks/);
    bundle = join(tempDir('cleanroom-mail-'), 'q1-request.json');
    const req = author.clone.cleanroom([
      'override',
      'request',
      '--reason',
      'checked against the source by hand',
      '--bundle',
      bundle,
    ]);
    expect(req.code).toBe(0);
    expect(req.stderr).toMatch(
      /wrote .*q1-request\.json \(the request and the 1 covered file\(s\)\)/,
    );
  });

  it('a revoked approver cannot sign (refused before anything is signed)', () => {
    const olga = approver.clone.cleanroom(['override', 'sign', '--key', keys.olga.path, bundle]);
    expect(olga.code).toBe(2);
    expect(olga.stderr).toMatch(/override sign: the key SHA256:\S+ is revoked/);
    expect(olga.stdout).toBe('');
  });

  it("the reviewer's key cannot sign an override (refused before anything is signed)", () => {
    const rita = reviewer.clone.cleanroom(['override', 'sign', '--key', keys.rita.path, bundle]);
    expect(rita.code).toBe(2);
    expect(rita.stderr).toMatch(/is not listed in \.cleanroom\/approvers for cleanroom-override/);
  });

  let trailer: string;
  it('the approver signs in their own clone with their CA-certified key: no --key, no --principal', () => {
    const signed = approver.clone.cleanroom(['override', 'sign', '--show', bundle]);
    expect(signed.stderr).toContain('evals/tasks/q1.json  (37 bytes)');
    expect(signed.stderr).toContain('| {"question": "2 + 2", "answer": "4"}');
    expect(signed.stderr).toMatch(
      /signed override for example\.org\/acme\/evals \(eval-tasks; 1 file\) as ava@example\.org,/,
    );
    expect(signed.code).toBe(0);
    trailer = signed.stdout.trimEnd();
    for (const line of trailer.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('the author commits with the trailer and pushes: accepted, and recorded in the override log', () => {
    const r = author.clone.commit(`Add q1\n\n${AI}`, { args: ['--trailer', trailer] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = author.clone.tryGit(['push', 'origin', 'main']);
    expect(p.stderr).toMatch(/evals\/tasks\/q1\.json: overridden by ava@example\.org/);
    expect(p.code).toBe(0);
    const rec = JSON.parse(readFileSync(grantLog(), 'utf8').trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({
      seq: 1,
      kind: 'override',
      principal: 'ava@example.org',
      commit: author.clone.head(),
      keyId: 'ava-laptop',
      files: [{ path: 'evals/tasks/q1.json', mode: '100644' }],
    });
  });

  it('a grant forged with the revoked key is refused at commit and at push', () => {
    author.clone.write('evals/tasks/q2.json', '{"question": "3 + 3"}\n');
    author.clone.git('add', '-A');
    const req = author.clone.cleanroom(['override', 'request', '--reason', 'trust me']);
    const forgedSigners = join(tempDir('cleanroom-forge-'), 'allowed');
    execFileSync('sh', [
      '-c',
      `printf 'olga@example.org %s\\n' "$1" > "$2"`,
      'sh',
      keys.olga.pub,
      forgedSigners,
    ]);
    const forged = author.clone.cleanroom(
      ['override', 'sign', '--key', keys.olga.path, '--allowed-signers', forgedSigners],
      { input: req.stdout },
    );
    expect(forged.code).toBe(0);
    const r = author.clone.commit(`Add q2\n\n${AI}`, {
      args: ['--trailer', forged.stdout.trimEnd()],
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/override not accepted: the signing key SHA256:\S+ is revoked/);
    expect(
      author.clone.commit(`Add q2\n\n${AI}`, {
        args: ['--no-verify', '--trailer', forged.stdout.trimEnd()],
      }).code,
    ).toBe(0);
    const p = author.clone.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/is revoked/);
    author.clone.git('reset', '-q', '--hard', 'HEAD~1');
  });

  it('the reviewer signs a review of AI-written harness code; the author commits and pushes', () => {
    author.clone.write('evals/harness/run.py', 'print("run")\n');
    author.clone.git('add', '-A');
    const req = author.clone.cleanroom([
      'review',
      'request',
      '--bundle',
      join(tempDir('cleanroom-mail-'), 'r.json'),
    ]);
    expect(req.code).toBe(0);
    // --key names the .pub (as for a key held by ssh-agent); ssh-keygen finds the private half.
    const withPrivate = reviewer.clone.cleanroom(
      ['review', 'sign', '--key', `${keys.rita.path}.pub`],
      { input: req.stdout },
    );
    expect(withPrivate.stderr).toMatch(/signed review .* as rita@example\.org/);
    expect(withPrivate.code).toBe(0);
    const r = author.clone.commit(`Add the runner\n\n${AI}`, {
      args: ['--trailer', withPrivate.stdout.trimEnd()],
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const p = author.clone.tryGit(['push', 'origin', 'main']);
    expect(p.stderr).toMatch(/evals\/harness\/run\.py: reviewed by rita@example\.org/);
    expect(p.code).toBe(0);
  });

  it('anyone can verify the override log against the trust files in force at each commit', () => {
    const v = author.clone.cleanroom(['log', 'verify', grantLog()]);
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/^cleanroom: verified 2 record\(s\); head sha256:[0-9a-f]{64}\n$/);
    expect(v.code).toBe(0);
    // An edited copy does not verify.
    const copy = join(tempDir('cleanroom-log-'), 'edited.jsonl');
    copyFileSync(grantLog(), copy);
    execFileSync('sed', ['-i', '1s/ava@example.org/olga@example.org/', copy]);
    const bad = author.clone.cleanroom(['log', 'verify', copy]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/log line 1: principal "olga@example\.org" is not the signed one/);
    expect(bad.stderr).toMatch(/log line 2: prev does not match/);
  });

  it('audit lists the grants from the log beside its own findings, and fails on an edited log', () => {
    const a = author.clone.cleanroom(['audit', '--grant-log', grantLog()]);
    expect(a.stderr).toMatch(
      /override log .*cleanroom-grants\.jsonl: 2 grant\(s\), chain and signatures verified/,
    );
    expect(a.stderr).toMatch(/override by ava@example\.org: evals\/tasks\/q1\.json/);
    expect(a.stderr).toMatch(/review by rita@example\.org: evals\/harness\/run\.py/);
    expect(a.code).toBe(0);
    const copy = join(tempDir('cleanroom-log-'), 'cut.jsonl');
    execFileSync('sh', ['-c', 'tail -n 1 "$1" > "$2"', 'sh', grantLog(), copy]);
    const b = author.clone.cleanroom(['audit', '--grant-log', copy]);
    expect(b.stderr).toMatch(/✗ line 1: records 1–1 are missing/);
    expect(b.code).toBe(1);
  });
});
