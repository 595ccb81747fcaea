import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { languageFlag, localizeProgram } from '@xmcomm/cli-kit';
import {
  births,
  deaths,
  defaultDeploymentDictionaries,
  describeDictionaries,
  type Language,
  marriages,
  type SiteDatabase,
} from '@xmcomm/schema';
import { parseNiu, type StatsDimension, statsDimensions, statsToCsv } from '@xmcomm/site-kit';
import { collect, embeddedDatabaseFolder, integerOption, table } from '@xmcomm/site-kit/cli';
import { Command, CommanderError, Option } from 'commander';
import type { Kysely } from 'kysely';
import { registerActImportCommand } from './act-import-command.js';
import {
  type ActRef,
  actHistory,
  type CentreContext,
  cancelAct,
  describeStatus,
  draftAct,
  editAct,
  formatActRef,
  getAct,
  resolveAct,
  searchActs,
  validateAct,
  verifyAct,
} from './acts.js';
import {
  type CentreSettings,
  centreKey,
  checkCentreSettings,
  defaultDataDir,
  openCentreDatabase,
  readCentre,
  readRules,
  readWorkstationConfig,
  requireCentre,
  rulesKey,
  writeSetting,
  writeWorkstationConfig,
} from './centre.js';
import type { CliIo } from './cli-io.js';
import { loadDictionaries, readDictionaryFile, saveDictionaries } from './dictionaries.js';
import { EcrError, ecrErrorFrom, exitCodeOf, exitCodes } from './errors.js';
import { makePrivateFolder, readTextFile } from './files.js';
import { helpFr } from './help-fr.js';
import { createCentreKey, importCentreCertificate } from './keys.js';
import { registerLoginCommand, registerUnlockCommand } from './login-commands.js';
import { registerMessageCommands } from './message-commands.js';
import { describePrinted, printedLines, registerPrintCommands } from './print-command.js';
import { readSecret } from './prompt.js';
import { type ActKind, actKinds, type CivilRules } from './rules.js';
import { registerServeCommand } from './serve-command.js';
import { actStatistics } from './statistics.js';
import { registerSyncCommands } from './sync-commands.js';
import {
  addUser,
  authenticate,
  changeOwnPassword,
  checkPasswordStrength,
  insertUser,
  listUsers,
  parseRole,
  requirePrivilege,
  resetPassword,
  roleOf,
  type SessionUser,
  setPrivilege,
} from './users.js';
import { registerVerifyCommand } from './verify-command.js';

async function openDefault(url: string) {
  const db = await openCentreDatabase(url);
  return { db, close: () => db.destroy() };
}

interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  lang?: Language;
  user?: string;
}

const definitions = { birth: births, marriage: marriages, death: deaths } as const;

