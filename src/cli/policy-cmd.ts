import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Verdict } from '../core/types.js';
import { PolicyError, usageError, type PolicyProblem } from '../errors.js';
import { didYouMean } from '../policy/suggest.js';
import { parseYaml } from '../policy/load.js';
import { safePath } from '../report/escape.js';
import { parse } from './args.js';
import { gitContext, loadPolicyFile, POLICY_PATH } from './context.js';
import type { Io } from './io.js';
import { openRepo } from '../git/repo.js';

async function policyFileFor(io: Io, given: string | undefined): Promise<string> {
  if (given) return isAbsolute(given) ? given : resolve(io.cwd, given);
  const repo = await openRepo(gitContext(io));
  if (!repo.root) throw usageError('policy: a bare repository has no work-tree policy; give FILE');
  return resolve(repo.root, POLICY_PATH);
}

export const testFileFor = (policyFile: string): string => policyFile.replace(/(\.ya?ml)?$/, '.test.yaml');

interface Case {
  path: string;
  tool: string;
  expect?: Verdict;
  read?: 'allow' | 'deny';
  line: number;
  /** Where the tool is named, for an "unknown tool" problem. */
  toolAt: { line: number; col: number };
}

function readCases(file: string): Case[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usageError(`no test cases at ${file}`, 'write cases: [{ path: ..., tool: ..., expect: deny }] there (see cleanroom policy --help)');
  }
  const { value, locator, problems } = parseYaml(text, file);
  if (problems.length) throw new PolicyError(problems);
  const list = (value as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(list)) throw new PolicyError([locator.problem([], 'expected a top-level "cases:" list')]);
  const out: Case[] = [];
  const bad: PolicyProblem[] = [];
  list.forEach((c: unknown, i) => {
    const row = c as Record<string, unknown> | null;
    const at = locator.at(['cases', i]);
    const known = ['path', 'tool', 'expect', 'read'];
    const unknown = row && typeof row === 'object' ? Object.keys(row).filter((k) => !known.includes(k)) : [];
    if (!row || typeof row !== 'object' || typeof row.path !== 'string' || !row.path) {
      bad.push(locator.problem(['cases', i], 'each case needs a path'));
    } else if (row.expect === undefined && row.read === undefined) {
      bad.push(locator.problem(['cases', i], 'each case needs expect: deny|review|allow or read: deny|allow'));
    } else if (row.expect !== undefined && !['deny', 'review', 'allow'].includes(String(row.expect))) {
      bad.push(locator.problem(['cases', i, 'expect'], `expect must be deny, review or allow (found ${JSON.stringify(row.expect)})`));
    } else if (row.read !== undefined && !['deny', 'allow'].includes(String(row.read))) {
      bad.push(locator.problem(['cases', i, 'read'], `read must be deny or allow`));
    } else if (unknown.length) {
      bad.push(locator.problem(['cases', i], `unknown key "${unknown[0]}" (allowed: ${known.join(', ')})`));
    } else {
      out.push({
        path: row.path,
        tool: typeof row.tool === 'string' ? row.tool : 'unknown-ai',
        ...(row.expect !== undefined ? { expect: row.expect as Verdict } : {}),
        ...(row.read !== undefined ? { read: row.read as 'allow' | 'deny' } : {}),
        line: at.line,
        toolAt: locator.at(['cases', i, 'tool']),
      });
    }
  });
  if (bad.length) throw new PolicyError(bad);
  return out;
}

export async function policyCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv; // main.ts checked it against the command table
  const { values, positionals } = parse(`policy ${sub}`, rest);
  if (positionals.length > 1) throw usageError(`policy ${sub}: give at most one FILE`);
  const file = await policyFileFor(io, positionals[0] ?? (typeof values.policy === 'string' ? values.policy : undefined));
  const policy = await loadPolicyFile(file);
  if (sub === 'validate') {
    if (values.quiet !== true) io.stdout(`${file}: ok — ${policy.zones.length} zone${policy.zones.length === 1 ? '' : 's'}, review mode ${policy.review.mode}\n`);
    return 0;
  }
  const testFile = testFileFor(file);
  const cases = readCases(testFile);
  // Every unknown tool at once, before any case runs (not after half the output).
  const unknownTools = cases.filter((c) => !policy.tools.ids.has(c.tool));
  if (unknownTools.length) {
    throw new PolicyError(
      unknownTools.map((c) => ({ file: testFile, ...c.toolAt, message: `unknown tool "${c.tool}"${didYouMean(c.tool, policy.tools.ids)}` })),
      `known: ${[...policy.tools.ids].sort().join(', ')}`,
    );
  }
  let failed = 0;
  for (const c of cases) {
    const problems: string[] = [];
    if (c.expect) {
      const got = policy.verdictFor(c.path, c.tool);
      if (got.verdict !== c.expect) problems.push(`expected ${c.expect}, got ${got.verdict}${got.zone ? ` (zone ${got.zone.name})` : ' (in no zone)'}`);
    }
    if (c.read) {
      const denied = policy.readDenied(c.path).length > 0 ? 'deny' : 'allow';
      if (denied !== c.read) problems.push(`expected read ${c.read}, got read ${denied}`);
    }
    const label = `${safePath(c.path)} (${c.tool})`;
    if (problems.length) {
      failed++;
      io.stdout(`✗ ${testFile}:${c.line}: ${label}: ${problems.join('; ')}\n`);
    } else if (values.quiet !== true) {
      io.stdout(`✓ ${label} → ${[c.expect, c.read ? `read ${c.read}` : undefined].filter(Boolean).join(', ')}\n`);
    }
  }
  io.stdout(failed ? `policy test: ${failed} of ${cases.length} cases fail\n` : `policy test: all ${cases.length} cases pass\n`);
  return failed ? 1 : 0;
}
