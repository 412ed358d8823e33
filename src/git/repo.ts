// Where we are: work tree, git dir (per worktree), common dir, object format, the hooks
// directory git really uses (core.hooksPath honoured by `--git-path hooks`).

import { isAbsolute, join, resolve } from 'node:path';
import { CleanroomError } from '../errors.js';
import { GitError, gitText, type GitContext } from './git.js';

export interface Repo {
  /** Top of the work tree; null in a bare repository. */
  readonly root: string | null;
  readonly gitDir: string;
  readonly commonDir: string;
  readonly bare: boolean;
  readonly objectFormat: 'sha1' | 'sha256';
  readonly hooksDir: string;
  /** `$(git rev-parse --git-path cleanroom)`: local state of this worktree (amend note, policy cache). */
  readonly stateDir: string;
  /**
   * `$(git rev-parse --git-common-dir)/cleanroom`: where the ledger lives — one per
   * repository, shared by its linked worktrees, so an agent's draft written in worktree B
   * and copied into worktree A is still the agent's.
   */
  readonly ledgerDir: string;
  readonly zeroId: string;
  readonly emptyTree: string;
  /**
   * With `openRepo(ctx, { head: true })`: `git rev-parse --symbolic-full-name HEAD`, the
   * branch HEAD names when it exists (`refs/heads/main`); undefined when not asked for or
   * not known (detached, unborn, a missing branch, ambiguous: `git symbolic-ref` decides).
   */
  readonly head?: string | undefined;
  /**
   * With `openRepo(ctx, { commits: ids })`: each id → the commit it peels to
   * (`rev-parse <id>^{commit}`); undefined when not asked for or when any could not be.
   */
  readonly commits?: ReadonlyMap<string, string> | undefined;
  /**
   * With `commits`: each peeled commit → its parents, in order (`rev-parse <id>^{commit}^!`
   * prints the commit, then `^<parent>` a line for each: none for a root commit). Present
   * exactly when `commits` is.
   */
  readonly parents?: ReadonlyMap<string, readonly string[]> | undefined;
}

export const EMPTY_TREE = {
  sha1: '4b825dc642cb6eb9a060e54bf8d69288fbee4904',
  sha256: '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321',
} as const;

export const isZeroId = (id: string): boolean => /^(0{40}|0{64})$/.test(id);

/**
 * Where we are. `needRoot: false` (the server, which never reads a work tree): one
 * `rev-parse` without `--show-toplevel`, and `root` is null even in a non-bare repository
 * — the bare server repository then costs one process instead of two.
 *
 * With `needRoot: false`, the server's pre-receive asks two more questions of the same
 * process (issue 14 §3: a git process costs a Node hook ~3 ms of CPU to fork):
 * - `head: true`: `--symbolic-full-name HEAD` (`Repo.head`), which saves a `git
 *   symbolic-ref` when HEAD names an existing branch;
 * - `commits: ids` (full hex object ids): `<id>^{commit}^!` for each (`Repo.commits`: id →
 *   the commit it peels to; `Repo.parents`: that commit → its parents), which saves the
 *   `cat-file --batch-check` of the pushed ids when every one is a commit or a tag of one,
 *   and the `rev-list` of a push of one commit onto the default branch (judgePush).
 * Should git refuse any of them (an id that is missing, or peels to a tree or a blob:
 * rev-parse stops with an error), the plain call is made and both stay undefined: the
 * caller asks its own way, which reports what is wrong.
 */
