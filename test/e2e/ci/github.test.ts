// The GitHub Action as GitHub runs it (steps run locally, real repositories), the SARIF it
// writes checked against GitHub code scanning's ingestion rules, and the protected
// pull_request_target set-up against a pull request that edits its own workflow.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import {
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  ROOT,
  tempDir,
  TestRepo,
} from '../../helpers/repo.js';
import { expand, runAction, runBash } from '../../helpers/ci.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/**
 * GitHub code scanning's ingestion rules for SARIF (docs: "SARIF support for code
 * scanning", "Uploading a SARIF file"): what it rejects or cannot track. Each problem is
 * a sentence; an empty list means GitHub takes the file and tracks its alerts.
 */
export function githubSarifProblems(doc: any, gzipBytes = 0): string[] {
  const p: string[] = [];
  if (doc?.version !== '2.1.0') p.push('version must be "2.1.0"');
  if (!Array.isArray(doc?.runs) || doc.runs.length === 0)
    return [...p, 'runs must be a non-empty array'];
  if (doc.runs.length > 20) p.push('at most 20 runs per file');
  if (gzipBytes > 10 * 1024 * 1024) p.push('at most 10 MB gzip-compressed');
  doc.runs.forEach((run: any, i: number) => {
    const driver = run?.tool?.driver;
    if (typeof driver?.name !== 'string' || !driver.name)
      p.push(`runs[${i}].tool.driver.name is required`);
    if (
      driver?.informationUri !== undefined &&
      !/^https:\/\/[^\s/]+\.[^\s/]+\//.test(driver.informationUri)
    )
      p.push(`runs[${i}] informationUri must be an absolute https URL`);
    const rules: any[] = driver?.rules ?? [];
    if (rules.length > 25_000) p.push(`runs[${i}]: at most 25,000 rules`);
    const ids = new Set<string>();
    rules.forEach((r, j) => {
      if (typeof r?.id !== 'string' || !r.id) p.push(`rule ${j}: id is required`);
      ids.add(r?.id);
      if (typeof r?.shortDescription?.text !== 'string')
        p.push(`rule ${r?.id}: shortDescription.text is the alert title`);
      if (typeof r?.help?.text !== 'string' && typeof r?.help?.markdown !== 'string')
        p.push(`rule ${r?.id}: help is shown with every alert`);
      if ((r?.properties?.tags ?? []).length > 20) p.push(`rule ${r?.id}: at most 20 tags`);
      const sev = r?.properties?.['security-severity'];
      if (sev !== undefined && !(typeof sev === 'string' && Number(sev) >= 0 && Number(sev) <= 10))
        p.push(`rule ${r?.id}: security-severity is a string 0.0–10.0`);
    });
    const results: any[] = run?.results ?? [];
    if (results.length > 25_000) p.push(`runs[${i}]: at most 25,000 results`);
    results.forEach((r, j) => {
      const at = `runs[${i}].results[${j}]`;
      if (typeof r?.ruleId !== 'string' || !ids.has(r.ruleId))
        p.push(`${at}: ruleId must name a rule of the driver`);
      if (typeof r?.message?.text !== 'string' || !r.message.text)
        p.push(`${at}: message.text is required`);
      if (r?.level !== undefined && !['none', 'note', 'warning', 'error'].includes(r.level))
        p.push(`${at}: level must be none, note, warning or error`);
      const locs: any[] = r?.locations ?? [];
      if (locs.length === 0) p.push(`${at}: at least one location is required`);
      if (locs.length > 1000) p.push(`${at}: at most 1,000 locations`);
      for (const l of locs) {
        const uri = l?.physicalLocation?.artifactLocation?.uri;
        if (typeof uri !== 'string' || !uri)
          p.push(`${at}: physicalLocation.artifactLocation.uri is required`);
        else if (/^[a-z]+:/i.test(uri) || uri.startsWith('/'))
          p.push(`${at}: uri must be relative to the repository root (${uri})`);
        else if (/[\s#?]/.test(uri)) p.push(`${at}: uri must be percent-encoded (${uri})`);
        const region = l?.physicalLocation?.region;
        if (!Number.isInteger(region?.startLine) || region.startLine < 1)
          p.push(`${at}: region.startLine (an integer ≥ 1) is required`);
        if (region?.endLine !== undefined && region.endLine < region.startLine)
          p.push(`${at}: endLine before startLine`);
      }
      const h = r?.partialFingerprints?.primaryLocationLineHash;
      if (typeof h !== 'string' || !/^[0-9a-f]{16}:\d+$/.test(h))
        p.push(
          `${at}: partialFingerprints.primaryLocationLineHash is how alerts are tracked across runs`,
        );
    });
  });
  return p;
}

function pr(files: Record<string, string> = { 'evals/tasks/q1.json': '{}\n' }): {
  repo: TestRepo;
  base: string;
} {
  const repo = repoWithPolicy({ init: false });
  const base = repo.head();
  repo.git('checkout', '-q', '-b', 'pr');
  for (const [f, c] of Object.entries(files)) repo.write(f, c);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', '-m', 'agent work', '-m', CLAUDE);
  return { repo, base };
}

describe('SARIF that GitHub code scanning ingests and tracks', () => {
  it('the checker refuses what GitHub refuses (a result without region.startLine, no fingerprint)', () => {
    const bad = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'x',
              rules: [{ id: 'r', shortDescription: { text: 't' }, help: { text: 'h' } }],
            },
          },
          results: [
            {
              ruleId: 'r',
              message: { text: 'm' },
              locations: [{ physicalLocation: { artifactLocation: { uri: 'a b' } } }],
            },
          ],
        },
      ],
    };
    expect(githubSarifProblems(bad)).toEqual([
      'runs[0].results[0]: uri must be percent-encoded (a b)',
      'runs[0].results[0]: region.startLine (an integer ≥ 1) is required',
      'runs[0].results[0]: partialFingerprints.primaryLocationLineHash is how alerts are tracked across runs',
    ]);
  });

  it('check --output sarif:F passes every rule, with help.markdown giving the ways out and a real informationUri', () => {
    const { repo, base } = pr({
      'evals/tasks/q 1#?.json': '{}\n',
      'evals/harness/run.py': 'x\n',
      'evals/tasks/é.json': '{}\n',
    });
    const r = repo.cleanroom([
      'check',
      '--range',
      `${base}..HEAD`,
      '--output',
      'sarif:out/cleanroom.sarif',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('evals/tasks/q 1#?.json'); // the text report still reaches the log
    const sarif = JSON.parse(readFileSync(join(repo.dir, 'out/cleanroom.sarif'), 'utf8'));
    expect(githubSarifProblems(sarif)).toEqual([]);
    expect(sarif.runs[0].results).toHaveLength(3);
    expect(sarif.runs[0].tool.driver.informationUri).toBe(
      'https://github.com/cleanroom-dev/cleanroom',
    );
    for (const rule of sarif.runs[0].tool.driver.rules) {
      expect(rule.help.markdown).toContain('**Ways out**');
      expect(rule.help.markdown).toContain('cleanroom explain PATH');
      expect(rule.helpUri).toMatch(
        /^https:\/\/github\.com\/cleanroom-dev\/cleanroom\/blob\/main\/docs\//,
      );
    }
  });

  it('the fingerprint survives an amend (same path, zone, tool: same alert), and differs between files', () => {
    const { repo, base } = pr({ 'evals/tasks/q1.json': '{}\n', 'evals/tasks/q2.json': '{}\n' });
    const hashes = () => {
      repo.cleanroom(['check', '--range', `${base}..HEAD`, '--output', 'x.sarif']);
      const s = JSON.parse(readFileSync(join(repo.dir, 'x.sarif'), 'utf8'));
      return Object.fromEntries(
        s.runs[0].results.map((x: any) => [
          x.locations[0].physicalLocation.artifactLocation.uri,
          x.partialFingerprints.primaryLocationLineHash,
        ]),
      );
    };
    const before = hashes();
    repo.git('commit', '-q', '--amend', '--no-verify', '-m', 'agent work, reworded', '-m', CLAUDE);
    const after = hashes();
    expect(after).toEqual(before);
    expect(before['evals/tasks/q1.json']).not.toBe(before['evals/tasks/q2.json']);
  });

  it('audit --format sarif passes the same rules', () => {
    const { repo } = pr();
    const r = repo.cleanroom(['audit', '--format', 'sarif']);
    expect(githubSarifProblems(JSON.parse(r.stdout))).toEqual([]);
  });

  it('--output with an unknown format or no file name: exit 2 before any work, nothing written', () => {
    const { repo, base } = pr();
    for (const spec of ['report.pdf', 'sarif:', 'xml:r.xml']) {
      const r = repo.cleanroom(['check', '--range', `${base}..HEAD`, '--output', spec]);
      expect(r.code, spec).toBe(2);
      expect(existsSync(join(repo.dir, 'report.pdf'))).toBe(false);
    }
  });
});

