// The one judge of an existing commit. `check --range`, `check --commit`, pre-push,
// pre-receive and `audit` all hand each commit here, so they cannot drift apart:
//
//   signals      detectSignals on the commit object (buildChange)
//   moved        renames into a zone, and content a merge itself brings into a zone,
//                carry the signals of the commit that wrote the content (provenance.ts)
//   undecodable  a message in an encoding cleanroom cannot read is an `unknown-ai` signal
//   links        content written at a zone symlink's target is judged at the linked path
//                too, and a link whose path a zone could match below is a zone change
//   grants       reviews and overrides, verified against the trust files (buildChange)
//   config       `.cleanroom/**` and the trust files need an override (guardConfig)
//   evaluate     the pure verdict
//
// Callers differ only in how they find the commits and their changed paths (diff-tree
// --stdin for ranges and pushes, one `git log` stream for the audit) and in whose clock
// judges grant expiry.

import {
  UNKNOWN_AI,
  type FileChange,
  type Finding,
  type Identity,
  type Signal,
} from '../core/types.js';
import { evaluate } from '../core/evaluate.js';
import { checkDeadline } from '../core/deadline.js';
import { BatchCheck } from '../git/stream.js';
import { RENAME_LIMIT, type RenameLimit } from '../git/renames.js';
import type { GitContext } from '../git/git.js';
import type { Policy } from '../policy/compile.js';
import {
  isAscii,
  linkBudget,
  linkViewOf,
  linkZones,
  withLinkAliases,
  zonesOfFile,
  type LinkBudget,
  type ZoneLink,
} from '../policy/links.js';
import { runGit } from '../git/git.js';
import { decodePath } from '../git/raw.js';
import { buildChange } from './change.js';
import {
  configFindings,
  configGuard,
  guardedChanges,
  touchesGuard,
  type Guard,
} from './config-guard.js';
import type { Trust } from './grants.js';
import { TreeLinks } from './links.js';
import type { LinkCache } from './link-cache.js';
import {
  commitObjectSignals,
  exposedContentSignals,
  mergedContentSignals,
  movedContentSignals,
  undecodableSignal,
  type WalkProvenance,
} from './provenance.js';

/** What the judge needs of a commit: its object's fields and its changed paths (merges: combined). */
export interface CommitFacts {
  id: string;
  parents: readonly string[];
  files: FileChange[];
  message: string;
  /** The message as `git log` shows it, where the object's encoding header asked for re-encoding. */
  signalMessage?: string | undefined;
  author: Identity | undefined;
  committer: Identity | undefined;
  others?: readonly Identity[] | undefined;
  /** Seconds since the epoch (committer line); 0 when unknown. */
  committerTime: number;
  undecodable?: string | undefined;
  /** Set when git's inexact rename detection was skipped for this commit (too many files). */
  renameLimit?: RenameLimit | undefined;
}

export interface JudgeOptions {
  /** Guard `.cleanroom/**` changes (server and CI, where the policy comes from git). */
  guardConfig?: boolean;
  /**
   * Whose clock judges expiry of overrides and signed reviews: the verifier's (server,
   * CI, audit: docs/design/contract.md §5), unless `grantTime` knows when a trusted verifier accepted the
   * commit (the audit's verified override log). Never the commit's own date: the pusher
   * sets it, and a backdated commit would revive an expired override.
   */
  grantTime?: (commit: string) => Date | undefined;
  /**
   * The audit's walk knows the last writer of every path: moves are traced from it
   * instead of from two `git log` walks per move (see provenance.ts WalkProvenance).
   */
  writersOf?: WalkProvenance['writersOf'];
  /**
   * The server's cache of links of earlier pushes' tips (link-cache.ts): the links of the
   * commit a push builds on are taken from it when it knows them, and `keepLinks` hands it
   * those of the push's tips.
   */
  linkCache?: LinkCache;
}

export interface Verdict {
  findings: Finding[];
  notes: readonly string[];
  /** The files judged: the commit's, plus guarded merge paths and paths seen through links. */
  files: readonly FileChange[];
}

/** Prepared answers kept at most (CommitJudge.prepare). */
const MAX_PREPARED = 50_000;

export class CommitJudge {
  private readonly guard: Guard;
  private readonly guardedSpecs: string[];
  private check: BatchCheck | undefined;
  private readonly links: TreeLinks;

