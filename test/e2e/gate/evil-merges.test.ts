// Evil merges (docs/signals.md, "What a merge wrote"): a merge commit whose result holds
// content that is in none of its parents wrote that content, as a commit does. An
// AI-attributed merge that writes a file outside every zone, later moved into a zone by a
// human commit, is AI content in the zone: the provenance walk (`git log --find-object`)
// must see the merge's own entries, as `git log --diff-merges=combined` defines them —
// and only them: content the merge took unchanged from one parent stays its writer's.
// Each attack beside its human control, at every point that judges it.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, type Run, type TestRepo } from '../../helpers/repo.js';
import { CLAUDE, protectedServer, serverRef, type Server } from '../../helpers/server.js';
import { contaminated } from './world.js';

afterAll(removeTempDirs);

const T = { timeout: 180_000 };
const DRAFT = 'drafts/q.json';
const TASK = 'evals/tasks/q.json';

const commit = (work: TestRepo, message: string, ai: boolean): void => {
  work.git('add', '-A');
  work.git('commit', '-q', '--no-verify', '-m', message, ...(ai ? ['-m', CLAUDE] : []));
};

const write = (work: TestRepo, files: Record<string, string>): void => {
  for (const [p, c] of Object.entries(files)) work.write(p, c);
};

/** A human commit on a new branch `name` from `from`; back on main afterwards. */
const branch = (
  work: TestRepo,
  name: string,
  from: string,
  files: Record<string, string>,
): void => {
  work.git('checkout', '-q', '-b', name, from);
  write(work, files);
  commit(work, `work on ${name}`, false);
  work.git('checkout', '-q', 'main');
};

/**
 * `git merge --no-ff --no-commit BRANCHES` on the current branch (conflicts left for
 * `files` to resolve), then `files` written into the result and the merge committed —
 * by an agent when `ai`.
 */
const merge = (
  work: TestRepo,
  branches: string[],
  ai: boolean,
  files: Record<string, string> = {},
): string => {
  work.tryGit(['merge', '-q', '--no-ff', '--no-commit', ...branches]);
  write(work, files);
  commit(work, `Merge ${branches.join(', ')}`, ai);
  return work.head();
};

interface Points {
  s: Server;
  commitMsg: Run | undefined;
  prePush: Run;
  preReceive: Run;
  range: Run;
  audit: Run;
  /** check --range of the commits after `mid` only (the merge already on the server). */
  laterRange?: Run;
}

/**
 * Builds the history with `build` (on main, hooks off), then, with `rename`, the human
 * `git mv` of the draft into the zone as a real `git commit` (hooks on: commit-msg),
 * and judges at every point. `midPush`: the history `build` made is pushed first (it is
 * all outside the zone: accepted), and only the rename is pushed later.
 */
function everywhere(
  build: (work: TestRepo) => void,
  opts: { rename?: boolean; midPush?: boolean; config?: Record<string, string> } = {},
): Points {
  const s = protectedServer();
  const { work } = s;
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    work.git('config', k, v);
    s.server.git('config', k, v);
  }
  expect(work.cleanroom(['init', '--hooks', 'git']).code).toBe(0);
  work.git('remote', 'set-head', 'origin', 'main');
  const base = work.head();
  build(work);
  let mid: string | undefined;
  if (opts.midPush === true) {
    mid = work.head();
    const first = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(first.code, `the history outside the zone: ${first.stderr}`).toBe(0);
  }
  let commitMsg: Run | undefined;
  if (opts.rename !== false) {
    mkdirSync(dirname(join(work.dir, TASK)), { recursive: true });
    work.git('mv', DRAFT, TASK);
    commitMsg = work.tryGit(['commit', '-q', '-m', 'promote the draft']);
    if (commitMsg.code !== 0) work.git('commit', '-q', '--no-verify', '-m', 'promote the draft');
  }
  const tip = work.head();
  const from = mid ?? base;
  const prePush = work.cleanroom(['hook', 'pre-push', 'origin', s.server.dir], {
    input: `refs/heads/main ${tip} refs/heads/main ${from}\n`,
  });
  const preReceive = work.tryGit(['push', '--no-verify', 'origin', 'main']);
  const range = work.cleanroom(['check', '--range', `${base}..HEAD`, '--format', 'json']);
  const audit = work.cleanroom(['audit', '--format', 'json']);
  const p: Points = { s, commitMsg, prePush, preReceive, range, audit };
  if (mid !== undefined)
    p.laterRange = work.cleanroom(['check', '--range', `${mid}..HEAD`, '--format', 'json']);
  if (preReceive.code === 0) expect(serverRef(s, 'main')).toBe(tip);
  return p;
}

