// The server's compiled-policy cache (src/policy/trusted-cache.ts) is hostile input like
// everything else on disk: an entry counts only when it holds the exact policy text (in
// full: no digest, so a push does not load node:crypto), this version and this display name, and its data passes the schema and
// meaning checks. Anything else is a miss, and the policy is parsed from its text.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { loadTrustedPolicy, trustedCacheFile } from '../../../src/policy/trusted-cache.js';

const POLICY = `version: 1
repository: example/server
zones:
  - { name: eval-tasks, paths: ["evals/tasks/**"], ai: deny }
`;
// Schema-valid and meaningful, so only the key can tell it from the real entry.
const WEAKER = {
  version: 1,
  repository: 'example/server',
  zones: [{ name: 'nowhere', paths: ['nowhere/**'], ai: 'allow' }],
};

const fresh = (): string => mkdtempSync(join(tmpdir(), 'cleanroom-trusted-cache-'));
const entryOf = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(trustedCacheFile(dir, POLICY), 'utf8')) as Record<string, unknown>;

describe('the trusted policy cache', () => {
  it('a miss parses the text and writes one entry; a hit gives the same zones', async () => {
    const dir = fresh();
    const first = await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(entryOf(dir)).toMatchObject({ version: '1.0.0', display: 'policy.yaml' });
    const second = await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
    expect(second.zones.map((z) => z.name)).toEqual(first.zones.map((z) => z.name));
    expect(second.zonesFor('evals/tasks/q.json').map((z) => z.name)).toEqual(['eval-tasks']);
  });

  // Each forged entry would weaken the policy (no zones) if it were believed.
  const forgeries: [string, (e: Record<string, unknown>) => unknown][] = [
    [
      'an entry keyed to other policy bytes (a weaker policy)',
      (e) => ({ ...e, input: WEAKER, text: 'version: 1\nrepository: example/server\n' }),
    ],
    [
      'an entry keyed to the policy text with one byte more',
      (e) => ({ ...e, input: WEAKER, text: `${POLICY} ` }),
    ],
    [
      'an entry keyed to the policy text with one byte less',
      (e) => ({ ...e, input: WEAKER, text: POLICY.slice(0, -1) }),
    ],
    ['an entry without a key', (e) => ({ ...e, input: WEAKER, text: undefined })],
    ['an entry whose key is not a string', (e) => ({ ...e, input: WEAKER, text: [POLICY] })],
    [
      'an entry from another version of cleanroom',
      (e) => ({ ...e, version: '0.0.1', input: WEAKER }),
    ],
    [
      'an entry written for another file name',
      (e) => ({ ...e, display: 'other.yaml', input: WEAKER }),
    ],
    ['an entry of another format', (e) => ({ ...e, format: 99, input: WEAKER })],
    [
      'an entry whose data fails the schema',
      (e) => ({ ...e, input: { ...WEAKER, zones: 'none' } }),
    ],
    [
      'an entry whose data fails the meaning checks (a bad glob)',
      (e) => ({
        ...e,
        input: { ...WEAKER, zones: [{ name: 'z', paths: ['[unclosed'], ai: 'deny' }] },
      }),
    ],
  ];
  for (const [name, forge] of forgeries) {
    it(`ignores ${name}`, async () => {
      const dir = fresh();
      await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
      writeFileSync(trustedCacheFile(dir, POLICY), JSON.stringify(forge(entryOf(dir))));
      const p = await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
      expect(p.zones.map((z) => z.name)).toEqual(['eval-tasks']);
      // …and the entry is rewritten from the text.
      expect(entryOf(dir)).toMatchObject({ version: '1.0.0', display: 'policy.yaml' });
    });
  }

  // The file name is a short non-cryptographic hash: a planted or colliding entry for
  // another text under this text's name must be a miss, never that text's policy.
  it("another policy's entry under this policy's file name is a miss", async () => {
    const dir = fresh();
    const other = POLICY.replace('evals/tasks/**', 'nowhere/**');
    await loadTrustedPolicy(other, 'policy.yaml', dir, '1.0.0');
    const otherEntry = readFileSync(trustedCacheFile(dir, other), 'utf8');
    expect(trustedCacheFile(dir, other)).not.toBe(trustedCacheFile(dir, POLICY));
    writeFileSync(trustedCacheFile(dir, POLICY), otherEntry);
    const p = await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
    expect(p.zonesFor('evals/tasks/q.json').map((z) => z.name)).toEqual(['eval-tasks']);
    // Control: the other policy, from its own entry, covers nothing there.
    const o = await loadTrustedPolicy(other, 'policy.yaml', dir, '1.0.0');
    expect(o.zonesFor('evals/tasks/q.json')).toEqual([]);
    expect(entryOf(dir)).toMatchObject({ text: POLICY });
  });

  it('ignores a corrupt entry (not JSON, JSON null, truncated)', async () => {
    for (const junk of ['{"format":1,', 'null', '\u0000\u0001garbage']) {
      const dir = fresh();
      writeFileSync(trustedCacheFile(dir, POLICY), junk);
      const p = await loadTrustedPolicy(POLICY, 'policy.yaml', dir, '1.0.0');
      expect(p.zones.map((z) => z.name)).toEqual(['eval-tasks']);
    }
  });

  it('an invalid policy is refused and never cached', async () => {
    const dir = fresh();
    const bad = POLICY.replace('ai: deny', 'ai: sometimes');
    await expect(loadTrustedPolicy(bad, 'policy.yaml', dir, '1.0.0')).rejects.toThrow(PolicyError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a cache directory that cannot be written costs only the parse', async () => {
    const file = join(fresh(), 'a-file');
    writeFileSync(file, '');
    const p = await loadTrustedPolicy(POLICY, 'policy.yaml', join(file, 'cache'), '1.0.0');
    expect(p.zones.map((z) => z.name)).toEqual(['eval-tasks']);
  });
});
