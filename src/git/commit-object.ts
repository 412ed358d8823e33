// A raw commit object as `git cat-file --batch` returns it:
//
//   tree 16a9d1e6…
//   parent 48d4943…
//   parent fd36189…
//   author Jane Doe <jane@example.com> 1795487531 +0000
//   committer Jane Doe <jane@example.com> 1795487531 +0000
//   gpgsig -----BEGIN SSH SIGNATURE-----
//    U1NIU0lH…                      (continuation lines start with a space)
//
//   Subject line
//
//   Body…
//
// Read from the object, not from `git log --format`, so a hostile message cannot
// inject fields into a NUL-separated stream.

import type { Identity } from '../core/types.js';

export interface CommitObject {
  tree: string;
  parents: string[];
  author: Identity | undefined;
  committer: Identity | undefined;
  /** Seconds since the epoch, from the author line. */
  authorTime: number;
  committerTime: number;
  message: string;
}

const IDENT = /^(.*?) ?<([^<>]*)> (\d+) ([+-]\d{4})$/;

export function parseIdentLine(value: string): { id: Identity; time: number } | undefined {
  const m = IDENT.exec(value);
  if (!m) return undefined;
  return { id: { name: m[1]!.trim(), email: m[2]!.trim() }, time: Number(m[3]) };
}

export function parseCommitObject(body: Buffer): CommitObject {
  const text = body.toString('utf8');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  const out: CommitObject = { tree: '', parents: [], author: undefined, committer: undefined, authorTime: 0, committerTime: 0, message };
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const value = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'tree') out.tree = value;
    else if (key === 'parent') out.parents.push(value);
    else if (key === 'author' && !out.author) {
      const p = parseIdentLine(value);
      if (p) [out.author, out.authorTime] = [p.id, p.time];
    } else if (key === 'committer' && !out.committer) {
      const p = parseIdentLine(value);
      if (p) [out.committer, out.committerTime] = [p.id, p.time];
    }
  }
  return out;
}
