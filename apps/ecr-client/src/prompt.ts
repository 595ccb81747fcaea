import { readSecret as kitReadSecret, type Terminal } from '@xmcomm/site-kit/cli';
import { asEcr } from './errors.js';

export type { Terminal };

/**
 * A secret: from the environment variable if set, else typed at a terminal without echo. Never from
 * an argument, which `ps` and shell histories would keep. (The site CLI kit's, with ECR's errors.)
 */
export function readSecret(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
  question: string,
  terminal: Terminal | undefined,
): Promise<string> {
  return asEcr(kitReadSecret(env, variable, question, terminal));
}
