// Help text, rendered from the command table (src/cli/commands.ts): what `--help`,
// `cleanroom help CMD` and docs/cli.md show cannot drift from what the parser accepts.

import { VERSION } from '../version.js';
import { COMMANDS, type CommandSpec, type Options } from './commands.js';

const COL = 22;

function optionLines(options: Options): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`;
    const head = `  ${flag}`;
    // Continuation lines of the help sit under its first line.
    const help = o.help.replace(/\n/g, `\n${' '.repeat(COL)}`);
    return head.length + 2 <= COL ? head.padEnd(COL) + help : `${head}\n${' '.repeat(COL)}${help}`;
  });
}

/** `cleanroom CMD --help`: usage lines, what it does, every option, exit codes. */
export function commandHelp(spec: CommandSpec): string {
  const out: string[] = [
    spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}cleanroom ${u}`).join('\n'),
    '',
    spec.about,
  ];
  const own = optionLines(spec.options);
  if (own.length) out.push('', ...own);
  for (const [sub, s] of Object.entries(spec.subcommands ?? {})) {
    const lines = optionLines(s.options);
    if (lines.length) out.push('', `${spec.name} ${sub}:`, ...lines);
  }
  out.push('', '  -h, --help'.padEnd(COL) + 'this text');
  if (spec.formatDocs) {
    out.push('', 'formats:');
    for (const f of spec.formatDocs)
      out.push(
        `  ${`${f.name}${f.extensions.length ? ` (${f.extensions.join(' ')})` : ''}`.padEnd(COL - 2)}${f.description}`,
      );
  }
  if (spec.footer) out.push('', spec.footer);
  return out.join('\n') + '\n';
}

/** The command list of `cleanroom --help` and docs/cli.md. */
export function commandList(): string {
  const shown = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...shown.map((c) => c.name.length)) + 4;
  return shown.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
}

const GLOBAL_FOOTER = `common: --help on every command, cleanroom help COMMAND, cleanroom --version;
        colour only on a terminal (NO_COLOR, FORCE_COLOR=0 and TERM=dumb turn it off)
exit: 0 clean, 1 violations found, 2 usage, policy or internal error
docs: docs/cli.md`;

/** `cleanroom --help`. */
export function globalHelp(): string {
  return `cleanroom ${VERSION} — keeps model-generated content out of eval and training directories

usage: cleanroom COMMAND [options]

${commandList()}

${GLOBAL_FOOTER}
`;
}

export const DOCS_BEGIN =
  '<!-- BEGIN generated from src/cli/commands.ts: UPDATE_GOLDEN=1 npx vitest run test/unit/cli/commands.test.ts -->';
export const DOCS_END = '<!-- END generated -->';

/** The generated part of docs/cli.md: the command list, then each command's --help. */
export function cliDocs(): string {
  const parts = [
    DOCS_BEGIN,
    '',
    '```',
    'usage: cleanroom COMMAND [options]',
    '',
    commandList(),
    '',
    GLOBAL_FOOTER,
    '```',
  ];
  for (const c of COMMANDS) {
    parts.push(
      '',
      `### \`cleanroom ${c.name}\``,
      '',
      c.summary[0]!.toUpperCase() + c.summary.slice(1) + '.',
      '',
      '```',
      commandHelp(c).trimEnd(),
      '```',
    );
  }
  parts.push('', DOCS_END);
  return parts.join('\n');
}
