import { languageFlag, localizeProgram } from '@xmcomm/cli-kit';
import { SchemaError } from '@xmcomm/schema';
import { type Command, CommanderError, Option } from 'commander';
import { XmCommand } from './command.js';
import { registerAudit } from './commands/audit.js';
import { registerBroker } from './commands/broker.js';
import { registerClient } from './commands/client.js';
import { registerConsole } from './commands/console.js';
import { registerForms } from './commands/forms.js';
import { registerInit } from './commands/init.js';
import { registerLicence } from './commands/licence.js';
import { registerLogin } from './commands/login.js';
import { registerObserve } from './commands/observe.js';
import { registerPki } from './commands/pki.js';
import { registerService } from './commands/service.js';
import { registerTariff } from './commands/tariff.js';
import { registerTrustList } from './commands/trust-list.js';
import { registerUser } from './commands/user.js';
import type { Io } from './context.js';
import { XmServerError } from './errors.js';
import { exitCodeOf, usageExitCode } from './exit-codes.js';
import { helpFr } from './help-fr.js';
import { describeError, pickLanguage } from './messages.js';

export const version = '0.0.0';

/** The whole command tree; `io` is the process's, or a test's. */
export function buildProgram(io: Io): Command {
  const program = new XmCommand('xmserver')
    .description(
      'XMcomm central server: clients, certificates, accounts, and the service that centralises their data',
    )
    .version(version)
    .option('--data-dir <dir>', 'data directory with xmserver.json (default $XM_DATA_DIR or ./xmserver-data)')
    .option('--json', 'print results as JSON, one document per line')
    .addOption(
      new Option('--lang <lang>', 'language of messages (default $XM_LANG, then the locale)').choices([
        'en',
        'fr',
      ]),
    )
    .option(
      '--database-url <url>',
      'server database: postgres://… (password in XM_DATABASE_PASSWORD) or an embedded directory',
    )
    .option('--broker-url <url>', 'MQTT broker, e.g. mqtts://broker:8883')
    .option('--server-name <name>', "this server's name in topics")
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  registerInit(program, io);
  registerLogin(program, io);
  registerUser(program, io);
  const client = registerClient(program, io);
  registerPki(program, client, io);
  registerService(program, io);
  registerLicence(program, io);
  registerTariff(program, io);
  registerForms(program, io);
  registerTrustList(program, io);
  registerBroker(program, io);
  registerObserve(program, io);
  registerAudit(program, io);
  registerConsole(program, io);
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

/**
 * Runs one command line and returns the exit code. Every failure ends here: a known error prints
 * its message in the operator's language (or a JSON object with `--json`) and maps to its exit
 * code through the one table in exit-codes.ts; anything else is an internal error (70).
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  // The language is read before parsing: commander prints the help and usage errors while it parses.
  const language = pickLanguage(languageFlag(argv), io.env);
  const program = localizeProgram(buildProgram(io), { language, french: helpFr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; a usage error was printed as one line and the help hint.
      return error.exitCode === 0 ? 0 : usageExitCode;
    }
    return reportFailure(error, argv, io);
  }
}

/**
 * Prints a failure as the operator's message (or a JSON object with `--json`) and returns its
 * exit code from the one table; what is not a known error is an internal error (70), its stack
 * shown only with XM_DEBUG. Also the last resort of cli.ts for errors nothing awaited.
 */
export function reportFailure(error: unknown, argv: readonly string[], io: Io): number {
  const wantsJson = argv.includes('--json');
  const lang = pickLanguage(languageFlag(argv), io.env);
  const known = XmServerError.isInstance(error)
    ? error
    : SchemaError.isInstance(error)
      ? fromSchema(error)
      : undefined;
  const code = known?.code ?? 'internal';
  const message = known
    ? describeError(known.code, known.params, lang)
    : describeError('internal', { detail: error instanceof Error ? error.message : String(error) }, lang);
  if (wantsJson) io.stderr.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else io.stderr.write(`xmserver: ${message}\n`);
  if (!known && io.env.XM_DEBUG) io.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  return exitCodeOf(code);
}

/** The schema package's failures are all about reaching or migrating the database. */
function fromSchema(error: SchemaError): XmServerError {
  return new XmServerError('database-unavailable', error.message, {
    cause: error,
    params: { url: 'database', detail: error.message },
  });
}
