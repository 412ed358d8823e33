// Commands added by later capabilities (server, signing, agents, audit) register here.

import type { Command } from './io.js';

export const extraCommands: Record<string, Command> = {};
