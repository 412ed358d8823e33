// The one lock file implementation of cleanroom: the agent ledger (src/signals/ledger.ts)
// and the server's override log (src/sign/grant-log.ts) both take their lock here.
//
// Why our own code and not a library: the callers are synchronous (agent hooks and the
// grant log append run inside sync code paths), and proper-lockfile — the usual choice —
// keeps its sync API without retries and takes a stale lock over by removing it and
// creating a new one, which is the race this module exists to close (issue 11 §6): two
// waiters that both see the same stale lock can both remove-and-create, and one deletes
// the other's fresh lock. Here the lock holds a token unique to the acquisition; take-over
// moves exactly the stale token's file aside (rename is atomic, one process wins), and
// release removes the lock only if it still holds our token.

import * as crypto from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';

const pause = (ms: number): void =>
  void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The lock's content: who holds it. Unique per acquisition, so a lock is never mistaken for another. */
const newToken = (): string => `${process.pid} ${crypto.randomBytes(12).toString('hex')}\n`;

function readToken(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Creates `lock` holding `token` if no lock exists: link(2) of a complete file, atomic. */
function tryCreate(lock: string, token: string, scratch: string, mode: number): boolean {
  writeFileSync(scratch, token, { mode });
  try {
    linkSync(scratch, lock);
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw e;
    // A file system without hard links: O_EXCL create, then the token (a reader that
    // sees it empty for a moment treats it as someone else's lock, which it is).
    try {
      const fd = openSync(lock, 'wx', mode);
      try {
        writeFileSync(fd, token);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e2;
    }
  } finally {
    rmSync(scratch, { force: true });
  }
}

/**
 * Removes `lock` only if it still holds `token`: the lock is first moved aside (rename is
 * atomic, so exactly one process gets it), then compared; a lock that turns out to be
 * someone else's — a successor that took over while we stalled — is put back with
 * link(2), which never replaces a lock taken meanwhile.
 */
function removeIfHeld(lock: string, token: string, aside: string): boolean {
  try {
    renameSync(lock, aside);
  } catch {
    return false; // gone already
  }
  const found = readToken(aside);
  if (found === token) {
    rmSync(aside, { force: true });
    return true;
  }
  try {
    linkSync(aside, lock);
  } catch {
    // a new lock was taken in the instant between: it stands, and the one moved aside is
    // a lock whose holder will find it gone at release (and remove nothing)
  }
  rmSync(aside, { force: true });
  return false;
}

function sweepTickets(lock: string, staleMs: number): void {
  const dir = dirname(lock);
  const prefix = `${basename(lock)}.`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.takeover')) continue;
    try {
      const file = join(dir, name);
      if (Date.now() - statSync(file).mtimeMs > 4 * staleMs) rmSync(file, { force: true });
    } catch {
      // swept by another process
    }
  }
}

/** How long to wait, when a lock is stale, and what to say when the wait runs out. */
export interface FileLockOptions {
  /** Milliseconds to wait for the lock before throwing `busy`. */
  timeoutMs: number;
  /** Milliseconds after which a lock's holder counts as killed or stalled. */
  staleMs: number;
  /** The error message when the lock stays taken for `timeoutMs`. */
  busy: string;
  /** File mode of the lock file (default 0o644). */
  mode?: number;
}

/**
 * Runs `fn` holding the lock file `lock` (its directory must exist). The lock file holds a
 * token unique to this acquisition. A lock older than `staleMs` (its holder was killed, or
 * stalled) is taken over safely: of several waiters that see the same stale token, one
 * wins a ticket named after it (O_EXCL) and moves exactly that lock aside (removeIfHeld),
 * then everybody competes for a fresh lock again; release removes the lock only if it
 * still holds our token, so a holder that overran never deletes its successor's lock.
 * Throws Error(`busy`) after `timeoutMs`; rethrows what `fn` throws (the lock released).
 */
export function withFileLock<T>(lock: string, fn: () => T, opts: FileLockOptions): T {
  const { timeoutMs, staleMs, busy, mode = 0o644 } = opts;
  const token = newToken();
  const id = crypto.randomBytes(8).toString('hex');
  const scratch = `${lock}.${id}.new`;
  const aside = `${lock}.${id}.old`;
  const deadline = Date.now() + timeoutMs;
  for (let wait = 2; ; wait = Math.min(wait * 2, 50)) {
    if (tryCreate(lock, token, scratch, mode)) break;
    let stale: string | undefined;
    try {
      if (Date.now() - statSync(lock).mtimeMs > staleMs) stale = readToken(lock);
    } catch {
      // gone already: try again
    }
    if (stale !== undefined) {
      const ticket = `${lock}.${crypto.createHash('sha1').update(stale).digest('hex').slice(0, 16)}.takeover`;
      let won = false;
      try {
        closeSync(openSync(ticket, 'wx'));
        won = true;
      } catch {
        // another waiter is taking this stale lock over
      }
      if (won) {
        // The ticket stays: a waiter that read the same stale token a moment ago must not
        // win another ticket for it and move the next holder's lock aside. Tickets of
        // long-gone locks are swept here (take-overs are rare: a killed hook).
        removeIfHeld(lock, stale, aside);
        sweepTickets(lock, staleMs);
        continue;
      }
    }
    if (Date.now() > deadline) throw new Error(busy);
    pause(wait);
  }
  try {
    return fn();
  } finally {
    removeIfHeld(lock, token, aside);
  }
}
