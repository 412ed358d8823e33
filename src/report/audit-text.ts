// `cleanroom audit` for a person: a summary that answers "is our eval set contaminated?"
// in ten seconds (one line of verdict, one row per zone), then the details — each
// contaminated path with the commits and tools that made it so — then who reviewed
// and overrode what, and the ways out. Everything from history is escaped.

import type { AuditPath, AuditReport, AuditZone } from '../audit/report.js';
import { safe, safePath, type Style } from '../escape.js';

export interface AuditTextOptions {
  style: Style;
  /** Summary only (no per-path details). */
  quiet?: boolean;
  /** Changes listed per path before "… and N more". */
  maxChanges?: number;
}

const n = (x: number): string => x.toLocaleString('en-US');
const short = (id: string): string => id.slice(0, 12);
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '—');
const plural = (k: number, one: string, many = `${one}s`): string =>
  `${n(k)} ${k === 1 ? one : many}`;

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

function scopeLine(r: AuditReport): string {
  const what = r.scope.all ? 'all refs' : safe(r.scope.range ?? 'HEAD');
  const tips =
    r.scope.tips.length === 1
      ? ` at ${short(r.scope.tips[0]!)}`
      : r.scope.tips.length > 1
        ? ` (${r.scope.tips.length} tips)`
        : '';
  const cut = r.scope.sinceCut?.length
    ? ` (history from ${r.scope.sinceCut.map(short).join(', ')} down not audited)`
    : '';
  const since = r.scope.since ? ` since ${safe(r.scope.since)}${cut}` : '';
  return `cleanroom audit — ${what}${tips}${since}: ${plural(r.history.commits, 'commit')}, ${day(r.history.first)} → ${day(r.history.last)}`;
}

function zoneTable(zones: readonly AuditZone[], style: Style): string[] {
  const head = [
    'zone',
    'ai',
    'contaminated',
    'attested',
    'AI changes (unattested/reviewed/overridden)',
  ];
  const rows = zones.map((z) => [
    z.name,
    z.ai,
    n(z.contaminated.length),
    n(z.attested.length),
    `${n(z.findings.violation)} / ${n(z.findings.reviewed)} / ${n(z.findings.overridden)}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => safe(r[i]!).length)));
  const out = [`  ${head.map((h, i) => pad(h, widths[i]!)).join('  ')}`.trimEnd()];
  rows.forEach((r, zi) => {
    const line = `  ${r.map((c, i) => pad(safe(c), widths[i]!)).join('  ')}`.trimEnd();
    out.push(zones[zi]!.contaminated.length ? style.red(line) : line);
  });
  return out;
}

function pathLines(p: AuditPath, style: Style, max: number, mark: string): string[] {
  const out = [
    // Content shown through a symlink is named where git stores it (what to git rm).
    `  ${mark} ${
      p.stored !== undefined
        ? `${safePath(p.stored)} (seen as ${safePath(p.path)} through the link ${safePath(p.link ?? p.path)})`
        : safePath(p.path)
    } ${style.dim(`(${p.verdict}; ${p.tools.join(', ')})`)}`,
  ];
  const shown = p.changes.filter((c) => c.contaminates || mark !== '✗');
  for (const c of shown.slice(0, max)) {
    const as = c.path !== p.path ? ` as ${safePath(c.path)}` : '';
    const grant = c.by ? ` — ${c.outcome} by ${safe(c.by)}` : '';
    out.push(`      ${short(c.commit)} ${day(c.date)} ${c.tool}${as}: ${safe(c.signal)}${grant}`);
  }
  const more = shown.length - max;
  if (more > 0) out.push(style.dim(`      … and ${plural(more, 'more change')}`));
  if (p.truncated)
    out.push(style.dim('      (more changes in history than the report keeps per path)'));
  return out;
}

export function renderAuditText(r: AuditReport, opts: AuditTextOptions): string {
  const { style } = opts;
  const max = opts.maxChanges ?? 5;
  const out: string[] = [scopeLine(r)];
  if (!r.history.complete) {
    out.push(
      style.yellow(
        `warning: shallow clone — history before ${plural(r.history.shallowBoundary.length, 'boundary commit')} is missing; run git fetch --unshallow for a complete audit`,
      ),
    );
  }
  if (r.history.commits === 0) out.push(style.yellow('no commits to audit'));
  out.push('');
  const s = r.summary;
  if (s.contaminatedPaths) {
    out.push(
      style.red(
        style.bold(
          `CONTAMINATED: ${plural(s.contaminatedPaths, 'path')} in ${plural(s.zonesContaminated, 'zone')} ${s.contaminatedPaths === 1 ? 'has' : 'have'} AI-attributed history without review or override`,
        ),
      ),
    );
  } else if (!r.history.complete) {
    out.push(
      style.yellow(
        style.bold(
          'INCOMPLETE: shallow clone — no contaminated path in the history fetched, but the history before the boundary was not audited',
        ),
      ),
    );
  } else {
    out.push(
      style.green(
        style.bold(
          'CLEAN: no path that exists now has AI-attributed history without review or override',
        ),
      ),
    );
  }
  const tools = Object.entries(s.tools);
  if (tools.length) out.push(`  by tool: ${tools.map(([t, k]) => `${t} ${n(k)}`).join(', ')}`);
  out.push(
    `  ${plural(s.attestedPaths, 'path')} with AI-attributed history passed review or override`,
    '',
  );
  out.push(...zoneTable(r.zones, style));

  if (!opts.quiet) {
    for (const z of r.zones) {
      if (!z.contaminated.length && !z.attested.length && !z.grants.length) continue;
      out.push('', style.bold(`zone ${safe(z.name)} (ai: ${z.ai})`));
      for (const p of z.contaminated) out.push(...pathLines(p, style, max, style.red('✗')));
      for (const p of z.attested) out.push(...pathLines(p, style, max, style.green('✓')));
      if (z.grants.length) {
        out.push('    reviews and overrides used:');
        for (const g of z.grants)
          out.push(`      ${safe(g.by)} — ${g.outcome} ${plural(g.changes, 'change')}`);
      }
    }
    if (r.notes.length) {
      out.push('');
      for (const note of r.notes.slice(0, 20))
        out.push(
          `${style.yellow('note:')} ${safe(note.text)} ${style.dim(`(${plural(note.commits, 'commit')})`)}`,
        );
    }
  }
  if (s.contaminatedPaths) {
    out.push(
      '',
      'Ways out:',
      '  - deletion is the cure: git rm the contaminated file, commit, and have a human write it anew',
      "    (a later edit, review or override does not clean content that is already in the file's history)",
      opts.quiet
        ? '  - wrong attribution? run without --quiet to see each change and the signal seen; cleanroom explain PATH shows the zone'
        : '  - wrong attribution? each change above names the signal seen; cleanroom explain PATH shows the zone',
    );
  }
  return out.join('\n') + '\n';
}
