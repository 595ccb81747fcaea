import { readFile } from 'node:fs/promises';
import { access, handler, type XmCommand } from '../command.js';
import type { GlobalOptions, Io } from '../context.js';
import { XmServerError } from '../errors.js';
import { text } from '../messages.js';

interface ConsoleOptions extends GlobalOptions {
  host: string;
  port?: string;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: boolean;
  lowCredit: string;
}

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

function integer(name: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new XmServerError('invalid-argument', `invalid ${name}`, {
      params: { name, value: raw, hint: `Expected ${min}-${max}.`, hintFr: `${min} à ${max} attendu.` },
    });
  }
  return Number(raw);
}

/** The global options a command run by the console repeats, so it reads the same configuration. */
function globalArgs(options: GlobalOptions): string[] {
  const args: string[] = [];
  if (options.dataDir) args.push('--data-dir', options.dataDir);
  if (options.databaseUrl) args.push('--database-url', options.databaseUrl);
  if (options.brokerUrl) args.push('--broker-url', options.brokerUrl);
  if (options.serverName) args.push('--server-name', options.serverName);
  return args;
}

export function registerConsole(program: XmCommand, io: Io): void {
  program
    .command('console')
    .description(
      "serve the operators' web console (the same checks and the same audit log as the command line)",
    )
    .option('--host <address>', 'address to listen on (default 127.0.0.1: this machine only)', '127.0.0.1')
    .option('--port <n>', 'port (default 8443 with TLS, 8080 without)')
    .option('--tls-cert <file>', 'TLS server certificate, PEM (with --tls-key)')
    .option('--tls-key <file>', 'TLS private key, PEM (with --tls-cert)')
    .option('--trust-proxy', 'behind a reverse proxy: trust its X-Forwarded-For and X-Forwarded-Proto')
    .option('--low-credit <amount>', 'a balance below this is "low" (default 5000)', '5000')
    .requires(access.own('the console authenticates each request with an operator session'))
    .action(
      handler(io, async (ctx, options: ConsoleOptions) => {
        if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
          throw new XmServerError('invalid-argument', 'tls', {
            params: {
              name: options.tlsCert ? '--tls-key' : '--tls-cert',
              value: 'missing',
              hint: 'Give both --tls-cert and --tls-key, or neither.',
              hintFr: 'Donnez --tls-cert et --tls-key, ou aucun des deux.',
            },
          });
        }
        const tls = options.tlsCert && options.tlsKey;
        const port = integer('--port', options.port ?? (tls ? '8443' : '8080'), 0, 65535);
        const lowCredit = integer('--low-credit', options.lowCredit, 0, 1_000_000_000);
        const db = await ctx.database();
        // Loaded here: the web server's modules would slow every other command's start.
        const { createConsole } = await import('../console/app.js');
        const web = await createConsole({
          db,
          env: ctx.io.env,
          cwd: ctx.io.cwd,
          globalArgs: globalArgs(options),
          lowCredit,
          ...(options.tlsCert && options.tlsKey
            ? { https: { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) } }
            : {}),
          ...(options.trustProxy ? { trustProxy: true } : {}),
        });
        const address = await web.fastify.listen({ host: options.host, port });
        ctx.io.stderr.write(`xmserver console: ${address}\n`);
        if (!tls && !options.trustProxy && !isLoopback(options.host))
          ctx.io.stderr.write(`${text('console.plain-http', ctx.lang, { host: options.host })}\n`);
        await new Promise<void>((resolvePromise) => {
          const stop = () => {
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            resolvePromise();
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
        await web.fastify.close();
      }),
    );
}