const violated = (r: Run): string[] =>
  (JSON.parse(r.stdout) as { violations: { path: string }[] }).violations.map((v) => v.path);

function expectRejected(p: Points, path = TASK): void {
  if (p.commitMsg) {
    expect(p.commitMsg.code, 'commit-msg').not.toBe(0);
    expect(p.commitMsg.stderr + p.commitMsg.stdout, 'commit-msg').toContain(path);
  }
  expect(p.prePush.code, `pre-push: ${p.prePush.stderr}`).toBe(1);
  expect(p.prePush.stderr, 'pre-push').toContain(path);
  expect(p.preReceive.code, 'pre-receive').not.toBe(0);
  expect(p.preReceive.stderr, 'pre-receive').toContain(path);
  expect(p.range.code, `check --range: ${p.range.stderr}`).toBe(1);
  expect(violated(p.range), 'check --range').toContain(path);
  if (p.laterRange) {
    expect(p.laterRange.code, `check --range (rename only): ${p.laterRange.stderr}`).toBe(1);
    expect(violated(p.laterRange), 'check --range (rename only)').toContain(path);
  }
  expect(p.audit.code, `audit: ${p.audit.stderr}`).toBe(1);
  expect(contaminated(p.audit), 'audit').toContain(path);
}

function expectAccepted(p: Points): void {
  if (p.commitMsg) expect(p.commitMsg.code, `commit-msg: ${p.commitMsg.stderr}`).toBe(0);
  expect(p.prePush.code, `pre-push: ${p.prePush.stderr}`).toBe(0);
  expect(p.preReceive.code, `pre-receive: ${p.preReceive.stderr}`).toBe(0);
  expect(p.range.code, `check --range: ${p.range.stdout}${p.range.stderr}`).toBe(0);
  if (p.laterRange) expect(p.laterRange.code, `check --range: ${p.laterRange.stderr}`).toBe(0);
  expect(p.audit.code, `audit: ${p.audit.stdout}`).toBe(0);
}

/** main gets a commit of its own, so every merge below is a real two-parent merge. */
const diverge = (work: TestRepo): string => {
  const fork = work.head();
  write(work, { 'NOTES.md': 'notes\n' });
  commit(work, 'notes', false);
  return fork;
};

const EVIL = '{"q": "What is 17 * 23?", "a": 391}\n';

describe('an evil merge: content in neither parent, written by the merge itself', () => {
  const evilThenRename = (ai: boolean) => (work: TestRepo) => {
    branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
    merge(work, ['side'], ai, { [DRAFT]: EVIL });
  };

  it('attack: an AI merge writes a draft outside every zone; a human moves it in', T, () => {
    expectRejected(everywhere(evilThenRename(true)));
  });

  it('human control: the same merge by a human, the same move', T, () => {
    expectAccepted(everywhere(evilThenRename(false)));
  });

  it('attack: the merge is already on the server; only the rename is pushed', T, () => {
    expectRejected(everywhere(evilThenRename(true), { midPush: true }));
  });

  it('human control: the same two pushes with a human merge', T, () => {
    expectAccepted(everywhere(evilThenRename(false), { midPush: true }));
  });

  it('attack: a move with edits (within the rename threshold) after the AI merge', T, () => {
    const long = Array.from({ length: 20 }, (_, i) => `{"q": ${i}, "a": ${i * 7}}`).join('\n');
    const p = everywhere(
      (work) => {
        branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
        merge(work, ['side'], true, { [DRAFT]: long + '\n' });
        mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
        work.git('mv', DRAFT, TASK);
        work.write(TASK, long + '\n{"q": 99, "a": 0}\n');
        work.git('add', '-A');
        work.git('commit', '-q', '--no-verify', '-m', 'promote, with one more question');
      },
      { rename: false },
    );
    expectRejected(p);
  });

  const evilIntoZone = (ai: boolean) => (work: TestRepo) => {
    branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
    merge(work, ['side'], ai, { [TASK]: EVIL });
  };

  it('attack: an AI merge writes straight into the zone', T, () => {
    expectRejected(everywhere(evilIntoZone(true), { rename: false }));
  });

  it('human control: a human merge that writes into the zone', T, () => {
    expectAccepted(everywhere(evilIntoZone(false), { rename: false }));
  });
});

