import type { SiteDatabase } from '@xmcomm/schema';
import { type Command, Option } from 'commander';
import type { Kysely } from 'kysely';
import type { SiteKit } from '../kit.js';
import type { Privilege, Text } from '../record-type.js';
import {
  checkSiteIdentity,
  readSiteIdentity,
  type SiteIdentity,
  saveSiteIdentity,
} from '../site-settings.js';
import { insertUser, type SessionUser } from '../users.js';
import { createSiteKey, type SiteConnector } from './commands.js';
import { makePrivateFolder, readTextFile } from './files.js';
import type { SiteWords } from './link-files.js';
import type { Bilingual, SiteAccess } from './site-access.js';
import { startSyncService } from './sync-service.js';

// `init`, `user add|list` and the synchronisation beside `serve`: the same for every site app, in
// the app's words (its site, its head user, its central register).

export interface SiteProgramWords extends SiteWords {
  /** `the court's` / `du tribunal`. */
  readonly ofSite: Bilingual;
  /** `Court 123 is set up` / `Le tribunal 123 est configuré`. */
  readonly isSetUp: (matricule: string) => Bilingual;
  /** The head user (privilege 3): its option name (`clerk`) and its name in English (`greffier` in help). */
  readonly head: { readonly option: string; readonly en: string; readonly fr: string; readonly note: string };
  /** `the national criminal register`: where the matricule is given. */
  readonly register: string;
  /** `the national register's server certificate (PEM)`. */
  readonly serverCertificate: string;
  /** `the register's operator` / `l'opérateur du casier`. */
  readonly operator: Bilingual;
}

export interface SiteProgramDeps {
  readonly words: SiteProgramWords;
  readonly access: SiteAccess;
  readonly language: () => 'en' | 'fr';
  readonly print: (human: string, json: unknown) => void;
  readonly kit: (db: Kysely<SiteDatabase>) => SiteKit;
  /** Roles `user add --role` takes, by name. */
  readonly roles: Readonly<Record<string, Privilege>>;
  readonly roleNames: Readonly<Partial<Record<Privilege, Text>>>;
}

