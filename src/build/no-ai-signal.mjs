// Data for the commit-msg fast path (hooks/lib/no-ai-signal.sh), generated from the tool
// table so the shell knows every string the full detector could react to:
//   dist/no-ai-signal.needles  fixed strings (for `grep -F -i`, under LC_ALL=C), one a line:
//                              first every byte that is not printable ASCII or a tab, each
//                              a line of its own (the restricting reader normalises
//                              Unicode; a newline is grep's line end, never in a line), then
//                              every needle — the lower-cased longest literal run of every
//                              email pattern and co-author name (a string matching a `*`
//                              pattern contains each of its literal runs), every trailer key
//                              (restricting and generic), marker, name suffix and subject
//                              prefix — so one grep process answers for the message and the
//                              identities together. Fixed strings, not patterns: grep
//                              compiles 80 case-folded regular expressions in ~4 ms of CPU,
//                              a list of strings in next to nothing (issue 14);
//   dist/no-ai-signal.env      one grep pattern a line for the agent environment rules
//                              (`^NAME=.` for NAME or NAME=VALUE, `^PREFIX` for PREFIX*).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const longestRun = (pattern) =>
  pattern
    .toLowerCase()
    .split('*')
    .map((s) => s.trim())
    .sort((a, b) => b.length - a.length)[0] ?? '';
/**
 * Every byte that is not printable ASCII (space…tilde) or a tab, but a newline: each one a
 * fixed string of its own, together what the BRE class `[^ -~\t]` matches in a line under
 * LC_ALL=C (GNU grep takes a NUL in a pattern file as a byte like any other).
 */
export const NOT_PRINTABLE_BYTES = [...Array(256).keys()].filter(
  (b) => b !== 0x0a && b !== 0x09 && (b < 0x20 || b > 0x7e),
);
const escapeBre = (s) => s.replace(/[.[\]\\*^$]/g, '\\$&');

/** { needles: string[], env: string[] } for a tool table spec ({ tools, genericTrailers }). */
export function noAiSignalData(spec) {
  const needles = new Set();
  const add = (s) => {
    const v = s.trim().toLowerCase();
    if (!v)
      throw new Error(`tools.yaml: an empty matcher cannot be turned into a fast-path needle`);
    // A needle is one line of the file: a newline would cut it in two, each half a
    // needle of its own (more full checks); anything else outside printable ASCII is
    // never needed (such a byte in the text already takes the full check).
    if (!/^[ -~\t]+$/.test(v))
      throw new Error(
        `tools.yaml: a fast-path needle must be printable ASCII: ${JSON.stringify(v)}`,
      );
    needles.add(v);
  };
  for (const t of spec.tools) {
    for (const e of t.emails ?? []) add(longestRun(e));
    for (const n of t.coauthorNames ?? []) add(longestRun(n));
    for (const k of t.trailers ?? []) add(k.split(':', 1)[0]);
    for (const m of t.markers ?? []) add(m);
    for (const s of t.nameSuffixes ?? []) add(s);
    for (const p of t.subjectPrefixes ?? []) add(p);
  }
  for (const k of spec.genericTrailers ?? []) add(k);
  const env = new Set();
  for (const t of spec.tools) {
    for (const rule of t.env ?? []) {
      if (rule.endsWith('*')) env.add(`^${escapeBre(rule.slice(0, -1))}`);
      else env.add(`^${escapeBre(rule.split('=', 1)[0])}=.`);
    }
  }
  return { needles: [...needles].sort(), env: [...env].sort() };
}

export function writeNoAiSignalData(spec, distDir) {
  const { needles, env } = noAiSignalData(spec);
  writeFileSync(
    join(distDir, 'no-ai-signal.needles'),
    Buffer.concat([
      ...NOT_PRINTABLE_BYTES.map((b) => Buffer.from([b, 0x0a])),
      Buffer.from(needles.map((n) => `${n}\n`).join(''), 'latin1'),
    ]),
  );
  writeFileSync(join(distDir, 'no-ai-signal.env'), env.join('\n') + '\n');
}
