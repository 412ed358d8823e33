// The local compiled-policy cache (src/policy/cache.ts), read by commit-msg and by the
// agent hook on every tool call, is hostile input: an entry counts only when it holds the
// exact policy text, this version and this display name, its data passes the schema, and
// it is a regular file of this user that nobody else can write, in such a directory.
// Anything else is a miss, and the policy is parsed from its text.

import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { loadPolicyCached, policyCacheFile } from '../../../src/policy/cache.js';

const POLICY = `version: 1
repository: example/local
zones:
  - { name: eval-tasks, paths: ["evals/tasks/**"], ai: deny }
`;
// Schema-valid and meaningful: were it believed, evals/tasks would be in no zone.
const WEAKER = {
  version: 1,
  repository: 'example/local',
  zones: [{ name: 'nowhere', paths: ['nowhere/**'], ai: 'allow' }],
};
const V = '1.0.0';

const fresh = (): string => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cleanroom-cache-')), 'cleanroom');
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755); // whatever the umask
  return dir;
};
const fileOf = (dir: string) => policyCacheFile(dir, POLICY, 'policy.yaml', V);
const entryOf = (dir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fileOf(dir), 'utf8')) as Record<string, unknown>;
const zonesOf = async (dir: string) =>
  (await loadPolicyCached(POLICY, 'policy.yaml', dir, V))
    .zonesFor('evals/tasks/q.json')
    .map((z) => z.name);

describe('the local policy cache', () => {
  it('a miss parses the text and writes one entry holding it; a hit gives the same zones', async () => {
    const dir = fresh();
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([
      fileOf(dir).split('/').pop(),
    ]);
    expect(entryOf(dir)).toMatchObject({ version: V, display: 'policy.yaml', text: POLICY });
    // A hit: the entry's data is what judges (a harmless change to prove it was read).
    writeFileSync(
      fileOf(dir),
      JSON.stringify({
        ...entryOf(dir),
        input: {
          ...WEAKER,
          zones: [
            { ...WEAKER.zones[0], name: 'eval-tasks', paths: ['evals/tasks/**'], ai: 'deny' },
          ],
        },
      }),
    );
    chmodSync(fileOf(dir), 0o644);
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
  });

  // Each forged entry would weaken the policy (no zone for evals/tasks) if it were believed.
  const forgeries: [string, (e: Record<string, unknown>) => unknown][] = [
    [
      'an entry holding other policy text',
      (e) => ({ ...e, input: WEAKER, text: `${POLICY}# x\n` }),
    ],
    ['an entry without the text', (e) => ({ ...e, input: WEAKER, text: undefined })],
    [
      'an entry from another version of cleanroom',
      (e) => ({ ...e, version: '0.0.1', input: WEAKER }),
    ],
    [
      'an entry written for another file name',
      (e) => ({ ...e, display: 'other.yaml', input: WEAKER }),
    ],
    ['an entry of another cache format', (e) => ({ ...e, cache: '1', input: WEAKER })],
    [
      'an entry whose data fails the schema',
      (e) => ({ ...e, input: { ...WEAKER, zones: 'none' } }),
    ],
    ['an entry that is not an object', () => null],
  ];
  for (const [name, forge] of forgeries)
    it(`${name} is a miss: the text judges, and the entry is rewritten`, async () => {
      const dir = fresh();
      await zonesOf(dir);
      writeFileSync(fileOf(dir), JSON.stringify(forge(entryOf(dir))));
      chmodSync(fileOf(dir), 0o644);
      expect(await zonesOf(dir)).toEqual(['eval-tasks']);
      expect(entryOf(dir)).toMatchObject({ text: POLICY, version: V });
    });

  it('an entry that is not JSON, or too large, is a miss', async () => {
    const dir = fresh();
    writeFileSync(fileOf(dir), '{"cache":');
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
    writeFileSync(fileOf(dir), ' '.repeat(7 * 1024 * 1024));
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
  });

  // A weaker entry with the right text, as another account could write it.
  const plant = async (dir: string): Promise<void> => {
    await zonesOf(dir);
    writeFileSync(fileOf(dir), JSON.stringify({ ...entryOf(dir), input: WEAKER }));
    chmodSync(fileOf(dir), 0o644);
  };

  it('an entry others can write is a miss (group or world writable), and so is any entry in such a directory', async () => {
    for (const mode of [0o664, 0o646]) {
      const dir = fresh();
      await plant(dir);
      chmodSync(fileOf(dir), mode);
      expect(await zonesOf(dir), mode.toString(8)).toEqual(['eval-tasks']);
    }
    const dir = fresh();
    await plant(dir);
    chmodSync(dir, 0o775);
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
    chmodSync(dir, 0o755);
    // control: the same planted entry in a private file and directory is believed — which
    // is why the checks above matter (a process of this same user can do this; see cache.ts).
    await plant(dir);
    expect(await zonesOf(dir)).toEqual([]);
  });

  it('a symlink in place of the entry is followed only to a file that passes the same checks', async () => {
    const dir = fresh();
    await zonesOf(dir);
    const elsewhere = join(dir, '..', 'planted.json');
    writeFileSync(elsewhere, JSON.stringify({ ...entryOf(dir), input: WEAKER }));
    chmodSync(elsewhere, 0o666);
    rmSync(fileOf(dir));
    symlinkSync(elsewhere, fileOf(dir));
    expect(await zonesOf(dir)).toEqual(['eval-tasks']);
  });

  it.runIf(process.getuid?.() === 0)(
    'an entry owned by another user is a miss (run as root to chown)',
    async () => {
      const dir = fresh();
      await plant(dir);
      chownSync(fileOf(dir), 4242, 4242);
      expect(await zonesOf(dir)).toEqual(['eval-tasks']);
      const other = fresh();
      await plant(other);
      chownSync(other, 4242, 4242);
      expect(await zonesOf(other)).toEqual(['eval-tasks']);
    },
  );

  it('an invalid policy is never cached: every call reports it', async () => {
    const dir = fresh();
    for (let i = 0; i < 2; i++)
      await expect(
        loadPolicyCached('version: 1\nzones: [\n', 'policy.yaml', dir, V),
      ).rejects.toThrow(PolicyError);
    expect(readdirSync(dir)).toEqual([]);
  });
});
