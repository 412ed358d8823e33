// The push's compact graph (src/server/pre-receive.ts CommitGraph) must answer exactly
// what the Map of parent arrays it replaced answered: membership, and each new commit's
// parents in order, on random graphs with boundary parents, repeats and merges.

import { describe, expect, it } from 'vitest';
import { CommitGraph } from '../../../src/server/pre-receive.js';

const hex = (n: number): string => n.toString(16).padStart(40, '0');

describe('CommitGraph', () => {
  it('answers as a Map of parent arrays on random graphs (boundary parents, merges, repeats)', () => {
    let seed = 7;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let round = 0; round < 30; round++) {
      const graph = new CommitGraph();
      const plain = new Map<string, string[]>();
      const n = 1 + rand(800);
      // Children before parents, as rev-list prints them; ids above n are outside the push.
      for (let i = n; i > 0; i--) {
        const parents: string[] = [];
        const count = rand(10) === 0 ? 2 + rand(3) : rand(20) === 0 ? 0 : 1;
        for (let k = 0; k < count; k++)
          parents.push(hex(rand(3) === 0 ? n + 1 + rand(50) : rand(i)));
        graph.add(hex(i), parents);
        if (!plain.has(hex(i))) plain.set(hex(i), parents);
        if (rand(50) === 0) graph.add(hex(i), [hex(0)]); // a repeat changes nothing
      }
      expect(graph.size).toBe(plain.size);
      const answers = (g: { has(id: string): boolean; get(id: string): string[] | undefined }) =>
        Array.from({ length: n + 60 }, (_, i) => [g.has(hex(i)), g.get(hex(i))]);
      expect(answers(graph)).toEqual(answers(plain));
    }
  });

  it('knows nothing of a boundary parent (it is not a new commit)', () => {
    const graph = new CommitGraph();
    graph.add(hex(2), [hex(1)]);
    expect(graph.has(hex(1))).toBe(false);
    expect(graph.get(hex(1))).toBeUndefined();
    expect(graph.get(hex(2))).toEqual([hex(1)]);
  });
});
