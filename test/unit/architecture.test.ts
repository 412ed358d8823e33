// The shape of src/ (docs/design/style.md): folders do not import each other in circles,
// no module imports itself back through others at run time, and src/core/ (the pure
// evaluate) imports nothing but types. Read from the sources, so a new import that
// closes a circle fails here, naming the files.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/repo.js';

const SRC = join(ROOT, 'src');

interface Edge {
  from: string;
  to: string;
  /** `import type`; or `import('…')`, which runs when called, not when the module loads. */
  kind: 'type' | 'static' | 'dynamic';
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'generated' ? [] : sources(p);
    return /\.(ts|mjs)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every relative import of every file: static `import … from`, `export … from`, and `import('…')`. */
function edges(): Edge[] {
  const out: Edge[] = [];
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const add = (spec: string, kind: Edge['kind']): void => {
      if (!spec.startsWith('.')) return;
      const to = resolve(dirname(file), spec).replace(/\.js$/, '.ts');
      out.push({ from: relative(SRC, file), to: relative(SRC, to), kind });
    };
    for (const m of text.matchAll(
      /^(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm,
    ))
      add(m[2]!, m[1] !== undefined ? 'type' : 'static');
    for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1]!, 'dynamic');
  }
  return out;
}

const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : '(top)');

/** Strongly connected components of size > 1 (Tarjan), each sorted. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

function graphOf(list: readonly Edge[], key: (file: string) => string): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of list) {
    const [a, b] = [key(e.from), key(e.to)];
    if (a === b) continue;
    if (!g.has(a)) g.set(a, new Set());
    if (!g.has(b)) g.set(b, new Set());
    g.get(a)!.add(b);
  }
  return g;
}

const all = edges();

describe('architecture', () => {
  it('reads the imports (the test can see an edge)', () => {
    expect(all.some((e) => e.from === 'cli/main.ts' && e.to === 'cli/commands.ts')).toBe(true);
    expect(all.some((e) => e.from === 'cli/commands.ts' && e.to === 'cli/check.ts')).toBe(true); // a lazy import('./check.js')
    expect(
      cycles(
        new Map([
          ['a', new Set(['b'])],
          ['b', new Set(['c'])],
          ['c', new Set(['a'])],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
  });

  // Type imports count (a folder that needs another's types depends on it), except core's:
  // the pure core may name the compiled Policy type it evaluates (the last test).
  it('no folder-level import cycle (type imports included)', () => {
    const counted = all.filter((e) => !(e.kind === 'type' && e.from.startsWith('core/')));
    const found = cycles(graphOf(counted, folderOf)).map((c) => {
      const inCycle = counted.filter(
        (e) =>
          c.includes(folderOf(e.from)) &&
          c.includes(folderOf(e.to)) &&
          folderOf(e.from) !== folderOf(e.to),
      );
      return `${c.join(' ↔ ')}: ${inCycle.map((e) => `${e.from} → ${e.to}`).join(', ')}`;
    });
    expect(found).toEqual([]);
  });

  // Module evaluation order: a static cycle can hand a module an undefined binding at load
  // time. A lazy import('…') (the command table, the report formats) runs later.
  it('no module-level runtime import cycle', () => {
    expect(
      cycles(
        graphOf(
          all.filter((e) => e.kind === 'static'),
          (f) => f,
        ),
      ),
    ).toEqual([]);
  });

  it('src/core imports nothing but types from outside it', () => {
    const bad = all.filter(
      (e) => e.from.startsWith('core/') && !e.to.startsWith('core/') && e.kind !== 'type',
    );
    expect(bad.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
    expect(all.some((e) => e.from.startsWith('core/') && e.kind === 'type')).toBe(true); // control: it does import types
  });
});
