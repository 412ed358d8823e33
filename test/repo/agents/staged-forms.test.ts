// The ledger must match what git stores, not only the bytes the agent wrote: git's clean
// step (CRLF → LF under text=auto or core.autocrlf; Git LFS's pointer) changes the blob
// id of a staged file, and a short draft has too few lines to be matched by line hashes
// (hostile review: a CRLF or LFS-filtered draft copied into a zone was committed unseen).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stagedForms } from '../../../src/agents/record.js';
import { blobId } from '../../../src/signals/ledger.js';
import { removeTempDirs, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const staged = (repo: TestRepo, path: string): string =>
  repo.git('ls-files', '-s', '--', path).split(' ')[1]!;

describe('the blob ids the ledger records include what git stores', () => {
  it('CRLF under text=auto: the LF form', () => {
    const repo = TestRepo.init();
    writeFileSync(join(repo.dir, '.gitattributes'), '* text=auto\n');
    const content = Buffer.from('{"q": "What is 17 * 23?", "a": "391"}\r\nnext\r\n');
    writeFileSync(join(repo.dir, 'q7.json'), content);
    repo.git('add', '-A');
    const ids = stagedForms(content, false).map((c) => blobId(c, 'sha1'));
    expect(ids).toContain(staged(repo, 'q7.json'));
    expect(ids[0]).not.toBe(staged(repo, 'q7.json')); // the raw bytes alone would miss it
  });

  it('a Git LFS clean filter: the pointer', () => {
    const repo = TestRepo.init();
    writeFileSync(
      join(repo.dir, '.gitattributes'),
      '*.jsonl filter=lfs diff=lfs merge=lfs -text\n',
    );
    // git-lfs's clean step, as its spec writes the pointer (git-lfs is not installed here).
    repo.git(
      'config',
      'filter.lfs.clean',
      'f=$(mktemp); cat >"$f"; printf "version https://git-lfs.github.com/spec/v1\\noid sha256:%s\\nsize %s\\n" "$(sha256sum <"$f" | cut -c1-64)" "$(wc -c <"$f" | tr -d " ")"; rm -f "$f"',
    );
    const content = Buffer.from('{"q": 1}\n{"q": 2}\n');
    writeFileSync(join(repo.dir, 'set.jsonl'), content);
    repo.git('add', '-A');
    expect(stagedForms(content, true).map((c) => blobId(c, 'sha1'))).toContain(
      staged(repo, 'set.jsonl'),
    );
  });

  it('control: plain LF content outside LFS is one form, the bytes themselves', () => {
    const content = Buffer.from('plain\n');
    expect(stagedForms(content, false)).toEqual([content]);
  });
});
