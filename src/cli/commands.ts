// Commands beyond the core set register here.

import type { Command } from './io.js';
import { agentHookCommand } from './agent-hook.js';
import { auditCommand } from './audit.js';
import { overrideCommand, reviewCommand } from './grant.js';
import { installServerCommand } from './install-server.js';
import { preReceiveCommand } from './pre-receive.js';
import { logCommand } from './log.js';

export const extraCommands: Record<string, Command> = {
  'pre-receive': preReceiveCommand,
  'install-server': installServerCommand,
  override: overrideCommand,
  review: reviewCommand,
  audit: auditCommand,
  'agent-hook': agentHookCommand,
  log: logCommand,
};
