// Codex `apply_patch` bodies: which files a patch writes, and the lines it adds. Sample:
//
//   *** Begin Patch
//   *** Add File: evals/harness/run.py
//   +import json
//   *** Update File: src/app.py
//   *** Move to: src/main.py
//   @@ def main():
//   -    pass
//   +    run()
//   *** Delete File: old.txt
//   *** End Patch
//
// Deletions are not writes (removing content is the cure); a move writes its target.

import { HookInputError } from './types.js';

export interface PatchFile {
  /** Where content lands: the Move to target, or the file itself. */
  path: string;
  op: 'add' | 'update' | 'delete';
  /** For a move, the source path (which the patch removes). */
  from?: string;
  /** The `+` lines, without their prefix. */
  added: string[];
}

/**
 * A file header, read as leniently as Codex does: its parser trims each hunk's first line
 * (and the markers around the patch) before matching — "Be tolerant of case mismatches
 * and extra padding around marker strings" (codex-rs/apply-patch/src/parser.rs,
 * parse_one_hunk) — so `  *** Add File: x` adds x. Here any whitespace around the line,
 * any case of the marker, and any spacing after `***` and around the colon count: a
 * header read where Codex would not only adds a path to judge.
 */
const HEADER = /^\s*\*\*\*\s*(add\s+file|update\s+file|delete\s+file|move\s+to)\s*:\s*(.+?)\s*$/i;

export function parsePatch(text: string): PatchFile[] {
  const files: PatchFile[] = [];
  let current: PatchFile | undefined;
  for (const line of text.split(/\r?\n|\r/)) {
    const m = HEADER.exec(line);
    if (m) {
      const [, marker, path] = m as unknown as [string, string, string];
      const kind = marker.toLowerCase().replace(/\s+/g, ' ');
      if (kind === 'move to' && current && current.op === 'update') {
        current.from = current.path;
        current.path = path;
        continue;
      }
      current = {
        path,
        // A `Move to` no Update File precedes still names a file written.
        op: kind === 'add file' ? 'add' : kind === 'delete file' ? 'delete' : 'update',
        added: [],
      };
      files.push(current);
      continue;
    }
    if (/^\s*\*\*\*/.test(line)) continue; // Begin/End Patch, End of File
    if (current && current.op !== 'delete' && line.startsWith('+'))
      current.added.push(line.slice(1));
  }
  return files;
}

/** Paths a patch writes (adds, updates, move targets). */
export const patchWrites = (text: string): PatchFile[] =>
  parsePatch(text).filter((f) => f.op !== 'delete');

/**
 * The patch text of an `apply_patch` call, whatever shape its input takes (a string, or
 * an object with `input`, `patch` or `command`); throws when there is none to read — a
 * patch cleanroom cannot read is refused, never waved through (fail closed).
 */
export function patchText(input: unknown, agent: string): string {
  let v = input;
  if (typeof v === 'string') {
    if (v.includes('*** Begin Patch')) return v;
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      throw new HookInputError(`${agent} apply_patch input is neither a patch nor JSON`);
    }
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of ['input', 'patch', 'command']) {
      const t = o[k];
      if (typeof t === 'string' && t.includes('*** Begin Patch')) return t;
    }
  }
  throw new HookInputError(
    `${agent} apply_patch call without a patch cleanroom can read (expected "*** Begin Patch" text)`,
  );
}
