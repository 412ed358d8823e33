// verifyGrants with real signatures: every statement here is signed by `ssh-keygen -Y
// sign` (ed25519, ecdsa, rsa keys made in a temp dir), then judged in-process. Each
// replay and forgery must be refused with a note that names the rule that failed; the
// genuine article must pass, also when the same content is committed again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildChange, type ChangeInput } from '../../../src/check/change.js';
import { verifyGrants, type Trust } from '../../../src/check/grants.js';
import { evaluate } from '../../../src/core/evaluate.js';
import type { FileChange } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { sshKeygenSign } from '../../../src/sign/ssh-keygen.js';
import { toCompactBase64 } from '../../../src/sign/sshsig.js';
import {
  canonicalText,
  coverage,
  formatTrailerValue,
  isoSeconds,
  NAMESPACE,
  TRAILER_KEY,
  type GrantKind,
  type Statement,
} from '../../../src/sign/statement.js';
import type { Policy } from '../../../src/policy/compile.js';
import { cleanEnv, POLICY, removeTempDirs, tempDir, TestRepo } from '../../helpers/repo.js';
import { sshKeygenKey, type SshKeygenKey } from './helpers.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const HOUR = 3_600_000;
const AUTHOR = { name: 'Hana Human', email: 'hana@example.org' };
const AI = 'Co-authored-by: Claude <noreply@anthropic.com>';
const Q1 = '1'.repeat(40);
const Q1_EDITED = '2'.repeat(40);
const H1 = '3'.repeat(40);

const SIGNED_REVIEW_POLICY = POLICY.replace(
  /review:[\s\S]*$/,
  'review:\n  mode: signed\n  reviewers: .cleanroom/reviewers\n  independent: true\n',
);
const policy = loadPolicyText(POLICY, 'policy.yaml');
const signedPolicy = loadPolicyText(SIGNED_REVIEW_POLICY, 'policy.yaml');
const otherRepoPolicy = loadPolicyText(
  POLICY.replace('repository: example.org/acme/evals', 'repository: example.org/acme/other-evals'),
  'policy.yaml',
);
const renamedZonePolicy = loadPolicyText(
  POLICY.replace('name: eval-tasks', 'name: eval-questions'),
  'policy.yaml',
);

const file = (path: string, blob: string, status: FileChange['status'] = 'A'): FileChange => ({
  status,
  path,
  blob,
  mode: '100644',
});
const TASK = [file('evals/tasks/q1.json', Q1)];
const HARNESS = [file('evals/harness/run.py', H1)];

let dir: string;
const keys: Record<string, SshKeygenKey> = {};
let trust: Trust;
let signedTrust: Trust;

const line = (principals: string, k: SshKeygenKey, options = ''): string =>
  `${principals} ${options ? `${options} ` : ''}${k.pub}`;

beforeAll(() => {
  dir = tempDir('cleanroom-grants-');
  keys.ava = sshKeygenKey(dir, 'ava', ['-t', 'ed25519']);
  keys.eve = sshKeygenKey(dir, 'eve', ['-t', 'ecdsa', '-b', '256']);
  keys.roy = sshKeygenKey(dir, 'roy', ['-t', 'rsa', '-b', '2048']);
  keys.hana = sshKeygenKey(dir, 'hana', ['-t', 'ed25519']);
  keys.rita = sshKeygenKey(dir, 'rita', ['-t', 'ecdsa', '-b', '384']);
  keys.mallory = sshKeygenKey(dir, 'mallory', ['-t', 'ed25519']);
  const approvers = [
    '# approvers: may sign overrides',
    line('ava@example.org', keys.ava!, 'namespaces="cleanroom-override"'),
    line('eve@example.org', keys.eve!, 'namespaces="cleanroom-override"'),
    line('roy@example.org', keys.roy!),
    line(
      'hana@example.org,hana@home.example',
      keys.hana!,
      'namespaces="cleanroom-override,cleanroom-review"',
    ),
    line('rita@example.org', keys.rita!, 'namespaces="cleanroom-review"'),
  ].join('\n');
  const reviewers = [
    line('rita@example.org', keys.rita!, 'namespaces="cleanroom-review"'),
    line('hana@example.org', keys.hana!, 'namespaces="cleanroom-review"'),
  ].join('\n');
  trust = {
    approvers: { file: '.cleanroom/approvers', text: approvers + '\n' },
    reviewers: { file: '.cleanroom/reviewers', text: reviewers + '\n' },
  };
  signedTrust = trust;
});

