// Vitest settings for `npm test` (the timeouts stay on its command line).
//
// Test files run in parallel, at least three at a time. Vitest's default is one worker per
// core but one (a 2-core CI runner: one file at a time), which suits CPU-bound tests; ours
// spend most of their time waiting for the git, node and ssh-keygen processes they start,
// so a single worker leaves the machine half idle. Every test works in its own temporary
// directories (test/helpers/repo.ts `tempDir`), and none asserts a duration: the tests
// with a clock (the hook's deadline, a remote that does not answer) set their bounds far
// above the load (CONTRIBUTING.md, "Keeping the suite fast").

import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    maxWorkers: Math.max(3, availableParallelism() - 1),
  },
});
