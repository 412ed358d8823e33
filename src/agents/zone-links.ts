// The zone symlinks of a work tree, found without starting git (the agent hook runs on
// every tool call): only directories under which a zone glob could match are read, so a
// repository whose zones live under evals/ costs the directories under evals/. The rule
// and the path mapping are src/policy/links.ts.

import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy } from '../policy/compile.js';
import { linkZones, resolveLinkTarget, zonesUnder, type ZoneLink } from '../policy/links.js';

/** Directories read at most per call: past it, the links found so far are used (the commit and the server still judge). */
const MAX_DIRS = 5000;

const cache = new Map<string, ZoneLink[]>();

/** Symlinks under `root` whose content lands in a zone, with repository-relative targets. */
export function diskZoneLinks(root: string, policy: Policy): ZoneLink[] {
  const hit = cache.get(root);
  if (hit) return hit;
  const out: ZoneLink[] = [];
  const queue = [''];
  for (let n = 0; queue.length && n < MAX_DIRS; n++) {
    const dir = queue.shift()!;
    let entries;
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (!dir && e.name === '.git') continue;
      if (e.isDirectory()) {
        if (zonesUnder(policy, rel).length) queue.push(rel);
      } else if (e.isSymbolicLink() && linkZones(policy, rel).length) {
        try {
          const target = resolveLinkTarget(rel, readlinkSync(join(root, rel), 'utf8'));
          if (target !== undefined) out.push({ path: rel, target });
        } catch {
          // vanished meanwhile
        }
      }
    }
  }
  cache.set(root, out);
  return out;
}
