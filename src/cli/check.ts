import { checkStaged } from '../check/staged.js';
import { judgeCommits, parentOf, rangeBase, rangeIds, resolveCommit } from '../check/range.js';
import type { FileChange, Finding } from '../core/types.js';
import { CleanroomError, usageError } from '../errors.js';
import { renderJson, type Report } from '../report/json.js';
import { styleFor } from '../report/escape.js';
import { renderSarif } from '../report/sarif.js';
import { renderCodeQuality } from '../report/codequality.js';
import { writeAtomic } from '../fsutil.js';
import { extname, resolve } from 'node:path';
import { renderText } from '../report/text.js';
import { formatOf, parse, str } from './args.js';
import { gitContext, openWorkspace, workTreeSource } from './context.js';
import { openRepo } from '../git/repo.js';
import { policyFromRev, POLICY_REL } from '../check/policy-source.js';
import { ledgerSignalsForStaged } from './local-signals.js';
import type { Io } from './io.js';

export const CHECK_HELP = `usage: cleanroom check --staged [--message-file F]
       cleanroom check --range A..B | --commit REV

Judges changes against the policy: AI-attributed content in a zone whose verdict is
deny (or review, without a human-review attestation) is a violation.

  --staged            what \`git commit\` is about to record (the index, honouring
                      GIT_INDEX_FILE), with the agent environment and the ledger
  --message-file F    the commit message (trailers: reviews, overrides, co-authors)
  --range A..B        every commit in A..B (CI, pre-push)
  --commit REV        one commit
  --policy F          policy file (default .cleanroom/policy.yaml)
  --format text|json|sarif|codequality
  --output [FORMAT:]FILE
                      also write the report to FILE (repeatable), in FORMAT (json,
                      sarif, codequality, text) or by extension (.json, .sarif, .txt);
                      --format still chooses what is printed: one check, many reports
  --quiet             print only problems

exit: 0 clean, 1 violations, 2 usage, policy or internal error`;

export function printReport(io: Io, report: Report, format: string, context: 'commit' | 'push' | 'check', quiet: boolean): void {
  if (format === 'json') io.stdout(renderJson(report));
  else if (format === 'sarif') io.stdout(renderSarif(report));
  else if (format === 'codequality') io.stdout(renderCodeQuality(report));
  else {
    const text = renderText(report, { style: styleFor(io.env, io.stderrIsTTY), context, quiet });
    const violations = report.findings.some((f) => f.outcome === 'violation');
    (violations ? io.stderr : io.stdout)(text);
  }
}

const OUTPUT_FORMATS = ['json', 'sarif', 'codequality', 'text'] as const;
const BY_EXTENSION: Record<string, string> = { '.json': 'json', '.sarif': 'sarif', '.txt': 'text' };

/** `--output [FORMAT:]FILE` values → what to write where; checked before any work is done. */
export function outputsOf(values: unknown): { format: string; file: string }[] {
  const list = Array.isArray(values) ? (values as string[]) : [];
  return list.map((spec) => {
    const m = /^([a-z]+):(.+)$/.exec(spec);
    const format = m && (OUTPUT_FORMATS as readonly string[]).includes(m[1]!) ? m[1]! : BY_EXTENSION[extname(spec).toLowerCase()];
    const file = m && format === m[1] ? m[2]! : spec;
    if (!file) throw usageError('check: --output needs a file name');
    if (!format) throw usageError(`check: cannot tell the format of --output ${JSON.stringify(spec)}`, `write it as FORMAT:FILE, FORMAT one of ${OUTPUT_FORMATS.join(', ')} (e.g. sarif:cleanroom.sarif)`);
    return { format, file };
  });
}

/** Every report rendered first, then each file written atomically: none is half-written. */
function writeOutputs(io: Io, report: Report, outputs: readonly { format: string; file: string }[]): void {
  const render = (f: string): string =>
    f === 'json' ? renderJson(report) : f === 'sarif' ? renderSarif(report) : f === 'codequality' ? renderCodeQuality(report) : renderText(report, { style: styleFor({ NO_COLOR: '1' }, false), context: 'check', quiet: false });
  const rendered = outputs.map((o) => ({ file: resolve(io.cwd, o.file), text: render(o.format), name: o.file }));
  for (const r of rendered) {
    try {
      writeAtomic(r.file, r.text);
    } catch (e) {
      throw new CleanroomError('usage', `check: cannot write ${r.name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'choose a writable path for --output');
    }
  }
}

export const exitFor = (findings: readonly Finding[]): number => (findings.some((f) => f.outcome === 'violation') ? 1 : 0);

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('check', argv, {
    staged: { type: 'boolean' },
    'message-file': { type: 'string' },
    range: { type: 'string' },
    commit: { type: 'string' },
    output: { type: 'string', short: 'o', multiple: true },
  });
  if (values.help) {
    io.stdout(CHECK_HELP + '\n');
    return 0;
  }
  const format = formatOf('check', values.format, ['text', 'json', 'sarif', 'codequality']);
  const outputs = outputsOf(values.output);
  const modes = ['staged', 'range', 'commit'].filter((k) => values[k] !== undefined);
  if (modes.length !== 1) throw usageError('check: give exactly one of --staged, --range A..B, --commit REV', 'see cleanroom check --help');
  if (values['message-file'] !== undefined && !values.staged) throw usageError('check: --message-file goes with --staged');
  const quiet = values.quiet === true;
  if (values.staged) {
    const ws = await openWorkspace(io, str(values.policy));
    const localSignals = (files: readonly FileChange[]) => ledgerSignalsForStaged(ws.ctx, ws.repo, ws.policy.tools, files);
    const report = await checkStaged(ws.ctx, ws.repo, ws.policy, ws.trust, { messageFile: str(values['message-file']), localSignals }, io.now());
    writeOutputs(io, report, outputs);
    printReport(io, report, format, 'check', quiet);
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
  if (!pinned && values.policy === undefined) notes.push(`the base of the range has no ${POLICY_REL}: judged with the work tree's policy`);
  const findings: Finding[] = [];
  for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), { guardConfig: pinned !== undefined })) {
    findings.push(...j.findings);
    if (j.findings.length) notes.push(...j.notes.map((n) => `${j.record.id.slice(0, 12)}: ${n}`));
  }
  writeOutputs(io, { findings, notes }, outputs);
  printReport(io, { findings, notes }, format, 'check', quiet);
  return exitFor(findings);
}
