import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, type JurisIo, runCli } from './program.js';

const xmjuris = (argv: readonly string[], env: JurisIo['env']) =>
  capture((stdout, stderr) => runCli(argv, { env, stdout: stdout.write, stderr: stderr.write }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().write, stderr: captureText().write }),
    french: helpFr,
    languageVariable: 'XMJURIS_LANG',
    run: xmjuris,
  },
);
