// Concurrency tests run real processes (two agent hooks appending, a stalled lock holder):
// the modules under test are bundled once into an ES module a plain `node` can import,
// and each worker is a small script run as its own process.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync } from 'esbuild';
import { ROOT, tempDir } from './repo.js';

/**
 * Bundles the exports of `sources` (paths relative to the repository root, e.g.
 * `src/fs/lock.ts`) into one ES module; returns its path. Call it in `beforeAll`.
 */
export function bundleForWorkers(sources: readonly string[]): string {
  const dir = tempDir();
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    sources.map((s) => `export * from ${JSON.stringify(join(ROOT, s))};\n`).join(''),
  );
  const bundle = join(dir, 'bundle.mjs');
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
  });
  return bundle;
}

/**
 * Runs `script` (ES module source; its `process.argv.slice(2)` is the bundle's path, then
 * `args`) as a process of its own; resolves to its exit code (-1 when killed). Its
 * stderr is the test's, so a worker's failure is shown.
 */
export function runWorker(
  script: string,
  bundle: string,
  args: readonly string[],
): Promise<number> {
  const file = join(
    dirname(bundle),
    `worker-${createHash('sha1').update(script).digest('hex').slice(0, 12)}.mjs`,
  );
  if (!existsSync(file)) writeFileSync(file, script);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, bundle, ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('exit', (code) => resolve(code ?? -1));
  });
}
