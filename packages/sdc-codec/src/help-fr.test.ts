import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { buildProgram, runSdc, type SdcIo } from './cli-program.js';
import { helpFr } from './help-fr.js';

const sdc = (argv: readonly string[], env: SdcIo['env']) =>
  capture((stdout, stderr) => runSdc(argv, { env, stdout: stdout.write, stderr: stderr.write }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().write, stderr: captureText().write }),
    french: helpFr,
    languageVariable: 'XM_LANG',
    run: sdc,
  },
);

it('the help stays English otherwise', async () => {
  const { code, stdout } = await sdc(['encode', '--help'], { LANG: 'C' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: sdc encode \[options\]/);
  expect(stdout.replace(/\s+/g, ' ')).toContain('content encryption (choices: "gcm", "cbc", default: "gcm")');
});
