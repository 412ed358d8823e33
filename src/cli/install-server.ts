import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { CleanroomError, usageError } from '../errors.js';
import { serverChecks } from './doctor-server.js';
import type { Check } from './doctor.js';
import { runGit, type GitContext } from '../git/git.js';
import { openRepo } from '../git/repo.js';
import { installGitHook } from '../install/hooks.js';
import { policyFromFile } from '../check/policy-source.js';
import { platformOfRepo } from '../server/platforms.js';
import { parse, str } from './args.js';
import { gitContext } from './context.js';
import type { Io } from './io.js';
import { shq } from '../escape.js';

export async function installServerCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('install-server', argv);
  if (positionals.length > 1) throw usageError('install-server: give at most one REPO');
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (!existsSync(dir)) throw usageError(`install-server: ${dir} does not exist`);
  const ctx = gitContext(io, dir);
  const repo = await openRepo(ctx);
  // A working copy (a developer's clone) receives pushes only if someone pushes into it:
  // a pre-receive there protects nothing on the server, silently.
  if (!repo.bare && values['allow-non-bare'] !== true) {
    throw new CleanroomError(
      'usage',
      `install-server: ${repo.root ?? dir} is a working copy, not the bare repository a server receives pushes in`,
      'run it on the server against the bare repository (e.g. /srv/git/metacode.git); --allow-non-bare if this clone really receives pushes. Nothing was written',
    );
  }
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(io.cwd, p));
  const policy = str(values.policy);
  const lines: string[] = [];
  if (policy) {
    const source = await policyFromFile(abs(policy)); // refuse to configure an invalid policy
    lines.push(
      `✓ policy ${abs(policy)}: ${source.policy.zones.length} zone${source.policy.zones.length === 1 ? '' : 's'}; approvers ${source.trust.approvers ? 'found' : 'missing (no overrides possible)'}`,
    );
  }
  const deadline = str(values.deadline);
  if (deadline !== undefined && !(Number(deadline) > 0))
    throw usageError(`install-server: invalid --deadline ${JSON.stringify(deadline)}`);
  const set = async (key: string, value: string | undefined) => {
    if (value === undefined) return;
    await runGit(ctx, ['config', key, value]);
    lines.push(`✓ git config ${key} ${value}`);
  };
  await set('cleanroom.policy', policy && abs(policy));
  await set('cleanroom.log', str(values.log) && abs(str(values.log)!));
  await set('cleanroom.deadline', deadline);
  if (values['fail-open'] === true) await set('cleanroom.failOpen', 'true');
  // The host decides where its server hooks live (GitLab: custom_hooks/; Gitea: pre-receive.d/).
  const platform = platformOfRepo(repo.commonDir);
  const hooksDir = str(values['hooks-dir'])
    ? abs(str(values['hooks-dir'])!)
    : platform.hooksDir(repo);
  if (platform.id !== 'git' && !str(values['hooks-dir']))
    lines.push(`  ${platform.name} repository: the hook goes into ${hooksDir}`);
  const r = installGitHook(hooksDir, 'pre-receive', join(io.packageRoot, 'hooks', 'pre-receive'));
  lines.push(
    `${r.action === 'unchanged' ? '=' : '+'} ${r.file} — ${r.action === 'chained' ? 'chained after the existing pre-receive' : r.action}`,
  );
  if (!policy) {
    const { defaultBranch } = await import('../server/pre-receive.js');
    const { readBlobAt } = await import('../check/policy-source.js');
    const { POLICY_PATH } = await import('../policy/paths.js');
    const def = await defaultBranch(ctx);
    const has =
      def.tip !== undefined && (await readBlobAt(ctx, def.tip, POLICY_PATH)) !== undefined;
    lines.push('  policy: read from the default branch before each push (.cleanroom/policy.yaml)');
    if (!has) {
      lines.push(
        `! ${def.ref} has no ${POLICY_PATH} yet: until it does, every push is rejected (fail closed).`,
        '  Push the branch with the policy (and .cleanroom/approvers) before installing the hook, or pass --policy FILE.',
      );
      // `git init --bare` points HEAD at master unless init.defaultBranch says otherwise: a
      // server whose branch is main then has a HEAD naming no branch, and every push is
      // rejected while the policy sits one branch over. Name the command that fixes it.
      if (def.tip === undefined) {
        const held = await branchesWithPolicy(ctx, POLICY_PATH, readBlobAt);
        if (held.length > 0)
          lines.push(
            `  ${def.ref} does not exist; ${held.join(', ')} ${held.length === 1 ? 'holds' : 'hold'} the policy. If ${held.length === 1 ? 'it is' : 'one is'} the default branch, point HEAD at it: git --git-dir ${shq(repo.commonDir)} symbolic-ref HEAD ${held[0]}`,
          );
      }
    } else {
      // Adding the first approvers file later is itself a .cleanroom/ change, which needs an
      // approver's override: with none listed, only the server's admin can add one.
      const { loadPolicyText } = await import('../policy/load.js');
      let approvers: string | undefined;
      try {
        approvers = loadPolicyText(
          (await readBlobAt(ctx, def.tip!, POLICY_PATH))!,
          `${def.ref}:${POLICY_PATH}`,
        ).overrides.approvers;
      } catch {
        approvers = undefined; // an invalid policy is reported on the first push
      }
      const missing =
        approvers !== undefined &&
        !approvers.startsWith('/') &&
        (await readBlobAt(ctx, def.tip!, approvers).catch(() => undefined)) === undefined;
      if (missing) {
        lines.push(
          `! ${def.ref} has no ${approvers}: no one can approve an override, and adding the file later is itself a change that needs one.`,
          `  Push ${approvers} first (docs/overrides-and-reviews.md), or later: move hooks/pre-receive aside, push it, and run install-server again.`,
        );
      }
    }
  }
  // The environment, as the hook will run: git new enough, node found, the bundle loads.
  const mark = (c: Check): string => (c.ok === true ? '✓' : c.ok === 'warn' ? '!' : '✗');
  const env = await serverChecks(ctx, repo.gitDir, repo.bare, r.file, io.env, io.packageRoot);
  for (const c of env) {
    if (c.text.startsWith('pre-receive: ')) continue; // just written
    lines.push(`${mark(c)} ${c.text}${c.ok !== true && c.fix ? `\n    → ${c.fix}` : ''}`);
  }
  lines.push(
    '',
    'test it: push a commit with "Co-authored-by: Claude <noreply@anthropic.com>" into a deny zone; it must be rejected.',
  );
  io.stdout(lines.join('\n') + '\n');
  // Installed, but it would reject every push here (fail closed): say so in the exit code.
  return env.some((c) => c.ok === false) ? 1 : 0;
}

