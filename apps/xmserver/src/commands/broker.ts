import { testBroker } from '@xmcomm/mqtt-transport';
import { access, handler, type XmCommand } from '../command.js';
import { readSecret } from '../config.js';
import type { Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { registerBrokerSync } from './broker-sync.js';

export function registerBroker(program: XmCommand, io: Io): void {
  const broker = program.command('broker').description('the MQTT broker');
  broker
    .command('test')
    .description(
      'connect, time round trips and throughput with small containers (credentials in XM_BROKER_USERNAME, XM_BROKER_PASSWORD[_FILE])',
    )
    .option('--url <url>', 'the broker to test (default: the configured one)')
    .option('--mqtt3', 'MQTT 3.1.1 instead of 5 (the embedded broker)')
    .option('--messages <n>', 'messages for the throughput figure', '200')
    // Nothing of the server is read or changed: the broker account is the caller's own.
    .requires(access.none('broker test: reads nothing of the server'))
    .action(
      handler(io, async (ctx, options: { url?: string; mqtt3?: boolean; messages: string }) => {
        const url = options.url ?? ctx.config.brokerUrl;
        if (!url)
          throw new XmServerError('config-invalid', 'no broker', {
            params: { detail: 'no broker: set XM_BROKER_URL or give --url.' },
          });
        if (!/^\d{1,6}$/.test(options.messages) || Number(options.messages) < 1) {
          throw new XmServerError('invalid-argument', 'messages', {
            params: {
              name: '--messages',
              value: options.messages,
              hint: 'Expected a whole number.',
              hintFr: 'Nombre entier attendu.',
            },
          });
        }
        const password = await readSecret(ctx.io.env, 'XM_BROKER_PASSWORD');
        const username = ctx.io.env.XM_BROKER_USERNAME;
        const result = await testBroker(url, {
          ...(username ? { username } : {}),
          ...(password ? { password } : {}),
          protocolVersion: options.mqtt3 ? 4 : 5,
          messages: Number(options.messages),
        });
        if (!result.ok) {
          throw new XmServerError('broker-unreachable', 'broker test failed', {
            cause: result.error,
            params: { url, detail: result.error.message },
          });
        }
        const r = result.value;
        ctx.print(r, () =>
          [
            `${r.url} (MQTT ${r.protocolVersion === 5 ? '5' : '3.1.1'}): connected in ${r.connectMs} ms`,
            `round trip: median ${r.latencyMs.median} ms, p95 ${r.latencyMs.p95} ms, max ${r.latencyMs.max} ms`,
            `throughput: ${r.throughput.messagesPerSecond} containers/s of ${r.throughput.payloadBytes} bytes (${Math.round(r.throughput.bytesPerSecond / 1024)} KiB/s)`,
          ].join('\n'),
        );
      }),
    );
  registerBrokerSync(broker, io);
}
