// Which agents are wired (see src/agents/), whether their hook command can run, and
// the state of the ledger they write.

import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ADAPTERS } from '../agents/index.js';
import { hostSwitches } from '../agents/switches.js';
import { AGENTS, type AgentId } from '../agents/types.js';
import type { GitContext } from '../git/git.js';
import { workTree, type Repo } from '../git/repo.js';
import { ledgerPath, ledgerSize, readLedger } from '../signals/ledger.js';
import type { Check } from './doctor.js';
import { readConfig, trailerModeWarning } from './init-agents.js';
import type { Io } from './io.js';

/** The script a wired command runs (`node "$CLAUDE_PROJECT_DIR"/node_modules/…/agent-hook.cjs claude`), as a path. */
export function commandScript(command: string, root: string): string | undefined {
  const m = /^\s*node\s+((?:"[^"]*"|'[^']*'|\S)+)/.exec(command);
  if (!m) return undefined;
  // "$CLAUDE_PROJECT_DIR", "${CURSOR_PROJECT_DIR:-.}", "$(git rev-parse --show-toplevel)", and older spellings: the root.
  const word = m[1]!
    .replace(
      /"\$\{[A-Z_]+(?::-(?:[^"}]|\$\([^)]*\))*)?\}"|"\$[A-Z_]+"|\$[A-Z_]+|"\$\(git rev-parse --show-toplevel\)"/g,
      root,
    )
    .replace(
      /'([^']*)'|"([^"]*)"/g,
      (_, a: string | undefined, b: string | undefined) => a ?? b ?? '',
    );
  return isAbsolute(word) ? word : join(root, word);
}

/** Repo-relative when inside the repository, else absolute. */
const shown = (root: string, p: string): string =>
  relative(root, p).startsWith('..') ? p : relative(root, p) || p;

export async function doctorAgents(io: Io, _ctx: GitContext, repo: Repo): Promise<Check[]> {
  const root = workTree(repo);
  const checks: Check[] = [];
  const trailer = await trailerModeWarning(io, root);
  if (trailer)
    checks.push({
      ok: 'warn',
      text: trailer,
      fix: 'set review.mode: signed and list reviewers in .cleanroom/reviewers (cleanroom review request | cleanroom review sign)',
    });
  // Each host's own switches: a hook that is wired may still never run.
  for (const sw of hostSwitches(io.env, root))
    checks.push({ ok: sw.state === 'off' ? false : 'warn', text: sw.text, fix: sw.fix });
  const unwired: AgentId[] = [];
  for (const agent of AGENTS) {
    const { wiring } = ADAPTERS[agent];
    const read = readConfig(join(root, wiring.file));
    if ('problem' in read) {
      checks.push({
        ok: false,
        text: `${wiring.label}: ${wiring.file} is ${read.problem}`,
        fix: `fix it, then run cleanroom init --agents ${agent}`,
      });
      continue;
    }
    const { wired, wanted, commands } = wiring.wiredEvents(read.config);
    if (!wired.length) {
      unwired.push(agent);
      continue;
    }
    const missing = wanted.filter((e) => !wired.includes(e));
    const broken = commands
      .map((c) => commandScript(c, root))
      .find((s) => s !== undefined && !existsSync(s));
    if (missing.length || broken) {
      checks.push({
        ok: false,
        text: `${wiring.label}: ${wiring.file} ${broken ? `runs ${shown(root, broken)}, which does not exist` : `lacks cleanroom's ${missing.join(', ')} hook`}`,
        fix: `run cleanroom init --agents ${agent}`,
      });
    } else {
      checks.push({
        ok: true,
        text: `${wiring.label}: agent hooks wired (${wiring.file}: ${wired.join(', ')})`,
      });
    }
    if (agent === 'codex') {
      checks.push({
        ok: 'warn',
        text: 'Codex skips a new or changed hook until you trust it, without a word',
        fix: "start codex, open /hooks and trust cleanroom's PreToolUse and PostToolUse hooks (again after every change to .codex/hooks.json)",
      });
    }
  }
  if (unwired.length) {
    checks.push({
      ok: 'warn',
      text: `agent hooks not wired for ${unwired.map((a) => ADAPTERS[a].wiring.label).join(', ')}: their writes into zones are not blocked at the source`,
      fix: `cleanroom init --agents ${unwired.join(',')} (for the agents you use)${unwired.includes('codex') ? '; Codex then runs its hooks only once you trust them under /hooks' : ''}`,
    });
  }
  const size = ledgerSize(repo.ledgerDir);
  const where = shown(root, ledgerPath(repo.ledgerDir));
  if (size) {
    const { entries, skipped } = readLedger(repo.ledgerDir);
    checks.push({
      ok: skipped ? 'warn' : true,
      text: `ledger: ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'}, ${Math.ceil(size / 1024)} KiB (${where})${skipped ? `; ${skipped} unreadable lines skipped` : ''}`,
      fix: 'unreadable lines are ignored; they come from a hand edit or a crash mid-write',
    });
  } else {
    checks.push({ ok: true, text: `ledger: empty — no agent write recorded yet (${where})` });
  }
  const lock = join(repo.ledgerDir, 'ledger.lock');
  if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 60_000) {
    checks.push({
      ok: 'warn',
      text: `a stale ledger lock is left over (${shown(root, lock)})`,
      fix: 'no agent running? delete that file',
    });
  }
  return checks;
}
