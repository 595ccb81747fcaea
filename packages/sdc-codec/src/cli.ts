#!/usr/bin/env node
import { runSdc } from './cli-program.js';

runSdc(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sdc: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
