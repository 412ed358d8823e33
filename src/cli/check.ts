import { checkStaged } from '../check/staged.js';
import {
  judgeCommits,
  parentOf,
  rangeBase,
  rangeIds,
  refuseShallowBoundary,
  resolveCommit,
} from '../check/range.js';
import type { FileChange, Finding, Report } from '../core/types.js';
import { CleanroomError, usageError } from '../errors.js';
import { styleFor } from '../escape.js';
import { CHECK_TEXT_LIMIT, missingApprovers } from '../report/text.js';
import { CHECK_FORMATS, findFormat, formatForFile, formatNames } from '../report/formats.js';
import { writeAtomic } from '../fsutil.js';
import { resolve } from 'node:path';
import { parse, str } from './args.js';
import { gitContext, openWorkspace, workTreeSource } from './context.js';
import { openRepo } from '../git/repo.js';
import { policyFromRev, unreadableBase } from '../check/policy-source.js';
import { POLICY_PATH } from '../policy/paths.js';
import { runGit, type GitContext } from '../git/git.js';
import { ledgerSignalsForStaged } from './local-signals.js';
import { localInvocation, type Io } from './io.js';
import { addNotes, grantLogEntry } from '../check/grants.js';
import { appendGrantLog, type GrantLogInput } from '../sign/grant-log.js';

/**
 * Prints `report` in `format` (a CHECK_FORMATS name): text with violations goes to stderr,
 * anything else to stdout. Text lists at most CHECK_TEXT_LIMIT changes (the counts cover all).
 */
export async function printReport(
  io: Io,
  report: Report,
  format: string,
  context: 'commit' | 'push' | 'check',
  quiet: boolean,
  noApprovers?: string,
): Promise<void> {
  const toStderr = format === 'text' && report.findings.some((f) => f.outcome === 'violation');
  const style = toStderr
    ? styleFor(io.env, io.stderrIsTTY)
    : styleFor(io.env, io.stdoutIsTTY === true);
  const text = await findFormat(CHECK_FORMATS, format)!.render(report, {
    style,
    context,
    quiet,
    noApprovers,
    limit: CHECK_TEXT_LIMIT,
    run: toStderr && context !== 'push' ? localInvocation(io) : undefined,
  });
  (toStderr ? io.stderr : io.stdout)(text);
}

/**
 * `--output [FORMAT:]FILE` values → what to write where; checked before any work is done.
 * FORMAT is a check report format (src/report/formats.ts); without it, FILE's extension
 * chooses. @throws usage error (exit 2) for a missing file name or an unknown format
 */
export function outputsOf(values: unknown): { format: string; file: string }[] {
  const list = Array.isArray(values) ? (values as string[]) : [];
  const names = formatNames(CHECK_FORMATS);
  return list.map((spec) => {
    const m = /^([a-z]+):(.*)$/s.exec(spec);
    const named = m && names.includes(m[1]!) ? m[1]! : undefined;
    const file = named ? m![2]! : spec;
    const format = named ?? formatForFile(CHECK_FORMATS, spec)?.name;
    if (!file) throw usageError('check: --output needs a file name');
    if (!format)
      throw usageError(
        `check: cannot tell the format of --output ${JSON.stringify(spec)}`,
        `write it as FORMAT:FILE, FORMAT one of ${names.join(', ')} (e.g. sarif:cleanroom.sarif)`,
      );
    return { format, file };
  });
}

