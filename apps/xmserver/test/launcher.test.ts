import { testLauncher } from '@xmcomm/cli-kit/testing';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/exit-codes.js';

describe('the xmserver command', () => {
  testLauncher(
    { it, expect },
    {
      packageDirectory: new URL('..', import.meta.url),
      command: 'xmserver',
      languageVariable: 'XM_LANG',
      internalExitCode: exitCodes.internal,
    },
  );
});
