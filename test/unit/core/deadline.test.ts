// Issue 11 §2: the deadline is a timer, and a timer cannot fire while one synchronous step
// blocks the event loop (the AI rename bomb: pairing and judging 90,000 moved files answered
// 1.9 s past --deadline 4.5). The loops that grow with the input check the armed deadline
// themselves and throw the command's deadline error; unarmed, they run to the end.

import { afterEach, describe, expect, it } from 'vitest';
import { armDeadline, checkDeadline } from '../../../src/core/deadline.js';
import { evaluate } from '../../../src/core/evaluate.js';
import { pairExactRenames } from '../../../src/git/renames.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { POLICY } from '../../helpers/repo.js';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const bomb = (n: number): Buffer[] => {
  const raw: Buffer[] = [];
  for (let i = 0; i < n; i++)
    raw.push(Buffer.from(`:100644 000000 ${A} ${Z} D`), Buffer.from(`a/f${i}.txt`));
  for (let i = 0; i < n; i++)
    raw.push(Buffer.from(`:000000 100644 ${Z} ${A} A`), Buffer.from(`evals/tasks/f${i}.txt`));
  return raw;
};
class Late extends Error {}

let disarm: (() => void) | undefined;
afterEach(() => disarm?.());

describe('synchronous work sees the deadline', () => {
  it('pairing the renames of a bomb stops with the deadline error once the deadline has passed', () => {
    disarm = armDeadline(Date.now() - 1, () => new Late('did not finish'));
    expect(() => pairExactRenames(bomb(2000))).toThrow(Late);
  });

  it('judging the files of a big commit stops with the deadline error', () => {
    const policy = loadPolicyText(POLICY, 'policy.yaml');
    const files = pairExactRenames(bomb(2000)).files;
    disarm = armDeadline(Date.now() - 1, () => new Late('did not finish'));
    const change = {
      commit: Z,
      files,
      signals: [{ tool: 'claude-code', evidence: 'Co-authored-by: Claude' }],
      overrides: [],
      attestations: [],
    } as unknown as Parameters<typeof evaluate>[1];
    expect(() => evaluate(policy, change)).toThrow(Late);
  });

  it('human control: with the deadline ahead, or none armed, the same work runs to the end', () => {
    disarm = armDeadline(Date.now() + 60_000, () => new Late('did not finish'));
    expect(pairExactRenames(bomb(2000)).files.filter((f) => f.status === 'R')).toHaveLength(2000);
    disarm();
    for (let i = 0; i < 10_000; i++) checkDeadline();
    expect(pairExactRenames(bomb(2000)).files).toHaveLength(2000);
  });
});
