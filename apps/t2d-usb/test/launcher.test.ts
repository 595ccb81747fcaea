import { testLauncher } from '@xmcomm/cli-kit/testing';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/exit-codes.js';

describe('the t2d command', () => {
  testLauncher(
    { it, expect },
    {
      packageDirectory: new URL('..', import.meta.url),
      command: 't2d',
      languageVariable: 'XM_LANG',
      internalExitCode: exitCodes.internal,
    },
  );
});
