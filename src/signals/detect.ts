// Restricting signals: everything in a commit's metadata (and, locally, the agent
// environment) that points at an AI tool. Matched liberally — any trailer-shaped line
// anywhere in the message counts — but only on structured evidence: an email, a trailer
// key, a distinctive marker, aider's name suffix. Never on a display name alone.

import { UNKNOWN_AI, type Identity, type Signal, type ToolId } from '../core/types.js';
import type { ToolTable } from './tools.js';
import { parseIdentity, trailerPartsAt, trailerText, unfoldTrailers } from './trailers.js';

export interface CommitMeta {
  /** More author/committer lines of a hand-made commit object (git may show any of them). */
  others?: readonly Identity[] | undefined;
  author?: Identity | undefined;
  committer?: Identity | undefined;
  message: string;
}

export const formatIdentity = (id: Identity): string =>
  id.name ? `${id.name} <${id.email}>` : `<${id.email}>`;

/**
 * The tool an identity belongs to: by email, or by a name suffix such as " (aider)". Both
 * are read as the restricting reader reads a message (restrictText: full-width letters,
 * zero-width and other invisible characters), so an author header that `git log` shows
 * as `Claude <noreply@anthropic.com>` is Claude's whatever invisible bytes it carries.
 */
export function identityTool(
  table: ToolTable,
  raw: Identity,
): { tool: ToolId; by: 'email' | 'name' } | undefined {
  const id = ASCII.test(raw.email) && ASCII.test(raw.name) ? raw : restrictIdentity(raw);
  const byEmail = table.toolForEmail(id.email);
  if (byEmail) return { tool: byEmail, by: 'email' };
  const name = id.name.toLowerCase();
  const suffix = table.nameSuffixes.find((s) => name.endsWith(s.lower));
  return suffix ? { tool: suffix.tool, by: 'name' } : undefined;
}

/**
 * The message as the restricting reader sees it: NFKC (full-width colons and letters,
 * no-break spaces), invisible format characters (zero-width spaces, BOM) removed, and
 * quote or list markers ("> ", "* ", "- ") taken off the start of lines — none of which
 * may hide a trailer or an address from cleanroom while a person still reads it.
 */
export function restrictView(message: string): string {
  // NFKC and format characters are non-ASCII
  const text = ASCII.test(message) ? message : restrictText(message);
  // Only a line that begins with a blank or a marker can change: the common message
  // (no indented or quoted line) is returned as it is, without a copy per line (this
  // runs once per commit of every pushed or audited history).
  if (!LINE_LEAD.test(text)) return text;
  return text
    .split('\n')
    .map((l) => l.replace(/^[ \t]*(?:[>*+\-\u2022][ \t]*)+/, ''))
    .join('\n');
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;
/** Line breaks to a reader that git does not split lines at (detectSignals). */
const OTHER_BREAK = /\r(?!\n)|[\v\f\u0085\u2028\u2029]/;
const OTHER_BREAKS = new RegExp(OTHER_BREAK.source, 'g');

/**
 * `text` in NFKC (UAX #15: full-width letters and colons, no-break spaces and other
 * compatibility forms become their plain ones) with every format character (`\p{Cf}`:
 * zero-width spaces and joiners, soft hyphens, BOM, bidirectional controls) and every
 * other default-ignorable code point (UAX #44 `Default_Ignorable_Code_Point`: the
 * combining grapheme joiner, variation selectors, Hangul fillers, Mongolian free
 * variation selectors, tag characters) removed — what a renderer shows as nothing: what a
 * person reading it sees, as the restricting reader matches it.
 */
export function restrictText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '');
}

const restrictIdentity = (id: Identity): Identity => ({
  ...id,
  name: restrictText(id.name),
  email: restrictText(id.email).trim(),
});

/** A line beginning with what restrictView may take off (a blank, or a quote or list marker). */
const LINE_LEAD = /(?:^|\n)[ \t>*+\-\u2022]/;

const LOCAL_CHAR = /[A-Za-z0-9._%+\-[\]]/;
const DOMAIN_CHAR = /[A-Za-z0-9.-]/;

/**
 * Email-like tokens around each "@", found in linear time (a regex with a leading `+`
 * would rescan a long run of letters from every position: quadratic on hostile input).
 */
