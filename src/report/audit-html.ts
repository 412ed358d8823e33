// `cleanroom audit --format html`: one self-contained file a person opens on a laptop or
// a phone, or prints. No network request of any kind: the Content-Security-Policy
// allows only inline style and script and data: images. Tables are rendered here (so
// the page reads without script and prints); the report itself is embedded as JSON
// (`<` escaped, so no value can close the script element) for the filters and the
// timeline, which script redraws when a filter changes.
//
// The timeline is drawn by one function, used twice: here for the first paint (so the
// page reads and prints without script) and in the page for redraws.

import type { AuditPath, AuditReport, AuditTimelinePoint, AuditZone } from '../audit/report.js';
import { auditJsonDocument } from './audit-json.js';

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** Text for HTML element content and quoted attribute values. */
export function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

/** Control characters (terminal escapes, bidi overrides) made visible, then HTML-escaped. */
function show(text: string): string {
  const visible = text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`,
  );
  return esc(visible);
}

/** JSON inside <script type="application/json">: nothing can end the element early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface TimelineOptions {
  /** Only this tool's changes; null for all. */
  tool: string | null;
  /** The audited span (YYYY-MM-DD), shared by every zone so their charts line up. */
  from: string;
  to: string;
  width?: number;
  height?: number;
}

type TimelineFn = (points: readonly AuditTimelinePoint[], opts: TimelineOptions) => string;

// Plain JavaScript in a string, not TypeScript: the same text runs here and in the page,
// and no bundler step (minifying, keepNames helpers) can change what the page receives.
// Stacked bars of AI-attributed changes per day, week or month; the HTML test runs it in
// a real browser, the unit tests run it here.
const TIMELINE_SOURCE = String.raw`function timelineSvg(points, opts) {
  var W = opts.width || 720, H = opts.height || 140, padL = 34, padR = 8, padT = 10, padB = 22;
  function e(s) { return String(s).replace(/[&<>"]/g, function (c) { return c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'; }); }
  function dayOf(d) { return Math.floor(Date.parse(d + 'T00:00:00Z') / 86400000); }
  var from = dayOf(opts.from), to = Math.max(dayOf(opts.to), from), span = to - from + 1;
  var unit = span <= 92 ? 'day' : span <= 731 ? 'week' : 'month';
  function bucketOf(day) {
    if (unit === 'day') return day;
    if (unit === 'week') return day - ((day + 3) % 7); /* weeks start on Monday; 1970-01-01 was a Thursday */
    var d = new Date(day * 86400000);
    return Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / 86400000);
  }
  function nextBucket(b) {
    if (unit === 'day') return b + 1;
    if (unit === 'week') return b + 7;
    var d = new Date(b * 86400000);
    return Math.floor(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 86400000);
  }
  function label(b) { var iso = new Date(b * 86400000).toISOString(); return unit === 'month' ? iso.slice(0, 7) : iso.slice(0, 10); }
  var buckets = [], index = {}, sums = [], total = 0, i;
  for (var b = bucketOf(from); b <= to; b = nextBucket(b)) { index[b] = buckets.length; buckets.push(b); sums.push({ violation: 0, reviewed: 0, overridden: 0 }); }
  for (i = 0; i < points.length; i++) {
    var p = points[i];
    if (opts.tool && p.tool !== opts.tool) continue;
    var at = index[bucketOf(dayOf(p.date))];
    if (at === undefined) continue;
    sums[at].violation += p.violation; sums[at].reviewed += p.reviewed; sums[at].overridden += p.overridden;
    total += p.violation + p.reviewed + p.overridden;
  }
  var open = '<svg xmlns="http://www.w3.org/2000/svg" class="timeline" viewBox="0 0 ' + W + ' ' + H + '" role="img" aria-label="AI-attributed changes per ' + unit + '">';
  if (!total) return open + '<text x="' + W / 2 + '" y="' + H / 2 + '" text-anchor="middle" class="empty">no AI-attributed changes' + (opts.tool ? ' by ' + e(opts.tool) : '') + '</text></svg>';
  var max = 1;
  for (i = 0; i < sums.length; i++) max = Math.max(max, sums[i].violation + sums[i].reviewed + sums[i].overridden);
  var plotW = W - padL - padR, plotH = H - padT - padB, bw = plotW / buckets.length;
  var out = [open, '<line class="axis" x1="' + padL + '" y1="' + (padT + plotH) + '" x2="' + (W - padR) + '" y2="' + (padT + plotH) + '"/>',
    '<text class="tick" x="' + (padL - 4) + '" y="' + (padT + 8) + '" text-anchor="end">' + max + '</text>',
    '<text class="tick" x="' + (padL - 4) + '" y="' + (padT + plotH) + '" text-anchor="end">0</text>'];
  var kinds = ['violation', 'reviewed', 'overridden'];
  for (i = 0; i < sums.length; i++) {
    var s = sums[i], n = s.violation + s.reviewed + s.overridden;
    if (!n) continue;
    var x = padL + i * bw + (bw > 3 ? bw * 0.1 : 0), w = Math.max(bw > 3 ? bw * 0.8 : bw, 1), y = padT + plotH;
    out.push('<g class="bar" data-bucket="' + label(buckets[i]) + '"><title>' + e(label(buckets[i]) + ': ' + s.violation + ' unattested, ' + s.reviewed + ' reviewed, ' + s.overridden + ' overridden') + '</title>');
    for (var k = 0; k < kinds.length; k++) {
      if (!s[kinds[k]]) continue;
      var h = Math.max((s[kinds[k]] / max) * plotH, 1);
      y -= h;
      out.push('<rect class="' + kinds[k] + '" x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + w.toFixed(1) + '" height="' + h.toFixed(1) + '"/>');
    }
    out.push('</g>');
  }
  var ticks = Math.min(buckets.length, Math.max(2, Math.floor(plotW / 90)));
  for (var t = 0; t < ticks; t++) {
    var bi = ticks === 1 ? 0 : Math.round((t * (buckets.length - 1)) / (ticks - 1));
    var tx = t === 0 ? padL : t === ticks - 1 ? W - padR : padL + bi * bw + bw / 2;
    out.push('<text class="tick" x="' + tx.toFixed(1) + '" y="' + (H - 6) + '" text-anchor="' + (t === 0 ? 'start' : t === ticks - 1 ? 'end' : 'middle') + '">' + label(buckets[bi]) + '</text>');
  }
  out.push('</svg>');
  return out.join('');
}`;

// The page's script: filters hide rows and zones, and the timelines are redrawn for the
// chosen tool. Plain JavaScript for the same reason as above.
const CLIENT_SOURCE = String.raw`(function (draw) {
  var data = JSON.parse(document.getElementById('cleanroom-audit').textContent || '{}');
  var zoneSel = document.getElementById('f-zone'), toolSel = document.getElementById('f-tool');
  var showC = document.getElementById('f-contaminated'), showA = document.getElementById('f-attested');
  var from = (data.history.first || data.generatedAt).slice(0, 10), to = (data.history.last || data.generatedAt).slice(0, 10);
  function each(sel, fn) { Array.prototype.forEach.call(document.querySelectorAll(sel), fn); }
  function apply() {
    var zone = zoneSel.value, tool = toolSel.value, shown = 0;
    each('section.zone', function (sec) { sec.hidden = zone !== '' && sec.getAttribute('data-zone') !== zone; });
    each('tr.zone-row', function (row) { row.hidden = zone !== '' && row.getAttribute('data-zone') !== zone; });
    each('tr.path', function (row) {
      var tools = (row.getAttribute('data-tools') || '').split(' ');
      var status = row.getAttribute('data-status') === 'contaminated' ? showC.checked : showA.checked;
      var ok = status && (zone === '' || row.getAttribute('data-zone') === zone) && (tool === '' || tools.indexOf(tool) >= 0);
      row.hidden = !ok;
      if (ok) shown++;
    });
    data.zones.forEach(function (z, i) {
      var box = document.getElementById('chart-' + i);
      if (box) box.innerHTML = draw(z.timeline, { tool: tool || null, from: from, to: to });
    });
    document.getElementById('shown').textContent = String(shown);
  }
  [zoneSel, toolSel, showC, showA].forEach(function (el) { el.addEventListener('change', apply); });
  window.addEventListener('beforeprint', function () { each('details', function (d) { d.setAttribute('open', ''); }); });
  apply();
})`;

/** The timeline drawer, compiled once from the same source the page runs. */
export const timelineSvg: TimelineFn = new Function(`return (${TIMELINE_SOURCE});`)() as TimelineFn;

const STYLE = `
:root{--fg:#1b1f24;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--card:#f6f8fa;--bad:#cf222e;--ok:#1a7f37;--ovr:#9a6700}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:1.35rem;margin:.2em 0}h2{font-size:1.15rem;margin:1.4em 0 .4em}h3{font-size:1rem;margin:1em 0 .3em}
.muted{color:var(--muted)}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;word-break:break-all}
.banner{padding:12px 14px;border-radius:8px;font-weight:600;margin:12px 0}
.banner.bad{background:#ffebe9;color:var(--bad);border:1px solid #ffcecb}.banner.ok{background:#dafbe1;color:var(--ok);border:1px solid #aceebb}
.banner.warn{background:#fff8c5;color:#7d4e00;border:1px solid #eed888;font-weight:500}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px;margin:12px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:1.5rem}
.filters{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:center;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;margin:14px 0;position:sticky;top:0;z-index:1}
.filters label{display:flex;gap:6px;align-items:center}
select{font:inherit;padding:4px 6px;max-width:60vw}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85em;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8em;font-weight:600;white-space:nowrap}
.tag.contaminated{background:#ffebe9;color:var(--bad)}.tag.attested{background:#dafbe1;color:var(--ok)}
table.paths td.mono{min-width:14em;width:30%}
ul.changes{margin:0;padding-left:1.1em}ul.changes li{margin:2px 0}
.bad{color:var(--bad)}
svg.timeline{width:100%;height:auto;max-height:180px;display:block}
svg .violation{fill:var(--bad)}svg .reviewed{fill:var(--ok)}svg .overridden{fill:var(--ovr)}
svg .axis{stroke:var(--line)}svg .tick,svg .empty{fill:var(--muted);font-size:11px}
.legend span{margin-right:12px;font-size:.85em}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:-1px}
section.zone{border-top:2px solid var(--line);margin-top:18px}
[hidden]{display:none!important}
@media (max-width:640px){
  main{padding:10px}body{font-size:14px}
  table.paths thead{display:none}
  table.paths tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
  table.paths td{display:block;border:0;padding:2px 0}
  table.paths td::before{content:attr(data-label);display:block;font-size:.75em;color:var(--muted)}
  .filters{position:static}
}
@media print{
  .filters,noscript{display:none!important}
  body{font-size:11pt;color:#000}main{max-width:none;padding:0}
  section.zone,tr,.card{break-inside:avoid}
  a{color:inherit;text-decoration:none}
  .banner,.card,.tag{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
@media (prefers-color-scheme:dark){
  :root{--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--bg:#0d1117;--card:#151b23}
  .banner.bad{background:#3c1618;border-color:#6e2126}.banner.ok{background:#12261e;border-color:#1f5130}.banner.warn{background:#2e2a16;border-color:#5c4a12;color:#e3b341}
  .tag.contaminated{background:#3c1618}.tag.attested{background:#12261e}
}
@media print and (prefers-color-scheme:dark){:root{--fg:#000;--bg:#fff;--card:#f6f8fa;--line:#ccc;--muted:#555}}
`;

const n = (x: number): string => x.toLocaleString('en-US');
const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : '—');

function changeList(p: AuditPath, status: 'contaminated' | 'attested'): string {
  const items = p.changes
    .filter((c) => status === 'attested' || c.contaminates)
    .map((c) => {
      const as = c.path !== p.path ? ` as <span class="mono">${show(c.path)}</span>` : '';
      const by = c.by ? ` — ${esc(c.outcome)} by ${show(c.by)}` : '';
      return `<li><span class="mono" title="${esc(c.commit)}">${esc(c.commit.slice(0, 12))}</span> ${esc(day(c.date))} <b>${esc(c.tool)}</b>${as}: <span class="muted">${show(c.signal)}</span>${by}</li>`;
    });
  const first = items.slice(0, 3).join('');
  const rest = items.slice(3);
  const more = rest.length
    ? `<details><summary>${n(rest.length)} more</summary><ul class="changes">${rest.join('')}</ul></details>`
    : '';
  const cut = p.truncated
    ? '<div class="muted">more changes in history than the report keeps per path</div>'
    : '';
  return `<ul class="changes">${first}</ul>${more}${cut}`;
}

function pathRow(p: AuditPath, status: 'contaminated' | 'attested'): string {
  return (
    `<tr class="path" data-zone="${esc(p.zone)}" data-tools="${esc(p.tools.join(' '))}" data-status="${status}">` +
    `<td data-label="status"><span class="tag ${status}">${status}</span></td>` +
    `<td data-label="path" class="mono">${show(p.path)}</td>` +
    `<td data-label="tools">${esc(p.tools.join(', '))}</td>` +
    `<td data-label="changes">${changeList(p, status)}</td></tr>`
  );
}

function zoneSection(z: AuditZone, index: number, r: AuditReport): string {
  const rows = [
    ...z.contaminated.map((p) => pathRow(p, 'contaminated')),
    ...z.attested.map((p) => pathRow(p, 'attested')),
  ];
  const table = rows.length
    ? `<div class="scroll"><table class="paths"><thead><tr><th>status</th><th>path</th><th>tools</th><th>AI-attributed changes</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
    : '<p class="muted">No path that exists now has AI-attributed history in this zone.</p>';
  const grants = z.grants.length
    ? `<h3>Reviews and overrides used</h3><div class="scroll"><table><thead><tr><th>by</th><th>kind</th><th class="num">changes</th></tr></thead><tbody>${z.grants
        .map(
          (g) =>
            `<tr><td>${show(g.by)}</td><td>${esc(g.outcome)}</td><td class="num" data-grant="${esc(z.name)}">${n(g.changes)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`
    : '';
  const from = day(r.history.first ?? r.generatedAt);
  const to = day(r.history.last ?? r.generatedAt);
  return (
    `<section class="zone" data-zone="${esc(z.name)}"><h2>zone ${show(z.name)} <span class="muted">(ai: ${esc(z.ai)})</span></h2>` +
    `<p><span class="${z.contaminated.length ? 'bad' : ''}"><b data-zone-count="${esc(z.name)}:contaminated">${n(z.contaminated.length)}</b> contaminated</span> · ` +
    `<b data-zone-count="${esc(z.name)}:attested">${n(z.attested.length)}</b> attested · AI-attributed changes in history: ` +
    `<b data-zone-count="${esc(z.name)}:violation">${n(z.findings.violation)}</b> unattested, <b data-zone-count="${esc(z.name)}:reviewed">${n(z.findings.reviewed)}</b> reviewed, ` +
    `<b data-zone-count="${esc(z.name)}:overridden">${n(z.findings.overridden)}</b> overridden</p>` +
    `<h3>Timeline of AI-attributed changes</h3><div class="chart" id="chart-${index}" data-zone="${esc(z.name)}">${timelineSvg(z.timeline, { tool: null, from, to })}</div>` +
    `${table}${grants}</section>`
  );
}

export function renderAuditHtml(r: AuditReport): string {
  const s = r.summary;
  const scope = r.scope.all ? 'all refs' : (r.scope.range ?? 'HEAD');
  const tools = [
    ...new Set(
      r.zones.flatMap((z) =>
        [...z.contaminated, ...z.attested]
          .flatMap((p) => p.tools)
          .concat(z.timeline.map((t) => t.tool)),
      ),
    ),
  ].sort();
  const banner = s.contaminatedPaths
    ? `<div class="banner bad">Contaminated: <span data-count="contaminatedPaths">${n(s.contaminatedPaths)}</span> path${s.contaminatedPaths === 1 ? '' : 's'} in <span data-count="zonesContaminated">${n(s.zonesContaminated)}</span> zone${s.zonesContaminated === 1 ? '' : 's'} ${s.contaminatedPaths === 1 ? 'has' : 'have'} AI-attributed history without review or override.</div>`
    : !r.history.complete
      ? `<div class="banner warn">Incomplete: <span data-count="contaminatedPaths">0</span> contaminated paths in the history fetched; the history before the shallow boundary was not audited.</div>`
      : `<div class="banner ok">Clean: <span data-count="contaminatedPaths">0</span> paths that exist now have AI-attributed history without review or override.</div>`;
  const shallow = r.history.complete
    ? ''
    : `<div class="banner warn">Shallow clone: history before ${n(r.history.shallowBoundary.length)} boundary commit(s) is missing, so this audit is incomplete. Run <span class="mono">git fetch --unshallow</span> and audit again.</div>`;
  const card = (key: string, value: number, label: string): string =>
    `<div class="card"><b data-count="${key}">${n(value)}</b>${label}</div>`;
  const zoneRows = r.zones
    .map(
      (z) =>
        `<tr class="zone-row" data-zone="${esc(z.name)}"><td>${show(z.name)}</td><td>${esc(z.ai)}</td><td class="num${z.contaminated.length ? ' bad' : ''}">${n(z.contaminated.length)}</td><td class="num">${n(z.attested.length)}</td>` +
        `<td class="num">${n(z.findings.violation)}</td><td class="num">${n(z.findings.reviewed)}</td><td class="num">${n(z.findings.overridden)}</td></tr>`,
    )
    .join('');
  const notes = r.notes.length
    ? `<h2>Notes</h2><ul>${r.notes.map((x) => `<li>${show(x.text)} <span class="muted">(${n(x.commits)} commit${x.commits === 1 ? '' : 's'})</span></li>`).join('')}</ul>`
    : '';
  const total = s.contaminatedPaths + s.attestedPaths;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>cleanroom audit — ${show(scope)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>cleanroom audit</h1>
<p class="muted">${show(r.policy.repository)} · ${show(scope)}${r.scope.since ? ` since ${show(r.scope.since)}` : ''} · <span data-count="commits">${n(r.history.commits)}</span> commits, ${esc(day(r.history.first))} → ${esc(day(r.history.last))} · generated ${esc(r.generatedAt.slice(0, 16).replace('T', ' '))} UTC by cleanroom ${esc(r.tool.version)}</p>
${banner}${shallow}
<div class="cards">
${card('contaminatedPaths', s.contaminatedPaths, 'contaminated paths')}
${card('attestedPaths', s.attestedPaths, 'paths with reviewed or overridden AI history')}
${card('findings.violation', s.findings.violation, 'unattested AI changes in history')}
${card('findings.reviewed', s.findings.reviewed, 'reviewed AI changes')}
${card('findings.overridden', s.findings.overridden, 'overridden AI changes')}
</div>
<h2>Zones</h2>
<div class="scroll"><table><thead><tr><th>zone</th><th>ai</th><th class="num">contaminated</th><th class="num">attested</th><th class="num">unattested changes</th><th class="num">reviewed</th><th class="num">overridden</th></tr></thead><tbody>${zoneRows}</tbody></table></div>
<p class="legend muted"><span><i style="background:var(--bad)"></i>unattested</span><span><i style="background:var(--ok)"></i>reviewed</span><span><i style="background:var(--ovr)"></i>overridden</span></p>
<form class="filters" onsubmit="return false">
<label>zone <select id="f-zone"><option value="">all zones</option>${r.zones.map((z) => `<option value="${esc(z.name)}">${show(z.name)}</option>`).join('')}</select></label>
<label>tool <select id="f-tool"><option value="">all tools</option>${tools.map((t) => `<option value="${esc(t)}">${show(t)}</option>`).join('')}</select></label>
<label><input type="checkbox" id="f-contaminated" checked> contaminated</label>
<label><input type="checkbox" id="f-attested" checked> attested</label>
<span class="muted">showing <b id="shown">${n(total)}</b> of ${n(total)} paths</span>
</form>
<noscript><p class="muted">Filters need JavaScript; everything is shown.</p></noscript>
${r.zones.map((z, i) => zoneSection(z, i, r)).join('\n')}
${notes}
<p class="muted">A path is contaminated when it exists at the audited tip and its history (following renames; deletion is the cure) holds an AI-attributed change its zone does not accept: in a deny zone any change that was not overridden, in a review zone any change that was neither reviewed nor overridden.</p>
</main>
<script type="application/json" id="cleanroom-audit">${scriptJson(auditJsonDocument(r))}</script>
<script>${CLIENT_SOURCE}(${TIMELINE_SOURCE});</script>
</body>
</html>
`;
}
