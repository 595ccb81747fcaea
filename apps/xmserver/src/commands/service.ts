import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import { formatTable, type Io } from '../context.js';
import { XmServerError } from '../errors.js';

function count(name: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new XmServerError('invalid-argument', `invalid ${name}`, {
      params: {
        name,
        value: raw,
        hint: `Expected a whole number from ${min} to ${max}.`,
        hintFr: `Nombre entier de ${min} à ${max} attendu.`,
      },
    });
  }
  return Number(raw);
}

export function registerService(program: XmCommand, io: Io): void {
  program
    .command('run')
    .description(
      'the service: receive and apply containers, answer with receipts; /metrics and /healthz while up; SIGTERM finishes the work in hand',
    )
    .option('--metrics-port <n>', 'port of /metrics and /healthz (0: none)')
    .option(
      '--concurrency <n>',
      'containers in hand at once, one broker connection each, 1-1024 (default 256; 1 with --embedded-broker)',
    )
    .option('--embedded-broker', 'the broker is MQTT 3.1.1 without shared subscriptions (one process only)')
    // The service acts for no operator: it proves itself with the server keys' passphrase, and
    // changes only what the sites' signed containers ask for.
    .requires(access.none('the service: it proves itself with the key passphrase'))
    .action(
      handler(
        io,
        async (ctx, options: { embeddedBroker?: boolean }) => {
          const { config } = ctx;
          if (!config.brokerUrl) {
            throw new XmServerError('config-invalid', 'no broker', {
              params: { detail: 'no broker: set XM_BROKER_URL or --broker-url.' },
            });
          }
          // Containers are applied in batches, one transaction at a time, whatever the number in
          // hand: a few connections are enough, and PostgreSQL's max_connections covers many processes.
          const db = await ctx.database({ maxConnections: 8 });
          const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
          const username = ctx.io.env.XM_BROKER_USERNAME;
          // Loaded here: the service's modules (metrics, broker) would slow every other command's start.
          const { startService } = await import('../service.js');
          const service = await startService({
            db,
            dataDir: config.dataDir,
            env: ctx.io.env,
            serverName: config.serverName,
            broker: {
              url: config.brokerUrl,
              ...(username ? { username } : {}),
              ...(password ? { password } : {}),
            },
            shared: options.embeddedBroker !== true,
            housekeepingSeconds: config.housekeepingSeconds,
            concurrency: config.concurrency,
            metricsPort: config.metricsPort === 0 ? null : config.metricsPort,
            log: ctx.log,
          });
          ctx.log.info(
            { server: config.serverName, metrics: service.metricsUrl, concurrency: service.concurrency },
            'service running',
          );
          ctx.print(
            { status: 'running', metrics: service.metricsUrl ?? null },
            () => `xmserver running${service.metricsUrl ? `; metrics at ${service.metricsUrl}/metrics` : ''}`,
          );
          await new Promise<void>((resolvePromise) => {
            const stop = (signal: NodeJS.Signals) => {
              ctx.log.info({ signal }, 'stopping: finishing the containers in hand');
              process.off('SIGTERM', stop);
              process.off('SIGINT', stop);
              resolvePromise();
            };
            process.on('SIGTERM', stop);
            process.on('SIGINT', stop);
          });
          await service.stop();
          ctx.log.info(service.counters(), 'service stopped');
        },
        (options) => ({
          ...(typeof options.metricsPort === 'string' ? { metricsPort: Number(options.metricsPort) } : {}),
          ...(typeof options.concurrency === 'string' ? { concurrency: Number(options.concurrency) } : {}),
        }),
      ),
    );

  program
    .command('demo')
    .description(
      'everything embedded (database, broker, server) and N simulated civil registration sites that validate and send M acts each; ends by itself',
    )
    .option('--sites <n>', 'simulated sites (1-10)', '3')
    .option('--acts <m>', 'acts per site', '20')
    .option('--timeout <seconds>', 'give up waiting for receipts after this long', '50')
    // Its own embedded database, broker and sites, nothing of a real server's: no one to authenticate.
    .requires(access.none('the demo: self-contained'))
    .action(
      handler(
        io,
        async (ctx, options: { sites: string; acts: string; timeout: string; dataDir?: string }) => {
          // Each simulated site has its own embedded database (about 350 MB of memory): ten is plenty for a demo.
          const sites = count('--sites', options.sites, 1, 10);
          const acts = count('--acts', options.acts, 1, 5000);
          const timeoutMs = count('--timeout', options.timeout, 5, 3600) * 1000;
          const keep = options.dataDir !== undefined || ctx.io.env.XM_DATA_DIR;
          if (keep && ctx.config.file.found) {
            // The demo makes its own embedded database: never beside, or instead of, a server's own.
            throw new XmServerError('invalid-argument', 'a server data directory', {
              params: {
                name: '--data-dir',
                value: ctx.config.dataDir,
                hint: `It holds a real server (it has ${ctx.config.file.path}): give the demo a new directory of its own.`,
                hintFr: `Il contient un vrai serveur (il a ${ctx.config.file.path}) : donnez à la démonstration un nouveau répertoire à elle.`,
              },
            });
          }
          const { runDemo } = await import('../demo.js');
          const result = await runDemo({
            sites,
            acts,
            // Kept only when asked for (--data-dir or XM_DATA_DIR); otherwise a temporary directory, removed at the end.
            dataDir: keep ? ctx.config.dataDir : undefined,
            timeoutMs,
            log: ctx.log,
            progress: (line) => {
              if (!ctx.json) ctx.io.stdout.write(`- ${line}\n`);
            },
          });
          if (!ctx.json) {
            ctx.io.stdout.write(
              `${formatTable(
                ['site', 'drafted', 'validated', 'acknowledged', 'centralised'],
                result.sites.map((s) => [s.matricule, s.drafted, s.validated, s.acknowledged, s.centralised]),
              )}\n`,
            );
          }
          ctx.print(
            result,
            () =>
              `validated ${result.validated}, centralised ${result.centralised} in ${result.containers} containers, ${result.seconds} s${result.complete ? '' : ' (INCOMPLETE)'}`,
          );
          if (!result.complete) {
            throw new XmServerError('unavailable-feature', 'demo incomplete', {
              params: {
                feature: 'demo',
                detail: `only ${result.centralised} of ${result.validated} acts were centralised before the timeout.`,
              },
            });
          }
        },
      ),
    );
}
