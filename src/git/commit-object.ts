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

import { createRequire } from 'node:module';
import type * as IconvLite from 'iconv-lite';
import type { Identity } from '../core/types.js';

// iconv-lite's code-page tables are most of its size: loaded only for a commit that
// declares a foreign encoding, from the side bundle dist/iconv-lite.cjs (build.mjs) or,
// running from source, from node_modules. The commit hooks never pay for parsing them.
// A server that was given dist/cleanroom.cjs alone reads such messages through git only
// (and fails closed where git cannot convert), rather than crashing.
let iconvLib: typeof IconvLite | null | undefined;
function iconv(): typeof IconvLite | null {
  if (iconvLib !== undefined) return iconvLib;
  const req = createRequire(import.meta.url);
  for (const id of ['./iconv-lite.cjs', 'iconv-lite']) {
    try {
      return (iconvLib = req(id) as typeof IconvLite);
    } catch {
      // try the next place
    }
  }
  return (iconvLib = null);
}

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
  /**
   * The `encoding` header, when it names anything git re-encodes (not UTF-8 by git's
   * is_encoding_utf8). `message` is then what `git log` shows only after `withGitView`.
   */
  encoding?: string;
  /** The message bytes as stored (kept only when `encoding` is set). */
  rawMessage?: Buffer;
  /**
   * Where restricting signals are read, when it differs from `message`: every view of the
   * message anyone may be shown (git's, the library's decoding, the raw bytes), joined.
   */
  signalMessage?: string;
  /** The `encoding` header when neither git nor cleanroom can decode the message. */
  undecodable?: string;
}

/** git's is_encoding_utf8 (utf8.c): these names are never re-encoded, the bytes are shown as they are. */
export const isUtf8Name = (name: string): boolean => /^utf-?8$/i.test(name);

/**
 * The name as git hands it to iconv_open, after git's fallback_encoding (utf8.c): a
 * "utf8"-like name becomes UTF-8, "latin-1" ISO-8859-1. iconv-lite then normalises it
 * as iconv does (case and punctuation ignored: eucJP = EUC-JP, cp932 = CP932).
 */
export function iconvName(name: string): string {
  if (/^utf-?8$/i.test(name)) return 'UTF-8';
  if (/^latin-1$/i.test(name)) return 'ISO-8859-1';
  return name;
}

/**
 * `raw` decoded from the encoding `name` by iconv-lite, or undefined when the library
 * does not know the name (EBCDIC and stateful ISO-2022 code pages, among others).
 * Lenient: bytes invalid in the encoding become U+FFFD; used only to *see more*
 * (restricting signals), never to grant.
 */
export function libraryDecode(name: string, raw: Buffer): string | undefined {
  const n = iconvName(name);
  const lib = iconv();
  if (!lib?.encodingExists(n)) return undefined;
  try {
    return lib.decode(raw, n);
  } catch {
    return undefined;
  }
}

/** What git shows for one commit (`git log --encoding=UTF-8 --pretty=raw`), see commits.ts. */
export interface GitShown {
  /** False when git kept the message as stored (it could not convert it). */
  converted: boolean;
  message: string;
  identities: Identity[];
}

/**
 * Makes a commit with an `encoding` header read as `git log` reads it. git re-encodes the
 * whole object with iconv (glibc's aliases: cp932, eucJP, latin1, …); when iconv fails it
 * shows the stored bytes. Grants are read from exactly that (`message`). Restricting
 * signals are read from every view anyone may be shown: git's, the library's decoding of
 * the stored message (a libiconv git on macOS knows MacRoman, glibc's does not; a
 * UTF-16 message is shown as junk by git and as text by other tools), and the raw bytes.
 * Fail closed only when neither git nor the library can read the message.
 */
export function withGitView(obj: CommitObject, shown: GitShown | undefined): CommitObject {
  if (obj.encoding === undefined) return obj;
  const raw = obj.rawMessage ?? Buffer.alloc(0);
  const lib = libraryDecode(obj.encoding, raw);
  const views = [shown?.message, lib, raw.toString('utf8')].filter(
    (v): v is string => v !== undefined,
  );
  const out: CommitObject = {
    ...obj,
    message: shown?.message ?? raw.toString('utf8'),
    signalMessage: [...new Set(views)].join('\n'),
  };
  const same = (a: Identity, b: Identity | undefined): boolean =>
    b !== undefined && a.name === b.name && a.email === b.email;
  const extra = (shown?.identities ?? []).filter(
    (i) => !same(i, obj.author) && !same(i, obj.committer) && !obj.others.some((o) => same(i, o)),
  );
  if (extra.length) out.others = [...obj.others, ...extra];
  delete out.undecodable;
  // A NUL in the stored message (UTF-16, UCS-4, …): git converts the object as a C string,
  // so it shows at best junk of the part before the NUL, whatever it claims to convert.
  if (lib === undefined && (!shown?.converted || raw.includes(0))) out.undecodable = obj.encoding;
  return out;
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
  return {
    id: { name: value.slice(0, lt).trim(), email: value.slice(lt + 1, gt).trim() },
    time: date ? Number(date[1]) : 0,
  };
}

export function parseCommitObject(body: Buffer): CommitObject {
  const split = body.indexOf('\n\n');
  const head = (split < 0 ? body : body.subarray(0, split)).toString('utf8');
  const raw = split < 0 ? Buffer.alloc(0) : body.subarray(split + 2);
  const out: CommitObject = {
    tree: '',
    parents: [],
    author: undefined,
    committer: undefined,
    authorTime: 0,
    committerTime: 0,
    message: '',
    others: [],
  };
  let encoding: string | undefined;
  for (const line of head.split('\n')) {
    if (line.startsWith(' ')) continue;
    const sp = line.indexOf(' ');
    const key = sp < 0 ? line : line.slice(0, sp);
    const value = sp < 0 ? '' : line.slice(sp + 1);
    if (key === 'tree') out.tree = value;
    else if (key === 'parent') out.parents.push(value);
    else if (key === 'encoding')
      encoding ??= value.trim(); // git's get_header: the first one
    else if (key === 'author' || key === 'committer') {
      const p = parseIdentLine(value);
      if (!p) continue;
      // Plain assignments (no array destructuring): an array each, per commit read.
      if (key === 'author' && !out.author) {
        out.author = p.id;
        out.authorTime = p.time;
      } else if (key === 'committer' && !out.committer) {
        out.committer = p.id;
        out.committerTime = p.time;
      } else out.others.push(p.id);
    }
  }
  out.message = raw.toString('utf8');
  // git log re-encodes a message declared in another encoding; so must we, or a trailer
  // written in, say, EBCDIC is shown to people and invisible to cleanroom. What git shows
  // is asked of git itself (withGitView, by the callers that read many commits); until
  // then the restricting reader sees the library's decoding beside the raw bytes, and
  // fails closed where it has neither.
  if (encoding !== undefined && !isUtf8Name(encoding)) {
    out.encoding = encoding;
    out.rawMessage = Buffer.from(raw);
    const lib = libraryDecode(encoding, raw);
    if (lib === undefined) out.undecodable = encoding;
    else if (lib !== out.message)
      [out.signalMessage, out.message] = [`${lib}\n${out.message}`, lib];
  }
  return out;
}
