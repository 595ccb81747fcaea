import { hostProblem, parsePort } from '@xmcomm/cli-kit';
import type { Language, SiteDatabase } from '@xmcomm/schema';
import type { SessionUser, Text } from '@xmcomm/site-kit';
import type { SyncHooks } from '@xmcomm/workstation';
import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import { centreKit } from './acts.js';
import { type CentreSettings, readRules, readWorkstationConfig, requireCentre } from './centre.js';
import type { CliIo } from './cli-io.js';
import { loadDictionaries } from './dictionaries.js';
import { EcrError } from './errors.js';
import { brokerSettings, hasBroker, openCentreLink } from './link.js';
import { type CentreSync, createCentreSync, type SyncEvent } from './sync.js';
import { describeEvent } from './sync-commands.js';
import { type SyncService, startSyncService } from './sync-service.js';
import { requirePrivilege } from './users.js';

// `ecr serve`: the workstation UI (@xmcomm/workstation) on the centre's database, the one the CLI
// uses; every page acts through the same kit functions as the `ecr act` and `ecr user` commands.

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

export interface ServeDeps {
  readonly io: CliIo;
  readonly language: () => Language;
  readonly dataDir: () => string;
  readonly today: () => string;
  readonly open: (url: string) => Promise<{ db: Kysely<SiteDatabase>; close: () => Promise<void> }>;
}

function portOption(value: string): number {
  const parsed = parsePort(value);
  if ('problem' in parsed) {
    throw new EcrError('usage', { detail: parsed.problem.en, detailFr: parsed.problem.fr });
  }
  return parsed.port;
}

function syncSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d{1,3}$/.test(value) || seconds < 2 || seconds > 300) {
    throw new EcrError('usage', {
      detail: `${value}: expected a number of seconds from 2 to 300.`,
      detailFr: `${value} : nombre de secondes de 2 à 300 attendu.`,
    });
  }
  return seconds;
}

/**
 * "Synchronise now" for the officer: one round as `ecr sync --once` makes it (seal validated acts,
 * send, wait up to a minute for the receipts). Only when the centre key's passphrase was given to
 * `ecr serve` in ECR_KEY_PASSPHRASE, never through a page.
 */
function syncHooks(
  db: Kysely<SiteDatabase>,
  centre: CentreSettings,
  deps: ServeDeps,
  service: { current?: SyncService },
): SyncHooks {
  const passphrase = deps.io.env.ECR_KEY_PASSPHRASE;
  if (!passphrase || !hasBroker(centre, deps.io.env)) return {};
  return {
    async run(user: SessionUser): Promise<Text> {
      requirePrivilege(user, 3, { en: 'send acts to the server', fr: 'envoyer des actes au serveur' });
      const totals = { sealed: 0, exported: 0, rejected: 0 };
      const count = (event: SyncEvent) => {
        if (event.event === 'sealed') totals.sealed += event.refs.length;
        else if (event.event === 'exported') totals.exported += event.refs.length;
        else if (event.event === 'rejected') totals.rejected += 1;
      };
      // With --sync-every the service's link is the centre's one connection to the broker: a
      // second one under the same client id would push it off, so the round goes through it.
      const running = service.current;
      let sync: CentreSync;
      let done: () => Promise<void>;
      if (running) {
        sync = running.sync;
        const unlisten = running.listen(count);
        done = async () => unlisten();
      } else {
        const link = await openCentreLink(deps.dataDir(), centre, passphrase, await loadDictionaries(db));
        sync = createCentreSync({
          db,
          link,
          broker: await brokerSettings(centre, deps.io.env),
          user: user.login,
          onEvent: count,
        });
        sync.start();
        done = () => sync.stop();
      }
      let waiting = 0;
      try {
        await sync.exportValidated();
        await sync.waitUntil(
          async () =>
            sync.refusal() !== undefined || ((await sync.unacknowledged()) === 0 && sync.settled(1000)),
          60_000,
          deps.io.signal,
        );
        waiting = await sync.unacknowledged();
      } finally {
        await done();
      }
      const refused = sync.refusal() ? ' The broker refused the centre: see `ecr sync`.' : '';
      const refusedFr = sync.refusal() ? ' Le broker a refusé le centre : voyez `ecr sync`.' : '';
      return {
        en: `${totals.sealed} act(s) sealed, ${totals.exported} acknowledged by the server, ${totals.rejected} refusal(s), ${waiting} container(s) still waiting.${refused}`,
        fr: `${totals.sealed} acte(s) scellé(s), ${totals.exported} reçu(s) par le serveur, ${totals.rejected} refus, ${waiting} conteneur(s) encore en attente.${refusedFr}`,
      };
    },
  };
}