afterAll(() => removeTempDirs());

interface SignOpts {
  kind?: GrantKind;
  key?: string;
  principal?: string;
  files?: FileChange[];
  policy?: Policy;
  /** Namespace given to ssh-keygen; default the kind's own. */
  namespace?: string;
  statement?: Partial<Statement>;
}

/** A trailer value made the way `cleanroom override|review sign` makes it: ssh-keygen -Y sign over the canonical text. */
async function signed(o: SignOpts = {}): Promise<string> {
  const kind = o.kind ?? 'override';
  const pol = o.policy ?? (kind === 'review' ? signedPolicy : policy);
  const cov = coverage(pol, o.files ?? (kind === 'review' ? HARNESS : TASK));
  const st: Statement = {
    kind,
    repository: pol.repository,
    zones: cov.zones,
    files: cov.pairs.length,
    digest: cov.digest,
    reason: 'hand-checked by the eval team',
    principal: o.principal ?? 'ava@example.org',
    created: isoSeconds(new Date(NOW.getTime() - HOUR)),
    expires: isoSeconds(new Date(NOW.getTime() + 7 * 24 * HOUR)),
    ...o.statement,
  };
  const armored = await sshKeygenSign({
    key: keys[o.key ?? 'ava']!.path,
    namespace: o.namespace ?? NAMESPACE[kind],
    message: canonicalText(st),
    env: cleanEnv(),
  });
  return formatTrailerValue(st, toCompactBase64(armored));
}

interface Judge {
  kind?: GrantKind;
  files?: FileChange[];
  policy?: Policy;
  trust?: Trust;
  now?: Date;
  author?: { name: string; email: string };
  /** Extra trailer lines, before the grant. */
  before?: string;
}

function judge(value: string, j: Judge = {}) {
  const kind = j.kind ?? 'override';
  const input: ChangeInput = {
    commit: 'f'.repeat(40),
    files: j.files ?? (kind === 'review' ? HARNESS : TASK),
    message: `Add the task\n\n${AI}\n${j.before ?? ''}${TRAILER_KEY[kind]}: ${value}\n`,
    author: j.author ?? AUTHOR,
  };
  return verifyGrants(
    j.policy ?? (kind === 'review' ? signedPolicy : policy),
    input,
    j.trust ?? (kind === 'review' ? signedTrust : trust),
    j.now ?? NOW,
  );
}

function expectAccepted(
  r: ReturnType<typeof judge>,
  by: string,
  kind: GrantKind = 'override',
): void {
  const got = kind === 'override' ? r.overrides : r.attestations;
  expect(r.notes.filter((n) => n.includes('not accepted'))).toEqual([]);
  expect(got).toHaveLength(1);
  expect(got[0]!.by).toBe(by);
}

function expectRefused(
  r: ReturnType<typeof judge>,
  rule: RegExp,
  kind: GrantKind = 'override',
): void {
  expect(r.overrides).toEqual([]);
  expect(r.attestations).toEqual([]);
  const prefix = kind === 'override' ? 'override not accepted: ' : 'signed review not accepted: ';
  const notes = r.notes.filter((n) => n.startsWith(prefix));
  expect(notes, `notes: ${JSON.stringify(r.notes)}`).toHaveLength(1);
  expect(notes[0]).toMatch(rule);
}

