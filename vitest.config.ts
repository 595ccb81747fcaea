import { defineConfig } from 'vitest/config';

// One runner for the whole monorepo: every package and app with its own
// vitest.config.ts is a project, and all of them run against source.
export default defineConfig({
  test: {
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine.
    // Many suites wait on spawned processes, brokers and databases rather than the CPU, so
    // three overlap that waiting without starving the CPU-bound ones.
    maxWorkers: 3,
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
  },
});
