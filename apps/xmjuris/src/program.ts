import { hostProblem, languageFlag, localizeProgram, parsePort, pickLanguage } from '@xmcomm/cli-kit';
import { criminalRecordTables } from '@xmcomm/schema';
import {
  registerDocumentKeyCommands,
  registerInitCommand,
  registerSiteCommands,
  registerUserCommands,
  secondsOption,
  startSiteSync,
} from '@xmcomm/site-kit/cli';
import { createRecordSync } from '@xmcomm/site-kit/sync';
import { Command, CommanderError, Option } from 'commander';
import { registerBulletinCommand } from './bulletin-command.js';
import { type Bulletin, frenchBulletinRules, rulesInForce } from './bulletins.js';
import { courtAccess, courtKit, type JurisIo } from './court.js';
import { describeError, exitCodes, usage } from './errors.js';
import { helpFr } from './help-fr.js';
import { jurisRecordTypes, jurisRoleNames } from './record-types.js';
import { jurisWords, roles } from './words.js';

export type { JurisIo };
export { jurisWords };

function portOption(value: string): number {
  const parsed = parsePort(value);
  if ('problem' in parsed) throw usage(parsed.problem.en, parsed.problem.fr);
  return parsed.port;
}

function hostOption(value: string): string {
  const problem = hostProblem(value);
  if (problem) throw usage(problem.en, problem.fr);
  return value;
}

const languageOf = (flag: string | undefined, env: JurisIo['env']) =>
  pickLanguage({ flag, variable: 'XMJURIS_LANG', env });

/** Runs `xmjuris` with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: JurisIo): Promise<number> {
  const language = languageOf(languageFlag(argv), io.env);
  const program = localizeProgram(buildProgram(io), { language, french: helpFr });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : (exitCodes.usage ?? 2);
    const described = describeError(error, language);
    io.stderr(`xmjuris: ${described.lines.join('\n')}\n`);
    return described.exitCode;
  }
}

/** The whole `xmjuris` command tree, in English; `runCli` puts it in the user's language. */
export function buildProgram(io: JurisIo): Command {
  const program = new Command('xmjuris')
    .description("A court's criminal record: users, entries signed by the clerk, bulletins No 1-3.")
    .option('--data-dir <dir>', "where the embedded database and the court's key are kept (XMJURIS_DATA_DIR)")
    .option('--database-url <url>', "the court's database, postgres://user@host/db (XMJURIS_DATABASE_URL)")
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--lang <language>', 'language of messages (default $XMJURIS_LANG)').choices(['en', 'fr']),
    )
    .option('--user <login>', 'who runs the command (XMJURIS_USER); the password comes from XMJURIS_PASSWORD')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  type Globals = { dataDir?: string; databaseUrl?: string; json?: boolean; lang?: string; user?: string };
  const globals = () => program.opts<Globals>();
  const language = () => languageOf(globals().lang, io.env);
  const print = (human: string, json: unknown) =>
    io.stdout(globals().json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
  const court = courtAccess(io, globals);
  const { today } = court;
  const asUser = <T>(body: Parameters<typeof court.asUser<T>>[0]) => court.asUser(body, language);

  const siteDeps = {
    words: jurisWords,
    access: court,
    language,
    print,
    kit: (db: Parameters<typeof courtKit>[0]) => courtKit(db, today),
    roles,
    roleNames: jurisRoleNames,
  };
  registerInitCommand(program, siteDeps);
  registerUserCommands(program, siteDeps);

  program
    .command('rules')
    .description('the bulletin rules in force today: which entries each bulletin leaves out, and why')
    .action(() => {
      const rules = rulesInForce(frenchBulletinRules, today());
      const keepsOff = (bulletins: readonly Bulletin[]) =>
        bulletins.map((b) => `No ${b.slice(1)}`).join(', ');
      print(
        rules
          .map(
            (rule) => `${rule.id}\t${keepsOff(rule.bulletins)}\t${rule.label[language()]} (${rule.source})`,
          )
          .join('\n'),
        rules.map(({ excludes: _, ...rule }) => rule),
      );
    });

  // The court's key, certificate and synchronisation with the register: the site kit's commands.
  const createSync = (options: Parameters<Parameters<typeof registerSiteCommands>[1]['createSync']>[0]) =>
    createRecordSync({ ...options, recordTypes: jurisRecordTypes });
  const connector = registerSiteCommands(program, {
    words: jurisWords,
    io,
    language,
    json: () => globals().json === true,
    dataDir: court.dataDir,
    asUser,
    createSync,
    link: { tables: criminalRecordTables },
  });
  const bulletinDeps = {
    language,
    print,
    asUser,
    connector,
    today,
    words: jurisWords,
    dataDir: court.dataDir,
    now: io.now ?? (() => new Date()),
    documentPassphrase: () =>
      court.secret(
        'XMJURIS_DOCUMENT_KEY_PASSPHRASE',
        { en: 'Passphrase for the document key: ', fr: 'Phrase de passe de la clé de documents : ' },
        language(),
      ),
  };
  registerBulletinCommand(program, bulletinDeps);
  registerDocumentKeyCommands(program, {
    ...bulletinDeps,
    passphrase: bulletinDeps.documentPassphrase,
  });

  program
    .command('serve')
    .description(
      "serve the workstation UI to browsers on the court's database (127.0.0.1 unless --host says otherwise)",
    )
    .option('--host <host>', 'the address to listen on', hostOption, '127.0.0.1')
    .option('--port <port>', 'the port, 0-65535 (0: any free port)', portOption, 8080)
    .option(
      '--sync-every <seconds>',
      'also send signed entries to the register every so many seconds, 10-300 (key passphrase from XMJURIS_KEY_PASSPHRASE)',
      secondsOption(10, 300),
    )
    .action((options: { host: string; port: number; syncEvery?: number }) =>
      court.withDatabase(async (db) => {
        const identity = await court.requireCourt(db);
        const { createWorkstation, listenWorkstation, untilAborted } = await import('@xmcomm/workstation');
        const service =
          options.syncEvery === undefined
            ? undefined
            : await startSiteSync(connector, db, identity, options.syncEvery * 1000, (error) =>
                io.stderr(`xmjuris: ${describeError(error, language()).lines.join('\n')}\n`),
              );
        const web = await createWorkstation({
          kit: courtKit(db, today),
          db,
          appTitle: {
            en: `Criminal record · ${identity.name ?? identity.matricule}`,
            fr: `Casier judiciaire · ${identity.name ?? identity.matricule}`,
          },
          // Decisions, offences and births have happened; a ban may end later.
          dateBounds: (_type, field) => (field === 'bans_until' ? {} : { max: today() }),
          logger: { level: 'warn', stream: { write: (line) => io.stderr(line) } },
        });
        try {
          const listening = await listenWorkstation(web.fastify, options.host, options.port);
          print(listening.address[language()], { url: `${listening.url}/` });
          if (listening.note) io.stdout(`${listening.note[language()]}\n`);
          if (listening.warning) io.stderr(`${listening.warning[language()]}\n`);
          await untilAborted(io.signal);
        } finally {
          await web.fastify.close();
          await service?.stop();
        }
      }),
    );

  return program;
}
