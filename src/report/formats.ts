// The report formats, one registry per report kind (as conftest's `output.Get` or
// gitleaks' `Reporter`): `check` and `audit` take their --format list, the --output
// file extensions and their help text from here. Renderers load on demand, so a commit
// hook that prints text does not load the SARIF or HTML code.
//
// Adding a format: one row here and its renderer in src/report/ (CONTRIBUTING.md,
// "Add a report format").

import type { AuditReport } from '../audit/report.js';
import type { Report } from '../core/types.js';
import type { Style } from '../escape.js';

export interface RenderOptions {
  /** Colours for the stream the text goes to (PLAIN for a file or a pipe). */
  style: Style;
  /** "commit" for local hooks, "push" for the server, "check" otherwise (text only). */
  context: 'commit' | 'push' | 'check';
  /** Text: problems / the summary only. */
  quiet: boolean;
  /** Text: the approvers file when it cannot be read (src/report/text.ts TextOptions). */
  noApprovers?: string | undefined;
  /** Text: at most this many changes listed (src/report/text.ts TextOptions); none: all. */
  limit?: { perCommit: number; total: number; more: string } | undefined;
  /** Text: how cleanroom is run in the user's shell, when not by its name (TextOptions). */
  run?: string | undefined;
}

export interface ReportFormat<R> {
  /** The --format value. */
  name: string;
  /** File extensions (lower case, with the dot) that choose this format for --output. */
  extensions: readonly string[];
  /** One line for --help. */
  description: string;
  /** The whole document, ending in a newline. */
  render: (report: R, opts: RenderOptions) => Promise<string>;
}

const json = (doc: unknown): string => JSON.stringify(doc, null, 2) + '\n';

export const CHECK_FORMATS: readonly ReportFormat<Report>[] = [
  {
    name: 'text',
    extensions: ['.txt'],
    description: 'for people: each problem, then the ways out',
    render: async (r, o) => (await import('./text.js')).renderText(r, o),
  },
  {
    name: 'json',
    extensions: ['.json'],
    description: 'violations, passed and notes (policies/check-report.schema.json)',
    render: async (r) => (await import('./json.js')).renderJson(r),
  },
  {
    name: 'sarif',
    extensions: ['.sarif'],
    description: 'SARIF 2.1.0 for code-scanning UIs',
    render: async (r) => json((await import('./sarif.js')).renderSarif(r)),
  },
  {
    name: 'codequality',
    // No extension of its own: GitLab's conventional name (gl-code-quality-report.json)
    // ends in .json, which is the json format's; ask for it as codequality:FILE.
    extensions: [],
    description: 'GitLab Code Quality (the merge-request widget on every tier)',
    render: async (r) => (await import('./codequality.js')).renderCodeQuality(r),
  },
];

export const AUDIT_FORMATS: readonly ReportFormat<AuditReport>[] = [
  {
    name: 'text',
    extensions: ['.txt'],
    description: 'for people: per zone, the contaminated paths and how',
    render: async (r, o) => (await import('./audit-text.js')).renderAuditText(r, o),
  },
  {
    name: 'json',
    extensions: ['.json'],
    description: 'the whole report (policies/audit-report.schema.json)',
    render: async (r) => (await import('./audit-json.js')).renderAuditJson(r),
  },
  {
    name: 'sarif',
    extensions: ['.sarif'],
    description: 'SARIF 2.1.0, one result per contaminated path and tool',
    render: async (r) => json((await import('./audit-sarif.js')).renderAuditSarif(r)),
  },
  {
    name: 'html',
    extensions: ['.html', '.htm'],
    description: 'one self-contained page with charts, for sharing',
    render: async (r) => (await import('./audit-html.js')).renderAuditHtml(r),
  },
];

export const formatNames = (list: readonly ReportFormat<never>[]): string[] =>
  list.map((f) => f.name);

/** The format named `name`, or undefined. */
export const findFormat = <R>(
  list: readonly ReportFormat<R>[],
  name: string,
): ReportFormat<R> | undefined => list.find((f) => f.name === name);

/** The format whose extensions include `file`'s (case-insensitive), or undefined. */
export function formatForFile<R>(
  list: readonly ReportFormat<R>[],
  file: string,
): ReportFormat<R> | undefined {
  const lower = file.toLowerCase();
  return list.find((f) => f.extensions.some((e) => lower.endsWith(e)));
}
