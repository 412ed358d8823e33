// Parsers for `--raw -z` diff output. Samples (NUL shown as \0):
//
//   git diff-index --cached --raw -z -M --no-abbrev HEAD
//     :100644 100644 3b18e51… 0000000… M\0evals/tasks/q1.json\0
//     :100644 100644 3b18e51… 3b18e51… R100\0draft/q1.json\0evals/tasks/q1.json\0
//     :000000 100644 0000000… 8e27be7… A\0evals/tasks/q2.json\0
//
//   git diff-tree --stdin -z -r -M -c --raw --no-abbrev --root --always   (per commit)
//     b0542cd…\0                                          (the commit id, a header)
//     :100644 100644 975fbec… 46b0f70… M\0g\0            (ordinary commit)
//     ::100644 100644 100644 975fbec… 46b0f70… e556b83… MM\0g\0   (merge: combined,
//                                         only paths that differ from every parent)
//
// Positional parsing (a meta field, then one path, or two for R and C) makes a file
// named like a commit id harmless.

import { checkDeadline } from '../core/deadline.js';
import type { FileChange } from '../core/types.js';
import { CleanroomError } from '../errors.js';

export interface RawMeta {
  parents: number;
  status: FileChange['status'];
  mode: string;
  blob: string;
  paths: 1 | 2;
  /** A merge's combined status letters, one per parent (`AR`: added against one, renamed against the other). */
  combined?: string;
}

const STATUS = new Set(['A', 'M', 'D', 'R', 'C', 'T', 'U', 'X']);

export function parseRawMeta(field: string): RawMeta {
  let colons = 0;
  while (field[colons] === ':') colons++;
  const parts = field.slice(colons).split(' ');
  // n parents: (n+1) modes, (n+1) ids, status
  const n = colons;
  if (n < 1 || parts.length !== 2 * (n + 1) + 1)
    throw new CleanroomError('internal', `unexpected diff line from git: ${field.slice(0, 120)}`);
  const mode = parts[n]!;
  const blob = parts[2 * n + 1]!;
  const letters = parts[2 * n + 2]!;
  if (n === 1) {
    const s = letters[0] ?? '';
    if (!STATUS.has(s))
      throw new CleanroomError('internal', `unexpected diff status from git: ${letters}`);
    return {
      parents: 1,
      status: s as FileChange['status'],
      mode,
      blob,
      paths: s === 'R' || s === 'C' ? 2 : 1,
    };
  }
  // Combined diff of a merge: one path; deleted if the result has no file.
  const status: FileChange['status'] = /^0+$/.test(mode)
    ? 'D'
    : letters.includes('A') && [...letters].every((c) => c === 'A')
      ? 'A'
      : 'M';
  return { parents: n, status, mode, blob, paths: 1, combined: letters };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Length of the valid UTF-8 sequence starting at `i`, or 0. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const n =
    c < 0x80
      ? 1
      : c >= 0xc2 && c <= 0xdf
        ? 2
        : c >= 0xe0 && c <= 0xef
          ? 3
          : c >= 0xf0 && c <= 0xf4
            ? 4
            : 0;
  if (n <= 1 || i + n > b.length) return n === 1 ? 1 : 0;
  try {
    utf8.decode(b.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/**
 * A path from git, as text. Names that are not UTF-8 keep every byte distinguishable:
 * each invalid byte is written as git writes it (`\377`), so two such files never
 * collapse into one name and the path shown is the one `git status` shows.
 */
export function decodePath(b: Buffer): string {
  try {
    return utf8.decode(b);
  } catch {
    let out = '';
    for (let i = 0; i < b.length;) {
      const n = utf8Length(b, i);
      if (n) {
        out += b.subarray(i, i + n).toString('utf8');
        i += n;
      } else {
        out += `\\${b[i]!.toString(8).padStart(3, '0')}`;
        i++;
      }
    }
    return out;
  }
}

/** Parses a whole `--raw -z` entry list (diff-index, or one commit of diff-tree). */
export function parseRawEntries(fields: readonly Buffer[]): FileChange[] {
  const out: FileChange[] = [];
  for (let i = 0; i < fields.length;) {
    checkDeadline();
    const meta = parseRawMeta(fields[i]!.toString('latin1'));
    const a = fields[i + 1];
    const b = meta.paths === 2 ? fields[i + 2] : undefined;
    if (!a || (meta.paths === 2 && !b))
      throw new CleanroomError('internal', 'truncated diff output from git');
    const change: FileChange = {
      status: meta.status,
      path: decodePath(b ?? a),
      blob: meta.blob,
      mode: meta.mode,
    };
    if (b) change.from = decodePath(a);
    if (meta.combined !== undefined) change.combined = meta.combined;
    out.push(change);
    i += 1 + meta.paths;
  }
  return out;
}