describe('what a merge takes from a parent stays its writer’s', () => {
  const sideDraft = (sideAi: boolean, mergeAi: boolean) => (work: TestRepo) => {
    const fork = diverge(work);
    work.git('checkout', '-q', '-b', 'side', fork);
    write(work, { [DRAFT]: EVIL });
    commit(work, 'a draft on the side', sideAi);
    work.git('checkout', '-q', 'main');
    merge(work, ['side'], mergeAi);
  };

  it('control: an AI merge of a human draft; a human moves the draft in', T, () => {
    expectAccepted(everywhere(sideDraft(false, true)));
  });

  it('attack: a human merge of an AI draft; a human moves the draft in', T, () => {
    expectRejected(everywhere(sideDraft(true, false)));
  });
});

describe('a merge that resolves a conflict', () => {
  const conflict = (ai: boolean, path: string) => (work: TestRepo) => {
    write(work, { [path]: '{"q": 1}\n' });
    commit(work, 'a question', false);
    const fork = work.head();
    branch(work, 'side', fork, { [path]: '{"q": 2}\n' });
    write(work, { [path]: '{"q": 3}\n' });
    commit(work, 'another answer', false);
    merge(work, ['side'], ai, {
      [path]: '{"q": 2}\n{"q": 3}\n{"q": 4, "new": "from the resolver"}\n',
    });
  };

  it('attack: an AI resolution with new lines, moved into the zone by a human', T, () => {
    expectRejected(everywhere(conflict(true, DRAFT)));
  });

  it('human control: a human resolution, the same move', T, () => {
    expectAccepted(everywhere(conflict(false, DRAFT)));
  });

  it('attack: an AI resolution of a conflict inside the zone', T, () => {
    expectRejected(everywhere(conflict(true, TASK), { rename: false }));
  });

  it('human control: a human resolution inside the zone', T, () => {
    expectAccepted(everywhere(conflict(false, TASK), { rename: false }));
  });
});

describe('merge shapes: octopus, and the first parent on the side branch', () => {
  const octopus = (ai: boolean) => (work: TestRepo) => {
    const fork = diverge(work);
    branch(work, 'a', fork, { 'src/a.ts': 'a\n' });
    branch(work, 'b', fork, { 'src/b.ts': 'b\n' });
    const m = merge(work, ['a', 'b'], ai, { [DRAFT]: EVIL });
    expect(work.git('rev-list', '--parents', '-n1', m).trim().split(' ')).toHaveLength(4);
  };

  it('attack: an AI octopus merge writes the draft; a human moves it in', T, () => {
    expectRejected(everywhere(octopus(true)));
  });

  it('human control: a human octopus merge, the same move', T, () => {
    expectAccepted(everywhere(octopus(false)));
  });

  const sideFirst = (ai: boolean) => (work: TestRepo) => {
    const fork = diverge(work);
    work.git('checkout', '-q', '-b', 'side', fork);
    write(work, { 'src/side.ts': 'side\n' });
    commit(work, 'side work', false);
    // The merge is made on the side branch: its first parent is the side, main its second.
    merge(work, ['main'], ai, { [DRAFT]: EVIL });
    work.git('checkout', '-q', 'main');
    work.git('merge', '-q', '--ff-only', 'side');
  };

  it('attack: an AI merge whose first parent is the side branch', T, () => {
    expectRejected(everywhere(sideFirst(true)));
  });

  it('human control: the same shape, merged by a human', T, () => {
    expectAccepted(everywhere(sideFirst(false)));
  });
});

