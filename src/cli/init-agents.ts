// Wiring agent hooks into each agent's config (see src/agents/). Filled in by the agent
// adapters; `none` wires nothing.

import type { GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import { usageError } from '../errors.js';
import type { Io } from './io.js';

export async function initAgents(_io: Io, _ctx: GitContext, _repo: Repo, which: string): Promise<string[]> {
  if (which === 'none') return [];
  throw usageError('init: --agents is not available in this build');
}