export function addressesIn(line: string): string[] {
  const out: string[] = [];
  for (let at = line.indexOf('@'); at >= 0 && out.length < 100; at = line.indexOf('@', at + 1)) {
    let a = at;
    while (a > 0 && at - a < 256 && LOCAL_CHAR.test(line[a - 1]!)) a--;
    let b = at + 1;
    while (b < line.length && b - at < 256 && DOMAIN_CHAR.test(line[b]!)) b++;
    const address = line.slice(a, b).replace(/\.+$/, '');
    if (a < at && address.indexOf('.', at - a) > at - a + 1) out.push(address);
  }
  return out;
}

/** One signal per (tool, evidence), in the order found. */
function addSignal(
  out: Signal[],
  seen: Set<string>,
  tool: ToolId,
  source: Signal['source'],
  evidence: string,
): void {
  const key = `${tool}\0${evidence}`;
  if (seen.has(key)) return;
  seen.add(key);
  out.push({ tool, source, evidence });
}

/**
 * The restricting reader's pass over the lines of `view` (a message as restrictView
 * gives it): every trailer-like line judged by key, value and identity; lines holding an
 * "@" that are not a well-formed `Key: Name <email>` line pushed onto `atLines`.
 */
function trailerPass(
  table: ToolTable,
  view: string,
  out: Signal[],
  seen: Set<string>,
  atLines: string[],
): void {
  // One pass over the lines: every trailer-like line is judged, and the lines holding an
  // "@" are kept for the address pass below (with whether they are a well-formed
  // `Key: Name <email>` line), so no line is split or parsed twice. The evidence text is
  // built only for a line that gives a signal.
  // The next "@" at or after the line being read (searched again only once passed: linear).
  let nextAt = view.indexOf('@');
  for (let pos = 0; pos <= view.length;) {
    const from = pos;
    let nl = view.indexOf('\n', from);
    if (nl < 0) nl = view.length;
    pos = nl + 1;
    if (nextAt >= 0 && nextAt < from) nextAt = view.indexOf('@', from);
    const withAt = nextAt >= 0 && nextAt < nl;
    const parts = trailerPartsAt(view, from, nl);
    if (!parts) {
      if (withAt) atLines.push(view.slice(from, nl));
      continue;
    }
    const [tkey, value] = parts;
    const key = tkey.toLowerCase();
    let text: string | undefined;
    for (const rule of table.trailerKeys.get(key) ?? []) {
      if (rule.value === undefined || value.toLowerCase() === rule.value)
        addSignal(out, seen, rule.tool, 'trailer', (text ??= trailerText(tkey, value)));
    }
    const id = parseIdentity(value);
    // A well-formed `Key: Name <email>` line is judged by its email alone (below too).
    if (withAt && !id) atLines.push(view.slice(from, nl));
    const idTool = id ? identityTool(table, id) : undefined;
    if (table.genericTrailers.has(key)) {
      addSignal(
        out,
        seen,
        idTool?.tool ?? table.toolForName(value) ?? UNKNOWN_AI,
        'trailer',
        (text ??= trailerText(tkey, value)),
      );
      continue;
    }
    if (idTool) {
      addSignal(out, seen, idTool.tool, 'trailer', (text ??= trailerText(tkey, value)));
      continue;
    }
    if (key === 'co-authored-by') {
      // `Name <email>`, or a bare name (`Co-authored-by: Gemini`, as Gemini CLI users write
      // it), also with an empty or address-less `<…>` after it (`Gemini <>`).
      const name = id
        ? id.name.trim()
        : value.includes('@')
          ? ''
          : value.replace(/<[^<>]*>\s*$/, '').trim();
      const byName = name ? table.coauthorNames.find((c) => c.test(name)) : undefined;
      if (byName) addSignal(out, seen, byName.tool, 'trailer', (text ??= trailerText(tkey, value)));
    }
  }
}

