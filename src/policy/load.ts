// YAML text → located problems or a compiled, frozen Policy. Parse, don't validate:
// the `yaml` document keeps line/col for every node, the precompiled ajv validator
// (policies/policy.schema.json, compiled at build time) checks the shape, `compile`
// checks meaning (globs, tool ids, duplicate names), and every problem comes back at
// once as FILE:LINE:COL with the fix. Nothing downstream re-checks the config.

import type { ErrorObject } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { PolicyError, type PolicyProblem } from '../errors.js';
import validatePolicy from './generated/validate-policy.js';
import { compilePolicy, semanticProblems, type Policy, type PolicyInput } from './compile.js';
import { didYouMean } from './suggest.js';

import { MAX_POLICY_BYTES } from './limits.js';

export { MAX_POLICY_BYTES };

/** Locates nodes of one YAML document for error messages. */
export class YamlLocator {
  constructor(
    readonly file: string,
    readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  private pos(offset: number): { line: number; col: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  /** Position of the value at `path`, or of the key `key` inside it when given. */
  at(path: readonly (string | number)[], key?: string): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let best: [number, number, number] | undefined = (node as { range?: [number, number, number] })
      ?.range;
    for (const seg of path) {
      if (!node || typeof node !== 'object' || !('items' in node)) break;
      const items = (node as { items: unknown[] }).items;
      let next: unknown;
      if (typeof seg === 'number') next = items[seg];
      else
        next = items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === seg);
      if (isPair(next)) next = next.value ?? next.key;
      if (!next) break;
      node = next;
      best = (node as { range?: [number, number, number] }).range ?? best;
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined;
      if (range) return this.pos(range[0]);
    }
    return best ? this.pos(best[0]) : { line: 1, col: 1 };
  }

  problem(path: readonly (string | number)[], message: string, key?: string): PolicyProblem {
    return { file: this.file, ...this.at(path, key), message };
  }
}

/**
 * Set on the first YAML parse of a process: the code-cache loaders (src/build/build.mjs)
 * do not write V8's code cache from such a run, whose parser code every later run (a
 * policy-cache hit) would otherwise deserialise for nothing.
 */
export const COLD_RUN = Symbol.for('cleanroom.codeCache.coldRun');

export function parseYaml(
  text: string,
  file: string,
): { value: unknown; locator: YamlLocator; problems: PolicyProblem[] } {
  (globalThis as Record<symbol, unknown>)[COLD_RUN] = true;
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
  });
  const locator = new YamlLocator(file, doc, lines);
  const problems: PolicyProblem[] = doc.errors.map((e) => {
    // `linePos` is only filled in with prettyErrors; the offset always is.
    const p = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    const first = e.message.split('\n', 1)[0] ?? e.message;
    return {
      file,
      line: p.line,
      col: p.col,
      message: `YAML syntax: ${first} — fix the YAML at this position`,
    };
  });
  if (problems.length) return { value: undefined, locator, problems };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    problems.push({
      file,
      line: 1,
      col: 1,
      message: `YAML: ${(e as Error).message} — write the policy without aliases`,
    });
  }
  return { value, locator, problems };
}

function decodePointer(ptr: string): (string | number)[] {
  if (!ptr) return [];
  return ptr
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const KEYS: Record<string, string[]> = {
  '': ['version', 'repository', 'matching', 'zones', 'review', 'overrides', 'tools'],
  zone: ['name', 'description', 'paths', 'exclude', 'ai', 'read', 'tools'],
  review: ['mode', 'trailer', 'reviewers', 'independent'],
  overrides: ['approvers'],
  matching: ['case', 'unicode'],
  tool: [
    'id',
    'name',
    'emails',
    'trailers',
    'markers',
    'nameSuffixes',
    'coauthorNames',
    'subjectPrefixes',
    'env',
    'aliases',
    'examples',
    'decoys',
  ],
};

function keysFor(path: (string | number)[]): string[] {
  if (path.length === 0) return KEYS['']!;
  if (path[0] === 'zones' && path.length === 2) return KEYS.zone!;
  if (path[0] === 'tools' && path.length === 2) return KEYS.tool!;
  return KEYS[String(path[0])] ?? [];
}

const show = (v: unknown): string =>
  typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? String(v));

