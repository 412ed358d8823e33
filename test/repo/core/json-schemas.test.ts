// The JSON contracts ship as JSON Schemas in policies/ (check-report, audit-report);
// real outputs of `check --format json` and `audit --format json` must validate, and the
// audit's top-level violations[] has check's record shape, so one jq serves both.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, repoWithPolicy, ROOT, TestRepo } from '../../helpers/repo.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });
afterAll(removeTempDirs);

const ajv = new Ajv({ allErrors: true, strict: true });
const schema = (name: string) =>
  ajv.compile(JSON.parse(readFileSync(join(ROOT, 'policies', name), 'utf8')) as object);
const checkSchema = schema('check-report.schema.json');
const auditSchema = schema('audit-report.schema.json');
const errorSchema = schema('error-report.schema.json');

function commit(repo: TestRepo, files: Record<string, string>, ...message: string[]): string {
  for (const [p, c] of Object.entries(files)) repo.write(p, c);
  repo.git('add', '-A');
  repo.git('commit', '-q', '--no-verify', ...message.flatMap((m) => ['-m', m]));
  return repo.head();
}

const RECORD_KEYS = ['commit', 'path', 'zone', 'tool', 'verdict', 'signal', 'message'];

describe('JSON outputs against the shipped schemas', () => {
  const repo = repoWithPolicy({ init: false });
  const base = repo.head();
  commit(
    repo,
    { 'evals/tasks/q1.json': '{}\n' },
    'Add task',
    'Co-authored-by: Claude <noreply@anthropic.com>',
  );
  commit(
    repo,
    { 'evals/harness/run.py': 'x\n' },
    'Harness',
    'Assisted-by: codex',
    'Reviewed-by: Rita Reviewer <rita@example.org>',
  );

  it('check --range --format json validates, violations and passed alike', () => {
    const r = repo.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { format: number; violations: object[]; passed: object[] };
    expect(checkSchema(doc), ajv.errorsText(checkSchema.errors)).toBe(true);
    expect(doc.format).toBe(1);
    expect(doc.violations.length).toBe(1);
    expect(doc.passed.length).toBe(1);
  });

  it('audit --format json validates, and its violations[] has the check record shape', () => {
    const r = repo.cleanroom(['audit', '--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(r.stdout) as { format: number; violations: Record<string, unknown>[] };
    expect(auditSchema(doc), ajv.errorsText(auditSchema.errors)).toBe(true);
    expect(doc.format).toBe(1);
    expect(doc.violations.map((v) => Object.keys(v))).toEqual([RECORD_KEYS]);
    const check = JSON.parse(
      repo.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']).stdout,
    ) as { violations: Record<string, unknown>[] };
    expect(Object.keys(check.violations[0]!)).toEqual(RECORD_KEYS);
    expect(doc.violations[0]).toMatchObject({
      commit: check.violations[0]!.commit,
      path: 'evals/tasks/q1.json',
      zone: 'eval-tasks',
      tool: 'claude-code',
      verdict: 'deny',
    });
  });

  it('a failing command asked for JSON prints a document that validates against error-report.schema.json', () => {
    for (const args of [
      ['check', '--commit', 'no-such-rev'],
      ['audit', '--policy', 'missing.yaml'],
    ]) {
      const r = repo.cleanroom([...args, '--format', 'json']);
      expect(r.code, args.join(' ')).toBe(2);
      const doc = JSON.parse(r.stdout) as unknown;
      expect(errorSchema(doc), ajv.errorsText(errorSchema.errors)).toBe(true);
      expect(checkSchema(doc)).toBe(false); // a script can tell an error from a report
    }
  });

  it('the schemas can fail: a 41-hex commit, a missing key, a wrong format version', () => {
    const ok = {
      format: 1,
      ok: false,
      violations: [
        {
          commit: 'a'.repeat(40),
          path: 'p',
          zone: 'z',
          tool: 't',
          verdict: 'deny',
          signal: 's',
          message: 'm',
        },
      ],
      passed: [],
      notes: [],
    };
    expect(checkSchema(ok)).toBe(true);
    expect(
      checkSchema({ ...ok, violations: [{ ...ok.violations[0], commit: 'a'.repeat(41) }] }),
    ).toBe(false);
    expect(checkSchema({ ...ok, violations: [{ ...ok.violations[0], signal: undefined }] })).toBe(
      false,
    );
    expect(checkSchema({ ...ok, format: 2 })).toBe(false);
  });
});
