// The package as users get it: `npm pack` (prepack builds), installed offline from the
// tarball into a project, globally, and with `npm ci --omit=dev`; a clone of a release tag
// (made by `npm run release`) used without dev dependencies. Runs on a copy of the source
// tree, so the dist/ the other tests use is never rebuilt under them.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTempDirs, ROOT, tempDir, TestRepo } from '../../helpers/repo.js';

afterAll(removeTempDirs);

const PKG = '@cleanroom-dev/cleanroom';
const CLAUDE = 'Co-authored-by: Claude <noreply@anthropic.com>';

/** npm with none of the npm_* settings an enclosing `npm test` exports, and no network. */
function npm(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!/^npm_|^NODE_EXTRA_CA_CERTS$|^INIT_CWD$/i.test(k)) env[k] = v;
  Object.assign(
    env,
    { npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    extra,
  );
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

/** The source tree as committed plus the work in progress (tracked and new, not ignored). */
function copySource(): string {
  const dir = tempDir('cleanroom-src-');
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .split('\0')
    .filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(ROOT, f))) continue; // deleted in the work tree
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  execFileSync('chmod', ['-R', 'u+rwX', dir]);
  for (const f of files.filter((x) => x.startsWith('hooks/')))
    execFileSync('chmod', ['--reference', join(ROOT, f), join(dir, f)]);
  return dir;
}

let src = '';
let tarball = '';
let listing: string[] = [];

beforeAll(() => {
  src = copySource();
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  const out = tempDir('cleanroom-pack-');
  const r = npm(['pack', '--pack-destination', out, '--json'], src);
  expect(r.status, r.stderr).toBe(0);
  const [info] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(out, info!.filename);
  listing = info!.files.map((f) => f.path).sort();
}, 300_000);

