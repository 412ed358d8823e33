// Which symlinks of a commit's tree put content into a zone (src/policy/links.ts has the
// rule). Read through one long-lived `git cat-file --batch` (no process per commit), and
// only the subtrees under which a zone glob could match are opened: a repository whose
// zones live under evals/ costs the trees under evals/, whatever its size. Results are
// kept per (directory, tree id), so a history that rarely touches those directories
// reads each of their trees once.

import { CleanroomError } from '../errors.js';
import { runGit, type GitContext } from '../git/git.js';
import { decodePath } from '../git/raw.js';
import { CatFileBatch, writeLine } from '../git/stream.js';
import type { Policy } from '../policy/compile.js';
import {
  linkZones,
  resolveLinkTarget,
  SYMLINK_MODE,
  zonesUnder,
  type ZoneLink,
} from '../policy/links.js';

/** More trees than this in one tree walk: stop and fail closed (a crafted, huge tree). */
const MAX_TREES = 200_000;

export interface TreeEntry {
  mode: string;
  name: Buffer;
  id: string;
}

/**
 * A raw tree object → entries. Sample (the id is raw bytes, 20 for sha1, 32 for sha256):
 *   100644 q1.json\0<20 bytes>40000 tasks\0<20 bytes>120000 extra\0<20 bytes>
 */
export function parseTree(content: Buffer, idBytes: number): TreeEntry[] {
  const out: TreeEntry[] = [];
  for (let pos = 0; pos < content.length;) {
    const sp = content.indexOf(0x20, pos);
    const nul = content.indexOf(0, sp + 1);
    if (sp < 0 || nul < 0 || nul + 1 + idBytes > content.length)
      throw new CleanroomError('internal', 'unexpected tree object from git');
    out.push({
      mode: content.subarray(pos, sp).toString('latin1'),
      name: content.subarray(sp + 1, nul),
      id: content.subarray(nul + 1, nul + 1 + idBytes).toString('hex'),
    });
    pos = nul + 1 + idBytes;
  }
  return out;
}

export class TreeLinks {
  private cat: CatFileBatch | undefined;
  private readonly memo = new Map<string, ZoneLink[]>();
  private readonly targets = new Map<string, string>();
  private trees = 0;
  constructor(
    private readonly ctx: GitContext,
    private readonly policy: Policy,
  ) {}

  /** One object through the long-lived cat-file (also lent to the judge for commit messages). */
  async object(spec: string): Promise<{ type: string; content: Buffer }> {
    if (!this.cat) {
      this.cat = new CatFileBatch(this.ctx);
      this.cat.child.stdin.on('error', () => undefined);
    }
    await writeLine(this.cat.child.stdin, spec + '\n');
    return this.cat.next();
  }

  /** The symlinks in `commit`'s tree whose content lands in a zone, with their targets resolved. */
  async at(commit: string): Promise<ZoneLink[]> {
    const root = await this.object(`${commit}^{tree}`);
    if (root.type !== 'tree')
      throw new CleanroomError('input', `${commit} has no tree that git can read`);
    const idBytes = commit.length === 64 ? 32 : 20;
    this.trees = 0;
    return this.walk('', root.content, idBytes);
  }

  private async walk(dir: string, content: Buffer, idBytes: number): Promise<ZoneLink[]> {
    if (++this.trees > MAX_TREES)
      throw new CleanroomError(
        'input',
        `a tree with more than ${MAX_TREES} directories under the zones`,
        'cleanroom cannot judge links in it',
      );
    const out: ZoneLink[] = [];
    for (const e of parseTree(content, idBytes)) {
      const path = dir ? `${dir}/${decodePath(e.name)}` : decodePath(e.name);
      if (e.mode === '40000') {
        if (!zonesUnder(this.policy, path).length) continue;
        const key = `${path}\0${e.id}`;
        let sub = this.memo.get(key);
        if (!sub) {
          const t = await this.object(e.id);
          if (t.type !== 'tree') throw new CleanroomError('input', `tree ${e.id} cannot be read`);
          sub = await this.walk(path, t.content, idBytes);
          this.memo.set(key, sub);
        }
        out.push(...sub);
      } else if (e.mode === SYMLINK_MODE && linkZones(this.policy, path).length) {
        const target = await this.target(path, e.id);
        if (target !== undefined) out.push({ path, target });
      }
    }
    return out;
  }

  private async target(path: string, blob: string): Promise<string | undefined> {
    const key = `${path}\0${blob}`;
    if (this.targets.has(key)) return this.targets.get(key) || undefined;
    const b = await this.object(blob);
    const resolved =
      b.type === 'blob' ? resolveLinkTarget(path, b.content.toString('utf8')) : undefined;
    this.targets.set(key, resolved ?? '');
    return resolved;
  }

  close(): void {
    this.cat?.child.stdin.end();
    this.cat?.child.kill();
    this.cat = undefined;
  }
}

/**
 * The zone symlinks of the index (the commit being made): `git ls-files -s -z`, then
 * their targets from one `cat-file --batch`. Sample: `120000 1f2e… 0\tevals/extra\0`.
 */
export async function indexZoneLinks(ctx: GitContext, policy: Policy): Promise<ZoneLink[]> {
  const { stdout } = await runGit(ctx, ['ls-files', '-s', '-z']);
  const found: { path: string; blob: string }[] = [];
  for (let pos = 0; pos < stdout.length;) {
    const nul = stdout.indexOf(0, pos);
    const end = nul < 0 ? stdout.length : nul;
    const rec = stdout.subarray(pos, end);
    pos = end + 1;
    if (rec.subarray(0, 7).toString('latin1') !== `${SYMLINK_MODE} `) continue;
    const tab = rec.indexOf(0x09);
    if (tab < 0) continue;
    const [, blob = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
    const path = decodePath(rec.subarray(tab + 1));
    if (linkZones(policy, path).length) found.push({ path, blob });
  }
  if (!found.length) return [];
  const { stdout: objs } = await runGit(ctx, ['cat-file', '--batch'], {
    input: found.map((f) => f.blob).join('\n') + '\n',
  });
  const out: ZoneLink[] = [];
  let pos = 0;
  for (const f of found) {
    const nl = objs.indexOf(0x0a, pos);
    if (nl < 0) break;
    const [, type, size] = objs.subarray(pos, nl).toString('latin1').split(' ');
    pos = nl + 1;
    if (type !== 'blob' || size === undefined) continue;
    const n = Number(size);
    const target = resolveLinkTarget(f.path, objs.subarray(pos, pos + n).toString('utf8'));
    pos += n + 1;
    if (target !== undefined) out.push({ path: f.path, target });
  }
  return out;
}
