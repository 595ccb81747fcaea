#!/usr/bin/env node
// The `docstream` command. npm links a workspace's commands at `npm ci`, and only those whose file exists
// then: dist/ is made later by `npm run build`, so the command points here and this hands over.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (existsSync(cli)) {
  await import(cli.href);
} else {
  const flag = process.argv.indexOf('--lang');
  const env = process.env;
  const language =
    (flag >= 0 ? process.argv[flag + 1] : undefined) ??
    env.DOCSTREAM_LANG ??
    env.LC_ALL ??
    env.LC_MESSAGES ??
    env.LANG ??
    '';
  process.stderr.write(
    language.toLowerCase().startsWith('fr')
      ? 'docstream : pas encore compilé, lancez `npm run build` à la racine du dépôt.\n'
      : 'docstream: not built yet, run `npm run build` at the root of the repository.\n',
  );
  process.exitCode = 1; // the 'internal' exit code of exit codes of src/program.ts
}
