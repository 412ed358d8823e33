// Running CI definitions locally, the way the hosts run them: a workflow's or a composite
// action's `run:` steps in bash with the host's environment variables, `${{ … }}`
// expressions replaced from a context, `uses:` of our own action expanded into its steps.
// Only what our files use is supported; anything else fails the test loudly.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, tempDir } from './repo.js';

export interface StepRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** `${{ a.b.c }}` from a flat context of dotted names; an unknown name is an error, not ''. */
export function expand(text: string, ctx: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_, name: string) => {
    if (!(name in ctx)) throw new Error(`unknown expression in a CI file: ${name}`);
    return ctx[name]!;
  });
}

export function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): StepRun {
  const r = spawnSync('bash', ['-e', '-c', script], {
    cwd,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

interface Step {
  name?: string;
  id?: string;
  run?: string;
  uses?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  if?: string;
}

/**
 * Runs our composite action (hooks/ci/github/action.yml) with `inputs`, as GitHub does:
 * inputs with defaults, GITHUB_ACTION_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 * Returns the check step's result, its outputs and the summary; `uses:` steps (the SARIF
 * upload) are listed in `skippedUses` with whether their `if:` would run them.
 */
export function runAction(
  cwd: string,
  env: NodeJS.ProcessEnv,
  inputs: Record<string, string>,
  github: Record<string, string> = {},
): StepRun & { outputs: Record<string, string>; summary: string; uploads: boolean } {
  const action = parse(readFileSync(join(ROOT, 'hooks/ci/github/action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { steps: Step[] };
  };
  for (const k of Object.keys(inputs))
    if (!(k in action.inputs)) throw new Error(`action.yml declares no input ${k}`);
  const ctx: Record<string, string> = {
    'github.event.pull_request.base.sha': '',
    'github.event.before': '',
    ...github,
  };
  for (const [k, v] of Object.entries(action.inputs))
    ctx[`inputs.${k}`] = inputs[k] ?? v.default ?? '';
  const dir = tempDir('cleanroom-gha-');
  const outFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  writeFileSync(outFile, '');
  writeFileSync(summaryFile, '');
  let last: StepRun = { status: 0, stdout: '', stderr: '' };
  const outputs: Record<string, string> = {};
  let uploads = false;
  let failed = false;
  for (const step of action.runs.steps) {
    if (step.uses) {
      // Only the SARIF upload; its `if:` is `always() && inputs.upload-sarif == 'true' && …`.
      if (!/^github\/codeql-action\/upload-sarif@v\d+$/.test(step.uses))
        throw new Error(`unexpected uses: ${step.uses}`);
      if (!/^always\(\)/.test(step.if ?? '') && failed) continue;
      uploads = ctx['inputs.upload-sarif'] === 'true' && (outputs['sarif-file'] ?? '') !== '';
      continue;
    }
    if (failed) continue;
    const stepEnv: NodeJS.ProcessEnv = {
      ...env,
      GITHUB_ACTION_PATH: join(ROOT, 'hooks/ci/github'),
      GITHUB_OUTPUT: outFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: dir,
    };
    for (const [k, v] of Object.entries(step.env ?? {})) stepEnv[k] = expand(String(v), ctx);
    last = runBash(step.run!, cwd, stepEnv);
    for (const line of readFileSync(outFile, 'utf8').split('\n')) {
      const m = /^([\w-]+)=(.*)$/.exec(line);
      if (m) outputs[m[1]!] = m[2]!;
    }
    if (last.status !== 0) failed = true;
  }
  return { ...last, outputs, summary: readFileSync(summaryFile, 'utf8'), uploads };
}
