// Workstation-only signals that the server cannot see: the ledger written by agent
// hooks. (The agent environment is read in check/staged.ts.)

import type { Signal } from '../core/types.js';
import type { GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import type { ToolTable } from '../signals/tools.js';

export async function ledgerSignalsForStaged(_ctx: GitContext, _repo: Repo, _tools: ToolTable): Promise<Signal[]> {
  return [];
}
