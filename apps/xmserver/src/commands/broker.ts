import { randomBytes } from 'node:crypto';
import {
  type AccountOutcome,
  testAccountName,
  testBroker,
  testTopic,
  testTopicFilter,
} from '@xmcomm/mqtt-transport';
import { brokerFailure } from '../broker-errors.js';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import type { Context, Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';
import { adminCredentials, connectAdmin, registerBrokerSync } from './broker-sync.js';

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new XmServerError('invalid-argument', name, {
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

interface TestAccount {
  readonly username?: string;
  readonly password?: string;
  readonly topic: string;
  /** What provisioning did, when the admin account made the test account. */
  readonly provisioned?: AccountOutcome;
}

/**
 * With the plugin's administrator configured, the test provisions its own account
 * `xm-{server}-test`, allowed only `xm/test/{server}/+`, with a fresh random password set on
 * every run and never stored, and disables it again afterwards: no standing credential is left
 * on the broker or on disk. Without it, the test logs in with the service's account.
 */
async function withTestAccount<T>(
  ctx: Context,
  url: string,
  run: (account: TestAccount) => Promise<T>,
): Promise<T> {
  const credentials = await adminCredentials(ctx.io.env);
  const server = ctx.config.serverName;
  // One topic per run, under the one pattern the test account is allowed: runs never mix.
  const topic = testTopic(server, randomBytes(6).toString('hex'));
  if (!credentials) {
    const username = ctx.io.env.XM_BROKER_USERNAME;
    const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
    return run({ ...(username ? { username } : {}), ...(password ? { password } : {}), topic });
  }
  const { admin, url: adminUrl } = await connectAdmin(
    ctx,
    ctx.io.env.XM_BROKER_ADMIN_URL ?? url,
    credentials,
  );
  try {
    const password = randomBytes(24).toString('base64url');
    const provisioned = await admin
      .provisionTestAccount(server, password)
      .catch((cause: unknown) => Promise.reject(brokerFailure(cause, { url: adminUrl })));
    try {
      return await run({
        username: testAccountName(server),
        password,
        topic,
        provisioned,
      });
    } finally {
      await admin.disableTestAccount(server).catch((error: unknown) => {
        ctx.log.warn({ err: String(error) }, 'broker test account not disabled');
      });
    }
  } finally {
    await admin.close();
  }
}

export function registerBroker(program: XmCommand, io: Io): void {
  const broker = program.command('broker').description('the MQTT broker');
  broker
    .command('test')
    .description(
      'connect, time round trips and throughput with small containers; with XM_BROKER_ADMIN_USERNAME and XM_BROKER_ADMIN_PASSWORD[_FILE] it provisions its own test account, else it uses XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE]',
    )
    .option('--url <url>', 'the broker to test (default: the configured one)')
    .option('--mqtt3', 'MQTT 3.1.1 instead of 5 (the embedded broker)')
    .option('--messages <n>', 'messages for the throughput figure', '200')
    .option('--timeout <seconds>', 'give up after this long', '30')
    // Nothing of the server is read or changed: the broker account is the caller's own.
    .requires(access.none('broker test: reads nothing of the server'))
    .action(
      handler(
        io,
        async (ctx, options: { url?: string; mqtt3?: boolean; messages: string; timeout: string }) => {
          const url = options.url ?? ctx.config.brokerUrl;
          if (!url)
            throw new XmServerError('config-invalid', 'no broker', {
              params: { detail: 'no broker: set XM_BROKER_URL or give --url.' },
            });
          const messages = wholeNumber('--messages', options.messages, 1, 999_999);
          const timeoutMs = wholeNumber('--timeout', options.timeout, 1, 3600) * 1000;
          const { result, account } = await withTestAccount(ctx, url, async (account) => ({
            account,
            result: await testBroker(url, {
              ...(account.username === undefined ? {} : { username: account.username }),
              ...(account.password === undefined ? {} : { password: account.password }),
              topic: account.topic,
              protocolVersion: options.mqtt3 ? 4 : 5,
              messages,
              timeoutMs,
            }),
          }));
          if (!result.ok) {
            throw brokerFailure(result.error, {
              url,
              username: account.username,
              topic: account.topic,
              ...(account.provisioned
                ? {}
                : {
                    hint: {
                      en: `Set XM_BROKER_ADMIN_USERNAME and XM_BROKER_ADMIN_PASSWORD[_FILE] so that broker test provisions its own account, or allow this account to send, subscribe to and receive ${testTopicFilter(ctx.config.serverName)}.`,
                      fr: `Définissez XM_BROKER_ADMIN_USERNAME et XM_BROKER_ADMIN_PASSWORD[_FILE] pour que broker test crée son propre compte, ou autorisez ce compte à envoyer, s'abonner et recevoir sur ${testTopicFilter(ctx.config.serverName)}.`,
                    },
                  }),
            });
          }
          const r = result.value;
          const provisioned = account.provisioned
            ? {
                username: account.provisioned.username,
                action: account.provisioned.action,
                changes: account.provisioned.changes,
              }
            : null;
          ctx.print({ ...r, testAccount: provisioned }, () =>
            [
              ...(provisioned
                ? [
                    text('broker.test.account', ctx.lang, {
                      username: provisioned.username,
                      action: text(`account.${provisioned.action}`, ctx.lang),
                    }),
                  ]
                : []),
              text('broker.test.connected', ctx.lang, {
                url: r.url,
                version: r.protocolVersion === 5 ? '5' : '3.1.1',
                ms: r.connectMs,
              }),
              text('broker.test.latency', ctx.lang, r.latencyMs),
              text('broker.test.throughput', ctx.lang, {
                rate: r.throughput.messagesPerSecond,
                bytes: r.throughput.payloadBytes,
                kib: Math.round(r.throughput.bytesPerSecond / 1024),
              }),
            ].join('\n'),
          );
        },
      ),
    );
  registerBrokerSync(broker, io);
}
