import { hostProblem, languageFlag, localizeProgram, parsePort, pickLanguage } from '@xmcomm/cli-kit';
import { criminalRecordTables } from '@xmcomm/schema';
import {
  checkSiteIdentity,
  insertUser,
  type Privilege,
  readSiteIdentity,
  type SessionUser,
  saveSiteIdentity,
} from '@xmcomm/site-kit';
import {
  createSiteKey,
  makePrivateFolder,
  readTextFile,
  registerDocumentKeyCommands,
  registerSiteCommands,
  type SiteWords,
  secondsOption,
} from '@xmcomm/site-kit/cli';
import { createRecordSync } from '@xmcomm/site-kit/sync';
import { Command, CommanderError, Option } from 'commander';
import { registerBulletinCommand } from './bulletin-command.js';
import { type Bulletin, frenchBulletinRules, rulesInForce } from './bulletins.js';
import { courtAccess, courtKit, type JurisIo } from './court.js';
import { describeError, exitCodes, usage } from './errors.js';
import { helpFr } from './help-fr.js';
import { jurisRecordTypes, jurisRoleNames } from './record-types.js';

export type { JurisIo };

/** How XMJuris names itself, its site and its environment variables in the site kit's messages. */
export const jurisWords: SiteWords = {
  command: 'xmjuris',
  site: { en: 'court', fr: 'tribunal' },
  envPrefix: 'XMJURIS',
};

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
const roles: Readonly<Record<string, Privilege>> = { suspended: 0, agent: 1, secretary: 2, clerk: 3 };

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
  const t = (en: string, fr: string) => (language() === 'fr' ? fr : en);
  const print = (human: string, json: unknown) =>
    io.stdout(globals().json ? `${JSON.stringify(json, null, 2)}\n` : `${human}\n`);
  const court = courtAccess(io, globals);
  const { today } = court;
  const asUser = <T>(body: Parameters<typeof court.asUser<T>>[0]) => court.asUser(body, language);

  program
    .command('init')
    .description(
      "set up the court's database, its identity, its clerk (password from XMJURIS_NEW_PASSWORD) and its key (passphrase from XMJURIS_KEY_PASSPHRASE)",
    )
    .requiredOption('--matricule <matricule>', "the court's matricule at the national criminal register")
    .requiredOption('--centre-code <digits>', "the court's 6-digit national code (first part of every NIU)")
    .option('--name <name>', "the court's name")
    .requiredOption('--clerk <login>', "the clerk's login (greffier, privilege 3)")
    .option('--clerk-name <name>', "the clerk's full name")
    .option('--broker <url>', 'the MQTT broker, mqtt://host:port or mqtts://host:port')
    .option('--server-cert <file>', "the national register's server certificate (PEM)")
    .option('--ca-cert <file>', "the national CA's certificate (PEM), which issued the server's")
    .option('--no-key', "do not make the court's key pair and CSR now")
    .action(
      (options: {
        matricule: string;
        centreCode: string;
        name?: string;
        clerk: string;
        clerkName?: string;
        broker?: string;
        serverCert?: string;
        caCert?: string;
        key: boolean;
      }) =>
        court.withDatabase(async (db) => {
          const existing = await readSiteIdentity(db);
          if (existing) {
            throw usage(
              `The court's database is already set up for matricule ${existing.matricule}.`,
              `La base du tribunal est déjà configurée pour le matricule ${existing.matricule}.`,
            );
          }
          const identity = checkSiteIdentity({
            matricule: options.matricule,
            centreCode: options.centreCode,
            ...(options.name ? { name: options.name } : {}),
            ...(options.broker ? { brokerUrl: options.broker } : {}),
            ...(options.serverCert ? { serverCertificatePem: await readTextFile(options.serverCert) } : {}),
            ...(options.caCert ? { caCertificatePem: await readTextFile(options.caCert) } : {}),
          });
          // Everything asked and checked before anything is written; the identity last: a court
          // exists once its clerk does, so a failed init can simply be run again.
          const password = await court.passwordOf('XMJURIS_NEW_PASSWORD', options.clerk, language());
          const passphrase = options.key
            ? await court.secret(
                'XMJURIS_KEY_PASSPHRASE',
                { en: "Passphrase for the court's key: ", fr: 'Phrase de passe de la clé du tribunal : ' },
                language(),
              )
            : undefined;
          let request: string | undefined;
          if (passphrase !== undefined) {
            await makePrivateFolder(court.dataDir());
            request = (await createSiteKey(court.dataDir(), identity, passphrase)).requestPath;
          }
          await insertUser(db, {
            login: options.clerk,
            privilege: 3,
            password,
            ...(options.clerkName ? { displayName: options.clerkName } : {}),
          });
          await saveSiteIdentity(db, identity);
          print(
            [
              t(
                `Court ${identity.matricule} is set up; clerk: ${options.clerk}.`,
                `Le tribunal ${identity.matricule} est configuré ; greffier : ${options.clerk}.`,
              ),
              ...(request
                ? [
                    t(
                      `Send ${request} to the register's operator, then \`xmjuris cert import\` the certificate.`,
                      `Envoyez ${request} à l'opérateur du casier, puis \`xmjuris cert import\` le certificat.`,
                    ),
                  ]
                : []),
            ].join('\n'),
            {
              matricule: identity.matricule,
              centreCode: identity.centreCode,
              clerk: options.clerk,
              request: request ?? null,
            },
          );
        }),
    );

  const user = program.command('user').description("the court's users (the clerk manages them)");
  user
    .command('add <login>')
    .description('add a user; the password comes from XMJURIS_NEW_PASSWORD')
    .addOption(
      new Option('--role <role>', 'agent, secretary or clerk')
        .choices(['agent', 'secretary', 'clerk'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'full name')
    .action((login: string, options: { role: string; name?: string }) =>
      asUser(async ({ db, user: actor }) => {
        const added = await courtKit(db, today).users.add(actor, {
          login,
          privilege: roles[options.role] ?? 1,
          password: await court.passwordOf('XMJURIS_NEW_PASSWORD', login, language()),
          ...(options.name ? { displayName: options.name } : {}),
        });
        const role = jurisRoleNames[added.privilege as 1 | 2 | 3];
        print(t(`Added ${added.login} (${role.en}).`, `${added.login} ajouté (${role.fr}).`), added);
      }),
    );
  user
    .command('list')
    .description("list the court's users")
    .action(() =>
      asUser(async ({ db, user: actor }) => {
        const users = await courtKit(db, today).users.list(actor);
        const lines = users.map((u) => {
          const role = jurisRoleNames[u.privilege as 1 | 2 | 3] ?? { en: 'suspended', fr: 'suspendu' };
          return `${u.login}\t${role[language()]}\t${u.displayName ?? ''}`;
        });
        print(lines.join('\n'), users);
      }),
    );

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
    words: {
      ...jurisWords,
      sealed: 'bulletins',
      issuer: 'the register',
      operator: { en: "the register's operator", fr: "l'opérateur du casier" },
      signatory: { en: 'a signatory of the court', fr: 'signataire du tribunal' },
    },
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
            : await startCourtSync(db, identity, options.syncEvery * 1000);
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

  async function startCourtSync(
    db: Parameters<typeof createSync>[0]['db'],
    identity: Awaited<ReturnType<typeof court.requireCourt>>,
    everyMs: number,
  ) {
    const { startSyncService } = await import('@xmcomm/site-kit/cli');
    // The service seals as the synchronisation itself: no person is logged in for it.
    const session = { db, identity, user: { login: 'sync', privilege: 3 } as SessionUser };
    return startSyncService({
      createSync: (onEvent) =>
        connector.connect(session, { onEvent, eventsTo: 'stderr', asSystem: true }).then((sync) => sync),
      everyMs,
      onEvent: () => {},
      onError: (error) => io.stderr(`xmjuris: ${describeError(error, language()).lines.join('\n')}\n`),
    });
  }
  return program;
}
