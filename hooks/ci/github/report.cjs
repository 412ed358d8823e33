// cleanroom GitHub Action: annotations and the job summary from `check`'s JSON report.
// Works on every plan (code scanning is not needed). No dependencies: plain Node.
//   node report.cjs REPORT.json   (GITHUB_STEP_SUMMARY names the summary file)
'use strict';
const { appendFileSync, readFileSync } = require('node:fs');

// Workflow commands end at a newline and split properties at , and : — escape them as
// GitHub's toolkit does, so a hostile path cannot inject a command of its own.
const data = (s) => String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
const md = (s) =>
  String(s)
    .replace(/[\\`*_{}[\]()#+!|<>-]/g, '\\$&')
    .replace(/\r?\n/g, ' ');

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(
    `::error title=cleanroom::${data(`no report to show (${file}: ${e.code ?? e.message}); see the check step's log`)}`,
  );
  process.exit(0);
}
const violations = Array.isArray(report.violations) ? report.violations : [];
for (const v of violations.slice(0, 50)) {
  const title = `cleanroom: ${v.zone} (${v.verdict}) · ${v.tool}`;
  console.log(
    `::error file=${prop(v.path)},line=1,title=${prop(title)}::${data(`${v.message}\nseen: ${v.signal}${v.commit ? `\ncommit ${v.commit}` : ''}`)}`,
  );
}
if (violations.length > 50)
  console.log(
    `::error title=cleanroom::${data(`${violations.length - 50} more violations: see the job summary`)}`,
  );

const lines = [];
if (violations.length === 0) {
  lines.push('### cleanroom: no AI-attributed change in a protected zone ✓', '');
} else {
  lines.push(
    `### cleanroom: ${violations.length} AI-attributed change${violations.length === 1 ? '' : 's'} in protected zones`,
    '',
  );
  lines.push('| commit | path | zone | tool | signal |', '|---|---|---|---|---|');
  for (const v of violations.slice(0, 500)) {
    lines.push(
      `| ${v.commit ? `\`${String(v.commit).slice(0, 12)}\`` : 'staged'} | ${md(v.path)} | ${md(v.zone)} (${md(v.verdict)}) | ${md(v.tool)} | ${md(v.signal)} |`,
    );
  }
  if (violations.length > 500)
    lines.push('', `…and ${violations.length - 500} more (the JSON report has them all).`);
  lines.push(
    '',
    '**Ways out**: take the file out of the change and have a human write it; for `review` zones, a human review trailer; ' +
      "for `deny` zones, an approver's signed override (`cleanroom override request … | cleanroom override sign --key KEY`). " +
      '`cleanroom explain PATH` shows why a path is protected.',
  );
}
for (const n of Array.isArray(report.notes) ? report.notes : []) lines.push('', `> ${md(n)}`);
if (process.env.GITHUB_STEP_SUMMARY)
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, lines.join('\n') + '\n');
