import { testLauncher } from '@xmcomm/cli-kit/testing';
import { describe, expect, it } from 'vitest';
import { exitCodes } from '../src/errors.js';

describe('the ecr command', () => {
  testLauncher(
    { it, expect },
    {
      packageDirectory: new URL('..', import.meta.url),
      command: 'ecr',
      languageVariable: 'ECR_LANG',
      internalExitCode: exitCodes.internal,
    },
  );
});
