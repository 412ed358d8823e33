// The shims in hooks/ are the hot path; they carry a little data in shell (the agent
// environment variables) that must stay in step with policies/tools.yaml.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/repo.js';

const tools = parse(readFileSync(join(ROOT, 'policies/tools.yaml'), 'utf8')) as {
  tools: { id: string; env?: string[] }[];
};
const shim = (name: string): string => readFileSync(join(ROOT, 'hooks', name), 'utf8');

describe('hook shims', () => {
  it('prepare-commit-msg maps every env rule of tools.yaml to its tool id', () => {
    const text = shim('prepare-commit-msg');
    const rules = tools.tools.flatMap((t) =>
      (t.env ?? []).map((e) => ({ id: t.id, name: e.replace(/[=*].*$/, '') })),
    );
    expect(rules.length).toBeGreaterThanOrEqual(4);
    for (const r of rules)
      expect(text, `${r.name} → ${r.id}`).toMatch(
        new RegExp(`\\$\\{${r.name}[A-Z_]*:\\+${r.id}\\}`),
      );
  });

  it('every shim starts Node one way (hooks/lib/run-node.sh) and honours CLEANROOM=0 and CLEANROOM_DEBUG=1', () => {
    const lib = readFileSync(join(ROOT, 'hooks', 'lib', 'run-node.sh'), 'utf8');
    // Through the code-cache loader when the package has it (issue 14), else the bundle.
    expect(lib).toContain('_cr_main="${0%/*}/../dist/cleanroom-cached.cjs"');
    expect(lib).toContain('[ -f "$_cr_main" ] || _cr_main="${0%/*}/../dist/cleanroom.cjs"');
    expect(lib).toContain('exec node "$_cr_main" hook "$_cr_hook" "$@"');
    for (const name of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'pre-push']) {
      const text = shim(name);
      expect(text, name).not.toContain('exec node');
      expect(text, name).not.toContain('command -v node');
      // pre-commit has nothing to judge (issue 14: it no longer starts Node with a ledger).
      if (name !== 'pre-commit') {
        expect(text, name).toContain('. "${0%/*}/lib/run-node.sh"');
        expect(text, name).toMatch(new RegExp(`cleanroom_run_node ${name} "\\$`));
      }
      expect(text, name).toContain('[ "${CLEANROOM-}" = 0 ]');
      expect(text, name).toContain('[ "${CLEANROOM_DEBUG-}" = 1 ] && set -x');
    }
  });

  it('pre-commit starts no process: it has nothing to judge before the message exists', () => {
    const code = shim('pre-commit')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    expect(code).not.toMatch(/\bnode\b|\bgit\b|\$\(/);
  });
});
