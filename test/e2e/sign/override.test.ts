// Overrides end to end: a real `git commit` through the hooks `cleanroom init` installed,
// a real `git push` into a bare repository whose pre-receive is `cleanroom install-server`'s.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { CLI, removeTempDirs } from '../../helpers/repo.js';
import {
  AI,
  APPROVER,
  expectOneScreen,
  grant,
  push,
  serverRef,
  world,
  type World,
} from './world.js';

afterAll(() => removeTempDirs());

const TASK = '{"question": "What is 2 + 2?", "answer": "4"}\n';

describe('a deny-zone commit with AI attribution', () => {
  let w: World;
  let before: string;
  beforeAll(() => {
    w = world();
    before = w.repo.head();
  });

  it('is blocked by the commit-msg hook', () => {
    w.repo.write('evals/tasks/q1.json', TASK);
    const r = w.repo.commit(`Add q1\n\n${AI}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cleanroom: commit blocked');
    expect(r.stderr).toMatch(
      /✗ evals\/tasks\/q1\.json\n\s+zone eval-tasks \(deny\) · tool claude-code · seen: Co-authored-by: Claude/,
    );
    expect(r.stderr).toContain('cleanroom override request --reason');
    expectOneScreen(r.stderr);
    expect(w.repo.head()).toBe(before);
  });

  it('is blocked on push: by pre-push, and by the server when pre-push is skipped', () => {
    expect(w.repo.commit(`Add q1\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);
    const local = push(w);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain('cleanroom: push rejected');
    expect(local.stderr).not.toContain('remote:');
    const server = push(w, { noVerify: true });
    expect(server.code).toBe(1);
    expect(server.stderr).toContain('remote: cleanroom: push rejected');
    expect(server.stderr).toMatch(/remote:\s+✗ evals\/tasks\/q1\.json/);
    expect(server.stderr).toContain('! [remote rejected] HEAD -> main (pre-receive hook declined)');
    expectOneScreen(server.stderr);
    expect(serverRef(w)).toBe(before);
    w.repo.git('reset', '-q', '--soft', 'HEAD~1');
  });

  it("is accepted on both with an approver's override", () => {
    const trailer = grant(w, 'override');
    // Folded with git's continuation lines (issue 16 §6); unfolded, the fields in order, the signature in pieces.
    expect(trailer.replace(/\n /g, ' ')).toMatch(
      /^Cleanroom-Override: v1 repo=example\.org\/acme\/evals by=ava@example\.org zones=eval-tasks files=1 digest=sha256:[0-9a-f]{64} created=\S+Z expires=\S+Z reason=hand-checked%20by%20the%20eval%20team sig=[A-Za-z0-9+/ ]+=*$/,
    );
    const r = w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', trailer] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(w.repo.lastMessage()).toContain(`${AI}\n${trailer}\n`);
    const p = push(w);
    expect(p.code).toBe(0);
    expect(p.stderr).toContain(
      `remote: cleanroom: refs/heads/main ${w.repo.head().slice(0, 12)} evals/tasks/q1.json: overridden by ${APPROVER}`,
    );
    expect(serverRef(w)).toBe(w.repo.head());
    const check = w.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(check.code).toBe(0);
    // Named with its commit: a range lists one such line per commit.
    expect(check.stdout).toContain(
      `✓ ${w.repo.head().slice(0, 12)} evals/tasks/q1.json (eval-tasks, claude-code) overridden by ${APPROVER}`,
    );
  });

  it('works as documented: git commit --trailer "$(cleanroom override request … | cleanroom override sign …)"', () => {
    w.repo.write('evals/tasks/q2.json', TASK.replace('2 + 2', '3 + 3').replace('"4"', '"6"'));
    w.repo.git('add', '-A');
    const r = spawnSync(
      'sh',
      [
        '-c',
        'git commit -q -m "Add q2" -m "$AI" --trailer "$(node "$CLI" override request --reason "checked by hand" | node "$CLI" override sign --key "$KEY" --principal ava@example.org)"',
      ],
      { cwd: w.repo.dir, env: { ...w.repo.env, AI, CLI, KEY: w.keys.ava.path }, encoding: 'utf8' },
    );
    expect(r.stderr).toMatch(
      /^cleanroom: signed override for example\.org\/acme\/evals \(eval-tasks; 1 file\) as ava@example\.org, expires \S+\n$/,
    );
    expect(r.status).toBe(0);
    expect(w.repo.lastMessage().replace(/\n /g, ' ')).toMatch(
      /\nCleanroom-Override: v1 .*reason=checked%20by%20hand sig=[A-Za-z0-9+/ ]+=*\s*$/,
    );
    expect(push(w).code).toBe(0);
    expect(serverRef(w)).toBe(w.repo.head());
  });

  it("is refused when the approver is the commit's author (self-approval)", () => {
    w.repo.write('evals/tasks/q3.json', TASK.replace('2 + 2', '4 + 4'));
    w.repo.git('add', '-A');
    const trailer = grant(w, 'override');
    const asAva = { GIT_AUTHOR_NAME: 'Ava Approver', GIT_AUTHOR_EMAIL: APPROVER };
    const r = w.repo.commit(`Add q3\n\n${AI}`, {
      add: [],
      args: ['--trailer', trailer],
      env: asAva,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `note: override not accepted: self-approval is refused: ${APPROVER} is the commit's author`,
    );
    expect(
      w.repo.commit(`Add q3\n\n${AI}`, {
        add: [],
        args: ['--no-verify', '--trailer', trailer],
        env: asAva,
      }).code,
    ).toBe(0);
    const p = push(w, { noVerify: true });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(
      /remote: note: [0-9a-f]{12}: override not accepted: self-approval is refused/,
    );
    w.repo.git('reset', '-q', '--hard', 'HEAD~1');
  });

  it('an already-made commit: override request --commit HEAD, then git commit --amend --trailer, then push', () => {
    w.repo.write('evals/tasks/q4.json', TASK.replace('2 + 2', '5 + 5'));
    expect(w.repo.commit(`Add q4\n\n${AI}`, { args: ['--no-verify'] }).code).toBe(0);
    expect(push(w, { noVerify: true }).code).toBe(1);
    const trailer = grant(w, 'override', { commit: 'HEAD' });
    expect(w.repo.tryGit(['commit', '-q', '--amend', '--no-edit', '--trailer', trailer]).code).toBe(
      0,
    );
    const p = push(w);
    expect(p.stderr).toContain(`evals/tasks/q4.json: overridden by ${APPROVER}`);
    expect(p.code).toBe(0);
  });

  it("guards .cleanroom/ on the server: a new approver needs an existing approver's override", () => {
    w.repo.write(
      '.cleanroom/approvers',
      `${w.repo.git('show', 'HEAD:.cleanroom/approvers')}hana@example.org ${w.keys.rita.pub}\n`,
    );
    w.repo.git('add', '-A');
    expect(w.repo.commit('Make hana an approver', { add: [], args: ['--no-verify'] }).code).toBe(0);
    const p = push(w, { noVerify: true });
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(
      /remote:\s+✗ \.cleanroom\/approvers\s*\n.*zone cleanroom-config \(deny\)/,
    );
    w.repo.git('reset', '-q', '--soft', 'HEAD~1');
    const trailer = grant(w, 'override', { reason: 'hana joins the approvers' });
    expect(trailer).toContain(' zones=cleanroom-config ');
    expect(
      w.repo.commit('Make hana an approver', { add: [], args: ['--trailer', trailer] }).code,
    ).toBe(0);
    const ok = push(w);
    expect(ok.stderr).toContain(`.cleanroom/approvers: overridden by ${APPROVER}`);
    expect(ok.code).toBe(0);
  });
});

describe('the same content committed again', () => {
  it('still verifies after git rebase onto a new base, locally and on the server', () => {
    const w = world();
    w.repo.git('switch', '-q', '-c', 'feature');
    w.repo.write('evals/tasks/q1.json', TASK);
    w.repo.git('add', '-A');
    const trailer = grant(w, 'override');
    expect(w.repo.commit(`Add q1\n\n${AI}`, { add: [], args: ['--trailer', trailer] }).code).toBe(
      0,
    );
    const original = w.repo.head();

    w.repo.git('switch', '-q', 'main');
    w.repo.write('README.md', '# test\n\nNew base.\n');
    expect(w.repo.commit('Update the README').code).toBe(0);
    expect(push(w).code).toBe(0);

    w.repo.git('switch', '-q', 'feature');
    w.repo.git('rebase', '-q', 'main');
    const rebased = w.repo.head();
    expect(rebased).not.toBe(original);
    expect(w.repo.git('rev-parse', 'HEAD~1')).toBe(w.repo.git('rev-parse', 'main'));
    expect(w.repo.lastMessage()).toContain(trailer);

    const check = w.repo.cleanroom(['check', '--commit', 'HEAD']);
    expect(check.stdout).toContain(`overridden by ${APPROVER}`);
    expect(check.code).toBe(0);
    const p = push(w);
    expect(p.stderr).toContain(
      `remote: cleanroom: refs/heads/feature ${rebased.slice(0, 12)} evals/tasks/q1.json: overridden by ${APPROVER}`,
    );
    expect(p.code).toBe(0);
    expect(serverRef(w, 'feature')).toBe(rebased);
  });
});