  constructor(
    private readonly ctx: GitContext,
    private readonly policy: Policy,
    private readonly trust: Trust,
    private readonly now: Date,
    private readonly opts: JudgeOptions = {},
  ) {
    this.guard = configGuard(policy);
    this.guardedSpecs = [
      '.cleanroom',
      ...[policy.overrides.approvers, policy.review.reviewers].filter(
        (p) => !p.startsWith('.cleanroom/'),
      ),
    ];
    this.links = new TreeLinks(ctx, policy, opts.linkCache);
    this.walk = opts.writersOf && {
      writersOf: opts.writersOf,
      signalsOf: async (id: string): Promise<Signal[]> => {
        const o = await this.links.object(id);
        if (o.type !== 'commit') return [];
        return (await commitObjectSignals(ctx, policy.tools, [{ id, content: o.content }])).get(
          id,
        )!;
      },
    };
  }

  /**
   * For merges: are the guarded paths (.cleanroom/, trust files) the same as in the first
   * parent? Asked of one long-lived cat-file, so merges cost microseconds, not a process.
   */
  private async sameGuarded(a: string, b: string): Promise<boolean> {
    const key = `${a} ${b}`;
    const known = this.prepared.guarded.get(key);
    if (known !== undefined) {
      this.prepared.guarded.delete(key);
      return known;
    }
    this.check ??= new BatchCheck(this.ctx);
    const ids = await this.check.ids(this.guardedSpecs.flatMap((p) => [`${a}:${p}`, `${b}:${p}`]));
    return ids.every((id, i) => i % 2 === 1 || id === ids[i + 1]);
  }

  /**
   * Answers of `prepare` for the batch being judged: "parent first, merge second" →
   * are the guarded paths the same (sameGuarded); merge id → do the link targets hold
   * the same trees as in its first parent (the shortcut of `exposed`).
   */
  private prepared = {
    guarded: new Map<string, boolean>(),
    sameTargets: new Map<string, boolean>(),
  };

  /**
   * Asks git once for a batch of commits what `judge` would otherwise ask once per
   * merge (a pipe round trip each: 677 merges on Aider, twice). The answers are exactly
   * those of the per-merge questions (the same cat-file specs, compared the same way,
   * about objects named by id: an answer does not depend on when it was asked); a commit
   * the batch did not prepare is asked as before. Commits must come oldest first, as
   * `judge` takes them. An answer is kept until `judge` uses it, so a caller may prepare
   * the next batch before it has judged the last one (the audit's read-ahead); memory is
   * bounded by MAX_PREPARED answers (past it they are dropped: only slower).
   */
  async prepare(batch: readonly Pick<CommitFacts, 'id' | 'parents' | 'files'>[]): Promise<void> {
    if (this.prepared.guarded.size + this.prepared.sameTargets.size > MAX_PREPARED)
      this.prepared = { guarded: new Map(), sameTargets: new Map() };
    const merges = batch.filter((c) => c.parents.length > 1);
    if (!merges.length) return;
    for (const c of batch) this.links.follow(c);
    const specs: string[] = [];
    const asks: { key: string; map: Map<string, boolean>; from: number; to: number }[] = [];
    const ask = (map: Map<string, boolean>, key: string, pairs: string[]): void => {
      asks.push({ key, map, from: specs.length, to: specs.length + pairs.length });
      specs.push(...pairs);
    };
    for (const m of merges) {
      checkDeadline();
      const a = m.parents[0]!;
      if (this.opts.guardConfig === true)
        ask(
          this.prepared.guarded,
          `${a} ${m.id}`,
          this.guardedSpecs.flatMap((p) => [`${a}:${p}`, `${m.id}:${p}`]),
        );
      // The same question `exposed` asks first, for a merge whose links it will compare.
      const links = await this.links.at(m.id);
      if (!links.length || !sameView(links, await this.links.at(a))) continue;
      const targets = [...new Set(links.map((l) => l.target))];
      ask(
        this.prepared.sameTargets,
        m.id,
        targets.flatMap((t) => [`${m.id}:${t}`, `${a}:${t}`]),
      );
    }
    if (!specs.length) return;
    this.check ??= new BatchCheck(this.ctx);
    const ids = await this.check.ids(specs);
    for (const { key, map, from, to } of asks) {
      let same = true;
      for (let i = from; i < to; i += 2) if (ids[i] !== ids[i + 1]) same = false;
      map.set(key, same);
    }
  }

  /**
   * The audit's provenance from its walk (JudgeOptions.writersOf), made once: a closure
   * per judged commit was measurable (the build keeps function names, a defineProperty each).
   */
  /**
   * The audit's provenance from its walk (JudgeOptions.writersOf), made once: a closure
   * per judged commit was measurable (the build keeps function names, a defineProperty each).
   */
  private readonly walk: WalkProvenance | undefined;

