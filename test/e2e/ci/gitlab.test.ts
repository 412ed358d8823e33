// The GitLab CI/CD component (templates/cleanroom.yml), as GitLab runs it: spec inputs
// interpolated, the job's rules evaluated for each pipeline source, the script run in
// bash in a fresh clone of an "origin" repository that has no package.json.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, POLICY, removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';
import { runBash } from '../../helpers/ci.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';
const FILE = join(ROOT, 'templates/cleanroom.yml');

/** GitLab's `$[[ inputs.NAME ]]` interpolation; a missing or undeclared input is an error. */
function component(inputs: Record<string, string | boolean> = {}) {
  const docs = parseAllDocuments(readFileSync(FILE, 'utf8'));
  expect(docs).toHaveLength(2); // the spec header, then the jobs
  const spec = docs[0]!.toJS().spec.inputs as Record<string, { default?: unknown }>;
  for (const k of Object.keys(inputs))
    if (!(k in spec)) throw new Error(`the component declares no input ${k}`);
  const text = String(docs[1]).replace(/\$\[\[\s*inputs\.([\w-]+)\s*\]\]/g, (_, name: string) => {
    if (!(name in spec)) throw new Error(`undeclared input ${name}`);
    return String(inputs[name] ?? spec[name]!.default);
  });
  return { spec, job: parseAllDocuments(text)[0]!.toJS().cleanroom };
}

/** The subset of GitLab's rules: `$VAR == "x"`, `$VAR`, `A && B`; first match wins. */
function jobRuns(rules: { if: string; when?: string }[], vars: Record<string, string>): boolean {
  const term = (t: string): boolean => {
    const eq = /^\$(\w+)\s*==\s*"([^"]*)"$/.exec(t.trim());
    if (eq) return (vars[eq[1]!] ?? '') === eq[2];
    const v = /^\$(\w+)$/.exec(t.trim());
    if (v) return (vars[v[1]!] ?? '') !== '';
    throw new Error(`rule not understood: ${t}`);
  };
  for (const r of rules) if (r.if.split('&&').every(term)) return r.when !== 'never';
  return false;
}

/** origin (bare) with main carrying the policy; a clone as the runner sees it. */
function project() {
  const origin = TestRepo.init({ bare: true });
  const dev = TestRepo.init();
  dev.write('.cleanroom/policy.yaml', POLICY);
  dev.write('setup.py', 'from setuptools import setup\nsetup()\n'); // a Python project: no package.json
  dev.git('add', '-A');
  dev.git('commit', '-q', '-m', 'policy');
  dev.git('push', '-q', origin.dir, 'main');
  return { origin, dev };
}

function runJob(
  origin: TestRepo,
  sha: string,
  vars: Record<string, string>,
  inputs: Record<string, string | boolean> = {},
) {
  const { job } = component({ cli: CLI, ...inputs });
  const runner = tempDir('cleanroom-glrunner-');
  execFileSync('git', ['clone', '-q', origin.dir, runner], { env: origin.env });
  execFileSync('git', ['fetch', '-q', origin.dir, sha], { cwd: runner, env: origin.env });
  execFileSync('git', ['checkout', '-q', '--detach', sha], { cwd: runner, env: origin.env });
  const env = {
    ...origin.env,
    ...job.variables,
    CI_COMMIT_SHA: sha,
    CI_DEFAULT_BRANCH: 'main',
    ...vars,
  };
  const r = runBash((job.script as string[]).join('\n'), runner, env);
  return { ...r, dir: runner, job };
}

