import { defineProject } from 'vitest/config';

/** The settings every package's tests share: source, not dist, of sibling packages. */
export function packageProject(name: string) {
  return defineProject({
    resolve: { conditions: ['@xmcomm/source'] },
    ssr: { resolve: { conditions: ['@xmcomm/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  });
}
