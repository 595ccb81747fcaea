import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Set by CI after `npm run build`: spawned commands run their compiled entry point. */
export const builtCommandsVariable = 'XM_TEST_BUILT_COMMANDS';

/**
 * The node arguments that run a TypeScript entry point of this repository (`…/src/cli.ts`) in a child
 * process: its source through tsx, or, when `XM_TEST_BUILT_COMMANDS=1`, the compiled file in the
 * package's dist/, which is what users run and starts a second or more sooner than tsx. Files outside
 * a src/ folder (test helpers) always run through tsx. `cwd` is the child's working directory when
 * `entry` is relative.
 */
export function entryArguments(entry: string, cwd: string = process.cwd()): string[] {
  if (process.env[builtCommandsVariable] === '1') {
    const built = entry.replace(/([\\/])src([\\/])(.+)\.ts$/, '$1dist$2$3.js');
    if (built !== entry) {
      // CI asked for the build: a missing one is an error, never a silent fall back to source.
      if (!existsSync(resolve(cwd, built)))
        throw new Error(`${built} is not built: run \`npm run build\` first.`);
      return [built];
    }
  }
  return ['--import', 'tsx', '--conditions=@xmcomm/source', entry];
}