describe('a genuine override', () => {
  it.each([
    ['ed25519', 'ava', 'ava@example.org'],
    ['ecdsa-sha2-nistp256', 'eve', 'eve@example.org'],
    ['rsa (rsa-sha2-512)', 'roy', 'roy@example.org'],
  ])(
    'verifies when signed with an %s key listed for its principal',
    async (_type, key, principal) => {
      const r = judge(await signed({ key, principal }));
      expectAccepted(r, principal);
      expect([...r.overrides[0]!.paths!]).toEqual(['evals/tasks/q1.json']);
      expect(r.overrides[0]!.reason).toBe('hand-checked by the eval team');
    },
  );

  it('turns the deny-zone violation into an "overridden" finding', async () => {
    const value = await signed();
    const input: ChangeInput = {
      commit: 'f'.repeat(40),
      files: TASK,
      message: `Add\n\n${AI}\nCleanroom-Override: ${value}\n`,
      author: AUTHOR,
    };
    const findings = evaluate(policy, buildChange(policy, input, trust, NOW));
    expect(findings).toMatchObject([
      {
        path: 'evals/tasks/q1.json',
        zone: 'eval-tasks',
        outcome: 'overridden',
        by: 'ava@example.org',
      },
    ]);
    const bare = evaluate(
      policy,
      buildChange(policy, { ...input, message: `Add\n\n${AI}\n` }, trust, NOW),
    );
    expect(bare).toMatchObject([{ outcome: 'violation' }]);
  });

  it('still verifies for the same content committed again (rebase: new id, new message, other files beside it)', async () => {
    const value = await signed();
    const input: ChangeInput = {
      commit: 'e'.repeat(40),
      files: [file('README.md', '9'.repeat(40), 'M'), ...TASK, file('src/x.ts', '8'.repeat(40))],
      message: `Add the task, rebased onto the new main\n\nMore words.\n\n${AI}\nCleanroom-Override: ${value}\n`,
      author: { name: 'Hana Human', email: 'hana@example.org' },
    };
    expectAccepted(verifyGrants(policy, input, trust, NOW), 'ava@example.org');
  });

  it('verifies when git has unfolded it from several lines (trailer continuation)', async () => {
    const value = await signed();
    const folded = value.replace(' reason=', '\n  reason=').replace(' sig=', '\n sig=');
    expectAccepted(judge(folded), 'ava@example.org');
  });

  it('is judged on its own among other trailers: a bad one beside a good one', async () => {
    const good = await signed();
    const r = judge(good, {
      before: `Cleanroom-Override: ${good.replace('by=ava@', 'by=eve@')}\n`,
    });
    expect(r.overrides).toHaveLength(1);
    expect(r.notes.filter((n) => n.startsWith('override not accepted:'))).toEqual([
      expect.stringMatching(/signature does not verify/),
    ]);
  });
});

