// A newcomer installed the server hook before pushing .cleanroom/approvers and locked
// themselves out: adding the first approvers file is itself a .cleanroom/ change, which
// needs an approver's override. install-server now says so when it installs.

import { afterAll, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const serverFrom = (work: TestRepo): TestRepo => {
  const server = TestRepo.init({ bare: true });
  work.git('push', '-q', server.dir, 'main');
  return server;
};

it(
  'install-server warns when the default branch lists no approvers; not when it does',
  { timeout: 60_000 },
  () => {
    const work = repoWithPolicy({ init: false });
    const bare = serverFrom(work);
    const r = work.cleanroom(['install-server', bare.dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('has no .cleanroom/approvers');

    work.write(
      '.cleanroom/approvers',
      'alice@example.org ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO1sJ2n7NoVdA1jkc9UdDJ3xqB4k5m1QnwH4cM8F4cZB\n',
    );
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'approvers');
    const bare2 = serverFrom(work);
    const ok = work.cleanroom(['install-server', bare2.dir]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).not.toContain('has no .cleanroom/approvers');
  },
);
