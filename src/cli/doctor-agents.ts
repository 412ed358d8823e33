// Which agents are wired (see src/agents/). Filled in by the agent adapters.

import type { GitContext } from '../git/git.js';
import type { Repo } from '../git/repo.js';
import type { Check } from './doctor.js';
import type { Io } from './io.js';

export async function doctorAgents(_io: Io, _ctx: GitContext, _repo: Repo): Promise<Check[]> {
  return [];
}