describe('replay: a trailer copied somewhere else does not verify', () => {
  it('to another repository id', async () => {
    expectRefused(
      judge(await signed(), { policy: otherRepoPolicy }),
      /signed for repository example\.org\/acme\/evals, and this is example\.org\/acme\/other-evals/,
    );
  });

  it('to another path (same content)', async () => {
    expectRefused(
      judge(await signed(), { files: [file('evals/tasks/q2.json', Q1)] }),
      /covers other content .*it was signed for another change .*or the files changed since it was requested — a pre-commit formatter \(lint-staged, prettier\) may have rewritten them/,
    );
  });

  it('to other content at the same path', async () => {
    expectRefused(
      judge(await signed(), { files: [file('evals/tasks/q1.json', Q1_EDITED)] }),
      /covers other content .*it was signed for another change .*or the files changed since it was requested — a pre-commit formatter \(lint-staged, prettier\) may have rewritten them/,
    );
  });

  it('to a change with one more file in the same zone', async () => {
    expectRefused(
      judge(await signed(), { files: [...TASK, file('evals/tasks/q2.json', Q1)] }),
      /covers other content \(1 file, .*\) than this change \(2,/,
    );
  });

  it('to a change that deletes a zone file besides', async () => {
    expectRefused(
      judge(await signed(), {
        files: [...TASK, file('evals/tasks/old.json', '0'.repeat(40), 'D')],
      }),
      /covers other content/,
    );
  });

  it('to another zone', async () => {
    expectRefused(
      judge(await signed(), { files: [file('data/train/q1.json', Q1)] }),
      /covers zones eval-tasks, and this change touches training-data/,
    );
  });

  it('to the same path after the zone was renamed in the policy', async () => {
    expectRefused(
      judge(await signed(), { policy: renamedZonePolicy }),
      /covers zones eval-tasks, and this change touches eval-questions/,
    );
  });

  it('to a change with no file in any zone', async () => {
    expectRefused(
      judge(await signed(), { files: [file('src/x.ts', Q1)] }),
      /no file in a zone for it to cover/,
    );
  });

  it("after expiry, judged by the verifier's clock", async () => {
    const value = await signed();
    expectAccepted(
      judge(value, { now: new Date(NOW.getTime() + 7 * 24 * HOUR) }),
      'ava@example.org',
    );
    expectRefused(
      judge(value, { now: new Date(NOW.getTime() + 7 * 24 * HOUR + 1000) }),
      /it expired at 2026-03-08T12:00:00Z/,
    );
  });

  it('when it was created in the future (beyond five minutes of clock skew)', async () => {
    expectAccepted(
      judge(
        await signed({ statement: { created: isoSeconds(new Date(NOW.getTime() + 4 * 60_000)) } }),
      ),
      'ava@example.org',
    );
    expectRefused(
      judge(await signed({ statement: { created: isoSeconds(new Date(NOW.getTime() + HOUR)) } })),
      /created in the future \(2026-03-01T13:00:00Z\)/,
    );
  });

  it('when its validity window is longer than a year (only a hand-made statement can say so)', async () => {
    expectRefused(
      judge(await signed({ statement: { expires: '2036-03-01T12:00:00Z' } })),
      /valid for more than a year/,
    );
  });

  it('when it "never expires" because its expiry is no date', async () => {
    expectRefused(
      judge(await signed({ statement: { expires: '2026-13-45T99:99:99Z' } })),
      /created=\/expires= must be real instants/,
    );
  });
});

describe('forgery: the fields are bound by the signature', () => {
  it.each<[string, (v: string) => string]>([
    [
      'the principal changed to another approver',
      (v) => v.replace('by=ava@example.org', 'by=eve@example.org'),
    ],
    ['the reason changed', (v) => v.replace('reason=hand-checked', 'reason=approved')],
    [
      'the expiry pushed out',
      (v) => v.replace('expires=2026-03-08T12:00:00Z', 'expires=2026-03-09T12:00:00Z'),
    ],
    [
      'the creation time changed',
      (v) => v.replace('created=2026-03-01T11:00:00Z', 'created=2026-03-01T11:30:00Z'),
    ],
  ])('%s', async (_name, tamper) => {
    const value = await signed();
    const forged = tamper(value);
    expect(forged).not.toBe(value);
    expectRefused(
      judge(forged),
      /the signature does not verify \(signature by ssh-ed25519 key SHA256:[^ ]+ does not match the message\)/,
    );
  });

  it('zones and digest edited to fit another change', async () => {
    const value = await signed();
    const other = coverage(policy, [file('data/train/q1.json', Q1)]);
    const forged = value
      .replace('zones=eval-tasks', 'zones=training-data')
      .replace(/digest=[^ ]+/, `digest=${other.digest}`);
    expectRefused(
      judge(forged, { files: [file('data/train/q1.json', Q1)] }),
      /signature does not verify/,
    );
  });

  it('an unlisted key', async () => {
    expectRefused(
      judge(await signed({ key: 'mallory', principal: 'ava@example.org' })),
      /key SHA256:\S+ is not in \.cleanroom\/approvers; ava@example\.org is listed with key SHA256:\S+ — sign with that key/,
    );
    expectRefused(
      judge(await signed({ key: 'mallory', principal: 'mallory@example.org' })),
      /key SHA256:\S+ is not in \.cleanroom\/approvers — add "mallory@example\.org ssh-ed25519 <key>"/,
    );
  });

  it('a listed key with the wrong principal', async () => {
    expectRefused(
      judge(await signed({ key: 'eve', principal: 'ava@example.org' })),
      /key SHA256:\S+ is listed for eve@example\.org \(\.cleanroom\/approvers:3\) but the signature claims ava@example\.org/,
    );
  });

  it("self-approval: the commit's author signs as themself", async () => {
    expectRefused(
      judge(await signed({ key: 'hana', principal: 'hana@example.org' })),
      /self-approval is refused: hana@example\.org is the commit's author/,
    );
  });

  it('self-approval compares emails case-insensitively', async () => {
    expectRefused(
      judge(await signed({ key: 'hana', principal: 'hana@example.org' }), {
        author: { name: 'Hana', email: 'Hana@Example.ORG' },
      }),
      /self-approval is refused/,
    );
  });

  it('self-approval under another principal of the same key', async () => {
    // hana's key is listed for "hana@example.org,hana@home.example": signing as the
    // second name is still hana approving her own commit.
    expectRefused(
      judge(await signed({ key: 'hana', principal: 'hana@home.example' })),
      /self-approval is refused: the signing key SHA256:\S+ is also listed for hana@example\.org,hana@home\.example \(\.cleanroom\/approvers:5\), which is the author hana@example\.org/,
    );
  });

  describe('self-approval is a key, not an e-mail (issue 10 §5): one key on two lines, work and home', () => {
    const twoLines = (): Trust => ({
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: `${line('hana@example.org', keys.hana!)}\n${line('hana@home.example', keys.hana!)}\n`,
      },
    });
    it('the author is the work address, the override signed as the home address', async () => {
      expectRefused(
        judge(await signed({ key: 'hana', principal: 'hana@home.example' }), { trust: twoLines() }),
        /self-approval is refused: the signing key SHA256:\S+ is also listed for hana@example\.org \(\.cleanroom\/approvers:1\)/,
      );
    });
    it('the author is the home address, the override signed as the work address', async () => {
      expectRefused(
        judge(await signed({ key: 'hana', principal: 'hana@example.org' }), {
          trust: twoLines(),
          author: { name: 'Hana', email: 'Hana+lab@Home.Example' },
        }),
        /self-approval is refused: the signing key SHA256:\S+ is also listed for hana@home\.example \(\.cleanroom\/approvers:2\)/,
      );
    });
    it('the key listed for the author only in the reviewers file', async () => {
      const t: Trust = {
        approvers: {
          file: '.cleanroom/approvers',
          text: `${line('hana@work.example', keys.hana!)}\n`,
        },
        reviewers: {
          file: '.cleanroom/reviewers',
          text: `${line('hana@example.org', keys.hana!)}\n`,
        },
      };
      expectRefused(
        judge(await signed({ key: 'hana', principal: 'hana@work.example' }), { trust: t }),
        /self-approval is refused: .*\(\.cleanroom\/reviewers:1\)/,
      );
    });
    it('human control: the same two-line key approving a colleague', async () => {
      expectAccepted(
        judge(await signed({ key: 'hana', principal: 'hana@home.example' }), {
          trust: twoLines(),
          author: { name: 'Ava', email: 'ava@example.org' },
        }),
        'hana@home.example',
      );
    });
  });

  it.each([
    ['a symlink', '120000'],
    ['a submodule (gitlink)', '160000'],
  ])(
    'an override for a regular file does not validate the same blob committed as %s (issue 10 §6)',
    async (_what, mode) => {
      const value = await signed();
      expectRefused(judge(value, { files: [{ ...TASK[0]!, mode }] }), /covers other content/);
      // human control: the same blob as a regular (or executable) file
      expectAccepted(judge(value, { files: [{ ...TASK[0]!, mode: '100755' }] }), 'ava@example.org');
    },
  );

  describe('revoked keys (issue 17 §4)', () => {
    const withRevoked = (text: string | 'missing'): Trust => ({
      ...trust,
      revokedApprovers: text === 'missing' ? 'missing' : { file: '.cleanroom/revoked', text },
    });
    it('a revoked approver key is refused', async () => {
      expectRefused(
        judge(await signed(), { trust: withRevoked(`# left the lab\n${keys.ava!.pub} ava\n`) }),
        /the signing key SHA256:\S+ is revoked/,
      );
    });
    it('a revocation file the policy names but that is missing refuses every override (fail closed)', async () => {
      expectRefused(
        judge(await signed(), { trust: withRevoked('missing') }),
        /revocation file named by the policy is missing/,
      );
    });
    it('an invalid revocation file refuses every override', async () => {
      expectRefused(
        judge(await signed(), { trust: withRevoked('ssh-ed25519 not-base64!\n') }),
        /revocation file is invalid: \.cleanroom\/revoked:1:/,
      );
    });
    it('human control: another key revoked', async () => {
      expectAccepted(
        judge(await signed(), { trust: withRevoked(`${keys.mallory!.pub}\n`) }),
        'ava@example.org',
      );
    });
  });

  it("the same key approving someone else's commit is fine", async () => {
    expectAccepted(
      judge(await signed({ key: 'hana', principal: 'hana@home.example' }), {
        author: { name: 'Ava', email: 'ava@example.org' },
      }),
      'hana@home.example',
    );
  });

  it('a key whose namespaces="cleanroom-review" signs an override', async () => {
    expectRefused(
      judge(await signed({ key: 'rita', principal: 'rita@example.org' })),
      /namespace cleanroom-override not allowed for this key \(namespaces="cleanroom-review", \.cleanroom\/approvers:6\)/,
    );
  });

  it.each(['git', 'file', 'cleanroom-review', 'cleanroom-override-x'])(
    'a signature made for namespace "%s" (same key, same text) never passes as an override',
    async (ns) => {
      expectRefused(
        judge(await signed({ key: 'roy', principal: 'roy@example.org', namespace: ns })),
        new RegExp(`signature was made for namespace "${ns}", expected "cleanroom-override"`),
      );
    },
  );

  it('a Git commit signature (git commit -S, gpg.format=ssh) never passes as an override', async () => {
    const repo = TestRepo.init();
    repo.write('evals/tasks/q1.json', '{"q": 1}\n');
    repo.git('add', '-A');
    repo.git(
      '-c',
      'gpg.format=ssh',
      '-c',
      `user.signingkey=${keys.roy!.path}`,
      'commit',
      '-q',
      '-S',
      '-m',
      'signed commit',
    );
    const raw = repo.git('cat-file', 'commit', 'HEAD');
    const armored =
      /^gpgsig (-----BEGIN SSH SIGNATURE-----\n(?: .*\n)*? -----END SSH SIGNATURE-----)/m
        .exec(raw)![1]!
        .replace(/^ /gm, '');
    const value = (await signed({ key: 'roy', principal: 'roy@example.org' })).replace(
      /sig=\S+$/,
      `sig=${toCompactBase64(armored + '\n')}`,
    );
    expectRefused(
      judge(value),
      /signature was made for namespace "git", expected "cleanroom-override"/,
    );
  });

  it('a signed review presented as an override', async () => {
    const review = await signed({
      kind: 'review',
      key: 'rita',
      principal: 'rita@example.org',
      files: TASK,
      policy,
    });
    expectRefused(
      judge(review),
      /signature was made for namespace "cleanroom-review", expected "cleanroom-override"/,
    );
  });

  it('a removed key', async () => {
    const value = await signed();
    const removed: Trust = {
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: trust
          .approvers!.text.split('\n')
          .filter((l) => !l.startsWith('ava@'))
          .join('\n'),
      },
    };
    expectAccepted(judge(value), 'ava@example.org');
    expectRefused(
      judge(value, { trust: removed }),
      /key SHA256:\S+ is not in \.cleanroom\/approvers/,
    );
  });

  it('a key with valid-after in the future', async () => {
    const t: Trust = {
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: line('ava@example.org', keys.ava!, 'valid-after="20260401"'),
      },
    };
    expectRefused(
      judge(await signed(), { trust: t }),
      /key SHA256:\S+ is not valid until 2026-04-01 \(valid-after, \.cleanroom\/approvers:1\)/,
    );
  });

  it('a key with valid-before in the past', async () => {
    const t: Trust = {
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: line('ava@example.org', keys.ava!, 'valid-before="20260301115959Z"'),
      },
    };
    expectRefused(
      judge(await signed(), { trust: t }),
      /key SHA256:\S+ expired on 2026-03-01T11:59:59Z \(valid-before, \.cleanroom\/approvers:1\)/,
    );
  });

  it('reads valid-after/valid-before without Z as UTC, whatever the local time zone', async () => {
    const t: Trust = {
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: line(
          'ava@example.org',
          keys.ava!,
          'valid-after="202603011200",valid-before="202603011201"',
        ),
      },
    };
    const value = await signed();
    expectAccepted(judge(value, { trust: t }), 'ava@example.org');
    expectRefused(
      judge(value, { trust: t, now: new Date(NOW.getTime() - 1000) }),
      /not valid until 2026-03-01T12:00:00Z/,
    );
  });

  it('no approvers file', async () => {
    expectRefused(
      judge(await signed(), { trust: { ...trust, approvers: undefined } }),
      /no approvers file is configured or it is missing/,
    );
  });

  it('a plain signature against an approvers file where the key is only a cert-authority', async () => {
    // A CA key signs certificates, not statements: its own plain signature is not an approver's.
    const t: Trust = {
      ...trust,
      approvers: {
        file: '.cleanroom/approvers',
        text: `${line('*@example.org', keys.ava!, 'cert-authority')}\n`,
      },
    };
    expectRefused(
      judge(await signed(), { trust: t }),
      /key SHA256:\S+ is not in \.cleanroom\/approvers/,
    );
  });

  it("a reviewer's key (in the reviewers file only) signing an override", async () => {
    const t: Trust = {
      ...trust,
      approvers: { file: '.cleanroom/approvers', text: line('ava@example.org', keys.ava!) },
    };
    expectRefused(
      judge(
        await signed({
          key: 'rita',
          principal: 'rita@example.org',
          namespace: 'cleanroom-override',
        }),
        { trust: t },
      ),
      /key SHA256:\S+ is not in \.cleanroom\/approvers/,
    );
  });
});

