// A deadline that synchronous work can see. pre-receive's wall-clock deadline is a timer
// (src/cli/pre-receive.ts), and a timer cannot fire while the event loop is blocked: one
// long synchronous step — pairing 90,000 renames, judging 90,000 files, tracing their
// provenance — would run to its end and answer seconds late (issue 11: the AI rename bomb
// answered in 6.4 s with --deadline 4.5). So the command arms this token, and every loop
// whose cost grows with the input calls `checkDeadline()`, which throws the command's own
// deadline error once the time is up. Unarmed (local hooks, audit, tests) it costs a
// comparison and never throws.

let at = Number.POSITIVE_INFINITY;
let onExpired: (() => Error) | undefined;
let calls = 0;

/**
 * Arms the deadline: from `atMs` (epoch milliseconds, Date.now() scale) `checkDeadline`
 * throws `expired()` (which may also abort the command's git processes). Returns the
 * disarm function; one deadline at a time (a command has one).
 */
export function armDeadline(atMs: number, expired: () => Error): () => void {
  at = atMs;
  onExpired = expired;
  return () => {
    if (onExpired === expired) {
      at = Number.POSITIVE_INFINITY;
      onExpired = undefined;
    }
  };
}

/**
 * Throws the armed deadline's error once it has passed; otherwise nothing. Cheap enough for
 * every iteration of a loop: the clock is read every 256th call.
 */
export function checkDeadline(): void {
  if (at === Number.POSITIVE_INFINITY || ++calls & 0xff) return;
  if (Date.now() > at && onExpired) throw onExpired();
}

/** Whether the armed deadline has passed (reads the clock every call). */
export function deadlinePassed(): boolean {
  return Date.now() > at;
}
