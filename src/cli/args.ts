// Option parsing with node:util parseArgs in strict mode, from the command table
// (src/cli/commands.ts): an unknown, misspelt or foreign flag (`doctor --format sarif`)
// is a usage error (exit 2), never silently ignored.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from '../errors.js';
import { didYouMean } from '../policy/suggest.js';
import { commandSpec, type Options } from './commands.js';

export type Values = Record<string, string | boolean | string[] | undefined>;

/** The parser's view of a table row or subcommand row. */
function specFor(command: string): {
  options: Options;
  positionals: boolean;
  formats?: readonly string[];
} {
  const [name, sub] = command.split(' ', 2) as [string, string | undefined];
  const spec = commandSpec(name);
  if (!spec) throw new Error(`no command "${name}" in the command table`);
  if (sub === undefined)
    return {
      options: spec.options,
      positionals: spec.positionals !== undefined,
      formats: spec.formats,
    };
  const s = spec.subcommands?.[sub];
  if (!s) throw new Error(`no subcommand "${command}" in the command table`);
  return { options: s.options, positionals: s.positionals !== undefined };
}

/**
 * Parses `argv` (the arguments after the command, or after the subcommand) with the
 * options the table gives `command` ("check", "override sign"), plus -h/--help.
 * A --format outside the row's `formats` is a usage error here, with the list.
 * @throws CleanroomError kind "usage" for anything the row does not take.
 */
export function parse(
  command: string,
  argv: readonly string[],
): { values: Values; positionals: string[] } {
  const spec = specFor(command);
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, o] of Object.entries(spec.options))
    options[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  let r: { values: Values; positionals: string[] };
  try {
    r = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: spec.positionals,
    }) as { values: Values; positionals: string[] };
  } catch (e) {
    const msg = (e as Error).message
      .replace(/\. To specify a positional argument.*$/s, '')
      .replace(/^Unknown/, 'unknown');
    const flag = /option '(--?[\w-]+)'/.exec(msg)?.[1];
    if (flag === '--version' || flag === '-V')
      throw usageError(
        `${command}: --version is not an option of a command`,
        'run cleanroom --version',
      );
    if (flag === '--format' && !spec.formats)
      throw usageError(
        `${command} takes no --format option (it prints text only)`,
        `see cleanroom ${command.split(' ')[0]} --help`,
      );
    const known = Object.keys(options).map((k) => `--${k}`);
    const guess = flag?.startsWith('--') ? didYouMean(flag, known) : '';
    const positional = /^Unexpected argument '(.*)'$/s.exec(
      (e as Error).message.replace(/\. This command does not take.*$/s, ''),
    )?.[1];
    if (positional !== undefined)
      throw usageError(
        `${command}: takes no argument (got ${JSON.stringify(positional)})`,
        `see cleanroom ${command.split(' ')[0]} --help`,
      );
    throw usageError(`${command}: ${msg}${guess}`, `see cleanroom ${command.split(' ')[0]} --help`);
  }
  const format = r.values.format;
  if (format !== undefined && spec.formats) formatOf(command, format, spec.formats);
  return r;
}

/** The --format value (default text), checked against `allowed`. @throws usage error naming the list */
export function formatOf(command: string, value: unknown, allowed: readonly string[]): string {
  const f = typeof value === 'string' ? value : 'text';
  if (!allowed.includes(f))
    throw usageError(
      `${command}: unknown --format ${JSON.stringify(f)}${didYouMean(f, allowed)}`,
      `use one of: ${allowed.join(', ')}`,
    );
  return f;
}

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
