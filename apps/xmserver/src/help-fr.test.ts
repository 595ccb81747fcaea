import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, runCli } from './program.js';

const xmserver = (argv: readonly string[], env: NodeJS.ProcessEnv) =>
  capture((stdout, stderr) =>
    runCli(argv, { env, cwd: process.cwd(), stdout: stdout.stream, stderr: stderr.stream }),
  );

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({
      env: {},
      cwd: process.cwd(),
      stdout: captureText().stream,
      stderr: captureText().stream,
    }),
    french: helpFr,
    languageVariable: 'XM_LANG',
    run: xmserver,
  },
);

it('the help stays English otherwise', async () => {
  const { code, stdout } = await xmserver(['client', '--help'], { LANG: 'C' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: xmserver client \[options\] \[command\]/);
  expect(stdout).toContain('client sites: registration, status, certificates, accounts');
  expect(stdout).toContain('display help for command');
});