function localToday(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function languageOf(options: GlobalOptions, env: CliIo['env']): Language {
  if (options.lang) return options.lang;
  const fromEnv = env.ECR_LANG ?? env.LC_ALL ?? env.LANG ?? '';
  return fromEnv.toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

/** Runs `ecr` with these arguments; returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // The language is read before parsing: commander prints the help and usage errors while it parses.
  const outcome = { exitCode: 0 };
  const program = localizeProgram(buildProgram(io, outcome), {
    language: languageOf({ lang: languageFlag(argv) }, io.env),
    french: helpFr,
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.exitCode;
  } catch (thrown) {
    const error = ecrErrorFrom(thrown);
    if (error instanceof CommanderError) {
      // Help and version asked for are not failures; a usage error was printed as one line and the
      // help hint, and a group run without its sub-command printed its help on stderr.
      return error.exitCode === 0 ? 0 : exitCodes.usage;
    }
    const options = program.opts<GlobalOptions>();
    const language = languageOf(options, io.env);
    report(error, language, options.json === true, io);
    return exitCodeOf(error);
  }
}

function report(error: unknown, language: Language, json: boolean, io: CliIo): void {
  if (error instanceof EcrError) {
    const fields = error.fieldErrors.map((e) => ({
      ...(e.line === undefined ? {} : { line: e.line }),
      field: e.field,
      code: e.code,
      message: language === 'fr' ? e.messageFr : e.message,
    }));
    if (json) {
      io.stderr(
        `${JSON.stringify({ error: { code: error.code, message: error.messageIn(language), fields } })}\n`,
      );
    } else {
      io.stderr(`ecr: ${error.messageIn(language)}\n`);
      // Each message names its field (the contract's and the rules' alike): not once more in front.
      for (const field of fields) {
        const at =
          field.line === undefined
            ? ''
            : `${t(language, 'line', 'ligne')} ${field.line}${t(language, ': ', ' : ')}`;
        io.stderr(`  ${at}${field.message} [${field.code}]\n`);
      }
    }
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr(json ? `${JSON.stringify({ error: { code: 'internal', message } })}\n` : `ecr: ${message}\n`);
}

/** The whole `ecr` command tree, in English; `runCli` puts it in the user's language. */
export function buildProgram(io: CliIo, outcome: { exitCode: number } = { exitCode: 0 }): Command {
  const program = new Command('ecr')
    .description('The civil registration centre: users, acts (births, marriages, deaths), NIU, statistics.')
    .option('--data-dir <dir>', 'where this workstation keeps its configuration (ECR_DATA_DIR)')
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('--lang <language>', 'language of messages (default $ECR_LANG, then the locale)').choices([
        'en',
        'fr',
      ]),
    )
    .option(
      '--user <login>',
      'who runs the command (ECR_USER); the password comes from ECR_PASSWORD or a prompt',
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  const globals = () => program.opts<GlobalOptions>();
  const language = () => languageOf(globals(), io.env);
  const dataDir = () => globals().dataDir ?? io.env.ECR_DATA_DIR ?? defaultDataDir();
  const today = io.today ?? localToday;
  const open = io.openDatabase ?? openDefault;
  const print = (human: string, json: unknown) => {
    if (globals().json) io.stdout(`${JSON.stringify(json, null, 2)}\n`);
    else io.stdout(human.endsWith('\n') ? human : `${human}\n`);
  };

  /** Opens the centre's database for the duration of `body`. */
  async function withDatabase<T>(body: (db: Kysely<SiteDatabase>) => Promise<T>): Promise<T> {
    const config = await readWorkstationConfig(dataDir());
    const { db, close } = await open(config.databaseUrl);
    try {
      return await body(db);
    } finally {
      await close();
    }
  }

  async function login(
    db: Kysely<SiteDatabase>,
    toChangePassword = false,
  ): Promise<{ user: SessionUser; password: string }> {
    const name = globals().user ?? io.env.ECR_USER;
    if (!name) {
      throw new EcrError('usage', {
        detail: 'Say who you are: --user <login> (or ECR_USER).',
        detailFr: 'Indiquez qui vous êtes : --user <identifiant> (ou ECR_USER).',
      });
    }
    const password = await readSecret(
      io.env,
      'ECR_PASSWORD',
      t(language(), `Password for ${name}: `, `Mot de passe de ${name} : `),
      io.terminal,
    );
    return {
      user: await authenticate(db, name, password, {
        now: io.now,
        workstation: hostname(),
        toChangePassword,
      }),
      password,
    };
  }

  /** Opens the database, logs the user in, and runs `body` with the centre's context. */
  function asUser<T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
    toChangePassword = false,
  ): Promise<T> {
    return withDatabase(async (db) => {
      const centre = await requireCentre(db);
      const { user, password } = await login(db, toChangePassword);
      const rules = await readRules(db);
      return body({ db, centre, rules, today }, user, password);
    });
  }

  async function newPassword(variable: string, who: string): Promise<string> {
    const question = t(language(), `New password for ${who}: `, `Nouveau mot de passe de ${who} : `);
    const password = await readSecret(io.env, variable, question, io.terminal);
    checkPasswordStrength(password);
    if (!io.env[variable]) {
      const again = await readSecret(
        {},
        variable,
        t(language(), 'Again: ', 'Encore une fois : '),
        io.terminal,
      );
      if (again !== password) {
        throw new EcrError('usage', {
          detail: 'The two passwords differ.',
          detailFr: 'Les deux mots de passe diffèrent.',
        });
      }
    }
    return password;
  }

  // ------------------------------------------------------------------------------------------
  program
    .command('init')
    .description("set up the centre's database and this workstation (or join an existing centre)")
    .option(
      '--database-url <url>',
      'postgres://user@host/db for a centre with workstations; default: an embedded database in the data directory',
    )
    .option('--matricule <matricule>', "the centre's matricule on the central server")
    .option('--centre-code <digits>', "the centre's 6-digit national code (first part of every NIU)")
    .option('--name <name>', "the centre's name")
    .option('--broker <url>', 'the MQTT broker, mqtt://host:port or mqtts://host:port')
    .option('--server-cert <file>', "the central server's certificate (PEM)")
    .option('--ca-cert <file>', "the national CA's certificate (PEM), which issued the server's")
    .option('--officer <login>', "the officer's login (password from ECR_NEW_PASSWORD or a prompt)")
    .option('--officer-name <name>', "the officer's full name")
    .option('--no-key', "do not make the centre's key pair and CSR now")
    .option(
      '--dictionary <file>',
      "the deployment's dictionary file (sdc dictionary build) the centre packs rows with (default: the demo Cameroon list)",
    )
    .option(
      '--accept-dictionary <file>',
      'a dictionary file also accepted from the server (repeatable)',
      (value: string, list: string[] = []) => [...list, value],
    )
    .action(
      async (options: {
        databaseUrl?: string;
        matricule?: string;
        centreCode?: string;
        name?: string;
        broker?: string;
        serverCert?: string;
        caCert?: string;
        officer?: string;
        officerName?: string;
        key: boolean;
        dictionary?: string;
        acceptDictionary?: string[];
      }) => {
        const dir = dataDir();
        const given = options.databaseUrl ?? io.env.ECR_DATABASE_URL ?? join(dir, 'db');
        const embeddedFolder = embeddedDatabaseFolder(given);
        // Kept absolute: ecr.json must name the same database from whatever folder ecr runs in.
        const databaseUrl =
          embeddedFolder !== undefined && !given.startsWith('file://') ? embeddedFolder : given;
        // A fresh machine has neither the data folder nor the embedded database's: both are made here,
        // private, before the database is opened in it.
        await makePrivateFolder(dir);
        if (embeddedFolder !== undefined) await makePrivateFolder(dirname(embeddedFolder));
        const { db, close } = await open(databaseUrl);
        try {
          const existing = await readCentre(db);
          if (existing) {
            if (options.matricule && options.matricule !== existing.matricule) {
              throw new EcrError('already-initialised', { matricule: existing.matricule });
            }
            if (options.dictionary !== undefined || options.acceptDictionary !== undefined) {
              throw new EcrError('usage', {
                detail: `Centre ${existing.matricule} exists: its officer changes its dictionaries with \`ecr dictionary --dictionary FILE\`.`,
                detailFr: `Le centre ${existing.matricule} existe : son officier change ses dictionnaires avec \`ecr dictionary --dictionary FICHIER\`.`,
              });
            }
            await writeWorkstationConfig(dir, { databaseUrl });
            print(
              t(
                language(),
                `This workstation joined centre ${existing.matricule}.`,
                `Ce poste a rejoint le centre ${existing.matricule}.`,
              ),
              { joined: true, matricule: existing.matricule, dataDir: dir },
            );
            return;
          }
          if (!options.matricule || !options.centreCode || !options.officer) {
            throw new EcrError('usage', {
              detail: 'A new centre needs --matricule, --centre-code and --officer.',
              detailFr: 'Un nouveau centre demande --matricule, --centre-code et --officer.',
            });
          }
          // Read before anything is written: a bad file loses nothing.
          const packWith =
            options.dictionary === undefined
              ? undefined
              : await readDictionaryFile(options.dictionary, '--dictionary');
          const accepted = await Promise.all(
            (options.acceptDictionary ?? []).map((path) => readDictionaryFile(path, '--accept-dictionary')),
          );
          const serverCertificatePem = options.serverCert
            ? await readTextFile(options.serverCert)
            : undefined;
          const caCertificatePem = options.caCert ? await readTextFile(options.caCert) : undefined;
          const centre: CentreSettings = checkCentreSettings({
            matricule: options.matricule,
            centreCode: options.centreCode,
            ...(options.name ? { name: options.name } : {}),
            ...(options.broker ? { brokerUrl: options.broker } : {}),
            ...(serverCertificatePem ? { serverCertificatePem } : {}),
            ...(caCertificatePem ? { caCertificatePem } : {}),
          });
          const officerPassword = await newPassword('ECR_NEW_PASSWORD', options.officer);
          const keyPassphrase = options.key
            ? await readSecret(
                io.env,
                'ECR_KEY_PASSPHRASE',
                t(language(), "Passphrase for the centre's key: ", 'Phrase de passe de la clé du centre : '),
                io.terminal,
              )
            : undefined;
          await writeWorkstationConfig(dir, { databaseUrl });
          const keyFiles =
            keyPassphrase !== undefined ? await createCentreKey(dir, centre, keyPassphrase) : undefined;
          await insertUser(db, {
            login: options.officer,
            privilege: 3,
            password: officerPassword,
            ...(options.officerName ? { displayName: options.officerName } : {}),
          });
          if (packWith !== undefined || accepted.length > 0) {
            await saveDictionaries(db, packWith ?? defaultDeploymentDictionaries.dictionary, accepted);
          }
          // Written last: a centre exists once its officer does, so a failed init can simply be run again.
          await writeSetting(db, centreKey, centre);
          print(
            [
              t(
                language(),
                `Centre ${centre.matricule} is set up; officer: ${options.officer}.`,
                `Le centre ${centre.matricule} est configuré ; officier : ${options.officer}.`,
              ),
              ...(keyFiles
                ? [
                    t(
                      language(),
                      `Send ${keyFiles.requestPath} to the central server's operator, then run \`ecr cert import\`.`,
                      `Envoyez ${keyFiles.requestPath} à l'opérateur du serveur central, puis lancez \`ecr cert import\`.`,
                    ),
                  ]
                : []),
            ].join('\n'),
            {
              matricule: centre.matricule,
              centreCode: centre.centreCode,
              officer: options.officer,
              dataDir: dir,
              certificateRequest: keyFiles?.requestPath ?? null,
            },
          );
        } finally {
          await close();
        }
      },
    );

  const cert = program.command('cert').description("the centre's certificate");
  cert
    .command('import <file>')
    .description('install the certificate the central server issued for this centre')
    .action(async (file: string) => {
      const installed = await importCentreCertificate(dataDir(), await readTextFile(file));
      print(
        t(
          language(),
          `Installed the certificate for ${installed.subject} (valid to ${installed.validTo}).`,
          `Certificat installé pour ${installed.subject} (valide jusqu'au ${installed.validTo}).`,
        ),
        installed,
      );
    });

  // ------------------------------------------------------------------------------------------
  const user = program.command('user').description("the centre's users (the officer manages them)");
  user
    .command('add <login>')
    .description('add a user; the password comes from ECR_NEW_PASSWORD or a prompt')
    .addOption(
      new Option('--role <role>', 'agent, secretary or officer')
        .choices(['agent', 'secretary', 'officer'])
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'full name')
    .action((login: string, options: { role: string; name?: string }) =>
      asUser(async (ctx, actor) => {
        requirePrivilege(actor, 3, { en: 'manage users', fr: 'gérer les utilisateurs' });
        const password = await newPassword('ECR_NEW_PASSWORD', login);
        const added = await addUser(ctx.db, actor, {
          login,
          privilege: parseRole(options.role) ?? 1,
          password,
          ...(options.name ? { displayName: options.name } : {}),
        });
        print(
          t(language(), `Added ${added.login} (${added.role}).`, `${added.login} ajouté (${added.role}).`),
          added,
        );
      }),
    );
  user
    .command('list')
    .description("list the centre's users")
    .action(() =>
      asUser(async (ctx, actor) => {
        const users = await listUsers(ctx.db, actor);
        print(
          table(
            ['login', 'role', 'name'],
            users.map((u) => [u.login, u.role, u.displayName ?? '']),
          ),
          users,
        );
      }),
    );
  user
    .command('set-role <login> <role>')
    .description("change a user's role: agent, secretary, officer, or suspended")
    .action((login: string, role: string) =>
      asUser(async (ctx, actor) => {
        const privilege = parseRole(role);
        if (privilege === undefined) {
          throw new EcrError('usage', {
            detail: `Unknown role ${role}: agent, secretary, officer or suspended.`,
            detailFr: `Rôle inconnu ${role} : agent, secretary, officer ou suspended.`,
          });
        }
        const changed = await setPrivilege(ctx.db, actor, login, privilege);
        print(
          t(
            language(),
            `${changed.login} is now ${changed.role}.`,
            `${changed.login} est maintenant ${changed.role}.`,
          ),
          changed,
        );
      }),
    );
  user
    .command('reset-password <login>')
    .description(
      'the officer sets a new password for a user who lost theirs (from ECR_NEW_PASSWORD or a prompt)',
    )
    .action((login: string) =>
      asUser(async (ctx, actor) => {
        requirePrivilege(actor, 3, { en: 'manage users', fr: 'gérer les utilisateurs' });
        const target = await ctx.db
          .selectFrom('xm_site.users')
          .select(['id'])
          .where('login', '=', login)
          .executeTakeFirst();
        if (!target) throw new EcrError('not-found', { what: 'user', whatFr: 'utilisateur', id: login });
        const password = await newPassword('ECR_NEW_PASSWORD', login);
        // Nobody can open the old signing key without the old password: the kit retires it.
        await resetPassword(ctx.db, actor, login, password);
        print(t(language(), `New password set for ${login}.`, `Nouveau mot de passe défini pour ${login}.`), {
          login,
        });
      }),
    );
  user
    .command('passwd')
    .description('change your own password (the new one from ECR_NEW_PASSWORD or a prompt)')
    .action(() =>
      asUser(async (ctx, actor, oldPassword) => {
        const password = await newPassword('ECR_NEW_PASSWORD', actor.login);
        await changeOwnPassword(ctx.db, actor, oldPassword, password);
        print(t(language(), 'Password changed.', 'Mot de passe modifié.'), { login: actor.login });
      }, true),
    );

  // ------------------------------------------------------------------------------------------
  program
    .command('dictionary')
    .description(
      'show or set the dictionaries the centre packs rows with and accepts (setting them: officer)',
    )
    .option('--dictionary <file>', "the deployment's dictionary file the centre packs rows with")
    .option(
      '--accept-dictionary <file>',
      'a dictionary file also accepted from the server (repeatable; replaces those recorded)',
      (value: string, list: string[] = []) => [...list, value],
    )
    .action((options: { dictionary?: string; acceptDictionary?: string[] }) =>
      asUser(async (ctx, actor) => {
        let current = await loadDictionaries(ctx.db);
        if (options.dictionary !== undefined || options.acceptDictionary !== undefined) {
          requirePrivilege(actor, 3, { en: 'change the dictionaries', fr: 'modifier les dictionnaires' });
          const packWith =
            options.dictionary === undefined
              ? current.dictionary
              : await readDictionaryFile(options.dictionary, '--dictionary');
          const accepted =
            options.acceptDictionary === undefined
              ? current.accepted
              : await Promise.all(
                  options.acceptDictionary.map((path) => readDictionaryFile(path, '--accept-dictionary')),
                );
          await saveDictionaries(ctx.db, packWith, accepted);
          current = await loadDictionaries(ctx.db);
        }
        const described = describeDictionaries(current);
        const accepted =
          described.accepted.map((d) => `${d.name} (${d.fingerprint.slice(0, 16)})`).join(', ') || '-';
        print(
          t(
            language(),
            `packs with: ${described.dictionary.name} (${described.dictionary.fingerprint.slice(0, 16)})\nalso accepts: ${accepted}`,
            `empaquette avec : ${described.dictionary.name} (${described.dictionary.fingerprint.slice(0, 16)})\naccepte aussi : ${accepted}`,
          ),
          described,
        );
      }),
    );

  // ------------------------------------------------------------------------------------------
  program
    .command('rules')
    .description("show or set the centre's civil registration rules (setting them: officer)")
    .option('--mother-min-age <years>', 'youngest age of a mother at the birth', integerOption)
    .option('--marriage-age <years>', 'legal age to marry', integerOption)
    .action((options: { motherMinAge?: number; marriageAge?: number }) =>
      asUser(async (ctx, actor) => {
        let rules: CivilRules = ctx.rules;
        if (options.motherMinAge !== undefined || options.marriageAge !== undefined) {
          requirePrivilege(actor, 3, { en: 'change the rules', fr: 'modifier les règles' });
          rules = {
            motherMinimumAgeYears: options.motherMinAge ?? rules.motherMinimumAgeYears,
            legalMarriageAgeYears: options.marriageAge ?? rules.legalMarriageAgeYears,
          };
          await writeSetting(ctx.db, rulesKey, rules);
        }
        print(
          t(
            language(),
            `mother's minimum age: ${rules.motherMinimumAgeYears}\nlegal age to marry: ${rules.legalMarriageAgeYears}`,
            `âge minimum de la mère : ${rules.motherMinimumAgeYears}\nâge légal du mariage : ${rules.legalMarriageAgeYears}`,
          ),
          rules,
        );
      }),
    );

  // ------------------------------------------------------------------------------------------
  const act = program.command('act').description('births, marriages and deaths');
  const kindOption = () =>
    new Option('--type <type>', 'birth, marriage or death (when N is a bare number)').choices(actKinds);
  const resolve = (ctx: CentreContext, text: string, kind?: ActKind): Promise<ActRef> =>
    resolveAct(ctx, text, kind);

  act
    .command('new <type>')
    .description('draft an act from a JSON file (agent): birth, marriage or death')
    .requiredOption('--file <file>', 'the act as a JSON object of fields')
    .action((type: string, options: { file: string }) =>
      asUser(async (ctx, actor) => {
        const kind = parseKind(type);
        const input = await readJson(options.file);
        const ref = await draftAct(ctx, actor, kind, input);
        print(t(language(), `Drafted ${formatActRef(ref)}.`, `Acte ${formatActRef(ref)} rédigé.`), {
          ref: formatActRef(ref),
          kind,
          numero: ref.numero,
          status: 1,
        });
      }),
    );
  registerActImportCommand(act, { io, asUser, language, print, json: () => globals().json === true });
  act
    .command('edit <ref>')
    .description('change fields of an act not yet validated, from a JSON file and/or --set field=value')
    .option('--file <file>', 'a JSON object of the fields to change (null clears one)')
    .option(
      '--set <field=value>',
      'a field to change (repeatable; an empty value clears it)',
      collect,
      [] as string[],
    )
    .addOption(kindOption())
    .action((text: string, options: { file?: string; set: string[]; type?: ActKind }) =>
      asUser(async (ctx, actor) => {
        const ref = await resolve(ctx, text, options.type);
        const changes: Record<string, unknown> = options.file
          ? ((await readJson(options.file)) as Record<string, unknown>)
          : {};
        if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
          throw new EcrError('usage', {
            detail: 'The file must hold a JSON object.',
            detailFr: 'Le fichier doit contenir un objet JSON.',
          });
        }
        for (const assignment of options.set) Object.assign(changes, parseAssignment(ref.kind, assignment));
        const changed = await editAct(ctx, actor, ref, changes);
        print(
          changed.length === 0
            ? t(language(), 'Nothing changed.', "Rien n'a changé.")
            : t(
                language(),
                `Changed ${changed.join(', ')} of ${formatActRef(ref)}; it must be verified again.`,
                `${changed.join(', ')} de ${formatActRef(ref)} modifié(s) ; l'acte doit être vérifié à nouveau.`,
              ),
          { ref: formatActRef(ref), changed },
        );
      }),
    );
  act
    .command('verify <ref>')
    .description('mark a drafted act as checked (secretary)')
    .addOption(kindOption())
    .action((text: string, options: { type?: ActKind }) =>
      asUser(async (ctx, actor) => {
        const ref = await resolve(ctx, text, options.type);
        await verifyAct(ctx, actor, ref);
        print(t(language(), `Verified ${formatActRef(ref)}.`, `Acte ${formatActRef(ref)} vérifié.`), {
          ref: formatActRef(ref),
          verifiedBy: actor.login,
        });
      }),
    );
  act
    .command('validate <ref>')
    .description('validate a verified act (officer): status 2, NIU, signature')
    .addOption(kindOption())
    .action((text: string, options: { type?: ActKind }) =>
      asUser(async (ctx, actor, password) => {
        const ref = await resolve(ctx, text, options.type);
        const validation = await validateAct(ctx, actor, password, ref);
        print(
          t(
            language(),
            `Validated ${formatActRef(ref)}: NIU ${validation.niu}.`,
            `Acte ${formatActRef(ref)} validé : NIU ${validation.niu}.`,
          ),
          { ref: formatActRef(ref), ...validation },
        );
      }),
    );
  act
    .command('cancel <ref>')
    .description('cancel an act not yet validated (secretary)')
    .option('--reason <text>', 'why, kept in the history')
    .addOption(kindOption())
    .action((text: string, options: { reason?: string; type?: ActKind }) =>
      asUser(async (ctx, actor) => {
        const ref = await resolve(ctx, text, options.type);
        await cancelAct(ctx, actor, ref, options.reason);
        print(t(language(), `Cancelled ${formatActRef(ref)}.`, `Acte ${formatActRef(ref)} annulé.`), {
          ref: formatActRef(ref),
          status: 0,
        });
      }),
    );
  act
    .command('show <ref>')
    .description('show an act (B12, M3, D7, or its NIU)')
    .addOption(kindOption())
    .action((text: string, options: { type?: ActKind }) =>
      asUser(async (ctx, actor) => {
        const ref = await resolve(ctx, text, options.type);
        const view = await getAct(ctx, actor, ref);
        const printed = printedLines(await actHistory(ctx, actor, ref));
        const lang = language();
        const lines = [
          `${view.ref}  ${view.kind}  ${t(lang, 'status', 'statut')}: ${view.status} (${view.statusName[lang]})${view.niu ? `  NIU: ${view.niu}` : ''}`,
          ...(view.readOnly
            ? [
                t(
                  lang,
                  `imported from ${view.origin} (read-only)`,
                  `importé de ${view.origin} (lecture seule)`,
                ),
              ]
            : []),
          ...(view.rejection
            ? [
                t(
                  lang,
                  `REJECTED by the server: ${view.rejection.reason}${view.rejection.detail ? ` (${view.rejection.detail})` : ''}`,
                  `REJETÉ par le serveur : ${view.rejection.reason}${view.rejection.detail ? ` (${view.rejection.detail})` : ''}`,
                ),
              ]
            : []),
          ...(view.signature
            ? [
                t(
                  lang,
                  `signed by ${view.signature.signer}: ${view.signature.valid ? 'valid' : 'INVALID'}`,
                  `signé par ${view.signature.signer} : ${view.signature.valid ? 'valide' : 'INVALIDE'}`,
                ),
              ]
            : []),
          ...Object.entries(view.fields).map(
            ([key, value]) => `  ${key}: ${value instanceof Date ? value.toISOString() : String(value)}`,
          ),
          ...printed.map((p) => describePrinted(p, lang)),
        ];
        print(lines.join('\n'), { ...view, printed });
      }),
    );
  act
    .command('search')
    .description('find acts by name, NIU, date range, place, type and status')
    .addOption(new Option('--type <type>', 'birth, marriage or death').choices(actKinds))
    .option('--name <text>', 'the start of a surname or given name')
    .option('--niu <niu>', 'the exact NIU')
    .option('--from <date>', 'event on or after YYYY-MM-DD')
    .option('--to <date>', 'event on or before YYYY-MM-DD')
    .option('--place <text>', 'part of the locality or region of the event')
    .option('--status <n>', '0 cancelled, 1 new, 2 validated, 3 sealed, 4 exported', integerOption)
    .option('--limit <n>', 'at most this many (100, 1000 at most)', integerOption)
    .option('--offset <n>', 'skip the first n (paging)', integerOption)
    .action(
      (options: {
        type?: ActKind;
        name?: string;
        niu?: string;
        from?: string;
        to?: string;
        place?: string;
        status?: number;
        limit?: number;
        offset?: number;
      }) =>
        asUser(async (ctx, actor) => {
          for (const date of [options.from, options.to]) {
            if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
              throw new EcrError('usage', {
                detail: `${date} is not a date (YYYY-MM-DD).`,
                detailFr: `${date} n'est pas une date (AAAA-MM-JJ).`,
              });
            }
          }
          const found = await searchActs(ctx, actor, {
            ...(options.type ? { kind: options.type } : {}),
            ...(options.name ? { name: options.name } : {}),
            ...(options.niu ? { niu: options.niu } : {}),
            ...(options.from ? { from: options.from } : {}),
            ...(options.to ? { to: options.to } : {}),
            ...(options.place ? { place: options.place } : {}),
            ...(options.status !== undefined ? { status: options.status } : {}),
            ...(options.limit !== undefined ? { limit: options.limit } : {}),
            ...(options.offset !== undefined ? { offset: options.offset } : {}),
          });
          const lang = language();
          print(
            table(
              [
                'ref',
                t(lang, 'status', 'statut'),
                'NIU',
                t(lang, 'date', 'date'),
                t(lang, 'place', 'lieu'),
                t(lang, 'name', 'nom'),
              ],
              found.map((a) => [
                a.ref,
                describeStatus(a.status, lang) + (a.imported ? '*' : ''),
                a.niu ?? '',
                a.eventDate,
                a.place,
                a.title,
              ]),
            ),
            found,
          );
        }),
    );
  act
    .command('history <ref>')
    .description('who drafted, verified, validated, cancelled the act, from which workstation, and when')
    .addOption(kindOption())
    .action((text: string, options: { type?: ActKind }) =>
      asUser(async (ctx, actor) => {
        const ref = await resolve(ctx, text, options.type);
        const events = await actHistory(ctx, actor, ref);
        print(
          table(
            ['when', 'what', 'who', 'where', 'detail'],
            events.map((e) => [
              e.at.toISOString(),
              e.kind,
              e.user ?? '',
              e.workstation ?? '',
              e.detail === null ? '' : JSON.stringify(e.detail),
            ]),
          ),
          events,
        );
      }),
    );

  const commandDeps = {
    asUser,
    language,
    print,
    now: io.now ?? (() => new Date()),
    helpers: { table, integerOption },
  };
  registerUnlockCommand(user, commandDeps);
  registerLoginCommand(program, commandDeps);
  registerMessageCommands(program, commandDeps);

  registerPrintCommands(program, { io, asUser, language, dataDir, print, resolve, kindOption });

  registerServeCommand(program, { io, language, dataDir, today, open });

  const connector = registerSyncCommands(program, {
    io,
    asUser,
    language,
    dataDir,
    print,
    newPassword,
    json: () => globals().json === true,
    helpers: { table, integerOption, collect, parseKind },
  });
  registerVerifyCommand(program, {
    io,
    asUser,
    language,
    print,
    connector,
    setExitCode: (code) => {
      outcome.exitCode = code;
    },
  });

  // ------------------------------------------------------------------------------------------
  program
    .command('stats')
    .description('counts of acts by type, month, sex and place')
    .option('--by <dimensions>', 'comma-separated: type,month,sex,place', 'type,month,sex,place')
    .option('--from <date>', 'event on or after YYYY-MM-DD')
    .option('--to <date>', 'event on or before YYYY-MM-DD')
    .option('--csv', 'CSV instead of a table')
    .action((options: { by: string; from?: string; to?: string; csv?: boolean }) =>
      asUser(async (ctx, actor) => {
        const by = options.by
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = by.filter((d) => !(statsDimensions as readonly string[]).includes(d));
        if (unknown.length > 0) {
          throw new EcrError('usage', {
            detail: `Unknown dimension(s): ${unknown.join(', ')}.`,
            detailFr: `Dimension(s) inconnue(s) : ${unknown.join(', ')}.`,
          });
        }
        const dimensions = by as StatsDimension[];
        const rows = await actStatistics(ctx, actor, {
          by: dimensions,
          ...(options.from ? { from: options.from } : {}),
          ...(options.to ? { to: options.to } : {}),
        });
        if (options.csv) io.stdout(statsToCsv(rows, dimensions));
        else
          print(
            table(
              [...dimensions, 'count'],
              rows.map((r) => [...dimensions.map((d) => String(r[d] ?? '')), String(r.count)]),
            ),
            rows,
          );
      }),
    );

  program
    .command('niu <niu>')
    .description('check a typed NIU (format and check digits)')
    .action((text: string) => {
      const checked = parseNiu(text);
      if (!checked.ok) {
        throw new EcrError('usage', {
          detail:
            checked.error === 'format'
              ? `${text} is not an NIU (CCCCCC-YYYY-SSSSSSS-KK).`
              : `${text}: wrong check digits, a digit is mistyped.`,
          detailFr:
            checked.error === 'format'
              ? `${text} n'est pas un NIU (CCCCCC-AAAA-SSSSSSS-KK).`
              : `${text} : clé de contrôle fausse, un chiffre est mal saisi.`,
        });
      }
      print(
        t(
          language(),
          `${text}: centre ${checked.value.centreCode}, year ${checked.value.year}, number ${checked.value.sequence}.`,
          `${text} : centre ${checked.value.centreCode}, année ${checked.value.year}, numéro ${checked.value.sequence}.`,
        ),
        checked.value,
      );
    });

  return program;
}

