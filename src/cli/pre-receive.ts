import { appendFileSync } from 'node:fs';
import { armDeadline, deadlinePassed } from '../core/deadline.js';
import { CleanroomError, RefusedContent, usageError } from '../errors.js';
import type { Finding } from '../core/types.js';
import { isZeroId, openRepo } from '../git/repo.js';
import { symbolicTargets } from '../git/symrefs.js';
import { missingApprovers, renderText } from '../report/text.js';
import { PLAIN, safe } from '../escape.js';
import {
  DeadlineExceeded,
  defaultBranch,
  idsToPeel,
  judgePush,
  MAX_INPUT_BYTES,
  parseReceiveInput,
  pusherOf,
  serverConfig,
  trustedPolicy,
  type RefVerdict,
  type ServerConfig,
} from '../server/pre-receive.js';
import { platformFor } from '../server/platforms.js';
import { parse, str } from './args.js';
import type { CommitRecord } from '../git/commits.js';
import { grantLogEntry } from '../check/grants.js';
import { gitContext } from './context.js';
import { borrowsObjects, gitRefusesMalformedTrees } from '../git/trees.js';
import { readStdin, type Io } from './io.js';

/** One log line per push, one shape for every decision (a fail-safe reject included), so `jq` needs no cases. */
interface DecisionEntry {
  pusher: string;
  decision: 'accept' | 'reject' | 'accept-fail-open';
  /** Where the policy came from; null when the check failed before it was known. */
  policy: string | null;
  /** Why the check could not be completed (fail-safe decisions); null when it was. */
  reason: string | null;
  refs: {
    ref: string;
    old: string;
    new: string;
    commits: number | null;
    violations: unknown[];
    passed: unknown[];
    errors: string[];
  }[];
}

function logDecision(io: Io, file: string | undefined, entry: DecisionEntry): void {
  if (!file) return;
  try {
    // One write with O_APPEND: lines from concurrent pushes do not interleave.
    appendFileSync(file, JSON.stringify({ time: io.now().toISOString(), ...entry }) + '\n');
  } catch (e) {
    io.stderr(
      `cleanroom: warning: cannot write the decision log ${file}: ${(e as Error).message}\n`,
    );
  }
}

function deadlineOf(value: string | undefined): number {
  if (value === undefined) return 4500;
  const s = Number(value.replace(/s$/, ''));
  if (!Number.isFinite(s) || s <= 0 || s > 3600)
    throw usageError(
      `pre-receive: invalid deadline ${JSON.stringify(value)}`,
      'give seconds, e.g. --deadline 4.5',
    );
  return Math.round(s * 1000);
}

