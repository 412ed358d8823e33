import { checkStaged } from '../check/staged.js';
import { judgeCommits, parentOf, rangeBase, rangeIds, refuseShallowBoundary, resolveCommit } from '../check/range.js';
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
import { policyFromRev, POLICY_REL, unreadableBase } from '../check/policy-source.js';
import { runGit, type GitContext } from '../git/git.js';
import { ledgerSignalsForStaged } from './local-signals.js';
import type { Io } from './io.js';
import { acceptedGrants, addNotes } from '../check/grants.js';
import { appendGrantLog, type GrantLogInput } from '../sign/grant-log.js';

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
  --grant-log F       with --range/--commit: append the accepted overrides and signed
                      reviews to F, the hash-chained override log (a CI artifact)
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

/** The first parent of `commit`; undefined only for a true root commit (no `parent` line). */
async function commitBase(ctx: GitContext, commit: string): Promise<string | undefined> {
  const parent = await parentOf(ctx, commit);
  if (parent !== undefined) return parent;
  const { stdout } = await runGit(ctx, ['cat-file', 'commit', commit]);
  const head = stdout.subarray(0, Math.max(0, stdout.indexOf('\n\n'))).toString('latin1');
  if (/^parent /m.test(head)) throw await unreadableBase(ctx, `the parent of ${commit.slice(0, 12)} is not in this clone`);
  return undefined;
}

export async function checkCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('check', argv, {
    staged: { type: 'boolean' },
    'message-file': { type: 'string' },
    range: { type: 'string' },
    commit: { type: 'string' },
    'grant-log': { type: 'string' },
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
  // A shallow clone's boundary commit would be blamed for its whole tree: refused.
  const ids = refuseShallowBoundary(ctx, commit ? [commit] : await rangeIds(ctx, range!));
  // CI: the policy is pinned to the base of the range, so the change under review cannot
  // weaken the policy that judges it; changes to .cleanroom/ then need an override. A
  // base this clone cannot read (shallow, partial) is an error (exit 2), never a reason
  // to judge with the work tree's policy, which is the change's own.
  const base = commit ? await commitBase(ctx, commit) : await rangeBase(ctx, range!);
  const pinned = values.policy === undefined && base ? await policyFromRev(ctx, base, base.slice(0, 12)) : undefined;
  const source = pinned ?? (await workTreeSource(io, str(values.policy)));
  const notes: string[] = [];
  if (!pinned && values.policy === undefined) {
    notes.push(base ? `the base of the range (${base.slice(0, 12)}) has no ${POLICY_REL}: judged with the work tree's policy` : `no base commit (a root commit or a single revision): judged with the work tree's policy`);
  }
  const findings: Finding[] = [];
  const grantLog = str(values['grant-log']);
  const logged: GrantLogInput[] = [];
  for await (const j of judgeCommits(ctx, source.policy, source.trust, ids, io.now(), { guardConfig: pinned !== undefined })) {
    findings.push(...j.findings);
    if (j.findings.length) addNotes(notes, j.record.id, j.notes);
    if (grantLog && /cleanroom-(override|review)/i.test(j.record.message)) {
      const r = j.record;
      logged.push({ commit: r.id, repository: source.policy.repository, grants: acceptedGrants(source.policy, { commit: r.id, files: r.files, message: r.message, author: r.author, committer: r.committer }, source.trust, io.now()) });
    }
  }
  writeOutputs(io, { findings, notes }, outputs);
  printReport(io, { findings, notes }, format, 'check', quiet);
  if (grantLog && exitFor(findings) === 0) appendGrantLog(resolve(io.cwd, grantLog), logged, { source: source.origin, rev: pinned ? base : undefined }, io.now());
  return exitFor(findings);
}
