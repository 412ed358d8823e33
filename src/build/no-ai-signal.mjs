// Data for the commit-msg fast path (hooks/lib/no-ai-signal.sh), generated from the tool
// table so the shell knows every string the full detector could react to:
//   dist/no-ai-signal.needles  grep patterns (BRE, for `grep -i`), one a line: first the
//                              class of every byte that is not printable ASCII or a tab (the
//                              restricting reader normalises Unicode), then every needle as
//                              a literal — the lower-cased longest literal run of every
//                              email pattern and co-author name (a string matching a `*`
//                              pattern contains each of its literal runs), every trailer key
//                              (restricting and generic), marker, name suffix and subject
//                              prefix — so one grep process answers for the message and the
//                              identities together;
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
/** A BRE class: any byte but space…tilde and tab (run under LC_ALL=C). */
export const NOT_PRINTABLE_ASCII = '[^ -~\t]';
/**
 * A literal as a portable BRE: each special character in a bracket of its own (`[.]`,
 * `[[]`, `[]]`, `[*]`, `[$]`, and `^` as `[$^]`, which also takes a `$`: an
 * over-approximation is safe here), never a backslash escape, whose meaning before `]`
 * differs between greps.
 */
const literalBre = (s) =>
  s.replace(/[.[\]\\*^$]/g, (c) => (c === '^' ? '[$^]' : c === '\\' ? '[\\]' : `[${c}]`));
const escapeBre = (s) => s.replace(/[.[\]\\*^$]/g, '\\$&');

/** { needles: string[], env: string[] } for a tool table spec ({ tools, genericTrailers }). */
export function noAiSignalData(spec) {
  const needles = new Set();
  const add = (s) => {
    const v = s.trim().toLowerCase();
    if (!v)
      throw new Error(`tools.yaml: an empty matcher cannot be turned into a fast-path needle`);
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
    [NOT_PRINTABLE_ASCII, ...needles.map(literalBre)].join('\n') + '\n',
  );
  writeFileSync(join(distDir, 'no-ai-signal.env'), env.join('\n') + '\n');
}