export function registerServeCommand(program: Command, deps: ServeDeps): void {
  const { io } = deps;
  program
    .command('serve')
    .description(
      "serve the workstation UI to browsers, on the centre's database; only this computer can reach it unless --host says otherwise",
    )
    .option(
      '--host <host>',
      "the address to listen on: 127.0.0.1 (this computer only) or the server's LAN address, 0.0.0.0 for all",
      '127.0.0.1',
    )
    .option('--port <port>', 'the port, 0-65535 (0: any free port, printed at the start)', portOption, 8080)
    .option(
      '--sync-every <seconds>',
      'also send validated acts to the central server every so many seconds, 2-300 (needs ECR_KEY_PASSPHRASE and a broker)',
      syncSeconds,
    )
    .action(async (options: { host: string; port: number; syncEvery?: number }) => {
      const language = deps.language();
      const badHost = hostProblem(options.host);
      if (badHost) throw new EcrError('usage', { detail: badHost.en, detailFr: badHost.fr });
      const config = await readWorkstationConfig(deps.dataDir());
      const { db, close } = await deps.open(config.databaseUrl);
      const service: { current?: SyncService } = {};
      try {
        const centre = await requireCentre(db);
        const passphrase = io.env.ECR_KEY_PASSPHRASE;
        if (options.syncEvery !== undefined && (!passphrase || !hasBroker(centre, io.env))) {
          throw new EcrError('usage', {
            detail: '--sync-every needs the centre key passphrase in ECR_KEY_PASSPHRASE and a broker.',
            detailFr:
              '--sync-every demande la phrase de passe de la clé du centre dans ECR_KEY_PASSPHRASE et un broker.',
          });
        }
        const rules = await readRules(db);
        const kit = centreKit({ db, centre, rules, today: deps.today });
        // Loaded here, not at the top: every other ecr command starts without the web server's modules.
        const { createWorkstation, listenWorkstation, untilAborted } = await import('@xmcomm/workstation');
        const { printHooks } = await import('./print-hooks.js');
        const web = await createWorkstation({
          kit,
          db,
          appTitle: {
            en: `Civil registration · ${centre.name ?? centre.matricule}`,
            fr: `État civil · ${centre.name ?? centre.matricule}`,
          },
          // Births, marriages, deaths and declarations have happened: no date after today.
          dateBounds: () => ({ max: deps.today() }),
          sync: syncHooks(db, centre, deps, service),
          print: printHooks({ db, centre, rules, today: deps.today }, deps.dataDir(), io.env),
          logger: { level: 'warn', stream: { write: (line) => io.stderr(line) } },
        });
        const listening = await listenWorkstation(web.fastify, options.host, options.port);
        io.stdout(`${listening.address[language]}\n`);
        if (listening.note) io.stdout(`${listening.note[language]}\n`);
        if (listening.warning) io.stderr(`${listening.warning[language]}\n`);
        if (options.syncEvery !== undefined && passphrase) {
          service.current = await startSyncService({
            db,
            centre,
            dataDir: deps.dataDir(),
            env: io.env,
            passphrase,
            everyMs: options.syncEvery * 1000,
            onEvent: (event) => {
              const line = describeEvent(event, language);
              if (line) io.stdout(`sync: ${line}\n`);
            },
            onError: (error) =>
              io.stderr(`sync: ${error instanceof Error ? error.message : String(error)}\n`),
          });
          io.stdout(
            `${t(
              language,
              `Validated acts go to the central server every ${options.syncEvery} s.`,
              `Les actes validés partent au serveur central toutes les ${options.syncEvery} s.`,
            )}\n`,
          );
        }
        io.stdout(`${t(language, 'Ctrl+C stops it.', 'Ctrl+C pour arrêter.')}\n`);
        // Until SIGINT or SIGTERM (the bin aborts io.signal): requests in hand finish, then it closes.
        await untilAborted(io.signal);
        await web.fastify.close();
        await service.current?.stop();
        io.stdout(`${t(language, 'Stopped.', 'Arrêté.')}\n`);
      } finally {
        await service.current?.stop();
        await close();
      }
    });
}
