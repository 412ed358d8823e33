// Data for the commit-msg fast path (hooks/lib/no-ai-signal.sh), generated from the tool
// table so the shell knows every string the full detector could react to:
//   dist/no-ai-signal.needles  one lower-cased substring a line: the longest literal run of
//                              every email pattern and co-author name (a string matching a
//                              `*` pattern contains each of its literal runs), every trailer
//                              key (restricting and generic), marker, name suffix and
//                              subject prefix;
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
  writeFileSync(join(distDir, 'no-ai-signal.needles'), needles.join('\n') + '\n');
  writeFileSync(join(distDir, 'no-ai-signal.env'), env.join('\n') + '\n');
}
