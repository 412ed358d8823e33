// Symbolic refs among the refs a push names. receive-pack updates the ref a symbolic ref
// points at (refs/heads/master -> refs/heads/main, an alias an admin keeps after renaming
// the default branch): a push to the alias moves the branch it names, and is judged as
// that branch (src/server/pre-receive.ts judgePush).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGit, type GitContext } from './git.js';

/** Git's SYMREF_MAXDEPTH (refs.h): a chain longer than this is broken to git too. */
const MAX_DEPTH = 5;

/**
 * For each of `refs` (full ref names, already valid to `git check-ref-format`) that is a
 * symbolic ref: ref → the ref it names at the end of the chain, which may not exist yet
 * (a symbolic ref to an unborn branch), or `''` when the chain cannot be followed (a
 * loop, more than 5 levels, an unreadable ref). Refs that are not symbolic are absent.
 *
 * Git's files backend (gitrepository-layout(5)): a symbolic ref is a loose file under
 * `commonDir` holding `ref: <target>\n` (a ref under refs/, or a root ref such as HEAD);
 * packed-refs never holds one. A target named otherwise is unfollowable (`''`). Read from the files
 * (no process: every push asks); for a repository whose refs are in a reftable
 * (`<commonDir>/reftable`, git ≥ 2.45) or with `viaGit`, from `git for-each-ref
 * --format=%(refname)%00%(symref)`, which does not list a symbolic ref whose target does
 * not exist (docs/server.md "Symbolic refs"). Errors: GitError from git.
 */
export async function symbolicTargets(
  ctx: GitContext,
  commonDir: string,
  refs: readonly string[],
  viaGit = existsSync(join(commonDir, 'reftable')),
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!viaGit) {
    for (const ref of new Set(refs)) {
      const target = followFiles(commonDir, ref);
      if (target !== undefined) out.set(ref, target);
    }
    return out;
  }
  // One for-each-ref per level of the chains (most pushes: one, listing nothing).
  const at = new Map<string, string>(); // each symbolic ref → where its chain has got to
  let ask = [...new Set(refs)];
  for (let depth = 0; ask.length; depth++) {
    if (depth > MAX_DEPTH) {
      for (const [ref, name] of at) if (ask.includes(name)) out.set(ref, '');
      break;
    }
    const r = await runGit(ctx, ['for-each-ref', '--format=%(refname)%00%(symref)', '--', ...ask]);
    const step = new Map<string, string>();
    for (const line of r.stdout.toString('utf8').split('\n')) {
      const nul = line.indexOf('\0');
      if (nul > 0 && nul < line.length - 1 && ask.includes(line.slice(0, nul)))
        step.set(line.slice(0, nul), line.slice(nul + 1));
    }
    if (depth === 0) for (const [ref, target] of step) at.set(ref, target);
    else for (const [ref, name] of at) if (step.has(name)) at.set(ref, step.get(name)!);
    ask = [...new Set(step.values())];
  }
  for (const [ref, name] of at) if (!out.has(ref)) out.set(ref, endOf(name));
  return out;
}

/**
 * A chain's last name, as the ref a push moves: a name under refs/, else `''` (a root
 * ref such as a detached HEAD, or one for-each-ref does not list: not a branch cleanroom
 * can judge the push as).
 */
const endOf = (name: string): string => (name.startsWith('refs/') ? name : '');

/** The files backend's answer for one ref: its final target, '' when broken, undefined when not symbolic. */
function followFiles(commonDir: string, ref: string): string | undefined {
  let at = ref;
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    let text: string;
    try {
      text = readFileSync(join(commonDir, at), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Absent (packed, or a new ref), or a directory (refs/heads/a when a/b exists).
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR')
        return depth === 0 ? undefined : endOf(at);
      return '';
    }
    if (!text.startsWith('ref:')) return depth === 0 ? undefined : endOf(at);
    // A symbolic ref may name a ref under refs/ or a root ref such as HEAD (`git
    // symbolic-ref refs/heads/master HEAD` is allowed): both are followed, as
    // receive-pack follows them. Anything else is a chain git cannot follow either.
    const m = /^ref:[ \t]*(refs\/\S+|[A-Z][A-Z0-9_]*)\s*$/.exec(text);
    if (!m || m[1]!.split('/').some((part) => part === '..' || part === '.' || part === ''))
      return '';
    at = m[1]!;
  }
  return ''; // deeper than git follows
}
