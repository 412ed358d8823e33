// Messages in legacy code pages, pushed for real (issue 10 §4): the server's pre-receive
// and the pre-push hook read them as `git log` shows them.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir, type TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef } from '../../helpers/server.js';

afterAll(removeTempDirs);

function commitIn(work: TestRepo, enc: string, text: string, path: string): string {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', enc], { input: text });
  expect(r.status).toBe(0);
  const msg = r.stdout;
  work.write(path, '{}\n');
  work.git('add', '-A');
  const file = join(tempDir(), 'msg');
  writeFileSync(file, msg);
  work.git('-c', `i18n.commitEncoding=${enc}`, 'commit', '-q', '--no-verify', '-F', file);
  return work.head();
}

describe('pushes of commits in legacy encodings', () => {
  const subjects: Record<string, string> = {
    cp932: 'タスク追加 (田中)',
    eucKR: '작업 추가 (김민준)',
    cp936: '添加任务 (张伟)',
  };
  for (const [enc, subject] of Object.entries(subjects)) {
    it(`${enc}: a person's commit is accepted by the server; an AI one is rejected`, () => {
      const s = protectedServer();
      const human = commitIn(s.work, enc, `${subject}\n`, `evals/tasks/h-${enc}.json`);
      const ok = s.work.tryGit(['push', 'origin', 'main']);
      expect(ok.code, ok.stderr).toBe(0);
      expect(serverRef(s, 'main')).toBe(human);
      const ai = commitIn(s.work, enc, `${subject}\n\n${CLAUDE}\n`, `evals/tasks/a-${enc}.json`);
      const r = s.work.tryGit(['push', 'origin', 'main']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('claude-code');
      expect(serverRef(s, 'main')).not.toBe(ai);
    });
  }
});
