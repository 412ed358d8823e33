// Issue 14 §4: the audit reads each judged commit through CatFileBatch.nextBuffered, with
// no promise when the object has already arrived. Whatever has arrived when it is asked
// (nothing, part of a header, a header without all of its content), nextBuffered and
// next together must read every object exactly as `git cat-file -p` shows it, in order,
// missing objects included.

import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CatFileBatch } from '../../../src/git/stream.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

describe('CatFileBatch.nextBuffered', () => {
  it('reads small, large (many pipe chunks) and missing objects as git shows them, asked early and late', async () => {
    const repo = TestRepo.init();
    const sizes = [0, 1, 10, 70_000, 300_000, 5, 1_000_000, 3];
    const ids = sizes.map((n, i) =>
      execFileSync('git', ['hash-object', '-w', '--stdin'], {
        cwd: repo.dir,
        env: repo.env,
        input: Buffer.alloc(n, 97 + i),
      })
        .toString()
        .trim(),
    );
    const missing = 'f'.repeat(ids[0]!.length);
    const asks = [...ids.slice(0, 4), missing, ...ids.slice(4), missing];
    const ctx = { cwd: repo.dir, env: repo.env };
    const cat = new CatFileBatch(ctx);
    try {
      cat.child.stdin.write(asks.join('\n') + '\n');
      cat.child.stdin.end();
      let sync = 0;
      for (const [i, id] of asks.entries()) {
        // Ask before anything may have arrived, then poll (a header may arrive before its
        // content), then read the rest with next().
        let obj = cat.nextBuffered();
        for (let k = 0; !obj && k < (i % 3) * 5; k++) {
          await new Promise((r) => setTimeout(r, 1));
          obj = cat.nextBuffered();
        }
        if (obj) sync++;
        obj ??= await cat.next();
        if (id === missing) {
          expect(obj.type, `ask ${i}`).toBe('missing');
          continue;
        }
        expect(obj.id, `ask ${i}`).toBe(id);
        expect(obj.type).toBe('blob');
        const want = execFileSync('git', ['cat-file', '-p', id], {
          cwd: repo.dir,
          env: repo.env,
          maxBuffer: 1 << 24,
        });
        expect(obj.content.equals(want), `content of ask ${i}`).toBe(true);
      }
      // Both ways were taken (a test that only ever awaited would prove nothing new).
      expect(sync).toBeGreaterThan(0);
      expect(cat.nextBuffered()).toBeUndefined();
    } finally {
      cat.child.kill();
    }
  });
});
