// npm run release: tags a release whose tree carries the built files, so that the GitHub
// Action (uses: …@v1), the pre-commit framework (rev: v1.2.3) and a `git clone --branch`
// on a server run dist/cleanroom.cjs without installing dev dependencies or building.
//
// The release commit is HEAD plus dist/ (ignored on branches), made with a temporary index
// so the work tree and the branch are untouched; it is tagged vX.Y.Z and the moving major
// tag vX is pointed at it. Pushing the tags and `npm publish` stay manual.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RELEASE_FILES = [
  'dist/cleanroom.cjs',
  'dist/cleanroom.mjs',
  'dist/cleanroom-cached.cjs',
  'dist/agent-hook.cjs',
  'dist/agent-hook-main.cjs',
  'dist/iconv-lite.cjs',
  'dist/yaml.cjs',
  'dist/no-ai-signal.needles',
  'dist/no-ai-signal.env',
  'dist/THIRD-PARTY-NOTICES',
  'dist/sbom.cdx.json',
];
const git = (args, env = process.env) =>
  execFileSync('git', args, {
    cwd: root,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const tag = `v${version}`;
const major = `v${version.split('.')[0]}`;
if (git(['status', '--porcelain', '--untracked-files=no'])) {
  console.error('release: the work tree has uncommitted changes: commit them first');
  process.exit(2);
}
if (git(['tag', '--list', tag])) {
  console.error(`release: tag ${tag} exists: bump the version in package.json first`);
  process.exit(2);
}
execFileSync(process.execPath, [join(root, 'src/build/build.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(process.execPath, [join(root, 'src/build/sbom.mjs')], { cwd: root, stdio: 'inherit' });
const tmp = mkdtempSync(join(tmpdir(), 'cleanroom-release-'));
try {
  const env = { ...process.env, GIT_INDEX_FILE: join(tmp, 'index') };
  git(['read-tree', 'HEAD'], env);
  git(['add', '--force', '--', ...RELEASE_FILES], env);
  const tree = git(['write-tree'], env);
  const commit = git([
    'commit-tree',
    tree,
    '-p',
    'HEAD',
    '-m',
    `Release ${tag}: built files included`,
    '-m',
    `dist/ is built from ${git(['rev-parse', 'HEAD'])} by npm run release.`,
  ]);
  git(['tag', '-a', tag, commit, '-m', `cleanroom ${tag}`]);
  git(['tag', '-f', '-a', major, commit, '-m', `cleanroom ${tag} (moving major tag)`]);
  console.log(
    `tagged ${tag} and ${major} at ${commit.slice(0, 12)} (HEAD + ${RELEASE_FILES.join(', ')})`,
  );
  console.log(`next: git push origin ${tag} && git push --force origin ${major} && npm publish`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