/**
 * Branches (`refs/heads/*`, full names, at most 5 of the first 50 in for-each-ref order)
 * whose tip holds `policyPath`: candidates for the default branch when HEAD names none.
 * Advisory only (install-server's hint): a branch whose tree cannot be read is skipped.
 * Names are read NUL-terminated (`%00`), so no ref name can split or forge an entry.
 */
async function branchesWithPolicy(
  ctx: GitContext,
  policyPath: string,
  readBlobAt: (ctx: GitContext, rev: string, path: string) => Promise<string | undefined>,
): Promise<string[]> {
  // Sample: `git for-each-ref --format=%(refname)%00 refs/heads/` → "refs/heads/main\0\n"
  const r = await runGit(ctx, ['for-each-ref', '--format=%(refname)%00', 'refs/heads/']);
  const refs = r.stdout
    .toString('utf8')
    .split('\0')
    .map((x) => x.replace(/^\n/, ''))
    .filter((x) => x.startsWith('refs/heads/'))
    .slice(0, 50);
  const held: string[] = [];
  for (const ref of refs) {
    if (held.length >= 5) break;
    try {
      if ((await readBlobAt(ctx, `${ref}^{commit}`, policyPath)) !== undefined) held.push(ref);
    } catch {
      // Unreadable or not a commit: not a candidate; the hook itself fails closed on it.
    }
  }
  return held;
}