  /** Origin commits' objects, through the long-lived cat-file (no process per traced move). */
  private readonly read = (id: string): Promise<{ type: string; content: Buffer }> =>
    this.links.object(id);

  async judge(c: CommitFacts): Promise<Verdict> {
    const { policy, opts } = this;
    this.links.follow(c);
    let files = c.files;
    // A merge can bring back an old .cleanroom/ from its second parent without the path
    // showing in the combined diff: compare the guarded paths with the first parent too.
    if (
      opts.guardConfig === true &&
      c.parents.length > 1 &&
      !(await this.sameGuarded(c.parents[0]!, c.id))
    ) {
      const rolledBack = await guardedChanges(this.ctx, c.parents[0]!, c.id, this.guard);
      if (rolledBack.length)
        files = [...files.filter((f) => !rolledBack.some((r) => r.path === f.path)), ...rolledBack];
    }
    const touchesConfig =
      opts.guardConfig === true && files.some((f) => touchesGuard(f, this.guard));
    const walk = this.walk;
    // Links (docs/design/contract.md §3, src/policy/links.ts): content is judged where a checkout shows it.
    // The commit's links are known from its parent's and its diff (no git call), so they
    // are asked for wherever they could matter: an AI commit's writes, a rename (moved
    // content followed through a link), and a commit or merge that changes what the links
    // show — a human commit may expose AI content written earlier outside every zone.
    const linkExtras: Signal[] = [];
    // One bound on the alias work of this commit (MAX_LINK_STEPS), across every call.
    const budget = linkBudget();
    const writes = c.parents.length > 1 || files.some((f) => f.status !== 'D');
    const exposing = c.parents.length > 1 || TreeLinks.changesLinks(c.files);
    const renames = files.some((f) => f.status === 'R' || f.status === 'C');
    let links: ZoneLink[] | undefined;
    if (writes && (exposing || renames) && (links = await this.links.at(c.id)).length) {
      files = this.aliased(files, links!, budget);
      if (exposing && c.parents.length) {
        const { shown, rewritten } = await this.exposed(c, links!, files, budget);
        if (shown.length) files = [...files, ...shown];
        if (shown.length || rewritten.length)
          linkExtras.push(
            ...(await exposedContentSignals(
              this.ctx,
              policy,
              [...shown, ...rewritten],
              c.parents,
              walk,
              this.read,
            )),
          );
      }
    }
    // Moves and merges only: both functions answer [] for anything else (most commits),
    // and an await each per commit is measurable over a whole history.
    const extraSignals: Signal[] = linkExtras;
    if (c.parents.length && files.some((f) => f.status === 'R' || f.status === 'C'))
      extraSignals.push(
        ...(await movedContentSignals(this.ctx, policy, files, c.parents[0], walk, this.read)),
      );
    if (c.parents.length > 1)
      extraSignals.push(
        ...(await mergedContentSignals(this.ctx, policy, files, c.parents, this.read)),
      );
    if (c.renameLimit) extraSignals.push(...renameLimitSignals(policy, c));
    // Fail closed: what cannot be read cannot be shown to be free of AI trailers.
    if (c.undecodable) extraSignals.push(undecodableSignal(c.undecodable));
    const clock = opts.grantTime?.(c.id) ?? this.now;
    const input = {
      commit: c.id,
      files,
      message: c.message,
      signalMessage: c.signalMessage,
      author: c.author,
      committer: c.committer,
      others: c.others,
      extraSignals,
    };
    let change = buildChange(policy, input, this.trust, clock, touchesConfig);
    // An AI commit's own writes are judged where links show them too.
    if (
      change.signals.length &&
      writes &&
      links === undefined &&
      (links = await this.links.at(c.id)).length
    ) {
      const aliased = this.aliased(files, links!, budget);
      if (aliased.length > files.length) {
        files = aliased;
        change = buildChange(policy, { ...input, files }, this.trust, clock, touchesConfig);
      }
    }
    const findings = evaluate(policy, change);
    if (touchesConfig) findings.push(...configFindings(change, this.guard));
    return { findings, notes: change.notes ?? [], files };
  }

  /**
   * A commit the caller does not judge (the audit's commits outside every zone): its diff
   * still tells the links of the commits after it, at no cost.
   */
  follow(c: Pick<CommitFacts, 'id' | 'parents' | 'files'>): void {
    this.links.follow(c);
  }