/** Every report rendered first, then each file written atomically: none is half-written. */
async function writeOutputs(
  io: Io,
  report: Report,
  outputs: readonly { format: string; file: string }[],
): Promise<void> {
  const plain = styleFor({ NO_COLOR: '1' }, false);
  const rendered: { file: string; text: string; name: string }[] = [];
  for (const o of outputs)
    rendered.push({
      file: resolve(io.cwd, o.file),
      text: await findFormat(CHECK_FORMATS, o.format)!.render(report, {
        style: plain,
        context: 'check',
        quiet: false,
      }),
      name: o.file,
    });
  for (const r of rendered) {
    try {
      writeAtomic(r.file, r.text);
    } catch (e) {
      throw new CleanroomError(
        'usage',
        `check: cannot write ${r.name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        'choose a writable path for --output',
      );
    }
  }
}

export const exitFor = (findings: readonly Finding[]): number =>
  findings.some((f) => f.outcome === 'violation') ? 1 : 0;

/** The first parent of `commit`; undefined only for a true root commit (no `parent` line). */
async function commitBase(ctx: GitContext, commit: string): Promise<string | undefined> {
  const parent = await parentOf(ctx, commit);
  if (parent !== undefined) return parent;
  const { stdout } = await runGit(ctx, ['cat-file', 'commit', commit]);
  const head = stdout.subarray(0, Math.max(0, stdout.indexOf('\n\n'))).toString('latin1');
  if (/^parent /m.test(head))
    throw await unreadableBase(ctx, `the parent of ${commit.slice(0, 12)} is not in this clone`);
  return undefined;
}

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('check', argv);
  const format = str(values.format) ?? 'text';
  const outputs = outputsOf(values.output);
  const modes = ['staged', 'range', 'commit'].filter((k) => values[k] !== undefined);
  if (modes.length !== 1)
    throw usageError(
      'check: give exactly one of --staged, --range A..B, --commit REV',
      'see cleanroom check --help',
    );
  if (values['message-file'] !== undefined && !values.staged)
    throw usageError('check: --message-file goes with --staged');
  const quiet = values.quiet === true;
  if (values.staged) {
    const ws = await openWorkspace(io, str(values.policy));
    const localSignals = (files: readonly FileChange[]) =>
      ledgerSignalsForStaged(ws.ctx, ws.repo, ws.policy.tools, files);
    const report = await checkStaged(
      ws.ctx,
      ws.repo,
      ws.policy,
      ws.trust,
      { messageFile: str(values['message-file']), localSignals, configFromBase: ws.own },
      io.now(),
    );
    await writeOutputs(io, report, outputs);
    await printReport(io, report, format, 'check', quiet, missingApprovers(ws));
    return exitFor(report.findings);
  }
  const ctx = gitContext(io);
  await openRepo(ctx); // "not a git repository" before anything else
  const commit =
    values.commit !== undefined ? await resolveCommit(ctx, str(values.commit)!) : undefined;
  const range = str(values.range);
  // A shallow clone's boundary commit would be blamed for its whole tree: refused.
  const ids = refuseShallowBoundary(ctx, commit ? [commit] : await rangeIds(ctx, range!));
  // A tree Git never writes (an entry named "..", "a/b", ".git"; duplicates) is refused
  // before any of it is judged at a path no checkout has (src/git/trees.ts). rangeIds has
  // checked the range (a typo is a usage error); its rev-list starts when read.
  const { assertWellFormedTrees } = await import('../git/trees.js');
  await assertWellFormedTrees(
    ctx,
    commit ? [commit, '--not', `${commit}^@`] : ['--end-of-options', range!],
  );
  // CI: the policy is pinned to the base of the range, so the change under review cannot
  // weaken the policy that judges it; changes to .cleanroom/ then need an override. A
  // base this clone cannot read (shallow, partial) is an error (exit 2), never a reason
  // to judge with the work tree's policy, which is the change's own.
  const base = commit ? await commitBase(ctx, commit) : await rangeBase(ctx, range!);
  const pinned =
    values.policy === undefined && base
      ? await policyFromRev(ctx, base, base.slice(0, 12))
      : undefined;
  const source = pinned ?? (await workTreeSource(io, str(values.policy)));
  const notes: string[] = [];
  if (!pinned && values.policy === undefined) {
    notes.push(
      base
        ? `the base of the range (${base.slice(0, 12)}) has no ${POLICY_PATH}: judged with the work tree's policy`
        : `no base commit (a root commit or a single revision): judged with the work tree's policy`,
    );
  }
  const findings: Finding[] = [];
  const grantLog = str(values['grant-log']);
  const logged: GrantLogInput[] = [];
  for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), {
    guardConfig: pinned !== undefined,
  })) {
    findings.push(...j.findings);
    if (j.findings.length) addNotes(notes, j.record.id, j.notes);
    if (grantLog && /cleanroom-(override|review)/i.test(j.record.message)) {
      logged.push(grantLogEntry(source.policy, j.record, source.trust, io.now()));
    }
  }
  await writeOutputs(io, { findings, notes }, outputs);
  await printReport(io, { findings, notes }, format, 'check', quiet, missingApprovers(source));
  if (grantLog && exitFor(findings) === 0)
    appendGrantLog(
      resolve(io.cwd, grantLog),
      logged,
      { source: source.origin, rev: pinned ? base : undefined },
      io.now(),
    );
  return exitFor(findings);
}