function schemaProblem(e: ErrorObject, locator: YamlLocator, data: unknown): PolicyProblem {
  const path = decodePointer(e.instancePath);
  const where = path.length ? path.join('.') : 'the policy';
  let value: unknown = data;
  for (const seg of path) value = (value as Record<string | number, unknown> | undefined)?.[seg];
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = keysFor(path);
      const inZoneTools = path[0] === 'zones' && path[2] === 'tools';
      return locator.problem(
        path,
        `unknown key "${key}" in ${where}${didYouMean(key, allowed)} (allowed: ${allowed.join(', ') || 'none'})` +
          (inZoneTools
            ? ''
            : ' — unknown keys are errors so a typo cannot silently disable a rule'),
        key,
      );
    }
    case 'required':
      return locator.problem(
        path,
        `${where} is missing "${String(params.missingProperty)}" — add it (cleanroom init writes a complete example; see README "The policy")`,
      );
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return locator.problem(
        path,
        `${show(value)} is not allowed for ${where}${didYouMean(String(value), allowed)} — use one of: ${allowed.join(', ')}`,
      );
    }
    case 'const':
      return locator.problem(
        path,
        `${where} must be ${show(params.allowedValue)} (found ${show(value)})`,
      );
    case 'type':
      return locator.problem(
        path,
        `${where} must be ${params.type === 'array' ? (['paths', 'exclude'].includes(String(path[path.length - 1])) ? 'a list, e.g. ["evals/**"]' : 'a list (one "- item" per line)') : params.type === 'object' ? 'a mapping (key: value)' : `a ${String(params.type)}`} (found ${show(value)})`,
      );
    case 'minItems':
      return locator.problem(path, `${where} is empty — list at least one entry`);
    case 'minLength':
      return locator.problem(path, `${where} is empty — write a value`);
    case 'maxItems':
    case 'maxLength':
      return locator.problem(path, `${where} is too long (limit ${String(params.limit)})`);
    case 'pattern':
      return locator.problem(
        path,
        `${show(value)} is not a valid ${String(path[path.length - 1] ?? 'value')} (expected ${String(params.pattern)})`,
      );
    case 'propertyNames': {
      const key = String(params.propertyName ?? '');
      return locator.problem(
        path,
        `"${key}" in ${where} is not a valid tool id (lower-case letters, digits, . _ -)${/^[a-z0-9][a-z0-9._-]*$/.test(key.toLowerCase()) ? ` — write "${key.toLowerCase()}"` : ''}`,
        key,
      );
    }
    default:
      return locator.problem(path, `${where} ${e.message ?? 'is invalid'}`);
  }
}

/** Policy text → Policy, or a PolicyError listing every problem. Pure: no files read. */
export function loadPolicyText(text: string, file: string): Policy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) {
    throw new PolicyError([
      {
        file,
        line: 1,
        col: 1,
        message: `the policy is larger than 1 MiB — it cannot be a real policy`,
      },
    ]);
  }
  const { value, locator, problems } = parseYaml(text, file);
  if (problems.length) throw new PolicyError(problems);
  if (value === null || value === undefined) {
    throw new PolicyError([
      { file, line: 1, col: 1, message: 'the policy is empty — run `cleanroom init` to write one' },
    ]);
  }
  if (!validatePolicy(value)) {
    const all = validatePolicy.errors ?? [];
    // A typo'd key is one mistake, not two: "pahts" is unknown AND "paths" is missing.
    // Keep the unknown-key error (it says "did you mean") and drop the missing one.
    const misspelt = (e: ErrorObject): boolean =>
      e.keyword === 'required' &&
      all.some(
        (o) =>
          o.keyword === 'additionalProperties' &&
          o.instancePath === e.instancePath &&
          didYouMean(String((o.params as Record<string, unknown>).additionalProperty), [
            String((e.params as Record<string, unknown>).missingProperty),
          ]) !== '',
      );
    const errors = all.filter(
      // `propertyNames` failures are reported twice by ajv (pattern + propertyNames).
      (e) =>
        !misspelt(e) &&
        !(
          e.keyword === 'pattern' &&
          all.some(
            (o) =>
              o.keyword === 'propertyNames' &&
              o !== e &&
              e.instancePath.startsWith(o.instancePath) &&
              e.propertyName,
          )
        ),
    );
    const seen = new Set<string>();
    const out: PolicyProblem[] = [];
    for (const e of errors) {
      const p = schemaProblem(e, locator, value);
      const k = `${p.line}:${p.col}:${p.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(p);
      }
    }
    // Also what only compile sees (globs, tool ids, duplicate names): every problem at once.
    for (const p of semanticProblems(value, locator)) {
      const k = `${p.line}:${p.col}:${p.message}`;
      if (!seen.has(k)) {
        seen.add(k);
        out.push(p);
      }
    }
    out.sort((a, b) => a.line - b.line || a.col - b.col);
    throw new PolicyError(out);
  }
  return compilePolicy(value as PolicyInput, locator);
}
