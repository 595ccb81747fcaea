#!/usr/bin/env node
import type { Io } from './context.js';
import { promptHidden } from './passwords.js';
import { reportFailure, runCli } from './program.js';

const argv = process.argv.slice(2);
const io: Io = {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  prompt: process.stdin.isTTY ? promptHidden : undefined,
};
// The last resort: an error that no command awaited (an 'error' event without a listener, a
// rejection nobody handled) ends the process like any other failure, as a message and an exit
// code from the table, never as Node's stack trace.
const fatal = (error: unknown) => {
  process.exitCode = reportFailure(error, argv, io);
  process.exit();
};
process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);
process.exitCode = await runCli(argv, io);
