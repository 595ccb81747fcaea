import { SiteTransport } from '@xmcomm/mqtt-transport';
import { TrustStore } from '@xmcomm/pki';
import { type ContainerCodec, createSdcCodec } from '@xmcomm/status-sync';
import { createActGenerator, travellingRow } from './acts.js';
import type { ServerPki, SiteKeys } from './registry.js';

/** A site's codec: signs as the site, encrypts for the server, trusts only the server's receipts. */
export function siteCodec(site: SiteKeys, pki: ServerPki, serverName: string): ContainerCodec {
  const trust = new TrustStore();
  trust.addTrustAnchor(pki.caPem);
  const registered = trust.registerCertificate(pki.serverCertificatePem, { matricule: serverName });
  if (!registered.ok) throw registered.error;
  const identity = { privateKey: site.privateKey, certificate: site.certificate.der };
  return createSdcCodec({
    signer: identity,
    recipient: identity,
    signers: trust,
    recipientsFor: () => [{ certificate: pki.serverCertificatePem }],
  });
}

/** A simulated site of the national runs: its keys, its codec and its counters, kept across runs. */
export interface SimulatedSite {
  readonly keys: SiteKeys;
  readonly codec: ContainerCodec;
  nextNumero: number;
  nextSequence: number;
}

export function simulatedSites(
  active: readonly SiteKeys[],
  pki: ServerPki,
  serverName: string,
): SimulatedSite[] {
  return active.map((keys) => ({
    keys,
    codec: siteCodec(keys, pki, serverName),
    nextNumero: 1,
    nextSequence: 1,
  }));
}

const acts = createActGenerator(11);

/**
 * Containers sealed ahead of the timed window, as each site's export would have sealed them:
 * `perSite` containers of `rows` rows for each site. Sealing is the sites' work, done on their own
 * machines in reality; here it would compete with the server for the same two cores.
 */
export async function sealAhead(
  sites: readonly SimulatedSite[],
  serverName: string,
  options: { readonly perSite: number; readonly rows: number },
): Promise<Map<string, Uint8Array[]>> {
  const sealed = new Map<string, Uint8Array[]>();
  for (const site of sites) {
    const list: Uint8Array[] = [];
    for (let c = 0; c < options.perSite; c++) {
      const rows = Array.from({ length: options.rows }, () => {
        const numero = site.nextNumero++;
        return travellingRow(acts(site.keys.matricule, numero), numero);
      });
      const { bytes } = await site.codec.seal({
        sender: site.keys.matricule,
        recipient: serverName,
        sequence: site.nextSequence++,
        table: 'births',
        body: { kind: 'rows', rows },
      });
      list.push(bytes);
    }
    sealed.set(site.keys.matricule, list);
  }
  return sealed;
}

export interface FleetRun {
  /** Sent (handed to the transport) to receipt, per container, in milliseconds. */
  readonly latenciesMs: number[];
  readonly receipts: number;
  readonly expected: number;
  readonly seconds: number;
  /** A few receipts, kept to open them afterwards (the benchmark checks they accept every row). */
  readonly samples: { readonly site: SimulatedSite; readonly payload: Uint8Array }[];
}

interface Member {
  readonly site: SimulatedSite;
  readonly transport: SiteTransport;
  readonly queue: Uint8Array[];
  current: { id: string; payload: Uint8Array; handedAt: number; sent: boolean } | undefined;
}

/**
 * Sites on MQTT (`SiteTransport`, as a real site), each with one container in flight: the next
 * goes when the receipt of the previous one comes back, so every receipt answers the container
 * in hand and the latency is measured without opening it.
 */
export class Fleet {
  readonly #members: Member[] = [];
  readonly #serverName: string;
  #onReceipt: ((member: Member) => void) | undefined;

  constructor(serverName: string) {
    this.#serverName = serverName;
  }

  get size(): number {
    return this.#members.length;
  }