describe('npm pack', () => {
  it('ships the built bundle, the shims, the policies, LICENSE, notices and SBOM — no sources, no tests', () => {
    for (const f of [
      'dist/cleanroom.cjs',
      'dist/cleanroom-cached.cjs',
      'dist/agent-hook.cjs',
      'dist/THIRD-PARTY-NOTICES',
      'dist/sbom.cdx.json',
      'LICENSE',
      'hooks/commit-msg',
      'hooks/pre-receive',
      'policies/policy.schema.json',
      'package.json',
    ]) {
      expect(listing, f).toContain(f);
    }
    expect(listing.filter((f) => /^(src|test|bench)\//.test(f))).toEqual([]);
    // Every side file a shipped bundle names beside itself ("./x.cjs") ships too:
    // a hook whose side bundle is missing fails closed on every policy-cache miss.
    const shipped = listing.filter((f) => /^dist\/.*\.cjs$/.test(f));
    const beside = shipped.flatMap((f) =>
      [...readFileSync(join(src, f), 'latin1').matchAll(/["']\.\/([\w.-]+\.cjs)["']/g)].map(
        (m) => `dist/${m[1]}`,
      ),
    );
    expect(beside).toEqual(expect.arrayContaining(['dist/yaml.cjs', 'dist/iconv-lite.cjs']));
    for (const f of beside) expect(listing, f).toContain(f);
    expect(tarball).toMatch(/cleanroom-dev-cleanroom-\d+\.\d+\.\d+\.tgz$/);
  });

  it('THIRD-PARTY-NOTICES and the SBOM cover every package the bundle inlines', () => {
    const unpacked = tempDir('cleanroom-unpack-');
    execFileSync('tar', ['xzf', tarball, '-C', unpacked]);
    const notices = readFileSync(join(unpacked, 'package/dist/THIRD-PARTY-NOTICES'), 'utf8');
    const sbom = JSON.parse(readFileSync(join(unpacked, 'package/dist/sbom.cdx.json'), 'utf8'));
    expect(sbom.bomFormat).toBe('CycloneDX');
    expect(`${sbom.metadata.component.group}/${sbom.metadata.component.name}`).toBe(PKG);
    const inSbom = new Set(
      sbom.components.map((c: { name: string; version: string }) => `${c.name}@${c.version}`),
    );
    // What the bundler's metafile says went into the bundles (written by the build beside it).
    const bundled = JSON.parse(readFileSync(join(src, 'dist/bundled-packages.json'), 'utf8')) as {
      name: string;
      version: string;
    }[];
    expect(bundled.map((b) => b.name)).toEqual(
      expect.arrayContaining(['ajv', 'picomatch', 'yaml']),
    );
    for (const b of bundled) {
      expect(notices, b.name).toMatch(
        new RegExp(
          `^${b.name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} ${b.version.replace(/\./g, '\\.')} — `,
          'm',
        ),
      );
      expect(inSbom.has(`${b.name}@${b.version}`), b.name).toBe(true);
    }
    expect(sbom.components).toHaveLength(bundled.length);
    expect(notices).toContain('Permission is hereby granted'); // the licence text itself, not only a name
    const pkg = JSON.parse(readFileSync(join(unpacked, 'package/package.json'), 'utf8'));
    expect(pkg.name).toBe(PKG);
    expect(pkg.bin).toEqual({ cleanroom: 'dist/cleanroom.cjs' });
    expect(pkg.dependencies ?? {}).toEqual({}); // everything is inlined: a server installs the tarball alone
    expect(pkg.repository.url).toBe('git+https://github.com/cleanroom-dev/cleanroom.git');
    expect(pkg.bugs.url).toBe('https://github.com/cleanroom-dev/cleanroom/issues');
    expect(pkg.homepage).toMatch(/^https:\/\/github\.com\/cleanroom-dev\/cleanroom/);
  });
});

describe('installed from the tarball (offline)', () => {
  it('as a devDependency: the cleanroom bin works, init names node_modules/@cleanroom-dev/cleanroom, a commit is blocked', () => {
    const repo = TestRepo.init();
    writeFileSync(
      join(repo.dir, 'package.json'),
      JSON.stringify({ name: 'app', private: true }) + '\n',
    );
    const r = npm(['install', '--offline', '--save-dev', tarball], repo.dir);
    expect(r.status, r.stderr).toBe(0);
    const bin = join(repo.dir, 'node_modules/.bin/cleanroom');
    const v = spawnSync(bin, ['--version'], { cwd: repo.dir, env: repo.env, encoding: 'utf8' });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/\d+\.\d+\.\d+/);
    const init = spawnSync(bin, ['init'], { cwd: repo.dir, env: repo.env, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).not.toContain('not in this project');
    expect(readFileSync(join(repo.dir, '.git/hooks/commit-msg'), 'utf8')).toContain(
      `${repo.dir}/node_modules/${PKG}/hooks/commit-msg`,
    );
    repo.write('.gitignore', 'node_modules\n');
    expect(repo.commit('Set up').code).toBe(0);
    repo.write('evals/tasks/q1.json', '{}\n');
    const blocked = repo.commit(`Add task\n\n${CLAUDE}`);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('cleanroom: commit blocked');
  }, 300_000);

  it('as a dependency of a server project: npm ci --omit=dev from the lockfile gives a working cleanroom', () => {
    const ops = tempDir('cleanroom-ops-');
    writeFileSync(
      join(ops, 'package.json'),
      JSON.stringify({ name: 'git-server', private: true }) + '\n',
    );
    const r = npm(['install', '--offline', '--save-prod', tarball], ops);
    expect(r.status, r.stderr).toBe(0);
    const prod = tempDir('cleanroom-prod-');
    for (const f of ['package.json', 'package-lock.json'])
      copyFileSync(join(ops, f), join(prod, f));
    const ci = npm(['ci', '--offline', '--omit=dev'], prod);
    expect(ci.status, ci.stderr).toBe(0);
    const v2 = spawnSync(join(prod, 'node_modules/.bin/cleanroom'), ['--version'], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(v2.status, v2.stderr).toBe(0);
  }, 300_000);

  it('npm install -g: the global cleanroom installs a server hook that rejects an AI push', () => {
    const prefix = tempDir('cleanroom-global-');
    const r = npm(['install', '-g', '--offline', '--prefix', prefix, tarball], prefix);
    expect(r.status, r.stderr).toBe(0);
    const bin = join(prefix, 'bin/cleanroom');
    const server = TestRepo.init({ bare: true });
    const policyDir = tempDir();
    writeFileSync(
      join(policyDir, 'policy.yaml'),
      'version: 1\nrepository: example.org/x\nzones:\n  - name: eval-tasks\n    paths: ["evals/tasks/**"]\n    ai: deny\n',
    );
    const inst = spawnSync(
      bin,
      ['install-server', server.dir, '--policy', join(policyDir, 'policy.yaml')],
      { cwd: prefix, env: server.env, encoding: 'utf8' },
    );
    expect(inst.status, inst.stderr + inst.stdout).toBe(0);
    const work = TestRepo.init();
    work.write('evals/tasks/q.json', '{}\n');
    work.git('add', '-A');
    work.git('commit', '-q', '-m', 'agent', '-m', CLAUDE);
    const push = work.tryGit(['push', server.dir, 'main']);
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('evals/tasks/q.json');
  }, 300_000);
});

describe('from source', () => {
  it('npm ci --omit=dev in a plain clone says how to get a build instead of "Cannot find package"', () => {
    const clone = tempDir('cleanroom-clone-');
    for (const f of ['package.json', 'package-lock.json'])
      copyFileSync(join(src, f), join(clone, f));
    mkdirSync(join(clone, 'src/build'), { recursive: true });
    for (const f of ['prepare.mjs', 'build.mjs'])
      copyFileSync(join(src, 'src/build', f), join(clone, 'src/build', f));
    const r = npm(['ci', '--offline', '--omit=dev'], clone);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'cannot build dist/cleanroom.cjs: the dev dependencies (esbuild) are not installed',
    );
    expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
  }, 300_000);

  it('npm run release tags a commit that carries dist/; a clone of the tag works with npm ci --omit=dev', () => {
    const repo = new TestRepo(src, cleanEnv());
    if (!existsSync(join(src, '.git'))) {
      repo.git('init', '-q', '-b', 'main');
      // node_modules here is a symlink to the real one, which `node_modules/` in .gitignore
      // does not match: committed, a clone's npm ci would empty the real one through it.
      writeFileSync(join(src, '.git/info/exclude'), 'node_modules\n');
      repo.git('add', '-A');
      repo.git('commit', '-q', '--no-verify', '-m', 'source');
    }
    const branchTree = repo.git('rev-parse', 'HEAD^{tree}').trim();
    const rel = spawnSync(process.execPath, ['src/build/release.mjs'], {
      cwd: src,
      env: repo.env,
      encoding: 'utf8',
    });
    expect(rel.status, rel.stderr).toBe(0);
    const version = JSON.parse(readFileSync(join(src, 'package.json'), 'utf8')).version as string;
    const tagged = repo.git('ls-tree', '-r', '--name-only', `v${version}`).split('\n');
    expect(tagged).toContain('dist/cleanroom.cjs');
    expect(tagged).toContain('dist/THIRD-PARTY-NOTICES');
    expect(tagged).not.toContain('node_modules');
    expect(repo.git('rev-parse', `v${version.split('.')[0]}^{commit}`)).toBe(
      repo.git('rev-parse', `v${version}^{commit}`),
    );
    expect(repo.git('rev-parse', 'HEAD^{tree}').trim()).toBe(branchTree); // the branch is untouched
    expect(repo.git('status', '--porcelain', '--untracked-files=no')).toBe('');

    const clone = tempDir('cleanroom-tagclone-');
    execFileSync('git', ['clone', '-q', '--branch', `v${version}`, src, clone], {
      env: repo.env,
      stdio: 'pipe',
    });
    const r = npm(['ci', '--offline', '--omit=dev'], clone);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('using the prebuilt dist/cleanroom.cjs');
    const v = spawnSync(process.execPath, [join(clone, 'dist/cleanroom.cjs'), '--version'], {
      encoding: 'utf8',
    });
    expect(v.status, v.stderr).toBe(0);

    // A git dependency on the release tag still installs (npm runs prepare for git deps).
    const app = tempDir('cleanroom-gitdep-');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }) + '\n');
    const dep = npm(['install', '--offline', '--save-dev', `git+file://${src}#v${version}`], app);
    expect(dep.status, dep.stderr).toBe(0);
    const bin = spawnSync(join(app, 'node_modules/.bin/cleanroom'), ['--version'], {
      encoding: 'utf8',
    });
    expect(bin.status, bin.stderr).toBe(0);
  }, 300_000);
});
