import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { scanHistory } from '../audit/scan.js';
import type { AuditReport } from '../audit/report.js';
import { CleanroomError, usageError } from '../errors.js';
import { styleFor } from '../report/escape.js';
import { renderAuditHtml } from '../report/audit-html.js';
import { renderAuditJson } from '../report/audit-json.js';
import { renderAuditSarif } from '../report/audit-sarif.js';
import { renderAuditText } from '../report/audit-text.js';
import { gitText } from '../git/git.js';
import { formatOf, parse, str } from './args.js';
import { openWorkspace } from './context.js';
import { auditGrantLog } from './log.js';
import type { Io } from './io.js';

export const AUDIT_VERSION = '0.1.0';

export const AUDIT_HELP = `usage: cleanroom audit [--range R | --all] [--since DATE] [--format text|json|sarif|html] [--output F]

Is the eval set already contaminated? Walks the history once, judges every commit as
the server would, and answers per zone: which paths that exist now have AI-attributed
history without a review or an override, through which commits and tools, and which
reviews and overrides were used, by whom. Renames carry contamination with the file;
deleting the file is the cure.

  --range R         A..B, A...B or one revision (default HEAD); "exists now" means
                    in the tree of the range's tip
  --all             every ref (branches, tags); each tip's tree counts
  --since DATE      only commits since DATE (committer date, e.g. 2025-01-31)
  --format F        text (default), json, sarif, html; with --output, the file's
                    extension (.json, .sarif, .html) chooses when --format is absent
  --output F        write the report to F instead of standard output
  --policy F        policy file (default .cleanroom/policy.yaml); it judges all history
  --quiet           text: the summary only, no per-path details
  --grant-log F     also list the grants in the override log F (pre-receive's or
                    CI's) and verify it (to stderr; a log that does not verify exits 1)

A progress line (commits/s, ETA) goes to stderr when it is a terminal.
exit: 0 no contaminated path, 1 contaminated paths found, 2 usage, policy or internal error`;

const BY_EXTENSION: Record<string, string> = { '.json': 'json', '.sarif': 'sarif', '.html': 'html', '.htm': 'html', '.txt': 'text' };

function render(report: AuditReport, format: string, io: Io, quiet: boolean, toFile: boolean): string {
  if (format === 'json') return renderAuditJson(report);
  if (format === 'sarif') return renderAuditSarif(report);
  if (format === 'html') return renderAuditHtml(report);
  return renderAuditText(report, { style: styleFor(io.env, toFile ? false : io.stderrIsTTY), quiet });
}

/** `12,345/100,000 commits · 8,512 commits/s · ETA 11 s`, redrawn in place at most 5 times a second. */
function progress(io: Io): { tick: (done: number, total: number | undefined) => void; end: () => void } {
  const start = io.now().getTime();
  let last = 0;
  let drawn = false;
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
  return {
    tick(done, total) {
      const t = io.now().getTime();
      if (t - last < 200) return;
      last = t;
      const rate = done / Math.max((t - start) / 1000, 0.001);
      const eta = total && rate > 0 ? ` · ETA ${fmt(Math.max(total - done, 0) / rate)} s` : '';
      io.stderr(`\r\u001b[2Kcleanroom audit: ${fmt(done)}${total ? `/${fmt(total)}` : ''} commits · ${fmt(rate)} commits/s${eta}`);
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\r\u001b[2K');
    },
  };
}

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('audit', argv, {
    range: { type: 'string' },
    all: { type: 'boolean' },
    since: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'grant-log': { type: 'string' },
  });
  if (values.help) {
    io.stdout(AUDIT_HELP + '\n');
    return 0;
  }
  const output = str(values.output);
  if (output === '') throw usageError('audit: --output needs a file name');
  const inferred = output !== undefined && values.format === undefined ? BY_EXTENSION[extname(output).toLowerCase()] : undefined;
  const format = formatOf('audit', inferred ?? values.format, ['text', 'json', 'sarif', 'html']);
  if (values.all && values.range !== undefined) throw usageError('audit: give --range R or --all, not both');
  const ws = await openWorkspace(io, str(values.policy));
  const bar = io.stderrIsTTY ? progress(io) : undefined;
  let report: AuditReport;
  try {
    report = await scanHistory(
      ws.ctx,
      ws.repo,
      ws.policy,
      ws.trust,
      { range: str(values.range), all: values.all === true, since: str(values.since), version: AUDIT_VERSION, onProgress: bar?.tick, countFirst: bar !== undefined },
      io.now(),
    );
  } finally {
    bar?.end();
  }
  if (report.history.commits === 0) {
    const any = (await gitText(ws.ctx, ['rev-list', '-n', '1', '--all'])).trim();
    io.stderr(
      any
        ? `cleanroom: no commits in ${report.scope.all ? 'any ref' : (report.scope.range ?? 'HEAD')}${report.scope.since ? ` since ${report.scope.since}` : ''} — nothing to audit (the report is empty)\n`
        : 'cleanroom: the repository has no commits yet — nothing to audit (the report is empty)\n',
    );
  }
  if (!report.history.complete) {
    io.stderr(
      `cleanroom: warning: this is a shallow clone — history before ${report.history.shallowBoundary.length} boundary commit(s) is missing, so the audit is incomplete\n` +
        '  → run git fetch --unshallow (or clone without --depth) and audit again\n',
    );
  }
  const absent = report.history.absentObjects ?? [];
  if (absent.length) {
    io.stderr(
      `cleanroom: warning: ${absent.length} object(s) are absent from this repository (a partial clone, or a damaged one), e.g. ${absent.slice(0, 3).join(', ')}; ` +
        'the audit ran without rename detection, so content moved between paths is judged where it landed, without its history\n' +
        '  → fetch the missing objects (git fetch --refetch, or clone without --filter) and audit again for moved-content tracking\n',
    );
  }
  const text = render(report, format, io, values.quiet === true, output !== undefined);
  if (output !== undefined) {
    const file = resolve(io.cwd, output);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch (e) {
      throw new CleanroomError('usage', `audit: cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'choose a writable path for --output');
    }
    if (values.quiet !== true) {
      io.stderr(`cleanroom audit: ${report.ok ? 'clean' : `${report.summary.contaminatedPaths} contaminated path(s)`} — ${format} report written to ${output}\n`);
    }
  } else {
    io.stdout(text);
  }
  const grantLog = str(values['grant-log']);
  if (grantLog !== undefined) {
    let logText: string;
    try {
      logText = readFileSync(resolve(io.cwd, grantLog), 'utf8');
    } catch (e) {
      throw usageError(`audit: cannot read ${grantLog}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const g = await auditGrantLog(ws.ctx, grantLog, logText);
    io.stderr(g.lines.join('\n') + '\n');
    if (!g.ok) return 1;
  }
  return report.ok ? 0 : 1;
}