describe('GitLab CI/CD component', () => {
  it('has the layout components need: templates/NAME.yml, a spec: inputs header, then the job', () => {
    const { spec, job } = component();
    expect(Object.keys(spec)).toEqual(
      expect.arrayContaining(['stage', 'image', 'version', 'cli', 'policy']),
    );
    expect(job.stage).toBe('test');
    expect(job.image).toMatch(/^node:2[2-9]$/); // a maintained Node, with git (not -slim)
    expect(job.artifacts.reports.codequality).toBe('gl-code-quality-report.json');
    expect(job.artifacts.when).toBe('always');
    expect(job.script.join('\n')).not.toMatch(/npm (ci|install)|package\.json|node_modules\//);
    expect(component({ stage: 'verify' }).job.stage).toBe('verify');
  });

  it('one job per change: in the MR pipeline, not also in the branch pipeline of that branch', () => {
    const { job } = component();
    expect(
      jobRuns(job.rules, { CI_PIPELINE_SOURCE: 'merge_request_event', CI_MERGE_REQUEST_IID: '3' }),
    ).toBe(true);
    expect(
      jobRuns(job.rules, {
        CI_PIPELINE_SOURCE: 'push',
        CI_COMMIT_BRANCH: 'feature',
        CI_OPEN_MERGE_REQUESTS: 'acme/x!3',
      }),
    ).toBe(false);
    expect(jobRuns(job.rules, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_BRANCH: 'feature' })).toBe(
      true,
    );
    expect(jobRuns(job.rules, { CI_PIPELINE_SOURCE: 'push', CI_COMMIT_TAG: 'v1' })).toBe(false);
  });

  it('a merge request with AI content in a deny zone fails, with a Code Quality report, SARIF and JSON', () => {
    const { origin, dev } = project();
    dev.git('checkout', '-q', '-b', 'feature');
    dev.write('evals/tasks/q1.json', '{}\n');
    dev.git('add', '-A');
    dev.git('commit', '-q', '-m', 'agent', '-m', CLAUDE);
    dev.git('push', '-q', origin.dir, 'feature');
    const r = runJob(origin, dev.head(), {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain('evals/tasks/q1.json');
    const cq = JSON.parse(readFileSync(join(r.dir, 'gl-code-quality-report.json'), 'utf8'));
    expect(cq).toHaveLength(1);
    // GitLab's Code Climate subset: these keys, these severities, a unique fingerprint.
    for (const issue of cq) {
      expect(Object.keys(issue).sort()).toEqual([
        'check_name',
        'description',
        'fingerprint',
        'location',
        'severity',
      ]);
      expect(['info', 'minor', 'major', 'critical', 'blocker']).toContain(issue.severity);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32,64}$/);
      expect(issue.location).toEqual({ path: 'evals/tasks/q1.json', lines: { begin: 1 } });
    }
    expect(
      JSON.parse(readFileSync(join(r.dir, 'cleanroom.sarif'), 'utf8')).runs[0].results,
    ).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(r.dir, 'cleanroom.json'), 'utf8')).violations).toHaveLength(
      1,
    );
    for (const f of r.job.artifacts.paths) expect(existsSync(join(r.dir, f)), f).toBe(true);
  });

  it("judges with the target branch's policy as it is now, and guards .cleanroom/ changes", () => {
    const { origin, dev } = project();
    dev.git('checkout', '-q', '-b', 'feature');
    dev.write('docs/guide.md', 'text\n');
    dev.write('.cleanroom/policy.yaml', POLICY.replace(/ai: deny/g, 'ai: allow'));
    dev.git('add', '-A');
    dev.git('commit', '-q', '--no-verify', '-m', 'docs and a relaxed policy', '-m', CLAUDE);
    dev.git('push', '-q', origin.dir, 'feature');
    const sha = dev.head();
    // After the branch forked, main made docs/ a deny zone.
    dev.git('checkout', '-q', 'main');
    dev.write(
      '.cleanroom/policy.yaml',
      POLICY.replace('zones:\n', 'zones:\n  - name: docs\n    paths: ["docs/**"]\n    ai: deny\n'),
    );
    dev.git('commit', '-q', '-am', 'docs are human-written');
    dev.git('push', '-q', origin.dir, 'main');
    const r = runJob(origin, sha, {
      CI_PIPELINE_SOURCE: 'merge_request_event',
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    });
    expect(r.status, r.stderr).toBe(1);
    const v = JSON.parse(readFileSync(join(r.dir, 'cleanroom.json'), 'utf8'))
      .violations.map((x: { zone: string; path: string }) => `${x.zone}:${x.path}`)
      .sort();
    expect(v).toEqual(['cleanroom-config:.cleanroom/policy.yaml', 'docs:docs/guide.md']);
  });

  it('a branch pipeline without a merge request judges the pushed commits; a clean push passes', () => {
    const { origin, dev } = project();
    const before = dev.head();
    dev.write('src/app.py', 'print(1)\n');
    dev.git('add', '-A');
    dev.git('commit', '-q', '-m', 'code', '-m', CLAUDE);
    dev.git('push', '-q', origin.dir, 'main');
    const r = runJob(origin, dev.head(), {
      CI_PIPELINE_SOURCE: 'push',
      CI_COMMIT_BRANCH: 'main',
      CI_COMMIT_BEFORE_SHA: before,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`cleanroom: checking ${before}..${dev.head()}`);
    expect(JSON.parse(readFileSync(join(r.dir, 'gl-code-quality-report.json'), 'utf8'))).toEqual(
      [],
    );
  });
});
