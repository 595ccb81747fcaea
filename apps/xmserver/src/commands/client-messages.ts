import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { syncCharging } from '@xmcomm/billing';
import { downTopic, TransportError } from '@xmcomm/mqtt-transport';
import { codecDictionaries } from '@xmcomm/schema';
import { createSdcCodec, createServerSigners, createServerSync } from '@xmcomm/status-sync';
import type { Command } from 'commander';
import mqtt from 'mqtt';
import { audited } from '../audit.js';
import { brokerFailure } from '../broker-errors.js';
import { getClient, parseMatricule } from '../clients.js';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import type { Context, Io } from '../context.js';
import { loadDictionaries } from '../dictionaries.js';
import { XmServerError } from '../errors.js';
import { describeError, text } from '../messages.js';
import { openIdentity } from '../pki-store.js';

/** Longest text message, in characters: it travels to sites over satellite links. */
export const maxMessageLength = 2000;

export interface SendOptions {
  url?: string;
  mqtt3?: boolean;
}

/**
 * Seals one control container for a site with status-sync's server side (`pushProfile`,
 * `pushMessage`), encrypted to the site's current certificate and signed by the server.
 */
export async function sealFor(
  ctx: Context,
  matricule: string,
  make: (sync: ReturnType<typeof createServerSync>) => Promise<Uint8Array | null>,
): Promise<Uint8Array> {
  const db = await ctx.database();
  const client = await getClient(db, matricule);
  const certificate = await db
    .selectFrom('xm_system.certificates')
    .select('der')
    .where('client_id', '=', client.id)
    .where('purpose', '=', 'site')
    .where('revoked_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!certificate) {
    throw new XmServerError('unknown-certificate', 'no site certificate', {
      params: { serial: `in force for ${matricule} (xmserver client enrol)` },
    });
  }
  const identity = await openIdentity(db, ctx.config.dataDir, ctx.io.env);
  const server = {
    privateKey: identity.serverKeyPem,
    passphrase: identity.passphrase,
    certificate: identity.serverCertificatePem,
  };
  const codec = createSdcCodec({
    signer: server,
    recipient: server,
    signers: await createServerSigners(db),
    recipientsFor: async () => [{ certificate: new Uint8Array(certificate.der) }],
    // The deployment's dictionaries, as `init --dictionary` recorded them (default: the Cameroon list).
    ...codecDictionaries(await loadDictionaries(db)),
  });
  // Billing's status gate decides who may receive what, as in the service, and its account state
  // (balance, currency) goes into the account message; nothing is charged here.
  const sync = createServerSync({
    db,
    codec,
    serverMatricule: ctx.config.serverName,
    charging: syncCharging(`xmserver-${ctx.config.serverName}-${hostname()}-${process.pid}`),
  });
  const sealed = await make(sync);
  if (!sealed) {
    throw new XmServerError('invalid-status', 'suspended', {
      params: { value: `${client.status} (${matricule} is suspended and may not receive anything)` },
    });
  }
  return sealed;
}

/**
 * Publishes one container to the site's down topic with QoS 1 on a short connection of the
 * server's account, and resolves at the broker's PUBACK: the site's persistent session holds it
 * until the site connects. No subscription: this must not take a share of the sites' uplink.
 */
export async function publishDown(
  ctx: Context,
  matricule: string,
  payload: Uint8Array,
  options: SendOptions,
) {
  if (options.mqtt3 !== undefined) return publishOnce(ctx, matricule, payload, options);
  try {
    return await publishOnce(ctx, matricule, payload, options);
  } catch (error) {
    // A broker that speaks MQTT 3.1.1 only (the embedded one) refuses version 5 at once: ask again in 3.1.1.
    if (!refusedProtocol(error)) throw error;
    return publishOnce(ctx, matricule, payload, { ...options, mqtt3: true });
  }
}

/** CONNACK 1 (MQTT 3.1.1) or 0x84 (MQTT 5): the broker does not speak the version asked. */
function refusedProtocol(error: unknown): boolean {
  const reasonCode = (error as { cause?: { reasonCode?: unknown } } | undefined)?.cause?.reasonCode;
  return reasonCode === 1 || reasonCode === 0x84;
}

