// Provenance reads the commit that wrote content as the judge reads a commit it judges.
// An AI commit whose message is stored in EBCDIC (`encoding IBM037`, which git's iconv
// converts and iconv-lite lacks) writes a file outside every zone; a human then moves it
// into a deny zone (`git mv`) or links the zone to it. `git log` shows the writer's
// `Co-authored-by: Claude` trailer, so the move and the link carry its signal: refused
// by pre-receive, check --range and audit alike. A writer in a charset nobody can decode
// is `unknown-ai` there too (fail closed), as the commit itself would be.

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, type TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

/**
 * A commit of the staged tree whose message is stored in `bytesIn` (glibc's iconv) under
 * the header `encoding CHARSET`.
 */
function encodedCommit(
  work: TestRepo,
  charset: string,
  message: string,
  bytesIn = charset,
): string {
  const tree = work.git('write-tree').trim();
  const parent = work.head();
  const body = execFileSync('iconv', ['-f', 'UTF-8', '-t', bytesIn], { input: message });
  const head =
    `tree ${tree}\nparent ${parent}\n` +
    'author Hana Human <hana@example.org> 1700000000 +0000\n' +
    'committer Hana Human <hana@example.org> 1700000000 +0000\n' +
    `encoding ${charset}\n\n`;
  const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], {
    cwd: work.dir,
    env: work.env,
    input: Buffer.concat([Buffer.from(head), body]),
  })
    .toString()
    .trim();
  work.git('reset', '-q', '--hard', id);
  return id;
}

/** The AI writer outside the zones, pushed (accepted: nothing in a zone yet). */
function writerOutside(charset: string, bytesIn = charset): ReturnType<typeof protectedServer> {
  const s = protectedServer();
  s.work.write('src/gen/q.json', '{"q": "model-written"}\n');
  s.work.git('add', '-A');
  encodedCommit(s.work, charset, `Add generated task\n\n${CLAUDE}\n`, bytesIn);
  const first = s.work.tryGit(['push', '--no-verify', 'origin', 'main']);
  expect(first.code, first.stderr).toBe(0);
  return s;
}

/** A human's `git mv src/gen evals/tasks`. */
function moveIntoZone(work: TestRepo): void {
  mkdirSync(join(work.dir, 'evals'), { recursive: true });
  work.git('mv', 'src/gen', 'evals/tasks');
}

function expectRefused(work: TestRepo): void {
  const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
  expect(push.code, push.stderr).not.toBe(0);
  expect(push.stderr).toContain('eval-tasks');
  const range = work.cleanroom(['check', '--range', 'origin/main..HEAD']);
  expect(range.code, range.stdout + range.stderr).toBe(1);
  const audit = work.cleanroom(['audit']);
  expect(audit.code, audit.stdout + audit.stderr).toBe(1);
}

describe('a writer whose message git must re-encode', () => {
  it('EBCDIC (IBM037): a human git mv into the deny zone is refused', T, () => {
    const { work } = writerOutside('IBM037');
    expect(work.git('log', '-1', '--format=%B')).toContain('Co-authored-by: Claude');
    moveIntoZone(work);
    work.git('commit', '-q', '--no-verify', '-m', 'move the task into place');
    expectRefused(work);
  });

  it('EBCDIC (IBM037): a human link from the zone to it is refused', T, () => {
    const { work } = writerOutside('IBM037');
    mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
    symlinkSync('../../src/gen', join(work.dir, 'evals/tasks/gen'));
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'show the generated tasks');
    expectRefused(work);
  });

  it('a charset nobody decodes: the move is refused as unknown-ai', T, () => {
    // EBCDIC bytes under a name neither git's iconv nor iconv-lite knows: no view reads them.
    const { work } = writerOutside('X-NO-SUCH-CHARSET', 'IBM037');
    moveIntoZone(work);
    work.git('commit', '-q', '--no-verify', '-m', 'move the task into place');
    expectRefused(work);
  });

  it('human control: a human writer in EBCDIC, moved into the zone, is accepted', T, () => {
    const s = protectedServer();
    s.work.write('src/gen/q.json', '{"q": "human"}\n');
    s.work.git('add', '-A');
    encodedCommit(s.work, 'IBM037', 'Add a task by hand\n');
    moveIntoZone(s.work);
    s.work.git('commit', '-q', '--no-verify', '-m', 'move the task into place');
    const push = s.work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
  });
});
