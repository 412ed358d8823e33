// resolveLinks / linkViewOf / physicalPath: symlinks resolved as a checkout resolves them
// (docs/policy.md "Links"). Pure tables.

import { describe, expect, it } from 'vitest';
import {
  linkViewOf,
  MAX_SYMLINK_HOPS,
  physicalPath,
  resolveLinks,
  withLinkAliases,
} from '../../../src/policy/links.js';

describe('resolveLinks', () => {
  it('follows a symlinked directory in the middle of a target', () => {
    expect(
      resolveLinks([
        { path: 'src', text: 'lib' },
        { path: 'evals/tasks', text: '../src/gen' },
      ]),
    ).toEqual([
      { path: 'src', target: 'lib', unbounded: false },
      { path: 'evals/tasks', target: 'lib/gen', unbounded: false },
    ]);
  });
  it('follows links to links', () => {
    const r = resolveLinks([
      { path: 'evals/tasks', text: '../l1' },
      { path: 'l1', text: 'l2' },
      { path: 'l2', text: 'src/gen' },
    ]);
    expect(r[0]).toEqual({ path: 'evals/tasks', target: 'src/gen', unbounded: false });
  });
  it('takes `..` physically, after the link before it', () => {
    const r = resolveLinks([
      { path: 'x', text: 'lib/deep' },
      { path: 'evals/tasks', text: '../x/../gen' },
    ]);
    expect(r[1]).toEqual({ path: 'evals/tasks', target: 'lib/gen', unbounded: false });
  });
  it('a loop, and a chain one longer than MAXSYMLINKS, are unbounded (fail closed)', () => {
    const loop = resolveLinks([
      { path: 'evals/tasks', text: '../l1' },
      { path: 'l1', text: 'l2' },
      { path: 'l2', text: 'l1' },
    ]);
    expect(loop[0]).toEqual({ path: 'evals/tasks', target: '', unbounded: true });
    const chain = (n: number): { path: string; text: string }[] => [
      { path: 'evals/tasks', text: '../c1' },
      ...Array.from({ length: n - 1 }, (_, i) => ({ path: `c${i + 1}`, text: `c${i + 2}` })),
      { path: `c${n}`, text: 'src/gen' },
    ];
    // evals/tasks plus N links: N + 1 hops.
    expect(resolveLinks(chain(MAX_SYMLINK_HOPS - 1))[0]).toMatchObject({
      target: 'src/gen',
      unbounded: false,
    });
    expect(resolveLinks(chain(MAX_SYMLINK_HOPS))[0]).toMatchObject({ unbounded: true });
  });
  it('absolute targets and targets above the root are dropped (the link is judged at its path)', () => {
    expect(
      resolveLinks([
        { path: 'evals/a', text: '/etc' },
        { path: 'evals/b', text: '../../x' },
        { path: 'c', text: 'evals/a/x' },
      ]),
    ).toEqual([]);
  });
  it('a link inside its own target is unbounded', () => {
    expect(resolveLinks([{ path: 'evals/all', text: '..' }])).toEqual([
      { path: 'evals/all', target: '', unbounded: true },
    ]);
  });
});

describe('linkViewOf and withLinkAliases', () => {
  const links = resolveLinks([
    { path: 'src', text: 'lib' },
    { path: 'evals/tasks', text: '../src/gen' },
  ]);
  it('a file under a resolved target shows at every link path that leads to it', () => {
    expect(linkViewOf('lib/gen/q.json', links)).toEqual({
      aliases: ['src/gen/q.json', 'evals/tasks/q.json'],
      unbounded: [],
    });
  });
  it('a rename stays a rename at the linked path (its origin is traced)', () => {
    const out = withLinkAliases(
      [{ status: 'R', path: 'lib/gen/q.json', from: 'drafts/q.json', blob: 'b', mode: '100644' }],
      links,
    );
    expect(out.find((f) => f.path === 'evals/tasks/q.json')).toMatchObject({
      status: 'R',
      from: 'drafts/q.json',
      via: 'lib/gen/q.json',
    });
  });
  it('content under an unbounded link is a change of the link itself', () => {
    const loop = resolveLinks([
      { path: 'evals/tasks', text: 'x' },
      { path: 'evals/x', text: 'tasks' },
    ]);
    const out = withLinkAliases(
      [{ status: 'A', path: 'src/q.json', blob: 'b', mode: '100644' }],
      loop,
    );
    expect(out.find((f) => f.path === 'evals/tasks')).toMatchObject({
      mode: '120000',
      via: 'src/q.json',
    });
  });
});

describe('physicalPath', () => {
  it('resolves a checkout path through every link on the way', () => {
    const raw = [
      { path: 'src', text: 'lib' },
      { path: 'evals/tasks', text: '../src/gen' },
    ];
    expect(physicalPath('evals/tasks/q.json', raw)).toBe('lib/gen/q.json');
    expect(physicalPath('README.md', raw)).toBe('README.md');
    expect(physicalPath('evals/tasks/q.json', [{ path: 'evals/tasks', text: '/abs' }])).toBe(
      undefined,
    );
  });
});
