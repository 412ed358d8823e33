// `override request --bundle FILE`: the request and the content it covers, in one file
// the approver can read — the author's commit may exist nowhere the approver can fetch
// (the server rejected it and stored nothing). `override sign` checks every blob against
// its id and the whole list against the request's digest before it signs anything, and
// shows what is being approved.
//
//   { "cleanroom": "request-bundle/1",
//     "request": "cleanroom override request v1\nrepository …\n…",
//     "files": [ { "path": "evals/tasks/q1.json", "mode": "100644", "blob": "3b18e5…",
//                  "content": "<base64>" } ] }
//
// `content` is null for a deletion (zero id) and for a submodule (the id is a commit).

import { createHash } from 'node:crypto';
import { coverageDigest, modeNote, type Request } from './statement.js';

export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024;
const FORMAT = 'request-bundle/1';

export interface BundleFile {
  path: string;
  mode: string;
  blob: string;
  content: Buffer | null;
}

export interface Bundle {
  requestText: string;
  files: BundleFile[];
}

export function makeBundle(requestText: string, files: readonly BundleFile[]): string {
  return (
    JSON.stringify(
      {
        cleanroom: FORMAT,
        request: requestText,
        files: files.map((f) => ({
          path: f.path,
          mode: f.mode,
          blob: f.blob,
          content: f.content ? f.content.toString('base64') : null,
        })),
      },
      null,
      1,
    ) + '\n'
  );
}

export const isBundle = (text: string): boolean => /^\s*\{/.test(text);

/** Throws a plain Error with the reason when the text is not a bundle. */
export function openBundle(text: string): Bundle {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('the request file starts with "{" but is not JSON (a truncated bundle?)');
  }
  const d = doc as { cleanroom?: unknown; request?: unknown; files?: unknown };
  if (d.cleanroom !== FORMAT || typeof d.request !== 'string' || !Array.isArray(d.files))
    throw new Error(`not a cleanroom ${FORMAT}`);
  const files: BundleFile[] = d.files.map((f: unknown, i: number) => {
    const x = f as Record<string, unknown>;
    if (
      typeof x.path !== 'string' ||
      typeof x.mode !== 'string' ||
      typeof x.blob !== 'string' ||
      !(x.content === null || typeof x.content === 'string')
    ) {
      throw new Error(`file ${i + 1} of the bundle is malformed`);
    }
    return {
      path: x.path,
      mode: x.mode,
      blob: x.blob,
      content: x.content === null ? null : Buffer.from(x.content, 'base64'),
    };
  });
  return { requestText: d.request, files };
}

/** git's object id of a blob: sha1 or sha256 of "blob <size>\0<content>", by the id's length. */
export function blobId(content: Buffer, hexLength: number): string {
  return createHash(hexLength === 64 ? 'sha256' : 'sha1')
    .update(`blob ${content.length}\0`)
    .update(content)
    .digest('hex');
}

const isZero = (id: string): boolean => /^0+$/.test(id);

/** Why the bundle does not carry exactly what the request covers, or undefined. */
export function bundleProblem(bundle: Bundle, req: Request): string | undefined {
  for (const f of bundle.files) {
    if (!/^([0-9a-f]{40}|[0-9a-f]{64})$/.test(f.blob))
      return `${JSON.stringify(f.path)} has no valid object id`;
    if (f.mode === '160000' || isZero(f.blob)) {
      if (f.content !== null)
        return `${JSON.stringify(f.path)} carries content for a ${isZero(f.blob) ? 'deletion' : 'submodule'}`;
      continue;
    }
    if (f.content === null) return `${JSON.stringify(f.path)} carries no content`;
    if (blobId(f.content, f.blob.length) !== f.blob)
      return `the content of ${JSON.stringify(f.path)} does not hash to ${f.blob}`;
  }
  const triples = bundle.files.map((f) => [f.path, f.blob, f.mode] as [string, string, string]);
  triples.sort((a, b) => Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  if (triples.length !== req.files || coverageDigest(triples) !== req.digest)
    return `its ${triples.length} file(s) are not the ${req.files} the request's digest covers`;
  return undefined;
}

const printable = (s: string): string =>
  s.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** What the approver is about to approve: a list, and with `full` every text file's content. */
export function showBundle(bundle: Bundle, full: boolean): string {
  const out = [
    `cleanroom: the bundle's ${bundle.files.length} file(s) match the request (content checked against every blob id):`,
  ];
  for (const f of bundle.files) {
    const what = isZero(f.blob)
      ? 'deleted'
      : f.mode === '160000'
        ? `submodule at ${f.blob}`
        : `${f.content!.length} bytes`;
    out.push(`  ${printable(f.path)}  (${what})${modeNote(f.mode)}`);
    if (full && f.content) {
      const text = f.content.toString('utf8');
      const binary = text.includes('\uFFFD') || f.content.includes(0);
      out.push(
        ...(binary
          ? ['    (binary content, not shown)']
          : printable(text)
              .split('\n')
              .map((l) => `    | ${l}`)),
      );
    }
  }
  if (!full) out.push('  (--show prints the content)');
  return out.join('\n') + '\n';
}
