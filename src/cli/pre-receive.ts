import { appendFileSync } from 'node:fs';
import { CleanroomError, usageError } from '../errors.js';
import type { Finding } from '../core/types.js';
import { openRepo } from '../git/repo.js';
import { renderText } from '../report/text.js';
import { PLAIN, safe } from '../report/escape.js';
import {
  DeadlineExceeded,
  defaultBranch,
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
import { acceptedGrants } from '../check/grants.js';
import { appendGrantLog } from '../sign/grant-log.js';
import { gitContext } from './context.js';
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
  const started = Date.now();
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
    const { repo, conf } = await withDeadline(
      stop,
      early,
      early,
      (async () => {
        // Side by side: neither needs the other's answer.
        const [repo, conf] = await Promise.all([
          openRepo(ctx, { needRoot: false }),
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
    const input = await readStdin(io, MAX_INPUT_BYTES).catch(() => {
      throw new CleanroomError(
        'input',
        `pre-receive input is larger than ${MAX_INPUT_BYTES} bytes`,
      );
    });
    updates = parseReceiveInput(input.toString('utf8'), repo.objectFormat);
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
        const def = await defaultBranch(ctx);
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
          ),
        };
      })(),
    );
    const { def, source, verdicts } = judged;
    const code = finish(io, say, cfg, pusher, verdicts, source.origin);
    if (code === 0 && grantLog && withGrants.length) {
      // The log is the audit record of every exception: a push whose grants cannot be
      // recorded is not accepted (the catch below applies --fail-open as for any error).
      const now = io.now();
      const inputs = withGrants.map((r) => ({
        commit: r.id,
        repository: source.policy.repository,
        grants: acceptedGrants(
          source.policy,
          {
            commit: r.id,
            files: r.files,
            message: r.message,
            author: r.author,
            committer: r.committer,
          },
          source.trust,
          now,
        ),
      }));
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
    logDecision(io, cfg.logFile, {
      pusher,
      decision: cfg.failOpen ? 'accept-fail-open' : 'reject',
      policy: null,
      reason: msg,
      refs,
    });
    if (cfg.failOpen) {
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
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        const e = new DeadlineExceeded(totalMs);
        stop.abort(e.message);
        reject(e);
      },
      Math.max(0, ms),
    );
  });
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function finish(
  io: Io,
  say: (t: string) => void,
  cfg: ServerConfig,
  pusher: string,
  verdicts: RefVerdict[],
  origin: string,
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
  for (const v of verdicts) {
    for (const f of v.findings.filter((x) => x.outcome !== 'violation')) {
      io.stderr(
        `cleanroom: ${safe(v.update.ref)} ${f.commit?.slice(0, 12)} ${safe(f.path)}: ${f.outcome} by ${safe(f.by ?? '?')}\n`,
      );
    }
  }
  if (!rejected.length) return 0;
  for (const v of rejected) {
    say(
      `cleanroom: ${safe(v.update.ref)} — pushed by ${safe(pusher)}, judged with ${safe(origin)}`,
    );
    for (const e of v.errors) say(safe(e));
    const findings = v.findings.filter((f) => f.outcome === 'violation');
    if (findings.length)
      say(
        renderText(
          { findings, notes: v.notes },
          { style: PLAIN, context: 'push', quiet: true },
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
