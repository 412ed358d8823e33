// Override and review trailers beside a commit-message linter (issue 16 §6): in a husky
// project whose commit-msg hook runs commitlint with @commitlint/config-conventional
// (body and footer lines at most 100 characters), the folded trailer that `override
// sign` prints passes; the same trailer on one line (the form older versions printed,
// still accepted by cleanroom) is what commitlint rejects. git and cleanroom read both.

import { execFileSync, spawnSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrailers } from '../../../src/signals/trailers.js';
import { CLI, removeTempDirs, ROOT } from '../../helpers/repo.js';
import { AI, APPROVER, grant, world, type World } from './world.js';

afterAll(() => removeTempDirs());

let w: World;
let folded: string;
beforeAll(() => {
  w = world();
  // A husky project: package.json, node_modules (ours, linked), husky's hooks directory,
  // commitlint in commit-msg, cleanroom chained behind it.
  w.repo.write(
    'package.json',
    JSON.stringify({
      name: 'evals',
      private: true,
      devDependencies: {
        husky: '9.1',
        '@commitlint/cli': '20.5.3',
        '@commitlint/config-conventional': '20.5.3',
      },
    }),
  );
  symlinkSync(join(ROOT, 'node_modules'), join(w.repo.dir, 'node_modules'));
  w.repo.write('.gitignore', 'node_modules\n');
  w.repo.write(
    'commitlint.config.mjs',
    "export default { extends: ['@commitlint/config-conventional'] };\n",
  );
  execFileSync(process.execPath, [join(ROOT, 'node_modules', 'husky', 'bin.js')], {
    cwd: w.repo.dir,
    env: w.repo.env,
    stdio: 'ignore',
  });
  w.repo.write(
    '.husky/commit-msg',
    `node "${join(ROOT, 'node_modules', '@commitlint', 'cli', 'cli.js')}" --edit "$1"\nnode "${CLI}" hook commit-msg "$1"\n`,
    0o755,
  );
  w.repo.git('add', '-A');
  w.repo.git('commit', '-q', '--no-verify', '-m', 'chore: husky and commitlint');
  w.repo.write('evals/tasks/q1.json', '{"q": 1}\n');
  w.repo.git('add', '-A');
  folded = grant(w, 'override');
});

const commit = (message: string, trailer: string) =>
  spawnSync('git', ['commit', '-q', '-m', message, '--trailer', trailer], {
    cwd: w.repo.dir,
    env: w.repo.env,
    encoding: 'utf8',
  });

describe('override trailers in a husky project with commitlint', () => {
  it('the one-line form is refused by commitlint (footer-max-line-length 100) — the reason for folding', () => {
    const oneLine = folded.replace(/\n /g, ' ');
    expect(oneLine.length).toBeGreaterThan(100);
    const r = commit(`feat: add q1\n\n${AI}`, oneLine);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/max-line-length/);
  });

  it('the folded form passes commitlint and cleanroom, and git reads it as one trailer', () => {
    const r = commit(`feat: add q1\n\n${AI}`, folded);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const message = w.repo.lastMessage();
    for (const line of message.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    // git's own parser sees one Cleanroom-Override trailer, unfolded, as ours does
    const gitView = execFileSync('git', ['interpret-trailers', '--parse'], {
      input: message,
      encoding: 'utf8',
    });
    const ours = parseTrailers(message).map((t) => `${t.key}: ${t.value}`);
    expect(gitView.trimEnd().split('\n')).toEqual(ours);
    expect(ours.filter((t) => t.startsWith('Cleanroom-Override: v1 '))).toHaveLength(1);
    const check = w.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`overridden by ${APPROVER}`);
  });

  it('the one-line form still verifies in cleanroom (check --commit of a commit made without the linter)', () => {
    w.repo.write('evals/tasks/q2.json', '{"q": 2}\n');
    w.repo.git('add', '-A');
    const oneLine = grant(w, 'override').replace(/\n /g, ' ');
    const file = join(w.repo.dir, '.git', 'MSG');
    writeFileSync(file, `feat: add q2\n\n${AI}\n${oneLine}\n`);
    w.repo.git('commit', '-q', '--no-verify', '-F', file);
    const check = w.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`overridden by ${APPROVER}`);
  });
});
