// Every expected failure is a CleanroomError: the CLI prints its message (and hint)
// and exits 2. Anything else is a bug and is reported as an internal error, still
// exit 2 (fail closed), with the stack only under CLEANROOM_DEBUG=1.

export type ErrorKind = 'usage' | 'policy' | 'git' | 'input' | 'signature' | 'internal';

export class CleanroomError extends Error {
  readonly kind: ErrorKind;
  readonly hint: string | undefined;
  constructor(kind: ErrorKind, message: string, hint?: string) {
    super(message);
    this.name = 'CleanroomError';
    this.kind = kind;
    this.hint = hint;
  }
}

export const usageError = (message: string, hint?: string): CleanroomError =>
  new CleanroomError('usage', message, hint);
export const inputError = (message: string, hint?: string): CleanroomError =>
  new CleanroomError('input', message, hint);

/**
 * Content that a push (or a range) carries and that cleanroom refuses as such — a tree Git
 * never writes (src/git/trees.ts) — as opposed to a check that could not be completed. It
 * is a verdict on the pusher's content, so a fail-open server does not accept it:
 * otherwise wrapping a deny zone's AI content in such a tree would turn its rejection
 * into "accepted unchecked" (hostile review, eighth pass; docs/server.md "Fail closed").
 * Kind `input`, exit 2.
 */
export class RefusedContent extends CleanroomError {
  constructor(message: string, hint?: string) {
    super('input', message, hint);
    this.name = 'RefusedContent';
  }
}

/** Problems found in a policy (or another config file): all of them at once, each located. */
export interface PolicyProblem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export class PolicyError extends CleanroomError {
  readonly problems: readonly PolicyProblem[];
  constructor(problems: readonly PolicyProblem[], hint?: string) {
    super(
      'policy',
      problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'),
      hint,
    );
    this.name = 'PolicyError';
    this.problems = problems;
  }
}
