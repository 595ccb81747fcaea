import { capture, captureText, testFrenchHelp } from '@xmcomm/cli-kit/testing';
import { expect, it } from 'vitest';
import { helpFr } from './help-fr.js';
import { buildProgram, type DocstreamIo, runCli } from './program.js';

const docstream = (argv: readonly string[], env: DocstreamIo['env']) =>
  capture((stdout, stderr) => runCli(argv, { env, stdout: stdout.write, stderr: stderr.write }));

testFrenchHelp(
  { it, expect },
  {
    program: buildProgram({ env: {}, stdout: captureText().write, stderr: captureText().write }),
    french: helpFr,
    languageVariable: 'DOCSTREAM_LANG',
    run: docstream,
  },
);
