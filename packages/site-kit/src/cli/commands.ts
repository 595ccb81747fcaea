import type { SiteDatabase } from '@xmcomm/schema';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { ImportResponsePage, RecordSync } from '../record-sync.js';
import type { BrokerSettings, SiteLink } from '../site-link.js';
import type { SiteIdentity } from '../site-settings.js';
import type { SyncEvent } from '../sync-events.js';
import { requirePrivilege, type SessionUser } from '../users.js';
import { describeSyncEvent } from './describe-event.js';
import { SiteCliError, usageError } from './errors.js';
import { readTextFile } from './files.js';
import { createKeyFiles, importCertificateFor, type KeyFilePaths, siteKeyFiles } from './key-files.js';
import {
  brokerSettingsFrom,
  hasBroker,
  type OpenLinkOptions,
  openLinkFromFiles,
  type SiteWords,
} from './link-files.js';
import { readSecret, type Terminal } from './secret.js';
import { sleep } from './sync-service.js';

// The commands every site app shares to talk to the central server: `cert import` and `sync`, with
// the key's passphrase from {PREFIX}_KEY_PASSPHRASE or a prompt, never from the command line. The
// app gives its words, how it logs a user in, and how it makes its synchronisation (its record types).

export interface SiteCliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly terminal?: Terminal;
  readonly signal?: AbortSignal;
}

/** A logged-in user at an initialised site, with its database. */
export interface SiteSession {
  readonly db: Kysely<SiteDatabase>;
  readonly identity: SiteIdentity;
  readonly user: SessionUser;
}

export interface SiteCommandDeps {
  readonly words: SiteWords;
  readonly io: SiteCliIo;
  readonly language: () => 'en' | 'fr';
  readonly json: () => boolean;
  /** The folder of the site's key files. */
  readonly dataDir: () => string;
  /** Opens the database and logs the user in for `body`. */
  readonly asUser: <T>(body: (session: SiteSession) => Promise<T>) => Promise<T>;
  /** Makes the site's synchronisation for its record types. */
  readonly createSync: (options: {
    readonly db: Kysely<SiteDatabase>;
    readonly link: SiteLink;
    readonly broker?: BrokerSettings;
    readonly user: string | null;
    readonly onEvent: (event: SyncEvent) => void;
    readonly onImportResponse?: (page: ImportResponsePage) => void;
  }) => RecordSync;
  readonly link?: Pick<OpenLinkOptions, 'tables' | 'files'>;
}

export interface SiteConnector {
  /** The site's key passphrase: {PREFIX}_KEY_PASSPHRASE, else a prompt. */
  passphrase(): Promise<string>;
  /** The site's link and synchronisation; events are printed (stdout, or stderr as progress). */
  connect(
    session: SiteSession,
    options?: {
      withoutBroker?: boolean;
      onEvent?: (event: SyncEvent) => void;
      eventsTo?: 'stdout' | 'stderr' | 'none';
      /** Sealed by the synchronisation itself (a service), not by the session's user. */
      asSystem?: boolean;
      /** Each page of an import's answer, as the server sent it. */
      onImportResponse?: (page: ImportResponsePage) => void;
    },
  ): Promise<RecordSync>;
  /** Waits for the server's answer to a queued request; a refusal is `server-refused`. */
  awaitAnswer(
    sync: RecordSync,
    id: number,
    seconds: number,
    request: { what: string; whatFr: string },
    answered?: () => boolean,
  ): Promise<void>;
}

function secondsOption(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d{1,5}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw usageError(
        `${value}: expected a number of seconds from ${min} to ${max}.`,
        `${value} : nombre de secondes de ${min} à ${max} attendu.`,
      );
    }
    return Number(value);
  };
}

/** Makes the site's container key (encrypted at rest) and its CSR in `dataDir`. */
export function createSiteKey(
  dataDir: string,
  identity: { matricule: string; name?: string },
  passphrase: string,
): Promise<KeyFilePaths> {
  return createKeyFiles(dataDir, siteKeyFiles, { commonName: identity.matricule, ...identity }, passphrase);
}

