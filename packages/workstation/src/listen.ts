import { hostname } from 'node:os';
import type { Text } from '@xmcomm/web-kit';

// What every site app's `serve` command does with its workstation UI, whatever its records: listen,
// say where to browse and whether others can reach it, and stop when asked (the address itself is
// checked while the command line is parsed: @xmcomm/cli-kit's `hostProblem` and `parsePort`).
// ECR's `ecr serve` said it first; XMJuris says the same.

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** What `listenWorkstation` says: where to browse, then a note (loopback) or a warning (plain http). */
export interface Listening {
  readonly url: string;
  readonly address: Text;
  readonly note?: Text;
  readonly warning?: Text;
}

/** The server a workstation app listens with (`createWorkstation`'s `fastify`). */
export interface ListeningServer {
  listen(options: { host: string; port: number }): Promise<unknown>;
  readonly server: { address(): unknown };
}

/**
 * Listens on `host:port` and says where: bound to every address (`0.0.0.0`, `::`), the workstations
 * use this server's name. On the loopback only this computer can reach it (a note says how to serve
 * the LAN); elsewhere passwords cross the network in plain http (a warning says to put https in front).
 */
export async function listenWorkstation(
  fastify: ListeningServer,
  host: string,
  port: number,
): Promise<Listening> {
  await fastify.listen({ host, port });
  const bound = fastify.server.address();
  const actualPort =
    typeof bound === 'object' && bound !== null && 'port' in bound ? Number(bound.port) : port;
  const everywhere = host === '0.0.0.0' || host === '::';
  const shown = everywhere ? hostname() : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shown}:${actualPort}`;
  const address = { en: `Workstation UI at ${url}/`, fr: `Interface des postes à l'adresse ${url}/` };
  if (isLoopback(host)) {
    return {
      url,
      address,
      note: {
        en: `Listening on ${host} only: this computer alone can reach it. To serve the centre's workstations, use --host with this server's LAN address (or 0.0.0.0).`,
        fr: `À l'écoute sur ${host} seulement : seul cet ordinateur peut l'atteindre. Pour servir les postes du centre, donnez --host avec l'adresse de ce serveur sur le réseau local (ou 0.0.0.0).`,
      },
    };
  }
  return {
    url,
    address,
    warning: {
      en: `Warning: served over plain http on ${host}: passwords cross the network unencrypted. Put https in front (a reverse proxy with a certificate) unless the LAN is trusted.`,
      fr: `Attention : servi en http simple sur ${host} : les mots de passe traversent le réseau en clair. Placez https devant (un proxy inverse avec un certificat), sauf réseau local de confiance.`,
    },
  };
}

/** Resolves when `signal` aborts (the bin aborts it on SIGINT or SIGTERM); never without one. */
export function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!signal || signal.aborted) {
      if (signal?.aborted) resolve();
      return;
    }
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
