// Messages are read as git reads them (issue 10 §4, issue 11 §4). A commit header
// `encoding X` makes `git log` re-encode the message with iconv; cleanroom must neither
// accuse a person whose message is in a legacy code page nor miss an AI trailer that
// `git log` shows, and one odd commit must not break the audit.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeCommits } from '../../../src/check/range.js';
import { readCommits, type CommitRecord } from '../../../src/git/commits.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import {
  POLICY,
  removeTempDirs,
  repoWithPolicy,
  tempDir,
  type TestRepo,
} from '../../helpers/repo.js';

afterAll(removeTempDirs);

const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** `text` (UTF-8) converted to `enc` by the system's iconv, or undefined when it cannot. */
function encode(text: string, enc: string): Buffer | undefined {
  const r = spawnSync('iconv', ['-f', 'UTF-8', '-t', enc], { input: text });
  return r.status === 0 ? r.stdout : undefined;
}

/** The same with iconv-lite, for names glibc lacks (MacRoman is libiconv's, macOS git's). */
const encodeLib = (text: string, enc: string): Buffer =>
  encode(text, enc) ?? iconv.encode(text, enc);

/** A real `git -c i18n.commitEncoding=ENC commit -F FILE` of evals/tasks/<name>.json. */
function commitIn(repo: TestRepo, enc: string, message: Buffer, name: string): string {
  repo.write(`evals/tasks/${name}.json`, `{"q": "${name}"}\n`);
  repo.git('add', '-A');
  const file = join(tempDir(), 'msg');
  writeFileSync(file, message);
  repo.git(
    '-c',
    `i18n.commitEncoding=${enc}`,
    'commit',
    '-q',
    '--no-verify',
    '--cleanup=verbatim',
    '-F',
    file,
  );
  return repo.head();
}

/** The same, hand-made with hash-object (git commit refuses a message with NUL bytes, as UTF-16 has). */
function handMade(
  repo: TestRepo,
  enc: string,
  message: Buffer,
  name: string,
  author = 'Hana Human',
): string {
  repo.write(`evals/tasks/${name}.json`, `{"q": "${name}"}\n`);
  repo.git('add', '-A');
  const tree = repo.git('write-tree').trim();
  const when = '<hana@example.org> 1700000000 +0000';
  const head = `tree ${tree}\nparent ${repo.head()}\nauthor ${author} ${when}\ncommitter Hana Human ${when}\nencoding ${enc}\n\n`;
  const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin'], {
    cwd: repo.dir,
    input: Buffer.concat([Buffer.from(head), message]),
    encoding: 'utf8',
  }).trim();
  repo.git('update-ref', 'HEAD', id);
  return id;
}

const LEGACY: [string, string][] = [
  ['cp932', 'タスクを追加 (田中)'],
  ['cp936', '添加任务 (张伟)'],
  ['cp949', '작업 추가 (김민준)'],
  ['eucJP', 'タスクを追加 (鈴木)'],
  ['eucKR', '작업 추가 (이서연)'],
  ['SHIFT_JIS', '問題を追加'],
  ['MacRoman', 'Ajouté la tâche (Zoë)'],
  ['latin1', 'Aufgabe hinzugefügt (Jürgen)'],
  ['ISO-8859-15', 'Tâche ajoutée (coût 5 €)'],
  ['windows-1251', 'Добавлена задача'],
];

