// Bypasses found by a hostile review, each pushed for real against the server hook.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs } from '../../helpers/repo.js';
import {
  agentCommit,
  CLAUDE,
  humanCommit,
  protectedServer,
  serverRef,
} from '../../helpers/server.js';

afterAll(removeTempDirs);

describe('the server cannot be fooled', () => {
  it('ignores refs/replace/* (a decoy for an AI commit) and refuses to store replace refs', () => {
    const s = protectedServer();
    const evil = agentCommit(s.work, 'evals/tasks/q1.json', '{}\n');
    const decoy = s.work
      .git('commit-tree', '-p', `${evil}~1`, '-m', 'docs tweak', `${evil}~1^{tree}`)
      .trim();
    const replace = s.work.tryGit(['push', 'origin', `${decoy}:refs/replace/${evil}`]);
    expect(replace.code).not.toBe(0);
    expect(replace.stderr).toContain('cleanroom refuses replace refs');
    // Even if the admin's repository holds such a ref, cleanroom reads the real objects.
    s.server.git('fetch', '-q', s.work.dir, `${decoy}:refs/heads/tmp-decoy`);
    s.server.git('update-ref', `refs/replace/${evil}`, decoy);
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('evals/tasks/q1.json');
  });

  it('refuses a ref that points at a blob (e.g. a would-be policy replacement)', () => {
    const s = protectedServer();
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], {
      cwd: s.work.dir,
      input: 'anything\n',
      encoding: 'utf8',
    }).trim();
    const r = s.work.tryGit(['push', 'origin', `${blob}:refs/tags/blob`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('is not a commit (a tree or blob)');
  });

  it('a hand-built merge cannot take .cleanroom/ back to an older version (no override)', () => {
    const s = protectedServer();
    const c2 = s.work.head();
    // An older, laxer policy commit already on the server, on another branch.
    s.work.git('checkout', '-q', '-b', 'old');
    s.work.write('.cleanroom/policy.yaml', POLICY.replace(/ai: deny/g, 'ai: allow'));
    s.work.git('add', '-A');
    s.work.git('commit', '-q', '--no-verify', '-m', 'lax policy (on a branch)');
    s.server.git('fetch', '-q', s.work.dir, 'old:refs/heads/old'); // put there by the admin, say
    s.work.git('checkout', '-q', 'main');
    const tree = s.work.git('rev-parse', 'old^{tree}').trim();
    const merge = s.work
      .git('commit-tree', '-p', c2, '-p', 'old', '-m', 'Merge old history', tree)
      .trim();
    s.work.git('reset', '-q', '--hard', merge);
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('.cleanroom/policy.yaml');
    expect(r.stderr).toContain('cleanroom-config');
    expect(serverRef(s, 'main')).toBe(c2);
  });

  it('rewinding the default branch to an older policy is refused', () => {
    // main: a lax policy, then the strict one (both there before the hook was installed).
    const s = protectedServer({
      policy: POLICY.replace(/ai: deny/g, 'ai: allow'),
      files: { '.cleanroom/policy.yaml': POLICY },
    });
    const strict = s.work.head();
    const r = s.work.tryGit(['push', '--force', 'origin', `${strict}~1:main`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      '.cleanroom/policy.yaml on the default branch without a commit that carries an approver',
    );
    expect(serverRef(s, 'main')).toBe(strict);
  });

  // Hostile review, eleventh pass: receive-pack moves the branch a symbolic ref names (an
  // admin's refs/heads/master -> refs/heads/main kept after a rename); the hook compared
  // names, so a push to the alias was judged as some other branch.
  it('a push through a symbolic ref to the default branch is judged as a push to it', () => {
    const s = protectedServer({
      policy: POLICY.replace(/ai: deny/g, 'ai: allow'),
      files: { '.cleanroom/policy.yaml': POLICY },
    });
    const strict = s.work.head();
    s.server.git('symbolic-ref', 'refs/heads/master', 'refs/heads/main');
    // (a) content another ref already holds enters main through the alias.
    const ai = agentCommit(s.work, 'evals/tasks/held.json', '{}\n');
    s.server.git('fetch', '-q', s.work.dir, `${ai}:refs/heads/held`); // put there by the admin, say
    for (const ref of ['main', 'master']) {
      const r = s.work.tryGit(['push', 'origin', `${ai}:refs/heads/${ref}`]);
      expect(r.code, ref).not.toBe(0);
      expect(r.stderr, ref).toContain('evals/tasks/held.json');
      expect(serverRef(s, 'main')).toBe(strict);
    }
    // (b) a rewind to the older, laxer policy through the alias needs an override too.
    for (const ref of ['main', 'master', 'alias2', 'viahead']) {
      if (ref === 'alias2') s.server.git('symbolic-ref', 'refs/heads/alias2', 'refs/heads/master');
      // A branch may name HEAD itself (second review): receive-pack follows it to main.
      if (ref === 'viahead') s.server.git('symbolic-ref', 'refs/heads/viahead', 'HEAD');
      const r = s.work.tryGit(['push', '--force', 'origin', `${strict}~1:refs/heads/${ref}`]);
      expect(r.code, ref).not.toBe(0);
      expect(r.stderr, ref).toContain(
        '.cleanroom/policy.yaml on the default branch without a commit that carries an approver',
      );
      expect(serverRef(s, 'main')).toBe(strict);
    }
    // Control: a human commit through the alias moves main, as git would.
    s.work.git('reset', '-q', '--hard', strict);
    const ok = humanCommit(s.work, 'src/ok.txt', 'ok\n');
    expect(s.work.tryGit(['push', 'origin', `${ok}:refs/heads/master`]).code).toBe(0);
    expect(serverRef(s, 'main')).toBe(ok);
  });

  it("an approver cannot approve work they commit under someone else's name", () => {
    const keys = mkdtempSync(join(tmpdir(), 'cleanroom-keys-'));
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'ava',
      '-f',
      join(keys, 'ava'),
    ]);
    const pub = readFileSync(join(keys, 'ava.pub'), 'utf8').trim();
    const s = protectedServer({
      files: { '.cleanroom/approvers': `ava@example.org namespaces="cleanroom-override" ${pub}\n` },
    });
    s.work.write('evals/tasks/q1.json', '{}\n');
    s.work.git('add', '-A');
    const req = s.work.cleanroom(['override', 'request', '--reason', 'mine']);
    const signed = s.work.cleanroom(
      ['override', 'sign', '--key', join(keys, 'ava'), '--principal', 'ava@example.org'],
      { input: req.stdout },
    );
    expect(signed.code, signed.stderr).toBe(0);
    const env = {
      ...s.work.env,
      GIT_COMMITTER_NAME: 'Ava Approver',
      GIT_COMMITTER_EMAIL: 'ava@example.org',
    };
    const c = s.work.tryGit(
      [
        'commit',
        '-q',
        '--no-verify',
        '--author',
        'Bob Other <bob@example.org>',
        '-m',
        'add q',
        '-m',
        CLAUDE,
        '--trailer',
        signed.stdout.trim(),
      ],
      { env },
    );
    expect(c.code, c.stderr).toBe(0);
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      "self-approval is refused: ava@example.org is the commit's committer",
    );
  });

  it('trust files outside .cleanroom/ are guarded like the policy', () => {
    const policy = POLICY.replace('review:', 'overrides:\n  approvers: trust/approvers\nreview:');
    const s = protectedServer({ policy, files: { 'trust/approvers': '# nobody yet\n' } });
    humanCommit(
      s.work,
      'trust/approvers',
      'mallory@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOf+4vAnhGP5H9aUkYQpZOTC2uFEb8Hw9lkzM7Lr5Ccv\n',
    );
    const r = s.work.tryGit(['push', 'origin', 'main']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('trust/approvers');
    expect(r.stderr).toContain('cleanroom-config');
  });

  it('sees AI trailers hidden from a naive reader: trailing dot, quote marker, full-width colon, zero-width space', () => {
    const s = protectedServer();
    const variants = [
      'Co-authored-by: Claude <noreply@anthropic.com>.',
      '> Co-authored-by: Claude <noreply@anthropic.com>',
      'Co-authored-by\uff1a Claude <noreply@anthropic.com>',
      'Assisted\u200b-by: claude-code',
      'Thanks to Claude (noreply@anthropic.com) for the draft',
    ];
    for (const [i, v] of variants.entries()) {
      s.work.write(`evals/tasks/v${i}.json`, `${i}\n`);
      s.work.git('add', '-A');
      s.work.git('commit', '-q', '--no-verify', '-m', `variant ${i}`, '-m', v);
      const r = s.work.tryGit(['push', 'origin', 'main']);
      expect(r.code, v).not.toBe(0);
      expect(r.stderr, v).toContain(`evals/tasks/v${i}.json`);
      s.work.git('reset', '-q', '--hard', 'HEAD~1');
    }
  });

  // Eleventh pass: lines a person reads apart that git does not split, and author or
  // committer headers that `git log` shows as Claude's with invisible or full-width bytes.
  it('sees trailers after lone CRs or U+2028, and AI identities with invisible characters in the headers', () => {
    const s = protectedServer();
    const human = 'Hana Human <hana@example.org> 1700000000 +0000';
    const variants: { message: string; author?: string; committer?: string }[] = [
      { message: 'Add eval task\r\rAssisted-by: cursor\r' },
      { message: 'Add eval task\r\rMade-with: Cursor\r' },
      { message: 'Add eval task\u2028\u2028Assisted-by: claude-code' },
      {
        message: 'Add eval task\n',
        author: 'Claude <noreply@anthropic.com\u200b> 1700000000 +0000',
      },
      {
        message: 'Add eval task\n',
        committer:
          'Claude <\uff4e\uff4f\uff52\uff45\uff50\uff4c\uff59@anthropic.com> 1700000000 +0000',
      },
      {
        message: 'Add eval task\n',
        author: 'Rita \uff08aider\uff09 <rita@example.org> 1700000000 +0000',
      },
    ];
    for (const [i, v] of variants.entries()) {
      s.work.write(`evals/tasks/w${i}.json`, `${i}\n`);
      s.work.git('add', '-A');
      const tree = s.work.git('write-tree').trim();
      const body = `tree ${tree}\nparent ${s.work.head()}\nauthor ${v.author ?? human}\ncommitter ${v.committer ?? human}\n\n${v.message}`;
      const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
        cwd: s.work.dir,
        input: body,
        encoding: 'utf8',
      }).trim();
      const r = s.work.tryGit(['push', 'origin', `${id}:refs/heads/main`]);
      expect(r.code, JSON.stringify(v)).not.toBe(0);
      expect(r.stderr, JSON.stringify(v)).toContain(`evals/tasks/w${i}.json`);
      s.work.git('reset', '-q', 'HEAD');
    }
    // Control: the same hand-made commit, human throughout, is accepted.
    s.work.write('evals/tasks/ok.json', '{}\n');
    s.work.git('add', 'evals/tasks/ok.json');
    const tree = s.work.git('write-tree').trim();
    const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
      cwd: s.work.dir,
      input: `tree ${tree}\nparent ${s.work.head()}\nauthor ${human}\ncommitter ${human}\n\nAdd eval task\r\rBy hand\r`,
      encoding: 'utf8',
    }).trim();
    expect(s.work.tryGit(['push', 'origin', `${id}:refs/heads/main`]).code).toBe(0);
  });

  it('a message in an encoding cleanroom cannot read is not a way around it (fail closed)', () => {
    const s = protectedServer();
    s.work.write('evals/tasks/e.json', '{}\n');
    s.work.git('add', '-A');
    const tree = s.work.git('write-tree').trim();
    const head = s.work.head();
    const ident = `Hana Human <hana@example.org> 1700000000 +0000`;
    const body = Buffer.concat([
      // A name neither git's iconv nor cleanroom knows (IBM037, which git converts, is now
      // read as git shows it: issue 10 §4).
      Buffer.from(
        `tree ${tree}\nparent ${head}\nauthor ${ident}\ncommitter ${ident}\nencoding x-no-such-charset\n\n`,
      ),
      Buffer.from([0xc1, 0xc4, 0xc4, 0x25]),
    ]);
    const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
      cwd: s.work.dir,
      input: body,
      encoding: 'utf8',
    }).trim();
    const r = s.work.tryGit(['push', 'origin', `${id}:refs/heads/main`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('encoding x-no-such-charset');
  });
});
