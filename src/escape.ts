// Paths, trailers and names come from whoever made the commit. Before they reach a
// terminal, control characters (ANSI escapes, carriage returns, newlines in file
// names) are shown as escapes so output cannot be forged or hidden.

export function safe(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const code = c.codePointAt(0)!;
      if (c === '\n') return '\\n';
      if (c === '\t') return '\\t';
      if (c === '\r') return '\\r';
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u${code.toString(16).padStart(4, '0')}`;
    },
  );
}

/**
 * `s` as one POSIX shell word, for a command printed for the user to paste: as it is when
 * made only of characters no shell reads specially, else in single quotes (a `'` inside
 * written `'\''`). Errors: none.
 */
export const shq = (s: string): string =>
  /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;

const PLAIN_PATH = /^[!#-&(-[\]-~]*$/;

/** Paths with spaces, quotes or escapes are quoted, so a reader sees where they end. */
export function safePath(path: string): string {
  // Printable ASCII but space, quotes and backslash (nearly every path): shown as it is,
  // as below; one test instead of a replace and a test (reports of 100,000 paths).
  if (PLAIN_PATH.test(path)) return path;
  const s = safe(path);
  return /[\s"'\\]/.test(s) || s !== path ? JSON.stringify(path).replace(/\\u001b/g, '\\x1b') : s;
}

export interface Style {
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;
export const COLOR: Style = {
  bold: wrap(1, 22),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  dim: wrap(2, 22),
};
export const PLAIN: Style = {
  bold: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  green: (s) => s,
  dim: (s) => s,
};

/**
 * The style for text written to one stream, `isTTY` being THAT stream's (stdout's for
 * stdout: `cleanroom audit > report.txt` in a terminal writes no escape codes).
 * In order: NO_COLOR set and non-empty → plain (https://no-color.org); FORCE_COLOR
 * `0` or `false` → plain, any other value → colour (https://force-color.org, as Node and
 * supports-color read it); TERM=dumb → plain; else colour only on a terminal.
 * (Not the supports-color package: it reads the global process.env and argv, and
 * commands here take their environment from Io, so tests can set it.)
 */
export function styleFor(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): Style {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return PLAIN;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '')
    return force === '0' || force.toLowerCase() === 'false' ? PLAIN : COLOR;
  if (env.TERM === 'dumb') return PLAIN;
  return isTTY ? COLOR : PLAIN;
}