  /**
   * Could a link of `commit`'s tree show content in a zone? Only a link whose own path a
   * zone holds or could match below (`linkZones`): every path a link shows content at
   * (`linkViewOf`: the link's path and what follows it, through any chain, ending at the
   * last link's path), and every unbounded link's entry, is at or below some link's path,
   * so with no such link neither `aliased` nor `exposed` can yield a path in a zone. A
   * push passes over commits that touch no zone only where this is false (range.ts
   * judgePushCommits). The commit (and its ancestors back to a known one) must have been
   * followed first. Memoised per link set (most commits share their parent's).
   */
  async linksShowZones(commit: string): Promise<boolean> {
    const links = await this.links.at(commit);
    if (!links.length) return false;
    let known = this.showsZones.get(links);
    if (known === undefined) {
      known = links.some((l) => linkZones(this.policy, l.path).length > 0);
      this.showsZones.set(links, known);
    }
    return known;
  }

  private readonly showsZones = new WeakMap<readonly ZoneLink[], boolean>();

  /** `linksShowZones` without a promise, where the links are already known; undefined: ask it. */
  linksShowZonesKnown(commit: string): boolean | undefined {
    const links = this.links.atKnown(commit);
    if (links === undefined) return undefined;
    if (!links.length) return false;
    return this.showsZones.get(links);
  }

  /** `files` plus each one at the zone paths links show it at (other aliases are dropped). */
  private aliased(
    files: readonly FileChange[],
    links: readonly ZoneLink[],
    budget: LinkBudget,
  ): FileChange[] {
    const all = withLinkAliases(files, links, !this.policy.caseSensitive, budget);
    return all.filter((f) => f.via === undefined || zonesOfFile(this.policy, f).length > 0);
  }

  /**
   * Content in zones that a checkout of `c` shows through links and a checkout of its
   * first parent did not (the same blob at the same shown path), other than what `c`
   * itself writes (`files` already holds it): what a link change or a merge exposes.
   * `rewritten`: where `c` both exposes a zone path and writes its physical file, the
   * parent's blob there, at the shown path — an edit does not launder what was exposed
   * (a human adds `evals/extra -> ../src/ai` and changes one line of the AI's
   * `src/ai/x.jsonl`): its writers' signals apply to the alias too.
   */
  private async exposed(
    c: CommitFacts,
    links: readonly ZoneLink[],
    files: readonly FileChange[],
    budget: LinkBudget,
  ): Promise<{ shown: FileChange[]; rewritten: FileChange[] }> {
    const none = { shown: [], rewritten: [] };
    const parentLinks = await this.links.at(c.parents[0]!);
    // The same links, and the same trees under every target, show the same content: one
    // batch-check instead of two tree listings (most merges of a repository with links).
    if (sameView(links, parentLinks)) {
      let same = this.prepared.sameTargets.get(c.id);
      this.prepared.sameTargets.delete(c.id);
      if (same === undefined) {
        this.check ??= new BatchCheck(this.ctx);
        const targets = [...new Set(links.map((l) => l.target))];
        const ids = await this.check.ids(
          targets.flatMap((t) => [`${c.id}:${t}`, `${c.parents[0]!}:${t}`]),
        );
        same = ids.every((id, i) => i % 2 === 1 || id === ids[i + 1]);
      }
      if (same) return none;
    }
    const now = await this.shown(c.id, links, budget);
    if (!now.size) return none;
    const before = await this.shown(c.parents[0]!, parentLinks, budget);
    const have = new Set(files.map((f) => `${f.path}\0${f.blob}`));
    const written = new Set(
      c.parents.length > 1 ? [] : files.filter((f) => f.via === undefined).map((f) => f.path),
    );
    const out: FileChange[] = [];
    const edited: FileChange[] = [];
    for (const [key, f] of now) {
      if (before.has(key)) continue;
      if (written.has(f.via!)) edited.push(f);
      else if (!have.has(key)) out.push(f);
    }
    // The parent's content at each edited physical path, unless the parent already showed
    // the path there (then nothing new is exposed: the edit is judged as a write).
    const shownBefore = new Set([...before.values()].map((f) => f.path));
    const fresh = edited.filter((f) => !shownBefore.has(f.path));
    const rewritten: FileChange[] = [];
    if (fresh.length) {
      this.check ??= new BatchCheck(this.ctx);
      const ids = await this.check.ids(fresh.map((f) => `${c.parents[0]!}:${f.via!}`));
      fresh.forEach((f, i) => {
        const id = ids[i];
        if (id && id !== 'missing') rewritten.push({ ...f, status: 'A', blob: id });
      });
    }
    return { shown: out, rewritten };
  }