function parseKind(text: string): ActKind {
  if ((actKinds as readonly string[]).includes(text)) return text as ActKind;
  throw new EcrError('usage', {
    detail: `Unknown act type ${text}: birth, marriage or death.`,
    detailFr: `Type d'acte inconnu ${text} : birth, marriage ou death.`,
  });
}

async function readJson(file: string): Promise<unknown> {
  const text = await readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new EcrError(
      'usage',
      { detail: `${file} is not JSON.`, detailFr: `${file} n'est pas du JSON.` },
      { cause },
    );
  }
}

/** `field=value`, the value typed by the contract's column: numbers for integers, true/false for booleans. */
function parseAssignment(kind: ActKind, assignment: string): Record<string, unknown> {
  const at = assignment.indexOf('=');
  if (at <= 0) {
    throw new EcrError('usage', {
      detail: `${assignment}: expected field=value.`,
      detailFr: `${assignment} : forme attendue champ=valeur.`,
    });
  }
  const field = assignment.slice(0, at);
  const raw = assignment.slice(at + 1);
  if (raw === '') return { [field]: null };
  const type = (definitions[kind].columns as Record<string, { type: string } | undefined>)[field]?.type;
  if (type === 'integer' || type === 'smallint' || type === 'bigint')
    return { [field]: /^-?\d+$/.test(raw) ? Number(raw) : raw };
  if (type === 'boolean') return { [field]: raw === 'true' ? true : raw === 'false' ? false : raw };
  return { [field]: raw };
}

export { roleOf };
