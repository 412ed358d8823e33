import { checkStaged } from '../check/staged.js';
import { judgeCommits, parentOf, rangeBase, rangeIds, resolveCommit } from '../check/range.js';
import type { FileChange, Finding } from '../core/types.js';
import { usageError } from '../errors.js';
import type { Report } from '../core/types.js';
import { styleFor } from '../report/escape.js';
import { CHECK_FORMATS, findFormat } from '../report/formats.js';
import { parse, str } from './args.js';
import { gitContext, openWorkspace, workTreeSource } from './context.js';
import { openRepo } from '../git/repo.js';
import { policyFromRev } from '../check/policy-source.js';
import { POLICY_PATH } from '../policy/paths.js';
import { ledgerSignalsForStaged } from './local-signals.js';
import type { Io } from './io.js';

/** Prints `report` in `format` (a CHECK_FORMATS name): text with violations goes to stderr, anything else to stdout. */
export async function printReport(io: Io, report: Report, format: string, context: 'commit' | 'push' | 'check', quiet: boolean): Promise<void> {
  const toStderr = format === 'text' && report.findings.some((f) => f.outcome === 'violation');
  const style = toStderr ? styleFor(io.env, io.stderrIsTTY) : styleFor(io.env, io.stdoutIsTTY === true);
  const text = await findFormat(CHECK_FORMATS, format)!.render(report, { style, context, quiet });
  (toStderr ? io.stderr : io.stdout)(text);
}

export const exitFor = (findings: readonly Finding[]): number => (findings.some((f) => f.outcome === 'violation') ? 1 : 0);

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('check', argv);
  const format = str(values.format) ?? 'text';
  const modes = ['staged', 'range', 'commit'].filter((k) => values[k] !== undefined);
  if (modes.length !== 1) throw usageError('check: give exactly one of --staged, --range A..B, --commit REV', 'see cleanroom check --help');
  if (values['message-file'] !== undefined && !values.staged) throw usageError('check: --message-file goes with --staged');
  const quiet = values.quiet === true;
  if (values.staged) {
    const ws = await openWorkspace(io, str(values.policy));
    const localSignals = (files: readonly FileChange[]) => ledgerSignalsForStaged(ws.ctx, ws.repo, ws.policy.tools, files);
    const report = await checkStaged(ws.ctx, ws.repo, ws.policy, ws.trust, { messageFile: str(values['message-file']), localSignals }, io.now());
    await printReport(io, report, format, 'check', quiet);
    return exitFor(report.findings);
  }
  const ctx = gitContext(io);
  await openRepo(ctx); // "not a git repository" before anything else
  const commit = values.commit !== undefined ? await resolveCommit(ctx, str(values.commit)!) : undefined;
  const range = str(values.range);
  const ids = commit ? [commit] : await rangeIds(ctx, range!);
  // CI: the policy is pinned to the base of the range, so the change under review cannot
  // weaken the policy that judges it; changes to .cleanroom/ then need an override.
  const base = commit ? await parentOf(ctx, commit) : await rangeBase(ctx, range!);
  const pinned = values.policy === undefined && base ? await policyFromRev(ctx, base, base.slice(0, 12)) : undefined;
  const source = pinned ?? (await workTreeSource(io, str(values.policy)));
  const notes: string[] = [];
  if (!pinned && values.policy === undefined) notes.push(`the base of the range has no ${POLICY_PATH}: judged with the work tree's policy`);
  const findings: Finding[] = [];
  for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), { guardConfig: pinned !== undefined })) {
    findings.push(...j.findings);
    if (j.findings.length) notes.push(...j.notes.map((n) => `${j.record.id.slice(0, 12)}: ${n}`));
  }
  await printReport(io, { findings, notes }, format, 'check', quiet);
  return exitFor(findings);
}
