import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';
import type { Io } from '../io.js';
import type { Operator } from '../operator-auth.js';
import { buildProgram } from '../program.js';

/** What the console was started with and hands on to every command it runs. */
export interface CommandSettings {
  readonly db: ServerDb;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The global options of `xmserver console` (`--data-dir`, `--broker-url`…), repeated for each command. */
  readonly globalArgs: readonly string[];
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return {
    stream: new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    text: () => chunks.join(''),
  };
}

/**
 * Runs one xmserver command in this process as `operator`, with `--json`: the console changes
 * nothing except through the CLI's own commands, so each change passes the same parsing, the same
 * privilege check (`authorise`, audited when refused), the same `audited` transaction and the same
 * follow-ups (broker accounts, telling the site) as at a terminal. Returns the command's JSON
 * answer; a refusal is thrown as the command's XmServerError. Whatever a user typed goes after
 * `--` in `argv` when it is an operand, or as the value right after its option: a login such as
 * `--data-dir=/x` must never read as an option.
 */
export async function runAs(
  settings: CommandSettings,
  operator: Operator,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<unknown> {
  const stdout = collector();
  const stderr = collector();
  const io: Io = {
    env: { ...settings.env, ...env },
    cwd: settings.cwd,
    stdout: stdout.stream,
    stderr: stderr.stream,
    logger: pino({ level: 'silent' }),
    database: settings.db,
    operator,
  };
  // Options of the program only before its command, each command's only before its operands: a
  // value typed in a form (`--table` given `--data-dir=/x`) is then that option's value, never an
  // option (commander otherwise takes known options from anywhere before `--`).
  const program = buildProgram(io).enablePositionalOptions();
  try {
    await program.parseAsync(['--json', ...settings.globalArgs, ...argv], { from: 'user' });
  } catch (error) {
    if (XmServerError.isInstance(error)) throw error;
    // A usage error is the console's own bug (it builds every argument list): an internal error.
    throw new XmServerError('internal', 'console command failed', {
      cause: error,
      params: { detail: error instanceof Error ? error.message : String(error) },
    });
  }
  const lines = stdout.text().trim().split('\n').filter(Boolean);
  const last = lines[lines.length - 1];
  return last === undefined ? undefined : (JSON.parse(last) as unknown);
}
