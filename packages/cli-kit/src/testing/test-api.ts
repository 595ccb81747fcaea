/**
 * The part of a test runner the shared suites use, passed in by the test file (vitest's `it` and
 * `expect` fit), so that the kit depends on no test runner.
 */
export interface TestApi {
  readonly it: (name: string, body: () => Promise<void>) => void;
  readonly expect: (actual: unknown, message?: string) => Assertion;
}

/** The matchers the shared suites call. */
export interface Assertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatch(expected: RegExp | string): void;
  toContain(expected: string): void;
  readonly not: Assertion;
}
