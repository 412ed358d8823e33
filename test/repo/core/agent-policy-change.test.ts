// An agent that rewrites the policy and commits it, or reverts the commit that tightened
// it, would be judged by the looser policy from then on: its hooks trust the committed
// policy (src/agents/policy.ts). The local commit hooks refuse such a change in an agent's
// session, as the server does (hostile review, eleventh pass).

import { afterAll, describe, expect, it } from 'vitest';
import { POLICY, removeTempDirs, repoWithPolicy } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const LAX = POLICY.replace(/ai: deny/g, 'ai: allow').replace(/read: deny/g, 'read: allow');
const AGENT = { CLAUDECODE: '1' };

describe('a policy change in an agent session', () => {
  it('committed: refused by the commit hooks; a human commit of it is left to the server', () => {
    const repo = repoWithPolicy();
    const head = repo.head();
    repo.write('.cleanroom/policy.yaml', LAX);
    const r = repo.commit('tidy up', { env: AGENT });
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toContain('.cleanroom/policy.yaml');
    expect(r.stderr).toContain('cleanroom-config');
    expect(repo.head()).toBe(head);
    // Control: the same change by a human passes locally (the server asks for an override).
    const human = repo.commit('tidy up', { env: { CLAUDECODE: undefined } });
    expect(human.code, human.stderr).toBe(0);
  });

  it('reverted or cherry-picked: refused by prepare-commit-msg, the one hook git runs', () => {
    const repo = repoWithPolicy({ policy: LAX });
    repo.write('.cleanroom/policy.yaml', POLICY);
    expect(repo.commit('tighten', { env: { CLAUDECODE: undefined } }).code).toBe(0);
    const strict = repo.head();
    const revert = repo.tryGit(['revert', '--no-edit', 'HEAD'], {
      env: { ...repo.env, ...AGENT },
    });
    expect(revert.code).not.toBe(0);
    expect(revert.stderr).toContain('this revert changes the cleanroom policy');
    expect(repo.head()).toBe(strict);
    repo.git('reset', '-q', '--hard', strict);
    // A cherry-pick of the loosening direction from another branch.
    repo.git('checkout', '-q', '-b', 'lax', `${strict}~1`);
    repo.write('.cleanroom/policy.yaml', LAX + '# again\n');
    expect(repo.commit('lax again', { env: { CLAUDECODE: undefined } }).code).toBe(0);
    const lax = repo.head();
    repo.git('checkout', '-q', strict);
    const pick = repo.tryGit(['cherry-pick', lax], { env: { ...repo.env, ...AGENT } });
    expect(pick.code).not.toBe(0);
    expect(pick.stderr).toContain('this cherry-pick changes the cleanroom policy');
    repo.git('reset', '-q', '--hard', strict);
    // Control: a human's revert goes through (the server judges it).
    const human = repo.tryGit(['revert', '--no-edit', 'HEAD'], {
      env: { ...repo.env, CLAUDECODE: undefined },
    });
    expect(human.code, human.stderr).toBe(0);
    // And an agent's revert of a commit outside the configuration is a replay as before.
    repo.write('src/a.txt', 'a\n');
    expect(repo.commit('a', { env: { CLAUDECODE: undefined } }).code).toBe(0);
    const plain = repo.tryGit(['revert', '--no-edit', 'HEAD'], { env: { ...repo.env, ...AGENT } });
    expect(plain.code, plain.stderr).toBe(0);
  });
});