export async function preReceiveCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parse('pre-receive', argv);
  const gl = platformFor(io.env).errorPrefix;
  const say = (text: string): void =>
    io.stderr(
      text
        .split('\n')
        .map((l) => (l ? gl + l : l))
        .join('\n') + (text.endsWith('\n') ? '' : '\n'),
    );
  const pusher = pusherOf(io.env);
  // The deadline is wall-clock, from the start of the command: when it passes, the
  // signal ends every git process of the check and the answer is given at once, whatever
  // the check was doing (a rename bomb in git, a rev-list of 100,000 commits).
  // Counted from the start of the process, not of this function: the host times the hook
  // from its spawn, and Node's start and module loading take a share of the deadline too
  // (hundreds of milliseconds on a loaded server).
  // (Only when this process is the hook: a caller that runs the command in-process has
  // been up for longer than the push.)
  const ownProcess = process.argv.slice(2).includes('pre-receive');
  const started = Date.now() - (ownProcess ? Math.round(process.uptime() * 1000) : 0);
  const stop = new AbortController();
  const ctx = { ...gitContext(io), signal: stop.signal };
  let cfg: ServerConfig = {
    failOpen: values['fail-open'] === true,
    deadlineMs: 4500,
    logFile: str(values.log),
  };
  let updates: { old: string; new: string; ref: string }[] = [];
  try {
    // The first git calls are under the deadline too (the flag's, or the default: the
    // configured one is not known yet): a git stopped here must not hold the push.
    const early = deadlineOf(str(values.deadline));
    // Read first: the pushed ids are peeled in the rev-parse that opens the repository
    // (one git process less than a cat-file of their own). Too large an input is refused
    // once the configuration is known (its log file and fail-open apply, as to any error).
    // A terminal (someone trying the command by hand) is read afterwards, as before, so
    // "not a git repository" does not wait for the end of typed input.
    let tooLarge = false;
    const readInput = async (): Promise<string> =>
      (
        await readStdin(io, MAX_INPUT_BYTES).catch(() => {
          tooLarge = true;
          return Buffer.alloc(0);
        })
      ).toString('utf8');
    let text = io.stdinIsTTY ? undefined : await readInput();
    const { repo, conf } = await withDeadline(
      stop,
      early - (Date.now() - started),
      early,
      (async () => {
        // Side by side: neither needs the other's answer.
        const [repo, conf] = await Promise.all([
          openRepo(ctx, {
            needRoot: false,
            head: true,
            commits: text === undefined ? [] : idsToPeel(text),
          }),
          serverConfig(ctx),
        ]);
        return { repo, conf };
      })(),
    );
    cfg = {
      policyFile: str(values.policy) ?? conf['cleanroom.policy'],
      logFile: str(values.log) ?? conf['cleanroom.log'],
      failOpen: values['fail-open'] === true || conf['cleanroom.failopen'] === 'true',
      deadlineMs: deadlineOf(str(values.deadline) ?? conf['cleanroom.deadline']),
      cacheDir: repo.stateDir,
    };
    text ??= await readInput();
    if (tooLarge)
      throw new CleanroomError(
        'input',
        `pre-receive input is larger than ${MAX_INPUT_BYTES} bytes`,
      );
    updates = parseReceiveInput(text, repo.objectFormat);
    const remaining = cfg.deadlineMs - (Date.now() - started);
    const grantLog = str(values['grant-log']) ?? conf['cleanroom.grantlog'];
    const withGrants: CommitRecord[] = [];
    const collect = grantLog
      ? (r: CommitRecord) =>
          void (/cleanroom-(override|review)/i.test(r.message) && withGrants.push(r))
      : undefined;
    const judged = await withDeadline(
      stop,
      remaining,
      cfg.deadlineMs,
      (async () => {
        // With a policy file the branch's tip is read by nothing (the grant log names the
        // file, not a commit): not looked up.
        const named = await defaultBranch(ctx, { tip: !cfg.policyFile, head: repo.head });
        // Symbolic refs among the pushed refs and HEAD's branch: a push through an alias
        // of the default branch is judged as a push to it (src/git/symrefs.ts).
        const symbolic = await symbolicTargets(ctx, repo.commonDir, [
          named.ref,
          ...updates.map((u) => u.ref),
        ]);
        const def = { ...named, ref: symbolic.get(named.ref) || named.ref };
        const source = await trustedPolicy(ctx, cfg, def);
        return {
          def,
          source,
          verdicts: await judgePush(
            ctx,
            source,
            updates,
            io.now(),
            cfg.deadlineMs,
            def.ref,
            stop.signal,
            collect,
            repo.commits,
            cfg.cacheDir,
            repo.parents,
            // Git's fsck sees only what a push sends: objects borrowed from another
            // store (a fork network's) reach a ref unchecked, so the hook reads them.
            gitRefusesMalformedTrees(conf) && !borrowsObjects(repo.commonDir, io.env),
            symbolic,
          ),
        };
      })(),
    );
    const { def, source, verdicts } = judged;
    const code = finish(io, say, cfg, pusher, verdicts, source.origin, missingApprovers(source));
    if (code === 0 && grantLog && withGrants.length) {
      // The log is the audit record of every exception: a push whose grants cannot be
      // recorded is not accepted (the catch below applies --fail-open as for any error).
      const now = io.now();
      const inputs = withGrants.map((r) => grantLogEntry(source.policy, r, source.trust, now));
      // The signing code loads only for a push that carries grants.
      const { appendGrantLog } = await import('../sign/grant-log.js');
      try {
        appendGrantLog(
          grantLog,
          inputs,
          { source: source.origin, rev: cfg.policyFile ? undefined : def.tip },
          now,
        );
      } catch (e) {
        throw new CleanroomError(
          'internal',
          `cannot write the override log ${grantLog}: ${(e as Error).message}`,
          'the admin checks the file and its permissions (git config cleanroom.grantLog)',
        );
      }
    }
    return code;
  } catch (e) {
    const msg =
      e instanceof CleanroomError
        ? e.message + (e.hint ? `\n  → ${e.hint}` : '')
        : `internal error: ${(e as Error)?.message ?? String(e)}`;
    const refs = updates.map((u) => ({
      ...u,
      commits: null,
      violations: [],
      passed: [],
      errors: [],
    }));
    // A verdict on the pushed content (a malformed tree) is not a check that failed:
    // fail-open does not accept it.
    const refused = e instanceof RefusedContent;
    const failOpen = cfg.failOpen && !refused;
    logDecision(io, cfg.logFile, {
      pusher,
      decision: failOpen ? 'accept-fail-open' : 'reject',
      policy: null,
      reason: msg,
      refs,
    });
    if (refused) {
      say(
        `cleanroom: push rejected — it carries content cleanroom refuses${cfg.failOpen ? ' (fail-open does not apply to it)' : ''}.\ncleanroom: ${msg}`,
      );
      return 2;
    }
    if (failOpen) {
      say(
        `cleanroom: WARNING: the check failed and this server is configured to fail open — push accepted unchecked.\ncleanroom: ${msg}`,
      );
      return 0;
    }
    say(
      `cleanroom: push rejected — the check could not be completed, and cleanroom fails closed.\ncleanroom: ${msg}`,
    );
    if (io.env.CLEANROOM_DEBUG === '1' && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
    return 2;
  }
}

