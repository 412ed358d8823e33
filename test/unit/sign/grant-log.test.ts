// The override log (issue 17 §5): appended with real ssh-keygen signatures, then verified.
// Each attack — an edited line, a removed line, a forged signature, a rewritten chain with
// a key the trust files never listed, an edited last line — is found; the intact log
// (the human control) verifies.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptedGrants, type Trust } from '../../../src/check/grants.js';
import type { FileChange } from '../../../src/core/types.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { sshKeygenSign } from '../../../src/sign/ssh-keygen.js';
import { toCompactBase64 } from '../../../src/sign/sshsig.js';
import {
  appendGrantLog,
  GENESIS,
  lineHash,
  verifyGrantLog,
  type GrantLogInput,
} from '../../../src/sign/grant-log.js';
import {
  canonicalText,
  coverage,
  foldTrailerValue,
  formatTrailerValue,
  isoSeconds,
  NAMESPACE,
  type Statement,
} from '../../../src/sign/statement.js';
import { cleanEnv, POLICY, removeTempDirs, tempDir } from '../../helpers/repo.js';
import { sshKeygenKey, type SshKeygenKey } from './helpers.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const policy = loadPolicyText(POLICY, 'policy.yaml');
const AUTHOR = { name: 'Hana Human', email: 'hana@example.org' };
const AI = 'Co-authored-by: Claude <noreply@anthropic.com>';
let dir: string;
let ava: SshKeygenKey;
let mallory: SshKeygenKey;
let trust: Trust;

const task = (n: number): FileChange[] => [
  { status: 'A', path: `evals/tasks/q${n}.json`, blob: String(n).repeat(40), mode: '100644' },
];

async function trailer(
  key: SshKeygenKey,
  files: FileChange[],
  principal = 'ava@example.org',
): Promise<string> {
  const cov = coverage(policy, files);
  const st: Statement = {
    kind: 'override',
    repository: policy.repository,
    zones: cov.zones,
    files: cov.pairs.length,
    digest: cov.digest,
    reason: 'hand-checked',
    principal,
    created: isoSeconds(new Date(NOW.getTime() - 3_600_000)),
    expires: isoSeconds(new Date(NOW.getTime() + 86_400_000)),
  };
  return formatTrailerValue(
    st,
    toCompactBase64(
      await sshKeygenSign({
        key: key.path,
        namespace: NAMESPACE.override,
        message: canonicalText(st),
        env: cleanEnv(),
      }),
    ),
  );
}

async function entry(n: number, folded = false): Promise<GrantLogInput> {
  const files = task(n);
  const value = await trailer(ava, files);
  const message = `Add q${n}\n\n${AI}\nCleanroom-Override: ${folded ? foldTrailerValue(value) : value}\n`;
  const commit = String(n).padStart(40, 'c');
  const grants = acceptedGrants(policy, { commit, files, message, author: AUTHOR }, trust, NOW);
  expect(grants).toHaveLength(1);
  return { commit, repository: policy.repository, grants };
}

let log: string;
let intact: string;
const verify = (text: string, t: Trust | undefined = trust) => verifyGrantLog(text, async () => t);

beforeAll(async () => {
  dir = tempDir('cleanroom-log-');
  ava = sshKeygenKey(dir, 'ava', ['-t', 'ed25519']);
  mallory = sshKeygenKey(dir, 'mallory', ['-t', 'ed25519']);
  trust = { approvers: { file: '.cleanroom/approvers', text: `ava@example.org ${ava.pub}\n` } };
  log = join(dir, 'grants.jsonl');
  appendGrantLog(
    log,
    [await entry(1), await entry(2, true)],
    { source: 'main:.cleanroom/policy.yaml', rev: 'a'.repeat(40) },
    NOW,
  );
  appendGrantLog(
    log,
    [await entry(3)],
    { source: 'main:.cleanroom/policy.yaml', rev: 'a'.repeat(40) },
    NOW,
  );
  intact = readFileSync(log, 'utf8');
});

afterAll(() => removeTempDirs());

const lines = (): string[] => intact.trimEnd().split('\n');
const join_ = (ls: string[]): string => ls.join('\n') + '\n';

