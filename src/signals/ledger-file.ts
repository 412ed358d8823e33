// Where the ledger is, and whether it has entries: all a commit hook needs to know before
// it loads the ledger code (src/signals/ledger.ts and its key log, which bring node:zlib
// and node:os). A commit with no ledger — every human commit, and an agent's until its
// first recorded write — pays for neither.

import { statSync } from 'node:fs';
import { join } from 'node:path';

export const LEDGER_FILE = 'ledger.jsonl';

/** `<stateDir>/ledger.jsonl`. */
export const ledgerPath = (stateDir: string): string => join(stateDir, LEDGER_FILE);

/** The ledger's size in bytes; 0 when there is none (the commit-time fast path). */
export function ledgerSize(stateDir: string): number {
  try {
    return statSync(ledgerPath(stateDir)).size;
  } catch {
    return 0;
  }
}
