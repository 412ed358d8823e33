import { trustProblems } from '../check/grants.js';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import type { Verdict } from '../core/types.js';
import { PolicyError, usageError, type PolicyProblem } from '../errors.js';
import { didYouMean } from '../policy/suggest.js';
import { parseYaml } from '../policy/load.js';
import { safePath } from '../escape.js';
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

export const testFileFor = (policyFile: string): string =>
  policyFile.replace(/(\.ya?ml)?$/, '.test.yaml');

interface Case {
  path: string;
  tool: string;
  expect?: Verdict;
  read?: 'allow' | 'deny';
  line: number;
  /** Where the tool is named, for an "unknown tool" problem. */
  toolAt: { line: number; col: number };
}

/** Every case of the test file, and a located problem (with a did-you-mean) for every bad one. */
function readCases(file: string): { cases: Case[]; bad: PolicyProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw usageError(
      `no test cases at ${file}`,
      'write cases: [{ path: ..., tool: ..., expect: deny }] there (see cleanroom policy --help)',
    );
  }
  const { value, locator, problems } = parseYaml(text, file);
  if (problems.length) throw new PolicyError(problems);
  const list = (value as { cases?: unknown } | null)?.cases;
  if (!Array.isArray(list))
    throw new PolicyError([locator.problem([], 'expected a top-level "cases:" list')]);
  const out: Case[] = [];
  const bad: PolicyProblem[] = [];
  const known = ['path', 'tool', 'expect', 'read'];
  const verdicts = ['deny', 'review', 'allow'];
  list.forEach((c: unknown, i) => {
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
      bad.push(
        locator.problem(
          ['cases', i],
          'each case is a mapping: { path: ..., tool: ..., expect: deny }',
        ),
      );
      return;
    }
    const row = c as Record<string, unknown>;
    const before = bad.length;
    for (const k of Object.keys(row).filter((k) => !known.includes(k))) {
      bad.push(
        locator.problem(
          ['cases', i, k],
          `unknown key "${k}"${didYouMean(k, known)} (allowed: ${known.join(', ')})`,
        ),
      );
    }
    if (typeof row.path !== 'string' || !row.path)
      bad.push(locator.problem(['cases', i], 'each case needs a path'));
    if (row.tool !== undefined && typeof row.tool !== 'string')
      bad.push(locator.problem(['cases', i, 'tool'], 'tool must be a tool id, e.g. claude-code'));
    if (row.expect === undefined && row.read === undefined) {
      bad.push(
        locator.problem(
          ['cases', i],
          'each case needs expect: deny|review|allow or read: deny|allow',
        ),
      );
    }
    if (row.expect !== undefined && !verdicts.includes(String(row.expect))) {
      bad.push(
        locator.problem(
          ['cases', i, 'expect'],
          `expect must be deny, review or allow (found ${JSON.stringify(row.expect)})${didYouMean(String(row.expect), verdicts)}`,
        ),
      );
    }
    if (row.read !== undefined && !['deny', 'allow'].includes(String(row.read))) {
      bad.push(
        locator.problem(
          ['cases', i, 'read'],
          `read must be deny or allow (found ${JSON.stringify(row.read)})${didYouMean(String(row.read), ['deny', 'allow'])}`,
        ),
      );
    }
    if (bad.length > before) return;
    const at = locator.at(['cases', i]);
    out.push({
      path: row.path as string,
      tool: typeof row.tool === 'string' ? row.tool : 'unknown-ai',
      ...(row.expect !== undefined ? { expect: row.expect as Verdict } : {}),
      ...(row.read !== undefined ? { read: row.read as 'allow' | 'deny' } : {}),
      line: at.line,
      toolAt: locator.at(['cases', i, 'tool']),
    });
  });
  return { cases: out, bad };
}

export async function policyCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv; // main.ts checked it against the command table
  const { values, positionals } = parse(`policy ${sub}`, rest);
  if (positionals.length > 1) throw usageError(`policy ${sub}: give at most one FILE`);
  const file = await policyFileFor(
    io,
    positionals[0] ?? (typeof values.policy === 'string' ? values.policy : undefined),
  );
  const policy = await loadPolicyFile(file);
  if (sub === 'validate') {
    // The trust files it names, read beside it as the server reads them.
    const root = basename(dirname(file)) === '.cleanroom' ? dirname(dirname(file)) : undefined;
    const trust = trustProblems(policy, (rel) => {
      const path = isAbsolute(rel)
        ? rel
        : root
          ? join(root, rel)
          : join(dirname(file), rel.replace(/^\.cleanroom\//, ''));
      try {
        return { file: rel, text: readFileSync(path, 'utf8') };
      } catch {
        return undefined;
      }
    });
    if (trust.length) {
      for (const t of trust) io.stderr(`${t}\n`);
      io.stderr(
        `  → fix the trust file${trust.length === 1 ? '' : 's'} (OpenSSH allowed_signers lines: principals [options] keytype base64key)\n`,
      );
      return 2;
    }
    if (values.quiet !== true)
      io.stdout(
        `${file}: ok — ${policy.zones.length} zone${policy.zones.length === 1 ? '' : 's'}, review mode ${policy.review.mode}\n`,
      );
    return 0;
  }
  const testFile = testFileFor(file);
  const { cases, bad } = readCases(testFile);
  // Every bad case and every unknown tool at once, before any case runs (as policy validate).
  const unknownTools = cases.filter((c) => !policy.tools.ids.has(c.tool));
  if (bad.length || unknownTools.length) {
    const problems = [
      ...bad,
      ...unknownTools.map((c) => ({
        file: testFile,
        ...c.toolAt,
        message: `unknown tool "${c.tool}"${didYouMean(c.tool, policy.tools.ids)}`,
      })),
    ];
    problems.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyError(
      problems,
      unknownTools.length ? `known tools: ${[...policy.tools.ids].sort().join(', ')}` : undefined,
    );
  }
  let failed = 0;
  for (const c of cases) {
    const problems: string[] = [];
    if (c.expect) {
      const got = policy.verdictFor(c.path, c.tool);
      if (got.verdict !== c.expect)
        problems.push(
          `expected ${c.expect}, got ${got.verdict}${got.zone ? ` (zone ${got.zone.name})` : ' (in no zone)'}`,
        );
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
      io.stdout(
        `✓ ${label} → ${[c.expect, c.read ? `read ${c.read}` : undefined].filter(Boolean).join(', ')}\n`,
      );
    }
  }
  io.stdout(
    failed
      ? `policy test: ${failed} of ${cases.length} cases fail\n` +
          // The cases `init` writes are the preset's: trimming a zone breaks its cases.
          `  → a case that fails because the policy changed on purpose (a zone trimmed or renamed): change or delete it in ${testFile}; otherwise fix the policy\n`
      : `policy test: all ${cases.length} cases pass\n`,
  );
  return failed ? 1 : 0;
}
