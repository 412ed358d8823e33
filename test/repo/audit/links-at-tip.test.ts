// What a checkout of the audited tip shows through a symlink is reported at the link's
// path too. Lineage follows paths: a human edit keeps an AI-written file contaminated,
// and a link added later by a human (exposing content whose last writer is that human)
// produces no finding of its own — yet the zone shows the AI-derived content at the
// link. Found on the Aider history: `aider/website/_posts/2023-05-25-ctags.md ->
// ../docs/ctags.md`, a file aider wrote, was not reported at the link.

import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../../src/audit/report.js';
import { removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';

afterAll(() => removeTempDirs());

const POLICY = `version: 1
repository: example.org/acme/evals
zones:
  - { name: train, paths: ["data/train/**"], ai: deny }
  - { name: tasks, paths: ["evals/tasks/**"], ai: deny }
`;
const AI = 'Co-authored-by: Claude <noreply@anthropic.com>';

function contaminated(report: AuditReport, zone: string): string[] {
  return report.zones.find((z) => z.name === zone)!.contaminated.map((p) => p.path);
}

describe('audit: content seen through a link at the tip', () => {
  it('a link added by a human to AI-derived content is reported at the link path; a link to human content is not', () => {
    const repo = repoWithPolicy({ policy: POLICY });
    repo.write('data/train/x.jsonl', '{"q": "written by the model"}\n');
    expect(repo.commit(`add x\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);
    // A human edits it: its lineage keeps the AI change (the content derives from it).
    repo.write('data/train/x.jsonl', '{"q": "written by the model, edited"}\n');
    expect(repo.commit('edit x').code).toBe(0);
    // Control: human content behind another link.
    repo.write('data/human/y.jsonl', '{"q": "written by a person"}\n');
    expect(repo.commit('add y').code).toBe(0);
    mkdirSync(join(repo.dir, 'evals/tasks'), { recursive: true });
    symlinkSync('../../data/train', join(repo.dir, 'evals/tasks/extra'), 'dir');
    symlinkSync('../../data/human', join(repo.dir, 'evals/tasks/human'), 'dir');
    expect(repo.commit('link data into tasks', { args: ['--no-verify'] }).code).toBe(0);

    const r = repo.cleanroom(['audit', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(contaminated(report, 'train')).toEqual(['data/train/x.jsonl']);
    expect(contaminated(report, 'tasks')).toEqual(['evals/tasks/extra/x.jsonl']);
  });
});
