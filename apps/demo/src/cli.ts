#!/usr/bin/env node
import { runDemoCli } from './program.js';

// Ctrl-C (SIGINT) or SIGTERM stops the workstation UI, then the server, broker and temporary files;
// a second one, for someone who will not wait for the batch to end, stops at once.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  });
process.exitCode = await runDemoCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  signal: stop.signal,
});
