import { readFileSync, writeFileSync } from 'node:fs';
import type { SdcErrorCode } from './errors.js';

// What the `sdc` commands share: their exit codes, their failure, reading and writing files.

/** Exit codes, one per failure, so that scripts can tell them apart. 0 is success. */
export const EXIT_CODES: Readonly<Record<SdcErrorCode | 'usage' | 'io', number>> = {
  usage: 2,
  io: 3,
  malformed: 10,
  'unsupported-version': 11,
  'unsupported-algorithm': 12,
  'not-for-me': 13,
  'decrypt-failed': 14,
  'bad-signature': 15,
  'unknown-signer': 16,
  'untrusted-signer': 17,
  'expired-signer': 18,
  'revoked-signer': 19,
  'schema-mismatch': 20,
  'too-large': 21,
  'decompression-limit': 22,
  'invalid-input': 23,
  'invalid-key': 24,
  'unknown-dictionary': 25,
};

export class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
    /** The message in French, shown under `--lang fr` (older messages have none yet). */
    readonly french?: string,
  ) {
    super(message);
  }
}

export function readText(path: string): string {
  return readBytes(path).toString('utf8');
}

export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliFailure(EXIT_CODES.io, `cannot read ${path}: ${(error as Error).message}`);
  }
}

export function write(path: string, data: Uint8Array | string): void {
  try {
    writeFileSync(path, data);
  } catch (error) {
    throw new CliFailure(EXIT_CODES.io, `cannot write ${path}: ${(error as Error).message}`);
  }
}
