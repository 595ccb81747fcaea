import { SiteTransport } from '@xmcomm/mqtt-transport';
import { TrustStore } from '@xmcomm/pki';
import { createActGenerator, travellingRow } from '@xmcomm/schema/testing';
import { type ContainerCodec, createSdcCodec } from '@xmcomm/status-sync';
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
  /** Made on first use: 10,000 connected sites of which a few hundred send need only a few. */
  readonly codec: ContainerCodec;
  nextNumero: number;
  nextSequence: number;
}

export function simulatedSites(
  active: readonly SiteKeys[],
  pki: ServerPki,
  serverName: string,
): SimulatedSite[] {
  return active.map((keys) => {
    let codec: ContainerCodec | undefined;
    return {
      keys,
      get codec() {
        codec ??= siteCodec(keys, pki, serverName);
        return codec;
      },
      nextNumero: 1,
      nextSequence: 1,
    };
  });
}

const acts = createActGenerator(11);

/** A container sealed ahead: its id (what its receipt names) and its bytes. */
export interface SealedContainer {
  readonly id: string;
  readonly bytes: Uint8Array;
}

/**
 * Containers sealed ahead of the timed window, as each site's export would have sealed them:
 * `perSite` containers of `rows` rows for each site. Sealing is the sites' work, done on their own
 * machines in reality; here it would compete with the server for the same two cores.
 */
export async function sealAhead(
  sites: readonly SimulatedSite[],
  serverName: string,
  options: { readonly perSite: number; readonly rows: number },
): Promise<Map<string, SealedContainer[]>> {
  const sealed = new Map<string, SealedContainer[]>();
  for (const site of sites) {
    const list: SealedContainer[] = [];
    for (let c = 0; c < options.perSite; c++) {
      const rows = Array.from({ length: options.rows }, () => {
        const numero = site.nextNumero++;
        return travellingRow(acts(site.keys.matricule, numero), numero);
      });
      const { bytes, containerId } = await site.codec.seal({
        sender: site.keys.matricule,
        recipient: serverName,
        sequence: site.nextSequence++,
        table: 'births',
        body: { kind: 'rows', rows },
      });
      list.push({ id: containerId, bytes });
    }
    sealed.set(site.keys.matricule, list);
  }
  return sealed;
}

/** A receipt as it arrived, kept to open it after the timed window. */
export interface ArrivedReceipt {
  readonly site: SimulatedSite;
  readonly payload: Uint8Array;
  /** performance.now() at arrival. */
  readonly at: number;
}

export interface FleetRun {
  /** Sent (handed to the transport) to receipt, per container, in milliseconds. */
  readonly latenciesMs: number[];
  /** Containers whose latency is in `latenciesMs` (all of them with a window of 1). */
  latencySamples: number;
  /**
   * With a window above 1: opens a sample of the receipts and adds their latencies. Apart from
   * `run` so that the opening, the bench's own work, stays out of the measured window.
   */
  matchReceipts(): Promise<void>;
  readonly receipts: number;
  readonly expected: number;
  readonly seconds: number;
  /** A few receipts, kept to open them afterwards (the benchmark checks they accept every row). */
  readonly samples: { readonly site: SimulatedSite; readonly payload: Uint8Array }[];
}

interface Handed {
  readonly container: SealedContainer;
  handedAt: number;
  sent: boolean;
}

interface Member {
  readonly site: SimulatedSite;
  readonly transport: SiteTransport;
  readonly queue: SealedContainer[];
  /** Handed to the transport, no receipt yet (in order). */
  readonly awaiting: Handed[];
  /** performance.now() at which each container of this run was handed, by container id. */
  readonly handedAt: Map<string, number>;
  window: number;
}

/** Opening every receipt would cost the bench as much CPU as a site's share of the server's: a sample. */
const latencySampleSize = 2000;

/**
 * Sites on MQTT (`SiteTransport`, as a real site), each with up to `window` containers awaiting
 * their receipt: a receipt frees a place and the next container goes. With a window of one every
 * receipt answers the container in hand, so latency needs no opening; with more, receipts can come
 * back in any order (two processes, a batch), so after the timed window a sample of them is opened
 * and matched to its container by id: latency stays exact (handed to the transport -> receipt).
 */
