// Text output: a few lines per problem — commit, path, zone, tool, the signal seen —
// then the ways out. Meant to be read in a terminal right after `git commit` fails.

import { AGENT_SESSION_TRAILER, CONFIG_ZONE, type Finding } from '../core/types.js';
import type { Report } from './json.js';
import { safe, safePath, type Style } from '../escape.js';
import type { Policy } from '../policy/compile.js';
import type { Trust } from '../sign/trust.js';

export interface TextOptions {
  style: Style;
  /** "commit" for local hooks (the user is committing), "push" for the server, "check" otherwise. */
  context: 'commit' | 'push' | 'check';
  quiet?: boolean;
  /**
   * The approvers file the policy names (`overrides.approvers`) when it cannot be read:
   * no override can verify until it exists, so the way out says that first.
   */
  noApprovers?: string | undefined;
  /**
   * Caps the listed changes (a change = one path of one commit): at most `perCommit` per
   * commit and `total` in all, then "… and K more changes; `more`". A push of 100,000
   * violating paths must not print 100,000 lines to the pusher; the counts in the
   * headline and the ways out still cover every finding.
   */
  limit?: { perCommit: number; total: number; more: string } | undefined;
  /**
   * How `cleanroom` is run in the user's shell when the plain name is not on PATH (`npx
   * --no -- cleanroom`, src/cli/io.ts localInvocation): the ways out say so once.
   */
  run?: string | undefined;
}

/**
 * The cap of `cleanroom check`'s text on a terminal or a pipe (not of `--output` files,
 * which list every change): 100,000 staged files in an agent's session made a 5.6 MB,
 * 200,000-line report nobody reads, and building it cost more than judging them. The
 * headline and the ways out still cover every finding; JSON, SARIF and Code Quality stay
 * complete, and the exit code is unchanged.
 */
export const CHECK_TEXT_LIMIT = {
  perCommit: 50,
  total: 200,
  more: 'every one is listed by --format json, or --output text:FILE',
} as const;

/**
 * `TextOptions.noApprovers` for a policy and the trust files read with it: the approvers
 * file the policy names (`overrides.approvers`, a path relative to the repository) when
 * it could not be read, else undefined.
 */
export function missingApprovers(source: {
  policy: Pick<Policy, 'overrides'>;
  trust: Pick<Trust, 'approvers'>;
}): string | undefined {
  return source.trust.approvers ? undefined : source.policy.overrides.approvers;
}

const short = (id: string | null): string => (id ? id.slice(0, 12) : 'staged changes');

/** `signedReviews`: review.mode is signed, so a plain Reviewed-by line is no way out. */
export function waysOut(
  violations: readonly Finding[],
  context: TextOptions['context'],
  signedReviews = false,
  agentSession = false,
  noApprovers?: string,
): string[] {
  const lines: string[] = [];
  // One pass over the violations (100,000 of them in a large staged commit).
  let hasReview = false;
  let hasDeny = false;
  let hasConfig = false;
  let allStaged = true;
  const commits = new Set<string>();
  for (const f of violations) {
    if (f.zone === CONFIG_ZONE) hasConfig = true;
    else if (f.verdict === 'review') hasReview = true;
    else if (f.verdict === 'deny') hasDeny = true;
    if (f.commit !== null) {
      allStaged = false;
      commits.add(f.commit);
    }
  }
  // Staged changes (`check --staged`, the commit hooks) are fixed in the index and the
  // next commit's message; committed ones by rewriting history.
  const staged = context === 'commit' || allStaged;
  // A committed change is named by its commit: `override request` and `review request`
  // read the staged changes unless told which commit (`--commit REV`).
  const rev = commits.size === 1 ? [...commits][0]!.slice(0, 12) : 'REV';
  const withTrailer = (t: string): string =>
    staged
      ? `git commit --trailer ${t}`
      : `git commit --amend --no-edit --trailer ${t} on that commit (an older one: git rebase -i ${rev}^, "edit" it, amend, git rebase --continue), then push again`;
  const request = (what: 'override' | 'review'): string =>
    `cleanroom ${what} request${staged ? '' : ` --commit ${rev}`}`;
  const sign = `${request('override')} --reason "…" | cleanroom override sign --key KEY --principal APPROVER`;
  // A committed change keeps its message on --amend, and with it the agent's session line,
  // in whose presence a review line does not count (src/check/change.ts): the amend drops it.
  const reviewed = staged
    ? withTrailer('"Reviewed-by: Name <email>"')
    : `git log -1 --format=%B | grep -v '^${AGENT_SESSION_TRAILER}:' | git commit --amend -F - --trailer "Reviewed-by: Name <email>" on that commit (an older one: git rebase -i ${rev}^, "edit" it, amend, git rebase --continue), then push again`;
  if (hasReview) {
    lines.push(
      signedReviews
        ? `review zones: a reviewer (a key in review.reviewers) reads every line and signs: ${request('review')} | cleanroom review sign, then ${withTrailer('"$(…)"')}`
        : agentSession
          ? `review zones: a trailer typed in an agent's session does not count; a human reviews every line and commits from their own shell (outside the agent's session) with ${reviewed}`
          : `review zones: a human reviews every line, then, from their own shell, ${reviewed}`,
    );
  }
  if (hasDeny) {
    lines.push(
      staged
        ? 'deny zones: take the file out of this commit (git restore --staged PATH) and have a human write it'
        : 'deny zones: take the AI-attributed change out of the history you push (git rebase -i) and have a human write it',
    );
  }
  // "or …" only after another way out: a lone .cleanroom/ change has just this one.
  if (hasDeny || hasConfig)
    lines.push(
      noApprovers !== undefined
        ? `${hasDeny ? 'or an' : 'an'} approver's signed override, once there is an approver: ${safe(noApprovers)} does not exist yet (an admin commits it: OpenSSH allowed_signers, docs/overrides-and-reviews.md); then ${sign}, then ${withTrailer('"$(…)"')}`
        : `${hasDeny ? 'or an approver' : 'an approver'} signs an override: ${sign}, then ${withTrailer('"$(…)"')}`,
    );
  if (hasConfig) {
    lines.push(
      '.cleanroom/ changes need that override even from a human; with no approver yet, the admin commits the first approvers file before installing the server hook, or configures the policy on the server (cleanroom install-server --policy FILE)',
    );
  }
  // Several commits: the commands above say REV, one run for each commit to fix.
  if (!staged && commits.size > 1 && (hasReview || hasDeny || hasConfig)) {
    const ids = [...commits].slice(0, 5).map((c) => c.slice(0, 12));
    lines.push(
      `REV: each commit named above, one at a time (${ids.join(', ')}${commits.size > ids.length ? `, and ${commits.size - ids.length} more` : ''})`,
    );
  }
  lines.push('explain a path: cleanroom explain PATH    (wrong attribution? see the signal above)');
  return lines;
}

