// A trailer folded onto the next line (`Made-with:` then ` Cursor`) is one trailer to git
// (trailer.c; `git interpret-trailers --parse`, `%(trailers:unfold)`), so it is a signal
// wherever cleanroom reads messages: commit-msg (its shell fast path must send such a
// message to the full check), pre-receive and check --range.

import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs } from '../../helpers/repo.js';
import { protectedServer } from '../../helpers/server.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };

describe('a folded trailer', () => {
  it.each([
    ['Made-with:', ' Cursor'],
    ['Replit-Commit-Author:', '\tAgent'],
    ['Co-authored-by:', ' Gemini CLI'],
    ['Made-with:', '\rCursor'],
  ])('%j folded onto %j: commit-msg, the server and check --range refuse it', T, (key, rest) => {
    const { work } = protectedServer();
    expect(work.cleanroom(['init', '--hooks', 'git', '-q']).code).toBe(0);
    work.write('evals/tasks/q.json', '{"q": "model-written"}\n');
    work.git('add', '-A');
    const message = `add a task\n\n${key}\n${rest}\n`;
    const local = work.tryGit(['commit', '-q', '-m', message]);
    expect(local.code, local.stderr).not.toBe(0);
    work.git('commit', '-q', '--no-verify', '-m', message);
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).not.toBe(0);
    expect(push.stderr).toContain('eval-tasks');
    const range = work.cleanroom(['check', '--range', 'origin/main..HEAD']);
    expect(range.code, range.stdout + range.stderr).toBe(1);
  });

  it('human control: an indented note under a trailer is no signal, and the push passes', T, () => {
    const { work } = protectedServer();
    work.write('evals/tasks/q.json', '{"q": "human"}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '--no-verify', '-m', 'add a task\n\nMade-with:\n vim\n');
    const push = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(push.code, push.stderr).toBe(0);
  });
});
