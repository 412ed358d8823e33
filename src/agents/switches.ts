// Each host's own switches that stop cleanroom's hooks from running, read by `doctor`
// (issue 15 §5). Sources, checked November 2026:
//   Claude Code  "disableAllHooks": true in any settings layer (user, project, local, managed)
//   Copilot      "disableAllHooks": true in a hooks file or the CLI's ~/.copilot/config.json
//   Gemini CLI   hooksConfig.enabled false (or hooks.enabled false) in a settings layer; with
//                security.folderTrust.enabled, project settings (our hooks) load only in a
//                folder ~/.gemini/trustedFolders.json trusts
//   Codex        [features] hooks = false (or codex_hooks) in config.toml / requirements.toml;
//                project .codex/ layers (our hooks.json) load only in a trusted project:
//                [projects."<root>"] trust_level = "trusted" in $CODEX_HOME/config.toml
// A file that cannot be read is skipped: doctor reports what it can see.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { isRecord } from './types.js';

export interface Switch {
  agent: string;
  /** 'off': the hooks will not run; 'maybe': they run only after something the user must do. */
  state: 'off' | 'maybe';
  text: string;
  fix: string;
}

function json(file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function text(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The managed / system files of each host on this platform, where an organisation puts
 * settings users cannot remove (see docs/agents.md): Claude Code's managed settings,
 * Gemini CLI's system settings, Cursor's enterprise hooks, Codex's system layer (its
 * hooks.json sits beside /etc/codex/config.toml) and requirements. Copilot has none.
 */
export function managedPaths(
  platform: NodeJS.Platform = process.platform,
): Record<'claude-code' | 'gemini' | 'codex' | 'cursor' | 'codex-requirements', string> {
  if (platform === 'darwin') {
    return {
      'claude-code': '/Library/Application Support/ClaudeCode/managed-settings.json',
      gemini: '/Library/Application Support/GeminiCli/settings.json',
      cursor: '/Library/Application Support/Cursor/hooks.json',
      codex: '/etc/codex/hooks.json',
      'codex-requirements': '/etc/codex/requirements.toml',
    };
  }
  if (platform === 'win32') {
    return {
      'claude-code': 'C:\\Program Files\\ClaudeCode\\managed-settings.json',
      gemini: 'C:\\ProgramData\\gemini-cli\\settings.json',
      cursor: 'C:\\ProgramData\\Cursor\\hooks.json',
      codex: 'C:\\ProgramData\\OpenAI\\Codex\\hooks.json',
      'codex-requirements': 'C:\\ProgramData\\OpenAI\\Codex\\requirements.toml',
    };
  }
  return {
    'claude-code': '/etc/claude-code/managed-settings.json',
    gemini: '/etc/gemini-cli/settings.json',
    cursor: '/etc/cursor/hooks.json',
    codex: '/etc/codex/hooks.json',
    'codex-requirements': '/etc/codex/requirements.toml',
  };
}

/** Values of `key` in the TOML table `[table]` of `src` (a line scanner: enough for `key = value`). */
export function tomlValue(
  src: string,
  table: (name: string) => boolean,
  key: string,
): string | undefined {
  let current = '';
  for (const raw of src.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const t = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (t) {
      current = t[1]!;
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*=\s*(.+)$/.exec(line);
    if (kv && kv[1] === key && table(current)) return kv[2]!.replace(/^["']|["']$/g, '');
  }
  return undefined;
}

export function hostSwitches(
  env: Readonly<Record<string, string | undefined>>,
  root: string,
  platform: NodeJS.Platform = process.platform,
): Switch[] {
  const home = env.HOME ?? env.USERPROFILE ?? '';
  const managed = managedPaths(platform);
  const out: Switch[] = [];

  for (const f of [
    join(home, '.claude', 'settings.json'),
    join(root, '.claude', 'settings.json'),
    join(root, '.claude', 'settings.local.json'),
    managed['claude-code'],
  ]) {
    if (json(f)?.disableAllHooks === true)
      out.push({
        agent: 'claude-code',
        state: 'off',
        text: `Claude Code: "disableAllHooks": true in ${f} — no hook runs, cleanroom's included`,
        fix: `remove it from ${f}`,
      });
  }

  const copilotFiles = [join(home, '.copilot', 'config.json')];
  try {
    for (const f of readdirSync(join(root, '.github', 'hooks')))
      if (f.endsWith('.json')) copilotFiles.push(join(root, '.github', 'hooks', f));
  } catch {
    // no hooks folder
  }
  for (const f of copilotFiles) {
    if (json(f)?.disableAllHooks === true)
      out.push({
        agent: 'copilot',
        state: 'off',
        text: `GitHub Copilot: "disableAllHooks": true in ${f} — no hook runs`,
        fix: `remove it from ${f}`,
      });
  }

  const geminiUser = join(home, '.gemini', 'settings.json');
  for (const f of [geminiUser, join(root, '.gemini', 'settings.json'), managed.gemini]) {
    const s = json(f);
    const hc = s && isRecord(s.hooksConfig) ? s.hooksConfig : undefined;
    const hk = s && isRecord(s.hooks) ? s.hooks : undefined;
    if (hc?.enabled === false || hk?.enabled === false)
      out.push({
        agent: 'gemini',
        state: 'off',
        text: `Gemini CLI: hooks are switched off in ${f} (hooksConfig.enabled: false)`,
        fix: `set hooksConfig.enabled to true in ${f}`,
      });
  }
  const security = json(geminiUser)?.security;
  const folderTrust =
    isRecord(security) && isRecord(security.folderTrust)
      ? security.folderTrust.enabled === true
      : false;
  if (folderTrust) {
    const trusted = json(join(home, '.gemini', 'trustedFolders.json')) ?? {};
    // {"/path": "TRUST_FOLDER" | "TRUST_PARENT" | "DO_NOT_TRUST"}; TRUST_PARENT trusts the folder's parent and all below it.
    const under = (area: string): boolean => root === area || root.startsWith(area + sep);
    const trustedHere = Object.entries(trusted).some(
      ([dir, level]) =>
        (level === 'TRUST_FOLDER' && under(dir)) ||
        (level === 'TRUST_PARENT' && under(dirname(dir))),
    );
    if (!trustedHere) {
      out.push({
        agent: 'gemini',
        state: 'maybe',
        text: `Gemini CLI: folder trust is on and ${root} is not a trusted folder — Gemini ignores .gemini/settings.json (cleanroom's hooks) here`,
        fix: 'trust this folder when Gemini asks (or in ~/.gemini/trustedFolders.json), or wire the hooks in system settings (init --agents gemini --scope managed)',
      });
    }
  }

  const codexHome = env.CODEX_HOME ?? join(home, '.codex');
  const codexUser = join(codexHome, 'config.toml');
  for (const f of [
    codexUser,
    '/etc/codex/config.toml',
    managed['codex-requirements'],
    join(root, '.codex', 'config.toml'),
  ]) {
    const src = text(f);
    if (!src) continue;
    for (const key of ['hooks', 'codex_hooks']) {
      if (tomlValue(src, (t) => t === 'features', key) === 'false')
        out.push({
          agent: 'codex',
          state: 'off',
          text: `Codex: [features] ${key} = false in ${f} — no hook runs`,
          fix: `remove it from ${f}`,
        });
    }
  }
  if (existsSync(join(root, '.codex', 'hooks.json'))) {
    const src = text(codexUser) ?? '';
    const level = tomlValue(
      src,
      (t) => t.replace(/^projects\.\s*/, '').replace(/^["']|["']$/g, '') === root,
      'trust_level',
    );
    if (level !== 'trusted') {
      out.push({
        agent: 'codex',
        state: 'maybe',
        text: `Codex: ${root} is not a trusted project in ${codexUser} — Codex skips the project's .codex/ layer, cleanroom's hooks included`,
        fix: `trust the project when codex asks, or add [projects."${root}"] trust_level = "trusted" to ${codexUser}; then trust the hooks under /hooks`,
      });
    }
  }
  return out;
}
