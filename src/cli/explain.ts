import { lstatSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UNKNOWN_AI, VERDICT_RANK } from '../core/types.js';
import { indexZoneLinks } from '../check/links.js';
import {
  aliasesOf,
  SYMLINK_MODE,
  verdictOfFile,
  zonesUnder,
  type ZoneLink,
} from '../policy/links.js';
import { usageError } from '../errors.js';
import { safePath } from '../escape.js';
import { parse, str } from './args.js';
import { openWorkspace } from './context.js';
import type { Io } from './io.js';

export async function explainCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('explain', argv);
  if (positionals.length !== 1)
    throw usageError(
      'explain: give exactly one PATH',
      'e.g. cleanroom explain evals/tasks/q1.json',
    );
  const ws = await openWorkspace(io, str(values.policy));
  const policy = ws.policy;
  const given = positionals[0]!;
  const root = ws.repo.root ?? io.cwd;
  const rel = relative(root, isAbsolute(given) ? given : resolve(io.cwd, given))
    .split('\\')
    .join('/');
  if (rel.startsWith('..') || isAbsolute(rel))
    throw usageError(`explain: ${given} is outside the repository`);
  if (rel === '')
    throw usageError(
      'explain: give a path inside the repository, not its root',
      'e.g. cleanroom explain evals/tasks/q1.json',
    );
  const format = str(values.format) ?? 'text';
  const tool = str(values.tool);
  if (tool !== undefined && !policy.tools.ids.has(tool)) {
    throw usageError(
      `explain: unknown tool "${tool}"`,
      `known: ${[...policy.tools.ids].sort().join(', ')}`,
    );
  }
  // Links are content at their own path: a link at `rel` would put content into the
  // zones that could match below it, and `rel` is also seen at the paths that zone
  // symlinks of the index map it to (evals/extra/more.jsonl for src/jl/more.jsonl).
  const under = zonesUnder(policy, rel).filter((z) => !policy.zonesFor(rel).includes(z));
  let links: ZoneLink[] = [];
  try {
    links = await indexZoneLinks(ws.ctx, policy);
  } catch {
    // no index (a bare repository): no links to follow
  }
  const seenAt = aliasesOf(rel, links, !policy.caseSensitive);
  const zones = [...policy.zonesFor(rel)];
  for (const a of seenAt) for (const z of policy.zonesFor(a)) if (!zones.includes(z)) zones.push(z);
  const tools = tool
    ? [tool]
    : [UNKNOWN_AI, ...new Set([...zones, ...under].flatMap((z) => [...z.tools.keys()]))];
  const verdicts = tools.map((t) => {
    let best = policy.verdictFor(rel, t);
    for (const a of seenAt) {
      const v = policy.verdictFor(a, t);
      if (VERDICT_RANK[v.verdict] > VERDICT_RANK[best.verdict]) best = v;
    }
    return { tool: t, ...best };
  });
  // The link verdict is shown where it is one: the path is a symlink or a directory (a
  // link could replace it); a regular file there is judged at its own path.
  let linkHere = false;
  try {
    linkHere = !lstatSync(resolve(root, rel)).isFile();
  } catch {
    // absent: nothing to say about links (explain the directory above it)
  }
  const asLink = tools.map((t) => ({
    tool: t,
    ...verdictOfFile(policy, { path: rel, mode: SYMLINK_MODE }, t),
  }));

  if (format === 'json') {
    io.stdout(
      JSON.stringify(
        {
          format: 1, // the version of this JSON contract (docs/cli.md)
          path: rel,
          zones: zones.map((z) => ({
            name: z.name,
            ai: z.ai,
            read: z.read,
            paths: z.paths,
            exclude: z.exclude,
            tools: Object.fromEntries(z.tools),
          })),
          verdicts: verdicts.map((v) => ({
            tool: v.tool,
            verdict: v.verdict,
            zone: v.zone?.name ?? null,
          })),
          readDenied: policy.readDenied(rel).map((z) => z.name),
          ...(seenAt.length ? { seenAt } : {}),
          ...(linkHere && under.length
            ? {
                asLink: {
                  zones: [...policy.zonesFor(rel), ...under].map((z) => z.name),
                  verdicts: asLink.map((v) => ({
                    tool: v.tool,
                    verdict: v.verdict,
                    zone: v.zone?.name ?? null,
                  })),
                },
              }
            : {}),
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const out: string[] = [safePath(rel)];
  const excludedFrom = policy.zones.filter((z) => z.excludes(rel));
  for (const z of excludedFrom)
    out.push(`  excluded from zone ${z.name} (exclude: ${z.exclude.join(', ')})`);
  if (!zones.length) {
    out.push('  in no zone: AI-attributed changes are allowed');
    // `explain evals/tasks/q1.json` run from evals/ names evals/evals/…: say so, rather
    // than reassure about a path that is not there.
    // A path that does not exist yet is a fair question ("where may I write this?"), so
    // this is said only when the same words from the top name something that does.
    if (!existsAt(root, rel) && !isAbsolute(given) && existsAt(root, given))
      out.push(
        `  note: nothing is at ${safePath(rel)}; ${safePath(given)} from the top of the repository is there — paths are relative to the current directory`,
      );
  } else {
    for (const z of zones) {
      const per = [...z.tools].map(([t, v]) => `${t}: ${v}`).join(', ');
      out.push(
        `  zone ${z.name}: ai ${z.ai}${per ? `; ${per}` : ''}${z.read === 'deny' ? '; agents may not read it' : ''}`,
      );
      out.push(
        `    paths: ${z.paths.join(', ')}${z.exclude.length ? `   exclude: ${z.exclude.join(', ')}` : ''}`,
      );
    }
    for (const v of verdicts) {
      const who = v.tool === UNKNOWN_AI && !tool ? 'any AI tool' : v.tool;
      out.push(
        `  ${who} → ${v.verdict}${v.zone && zones.length > 1 ? ` (strictest: zone ${v.zone.name})` : ''}`,
      );
    }
  }
  for (const a of seenAt)
    out.push(`  also seen at ${safePath(a)} through a symlink into a zone: judged there too`);
  if (linkHere && under.length) {
    const v = asLink.find((x) => x.tool === (tool ?? UNKNOWN_AI));
    out.push(
      `  a symlink or submodule here would put content into zone ${under.map((z) => z.name).join(', ')} (globs match below it): judged as a change there${v ? ` (${tool ?? 'any AI tool'} → ${v.verdict})` : ''}`,
    );
  }
  io.stdout(out.join('\n') + '\n');
  return 0;
}

/** Whether anything (a file, a directory, a link, even a dangling one) is at `rel` under `root`. */
function existsAt(root: string, rel: string): boolean {
  try {
    lstatSync(join(root, rel));
    return true;
  } catch {
    return false;
  }
}