describe('bad input: refused with a reason, never an exception', () => {
  it('a 1 MB trailer', async () => {
    const value = `v1 repo=example.org/acme/evals reason=${'x'.repeat(1_000_000)}`;
    const t0 = performance.now();
    expectRefused(judge(value), /the trailer is 1000038 bytes long; a real one is under 8192/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it.each<[string, string, RegExp]>([
    ['characters outside base64', '!!!!', /sig= is not base64/],
    ['a truncated signature', 'U1NIU0lH', /signature does not verify/],
    ['a length that is not a multiple of 4', 'U1NIU0lHA', /sig= is not base64/],
    [
      'non-canonical trailing bits',
      'AB==',
      /sig= is not a signature \(signature is not canonical base64\)/,
    ],
    [
      'a valid blob that is not SSHSIG',
      Buffer.from('not a signature at all').toString('base64'),
      /signature does not verify/,
    ],
  ])('invalid base64 in sig=: %s', async (_name, sig, rule) => {
    const value = (await signed()).replace(/sig=\S+$/, `sig=${sig}`);
    expectRefused(judge(value), rule);
  });

  it('a statement with a newline smuggled into the reason', async () => {
    const value = (await signed()).replace(
      /reason=\S+/,
      'reason=ok%0Aprincipal%20mallory@example.org',
    );
    expectRefused(judge(value), /the reason must be one line without control characters/);
  });

  it.each<[string, RegExp]>([
    ['v1', /expected 9 fields/],
    ['', /unknown trailer version/],
    ['yes, approved by ava', /unknown trailer version/],
  ])('a trailer value %j', (value, rule) => {
    expectRefused(judge(value), rule);
  });

  it("a trailer-looking line in the body is not a trailer (Git's rules)", async () => {
    const value = await signed();
    const input: ChangeInput = {
      commit: null,
      files: TASK,
      message: `Add\n\nCleanroom-Override: ${value}\n\nThis is prose.\n`,
      author: AUTHOR,
    };
    expect(verifyGrants(policy, input, trust, NOW)).toEqual({
      attestations: [],
      overrides: [],
      notes: [],
    });
  });
});

describe('signed reviews', () => {
  it("verify in review.mode: signed with a reviewer's key, and count as an attestation for the zone paths", async () => {
    const r = judge(await signed({ kind: 'review', key: 'rita', principal: 'rita@example.org' }), {
      kind: 'review',
    });
    expectAccepted(r, 'rita@example.org', 'review');
    expect(r.attestations[0]).toMatchObject({ kind: 'signed', by: 'rita@example.org' });
  });

  it('pass the review zone end to end, where a plain Reviewed-by does not', async () => {
    const value = await signed({ kind: 'review', key: 'rita', principal: 'rita@example.org' });
    const base: ChangeInput = {
      commit: 'f'.repeat(40),
      files: HARNESS,
      message: '',
      author: AUTHOR,
    };
    const withReview = evaluate(
      signedPolicy,
      buildChange(
        signedPolicy,
        { ...base, message: `Harness\n\n${AI}\nCleanroom-Review: ${value}\n` },
        signedTrust,
        NOW,
      ),
    );
    expect(withReview).toMatchObject([
      { zone: 'eval-harness', outcome: 'reviewed', by: 'rita@example.org' },
    ]);
    const plain = buildChange(
      signedPolicy,
      { ...base, message: `Harness\n\n${AI}\nReviewed-by: Rita Reviewer <rita@example.org>\n` },
      signedTrust,
      NOW,
    );
    expect(evaluate(signedPolicy, plain)).toMatchObject([
      { zone: 'eval-harness', outcome: 'violation' },
    ]);
    expect(plain.notes).toContain(
      '"Reviewed-by: Rita Reviewer <rita@example.org>" is not counted: review.mode is "signed" (a Cleanroom-Review signature is needed)',
    );
  });

  it('are not counted in review.mode: trailer', async () => {
    const r = judge(
      await signed({ kind: 'review', key: 'rita', principal: 'rita@example.org', policy }),
      { kind: 'review', policy, trust },
    );
    expect(r.attestations).toEqual([]);
    expect(r.notes).toEqual([
      expect.stringMatching(
        /^"Cleanroom-Review: v1 .*…" is not counted: review\.mode is "trailer"$/,
      ),
    ]);
  });

  it('bind the content reviewed', async () => {
    const value = await signed({ kind: 'review', key: 'rita', principal: 'rita@example.org' });
    expectRefused(
      judge(value, { kind: 'review', files: [file('evals/harness/run.py', Q1)] }),
      /covers other content/,
      'review',
    );
  });

  it('need a key from the reviewers file', async () => {
    expectRefused(
      judge(await signed({ kind: 'review', key: 'ava', principal: 'ava@example.org' }), {
        kind: 'review',
      }),
      /key SHA256:\S+ is not in \.cleanroom\/reviewers/,
      'review',
    );
  });

  it('by the author are refused when review.independent is true', async () => {
    expectRefused(
      judge(await signed({ kind: 'review', key: 'hana', principal: 'hana@example.org' }), {
        kind: 'review',
      }),
      /the reviewer hana@example\.org is the commit's author \(review\.independent is true\)/,
      'review',
    );
  });

  it('by the author count when review.independent is false', async () => {
    const lax = loadPolicyText(
      SIGNED_REVIEW_POLICY.replace('independent: true', 'independent: false'),
      'policy.yaml',
    );
    expectAccepted(
      judge(
        await signed({ kind: 'review', key: 'hana', principal: 'hana@example.org', policy: lax }),
        { kind: 'review', policy: lax },
      ),
      'hana@example.org',
      'review',
    );
  });

  it('an override presented as a review', async () => {
    expectRefused(
      judge(
        await signed({
          key: 'hana',
          principal: 'hana@example.org',
          files: HARNESS,
          policy: signedPolicy,
        }),
        { kind: 'review', author: { name: 'Ava', email: 'ava@example.org' } },
      ),
      /signature was made for namespace "cleanroom-override", expected "cleanroom-review"/,
      'review',
    );
  });

  it('are not asked for on a deny-only change (the advice does not apply there)', () => {
    const r = verifyGrants(
      signedPolicy,
      { commit: null, files: TASK, message: `x\n\n${AI}\n`, author: AUTHOR },
      signedTrust,
      NOW,
    );
    expect(r.notes).toEqual([]);
  });

  it('are asked for when review.mode is signed and none is present', () => {
    const r = verifyGrants(
      signedPolicy,
      { commit: null, files: HARNESS, message: `x\n\n${AI}\n`, author: AUTHOR },
      signedTrust,
      NOW,
    );
    expect(r.notes).toEqual([
      expect.stringMatching(
        /review\.mode is "signed": review zones need a Cleanroom-Review trailer signed by a key in \.cleanroom\/reviewers .*a plain Reviewed-by line does not count/,
      ),
    ]);
  });
});
