// The audit's SARIF, validated against the official SARIF 2.1.0 schema (OASIS, errata01;
// see test/fixtures/sarif/README.md), for reports with and without results and with
// hostile paths.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';

afterAll(() => removeTempDirs());

/**
 * The OASIS schema is draft-04. Its keywords mean the same in draft-07 except boolean
 * exclusiveMinimum/exclusiveMaximum (checked absent below), so ajv's draft-07 engine
 * validates it faithfully once `id` is spelled `$id`.
 */
function sarifValidator(): (doc: unknown) => { ok: boolean; errors: string } {
  const schema = JSON.parse(
    readFileSync(join(ROOT, 'test', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json'), 'utf8'),
  ) as Record<string, unknown>;
  const text = JSON.stringify(schema);
  expect(text).not.toMatch(/"exclusive(Minimum|Maximum)":\s*(true|false)/);
  expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
  const { id, $schema: _draft04, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  // RFC 3986 / RFC 3339 shapes for the three formats the schema uses (ajv-formats would
  // provide these; the checks here are strict enough to catch an unencoded path).
  ajv.addFormat('uri', (s: string) => /^[a-z][a-z0-9+.-]*:[^\s"<>\\^`{|}]*$/i.test(s));
  ajv.addFormat('uri-reference', (s: string) =>
    /^([a-z][a-z0-9+.-]*:)?[^\s"<>\\^`{|}%]*(%[0-9a-f]{2}[^\s"<>\\^`{|}%]*)*$/i.test(s),
  );
  ajv.addFormat('date-time', (s: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(s),
  );
  const validate = ajv.compile({ ...rest, $id: String(id) });
  return (doc) => ({
    ok: validate(doc) === true,
    errors: ajv.errorsText(validate.errors, { separator: '\n' }),
  });
}

let validate: ReturnType<typeof sarifValidator>;
beforeAll(() => {
  validate = sarifValidator();
});

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

function sarifOf(repo: TestRepo): { doc: Record<string, unknown>; code: number } {
  const r = repo.cleanroom(['audit', '--format', 'sarif']);
  return { doc: JSON.parse(r.stdout) as Record<string, unknown>, code: r.code };
}

describe('audit SARIF against the official SARIF 2.1.0 schema', () => {
  it('the validator rejects what the schema rejects', () => {
    expect(validate({ version: '2.1.0', runs: [] }).ok).toBe(true);
    expect(validate({ version: '2.0.0', runs: [] }).ok).toBe(false);
    expect(
      validate({
        version: '2.1.0',
        runs: [{ tool: { driver: { name: 'x' } }, results: [{ message: {}, level: 'fatal' }] }],
      }).ok,
    ).toBe(false);
    expect(
      validate({
        version: '2.1.0',
        runs: [
          {
            tool: { driver: { name: 'x' } },
            results: [
              {
                message: { text: 'm' },
                locations: [{ physicalLocation: { artifactLocation: { uri: 'a b' } } }],
              },
            ],
          },
        ],
      }).ok,
    ).toBe(false);
  });

  it('a clean history: valid, no results', () => {
    const repo = repoWithPolicy({ init: false });
    const { doc, code } = sarifOf(repo);
    expect(code).toBe(0);
    const v = validate(doc);
    expect(v.errors).toBe('No errors');
    expect(v.ok).toBe(true);
    expect((doc.runs as { results: unknown[] }[])[0]!.results).toEqual([]);
  });

  it('contaminated paths, renames and hostile names: valid, one result per path and tool, stable fingerprints', () => {
    const repo = repoWithPolicy({ init: false });
    repo.write('evals/tasks/q 1 ünï%.json', '{}\n');
    repo.write('evals/harness/run.py', 'print()\n');
    expect(
      repo.commit(`AI\n\n${CLAUDE}\nCo-authored-by: aider (gpt-4o) <noreply@aider.chat>`).code,
    ).toBe(0);
    repo.git('mv', 'evals/harness/run.py', 'evals/tasks/run.py');
    expect(repo.commit('human move into the deny zone').code).toBe(0);
    repo.write('data/train/#x?.jsonl', '{}\n');
    expect(repo.commit(`AI data\n\nAssisted-by: inhouse-agent:v2`).code).toBe(0);
    const { doc, code } = sarifOf(repo);
    expect(code).toBe(1);
    const v = validate(doc);
    expect(v.errors).toBe('No errors');
    const run = (doc.runs as Record<string, unknown>[])[0]!;
    const results = run.results as {
      ruleId: string;
      locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
      partialFingerprints: Record<string, string>;
      properties: Record<string, unknown>;
    }[];
    const keys = results
      .map(
        (r) =>
          `${r.properties.tool as string} ${r.locations[0]!.physicalLocation.artifactLocation.uri}`,
      )
      .sort();
    expect(keys).toEqual([
      'aider evals/tasks/q%201%20%C3%BCn%C3%AF%25.json',
      'aider evals/tasks/run.py',
      'claude-code evals/tasks/q%201%20%C3%BCn%C3%AF%25.json',
      'claude-code evals/tasks/run.py',
      'unknown-ai data/train/%23x%3F.jsonl',
    ]);
    expect(results.every((r) => r.ruleId === 'cleanroom/deny-zone')).toBe(true);
    expect(
      (run.properties as { audit: { summary: { contaminatedPaths: number } } }).audit.summary
        .contaminatedPaths,
    ).toBe(3);
    // Re-running over a longer history keeps the alerts' identity.
    repo.write('src/other.ts', 'x\n');
    expect(repo.commit('human').code).toBe(0);
    const again = (
      sarifOf(repo).doc.runs as { results: { partialFingerprints: unknown }[] }[]
    )[0]!.results.map((r) => r.partialFingerprints);
    expect(again).toEqual(results.map((r) => r.partialFingerprints));
  });
});
