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

  it('walks as the Map-based walk it replaced: same order, same `seen` (random graphs)', () => {
    // The walk pre-receive.ts had before CommitGraph (reachableNew), kept here as the reference.
    const reference = (graph: Map<string, string[]>, tip: string, seen: Set<string>): string[] => {
      const out: string[] = [];
      const entered = new Set<string>();
      const stack: [string, number][] = [[tip, 0]];
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const [id, next] = top;
        if (next === 0) {
          if (seen.has(id) || !graph.has(id) || entered.has(id)) {
            stack.pop();
            continue;
          }
          entered.add(id);
        }
        const parents = graph.get(id)!;
        if (next < parents.length) {
          top[1] = next + 1;
          const p = parents[next]!;
          if (!seen.has(p) && graph.has(p) && !entered.has(p)) stack.push([p, 0]);
          continue;
        }
        stack.pop();
        seen.add(id);
        out.push(id);
      }
      return out;
    };
    let seed = 11;
    const rand = (k: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    for (let round = 0; round < 40; round++) {
      const graph = new CommitGraph();
      const plain = new Map<string, string[]>();
      const n = 1 + rand(600);
      for (let i = n; i > 0; i--) {
        const parents: string[] = [];
        const count = rand(6) === 0 ? 2 + rand(3) : rand(30) === 0 ? 0 : 1;
        for (let k = 0; k < count; k++)
          parents.push(hex(rand(4) === 0 ? n + 1 + rand(20) : rand(i)));
        graph.add(hex(i), parents);
        plain.set(hex(i), parents);
      }
      // Several refs in one push share `seen`, some of it already judged (the default branch).
      const pre = Array.from({ length: rand(5) }, () => hex(1 + rand(n)));
      const seenA = new Set(pre);
      const seenB = new Set(pre);
      for (let r = 0; r < 3; r++) {
        const tip = hex(1 + rand(n + 5));
        expect(graph.postOrder(tip, seenA)).toEqual(reference(plain, tip, seenB));
        expect([...seenA]).toEqual([...seenB]);
      }
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
