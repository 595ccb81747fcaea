import { isIP } from 'node:net';

// The address a command serves on (`ecr serve`, `xmjuris serve`, ...), checked the same way by every
// command: read while commander parses, so a bad one is a one-line usage error in either language.

/** A message in both of the commands' languages. */
export interface Bilingual {
  readonly en: string;
  readonly fr: string;
}

/** Why `host` cannot be listened on, or undefined: an IP address or `localhost`. */
export function hostProblem(host: string): Bilingual | undefined {
  if (host === 'localhost' || isIP(host) !== 0) return undefined;
  return { en: `${host} is not an IP address.`, fr: `${host} n'est pas une adresse IP.` };
}

/** The port in `value` (0-65535, 0 for any free one), or why it is none. */
export function parsePort(value: string): { readonly port: number } | { readonly problem: Bilingual } {
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port > 65_535) {
    return {
      problem: { en: `${value} is not a port (0-65535).`, fr: `${value} n'est pas un port (0-65535).` },
    };
  }
  return { port };
}