/**
 * Distinct changes (commit, path) among `fs`, of the policy's own zone (`config`) or of
 * the others: one entry per changed path, as a user sees them in `git status`.
 */
function count(fs: readonly Finding[], config: boolean): number {
  // Findings come in diff order, sorted by path within a commit: while each new path of
  // a commit sorts after the one before, every path is new and a run of equal ones is
  // one change — counted without a set. Any other order is counted with the set.
  let runs = 0;
  let commit: string | null | undefined;
  let path: string | undefined;
  let sorted = true;
  for (const f of fs) {
    if ((f.zone === CONFIG_ZONE) !== config) continue;
    if (f.commit !== commit || path === undefined) {
      if (commit !== undefined && f.commit !== commit) {
        sorted = false; // a commit's findings may come back later: the set decides
        break;
      }
      commit = f.commit;
      path = f.path;
      runs++;
    } else if (f.path > path) {
      // One comparison per finding, not two: paths read from git's output are slices of
      // it, which V8 compares several times slower than flat strings (100,000 findings).
      path = f.path;
      runs++;
    } else if (f.path !== path) {
      sorted = false;
      break;
    }
  }
  if (sorted) return runs;
  const seen = new Map<string | null, Set<string>>();
  let n = 0;
  for (const f of fs) {
    if ((f.zone === CONFIG_ZONE) !== config) continue;
    let paths = seen.get(f.commit);
    if (!paths) seen.set(f.commit, (paths = new Set()));
    if (!paths.has(f.path)) {
      paths.add(f.path);
      n++;
    }
  }
  return n;
}

/**
 * Distinct strings in the order first added (`list`), as a Set's insertion order keeps
 * them, without hashing each: the deny paths past the text's limit are 50,000 of one
 * staged commit, which come in git's path order. While each added string sorts after
 * the one before, it is new (the list is strictly increasing, so it cannot hold it) and
 * the list is all the state; at the first that does not, a Set of the list takes over.
 * The Set alone cost ~40 ms of a 100,000-file check's report (hashing 50,000 strings and
 * growing its table); a comparison with the last string is a few characters.
 */
export class FirstSeen {
  readonly list: string[] = [];
  private seen: Set<string> | undefined;

  add(s: string): void {
    if (this.seen) {
      if (!this.seen.has(s)) {
        this.seen.add(s);
        this.list.push(s);
      }
      return;
    }
    const n = this.list.length;
    if (n === 0 || s > this.list[n - 1]!) {
      this.list.push(s);
      return;
    }
    if (s === this.list[n - 1]) return;
    this.seen = new Set(this.list);
    this.add(s);
  }
}