/** `init`: the site's database, its identity, its head user and (unless --no-key) its key and CSR. */
export function registerInitCommand(program: Command, deps: SiteProgramDeps): void {
  const { words, access, language } = deps;
  const t = (text: Bilingual) => text[language()];
  const p = words.envPrefix;
  const head = words.head;
  const of = words.ofSite.en;
  program
    .command('init')
    .description(
      `set up ${of} database, its identity, its ${head.en} (password from ${p}_NEW_PASSWORD) and its key (passphrase from ${p}_KEY_PASSPHRASE)`,
    )
    .requiredOption('--matricule <matricule>', `${of} matricule at ${words.register}`)
    .requiredOption('--centre-code <digits>', `${of} 6-digit national code (first part of every NIU)`)
    .option('--name <name>', `${of} name`)
    .requiredOption(`--${head.option} <login>`, `the ${head.en}'s login (${head.note}, privilege 3)`)
    .option(`--${head.option}-name <name>`, `the ${head.en}'s full name`)
    .option('--broker <url>', 'the MQTT broker, mqtt://host:port or mqtts://host:port')
    .option('--server-cert <file>', words.serverCertificate)
    .option('--ca-cert <file>', "the national CA's certificate (PEM), which issued the server's")
    .option('--no-key', `do not make ${of} key pair and CSR now`)
    .action((options: Record<string, string | boolean | undefined>) =>
      access.withDatabase(async (db) => {
        const text = (name: string) => options[name] as string | undefined;
        const existing = await readSiteIdentity(db);
        if (existing) {
          throw new InitRefusal(
            `${of[0]?.toUpperCase()}${of.slice(1)} database is already set up for matricule ${existing.matricule}.`,
            `La base ${words.ofSite.fr} est déjà configurée pour le matricule ${existing.matricule}.`,
          );
        }
        const serverCert = text('serverCert');
        const caCert = text('caCert');
        const identity = checkSiteIdentity({
          matricule: text('matricule') ?? '',
          centreCode: text('centreCode') ?? '',
          ...(text('name') ? { name: text('name') } : {}),
          ...(text('broker') ? { brokerUrl: text('broker') } : {}),
          ...(serverCert ? { serverCertificatePem: await readTextFile(serverCert) } : {}),
          ...(caCert ? { caCertificatePem: await readTextFile(caCert) } : {}),
        });
        // Everything asked and checked before anything is written; the identity last: a site
        // exists once its head user does, so a failed init can simply be run again.
        const login = text(head.option) ?? '';
        const password = await access.passwordOf(`${p}_NEW_PASSWORD`, login, language());
        const passphrase = options.key
          ? await access.secret(
              `${p}_KEY_PASSPHRASE`,
              { en: `Passphrase for ${of} key: `, fr: `Phrase de passe de la clé ${words.ofSite.fr} : ` },
              language(),
            )
          : undefined;
        let request: string | undefined;
        if (passphrase !== undefined) {
          await makePrivateFolder(access.dataDir());
          request = (await createSiteKey(access.dataDir(), identity, passphrase)).requestPath;
        }
        const displayName = text(`${head.option}Name`);
        await insertUser(db, { login, privilege: 3, password, ...(displayName ? { displayName } : {}) });
        await saveSiteIdentity(db, identity);
        const setUp = words.isSetUp(identity.matricule);
        deps.print(
          [
            t({ en: `${setUp.en}; ${head.en}: ${login}.`, fr: `${setUp.fr} ; ${head.fr} : ${login}.` }),
            ...(request
              ? [
                  t({
                    en: `Send ${request} to ${words.operator.en}, then \`${words.command} cert import\` the certificate.`,
                    fr: `Envoyez ${request} à ${words.operator.fr}, puis \`${words.command} cert import\` le certificat.`,
                  }),
                ]
              : []),
          ].join('\n'),
          {
            matricule: identity.matricule,
            centreCode: identity.centreCode,
            [head.option]: login,
            request: request ?? null,
          },
        );
      }),
    );
}

/** `init` on a site already set up: a usage error (exit 2), with the app's words. */
export class InitRefusal extends Error {
  override readonly name = 'InitRefusal';
  readonly code = 'usage';
  constructor(
    message: string,
    readonly messageFr: string,
  ) {
    super(message);
  }
}

/** `user add` and `user list`, for the head user (the kit checks privileges). */
export function registerUserCommands(program: Command, deps: SiteProgramDeps): void {
  const { words, access, language } = deps;
  const names = Object.keys(deps.roles).filter((name) => (deps.roles[name] ?? 0) > 0);
  const asUser = <T>(body: Parameters<SiteAccess['asUser']>[0]) =>
    access.asUser(body, language) as Promise<T>;
  const user = program
    .command('user')
    .description(`${words.ofSite.en} users (the ${words.head.option} manages them)`);
  user
    .command('add <login>')
    .description(`add a user; the password comes from ${words.envPrefix}_NEW_PASSWORD`)
    .addOption(
      new Option('--role <role>', `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`)
        .choices(names)
        .makeOptionMandatory(),
    )
    .option('--name <name>', 'full name')
    .action((login: string, options: { role: string; name?: string }) =>
      asUser(async ({ db, user: actor }) => {
        const added = await deps.kit(db).users.add(actor, {
          login,
          privilege: deps.roles[options.role] ?? 1,
          password: await access.passwordOf(`${words.envPrefix}_NEW_PASSWORD`, login, language()),
          ...(options.name ? { displayName: options.name } : {}),
        });
        const role = deps.roleNames[added.privilege] ?? { en: '', fr: '' };
        deps.print(
          language() === 'fr' ? `${added.login} ajouté (${role.fr}).` : `Added ${added.login} (${role.en}).`,
          added,
        );
      }),
    );
  user
    .command('list')
    .description(`list ${words.ofSite.en} users`)
    .action(() =>
      asUser(async ({ db, user: actor }) => {
        const users = await deps.kit(db).users.list(actor);
        const lines = users.map((u) => {
          const role = deps.roleNames[u.privilege] ?? { en: 'suspended', fr: 'suspendu' };
          return `${u.login}\t${role[language()]}\t${u.displayName ?? ''}`;
        });
        deps.print(lines.join('\n'), users);
      }),
    );
}

