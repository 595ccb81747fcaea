import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { syncCharging } from '@xmcomm/billing';
import { type BrokerOptions, ServerTransport } from '@xmcomm/mqtt-transport';
import { describePkiError, importPrivateKey } from '@xmcomm/pki';
import { codecDictionaries, describeDictionaries } from '@xmcomm/schema';
import {
  type ApplyOutcome,
  type Charging,
  createSdcCodec,
  createServerSigners,
  createServerSync,
  type ServerSync,
  serverRecipients,
} from '@xmcomm/status-sync';
import { Counter, Gauge, Registry } from 'prom-client';
import { brokerFailure } from './broker-errors.js';
import { Coalescer } from './coalescer.js';
import { defaultConcurrency } from './config.js';
import type { ServerDb } from './database.js';
import { loadDictionaries } from './dictionaries.js';
import { XmServerError } from './errors.js';
import { acceptedTables } from './form-tables.js';
import type { Logger } from './logger.js';
import { openIdentity } from './pki-store.js';
import { recordRefusal } from './refusals.js';
import { restrictedTables } from './restricted-tables.js';

export interface ServiceOptions {
  readonly db: ServerDb;
  readonly dataDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly serverName: string;
  readonly broker: BrokerOptions;
  /** false for the embedded broker (MQTT 3.1.1, no shared subscriptions): one process only. */
  readonly shared: boolean;
  readonly housekeepingSeconds: number;
  /**
   * Containers in hand at once: one receiving connection each in the shared subscription (1
   * without shared subscriptions). They are applied in batches of up to `maxBatch`.
   */
  readonly concurrency?: number;
  /** Most containers applied in one database transaction (default: half the concurrency). */
  readonly maxBatch?: number;
  /** Port of /metrics and /healthz; 0 picks a free one, null disables them. */
  readonly metricsPort: number | null;
  readonly log: Logger;
}

export interface ServiceCounters {
  readonly applied: number;
  readonly duplicates: number;
  readonly refused: number;
  readonly rowsAccepted: number;
  readonly rowsRejected: number;
}

export interface RunningService {
  readonly sync: ServerSync;
  readonly counters: () => ServiceCounters;
  /** Containers in hand at once (receiving connections). */
  readonly concurrency: number;
  /** Where /metrics and /healthz answer, if enabled. */
  readonly metricsUrl: string | undefined;
  /** Stops taking containers, finishes the ones in hand, then closes the links. */
  stop(): Promise<void>;
}