export async function openRepo(
  ctx: GitContext,
  {
    needRoot = true,
    head = false,
    commits = [],
  }: { needRoot?: boolean; head?: boolean; commits?: readonly string[] } = {},
): Promise<Repo> {
  const ids = commits.filter((id) => /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(id));
  if ((head || ids.length) && !needRoot && ids.length === commits.length) {
    try {
      // --symbolic-full-name applies to every argument after it: HEAD comes last.
      const text = await gitText(ctx, [
        ...REV_PARSE_ARGS,
        ...ids.map((id) => `${id}^{commit}^!`),
        ...(head ? ['--symbolic-full-name', 'HEAD'] : []),
      ]);
      const lines = text.replace(/\n$/, '').split('\n');
      // Per id, the commit it peels to on a line, then `^<parent>` a line per parent (a
      // line of rev-parse's own never starts with `^`); rev-parse exits non-zero when it
      // cannot peel an id. For HEAD it prints none when `HEAD` is ambiguous (a branch of
      // that name exists too: "error: refname 'HEAD' is ambiguous", exit 0): the head is
      // then unknown. Any other shape, and the plain call below decides.
      const hex = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
      const peeled: string[] = [];
      const parents = new Map<string, readonly string[]>();
      let n = 6;
      for (let k = 0; k < ids.length && n < lines.length && hex.test(lines[n]!); k++) {
        const commit = lines[n++]!;
        const of: string[] = [];
        for (; n < lines.length && lines[n]!.startsWith('^'); n++) of.push(lines[n]!.slice(1));
        peeled.push(commit);
        parents.set(commit, of);
      }
      if (
        peeled.length === ids.length &&
        (lines.length === n || (head && lines.length === n + 1)) &&
        [...parents.values()].every((of) => of.every((l) => hex.test(l)))
      ) {
        // rev-parse guesses a ref for a HEAD whose branch does not exist (an unborn default
        // branch, or one a pusher deleted): refs/HEAD, refs/tags/HEAD, refs/heads/HEAD,
        // refs/remotes/HEAD — refs a pusher can create. A name ending in /HEAD is never
        // taken from it: the caller asks `git symbolic-ref`, which reads HEAD itself.
        const named = head ? lines[n] : undefined;
        const repo = repoOf(ctx, lines.slice(0, 6).join('\n'), null, {
          head: named === undefined || /(^|\/)HEAD$/.test(named) ? undefined : named,
          commits: ids.length ? new Map(ids.map((id, i) => [id, peeled[i]!])) : undefined,
          parents: ids.length ? parents : undefined,
        });
        if ([...parents].flat(2).every((l) => l.length === repo.zeroId.length)) return repo;
      }
    } catch {
      // the plain call below reports what is wrong
    }
  }
  const args = REV_PARSE_ARGS;
  let text: string;
  let root: string | null = null;
  try {
    // One process on the hot path (commit-msg); --show-toplevel fails only outside a work tree.
    if (needRoot) {
      text = await gitText(ctx, [...args, '--show-toplevel']);
      const lines = text.replace(/\n$/, '').split('\n');
      root = lines.pop() ?? null;
      text = lines.join('\n');
    } else text = await gitText(ctx, args);
  } catch (e) {
    if (e instanceof GitError && /not a git repository/i.test(e.stderr)) {
      throw new CleanroomError(
        'usage',
        `not a git repository: ${ctx.cwd}`,
        'run cleanroom inside a Git repository (or cd into one)',
      );
    }
    if (!(e instanceof GitError && /work tree/i.test(e.stderr))) throw e;
    text = await gitText(ctx, args); // bare repository, or inside .git
  }
  return repoOf(ctx, text, root, {});
}

const REV_PARSE_ARGS = [
  'rev-parse',
  '--is-bare-repository',
  '--absolute-git-dir',
  '--git-common-dir',
  '--show-object-format',
  '--git-path',
  'hooks',
  '--git-path',
  'cleanroom',
] as const;

/** The Repo of REV_PARSE_ARGS' output (`text`, six lines). */
function repoOf(
  ctx: GitContext,
  text: string,
  root: string | null,
  extra: Pick<Repo, 'head' | 'commits' | 'parents'>,
): Repo {
  const [bareText, gitDir, common, format, hooks, state] = text.replace(/\n$/, '').split('\n');
  if (!gitDir || !common || !format || !hooks || !state)
    throw new CleanroomError(
      'internal',
      `unexpected output from git rev-parse: ${text.slice(0, 200)}`,
    );
  const bare = bareText === 'true';
  // --git-path answers relative to cwd unless absolute.
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(ctx.cwd, p));
  const objectFormat = format === 'sha256' ? 'sha256' : 'sha1';
  return Object.freeze({
    root: bare ? null : root,
    gitDir,
    commonDir: abs(common),
    bare,
    objectFormat,
    hooksDir: abs(hooks),
    stateDir: abs(state),
    ledgerDir: join(abs(common), 'cleanroom'),
    zeroId: '0'.repeat(objectFormat === 'sha256' ? 64 : 40),
    emptyTree: EMPTY_TREE[objectFormat],
    head: extra.head,
    commits: extra.commits,
    parents: extra.parents,
  });
}

/** The work tree root, or a clear error in a bare repository. */
export function workTree(repo: Repo): string {
  if (!repo.root)
    throw new CleanroomError(
      'usage',
      'this command needs a work tree, and this repository is bare',
      'run it in a clone with a work tree',
    );
  return repo.root;
}
