import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, run } from './program.js';

const xmdoc = (argv: readonly string[], env: NodeJS.ProcessEnv) =>
  capture((stdout, stderr) => run(argv, { env, stdout: stdout.stream, stderr: stderr.stream }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().stream, stderr: captureText().stream }),
    french: helpFr,
    languageVariable: 'XM_LANG',
    run: xmdoc,
  },
);

it('the help stays English otherwise', async () => {
  const { code, stdout } = await xmdoc(['verify', '--help'], { LANG: 'C' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: xmdoc verify \[options\] <input>/);
  expect(stdout).toContain('the trust list');
});