/** Adds `cert import` and `sync` to `program`; returns what other commands need to talk to the server. */
export function registerSiteCommands(program: Command, deps: SiteCommandDeps): SiteConnector {
  const { io, words, language } = deps;
  const t = (en: string, fr: string) => (language() === 'fr' ? fr : en);
  const site = () => words.site[language()];

  const connector: SiteConnector = {
    passphrase: () =>
      readSecret(
        io.env,
        `${words.envPrefix}_KEY_PASSPHRASE`,
        t(`Passphrase for the ${words.site.en}'s key: `, `Phrase de passe de la clé du ${words.site.fr} : `),
        io.terminal,
      ),
    async connect(session, options = {}) {
      const link = await openLinkFromFiles({
        dataDir: deps.dataDir(),
        settings: session.identity,
        passphrase: await connector.passphrase(),
        words,
        ...deps.link,
      });
      const broker =
        options.withoutBroker && !hasBroker(session.identity, io.env, words)
          ? undefined
          : await brokerSettingsFrom(session.identity, io.env, words);
      return deps.createSync({
        db: session.db,
        link,
        ...(broker ? { broker } : {}),
        user: options.asSystem ? null : session.user.login,
        ...(options.onImportResponse ? { onImportResponse: options.onImportResponse } : {}),
        onEvent: (event) => {
          options.onEvent?.(event);
          if (options.eventsTo === 'none') return;
          const write = options.eventsTo === 'stderr' ? io.stderr : io.stdout;
          if (deps.json()) write(`${JSON.stringify(event)}\n`);
          else {
            const line = describeSyncEvent(event, language());
            if (line) write(`${line}\n`);
          }
        },
      });
    },
    async awaitAnswer(sync, id, seconds, request, answered = () => true) {
      const done = await sync.waitUntil(
        async () => {
          if (sync.refusal()) return true;
          const answer = await sync.answerOf(id);
          return answer.acknowledged && (answer.error !== null || answered());
        },
        seconds * 1000,
        io.signal,
      );
      throwIfRefused(sync);
      if (!done) throw new SiteCliError('sync-incomplete', { pending: await sync.unacknowledged(), seconds });
      const answer = await sync.answerOf(id);
      if (answer.error !== null)
        throw new SiteCliError('server-refused', { ...request, reason: answer.error });
    },
  };

  function throwIfRefused(sync: RecordSync): void {
    const refusal = sync.refusal();
    if (refusal) {
      throw new SiteCliError(
        'connection-refused',
        { reasonCode: refusal.reasonCode ?? '-', reason: refusal.message, reasonFr: refusal.message },
        { cause: refusal },
      );
    }
  }

  const cert = program
    .command('cert')
    .description(`the ${words.site.en}'s certificate from the central server`);
  cert
    .command('import <file>')
    .description(`install the certificate the server's operator issued for the ${words.site.en}'s key`)
    .action((file: string) =>
      deps.asUser(async ({ user }) => {
        requirePrivilege(user, 3, { en: 'install the certificate', fr: 'installer le certificat' });
        const installed = await importCertificateFor(
          deps.dataDir(),
          siteKeyFiles,
          await readTextFile(file),
          (path, cause) =>
            new SiteCliError('not-initialised', { path, command: `${words.command} init` }, { cause }),
          {
            detail: `the certificate is for another key than this ${words.site.en}'s.`,
            detailFr: `le certificat est pour une autre clé que celle de ce ${words.site.fr}.`,
          },
        );
        const line = t(
          `Installed the ${site()}'s certificate (${installed.subject}), valid until ${installed.validTo}.`,
          `Certificat du ${site()} installé (${installed.subject}), valable jusqu'au ${installed.validTo}.`,
        );
        io.stdout(deps.json() ? `${JSON.stringify(installed, null, 2)}\n` : `${line}\n`);
      }),
    );

  program
    .command('sync')
    .description(
      'send signed records to the central server and take in its receipts; every --interval seconds until stopped, or once',
    )
    .option('--once', 'send, wait for the receipts (up to --wait seconds), then stop')
    .option('--interval <seconds>', 'seconds between two rounds, 10-300', secondsOption(10, 300), 60)
    .option('--wait <seconds>', 'with --once: how long to wait for receipts', secondsOption(1, 3600), 120)
    .action((options: { once?: boolean; interval: number; wait: number }) =>
      deps.asUser(async (session) => {
        requirePrivilege(session.user, 3, {
          en: 'send records to the server',
          fr: 'envoyer des fiches au serveur',
        });
        const totals = { sealed: 0, sent: 0, exported: 0, rejected: 0, held: 0 };
        const sync = await connector.connect(session, {
          onEvent: (event) => {
            if (event.event === 'sealed') totals.sealed += event.refs.length;
            else if (event.event === 'sent') totals.sent += 1;
            else if (event.event === 'exported') totals.exported += event.refs.length;
            else if (event.event === 'rejected') totals.rejected += 1;
            else if (event.event === 'held') totals.held += event.refs.length;
          },
        });
        sync.start();
        try {
          if (options.once) {
            await sync.exportValidated();
            const settled = await sync.waitUntil(
              async () =>
                sync.refusal() !== undefined || ((await sync.unacknowledged()) === 0 && sync.settled(1000)),
              options.wait * 1000,
              io.signal,
            );
            const waiting = await sync.unacknowledged();
            io.stdout(
              deps.json()
                ? `${JSON.stringify({ event: 'summary', ...totals, waiting })}\n`
                : `${t(
                    `${totals.sealed} sealed, ${totals.sent} container(s) sent, ${totals.exported} exported, ${totals.rejected} rejected, ${totals.held} held for the account, ${waiting} container(s) waiting.`,
                    `${totals.sealed} scellée(s), ${totals.sent} conteneur(s) envoyé(s), ${totals.exported} exportée(s), ${totals.rejected} rejetée(s), ${totals.held} retenue(s) pour le compte, ${waiting} conteneur(s) en attente.`,
                  )}\n`,
            );
            throwIfRefused(sync);
            if (!settled)
              throw new SiteCliError('sync-incomplete', { pending: waiting, seconds: options.wait });
            return;
          }
          const stopped = new AbortController();
          void sync.whenRefused().then(() => stopped.abort());
          if (io.signal?.aborted) stopped.abort();
          else io.signal?.addEventListener('abort', () => stopped.abort(), { once: true });
          while (!stopped.signal.aborted) {
            await sync.exportValidated();
            await sleep(options.interval * 1000, stopped.signal);
          }
          throwIfRefused(sync);
        } finally {
          await sync.stop();
        }
      }),
    );
  return connector;
}

export { secondsOption };
