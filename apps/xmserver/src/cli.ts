#!/usr/bin/env node
import { promptHidden } from './passwords.js';
import { runCli } from './program.js';

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  prompt: process.stdin.isTTY ? promptHidden : undefined,
});
process.exitCode = code;