/**
 * `work`, or DeadlineExceeded once `ms` have passed — then `stop` is aborted, which ends
 * every git process of the work (src/git/git.ts) so nothing is left running, and the
 * work's own late failure is ignored.
 */
async function withDeadline<T>(
  stop: AbortController,
  ms: number,
  totalMs: number,
  work: Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expire = (): DeadlineExceeded => {
    const e = new DeadlineExceeded(totalMs);
    if (!stop.signal.aborted) stop.abort(e.message);
    return e;
  };
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(expire()), Math.max(0, ms));
  });
  // The timer cannot fire while a synchronous step blocks the event loop (pairing 90,000
  // renames, judging 90,000 files): those loops check the same deadline themselves
  // (src/core/deadline.ts) and throw DeadlineExceeded, which rejects `work` at once.
  const disarm = armDeadline(Date.now() + Math.max(0, ms), expire);
  work.catch(() => undefined);
  try {
    const result = await Promise.race([work, expired]);
    // A result reached after the deadline is not trusted: a deadline error thrown inside
    // some step may have been caught there and turned into a partial answer.
    if (deadlinePassed()) throw expire();
    return result;
  } finally {
    disarm();
    clearTimeout(timer);
  }
}

/** Changes listed to the pusher per commit, and in all, before "… and K more". */
const SHOWN_PER_COMMIT = 20;
const SHOWN_TOTAL = 100;

function finish(
  io: Io,
  say: (t: string) => void,
  cfg: ServerConfig,
  pusher: string,
  verdicts: RefVerdict[],
  origin: string,
  noApprovers: string | undefined,
): number {
  const rejected = verdicts.filter(
    (v) => v.errors.length || v.findings.some((f) => f.outcome === 'violation'),
  );
  const refs = verdicts.map((v) => ({
    ref: v.update.ref,
    old: v.update.old,
    new: v.update.new,
    commits: v.commits,
    violations: v.findings.filter((f) => f.outcome === 'violation').map(brief),
    passed: v.findings.filter((f) => f.outcome !== 'violation').map(brief),
    errors: v.errors,
  }));
  logDecision(io, cfg.logFile, {
    pusher,
    decision: rejected.length ? 'reject' : 'accept',
    policy: origin,
    reason: null,
    refs,
  });
  // What the pusher reads is capped (SHOWN_*): a push of 100,000 violating paths must not
  // print 100,000 lines, nor spend its time writing them. The decision log keeps them all.
  let passedShown = 0;
  let passedHidden = 0;
  for (const v of verdicts) {
    for (const f of v.findings) {
      if (f.outcome === 'violation') continue;
      if (passedShown++ >= SHOWN_TOTAL) {
        passedHidden++;
        continue;
      }
      io.stderr(
        `cleanroom: ${safe(v.update.ref)} ${f.commit?.slice(0, 12)} ${safe(f.path)}: ${f.outcome} by ${safe(f.by ?? '?')}\n`,
      );
    }
  }
  if (passedHidden)
    io.stderr(`cleanroom: … and ${passedHidden} more accepted with an override or review\n`);
  if (!rejected.length) return 0;
  for (const v of rejected) {
    say(
      `cleanroom: ${safe(v.update.ref)} — pushed by ${safe(pusher)}, judged with ${safe(origin)}`,
    );
    for (const e of v.errors.slice(0, SHOWN_TOTAL)) say(safe(e));
    if (v.errors.length > SHOWN_TOTAL) say(`… and ${v.errors.length - SHOWN_TOTAL} more errors`);
    const findings = v.findings.filter((f) => f.outcome === 'violation');
    if (findings.length)
      say(
        renderText(
          { findings, notes: v.notes.slice(0, SHOWN_TOTAL) },
          {
            style: PLAIN,
            context: 'push',
            quiet: true,
            noApprovers,
            limit: {
              perCommit: SHOWN_PER_COMMIT,
              total: SHOWN_TOTAL,
              more: `run \`cleanroom check --range ${isZeroId(v.update.old) ? v.update.new : `${v.update.old}..${v.update.new}`}\` for all`,
            },
          },
        ).trimEnd(),
      );
    say('');
  }
  say('Nothing of this push was stored. Fix the commits and push again.');
  return 1;
}

const brief = (f: Finding) => ({
  commit: f.commit,
  path: f.path,
  zone: f.zone,
  tool: f.tool,
  verdict: f.verdict,
  outcome: f.outcome,
  ...(f.by ? { by: f.by } : {}),
});
