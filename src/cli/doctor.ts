import { trustProblems } from '../check/grants.js';
import { parseAllowedSigners } from '../sign/allowed-signers.js';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PolicyError, CleanroomError, usageError } from '../errors.js';
import { serverChecks } from './doctor-server.js';
import { gitText } from '../git/git.js';
import { openRepo, workTree } from '../git/repo.js';
import { GIT_MODE_HOOKS, hookState, LOCAL_HOOKS, RETIRED_GIT_HOOKS } from '../install/hooks.js';
import {
  frameworkHooks,
  isPreCommitScript,
  PRE_COMMIT_CONFIG,
} from '../install/pre-commit-framework.js';
import { findHusky, nestedHuskyDirs, whyHookWontRun } from '../install/husky.js';
import { parse } from './args.js';
import { gitContext, loadPolicyFile, POLICY_PATH } from './context.js';
import type { Io } from './io.js';
import { doctorAgents } from './doctor-agents.js';

export interface Check {
  ok: boolean | 'warn';
  text: string;
  fix?: string;
}

export async function doctorCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('doctor', argv);
  if (values.server === true)
    return doctorServer(
      io,
      positionals,
      typeof values['hooks-dir'] === 'string' ? values['hooks-dir'] : undefined,
    );
  if (positionals.length || values['hooks-dir'] !== undefined)
    throw usageError(
      'doctor: REPO and --hooks-dir go with --server',
      'see cleanroom doctor --help',
    );
  const ctx = gitContext(io);
  const repo = await openRepo(ctx);
  const root = workTree(repo);
  const checks: Check[] = [];

  const node = Number(/^v(\d+)/.exec(process.version)?.[1] ?? 0);
  checks.push({
    ok: node >= 20,
    text: `node ${process.version}`,
    fix: 'install Node.js 20 or newer',
  });
  const gitVersion = (await gitText(ctx, ['version'])).trim();
  checks.push({ ok: true, text: gitVersion });

  const policyFile = join(root, POLICY_PATH);
  try {
    const p = await loadPolicyFile(policyFile, POLICY_PATH);
    checks.push({
      ok: true,
      text: `${POLICY_PATH}: valid, ${p.zones.length} ${p.zones.length === 1 ? 'zone' : 'zones'}, review mode ${p.review.mode}, repository ${p.repository}`,
    });
    if (p.repository.startsWith('local/')) {
      // init's placeholder when origin named no host: signatures would bind a name no server shares.
      checks.push({
        ok: 'warn',
        text: `repository: ${p.repository} is init's placeholder, not the repository's id`,
        fix: `set repository: in ${POLICY_PATH} (e.g. github.com/acme/metacode) before anyone signs an override or review`,
      });
    }
    if (p.review.mode === 'signed' && !existsSync(join(root, p.review.reviewers))) {
      checks.push({
        ok: false,
        text: `review.mode is signed but ${p.review.reviewers} is missing`,
        fix: 'add reviewers (an OpenSSH allowed_signers file)',
      });
    }
    const readRel = (rel: string) => {
      try {
        return { file: rel, text: readFileSync(isAbsolute(rel) ? rel : join(root, rel), 'utf8') };
      } catch {
        return undefined;
      }
    };
    const approvers = readRel(p.overrides.approvers);
    if (!approvers) {
      // Adding the first approver later is itself a .cleanroom/ change, which the server
      // hook and the CI check accept only with an approver's override: nobody could sign it.
      checks.push({
        ok: 'warn',
        text: `no ${p.overrides.approvers}: nobody can sign an override`,
        fix:
          `commit ${p.overrides.approvers} (OpenSSH allowed_signers) before switching on the server hook or the CI check ` +
          '(or configure the policy on the server: cleanroom install-server --policy); once they judge, adding the first approver is a .cleanroom/ change nobody can sign',
      });
    } else {
      // A ✓ like the other checks; an unreadable file is reported below (trustProblems).
      let keys: number | undefined;
      try {
        keys = parseAllowedSigners(approvers.text, approvers.file).length;
      } catch {
        keys = undefined;
      }
      if (keys === 0)
        checks.push({
          ok: 'warn',
          text: `${p.overrides.approvers} lists no key: nobody can sign an override`,
          fix: 'add an approver\'s line (principal namespaces="cleanroom-override" keytype base64key)',
        });
      else if (keys !== undefined)
        checks.push({
          ok: true,
          text: `${p.overrides.approvers}: valid, ${keys} ${keys === 1 ? 'key' : 'keys'}`,
        });
    }
    for (const t of trustProblems(p, readRel).filter(
      (x) => !/: missing \u2014 (nobody can sign an override|review\.mode is signed)/.test(x),
    )) {
      checks.push({
        ok: false,
        text: t,
        fix: 'fix the trust file (OpenSSH allowed_signers: principals [options] keytype base64key); cleanroom policy validate lists every problem',
      });
    }
  } catch (e) {
    if (e instanceof PolicyError || e instanceof CleanroomError)
      checks.push({
        ok: false,
        text: e.message,
        fix: e.hint ?? 'fix the policy (cleanroom policy validate)',
      });
    else throw e;
  }

  // A ✓ means git will run the hook: followed the way git and husky do (core.hooksPath,
  // husky's gitignored `_/` stubs, HUSKY=0, the shim the block calls), not just "a file
  // with our block exists" — a new worktree or a clone without node_modules runs nothing.
  const husky = findHusky(root, repo.hooksDir);
  if (husky) {
    checks.push({
      ok: husky.active ? true : false,
      text: husky.active
        ? `husky is active (core.hooksPath=${relative(root, repo.hooksDir)})`
        : `this repository has ${relative(root, husky.dir)}/ but husky is not active in this clone`,
      fix: 'run `npx --no -- husky` (or npm install, with "prepare": "husky"); without husky in node_modules: npm install --save-dev husky first',
    });
    if (io.env.HUSKY === '0')
      checks.push({
        ok: 'warn',
        text: "HUSKY=0 is set in this environment: husky skips every hook, cleanroom's too",
        fix: 'unset HUSKY',
      });
  } else {
    checks.push({
      ok: true,
      text: `hooks directory: ${relative(root, repo.hooksDir) || repo.hooksDir}`,
    });
    const nested = nestedHuskyDirs(root);
    if (nested.length)
      checks.push({
        ok: 'warn',
        text: `husky is set up in ${relative(root, nested[0]!)} but git does not run it in this clone`,
        fix: `install husky there (npm install in ${relative(root, dirname(nested[0]!))}), then cleanroom init`,
      });
  }
  // Hooks the pre-commit framework runs from .pre-commit-config.yaml (init leaves them).
  const framework = husky ? new Set<string>() : frameworkHooks(root);
  for (const hook of husky ? LOCAL_HOOKS : GIT_MODE_HOOKS) {
    const file = husky ? join(husky.dir, hook) : join(repo.hooksDir, hook);
    const state = hookState(file);
    if (framework.size && state !== 'installed') {
      const shown = relative(root, file) || file;
      checks.push(
        framework.has(hook)
          ? isPreCommitScript(file)
            ? {
                ok: true,
                text: `${hook}: run by the pre-commit framework (${PRE_COMMIT_CONFIG}: cleanroom-${hook}; ${shown})`,
              }
            : {
                ok: false,
                text: `${hook}: ${PRE_COMMIT_CONFIG} names cleanroom-${hook}, but pre-commit is not installed for it (${shown})`,
                fix: `pre-commit install --hook-type ${hook}`,
              }
          : {
              ok: 'warn',
              text: `${hook}: not run: ${PRE_COMMIT_CONFIG} names no cleanroom-${hook}${hook === 'applypatch-msg' ? ' (the framework has none: git am records no Assisted-by; pre-push, the server and CI still judge those commits)' : ''}`,
              fix:
                hook === 'applypatch-msg'
                  ? 'nothing to do, or judge such commits with cleanroom check --range before pushing'
                  : `add - id: cleanroom-${hook} to ${PRE_COMMIT_CONFIG} (docs/hook-managers.md), then pre-commit install --hook-type ${hook}`,
            },
      );
      continue;
    }
    const wired = state === 'installed' || (husky !== undefined && state === 'not-executable');
    const why = wired ? whyHookWontRun(root, repo.hooksDir, husky, hook, io.env) : undefined;
    checks.push({
      ok: wired && !why,
      text: `${hook}: ${wired ? (why ? `installed but will not run: ${why}` : 'installed') : state === 'foreign' ? 'a hook is there, but it does not run cleanroom' : state} (${relative(root, file) || file})`,
      fix: why
        ? why.startsWith('HUSKY=0')
          ? 'unset HUSKY'
          : why.startsWith('CLEANROOM=0')
            ? 'unset CLEANROOM'
            : husky
              ? 'run npm install in this clone or worktree (husky writes its .husky/_ there), then cleanroom doctor'
              : 'run npm install, then cleanroom init'
        : 'run cleanroom init',
    });
  }

  // A hook an earlier version installed in git mode and this one does not (pre-commit):
  // harmless, but it makes git read the index again on every commit.
  if (!husky)
    for (const hook of RETIRED_GIT_HOOKS)
      if (hookState(join(repo.hooksDir, hook)) === 'installed')
        checks.push({
          ok: 'warn',
          text: `${hook}: installed by an earlier cleanroom, which needs it no more (it costs every commit an index read)`,
          fix: 'run cleanroom init (it takes the hook out, putting back a hook it chained)',
        });
  if (io.env.CLEANROOM === '0')
    checks.push({
      ok: 'warn',
      text: 'CLEANROOM=0 is set in this environment: every local check is skipped (prepare-commit-msg still records Assisted-by)',
      fix: 'unset CLEANROOM',
    });
  checks.push(...(await doctorAgents(io, ctx, repo)));
  checks.push({
    ok: 'warn',
    text: 'local hooks are advisory: `git commit --no-verify`, `-c core.hooksPath=` and aider (which commits with --no-verify) skip them',
    fix: 'enforce on the server (cleanroom pre-receive) or in CI (cleanroom check --range)',
  });

  return printChecks(io, checks);
}

function printChecks(io: Io, checks: readonly Check[]): number {
  const mark = (c: Check): string => (c.ok === true ? '✓' : c.ok === 'warn' ? '!' : '✗');
  for (const c of checks)
    io.stdout(`${mark(c)} ${c.text}${c.ok !== true && c.fix ? `\n    → ${c.fix}` : ''}\n`);
  return checks.some((c) => c.ok === false) ? 1 : 0;
}

async function doctorServer(
  io: Io,
  positionals: string[],
  hooksDir: string | undefined,
): Promise<number> {
  if (positionals.length > 1) throw usageError('doctor --server: give at most one REPO');
  const dir = resolve(io.cwd, positionals[0] ?? '.');
  if (!existsSync(dir)) throw usageError(`doctor --server: ${dir} does not exist`);
  const ctx = gitContext(io, dir);
  const repo = await openRepo(ctx);
  const hookFile = join(hooksDir ? resolve(io.cwd, hooksDir) : repo.hooksDir, 'pre-receive');
  return printChecks(
    io,
    await serverChecks(ctx, repo.gitDir, repo.bare, hookFile, io.env, io.packageRoot),
  );
}
