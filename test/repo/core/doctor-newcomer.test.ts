// A newcomer's report on `cleanroom doctor`: the approvers advice must say that the first
// approvers file is committed before the server or CI judges (afterwards adding it is a
// .cleanroom/ change nobody can sign); "1 zone" in the singular; the review.mode: trailer
// warning only where some zone reviews; a ✓ line for a valid approvers file.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const DENY_ONLY = `version: 1
repository: example.org/acme/evals
zones:
  - name: eval-tasks
    paths: ["evals/**"]
    ai: deny
`;

const TRAILER_WARNING = 'review.mode is "trailer"';

describe('doctor: what a newcomer reads', { timeout: 120_000 }, () => {
  it('no approvers file: commit it before the server hook or CI check is switched on', () => {
    const repo = repoWithPolicy({ policy: DENY_ONLY });
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain('! no .cleanroom/approvers: nobody can sign an override');
    expect(r.stdout).toContain(
      '→ commit .cleanroom/approvers (OpenSSH allowed_signers) before switching on the server hook or the CI check (or configure the policy on the server: cleanroom install-server --policy); once they judge, adding the first approver is a .cleanroom/ change nobody can sign',
    );
    expect(r.stdout).not.toContain('when you need overrides');
    expect(r.stdout).not.toMatch(/✓ \.cleanroom\/approvers/);
  });

  it('control: a valid approvers file gets its ✓ line and no warning', () => {
    const repo = repoWithPolicy({ policy: DENY_ONLY });
    const dir = tempDir();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const pub = readFileSync(join(dir, 'k.pub'), 'utf8').trim();
    repo.write('.cleanroom/approvers', `ava@example.org namespaces="cleanroom-override" ${pub}\n`);
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain('✓ .cleanroom/approvers: valid, 1 key\n');
    expect(r.stdout).not.toContain('nobody can sign an override');
  });

  it('an approvers file listing no key warns instead of a ✓', () => {
    const repo = repoWithPolicy({ policy: DENY_ONLY });
    repo.write('.cleanroom/approvers', '# nobody yet\n');
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain('! .cleanroom/approvers lists no key: nobody can sign an override');
    expect(r.stdout).not.toMatch(/✓ \.cleanroom\/approvers/);
  });

  it('one zone is "1 zone"; a deny-only policy in review.mode trailer gets no trailer warning', () => {
    const repo = repoWithPolicy({ policy: DENY_ONLY });
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain('.cleanroom/policy.yaml: valid, 1 zone, review mode trailer,');
    expect(r.stdout).not.toContain(TRAILER_WARNING);
  });

  it('control: three zones, one of which reviews: "3 zones" and the trailer warning', () => {
    const repo = repoWithPolicy();
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain('.cleanroom/policy.yaml: valid, 3 zones, review mode trailer,');
    expect(r.stdout).toContain(TRAILER_WARNING);
  });

  it('a zone that reviews only for one tool (tools: { x: review }) also gets the warning', () => {
    const repo = repoWithPolicy({
      policy: DENY_ONLY.replace('ai: deny', 'ai: deny\n    tools: { copilot: review }'),
    });
    const r = repo.cleanroom(['doctor']);
    expect(r.stdout).toContain(TRAILER_WARNING);
  });
});