export function detectSignals(table: ToolTable, meta: CommitMeta): Signal[] {
  const out: Signal[] = [];
  // A function per call cost a closure (and, in the build that keeps names, a
  // defineProperty) on every commit of a history; signals per commit are a handful.
  const seen = new Set<string>();

  for (const role of ['author', 'committer'] as const) {
    const id = meta[role];
    if (!id) continue;
    const hit = identityTool(table, id);
    if (hit)
      addSignal(
        out,
        seen,
        hit.tool,
        hit.by === 'email' ? role : 'name',
        `${role}: ${formatIdentity(id)}`,
      );
  }

  for (const id of meta.others ?? []) {
    const hit = identityTool(table, id);
    if (hit)
      addSignal(
        out,
        seen,
        hit.tool,
        hit.by === 'email' ? 'author' : 'name',
        `extra identity line: ${formatIdentity(id)}`,
      );
  }

  const view = restrictView(meta.message);
  // Lines holding an "@", for the address pass below.
  const atLines: string[] = [];
  trailerPass(table, view, out, seen, atLines);
  // Git reads a trailer's value on across continuation lines (trailer.c: a line starting
  // with a space, a tab or a CR continues the one before; `git interpret-trailers --parse`,
  // `%(trailers:unfold)`): `Made-with:` then ` Cursor` is `Made-with: Cursor` to every tool
  // that reads trailers. Judged line by line above, then once more unfolded.
  const unfolded = unfoldTrailers(view);
  if (unfolded !== view) trailerPass(table, unfolded, out, seen, []);
  // A person reads a lone CR (a terminal goes back to column 0 and prints the rest over
  // the line; web views break it), U+2028, U+2029, NEL, a vertical tab or a form feed as
  // a new line; git reads none of them as one. `Task\r\rAssisted-by: cursor` shows an
  // attributed commit: judged once more with each of them as a line break, for the tools
  // not found already (a line cut there gives the same tool other evidence).
  if (OTHER_BREAK.test(view)) {
    const broken = view.replace(OTHER_BREAKS, '\n');
    const more: Signal[] = [];
    const moreSeen = new Set<string>();
    trailerPass(table, broken, more, moreSeen, []);
    const unfoldedBroken = unfoldTrailers(broken);
    if (unfoldedBroken !== broken) trailerPass(table, unfoldedBroken, more, moreSeen, []);
    const found = new Set(out.map((x) => x.tool));
    for (const x of more)
      if (!found.has(x.tool)) addSignal(out, seen, x.tool, x.source, x.evidence);
  }

  // aider (2023–24) began the subject with "aider: ". Case-sensitive, at the very start.
  if (table.subjectPrefixes.length) {
    const subject = view.replace(/^\s+/, '').split('\n', 1)[0] ?? '';
    for (const p of table.subjectPrefixes)
      if (subject.startsWith(p.text))
        addSignal(out, seen, p.tool, 'marker', `subject begins "${p.text.trim()}"`);
  }

  const lower = view.toLowerCase();
  for (const m of table.markers) {
    if (lower.includes(m.lower)) addSignal(out, seen, m.tool, 'marker', m.text);
  }
  // Any AI address anywhere else — "see noreply@anthropic.com.", two identities on a
  // line, a missing ">": restricting signals err on the side of seeing. A well-formed
  // `Key: Name <email>` line was judged above by its email alone (its display name may
  // be anything, even an address).
  for (const line of atLines) {
    for (const address of addressesIn(line)) {
      const tool = table.toolForEmail(address);
      if (tool && !out.some((x) => x.tool === tool))
        addSignal(out, seen, tool, 'trailer', `address in the message: ${address}`);
    }
  }
  return out;
}

/** The agent environment at commit time: `CLAUDECODE=1`, `CODEX_SANDBOX*`, … */
export function envSignals(
  table: ToolTable,
  env: Readonly<Record<string, string | undefined>>,
): Signal[] {
  const out: Signal[] = [];
  for (const rule of table.env) {
    const names = rule.prefix
      ? Object.keys(env).filter((k) => k.startsWith(rule.name))
      : [rule.name];
    for (const name of names) {
      const value = env[name];
      if (!value) continue;
      if (rule.value !== undefined && value !== rule.value) continue;
      out.push({
        tool: rule.tool,
        source: 'env',
        evidence: `environment ${name}=${value.slice(0, 40)}`,
      });
      break;
    }
  }
  return out;
}
