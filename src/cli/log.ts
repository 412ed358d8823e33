// cleanroom log verify FILE: re-verify the override log (src/sign/grant-log.ts) —
// the hash chain, every signature, and every signer against the trust files in force
// when the grant was accepted, read again from the repository (`rev`) or the server's
// policy file.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../errors.js';
import { safe } from '../escape.js';
import { policyFromFile, policyFromRev } from '../check/policy-source.js';
import type { Trust } from '../check/grants.js';
import { verifyGrantLog, type GrantLogRecord } from '../sign/grant-log.js';
import { runGit, verifyRev, type GitContext } from '../git/git.js';
import { isObjectId } from '../git/object-id.js';
import { formatOf, parse, str } from './args.js';
import { gitContext } from './context.js';
import type { Io } from './io.js';

/**
 * The trust files in force for a log record: the policy at the recorded commit (read
 * through git in `ctx`), or the server's policy file; undefined when unreadable.
 */
export function logTrustAt(ctx: GitContext): (rec: GrantLogRecord) => Promise<Trust | undefined> {
  const cache = new Map<string, Promise<Trust | undefined>>();
  return (rec) => {
    const key = rec.trust?.rev ?? `file:${rec.trust?.source}`;
    let got = cache.get(key);
    if (!got) {
      got = (async () => {
        if (rec.trust?.rev) {
          if (
            !isObjectId(rec.trust.rev) ||
            !(await verifyRev(ctx, `${rec.trust.rev}^{commit}`).catch(() => undefined))
          )
            return undefined;
          // The log names the commit whose trust files judged the grant; an edited log
          // could name a commit from a side branch that lists the forger's key. Only
          // trust files that were on this clone's default line of history count.
          const anc = await runGit(ctx, ['merge-base', '--is-ancestor', rec.trust.rev, 'HEAD'], {
            okCodes: [1, 128],
          });
          if (anc.code !== 0) return undefined;
          return (await policyFromRev(ctx, rec.trust.rev, rec.trust.rev.slice(0, 12)))?.trust;
        }
        // A server policy file: only if it is still there (it may have changed since; the
        // signer is then judged by today's file — keep old copies, see the docs).
        return rec.trust?.source ? (await policyFromFile(rec.trust.source)).trust : undefined;
      })().catch(() => undefined);
      cache.set(key, got);
    }
    return got;
  };
}

/** Text lines for `audit --grant-log`: every grant in the log, then the verification. */
export async function auditGrantLog(
  ctx: GitContext,
  file: string,
  text: string,
): Promise<{ lines: string[]; ok: boolean }> {
  const v = await verifyGrantLog(text, logTrustAt(ctx));
  const lines = [
    `override log ${file}: ${v.records} grant(s), ${v.problems.length ? `${v.problems.length} problem(s)` : 'chain and signatures verified'}`,
  ];
  for (const l of text.split('\n').filter(Boolean)) {
    try {
      const r = JSON.parse(l) as GrantLogRecord;
      lines.push(
        `  ${safe(r.time)} ${safe(String(r.commit).slice(0, 12))} ${safe(r.kind)} by ${safe(r.principal)}: ${(r.files ?? []).map((f) => safe(f.path)).join(', ')}`,
      );
    } catch {
      lines.push('  (a line that is not a record)');
    }
  }
  for (const p of v.problems) lines.push(`  ✗ line ${p.line}: ${safe(p.message)}`);
  for (const p of v.unchecked) lines.push(`  ! line ${p.line}: ${safe(p.message)}`);
  return { lines, ok: v.problems.length === 0 && v.unchecked.length === 0 };
}

export async function logCommand(argv: string[], io: Io): Promise<number> {
  // The command table (src/cli/commands.ts) has checked the subcommand and printed any help.
  const [sub, ...rest] = argv as ['verify' | 'list', ...string[]];
  const { values, positionals } = parse(`log ${sub}`, rest);
  if (positionals.length !== 1)
    throw usageError(
      `log ${sub}: give the log FILE`,
      'e.g. cleanroom log verify /srv/git/acme.git/cleanroom-grants.jsonl',
    );
  const format = formatOf(`log ${sub}`, values.format, ['text', 'json']);
  let text: string;
  try {
    text = readFileSync(resolve(io.cwd, positionals[0]!), 'utf8');
  } catch (e) {
    throw usageError(
      `log ${sub}: cannot read ${positionals[0]!}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (sub === 'list') {
    const rows = text
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        try {
          return JSON.parse(l) as GrantLogRecord;
        } catch {
          return undefined;
        }
      });
    if (format === 'json')
      io.stdout(JSON.stringify({ format: 1, grants: rows.filter(Boolean) }) + '\n');
    else
      for (const r of rows)
        io.stdout(
          r
            ? `${safe(r.time)} ${safe(String(r.commit).slice(0, 12))} ${safe(r.kind)} by ${safe(r.principal)} (${safe(r.fingerprint)}): ${(r.files ?? []).map((f) => safe(f.path)).join(', ')}\n`
            : '(a line that is not a record — run cleanroom log verify)\n',
        );
    return 0;
  }
  const ctx = gitContext({ ...io, cwd: resolve(io.cwd, str(values.repository) ?? '.') });
  const trustAt = logTrustAt(ctx);
  const v = await verifyGrantLog(text, trustAt);
  const head = str(values.head);
  if (head !== undefined && head !== v.head)
    v.problems.push({
      line: v.records,
      message: `the last line's hash is ${v.head}, not the ${head} shipped off the host: the newest line was edited, or lines were removed or added at the end`,
    });
  if (format === 'json') {
    io.stdout(
      JSON.stringify({
        format: 1,
        ok: v.problems.length === 0 && v.unchecked.length === 0,
        records: v.records,
        head: v.head,
        problems: v.problems,
        unchecked: v.unchecked,
      }) + '\n',
    );
  } else {
    for (const p of v.problems) io.stderr(`cleanroom: log line ${p.line}: ${safe(p.message)}\n`);
    // Not re-checked is not verified: a rewritten log could name trust files nobody has.
    for (const p of v.unchecked)
      io.stderr(
        `cleanroom: log line ${p.line}: ${safe(p.message)} — run this in a clone that has that commit (git fetch)\n`,
      );
    const bad = v.problems.length + v.unchecked.length;
    io.stdout(
      `cleanroom: ${bad ? `${bad} problem(s) in` : 'verified'} ${v.records} record(s); head ${v.head}\n`,
    );
  }
  return v.problems.length || v.unchecked.length ? 1 : 0;
}
