// Option parsing with node:util parseArgs in strict mode: an unknown or misspelt flag
// is a usage error (exit 2), never silently ignored.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors.js';
import { didYouMean } from '../policy/suggest.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON: Options = {
  policy: { type: 'string' },
  format: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

export function parse(
  command: string,
  argv: string[],
  options: Options,
  opts: { positionals?: boolean } = {},
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: argv, options: { ...COMMON, ...options }, strict: true, allowPositionals: opts.positionals ?? false });
    return { values: r.values as Record<string, string | boolean | string[] | undefined>, positionals: r.positionals };
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown/, 'unknown');
    const flag = /option '(--?[\w-]+)'/.exec(msg)?.[1];
    const known = Object.keys({ ...COMMON, ...options }).map((k) => `--${k}`);
    const guess = flag?.startsWith('--') ? didYouMean(flag, known) : '';
    throw usageError(`${command}: ${msg}${guess}`, `see cleanroom ${command} --help`);
  }
}

export function formatOf(command: string, value: unknown, allowed: readonly string[]): string {
  const f = typeof value === 'string' ? value : 'text';
  if (!allowed.includes(f)) throw usageError(`${command}: unknown --format ${JSON.stringify(f)}`, `use one of: ${allowed.join(', ')}`);
  return f;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