/** The synchronisation beside `serve --sync-every`: it seals as itself, no person being logged in. */
export function startSiteSync(
  connector: SiteConnector,
  db: Kysely<SiteDatabase>,
  identity: SiteIdentity,
  everyMs: number,
  onError: (error: unknown) => void,
) {
  const session = { db, identity, user: { login: 'sync', privilege: 3 } as SessionUser };
  return startSyncService({
    createSync: (onEvent) => connector.connect(session, { onEvent, eventsTo: 'stderr', asSystem: true }),
    everyMs,
    onEvent: () => {},
    onError,
  });
}

/** The French of what a site CLI's help cannot guess: articles and the app's nouns. */
export interface SiteFrenchWords {
  /** `le greffier`. */
  readonly head: string;
  /** `fiches`: what `sync` sends. */
  readonly records: string;
  /** `les bulletins qu’il imprime`. */
  readonly sealed: string;
  /** `le casier`: who certifies the document key. */
  readonly issuer: string;
}

/** The French help of the kit's commands (user, cert, sync, document-key), in the app's words. */
export function siteHelpFr(
  words: SiteProgramWords,
  french: SiteFrenchWords,
  roles: SiteProgramDeps['roles'],
  roleNames: SiteProgramDeps['roleNames'],
): Record<string, { description: string; options?: Record<string, string> }> {
  const c = words.command;
  const p = words.envPrefix;
  const of = words.ofSite.fr;
  const names = Object.keys(roles)
    .filter((name) => (roles[name] ?? 0) > 0)
    .map((name) => {
      const fr = roleNames[roles[name] ?? 0]?.fr;
      return fr === undefined || fr === name ? name : `${name} (${fr})`;
    });
  return {
    [`${c} user`]: { description: `les utilisateurs ${of} (${french.head} les gère)` },
    [`${c} user add`]: {
      description: `ajouter un utilisateur ; le mot de passe vient de ${p}_NEW_PASSWORD`,
      options: { '--role': `${names.slice(0, -1).join(', ')} ou ${names.at(-1)}`, '--name': 'nom complet' },
    },
    [`${c} user list`]: { description: `lister les utilisateurs ${of}` },
    [`${c} cert`]: { description: `le certificat ${of}, délivré par le serveur central` },
    [`${c} cert import`]: {
      description: `installer le certificat que l'opérateur du serveur a délivré pour la clé ${of}`,
    },
    [`${c} sync`]: {
      description: `envoyer les ${french.records} signées au serveur central et recevoir ses accusés ; toutes les --interval secondes, ou une fois`,
      options: {
        '--once': 'envoyer, attendre les accusés (jusqu’à --wait secondes), puis s’arrêter',
        '--interval': 'secondes entre deux tours, 10-300',
        '--wait': 'avec --once : combien de temps attendre les accusés',
      },
    },
    [`${c} document-key`]: {
      description: `la clé de documents ${of}, qui scelle ${french.sealed} (pas sa clé de conteneurs)`,
    },
    [`${c} document-key create`]: {
      description: `créer la clé de documents (phrase de passe dans ${p}_DOCUMENT_KEY_PASSPHRASE) et sa demande de certificat`,
    },
    [`${c} document-key import`]: {
      description: `installer le certificat de la clé de documents délivré par ${french.issuer}`,
    },
  };
}
