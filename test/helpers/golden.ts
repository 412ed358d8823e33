// Golden files for text output: compared exactly. `UPDATE_GOLDEN=1 npx vitest run …`
// rewrites them; review the diff before committing it.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './repo.js';

export const GOLDEN_DIR = join(ROOT, 'test', 'fixtures', 'golden');

export function expectGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file))
    throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1 to write it`);
  expect(actual, `golden ${name} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}
