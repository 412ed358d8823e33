import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PolicyError, CleanroomError } from '../errors.js';
import { gitText } from '../git/git.js';
import { openRepo, workTree } from '../git/repo.js';
import { hookState, LOCAL_HOOKS } from '../install/hooks.js';
import { parse } from './args.js';
import { gitContext, loadPolicyFile, POLICY_PATH } from './context.js';
import { detectHuskyDir } from './init.js';
import type { Io } from './io.js';
import { doctorAgents } from './doctor-agents.js';

export interface Check {
  ok: boolean | 'warn';
  text: string;
  fix?: string;
}

export async function doctorCommand(argv: string[], io: Io): Promise<number> {
  parse('doctor', argv);
  const ctx = gitContext(io);
  const repo = await openRepo(ctx);
  const root = workTree(repo);
  const checks: Check[] = [];

  const node = Number(/^v(\d+)/.exec(process.version)?.[1] ?? 0);
  checks.push({ ok: node >= 20, text: `node ${process.version}`, fix: 'install Node.js 20 or newer' });
  const gitVersion = (await gitText(ctx, ['version'])).trim();
  checks.push({ ok: true, text: gitVersion });

  const policyFile = join(root, POLICY_PATH);
  try {
    const p = await loadPolicyFile(policyFile, POLICY_PATH);
    checks.push({ ok: true, text: `${POLICY_PATH}: valid, ${p.zones.length} zones, review mode ${p.review.mode}, repository ${p.repository}` });
    if (p.repository.startsWith('local/')) {
      // init's placeholder when origin named no host: signatures would bind a name no server shares.
      checks.push({ ok: 'warn', text: `repository: ${p.repository} is init's placeholder, not the repository's id`, fix: `set repository: in ${POLICY_PATH} (e.g. github.com/acme/metacode) before anyone signs an override or review` });
    }
    if (p.review.mode === 'signed' && !existsSync(join(root, p.review.reviewers))) {
      checks.push({ ok: false, text: `review.mode is signed but ${p.review.reviewers} is missing`, fix: 'add reviewers (an OpenSSH allowed_signers file)' });
    }
    if (!existsSync(join(root, p.overrides.approvers))) {
      checks.push({ ok: 'warn', text: `no ${p.overrides.approvers}: nobody can sign an override`, fix: 'add approvers (an OpenSSH allowed_signers file) when you need overrides' });
    }
  } catch (e) {
    if (e instanceof PolicyError || e instanceof CleanroomError) checks.push({ ok: false, text: e.message, fix: e.hint ?? 'fix the policy (cleanroom policy validate)' });
    else throw e;
  }

  const husky = detectHuskyDir(root, repo.hooksDir);
  const huskyActive = repo.hooksDir.split(/[\\/]/).includes('.husky');
  if (husky) {
    checks.push({
      ok: huskyActive ? true : false,
      text: huskyActive ? `husky is active (core.hooksPath=${relative(root, repo.hooksDir)})` : 'this repository has .husky/ but husky is not active in this clone',
      fix: 'run `npx husky` (or npm install, with "prepare": "husky")',
    });
  } else {
    checks.push({ ok: true, text: `hooks directory: ${relative(root, repo.hooksDir) || repo.hooksDir}` });
  }
  for (const hook of LOCAL_HOOKS) {
    const file = husky ? join(husky, hook) : join(repo.hooksDir, hook);
    const state = hookState(file);
    const ok = state === 'installed' || (husky !== undefined && state === 'not-executable');
    checks.push({
      ok,
      text: `${hook}: ${ok ? 'installed' : state === 'foreign' ? 'a hook is there, but it does not run cleanroom' : state} (${relative(root, file) || file})`,
      fix: 'run cleanroom init',
    });
  }

  if (io.env.CLEANROOM === '0') checks.push({ ok: 'warn', text: 'CLEANROOM=0 is set in this environment: every local hook is skipped', fix: 'unset CLEANROOM' });
  checks.push(...(await doctorAgents(io, ctx, repo)));
  checks.push({
    ok: 'warn',
    text: 'local hooks are advisory: `git commit --no-verify`, `-c core.hooksPath=` and aider (which commits with --no-verify) skip them',
    fix: 'enforce on the server (cleanroom pre-receive) or in CI (cleanroom check --range)',
  });

  const mark = (c: Check): string => (c.ok === true ? '✓' : c.ok === 'warn' ? '!' : '✗');
  for (const c of checks) io.stdout(`${mark(c)} ${c.text}${c.ok !== true && c.fix ? `\n    → ${c.fix}` : ''}\n`);
  return checks.some((c) => c.ok === false) ? 1 : 0;
}