export class Fleet {
  readonly #members: Member[] = [];
  readonly #serverName: string;
  #onReceipt: ((member: Member, payload: Uint8Array) => void) | undefined;

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
    options: {
      readonly concurrency?: number;
      readonly sourceAddresses?: number;
      /** 4 for an MQTT 3.1.1 broker (the embedded one of the tests); default 5. */
      readonly protocolVersion?: 4 | 5;
    } = {},
  ): Promise<number> {
    const started = performance.now();
    const concurrency = options.concurrency ?? 200;
    for (let start = 0; start < sites.length; start += concurrency) {
      const group = sites.slice(start, start + concurrency).map((site, offset) => {
        const member: Member = {
          site,
          queue: [],
          awaiting: [],
          handedAt: new Map(),
          window: 1,
          transport: new SiteTransport({
            url: brokerUrl,
            server: this.#serverName,
            matricule: site.keys.matricule,
            // Spread over loopback addresses so that no one address runs out of ephemeral ports.
            ...(options.sourceAddresses
              ? { localAddress: `127.0.0.${1 + ((start + offset) % options.sourceAddresses)}` }
              : {}),
            ...(options.protocolVersion ? { protocolVersion: options.protocolVersion } : {}),
            sessionExpirySeconds: 60,
            connectTimeoutMs: 60_000,
            reconnect: { baseMs: 1000, maxMs: 5000 },
            pollIntervalMs: 60_000,
            // A real site's window: the fleet's own `window` decides how many await receipts.
            window: 16,
            outbox: {
              nextBatch: async (limit, exclude) => {
                const now = performance.now();
                const due: { id: string; payload: Uint8Array }[] = [];
                for (const handed of member.awaiting) {
                  if (due.length >= limit) break;
                  if (handed.sent || exclude.has(handed.container.id)) continue;
                  if (handed.handedAt === 0) {
                    handed.handedAt = now;
                    member.handedAt.set(handed.container.id, now);
                  }
                  due.push({ id: handed.container.id, payload: handed.container.bytes });
                }
                return due;
              },
              markSent: async (id) => {
                const handed = member.awaiting.find((h) => h.container.id === id);
                if (handed) handed.sent = true;
              },
            },
            inbox: {
              store: async (_topic, payload) => {
                this.#onReceipt?.(member, payload);
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

  /**
   * Sends every site's containers, `window` awaiting receipts per site; resolves when all receipts
   * came, at the deadline, or once no receipt came for `stallMs`. Only the sites named in `sealed` send; the others stay connected.
   */
  async run(
    sealed: ReadonlyMap<string, SealedContainer[]>,
    timeoutMs: number,
    window = 1,
    stallMs = 30_000,
  ): Promise<FleetRun> {
    const latencies: number[] = [];
    const arrived: ArrivedReceipt[] = [];
    const kept: { site: SimulatedSite; payload: Uint8Array }[] = [];
    let expected = 0;
    let receipts = 0;
    const topUp = (member: Member) => {
      let added = false;
      while (member.awaiting.length < member.window) {
        const container = member.queue.shift();
        if (!container) break;
        member.awaiting.push({ container, handedAt: 0, sent: false });
        added = true;
      }
      if (added) member.transport.wake();
    };
    const started = performance.now();
    let lastProgress = started;
    let watchdog: NodeJS.Timeout | undefined;
    const finished = new Promise<void>((resolvePromise) => {
      const timer = setTimeout(resolvePromise, timeoutMs);
      // A run that stopped moving (a server that lost containers) ends early instead of at its deadline.
      watchdog = setInterval(() => {
        if (performance.now() - lastProgress > stallMs) {
          clearTimeout(timer);
          resolvePromise();
        }
      }, 1000);
      this.#onReceipt = (member, payload) => {
        const at = performance.now();
        lastProgress = at;
        if (kept.length < 10) kept.push({ site: member.site, payload });
        // A late re-acknowledgement of a container already counted (a resend after a reconnect).
        if (member.awaiting.length === 0) return;
        if (member.window === 1) {
          const [handed] = member.awaiting.splice(0, 1);
          latencies.push(at - (handed?.handedAt || started));
        } else {
          // Which container it answers is inside the receipt: free the oldest place now, match later.
          member.awaiting.splice(
            Math.max(
              0,
              member.awaiting.findIndex((h) => h.sent),
            ),
            1,
          );
          arrived.push({ site: member.site, payload, at });
        }
        receipts += 1;
        if (receipts >= expected) {
          clearTimeout(timer);
          resolvePromise();
        }
        topUp(member);
      };
    });
    const sending = this.#members.filter((member) => sealed.has(member.site.keys.matricule));
    for (const member of sending) {
      const list = sealed.get(member.site.keys.matricule) ?? [];
      expected += list.length;
      member.queue.push(...list);
      member.window = window;
      member.handedAt.clear();
    }
    for (const member of sending) topUp(member);
    await finished;
    clearInterval(watchdog);
    const seconds = (performance.now() - started) / 1000;
    this.#onReceipt = undefined;
    for (const member of sending) {
      member.awaiting.length = 0;
      member.queue.length = 0;
    }
    const result: FleetRun = {
      latenciesMs: latencies,
      latencySamples: window === 1 ? latencies.length : 0,
      receipts,
      expected,
      seconds,
      samples: kept,
      async matchReceipts() {
        const stride = Math.max(1, arrived.length / latencySampleSize);
        for (let i = 0; i < arrived.length; i += stride) {
          const receipt = arrived[Math.floor(i)] as ArrivedReceipt;
          const opened = await receipt.site.codec.open(receipt.payload);
          if (!opened.ok || opened.value.body.kind !== 'receipt') continue;
          const member = sending.find((m) => m.site === receipt.site);
          const handedAt = member?.handedAt.get(opened.value.body.receipt.acknowledges);
          if (handedAt === undefined) continue;
          latencies.push(receipt.at - handedAt);
          result.latencySamples += 1;
        }
        arrived.length = 0;
      },
    };
    return result;
  }

  async close(): Promise<void> {
    const members = this.#members.splice(0);
    for (let start = 0; start < members.length; start += 500)
      await Promise.all(members.slice(start, start + 500).map((member) => member.transport.stop()));
  }
}
