import type { Writable } from 'node:stream';
import type { ServerDb } from './database.js';
import type { Logger } from './logger.js';
import type { Operator } from './operator-auth.js';

/** What a command needs from the process, so tests can run the CLI in-process with their own. */
export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Reads a line from the terminal, without echo unless asked (a login); absent when stdin is not a terminal. */
  readonly prompt?: ((question: string, options?: { echo?: boolean }) => Promise<string>) | undefined;
  /** Overrides the logger (tests). */
  readonly logger?: Logger | undefined;
  /** An already open server database to use instead of the configured one (tests, the demo); never closed here. */
  readonly database?: ServerDb | undefined;
  /**
   * The operator the caller has already authenticated (the web console's session, loaded again at
   * each request): the command uses it instead of a session file, the environment or a prompt, and
   * still checks its privilege and audits as for any operator.
   */
  readonly operator?: Operator | undefined;
}
