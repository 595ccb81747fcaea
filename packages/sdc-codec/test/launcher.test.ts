import { testLauncher } from '@xmcomm/cli-kit/testing';
import { describe, expect, it } from 'vitest';

describe('the sdc command', () => {
  testLauncher(
    { it, expect },
    {
      packageDirectory: new URL('..', import.meta.url),
      command: 'sdc',
      languageVariable: 'XM_LANG',
      // What src/cli.ts exits with on an unexpected failure (its table has no entry for it).
      internalExitCode: 1,
    },
  );
});