describe('messages in legacy code pages (issue 10 §4)', () => {
  for (const [enc, subject] of LEGACY) {
    it(`a human commit in ${enc} is not accused; the same with a Claude trailer is caught`, () => {
      const repo = repoWithPolicy({ init: false });
      const human = commitIn(
        repo,
        enc,
        encodeLib(`${subject}\n\nReviewed-by: Hana <hana@example.org>\n`, enc),
        'human',
      );
      const ai = commitIn(repo, enc, encodeLib(`${subject}\n\n${CLAUDE}\n`, enc), 'ai');
      // git itself shows the message decoded (glibc's git knows every name here but MacRoman)
      if (enc !== 'MacRoman')
        expect(repo.git('log', '-1', '--format=%B', human)).toContain(subject.slice(0, 3));
      const h = repo.cleanroom(['check', '--commit', human, '--format', 'json']);
      expect(h.stdout + h.stderr).not.toContain('unknown-ai');
      expect(h.code, h.stdout + h.stderr).toBe(0);
      const a = repo.cleanroom(['check', '--commit', ai, '--format', 'json']);
      expect(a.code).toBe(1);
      expect(a.stdout).toContain('claude-code');
      // the audit agrees
      const audit = repo.cleanroom(['audit', '--format', 'json']);
      expect(audit.code).toBe(1);
      expect(audit.stdout).toContain(ai);
      expect(audit.stdout).not.toContain(human);
    });
  }

  it('an encoding neither git nor cleanroom can read stays fail-closed (unknown-ai); the same bytes in UTF-8 are a human control', () => {
    const repo = repoWithPolicy({ init: false });
    const odd = commitIn(
      repo,
      'x-no-such-charset',
      Buffer.from('Ajout\xe9 une t\xe2che\n', 'latin1'),
      'odd',
    );
    const r = repo.cleanroom(['check', '--commit', odd, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('unknown-ai');
    expect(r.stdout).toContain('x-no-such-charset');
    const plain = commitIn(repo, 'UTF-8', Buffer.from('Ajouté une tâche\n'), 'plain');
    expect(repo.cleanroom(['check', '--commit', plain]).code).toBe(0);
  });

  it('a Claude trailer hidden in a UTF-16 message (git shows junk) is still seen; a human UTF-16 commit is not accused', () => {
    const repo = repoWithPolicy({ init: false });
    const ai = handMade(repo, 'UTF-16', encode(`Add task\n\n${CLAUDE}\n`, 'UTF-16')!, 'ai16');
    const human = handMade(repo, 'UTF-16', encode('Add task by hand\n', 'UTF-16')!, 'human16');
    expect(repo.cleanroom(['check', '--commit', ai]).code).toBe(1);
    expect(repo.cleanroom(['check', '--commit', human]).code).toBe(0);
  });
});

describe('one odd commit does not break the audit (issue 11 §4)', () => {
  it('a commit with `encoding utf-16` in history: audit answers in every format, --all included', () => {
    const repo = repoWithPolicy({ init: false });
    // Both parities of the object's length (a UTF-16 message without BOM): git's
    // whole-object iconv then fails (shows the stored bytes) or succeeds into junk
    // without a committer line, so `git log --format=%ct` printed nothing (the old crash).
    for (const name of ['Al', 'Ali'])
      handMade(repo, 'utf-16', encode('Add a task by hand\n', 'UTF-16LE')!, `u16-${name}`, name);
    expect(repo.git('log', '--format=[%ct]', '-2')).toContain('[]'); // git itself loses one's date
    const ai = commitIn(repo, 'UTF-8', Buffer.from(`AI task\n\n${CLAUDE}\n`), 'ai');
    for (const args of [[], ['--all']]) {
      for (const format of ['text', 'json', 'sarif', 'html']) {
        const r = repo.cleanroom(['audit', '--format', format, ...args]);
        expect(r.code, `${format} ${args.join(' ')}: ${r.stderr}`).toBe(1);
        if (format === 'json') expect(r.stdout).toContain(ai);
      }
    }
    // control: without the AI commit on top, the audit is clean
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    expect(repo.cleanroom(['audit', '--all']).code).toBe(0);
  });
});

describe('property: cleanroom reads every message as `git log` shows it', () => {
  // Hundreds of encodings, several git and cleanroom runs each: ~17 s alone, past the 120 s
  // default with test files in parallel on a loaded machine. A budget far above the load.
  it('for every encoding name the system iconv knows, a human commit is not accused and an AI one is caught', async () => {
    const repo = repoWithPolicy({ init: false });
    const tree = (() => {
      repo.write('evals/tasks/p.json', '{}\n');
      repo.git('add', '-A');
      return repo.git('write-tree').trim();
    })();
    const parent = repo.head();
    const names = execFileSync('iconv', ['-l'], { encoding: 'utf8' })
      .split(/[,\s]+/)
      .map((n) => n.replace(/\/+$/, ''))
      .filter(Boolean);
    expect(names.length).toBeGreaterThan(100);
    const dir = tempDir();
    mkdirSync(join(dir, 'objs'));
    const made: { enc: string; kind: 'human' | 'ai'; file: string }[] = [];
    for (const enc of names) {
      for (const kind of ['human', 'ai'] as const) {
        const tail = kind === 'ai' ? CLAUDE : 'Reviewed-by: Hana <hana@example.org>';
        const msg =
          encode(`Tâche über café\n\n${tail}\n`, enc) ?? encode(`Plain task\n\n${tail}\n`, enc);
        if (!msg) continue;
        const head = `tree ${tree}\nparent ${parent}\nauthor Hana <hana@example.org> 1700000000 +0000\ncommitter Hana <hana@example.org> 1700000000 +0000\nencoding ${enc}\n\n`;
        const file = join(dir, 'objs', String(made.length));
        writeFileSync(file, Buffer.concat([Buffer.from(head), msg]));
        made.push({ enc, kind, file });
      }
    }
    const ids = execFileSync(
      'git',
      ['hash-object', '-t', 'commit', '-w', '--literally', '--stdin-paths'],
      { cwd: repo.dir, input: made.map((m) => m.file).join('\n') + '\n', encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    expect(ids).toHaveLength(made.length);
    // What git log shows, one record per commit (a message never holds a NUL: git stops there).
    const shown = execFileSync(
      'git',
      ['log', '-z', '--no-walk=unsorted', '--stdin', '--encoding=UTF-8', '--format=%H%n%B'],
      { cwd: repo.dir, input: ids.join('\n') + '\n', maxBuffer: 1 << 26 },
    )
      .toString('utf8')
      .split('\0')
      .filter(Boolean);
    const byId = new Map(
      shown.map((s) => [s.slice(0, s.indexOf('\n')), s.slice(s.indexOf('\n') + 1)]),
    );
    const ctx = { cwd: repo.dir, env: repo.env };
    const records = new Map<string, CommitRecord>();
    for await (const c of readCommits(ctx, ids)) records.set(c.id, c);
    const policy = loadPolicyText(POLICY, 'policy.yaml');
    const trust = { approvers: undefined, reviewers: undefined };
    const findings = new Map<string, string[]>();
    for await (const j of judgeCommits(ctx, policy, trust, ids, new Date()))
      findings.set(
        j.record.id,
        j.findings.map((f) => f.tool),
      );
    const wrong: string[] = [];
    made.forEach((m, i) => {
      const id = ids[i]!;
      const rec = records.get(id)!;
      const gitShows = byId.get(id)!;
      // The grant reader sees exactly what git log shows, and the restricting reader at least
      // that; except for a message holding NUL bytes (UTF-16, UCS-4): git converts a C
      // string and shows junk, and cleanroom reads the library's decoding or fails closed.
      const stored = readFileSync(m.file);
      const wide = stored.subarray(stored.indexOf('\n\n') + 2).includes(0);
      if (!wide && rec.message.trimEnd() !== gitShows.trimEnd())
        wrong.push(`${m.enc} ${m.kind}: message differs from git log`);
      if (!wide && !(rec.signalMessage ?? rec.message).includes(gitShows.trimEnd()))
        wrong.push(`${m.enc} ${m.kind}: restricting view lacks git's`);
      const tools = findings.get(id) ?? [];
      if (m.kind === 'ai' && !tools.length) wrong.push(`${m.enc}: AI commit not caught`);
      if (m.kind === 'human' && tools.length && !rec.undecodable)
        wrong.push(`${m.enc}: human commit accused (${tools.join(',')})`);
      // Fail-closed only where git itself kept the stored bytes (it could not convert), or
      // showed junk (a wide message) that the library cannot decode either.
      if (
        rec.undecodable &&
        !wide &&
        gitShows.trimEnd() !==
          stored
            .subarray(stored.indexOf('\n\n') + 2)
            .toString('utf8')
            .trimEnd()
      ) {
        wrong.push(`${m.enc}: fail-closed although git converted it`);
      }
    });
    expect(wrong).toEqual([]);
    const closed = [
      ...new Set(made.filter((_, i) => records.get(ids[i]!)!.undecodable).map((m) => m.enc)),
    ];
    expect(closed.length).toBeLessThan(names.length / 5);
  }, 600_000);
});
