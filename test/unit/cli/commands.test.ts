// The command table drives parsing, --help, `help CMD`, did-you-mean and docs/cli.md.
// Each case from issue 16 §6 / issue 13 "Commands" has a human control beside it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../../src/cli/main.js';
import { COMMANDS } from '../../../src/cli/commands.js';
import { cliDocs, commandHelp, DOCS_END } from '../../../src/cli/help.js';
import type { Io } from '../../../src/cli/io.js';
import { AUDIT_FORMATS, CHECK_FORMATS } from '../../../src/report/formats.js';
import { ROOT } from '../../helpers/repo.js';

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const stdin = new PassThrough();
  stdin.end();
  const io: Io = {
    cwd: ROOT,
    env: { NO_COLOR: '1', ...env },
    stdin,
    stdinIsTTY: false,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
    stderrIsTTY: false,
    now: () => new Date('2026-01-01T00:00:00Z'),
    packageRoot: ROOT,
  };
  const code = await run(args, io);
  return { code, stdout, stderr };
}

describe('help', () => {
  it("`help CMD` prints that command's help, as `CMD --help` does (not the global help)", async () => {
    for (const c of COMMANDS) {
      const viaHelp = await cli(['help', c.name]);
      expect(viaHelp.code, c.name).toBe(0);
      expect(viaHelp.stdout).toBe(commandHelp(c));
      expect(viaHelp.stdout).toContain(`usage: cleanroom ${c.name}`);
    }
    const control = await cli(['check', '--help']);
    expect(control).toEqual({
      code: 0,
      stdout: commandHelp(COMMANDS.find((c) => c.name === 'check')!),
      stderr: '',
    });
  });

  it('every option the parser takes is in the help text (no --log, --hooks-dir left out)', () => {
    for (const c of COMMANDS) {
      const help = commandHelp(c);
      const all = {
        ...c.options,
        ...Object.fromEntries(
          Object.values(c.subcommands ?? {}).flatMap((s) => Object.entries(s.options)),
        ),
      };
      for (const name of Object.keys(all))
        expect(help, `${c.name} --${name}`).toMatch(new RegExp(`--${name}\\b`));
    }
    expect(commandHelp(COMMANDS.find((c) => c.name === 'pre-receive')!)).toContain('--log F');
    expect(commandHelp(COMMANDS.find((c) => c.name === 'install-server')!)).toContain(
      '--hooks-dir DIR',
    );
  });

  it('help of an unknown command is a usage error with a guess', async () => {
    const r = await cli(['help', 'chek']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "check"');
  });

  it('docs/cli.md carries the generated CLI block (UPDATE_GOLDEN=1 rewrites it)', () => {
    const file = join(ROOT, 'docs', 'cli.md');
    const text = readFileSync(file, 'utf8');
    const begin = text.indexOf('<!-- BEGIN generated');
    const end = text.indexOf(DOCS_END);
    expect(begin, 'docs/cli.md has the BEGIN marker').toBeGreaterThanOrEqual(0);
    const current = text.slice(begin, end + DOCS_END.length);
    if (process.env.UPDATE_GOLDEN === '1')
      writeFileSync(file, text.slice(0, begin) + cliDocs() + text.slice(end + DOCS_END.length));
    else expect(current).toBe(cliDocs());
  });
});

describe('a flag a command does not take is a usage error (exit 2)', () => {
  it('doctor --format sarif', async () => {
    const r = await cli(['doctor', '--format', 'sarif']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('doctor takes no --format option');
    expect(r.stdout).toBe('');
  });

  it('policy validate --format json', async () => {
    const r = await cli(['policy', 'validate', '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('policy validate takes no --format option');
  });

  it('explain --quiet, init --policy, grant options on the wrong subcommand', async () => {
    for (const args of [
      ['explain', 'x', '--quiet'],
      ['init', '--policy', 'p.yaml'],
      ['override', 'sign', '--reason', 'x'],
      ['review', 'request', '--key', 'k'],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/unknown option/);
    }
  });

  it('a misspelt flag gets a guess; a misspelt --format value too', async () => {
    const r = await cli(['check', '--stagde']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "--staged"');
    const f = await cli(['check', '--staged', '--format', 'jsno']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('did you mean "json"');
  });

  it('--version is a top-level flag: `audit --version` says where it goes; `--version` works', async () => {
    const r = await cli(['audit', '--version']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('run cleanroom --version');
    const control = await cli(['--version']);
    expect(control.code).toBe(0);
    expect(control.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an unknown subcommand gets a guess', async () => {
    const r = await cli(['policy', 'tset']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('did you mean "test"');
  });
});

describe('report formats come from one registry', () => {
  it('the table offers exactly the registry formats, and help lists them', () => {
    const check = COMMANDS.find((c) => c.name === 'check')!;
    const audit = COMMANDS.find((c) => c.name === 'audit')!;
    expect(check.formats).toEqual(CHECK_FORMATS.map((f) => f.name));
    expect(audit.formats).toEqual(AUDIT_FORMATS.map((f) => f.name));
    for (const f of AUDIT_FORMATS) expect(commandHelp(audit)).toContain(f.name);
  });

  it('audit -o report.pdf is a usage error, not a text file named .pdf', async () => {
    const r = await cli(['audit', '-o', 'report.pdf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot tell the format of --output "report.pdf"');
    expect(r.stderr).toContain('.json');
  });
});

describe('error.kind in JSON (ErrorKind is read)', () => {
  it('a failing command asked for --format json prints {format, ok: false, error: {kind, message, hint}} on stdout, exit 2', async () => {
    const r = await cli([
      'check',
      '--staged',
      '--format',
      'json',
      '--policy',
      '/nonexistent/policy.yaml',
    ]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as {
      format: number;
      ok: boolean;
      error: { kind: string; message: string };
    };
    expect(doc.format).toBe(1);
    expect(doc.ok).toBe(false);
    expect(['usage', 'policy', 'git', 'input']).toContain(doc.error.kind);
    expect(r.stderr).toContain(doc.error.message.split('\n')[0]!);
  });
  it('control: without --format json, stdout stays empty', async () => {
    const r = await cli(['check', '--staged', '--policy', '/nonexistent/policy.yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