describe('repository configuration does not change what a merge wrote', () => {
  // Settings a hostile repository (or CI runner) may carry that change `git log`'s
  // treatment of merges and diffs; the git door pins what it must.
  const HOSTILE = {
    'log.diffMerges': 'first-parent',
    'log.showRoot': 'false',
    'diff.renames': 'false',
    'log.follow': 'true',
    'core.abbrev': '7',
  };
  const evil = (ai: boolean) => (work: TestRepo) => {
    branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
    merge(work, ['side'], ai, { [DRAFT]: EVIL });
  };

  it('attack: the evil merge and the rename, under hostile log settings', T, () => {
    expectRejected(everywhere(evil(true), { config: HOSTILE, midPush: true }));
  });

  it('human control: a human merge under the same settings', T, () => {
    expectAccepted(everywhere(evil(false), { config: HOSTILE, midPush: true }));
  });
});

describe('a merge that keeps one line’s version of a file: the kept line’s writer counts', () => {
  // Both lines write the draft, one of them an agent; the merge keeps one version (`-s
  // ours`, or the other side's file). The audit's walk is one line through the history,
  // so the writer it last saw may be on the line whose version was dropped.
  const kept = (aiLine: 'main' | 'side', keep: 'ours' | 'theirs') => (work: TestRepo) => {
    const fork = work.head();
    write(work, { [DRAFT]: '{"line": "main"}\n' });
    commit(work, 'main’s draft', aiLine === 'main');
    work.git('checkout', '-q', '-b', 'side', fork);
    write(work, { [DRAFT]: '{"line": "side"}\n' });
    commit(work, 'side’s draft', aiLine === 'side');
    work.git('checkout', '-q', 'main');
    work.git('merge', '-q', '--no-ff', '--no-commit', '-s', 'ours', 'side');
    if (keep === 'theirs') work.git('checkout', 'side', '--', DRAFT);
    commit(work, 'Merge side', false);
  };

  it('attack: the agent’s version (main) is kept, and moved into the zone', T, () => {
    expectRejected(everywhere(kept('main', 'ours')));
  });

  it('human control: the human’s version (side) is kept over the agent’s', T, () => {
    expectAccepted(everywhere(kept('main', 'theirs')));
  });

  it('attack: the agent’s version (side) is kept, and moved into the zone', T, () => {
    expectRejected(everywhere(kept('side', 'theirs')));
  });

  it('human control: the human’s version (main) is kept over the agent’s', T, () => {
    expectAccepted(everywhere(kept('side', 'ours')));
  });
});

describe('a whole new history in one push (answered from the push’s own diffs)', () => {
  const orphan = (ai: boolean): { push: Run; s: Server } => {
    const s = protectedServer();
    const { work } = s;
    work.git('checkout', '-q', '--orphan', 'fresh');
    work.git('rm', '-q', '-r', '-f', '.');
    write(work, { 'src/root.ts': 'root\n' });
    commit(work, 'root', false);
    const root = work.head();
    work.git('checkout', '-q', '-b', 'fresh-side', root);
    write(work, { 'src/side.ts': 'side\n' });
    commit(work, 'side', false);
    work.git('checkout', '-q', 'fresh');
    write(work, { 'NOTES.md': 'n\n' });
    commit(work, 'notes', false);
    merge(work, ['fresh-side'], ai, { [DRAFT]: EVIL });
    mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
    work.git('mv', DRAFT, TASK);
    commit(work, 'promote the draft', false);
    return { push: work.tryGit(['push', '--no-verify', 'origin', 'HEAD:refs/heads/fresh']), s };
  };

  it('attack: root, an AI evil merge and the human rename, pushed as a new branch', T, () => {
    const r = orphan(true);
    expect(r.push.code, 'pre-receive').not.toBe(0);
    expect(r.push.stderr).toContain(TASK);
  });

  it('human control: the same new history with a human merge', T, () => {
    const r = orphan(false);
    expect(r.push.code, r.push.stderr).toBe(0);
  });
});

