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
  /** Author/committer lines after the first (a hand-made object; git may show either). */
  others: Identity[];
  /** The `encoding` header when the message is in one cleanroom cannot decode. */
  undecodable?: string;
}

/**
 * `Name <email> 1700000000 +0000`, read as git's split_ident_line reads it: the email is
 * between the first `<` and the next `>`, the date follows the last `>`. Tolerant on
 * purpose: a hand-made commit whose author line git still displays as
 * "Claude <noreply@anthropic.com>" (no date, junk after the zone) must not lose its author.
 */
export function parseIdentLine(value: string): { id: Identity; time: number } | undefined {
  const lt = value.indexOf('<');
  const gt = lt < 0 ? -1 : value.indexOf('>', lt + 1);
  if (gt < 0) return undefined;
  const date = /^> *(\d+)/.exec(value.slice(value.lastIndexOf('>')));
  return { id: { name: value.slice(0, lt).trim(), email: value.slice(lt + 1, gt).trim() }, time: date ? Number(date[1]) : 0 };
}

export function parseCommitObject(body: Buffer): CommitObject {
  const split = body.indexOf('\n\n');
  const head = (split < 0 ? body : body.subarray(0, split)).toString('utf8');
  const raw = split < 0 ? Buffer.alloc(0) : body.subarray(split + 2);
  const out: CommitObject = { tree: '', parents: [], author: undefined, committer: undefined, authorTime: 0, committerTime: 0, message: '', others: [] };
  let encoding: string | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const value = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'tree') out.tree = value;
    else if (key === 'parent') out.parents.push(value);
    else if (key === 'encoding') encoding = value.trim();
    else if (key === 'author' || key === 'committer') {
      const p = parseIdentLine(value);
      if (!p) continue;
      if (key === 'author' && !out.author) [out.author, out.authorTime] = [p.id, p.time];
      else if (key === 'committer' && !out.committer) [out.committer, out.committerTime] = [p.id, p.time];
      else out.others.push(p.id);
    }
  }
  out.message = raw.toString('utf8');
  // git log re-encodes a message declared in another encoding; so must we, or a trailer
  // written in, say, EBCDIC is shown to people and invisible to cleanroom.
  if (encoding && !/^utf-?8$/i.test(encoding)) {
    try {
      out.message = new TextDecoder(encoding).decode(raw);
    } catch {
      out.undecodable = encoding;
    }
  }
  return out;
}
