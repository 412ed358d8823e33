// npm runs `prepare` after `npm install`/`npm ci` in a clone and when it installs cleanroom
// from git (there with the dev dependencies, so the bundle is built). With
// `npm ci --omit=dev` — a server that wants only what runs — the bundler is absent: a
// clone of a release tag already carries dist/cleanroom.cjs and needs nothing; a plain
// clone cannot be built and says what to do instead of failing on an import.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const canBuild = ['esbuild', 'ajv', 'yaml'].every((m) => {
  try {
    require.resolve(m);
    return true;
  } catch {
    return false;
  }
});
if (canBuild) {
  await import('./build.mjs');
} else if (existsSync(join(root, 'dist', 'cleanroom.cjs'))) {
  console.error(
    'cleanroom: dev dependencies not installed (--omit=dev): using the prebuilt dist/cleanroom.cjs',
  );
} else {
  console.error(
    'cleanroom: cannot build dist/cleanroom.cjs: the dev dependencies (esbuild) are not installed, e.g. npm ci --omit=dev.\n' +
      '  Either install with them (npm ci, then npm run build), or use a build that needs none:\n' +
      '  the npm package (npm install @cleanroom-dev/cleanroom), its release tarball, or a release tag (dist/ is committed there).',
  );
  process.exit(1);
}
