import type { TransportError } from '@xmcomm/mqtt-transport';
import type { ContainerCodec, OpenedContainer } from '@xmcomm/status-sync';

// What a site needs to talk to the central server: its codec (its key, the server's certificate,
// the national CA), its matricule, the server's, and the broker when one carries its containers.
// A site app builds these from its own files and settings (ECR: `openCentreLink`, `brokerSettings`).

/** The broker that carries a site's outbox. */
export interface BrokerSettings {
  readonly url: string;
  /** The broker login: the site's matricule unless the site app says otherwise. */
  readonly username?: string;
  readonly password?: string;
  /** PEM of the CA of the broker's TLS certificate (pinned). */
  readonly ca?: string;
  /** 5 (default) or 4 for an MQTT 3.1.1 broker such as the embedded one. */
  readonly protocolVersion: 4 | 5;
}

export interface SiteLink {
  readonly matricule: string;
  /** The server's matricule: the sender of every container the site accepts, and `{server}` in topics. */
  readonly serverName: string;
  readonly codec: ContainerCodec;
  /** The last containers opened, by their bytes: what came back is reported from them. */
  readonly opened: WeakMap<Uint8Array, OpenedContainer>;
}

/** A link whose codec keeps each container it opens in `opened` (what `createRecordSync` reports from). */
export function createSiteLink(options: {
  readonly matricule: string;
  readonly serverName: string;
  readonly codec: ContainerCodec;
}): SiteLink {
  const { codec } = options;
  const opened = new WeakMap<Uint8Array, OpenedContainer>();
  return {
    matricule: options.matricule,
    serverName: options.serverName,
    opened,
    codec: {
      seal: (input) => codec.seal(input),
      prepare: (recipient) => codec.prepare?.(recipient) ?? Promise.resolve(),
      async open(bytes) {
        const result = await codec.open(bytes);
        if (result.ok) opened.set(bytes, result.value);
        return result;
      },
    },
  };
}

/**
 * A refused login, as opposed to a broker out of reach: the broker answered, and said no to this
 * site (MQTT 5 134 bad credentials, 135 not authorised, 138 banned; MQTT 3.1.1 4 and 5).
 */
export function isLoginRefusal(error: TransportError): boolean {
  return error.code === 'NOT_AUTHORIZED' || (error.code === 'CONNECT_REFUSED' && error.reasonCode === 138);
}
