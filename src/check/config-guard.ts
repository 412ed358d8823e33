// Where the policy is judged from git (server, CI), a change to the policy or its trust
// files is itself guarded: any commit touching `.cleanroom/**` — AI or not, deletions
// too — needs an approver's override. Otherwise a push could weaken the rules for the
// pushes after it.

import { CONFIG_ZONE, type Change, type FileChange, type Finding } from '../core/types.js';
import { runGit, SHOW_GITLINKS, splitZ, type GitContext } from '../git/git.js';
import { parseRawEntries } from '../git/raw.js';
import { isConfigPath, type Guard } from '../policy/paths.js';

// Their homes are src/core/types.ts and src/policy/paths.ts (src/sign/ needs them too).
export { CONFIG_ZONE } from '../core/types.js';
export { configGuard, isConfigPath, touchesGuard, type Guard } from '../policy/paths.js';

export function configFindings(change: Change, guard: Guard = isConfigPath): Finding[] {
  const out: Finding[] = [];
  for (const file of change.files) {
    const paths = [file.path, ...(file.from ? [file.from] : [])];
    if (!paths.some(guard)) continue;
    const base = {
      commit: change.commit,
      path: file.path,
      zone: CONFIG_ZONE,
      tool: 'any',
      verdict: 'deny' as const,
      signal: `${file.status === 'D' ? 'deletes' : 'changes'} the cleanroom policy or its trust files`,
    };
    const override = change.overrides.find((o) => !o.paths || o.paths.has(file.path));
    out.push(
      override
        ? {
            ...base,
            outcome: 'overridden',
            by: override.by,
            message: `policy change approved by ${override.by}: ${override.reason}`,
          }
        : {
            ...base,
            outcome: 'violation',
            message:
              "changes to .cleanroom/ need an approver's signed override (cleanroom override request/sign)",
          },
    );
  }
  return out;
}

/** Guarded paths (policy, trust files) that differ between two commits: `git diff-tree A B`. */
export async function guardedChanges(
  ctx: GitContext,
  from: string,
  to: string,
  guard: Guard,
): Promise<FileChange[]> {
  const { stdout } = await runGit(ctx, [
    'diff-tree',
    '-r',
    '-z',
    '--raw',
    '--no-abbrev',
    SHOW_GITLINKS,
    from,
    to,
  ]);
  return parseRawEntries(splitZ(stdout)).filter((f) => guard(f.path));
}