/** The service: receives containers, applies them exactly once, answers with receipts; metrics while up. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const { db, log } = options;
  const identity = await openIdentity(db, options.dataDir, options.env);
  // Decrypted once: the key's KDF is deliberately slow, and every encoder would otherwise pay it.
  const serverKey = importPrivateKey(identity.serverKeyPem, { passphrase: identity.passphrase });
  if (!serverKey.ok)
    throw new XmServerError('key-unavailable', 'server key', {
      cause: serverKey.error,
      params: {
        detail: describePkiError(serverKey.error.code, 'en'),
        detailFr: describePkiError(serverKey.error.code, 'fr'),
      },
    });
  const signers = await createServerSigners(db);
  const dictionaries = await loadDictionaries(db);
  log.info(describeDictionaries(dictionaries), 'dictionaries');
  // The contract's tables, the criminal record's (restricted, below) and the installed forms'
  // (docs/docstream.md), taken in again at housekeeping.
  const { tables, refresh: takeInForms } = await acceptedTables(db);
  const serverIdentity = { privateKey: serverKey.value, certificate: identity.serverCertificatePem };
  const codec = createSdcCodec({
    signer: serverIdentity,
    recipient: serverIdentity,
    signers,
    // Called by status-sync's prepare() before the apply transaction opens (a one-connection
    // embedded database could not answer inside it), then cached per site for a minute: a
    // re-enrolled site gets receipts for its new certificate within that time.
    recipientsFor: serverRecipients(db),
    // The deployment's dictionaries, as `init --dictionary` recorded them (default: the Cameroon list).
    ...codecDictionaries(dictionaries),
    tables,
  });
  const actor = `xmserver-${options.serverName}-${hostname()}-${process.pid}`;
  // Billing's own gate and ledger: an act is charged once (billing is idempotent per container
  // and row), an account without credit gets an insufficient-credit receipt; a batch's charges go
  // in a handful of statements inside the batch's transaction.
  const charging: Charging = syncCharging(actor);
  const sync = createServerSync({
    db,
    codec,
    serverMatricule: options.serverName,
    charging,
    tables,
    restrictedTables,
  });

  // MQTT.js hands a connection's messages over one at a time and sends the PUBACK only when the
  // handler resolved, so a container in hand costs one receiving connection; acknowledging out of
  // order on one connection would mean writing PUBACKs behind MQTT.js's back (no public API).
  // Connections are cheap (a socket and a small client object on each side), so the simple
  // design is one per container in hand: twice the batch size, so that while one batch commits
  // the next one fills. With only as many as a batch, every batch was followed by a batch of one
  // (the first container to arrive after the acknowledgements found the applier free). Without
  // shared subscriptions a second connection would get every container again.
  const concurrency = options.shared ? Math.max(1, options.concurrency ?? defaultConcurrency) : 1;
  // Containers arriving on all connections meanwhile are applied together, in one transaction:
  // one commit (and its fsync) per batch instead of one per container. A second batch goes beside
  // the first only once full, so that its containers are decrypted and checked while the first
  // is in the database (with any batch, a free applier started at once on the one container that
  // had just arrived, and paid a transaction for it).
  const batches = new Coalescer<Uint8Array, ApplyOutcome>({
    apply: (payloads) => sync.applyBatch(payloads),
    maxBatch: options.maxBatch ?? Math.ceil(concurrency / 2),
    maxInFlight: 2,
  });
  // Receipts being published: stop() lets them reach the broker before closing the links.
  const sending = new Set<Promise<void>>();
  const registry = new Registry();
  const containers = new Counter({
    name: 'xmserver_containers_total',
    help: 'Containers received, by outcome',
    labelNames: ['status'],
    registers: [registry],
  });
  const rows = new Counter({
    name: 'xmserver_rows_total',
    help: 'Rows received, by outcome',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const connected = new Gauge({
    name: 'xmserver_broker_connections',
    help: 'Broker connections up',
    registers: [registry],
  });
  const counts = { applied: 0, duplicates: 0, refused: 0, rowsAccepted: 0, rowsRejected: 0 };

  const transport = new ServerTransport({
    ...options.broker,
    server: options.serverName,
    shared: options.shared,
    ...(options.shared ? {} : { protocolVersion: 4 as const }),
    connections: concurrency,
    // Unique per process, and no session kept: two processes on one host must not take over each
    // other's session, and a stopped process must not hold its share of containers at the broker.
    // Nothing is lost: a site re-sends every container that got no receipt.
    clientIdPrefix:
      `xms-${options.serverName}-${hostname()}`.slice(0, 40) +
      `-${process.pid}-${randomBytes(3).toString('hex')}`,
    sessionExpirySeconds: 0,
    handler: {
      onContainer: async (matricule, payload) => {
        const outcome = await batches.submit(payload);
        containers.inc({ status: outcome.status });
        if (outcome.status === 'applied') {
          counts.applied += 1;
          counts.rowsAccepted += outcome.accepted;
          counts.rowsRejected += outcome.rejected;
          rows.inc({ outcome: 'accepted' }, outcome.accepted);
          rows.inc({ outcome: 'rejected' }, outcome.rejected);
        } else if (outcome.status === 'duplicate') counts.duplicates += 1;
        else {
          counts.refused += 1;
          log.warn({ matricule, reason: outcome.reason }, 'container refused');
        }
        // Kept for the console's dashboard; a failure to keep it does not hold the container.
        await recordRefusal(db, { ...outcome, sender: outcome.sender ?? matricule }).catch((error: unknown) =>
          log.error({ err: error, matricule }, 'refusal not recorded'),
        );
        // Replies go to the topic the container came from, and only when the signer is that site.
        if (outcome.sender !== matricule || outcome.replies.length === 0) return;
        // The container is acknowledged without waiting for its receipt's PUBACK: the receipt is
        // committed with the container, and a site that misses it sends the container again and
        // gets the same receipt. Waiting would hold the connection, and so a container in hand,
        // for a round trip to the broker per container.
        const sent = (async () => {
          for (const reply of outcome.replies) await transport.send(matricule, reply);
        })().catch((error: unknown) =>
          log.warn({ matricule, container: outcome.containerId, err: String(error) }, 'receipt not sent'),
        );
        sending.add(sent);
        void sent.finally(() => sending.delete(sent));
      },
    },
  });
  transport.on('error', (error) => log.warn({ code: error.code, err: error.message }, 'broker'));
  transport.on('connected', () => connected.set(transport.connected));
  transport.on('disconnected', () => connected.set(transport.connected));

  // The metrics port is taken before the broker is joined: a port in use fails at once, in words,
  // instead of after the connections are up (and no container is taken by a process about to fail).
  let http: Server | undefined;
  let metricsUrl: string | undefined;
  if (options.metricsPort !== null) {
    http = createServer((request, response) => {
      if (request.url === '/healthz') {
        const healthy = transport.connected > 0;
        response.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: healthy ? 'ok' : 'broker-disconnected', ...counts }));
      } else if (request.url === '/metrics') {
        registry.metrics().then(
          (body) => {
            response.writeHead(200, { 'content-type': registry.contentType });
            response.end(body);
          },
          () => {
            response.writeHead(500);
            response.end();
          },
        );
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await listen(http, options.metricsPort, '127.0.0.1');
    // After listening, an error (a refused accept under EMFILE) leaves the server up: log it.
    http.on('error', (error) => log.warn({ err: String(error) }, 'metrics server'));
    metricsUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }
  const closeHttp = async () => {
    const server = http;
    if (server) await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  };

  try {
    await transport.start();
  } catch (cause) {
    // start() refuses a login or a subscription instead of retrying forever: say which.
    await batches.close();
    await closeHttp();
    throw brokerFailure(cause, { url: options.broker.url, username: options.broker.username });
  }
  connected.set(transport.connected);

  const housekeeping = setInterval(() => {
    signers.reload().catch((error: unknown) => log.warn({ err: String(error) }, 'housekeeping'));
    takeInForms().catch((error: unknown) => log.warn({ err: String(error) }, 'housekeeping forms'));
    log.info({ ...counts, connections: transport.connected }, 'housekeeping');
  }, options.housekeepingSeconds * 1000);
  housekeeping.unref();

  return {
    sync,
    counters: () => ({ ...counts }),
    concurrency,
    metricsUrl,
    async stop() {
      clearInterval(housekeeping);
      // Containers still arriving are refused (not acknowledged: the broker or the site brings
      // them again); the ones taken are applied and answered before the links close.
      await batches.close();
      await Promise.all(sending);
      await transport.stop();
      await closeHttp();
    },
  };
}

/** Listens, or fails with `port-unavailable` naming the address, the reason and the setting to change. */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolvePromise, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      const reasons: Record<string, { en: string; fr: string }> = {
        EADDRINUSE: {
          en: 'another process already listens on it (another xmserver?)',
          fr: "un autre processus l'écoute déjà (un autre xmserver ?)",
        },
        EACCES: {
          en: 'permission denied (ports below 1024 need privileges)',
          fr: 'permission refusée (les ports sous 1024 demandent des privilèges)',
        },
      };
      const reason = reasons[error.code ?? ''] ?? { en: error.message, fr: error.message };
      reject(
        new XmServerError('port-unavailable', `cannot listen on ${host}:${port}`, {
          cause: error,
          params: {
            address: `${host}:${port}`,
            reason: reason.en,
            reasonFr: reason.fr,
            option: '--metrics-port',
            env: 'XM_METRICS_PORT',
            setting: 'metricsPort',
            off: '0 turns /metrics and /healthz off',
            offFr: '0 désactive /metrics et /healthz',
          },
        }),
      );
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolvePromise();
    });
  });
}
