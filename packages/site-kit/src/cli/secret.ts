import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { SiteCliError } from './errors.js';

export interface Terminal {
  readonly input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  readonly output: Writable;
}

/**
 * A secret: from the environment variable if set, else typed at a terminal without echo. Never from
 * an argument, which `ps` and shell histories would keep.
 */
export async function readSecret(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  question: string,
  terminal: Terminal | undefined,
): Promise<string> {
  const fromEnv = env[variable];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!terminal?.input.isTTY) throw new SiteCliError('password-required', { variable });
  return new Promise((resolve) => {
    const rl = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
    const muted = rl as unknown as { _writeToOutput?: (text: string) => void };
    terminal.output.write(question);
    muted._writeToOutput = () => {};
    rl.question('', (answer) => {
      rl.close();
      terminal.output.write('\n');
      resolve(answer);
    });
  });
}