async function publishOnce(ctx: Context, matricule: string, payload: Uint8Array, options: SendOptions) {
  const url = options.url ?? ctx.config.brokerUrl;
  if (!url) {
    throw new XmServerError('config-invalid', 'no broker', {
      params: { detail: 'no broker: set XM_BROKER_URL or give --url.' },
    });
  }
  const username = ctx.io.env.XM_BROKER_USERNAME;
  const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
  const topic = downTopic(ctx.config.serverName, matricule);
  const client = mqtt.connect(url, {
    clientId: `xmserver-cli-${randomUUID()}`,
    protocolVersion: options.mqtt3 ? 4 : 5,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  });
  // Listeners kept for the whole connection: an 'error' with none would end the process.
  const failed = new Promise<never>((_, reject) => {
    client.on('error', (error) => reject(asTransportError(error)));
    client.on('close', () => reject(new TransportError('CONNECTION_LOST', `connection to ${url} closed`)));
  });
  failed.catch(() => {});
  try {
    await Promise.race([new Promise<void>((resolve) => client.once('connect', () => resolve())), failed]);
    await Promise.race([
      new Promise<void>((resolve, reject) =>
        client.publish(topic, Buffer.from(payload), { qos: 1 }, (error, packet) => {
          const code = (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
          if (error) reject(asTransportError(error, 'PUBLISH_FAILED'));
          else if (code >= 128)
            reject(new TransportError('PUBLISH_FAILED', `reason ${code}`, { reasonCode: code }));
          else resolve();
        }),
      ),
      failed,
    ]);
  } catch (cause) {
    throw brokerFailure(cause, { url, username, topic });
  } finally {
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
  return { topic, bytes: payload.byteLength };
}

/** What went to which site, by whom, for the audit log; the text itself stays out of it. */
export async function record(
  ctx: Context,
  action: string,
  matricule: string,
  details: Record<string, number>,
) {
  await audited(await ctx.database(), ctx.operator, action, async () => ({
    result: undefined,
    target: matricule,
    details,
  }));
}

export type Told =
  | { readonly told: true; readonly bytes: number }
  | { readonly told: false; readonly why: string };

/**
 * Tells a site its account after the operator changed its status or credit, so that acts the
 * server refused for the account's sake (they wait at the site, validated) go again at once. The
 * change itself is made already: a site that cannot be told now (no broker configured or reachable,
 * no certificate, suspended) learns at its next account query (`ecr account`), and the command says so.
 */
export async function tellAccount(ctx: Context, matricule: string): Promise<Told> {
  if (!ctx.config.brokerUrl) return { told: false, why: text('told.no-broker', ctx.lang) };
  try {
    const sealed = await sealFor(ctx, matricule, (sync) => sync.pushAccount(matricule));
    const sent = await publishDown(ctx, matricule, sealed, {});
    return { told: true, bytes: sent.bytes };
  } catch (error) {
    if (!XmServerError.isInstance(error)) throw error;
    return { told: false, why: describeError(error.code, error.params, ctx.lang) };
  }
}

/** The line a command prints after telling (or not) a site its account. */
export function toldLine(ctx: Context, matricule: string, told: Told): string {
  return told.told
    ? text('told.yes', ctx.lang, { matricule, bytes: told.bytes })
    : text('told.no', ctx.lang, { matricule, why: told.why });
}

export const withSendOptions = (command: Command) =>
  command
    .option(
      '--url <url>',
      'the broker (default: the configured one; account in XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])',
    )
    .option('--mqtt3', 'MQTT 3.1.1 instead of 5 (the embedded broker)');

/** `client profile` and `client message`: the server speaks first, through status-sync and the broker. */
export function registerClientMessages(client: XmCommand, io: Io): void {
  withSendOptions(
    client
      .command('profile')
      .description(
        'send a site its profile as the register holds it (name, status, domain, region, locality)',
      )
      .argument('<matricule>')
      .requires(access.operator),
  ).action(
    handler(io, async (ctx, raw: string, options: SendOptions) => {
      const matricule = parseMatricule(raw);
      const sealed = await sealFor(ctx, matricule, (sync) => sync.pushProfile(matricule));
      const sent = await publishDown(ctx, matricule, sealed, options);
      await record(ctx, 'client.profile', matricule, { bytes: sent.bytes });
      ctx.print(
        { matricule, sent: 'profile', ...sent },
        () => `Profile sent to ${matricule} (${sent.bytes} bytes).`,
      );
    }),
  );

  withSendOptions(
    client
      .command('message')
      .description('send a site a text message; it waits at the broker until the site connects')
      .argument('<matricule>')
      .requiredOption('--text <text>', `the message, at most ${maxMessageLength} characters`)
      .requires(access.operator),
  ).action(
    handler(io, async (ctx, raw: string, options: SendOptions & { text: string }) => {
      const matricule = parseMatricule(raw);
      const text = options.text.trim();
      if (text === '' || text.length > maxMessageLength) {
        throw new XmServerError('invalid-argument', 'text', {
          params: {
            name: '--text',
            value: `${text.length} characters`,
            hint: `Expected 1-${maxMessageLength} characters.`,
            hintFr: `1 à ${maxMessageLength} caractères attendus.`,
          },
        });
      }
      const sealed = await sealFor(ctx, matricule, (sync) => sync.pushMessage(matricule, text));
      const sent = await publishDown(ctx, matricule, sealed, options);
      await record(ctx, 'client.message', matricule, { bytes: sent.bytes, characters: text.length });
      ctx.print(
        { matricule, sent: 'message', ...sent },
        () => `Message sent to ${matricule} (${sent.bytes} bytes).`,
      );
    }),
  );
}

/**
 * MQTT.js's errors as the transport's: a refusing CONNACK or PUBACK carries its reason code as a
 * number (socket and TLS errors have string codes).
 */
function asTransportError(error: Error, otherwise: 'CONNECT_FAILED' | 'PUBLISH_FAILED' = 'CONNECT_FAILED') {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number') return new TransportError(otherwise, error.message, { cause: error });
  if (otherwise === 'PUBLISH_FAILED')
    return new TransportError('PUBLISH_FAILED', error.message, { cause: error, reasonCode: code });
  const login = code === 134 || code === 135 || code === 4 || code === 5;
  return new TransportError(login ? 'NOT_AUTHORIZED' : 'CONNECT_REFUSED', error.message, {
    cause: error,
    reasonCode: code,
  });
}
