// Issue 15 §5: doctor reads each host's own switches — a wired hook that the host will
// not run is reported, with the fix. HOME is a temp directory: the user's real settings
// are never read.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, repoWithPolicy, tempDir } from '../../helpers/repo.js';

afterAll(removeTempDirs);

function put(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
}

describe("doctor: the hosts' own switches", { timeout: 120_000 }, () => {
  it('disableAllHooks (Claude Code, Copilot), Gemini hooksConfig and folder trust, Codex hooks feature and project trust', () => {
    const repo = repoWithPolicy();
    const home = tempDir();
    repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code,codex,copilot,gemini']);
    put(join(home, '.claude/settings.json'), '{"disableAllHooks": true}');
    put(join(home, '.copilot/config.json'), '{"disableAllHooks": true}');
    put(
      join(home, '.gemini/settings.json'),
      '{"security": {"folderTrust": {"enabled": true}}, "hooksConfig": {"enabled": false}}',
    );
    put(join(home, '.codex/config.toml'), 'model = "gpt-5-codex"\n\n[features]\nhooks = false\n');
    const r = repo.cleanroom(['doctor'], { env: { ...repo.env, HOME: home } });
    expect(r.stdout).toContain(
      `Claude Code: "disableAllHooks": true in ${join(home, '.claude/settings.json')}`,
    );
    expect(r.stdout).toContain('GitHub Copilot: "disableAllHooks": true in');
    expect(r.stdout).toContain('Gemini CLI: hooks are switched off in');
    expect(r.stdout).toContain(
      `Gemini CLI: folder trust is on and ${repo.dir} is not a trusted folder`,
    );
    expect(r.stdout).toContain('Codex: [features] hooks = false in');
    expect(r.stdout).toContain(`Codex: ${repo.dir} is not a trusted project`);
    expect(r.stdout).toContain(
      'review.mode is "trailer": a Reviewed-by: line is trusted from whoever types it',
    );
  });

  it('control: trusted, enabled hosts say nothing of the sort', () => {
    const repo = repoWithPolicy();
    const home = tempDir();
    repo.cleanroom(['init', '--hooks', 'none', '--agents', 'claude-code,codex,copilot,gemini']);
    put(join(home, '.gemini/settings.json'), '{"security": {"folderTrust": {"enabled": true}}}');
    put(join(home, '.gemini/trustedFolders.json'), JSON.stringify({ [repo.dir]: 'TRUST_FOLDER' }));
    put(join(home, '.codex/config.toml'), `[projects."${repo.dir}"]\ntrust_level = "trusted"\n`);
    const r = repo.cleanroom(['doctor'], { env: { ...repo.env, HOME: home } });
    expect(r.stdout).not.toMatch(/disableAllHooks|switched off|not a trusted/);
  });
});

describe('init --agents … --scope managed', { timeout: 120_000 }, () => {
  it("writes the hosts' managed or system settings (under CLEANROOM_MANAGED_ROOT here), and says what Copilot lacks", () => {
    const repo = repoWithPolicy();
    const root = tempDir();
    const r = repo.cleanroom(
      [
        'init',
        '--hooks',
        'none',
        '--agents',
        'claude-code,gemini,cursor,codex,copilot',
        '--scope',
        'managed',
      ],
      { env: { ...repo.env, CLEANROOM_MANAGED_ROOT: root } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `+ ${join(root, '/etc/claude-code/managed-settings.json')} — Claude Code managed hooks: PreToolUse, PostToolUse`,
    );
    expect(r.stdout).toContain(
      `+ ${join(root, '/etc/gemini-cli/settings.json')} — Gemini CLI managed hooks: BeforeTool, AfterTool`,
    );
    expect(r.stdout).toContain(`+ ${join(root, '/etc/cursor/hooks.json')}`);
    expect(r.stdout).toContain(`+ ${join(root, '/etc/codex/hooks.json')}`);
    expect(r.stdout).toContain('GitHub Copilot has no managed hooks file');
    const settings = JSON.parse(
      readFileSync(join(root, '/etc/claude-code/managed-settings.json'), 'utf8'),
    );
    expect(settings.hooks.PreToolUse[0].hooks[0].command).toMatch(
      /^env -u NODE_EXTRA_CA_CERTS node \/.*agent-hook\.cjs claude-code$/,
    );
    expect(existsSync(join(repo.dir, '.claude/settings.json'))).toBe(false); // the project is left alone
    const bad = repo.cleanroom([
      'init',
      '--hooks',
      'none',
      '--agents',
      'claude-code',
      '--scope',
      'global',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown --scope "global"');
  });
});
