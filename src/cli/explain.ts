import { isAbsolute, relative, resolve } from 'node:path';
import { UNKNOWN_AI } from '../core/types.js';
import { usageError } from '../errors.js';
import { safePath } from '../report/escape.js';
import { parse, str } from './args.js';
import { openWorkspace } from './context.js';
import type { Io } from './io.js';

export async function explainCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('explain', argv);
  if (positionals.length !== 1) throw usageError('explain: give exactly one PATH', 'e.g. cleanroom explain evals/tasks/q1.json');
  const ws = await openWorkspace(io, str(values.policy));
  const policy = ws.policy;
  const given = positionals[0]!;
  const root = ws.repo.root ?? io.cwd;
  const rel = relative(root, isAbsolute(given) ? given : resolve(io.cwd, given)).split('\\').join('/');
  if (rel.startsWith('..') || isAbsolute(rel)) throw usageError(`explain: ${given} is outside the repository`);
  if (rel === '') throw usageError('explain: give a path inside the repository, not its root', 'e.g. cleanroom explain evals/tasks/q1.json');
  const format = str(values.format) ?? 'text';
  const tool = str(values.tool);
  if (tool !== undefined && !policy.tools.ids.has(tool)) {
    throw usageError(`explain: unknown tool "${tool}"`, `known: ${[...policy.tools.ids].sort().join(', ')}`);
  }
  const zones = policy.zonesFor(rel);
  const tools = tool ? [tool] : [UNKNOWN_AI, ...new Set(zones.flatMap((z) => [...z.tools.keys()]))];
  const verdicts = tools.map((t) => ({ tool: t, ...policy.verdictFor(rel, t) }));

  if (format === 'json') {
    io.stdout(
      JSON.stringify(
        {
          format: 1, // the version of this JSON contract (docs/cli.md)
          path: rel,
          zones: zones.map((z) => ({ name: z.name, ai: z.ai, read: z.read, paths: z.paths, exclude: z.exclude, tools: Object.fromEntries(z.tools) })),
          verdicts: verdicts.map((v) => ({ tool: v.tool, verdict: v.verdict, zone: v.zone?.name ?? null })),
          readDenied: policy.readDenied(rel).map((z) => z.name),
        },
        null,
        2,
      ) + '\n',
    );
    return 0;
  }
  const out: string[] = [safePath(rel)];
  const excludedFrom = policy.zones.filter((z) => z.excludes(policy.normalize(rel)));
  for (const z of excludedFrom) out.push(`  excluded from zone ${z.name} (exclude: ${z.exclude.join(', ')})`);
  if (!zones.length) {
    out.push('  in no zone: AI-attributed changes are allowed');
  } else {
    for (const z of zones) {
      const per = [...z.tools].map(([t, v]) => `${t}: ${v}`).join(', ');
      out.push(`  zone ${z.name}: ai ${z.ai}${per ? `; ${per}` : ''}${z.read === 'deny' ? '; agents may not read it' : ''}`);
      out.push(`    paths: ${z.paths.join(', ')}${z.exclude.length ? `   exclude: ${z.exclude.join(', ')}` : ''}`);
    }
    for (const v of verdicts) {
      const who = v.tool === UNKNOWN_AI && !tool ? 'any AI tool' : v.tool;
      out.push(`  ${who} → ${v.verdict}${v.zone && zones.length > 1 ? ` (strictest: zone ${v.zone.name})` : ''}`);
    }
  }
  io.stdout(out.join('\n') + '\n');
  return 0;
}