describe('action.yml, its steps run locally', () => {
  it('declares the outputs it writes, and inputs for policy and range', () => {
    const action = parse(readFileSync(join(ROOT, 'hooks/ci/github/action.yml'), 'utf8'));
    expect(Object.keys(action.outputs).sort()).toEqual([
      'exit-code',
      'json-file',
      'sarif-file',
      'violations',
    ]);
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['policy', 'range', 'base', 'head', 'upload-sarif']),
    );
    expect(action.inputs['upload-sarif'].default).toBe('false');
    const uses = action.runs.steps.filter((s: any) => s.uses).map((s: any) => s.uses);
    expect(uses).toEqual(['github/codeql-action/upload-sarif@v4']);
    // No dependency install or build on each run: the release tag carries dist/.
    expect(JSON.stringify(action.runs.steps)).not.toMatch(/npm (ci|install)|npm run build/);
  });

  it('a violating pull request: annotations, a job summary, exit-code output, SARIF — and no upload unless asked', () => {
    const { repo, base } = pr();
    const r = runAction(repo.dir, repo.env, {}, { 'github.event.pull_request.base.sha': base });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=evals\/tasks\/q1\.json,line=1,title=cleanroom%3A eval-tasks \(deny\) · claude-code::/m,
    );
    expect(r.summary).toContain('### cleanroom: 1 AI-attributed change in protected zones');
    expect(r.summary).toContain('| evals/tasks/q1.json |');
    expect(r.outputs).toMatchObject({
      'exit-code': '1',
      violations: '1',
      'sarif-file': 'cleanroom.sarif',
    });
    expect(
      githubSarifProblems(JSON.parse(readFileSync(join(repo.dir, 'cleanroom.sarif'), 'utf8'))),
    ).toEqual([]);
    expect(r.uploads).toBe(false);
    expect(
      runAction(
        repo.dir,
        repo.env,
        { 'upload-sarif': 'true' },
        { 'github.event.pull_request.base.sha': base },
      ).uploads,
    ).toBe(true);
  });

  it('a hostile file name cannot inject a workflow command', () => {
    const { repo, base } = pr({ 'evals/tasks/x\n::warning file=a::pwned,y.json': '{}\n' });
    const r = runAction(repo.dir, repo.env, { range: `${base}..HEAD` });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      '::error file=evals/tasks/x%0A%3A%3Awarning file=a%3A%3Apwned%2Cy.json,line=1',
    );
    expect(r.stdout).not.toMatch(/^::warning/m);
  });

  it('a clean pull request passes; policy input judges with the given file', () => {
    const repo = repoWithPolicy({ init: false });
    const base = repo.head();
    repo.write('src/x.ts', 'export {}\n');
    repo.git('add', '-A');
    repo.git('commit', '-q', '-m', 'clean', '-m', CLAUDE);
    const ok = runAction(repo.dir, repo.env, { base });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.summary).toContain('no AI-attributed change in a protected zone');
    const strict = join(tempDir(), 'policy.yaml');
    execFileSync('sh', ['-c', `cat > '${strict}'`], {
      input: POLICY.replace('evals/harness/**', 'src/**'),
    });
    const judged = runAction(repo.dir, repo.env, { base, policy: strict });
    expect(judged.status).toBe(1);
    expect(judged.outputs['exit-code']).toBe('1');
  });
});

