import type { SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import type { Terminal } from './prompt.js';

/** What `ecr` takes from its process: the bin passes the real ones, tests and embedders their own. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: long work (`act import`) then draws a progress line there. */
  readonly stderrIsTerminal?: boolean;
  /** A terminal to ask for passwords; absent when not interactive. */
  readonly terminal?: Terminal;
  /** `YYYY-MM-DD`, today in the centre's time zone. */
  readonly today?: () => string;
  /** The clock for login locks and read marks (tests inject one). */
  readonly now?: () => Date;
  /**
   * Opens the centre's database (migrated); by default `openCentreDatabase`. An embedder that already
   * holds the database, such as a test suite, passes its own.
   */
  readonly openDatabase?: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
  /** Reads all of stdin as text (`ecr verify -`); absent: stdin reads as empty. */
  readonly readStdin?: () => Promise<string>;
  /** Ends `ecr sync` (after the work in hand) when aborted; the bin wires it to SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
}