  /** Connects the sites, `concurrency` at a time; returns the seconds it took. */
  async connect(
    sites: readonly SimulatedSite[],
    brokerUrl: string,
    options: { readonly concurrency?: number; readonly sourceAddresses?: number } = {},
  ): Promise<number> {
    const started = performance.now();
    const concurrency = options.concurrency ?? 200;
    for (let start = 0; start < sites.length; start += concurrency) {
      const group = sites.slice(start, start + concurrency).map((site, offset) => {
        const member: Member = {
          site,
          queue: [],
          current: undefined,
          transport: new SiteTransport({
            url: brokerUrl,
            server: this.#serverName,
            matricule: site.keys.matricule,
            // Spread over loopback addresses so that no one address runs out of ephemeral ports.
            ...(options.sourceAddresses
              ? { localAddress: `127.0.0.${1 + ((start + offset) % options.sourceAddresses)}` }
              : {}),
            sessionExpirySeconds: 60,
            connectTimeoutMs: 60_000,
            reconnect: { baseMs: 1000, maxMs: 5000 },
            pollIntervalMs: 60_000,
            window: 1,
            outbox: {
              nextBatch: async (_limit, exclude) => {
                const current = member.current;
                if (!current || current.sent || exclude.has(current.id)) return [];
                current.handedAt = performance.now();
                return [{ id: current.id, payload: current.payload }];
              },
              markSent: async (id) => {
                if (member.current?.id === id) member.current.sent = true;
              },
            },
            inbox: {
              store: async (_topic, payload) => {
                this.#receipt(member, payload);
              },
            },
          }),
        };
        return member;
      });
      for (const member of group) member.transport.start();
      await Promise.all(group.map((member) => member.transport.waitConnected()));
      this.#members.push(...group);
    }
    return (performance.now() - started) / 1000;
  }

  #latest: { site: SimulatedSite; payload: Uint8Array }[] = [];

  #receipt(member: Member, payload: Uint8Array): void {
    if (!member.current) return; // a late re-acknowledgement of a container already counted
    if (this.#latest.length < 10) this.#latest.push({ site: member.site, payload });
    this.#onReceipt?.(member);
  }

  /** Sends every site's containers, one in flight per site; resolves when all receipts came or at the deadline. */
  async run(sealed: ReadonlyMap<string, Uint8Array[]>, timeoutMs: number): Promise<FleetRun> {
    const latencies: number[] = [];
    let expected = 0;
    let receipts = 0;
    let counter = 0;
    this.#latest = [];
    const next = (member: Member) => {
      const payload = member.queue.shift();
      member.current = payload ? { id: String(++counter), payload, handedAt: 0, sent: false } : undefined;
      if (payload) member.transport.wake();
    };
    const started = performance.now();
    const finished = new Promise<void>((resolvePromise) => {
      const timer = setTimeout(resolvePromise, timeoutMs);
      this.#onReceipt = (member) => {
        const current = member.current;
        if (current) latencies.push(performance.now() - (current.handedAt || started));
        receipts += 1;
        if (receipts >= expected) {
          clearTimeout(timer);
          resolvePromise();
        }
        next(member);
      };
    });
    for (const member of this.#members) {
      const list = sealed.get(member.site.keys.matricule) ?? [];
      expected += list.length;
      member.queue.push(...list);
    }
    for (const member of this.#members) next(member);
    await finished;
    const seconds = (performance.now() - started) / 1000;
    this.#onReceipt = undefined;
    for (const member of this.#members) {
      member.current = undefined;
      member.queue.length = 0;
    }
    return { latenciesMs: latencies, receipts, expected, seconds, samples: this.#latest };
  }

  async close(): Promise<void> {
    const members = this.#members.splice(0);
    for (let start = 0; start < members.length; start += 500)
      await Promise.all(members.slice(start, start + 500).map((member) => member.transport.stop()));
  }
}