describe('several renames in one push (one merged walk for the batch)', () => {
  const two = (ai: boolean): Run => {
    const s = protectedServer();
    const { work } = s;
    branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
    merge(work, ['side'], ai, { [DRAFT]: EVIL, 'drafts/r.json': '{"r": 2}\n' });
    const first = work.tryGit(['push', '--no-verify', 'origin', 'main']);
    expect(first.code, first.stderr).toBe(0);
    mkdirSync(join(work.dir, 'evals/tasks'), { recursive: true });
    for (const [from, to] of [
      [DRAFT, TASK],
      ['drafts/r.json', 'evals/tasks/r.json'],
    ] as const) {
      work.git('mv', from, to);
      commit(work, `promote ${from}`, false);
    }
    return work.tryGit(['push', '--no-verify', 'origin', 'main']);
  };

  it('attack: two human renames of what an AI merge wrote, pushed together', T, () => {
    const r = two(true);
    expect(r.code, 'pre-receive').not.toBe(0);
    expect(r.stderr).toContain(TASK);
    expect(r.stderr).toContain('evals/tasks/r.json');
  });

  it('human control: the same with a human merge', T, () => {
    const r = two(false);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('review round: AI content moved by merges before the human rename', () => {
  // A human merge that moves the agent's draft to a new path while merging (the result's
  // path is in neither parent): the merge "wrote" it there too, but the blob stays the
  // agent's, as for a plain human `git mv`.
  const movedInMerge = (sideAi: boolean) => (work: TestRepo) => {
    const fork = diverge(work);
    work.git('checkout', '-q', '-b', 'side', fork);
    write(work, { 'drafts/first.json': EVIL });
    commit(work, 'a draft on the side', sideAi);
    work.git('checkout', '-q', 'main');
    work.tryGit(['merge', '-q', '--no-ff', '--no-commit', 'side']);
    work.git('mv', 'drafts/first.json', DRAFT);
    commit(work, 'Merge side', false);
  };

  it('attack: a human merge moves an AI draft to a new path; a human moves it in', T, () => {
    expectRejected(everywhere(movedInMerge(true), { midPush: true }));
  });

  it('human control: the same with a human draft', T, () => {
    expectAccepted(everywhere(movedInMerge(false), { midPush: true }));
  });

  // Criss-cross: an AI evil merge on one branch, a human merge the other way, then a
  // human merge of both into main that takes the evil content unchanged (not listed).
  const crissCross = (ai: boolean) => (work: TestRepo) => {
    const fork = diverge(work);
    branch(work, 'x', fork, { 'src/x.ts': 'x\n' });
    branch(work, 'y', fork, { 'src/y.ts': 'y\n' });
    const y1 = work.git('rev-parse', 'y').trim();
    const x1 = work.git('rev-parse', 'x').trim();
    work.git('checkout', '-q', 'x');
    merge(work, [y1], ai, { [DRAFT]: EVIL });
    work.git('checkout', '-q', 'y');
    merge(work, [x1], false);
    work.git('checkout', '-q', 'main');
    merge(work, ['x', 'y'], false);
  };

  // A revert brings the merge's content back: a human deletes the draft the AI merge
  // wrote, then reverts the deletion; the restored blob is still the merge's.
  const revertBack = (ai: boolean) => (work: TestRepo) => {
    branch(work, 'side', diverge(work), { 'src/side.ts': 'side\n' });
    merge(work, ['side'], ai, { [DRAFT]: EVIL });
    work.git('rm', '-q', DRAFT);
    work.git('commit', '-q', '--no-verify', '-m', 'drop the draft');
    work.git('revert', '--no-edit', 'HEAD');
  };

  it('attack: an AI merge’s draft deleted and restored by a human revert, then moved in', T, () => {
    expectRejected(everywhere(revertBack(true), { midPush: true }));
  });

  it('human control: the same with a human merge', T, () => {
    expectAccepted(everywhere(revertBack(false), { midPush: true }));
  });

  // The same without a merge: an agent's commit writes the draft.
  const revertPlain = (ai: boolean) => (work: TestRepo) => {
    write(work, { [DRAFT]: EVIL });
    commit(work, 'a draft', ai);
    work.git('rm', '-q', DRAFT);
    work.git('commit', '-q', '--no-verify', '-m', 'drop the draft');
    work.git('revert', '--no-edit', 'HEAD');
  };

  it(
    'attack: an AI commit’s draft deleted and restored by a human revert, then moved in',
    T,
    () => {
      expectRejected(everywhere(revertPlain(true), { midPush: true }));
    },
  );

  it('human control: the same with a human draft', T, () => {
    expectAccepted(everywhere(revertPlain(false), { midPush: true }));
  });

  it('attack: criss-cross merges carry an AI evil merge’s draft; a human moves it in', T, () => {
    expectRejected(everywhere(crissCross(true)));
  });

  it('human control: the same criss-cross with a human merge', T, () => {
    expectAccepted(everywhere(crissCross(false)));
  });
});