export function renderText(report: Report, opts: TextOptions): string {
  const { style } = opts;
  const violations = report.findings.filter((f) => f.outcome === 'violation');
  const out: string[] = [];
  if (!violations.length) {
    if (!opts.quiet) {
      const passed = report.findings.filter((f) => f.outcome !== 'violation');
      for (const f of passed) {
        out.push(
          // A range lists one path per commit: the commit tells two such lines apart.
          `${style.green('✓')} ${f.commit ? `${style.dim(f.commit.slice(0, 12))} ` : ''}${safePath(f.path)} ${style.dim(`(${f.zone}, ${f.tool}) ${f.outcome} by ${safe(f.by ?? '?')}`)}`,
        );
      }
      for (const n of report.notes) out.push(`${style.yellow('note:')} ${safe(n)}`);
      out.push(
        `${style.green('cleanroom: ok')} — no AI-attributed change in a protected zone without attestation`,
      );
    }
    return out.length ? out.join('\n') + '\n' : '';
  }
  const verb =
    opts.context === 'commit'
      ? 'commit blocked'
      : opts.context === 'push'
        ? 'push rejected'
        : 'violations found';
  // One entry per changed path (a path with signals from two tools is one change, with
  // a line per tool), so the count is what a user sees in `git status`.
  const changes = count(violations, false);
  const config = count(violations, true);
  const what = [
    changes ? `${changes} AI-attributed change${changes === 1 ? '' : 's'} in protected zones` : '',
    config ? `${config} unapproved change${config === 1 ? '' : 's'} to the cleanroom policy` : '',
  ].filter(Boolean);
  out.push(style.red(style.bold(`cleanroom: ${verb}`)) + ` — ${what.join(', ')}`);
  let lastCommit: string | null | undefined;
  let lastPath: string | undefined;
  const perCommit = opts.limit?.perCommit ?? Infinity;
  const total = opts.limit?.total ?? Infinity;
  let shown = 0;
  let inCommit = 0;
  let hidden = 0;
  let hiding = false;
  // A deny among the changes past the limit is named anyway: its only way out is an
  // override, and "… and 211 more" must not hide it behind review-zone findings.
  const hiddenDeny = new FirstSeen();
  const cross = style.red('✗');
  let last:
    | {
        signal: string;
        zone: string;
        verdict: string;
        tool: string;
        share: number | undefined;
        line: string;
      }
    | undefined;
  for (const f of violations) {
    if (f.commit !== lastCommit) {
      lastCommit = f.commit;
      lastPath = undefined;
      inCommit = 0;
      if (shown < total)
        out.push('', style.bold(f.commit ? `commit ${short(f.commit)}` : 'staged changes'));
    }
    if (f.path !== lastPath) {
      lastPath = f.path;
      hiding = inCommit >= perCommit || shown >= total;
      if (hiding) {
        hidden++;
        if (f.verdict === 'deny') hiddenDeny.add(f.path);
        continue;
      }
      inCommit++;
      shown++;
      // Content seen through a link is named where git stores it (what `git restore
      // --staged` takes), with the path the zone matched and the link that shows it.
      out.push(
        f.stored !== undefined
          ? `  ${cross} ${safePath(f.stored)} (seen as ${safePath(f.path)} through the link ${safePath(f.link ?? f.path)})`
          : `  ${cross} ${safePath(f.path)}`,
      );
    } else if (hiding) {
      if (f.verdict === 'deny') hiddenDeny.add(f.path);
      continue;
    }
    // 100,000 findings of one commit mostly say the same here: built (and escaped) once.
    if (
      !last ||
      f.signal !== last.signal ||
      f.zone !== last.zone ||
      f.verdict !== last.verdict ||
      f.tool !== last.tool ||
      f.share !== last.share
    ) {
      const share = f.share !== undefined ? `, ${Math.round(f.share * 100)}% of its lines` : '';
      last = {
        signal: f.signal,
        zone: f.zone,
        verdict: f.verdict,
        tool: f.tool,
        share: f.share,
        line: `    zone ${style.bold(f.zone)} (${f.verdict}) · tool ${f.tool}${share} · seen: ${safe(f.signal)}`,
      };
    }
    out.push(last.line);
  }
  if (hidden) {
    out.push(
      '',
      `… and ${hidden} more change${hidden === 1 ? '' : 's'}${opts.limit?.more ? `; ${opts.limit.more}` : ''}`,
    );
    if (hiddenDeny.list.length) {
      const names = hiddenDeny.list;
      out.push(
        `  among them, in deny zones (${names.length}): ${names.slice(0, 20).map(safePath).join(', ')}${names.length > 20 ? `, … ${names.length - 20} more` : ''}`,
      );
    }
  }
  if (report.notes.length) {
    out.push('');
    for (const n of report.notes) out.push(`${style.yellow('note:')} ${safe(n)}`);
  }
  out.push('', 'Ways out:');
  if (opts.run)
    out.push(
      `  (cleanroom is not on this shell's PATH: run the cleanroom commands below as ${opts.run} …)`,
    );
  // The grant notes say when review.mode is signed (src/check/grants.ts).
  const signedReviews = report.notes.some((n) =>
    /review\.mode is "signed"|signed review not accepted/.test(n),
  );
  // The session note says when a trailer was typed in an agent's session (src/check/change.ts).
  const agentSession = report.notes.some((n) => n.includes("made in an agent's session"));
  for (const w of waysOut(violations, opts.context, signedReviews, agentSession, opts.noApprovers))
    out.push(`  - ${w}`);
  return out.join('\n') + '\n';
}
