// Which of cleanroom's hooks a .pre-commit-config.yaml names (src/install/pre-commit-framework.ts).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameworkHooks } from '../../../src/install/pre-commit-framework.js';

const withConfig = (text: string | undefined): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cleanroom-pcf-'));
  if (text !== undefined) writeFileSync(join(dir, '.pre-commit-config.yaml'), text);
  return dir;
};

describe('frameworkHooks', () => {
  it('reads the id lines, quoted or not, with a comment after', () => {
    const dir = withConfig(
      'repos:\n  - repo: https://github.com/cleanroom-dev/cleanroom\n    rev: v0.1.0\n    hooks:\n      - id: cleanroom-commit-msg\n      - id: "cleanroom-pre-push"  # push\n      -   id: \'cleanroom-prepare-commit-msg\'\n',
    );
    expect([...frameworkHooks(dir)].sort()).toEqual([
      'commit-msg',
      'pre-push',
      'prepare-commit-msg',
    ]);
  });

  it('a commented-out line, another hook id, or no file: none', () => {
    expect(frameworkHooks(withConfig('hooks:\n  # - id: cleanroom-commit-msg\n')).size).toBe(0);
    expect(frameworkHooks(withConfig('hooks:\n  - id: cleanroom-commit-msg-extra\n')).size).toBe(0);
    expect(frameworkHooks(withConfig('hooks:\n  - id: black\n')).size).toBe(0);
    expect(frameworkHooks(withConfig(undefined)).size).toBe(0);
  });
});