  /** Every file of `commit` shown through links at a path in a zone, keyed by shown path and blob. */
  private async shown(
    commit: string,
    links: readonly ZoneLink[],
    budget: LinkBudget,
  ): Promise<Map<string, FileChange>> {
    const out = new Map<string, FileChange>();
    const nocase = !this.policy.caseSensitive;
    // Links whose path, or a path it is shown at, a zone could hold or match below.
    const relevant = links.filter((l) =>
      [l.path, ...linkViewOf(l.path, links, nocase, budget).aliases].some(
        (p) => linkZones(this.policy, p).length > 0,
      ),
    );
    if (!relevant.length) return out;
    const targets = [...new Set(relevant.map((l) => l.target))];
    // A target spelled other than the tree spells it (`café` for `cafe\u0301`, `SRC` for
    // `src`) is the same directory in some checkouts, but not to a literal pathspec (and
    // ls-tree takes no `icase`): then the whole tree is listed, and `aliased` compares as
    // link resolution does.
    let whole = targets.includes('') || targets.some((t) => !isAscii(t));
    if (!whole && nocase) {
      this.check ??= new BatchCheck(this.ctx);
      const ids = await this.check.ids(targets.map((t) => `${commit}:${t}`));
      whole = ids.some((id) => id === 'missing');
    }
    const files =
      (whole ? undefined : await this.links.filesUnder(commit, targets)) ??
      (await listTree(this.ctx, commit, whole ? [] : targets));
    for (const f of files) {
      for (const a of this.aliased([f], links, budget))
        if (a.via !== undefined) out.set(`${a.path}\0${a.blob}`, a);
    }
    return out;
  }

  /** Hands the link cache (JudgeOptions.linkCache) the links known of the commits it wants. */
  keepLinks(): void {
    const cache = this.opts.linkCache;
    if (!cache) return;
    for (const id of cache.wanted) {
      const links = this.links.known(id);
      if (links) cache.learn(id, links);
    }
  }

  close(): void {
    this.check?.close();
    this.links.close();
  }
}

/**
 * Past the rename limit, moved content was traced only where it is unchanged: an added
 * file in a zone that no exact rename explains has an unknown origin, and counts as
 * unidentified AI (fail closed), naming the limit that was hit.
 */
export function renameLimitSignals(policy: Policy, c: Pick<CommitFacts, 'renameLimit'>): Signal[] {
  const limit = c.renameLimit;
  if (!limit?.unpaired.length) return [];
  const inZones = limit.unpaired.filter((p) => policy.zonesFor(p).length > 0);
  if (!inZones.length) return [];
  return [
    {
      tool: UNKNOWN_AI,
      source: 'marker',
      evidence: `rename limit hit: this commit adds ${limit.added} and deletes ${limit.deleted} files (limit ${RENAME_LIMIT} each), so moved content was traced only where it is unchanged; the origin of ${inZones.length} added file(s) in zones is unknown — split the commit, or have it reviewed or overridden`,
      paths: new Map(inZones.map((p) => [p, 1])),
    },
  ];
}

/**
 * The files of `commit`'s tree under `dirs` (all of it for none), as added files.
 * `git ls-tree -r -z --full-tree`; sample: `100644 blob 1f2e…\tsrc/gen/q.json\0`.
 * Pathspecs are literal (`:(literal)`), so a directory named `*` is only itself.
 */
async function listTree(
  ctx: GitContext,
  commit: string,
  dirs: readonly string[],
): Promise<FileChange[]> {
  const { stdout } = await runGit(ctx, [
    'ls-tree',
    '-r',
    '-z',
    '--full-tree',
    commit,
    '--',
    ...dirs.map((d) => `:(literal)${d}`),
  ]);
  const out: FileChange[] = [];
  for (let pos = 0; pos < stdout.length;) {
    const nul = stdout.indexOf(0, pos);
    const end = nul < 0 ? stdout.length : nul;
    const rec = stdout.subarray(pos, end);
    pos = end + 1;
    const tab = rec.indexOf(0x09);
    if (tab < 0) continue;
    const [mode = '', , blob = ''] = rec.subarray(0, tab).toString('latin1').split(' ');
    out.push({ status: 'A', path: decodePath(rec.subarray(tab + 1)), blob, mode });
  }
  return out;
}

/** Do two resolved link sets show the same targets at the same paths? */
function sameView(a: readonly ZoneLink[], b: readonly ZoneLink[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const key = (l: ZoneLink): string => `${l.path}\0${l.target}\0${l.unbounded === true}`;
  const set = new Set(a.map(key));
  return b.every((l) => set.has(key(l)));
}
