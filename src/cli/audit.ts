import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { scanHistory } from '../audit/scan.js';
import type { AuditReport } from '../audit/report.js';
import { CleanroomError, usageError } from '../errors.js';
import { styleFor } from '../escape.js';
import { AUDIT_FORMATS, findFormat, formatForFile, formatNames } from '../report/formats.js';
import { gitText } from '../git/git.js';
import { formatOf, parse, str } from './args.js';
import { openWorkspace } from './context.js';
import { auditGrantLog, logTrustAt } from './log.js';
import { verifyGrantLog, type GrantLogRecord } from '../sign/grant-log.js';
import type { GitContext } from '../git/git.js';
import type { Io } from './io.js';
import { VERSION } from '../version.js';
import { longRun } from '../long-run.js';

/** `12,345/100,000 commits · 8,512 commits/s · ETA 11 s`, redrawn in place at most 5 times a second. */
function progress(io: Io): {
  tick: (done: number, total: number | undefined) => void;
  end: () => void;
} {
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
      io.stderr(
        `\r\u001b[2Kcleanroom audit: ${fmt(done)}${total ? `/${fmt(total)}` : ''} commits · ${fmt(rate)} commits/s${eta}`,
      );
      drawn = true;
    },
    end() {
      if (drawn) io.stderr('\r\u001b[2K');
    },
  };
}

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('audit', argv);
  // An audit reads the history it is given, commonly all of it: long from the start.
  longRun();
  const output = str(values.output);
  if (output === '') throw usageError('audit: --output needs a file name');
  // --output chooses the format by its extension; an extension no format has (report.pdf)
  // is an error rather than a text file with a misleading name.
  const byFile = output !== undefined ? formatForFile(AUDIT_FORMATS, output) : undefined;
  if (output !== undefined && !byFile && values.format === undefined) {
    const exts = AUDIT_FORMATS.flatMap((f) => f.extensions).join(', ');
    throw usageError(
      `audit: cannot tell the format of --output ${JSON.stringify(output)} from its extension`,
      `name the file with one of ${exts}, or give --format ${formatNames(AUDIT_FORMATS).join('|')}`,
    );
  }
  const format = formatOf('audit', str(values.format) ?? byFile?.name, formatNames(AUDIT_FORMATS));
  if (values.all && values.range !== undefined)
    throw usageError('audit: give --range R or --all, not both');
  const ws = await openWorkspace(io, str(values.policy));
  // The override log is read first: the time it recorded for a commit's grants is when a
  // server accepted them, and judges their expiry (docs/audit.md "Grants and time").
  const grantLog = str(values['grant-log']);
  let logText: string | undefined;
  let grantTimes: Map<string, Date> | undefined;
  if (grantLog !== undefined) {
    try {
      logText = readFileSync(resolve(io.cwd, grantLog), 'utf8');
    } catch (e) {
      throw usageError(
        `audit: cannot read ${grantLog}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    grantTimes = await acceptedTimes(ws.ctx, logText);
  }
  const bar = io.stderrIsTTY ? progress(io) : undefined;
  let report: AuditReport;
  try {
    report = await scanHistory(
      ws.ctx,
      ws.repo,
      ws.policy,
      ws.trust,
      {
        range: str(values.range),
        all: values.all === true,
        since: str(values.since),
        version: VERSION,
        onProgress: bar?.tick,
        countFirst: bar !== undefined,
        grantTimes,
      },
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
    // The walk met a shallow clone's boundary: a CLEAN here says nothing about what the
    // missing commits wrote. Refuse (exit 2, nothing written) unless a partial audit is
    // asked for; then the report says INCOMPLETE and `ok` is false.
    if (values['allow-shallow'] !== true)
      throw new CleanroomError(
        'input',
        `audit: this is a shallow clone — history before ${report.history.shallowBoundary.length} boundary commit(s) is missing, so the audit cannot say what it wrote`,
        'run git fetch --unshallow (in CI: fetch-depth: 0) and audit again, or pass --allow-shallow for a report marked INCOMPLETE',
      );
    io.stderr(
      `cleanroom: warning: this is a shallow clone — history before ${report.history.shallowBoundary.length} boundary commit(s) is missing, so the audit is INCOMPLETE\n` +
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
  const style = styleFor(io.env, output === undefined && io.stdoutIsTTY === true);
  const text = await findFormat(AUDIT_FORMATS, format)!.render(report, {
    style,
    context: 'check',
    quiet: values.quiet === true,
  });
  if (output !== undefined) {
    const file = resolve(io.cwd, output);
    try {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    } catch (e) {
      throw new CleanroomError(
        'usage',
        `audit: cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        'choose a writable path for --output',
      );
    }
    if (values.quiet !== true) {
      io.stderr(
        `cleanroom audit: ${report.summary.contaminatedPaths === 0 ? (report.history.complete ? 'clean' : 'INCOMPLETE (shallow clone), nothing found in what was fetched') : `${report.summary.contaminatedPaths} contaminated path(s)`} — ${format} report written to ${output}\n`,
      );
    }
  } else {
    io.stdout(text);
  }
  if (grantLog !== undefined && logText !== undefined) {
    const g = await auditGrantLog(ws.ctx, grantLog, logText);
    io.stderr(g.lines.join('\n') + '\n');
    if (!g.ok) return 1;
  }
  // --allow-shallow: the exit code speaks of the part audited (`ok` stays false).
  return report.summary.contaminatedPaths === 0 ? 0 : 1;
}

/**
 * commit id → the earliest time the override log says its grants were accepted; only
 * from a log whose chain, signatures and signers all verify (a log with any problem
 * credits nothing: the audit then judges expiry by its own clock, and says the log failed).
 */
async function acceptedTimes(ctx: GitContext, text: string): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  const v = await verifyGrantLog(text, logTrustAt(ctx));
  if (v.problems.length || v.unchecked.length) return out;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as GrantLogRecord;
    const t = new Date(r.time);
    const had = out.get(r.commit);
    if (!Number.isNaN(t.getTime()) && (!had || t < had)) out.set(r.commit, t);
  }
  return out;
}
