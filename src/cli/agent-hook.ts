// `cleanroom agent-hook AGENT` — wired into an agent's hook config by `cleanroom init
// --agents`; reads one hook payload on stdin and answers in that agent's protocol.
//
// Before a write, read or shell command: judge it against the policy of the repository
// that holds each path. After a write: record what was written in the ledger. Anything
// that goes wrong before a decision blocks the call (fail closed) with the reason on
// stderr, in the form the agent honours: a crash must never let a write through quietly.

import { ADAPTERS, adapterFor, hostOf } from '../agents/index.js';
import { judge, type PolicyLookup } from '../agents/decide.js';
import { HookInputError, type AgentEvent, type Decision } from '../agents/types.js';
import { lookupPolicy } from '../agents/policy.js';
import { CleanroomError } from '../errors.js';
import type { GitContext } from '../git/git.js';
import { readStdin, type Io } from './io.js';

/** Hook payloads carry whole files (Write content); anything bigger is refused, not parsed. */
export const MAX_HOOK_INPUT = 16 * 1024 * 1024;
/**
 * A pre-event not judged within this many milliseconds is blocked. Copilot treats a hook
 * that times out as "allow", and its entries say timeoutSec 10 (Claude Code and Codex 10 s,
 * Gemini 10,000 ms): answering "blocked" well before that keeps a slow disk from opening
 * the door. CLEANROOM_AGENT_HOOK_BUDGET_MS lowers it (never raises it past 8 s).
 */
export const JUDGE_BUDGET_MS = 5000;
const firstLine = (s: string): string => s.split('\n', 1)[0] ?? s;

// Not context.ts's gitContext: context.ts imports the YAML loader, which a hook call loads only on a policy-cache miss.
const gitCtx = (io: Io, cwd: string): GitContext => ({
  cwd,
  env: io.env,
  trace: io.env.CLEANROOM_DEBUG === '1' ? (l) => io.stderr(`cleanroom[debug]: ${l}\n`) : undefined,
});

/** The policy of each repository root, looked up once per call. */
function policyLookup(io: Io, notes: string[]): (root: string) => Promise<PolicyLookup> {
  const cache = new Map<string, Promise<PolicyLookup>>();
  return (root) => {
    let p = cache.get(root);
    if (!p) cache.set(root, (p = lookupPolicy(gitCtx(io, io.cwd), root, notes)));
    return p;
  };
}

function failure(
  e: unknown,
  event: AgentEvent | undefined,
  io: Io,
): Extract<Decision, { action: 'fail' }> {
  const msg =
    e instanceof HookInputError || e instanceof CleanroomError
      ? e.message
      : e instanceof SyntaxError
        ? 'hook input is not JSON'
        : e instanceof Error
          ? e.message
          : String(e);
  if (io.env.CLEANROOM_DEBUG === '1' && e instanceof Error && e.stack) io.stderr(e.stack + '\n');
  if (event?.kind === 'after-write') {
    return {
      action: 'fail',
      block: false,
      reason: `cleanroom: this write was not recorded in the ledger (${firstLine(msg)}) — its commit may lack an Assisted-by trailer; run cleanroom doctor.`,
    };
  }
  if (event?.kind === 'other')
    return { action: 'fail', block: false, reason: `cleanroom: ${firstLine(msg)}` };
  return {
    action: 'fail',
    block: true,
    reason: `cleanroom: could not check this ${event ? `${event.name} call` : 'tool call'} (${firstLine(msg)}) — blocked to be safe; ask a human to run cleanroom doctor.`,
  };
}

export async function agentHookCommand(argv: string[], io: Io): Promise<number> {
  const name = argv[0];
  const adapter = name === undefined ? undefined : adapterFor(name);
  if (!adapter) {
    // Exit 2 blocks in most agents: a misconfigured hook must be noticed, not skipped.
    io.stderr(
      `cleanroom agent-hook: ${name === undefined ? 'missing the agent name' : `unknown agent "${name}"`} — use one of ${Object.keys(ADAPTERS).join(', ')}\n`,
    );
    return 2;
  }
  let event: AgentEvent | undefined;
  let decision: Decision;
  const notes: string[] = [];
  // The host that actually runs this entry: Copilot CLI and Cursor also run
  // .claude/settings.json hooks, with their own payloads — they get their own answers.
  let host = adapter;
  let timer: NodeJS.Timeout | undefined;
  try {
    const raw = await readStdin(io, MAX_HOOK_INPUT).catch((e: Error) => {
      throw new HookInputError(
        /larger than/.test(e.message)
          ? `hook input larger than ${MAX_HOOK_INPUT >> 20} MiB`
          : e.message,
      );
    });
    const payload = JSON.parse(raw.toString('utf8')) as unknown;
    host = hostOf(payload, adapter);
    event = host.parse(payload);
    const budget = Math.min(Number(io.env.CLEANROOM_AGENT_HOOK_BUDGET_MS) || JUDGE_BUDGET_MS, 8000);
    const late = new Promise<Decision>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            action: 'fail',
            block: true,
            reason: `cleanroom: could not judge this ${event!.name || 'tool'} call within ${budget} ms — blocked to be safe (a slow disk or git?); try again, or ask a human to run cleanroom doctor.`,
          }),
        budget,
      );
    });
    decision =
      event.kind === 'after-write' || event.kind === 'other'
        ? await judge(event, policyLookup(io, notes), io.cwd, io.env)
        : await Promise.race([judge(event, policyLookup(io, notes), io.cwd, io.env), late]);
    clearTimeout(timer);
    if (event.kind === 'after-write') {
      try {
        // Loaded only here: the ledger needs git and hashing, which pre-events never load.
        await (await import('../agents/record.js')).record(io, event, (cwd) => gitCtx(io, cwd));
      } catch (e) {
        const f = failure(e, event, io);
        if (decision.action === 'deny') notes.push(f.reason);
        else decision = f;
      }
    }
  } catch (e) {
    decision = failure(e, event, io);
  }
  clearTimeout(timer);
  const reply = host.reply(decision, event);
  if (
    host !== adapter &&
    decision.action !== 'allow' &&
    (decision.action === 'deny' || decision.block)
  ) {
    // Another agent's entry run by this host: how the host reads a foreign entry's answer
    // is not documented, so the refusal is said every way — its own JSON on stdout, the
    // reason on stderr, and exit 2, which blocks in every one of them.
    reply.code = 2;
    if (!reply.stderr) reply.stderr = `${decision.reason}\n`;
  }
  if (reply.stdout) io.stdout(reply.stdout);
  const err = [...notes.map((n) => n + '\n'), reply.stderr].join('');
  if (err) io.stderr(err);
  return reply.code;
}
