// Where the policy is judged from git (server, CI), a change to the policy or its trust
// files is itself guarded: any commit touching `.cleanroom/**` — AI or not, deletions
// too — needs an approver's override. Otherwise a push could weaken the rules for the
// pushes after it.

import type { Change, Finding } from '../core/types.js';

export const CONFIG_ZONE = 'cleanroom-config';

const norm = (path: string): string => path.normalize('NFC').toLowerCase();

/** Paths whose change weakens or widens the rules: .cleanroom/**, and the trust files wherever the policy puts them. */
export interface Guard {
  (path: string): boolean;
}

export const isConfigPath = (path: string): boolean => norm(path).startsWith('.cleanroom/');

/** The guard for a policy: `.cleanroom/**` plus its approvers, reviewers and revoked-keys files. */
export function configGuard(policy: { overrides: { approvers: string; revoked?: string | undefined }; review: { reviewers: string; revoked?: string | undefined } }): Guard {
  const trust = new Set(
    [policy.overrides.approvers, policy.review.reviewers, policy.overrides.revoked, policy.review.revoked].filter((p): p is string => p !== undefined).map((p) => norm(p.replace(/^\.\//, ''))).filter((p) => !p.startsWith('.cleanroom/')),
  );
  // Called for every file of every commit: the common answer must be cheap.
  return (path: string) => (path.charCodeAt(0) === 46 /* . */ && isConfigPath(path)) || (trust.size > 0 && trust.has(norm(path)));
}

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
        ? { ...base, outcome: 'overridden', by: override.by, message: `policy change approved by ${override.by}: ${override.reason}` }
        : { ...base, outcome: 'violation', message: 'changes to .cleanroom/ need an approver\'s signed override (cleanroom override request/sign)' },
    );
  }
  return out;
}