describe('protected set-up: pull_request_target judges with the base branch workflow', () => {
  // A server with the default branch (the workflow, the policy) and a pull request whose
  // head edits the workflow to skip the check and adds AI content to a deny zone.
  function hostWithHostilePr() {
    const origin = TestRepo.init({ bare: true });
    const dev = repoWithPolicy({ init: false });
    const workflow = readFileSync(join(ROOT, 'hooks/ci/github/cleanroom.yml'), 'utf8');
    dev.write('.github/workflows/cleanroom.yml', workflow);
    dev.git('add', '-A');
    dev.git('commit', '-q', '-m', 'cleanroom workflow');
    dev.git('push', '-q', origin.dir, 'main');
    const baseSha = dev.head();
    dev.git('checkout', '-q', '-b', 'hostile');
    const parsed = parse(workflow);
    parsed.jobs.cleanroom.steps = [{ run: 'echo "cleanroom: skipped"' }];
    dev.write('.github/workflows/cleanroom.yml', JSON.stringify(parsed, null, 2));
    dev.write('evals/tasks/q1.json', '{"q": "written by a model"}\n');
    dev.git('add', '-A');
    dev.git('commit', '-q', '--no-verify', '-m', 'tweak CI, add task', '-m', CLAUDE);
    const headSha = dev.head();
    dev.git('push', '-q', origin.dir, 'HEAD:refs/pull/7/head');
    return { origin, dev, baseSha, headSha };
  }

  /** Runs a workflow's single job as GitHub would for pull_request_target (checkout of the base). */
  function runWorkflow(text: string, origin: TestRepo, ctx: Record<string, string>) {
    const wf = parse(text);
    const runner = tempDir('cleanroom-runner-');
    const steps: any[] = wf.jobs.cleanroom.steps;
    let last = { status: 0, stdout: '', stderr: '' };
    let summary = '';
    for (const step of steps) {
      if (step.uses?.startsWith('actions/checkout@')) {
        // pull_request_target checks out the base branch; fetch-depth 0.
        execFileSync('git', ['clone', '-q', origin.dir, runner], { env: origin.env });
        continue;
      }
      if (step.uses === 'cleanroom-dev/cleanroom/hooks/ci/github@v0') {
        const inputs = Object.fromEntries(
          Object.entries(step.with ?? {}).map(([k, v]) => [k, expand(String(v), ctx)]),
        );
        const r = runAction(runner, origin.env, inputs, ctx);
        last = r;
        summary = r.summary;
        if (r.status !== 0) break;
        continue;
      }
      if (step.uses?.startsWith('actions/setup-node@')) continue; // this machine's node
      if (step.uses) throw new Error(`unexpected uses: ${step.uses}`);
      const env = { ...origin.env };
      for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), ctx);
      last = runBash(step.run, existsSync(runner) ? runner : tempDir(), env);
      if (last.status !== 0) break;
    }
    return { ...last, summary, triggers: Object.keys(wf.on ?? wf[true as any] ?? {}) };
  }

  it('a pull request that edits the workflow to skip the check is still judged, and fails', () => {
    const { origin, baseSha, headSha } = hostWithHostilePr();
    const ctx = {
      'github.event.pull_request.number': '7',
      'github.event.pull_request.base.sha': baseSha,
      'github.event.pull_request.head.sha': headSha,
    };
    // GitHub takes a pull_request_target workflow from the base branch, not from the head.
    const baseWorkflow = execFileSync(
      'git',
      ['show', `${baseSha}:.github/workflows/cleanroom.yml`],
      { cwd: origin.dir, encoding: 'utf8' },
    );
    const run = runWorkflow(baseWorkflow, origin, ctx);
    expect(run.triggers).toEqual(['pull_request_target']);
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('evals/tasks/q1.json');
    expect(run.summary).toContain('| evals/tasks/q1.json |');

    // The control: with `pull_request`, GitHub would run the head's edited workflow, which passes.
    const headWorkflow = execFileSync(
      'git',
      ['show', `${headSha}:.github/workflows/cleanroom.yml`],
      { cwd: origin.dir, encoding: 'utf8' },
    );
    const hostile = runWorkflow(headWorkflow, origin, ctx);
    expect(hostile.status).toBe(0);
    expect(hostile.stdout).toContain('cleanroom: skipped');
  });

  it("the rulesets require the workflow's job as the status check and restrict the workflow and lockfile paths", () => {
    const workflow = parse(readFileSync(join(ROOT, 'hooks/ci/github/cleanroom.yml'), 'utf8'));
    const branch = JSON.parse(
      readFileSync(join(ROOT, 'hooks/ci/github/ruleset-default-branch.json'), 'utf8'),
    );
    const checks = branch.rules
      .find((r: any) => r.type === 'required_status_checks')
      .parameters.required_status_checks.map((c: any) => c.context);
    expect(checks).toEqual(Object.keys(workflow.jobs)); // GitHub names a job's check after its id
    expect(branch.conditions.ref_name.include).toEqual(['~DEFAULT_BRANCH']);
    expect(
      branch.rules.find((r: any) => r.type === 'pull_request').parameters.require_code_owner_review,
    ).toBe(true);
    const paths = JSON.parse(
      readFileSync(join(ROOT, 'hooks/ci/github/ruleset-protected-paths.json'), 'utf8'),
    );
    expect(paths.target).toBe('push');
    expect(paths.rules[0].parameters.restricted_file_paths).toEqual(
      expect.arrayContaining(['.github/workflows/**', '.cleanroom/**', 'package-lock.json']),
    );
  });

  it('never checks out or runs the head: the runner work tree stays at the base', () => {
    const workflow = parse(readFileSync(join(ROOT, 'hooks/ci/github/cleanroom.yml'), 'utf8'));
    expect(Object.keys(workflow.on)).toEqual(['pull_request_target']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const steps = workflow.jobs.cleanroom.steps;
    const checkout = steps.find((s: any) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout.with.ref).toBeUndefined(); // the base branch, GitHub's default for pull_request_target
    expect(checkout.with['persist-credentials']).toBe(false);
    expect(
      steps.find((s: any) => s.uses?.startsWith('actions/setup-node@')).with['node-version'],
    ).toBeGreaterThanOrEqual(22); // a maintained Node
    const text = JSON.stringify(steps);
    expect(text).not.toMatch(/npm |npx |yarn |pnpm |git (checkout|switch|reset|merge)/);
  });
});
