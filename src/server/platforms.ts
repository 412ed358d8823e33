// The hosting platforms a pre-receive hook runs under, one row each (as gitleaks'
// cmd/scm): how to recognise the platform from the hook's environment, who pushed, how
// an error line reaches the pusher, and where the server hook is installed. Facts from
// docs/design/field-notes.md "Hosting platforms". Used by `cleanroom pre-receive`,
// `cleanroom install-server` and the error reporter (src/cli/main.ts).
//
// Adding a platform: one row here, ahead of `git` (the fallback), and a test in
// test/repo/core/platforms.test.ts (CONTRIBUTING.md, "Add a hosting platform").

import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface HostPlatform {
  id: 'gitlab' | 'gitea' | 'github-enterprise' | 'git';
  /** For messages and docs. */
  name: string;
  /** True when a pre-receive hook runs under this platform (from the variables it sets). */
  detect: (env: Env) => boolean;
  /** True when the repository at `gitDir` is laid out as this platform's (install time: no hook env yet). */
  owns: (gitDir: string) => boolean;
  /** Who pushed, as the platform names them; undefined when it does not say. */
  pusher: (env: Env) => string | undefined;
  /** Put before every stderr line so the platform shows it to the pusher. */
  errorPrefix: string;
  /** Where install-server puts the pre-receive hook; `hooksDir` is git's own (core.hooksPath honoured). */
  hooksDir: (repo: { gitDir: string; hooksDir: string }) => string;
}

const set = (v: string | undefined): string | undefined =>
  v === undefined || v === '' ? undefined : v;

export const PLATFORMS: readonly HostPlatform[] = [
  {
    id: 'gitlab',
    name: 'GitLab',
    // Gitaly sets all three for every hook; any one is enough to know.
    detect: (env) =>
      env.GL_ID !== undefined || env.GL_USERNAME !== undefined || env.GL_PROTOCOL !== undefined,
    owns: (gitDir) => existsSync(join(gitDir, 'custom_hooks')) || /[\\/]@hashed[\\/]/.test(gitDir),
    pusher: (env) => set(env.GL_USERNAME),
    // A stderr line starting with GL-HOOK-ERR: is shown to the user in GitLab's UI.
    errorPrefix: 'GL-HOOK-ERR: ',
    // GitLab runs <repo>.git/custom_hooks/pre-receive; hooks/ belongs to GitLab itself.
    hooksDir: ({ gitDir }) => join(gitDir, 'custom_hooks'),
  },
  {
    id: 'gitea',
    name: 'Gitea/Forgejo',
    // Forgejo keeps Gitea's variable names.
    detect: (env) => env.GITEA_PUSHER_NAME !== undefined || env.GITEA_REPO_NAME !== undefined,
    owns: (gitDir) => existsSync(join(gitDir, 'hooks', 'pre-receive.d')),
    pusher: (env) => set(env.GITEA_PUSHER_NAME),
    errorPrefix: '',
    // Gitea rewrites hooks/pre-receive itself; it runs every executable in pre-receive.d.
    hooksDir: ({ gitDir }) => join(gitDir, 'hooks', 'pre-receive.d'),
  },
  {
    id: 'github-enterprise',
    name: 'GitHub Enterprise Server',
    detect: (env) => env.GITHUB_USER_LOGIN !== undefined || env.GITHUB_VIA !== undefined,
    // Hooks are uploaded through the site admin's pre-receive hook settings, not a directory.
    owns: () => false,
    pusher: (env) => set(env.GITHUB_USER_LOGIN),
    errorPrefix: '',
    hooksDir: ({ hooksDir }) => hooksDir,
  },
  {
    id: 'git',
    name: 'plain git (ssh, git daemon, http-backend)',
    detect: () => true,
    owns: () => true,
    // http-backend sets REMOTE_USER; over ssh the pusher is the account, named by USER or
    // LOGNAME (sshd sets both), else by the password database (git daemon, a container's
    // hook runner, an su without -l set neither).
    pusher: (env) => set(env.REMOTE_USER) ?? set(env.USER) ?? set(env.LOGNAME) ?? account(),
    errorPrefix: '',
    hooksDir: ({ hooksDir }) => hooksDir,
  },
];

/**
 * This process's account: its name in the password database (getpwuid(3), through
 * os.userInfo), else `uid N` when it has no entry there (a container's arbitrary uid);
 * undefined where neither can be known (Windows without a uid).
 */
function account(): string | undefined {
  try {
    return set(userInfo().username);
  } catch {
    return typeof process.getuid === 'function' ? `uid ${process.getuid()}` : undefined;
  }
}

const fallback = PLATFORMS[PLATFORMS.length - 1]!;

/** The platform a hook runs under, from its environment (plain git when none matches). */
export const platformFor = (env: Env): HostPlatform =>
  PLATFORMS.find((p) => p.detect(env)) ?? fallback;

/** The platform whose layout the repository at `gitDir` has (install time). */
export const platformOfRepo = (gitDir: string): HostPlatform =>
  PLATFORMS.find((p) => p.owns(gitDir)) ?? fallback;

/**
 * Who pushed: the platform's name for them, else the account (REMOTE_USER, USER, LOGNAME,
 * then the password database's name of this process's uid, or `uid N`), else "unknown".
 */
export const pusherOf = (env: Env): string =>
  platformFor(env).pusher(env) ?? fallback.pusher(env) ?? 'unknown';
