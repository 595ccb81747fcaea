import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, run } from './program.js';

const t2d = (argv: readonly string[], env: NodeJS.ProcessEnv) =>
  capture((stdout, stderr) => run(argv, { env, stdout: stdout.stream, stderr: stderr.stream }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().stream, stderr: captureText().stream }),
    french: helpFr,
    languageVariable: 'XM_LANG',
    run: t2d,
  },
);

it('the help stays English otherwise', async () => {
  const { code, stdout } = await t2d(['export', '--help'], { LANG: 'C' });
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: t2d export \[options\]/);
  expect(stdout).toContain("the medium's mount point");
});
