import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import type { CliIo } from './cli-io.js';
import { helpFr } from './help-fr.js';
import { buildProgram, runCli } from './program.js';

const ecr = (argv: readonly string[], env: CliIo['env']) =>
  capture((stdout, stderr) => runCli(argv, { env, stdout: stdout.write, stderr: stderr.write }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().write, stderr: captureText().write }),
    french: helpFr,
    languageVariable: 'ECR_LANG',
    run: ecr,
  },
);

it('the help stays English otherwise', async () => {
  const { code, stdout } = await ecr(['act', '--help'], { LANG: 'C' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: ecr act \[options\] \[command\]/);
  expect(stdout).toContain('births, marriages and deaths');
});