describe('the override log', () => {
  it('chains each line to the one before, across appends (human control: the intact log verifies)', async () => {
    const ls = lines();
    expect(ls).toHaveLength(3);
    const recs = ls.map(
      (l) =>
        JSON.parse(l) as {
          seq: number;
          prev: string;
          files: unknown[];
          principal: string;
          fingerprint: string;
        },
    );
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(recs[0]!.prev).toBe(GENESIS);
    expect(recs[2]!.prev).toBe(lineHash(ls[1]!));
    expect(recs[0]).toMatchObject({
      principal: 'ava@example.org',
      files: [{ path: 'evals/tasks/q1.json', blob: '1'.repeat(40), mode: '100644' }],
    });
    const v = await verify(intact);
    expect(v.problems).toEqual([]);
    expect(v.records).toBe(3);
    expect(v.head).toBe(lineHash(ls[2]!));
  });

  it('finds an edited line (a path changed: the signature no longer covers it, and the chain breaks after it)', async () => {
    const ls = lines();
    ls[0] = ls[0]!.replace('evals/tasks/q1.json', 'evals/tasks/q9.json');
    const v = await verify(join_(ls));
    expect(v.problems.map((p) => p.line)).toEqual([1, 2]);
    expect(v.problems[0]!.message).toMatch(/not the ones the signature covers/);
    expect(v.problems[1]!.message).toMatch(
      /line 1 was edited, or a line was removed or inserted here/,
    );
  });

  it('finds an edited field the signature does not cover (the commit id) by the chain', async () => {
    const ls = lines();
    ls[1] = ls[1]!.replace(/"commit":"c+2"/, `"commit":"${'d'.repeat(40)}"`);
    expect(ls[1]).toContain('d'.repeat(40));
    const v = await verify(join_(ls));
    expect(v.problems).toEqual([{ line: 3, message: expect.stringMatching(/line 2 was edited/) }]);
  });

  it('finds a removed line', async () => {
    const ls = lines();
    ls.splice(1, 1);
    const v = await verify(join_(ls));
    expect(v.problems).toEqual([
      { line: 2, message: expect.stringMatching(/records 2–2 are missing/) },
    ]);
  });

  it('finds a forged signature (a byte of sig= changed)', async () => {
    const ls = lines();
    const rec = JSON.parse(ls[2]!) as { trailer: string };
    const sig = /sig=(\S+)$/.exec(rec.trailer)![1]!;
    const bytes = Buffer.from(sig, 'base64');
    bytes[bytes.length - 5]! ^= 1;
    rec.trailer = rec.trailer.replace(sig, bytes.toString('base64'));
    ls[2] = JSON.stringify(rec);
    const v = await verify(join_(ls));
    expect(v.problems).toEqual([
      {
        line: 3,
        message: expect.stringMatching(/the signature does not verify .* forged or edited/),
      },
    ]);
  });

  it('finds a whole log rewritten with a key the trust files in force never listed', async () => {
    const forged = join(tempDir('cleanroom-log-'), 'forged.jsonl');
    const files = task(7);
    const value = await trailer(mallory, files);
    const grants = acceptedGrants(
      policy,
      {
        commit: '7'.repeat(40),
        files,
        message: `x\n\n${AI}\nCleanroom-Override: ${value}\n`,
        author: AUTHOR,
      },
      { approvers: { file: 'a', text: `ava@example.org ${mallory.pub}\n` } },
      NOW,
    );
    appendGrantLog(
      forged,
      [{ commit: '7'.repeat(40), repository: policy.repository, grants }],
      { source: 'main:.cleanroom/policy.yaml', rev: 'a'.repeat(40) },
      NOW,
    );
    const v = await verify(readFileSync(forged, 'utf8'));
    expect(v.problems).toEqual([
      {
        line: 1,
        message: expect.stringMatching(
          /the trust files in force do not allow it: key SHA256:\S+ is not in \.cleanroom\/approvers/,
        ),
      },
    ]);
  });

  it('finds a key revoked in the trust files in force', async () => {
    const v = await verify(intact, {
      ...trust,
      revokedApprovers: { file: '.cleanroom/revoked', text: `${ava.pub}\n` },
    });
    expect(v.problems.map((p) => p.message)).toEqual(
      Array(3).fill(expect.stringMatching(/was revoked/)),
    );
  });

  it('reports signers it could not re-check as unchecked, never as verified', async () => {
    const v = await verifyGrantLog(intact, async () => undefined);
    expect(v.problems).toEqual([]);
    expect(v.unchecked).toHaveLength(3);
  });

  it('finds a line that is not JSON and a truncated start', async () => {
    const ls = lines();
    expect((await verify(join_([ls[0]!, '{"v":1,', ls[2]!]))).problems.map((p) => p.line)).toEqual([
      2, 3,
    ]);
    expect((await verify(join_(ls.slice(1)))).problems[0]!.message).toMatch(
      /records 1–1 are missing/,
    );
  });

  it('refuses to append after a damaged last line', async () => {
    const bad = join(tempDir('cleanroom-log-'), 'bad.jsonl');
    writeFileSync(bad, 'not json\n');
    expect(() =>
      appendGrantLog(
        bad,
        [{ commit: 'c'.repeat(40), repository: 'x', grants: [] }],
        { source: 's' },
        NOW,
      ),
    ).not.toThrow(); // nothing to append
    const e = await entry(4);
    expect(() => appendGrantLog(bad, [e], { source: 's' }, NOW)).toThrow(/the log was damaged/);
  });
});
