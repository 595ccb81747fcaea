import { SiteTransport } from '@xmcomm/mqtt-transport';
import {
  migrateToLatest,
  openDatabase,
  type ServerDatabase,
  type SiteDatabase,
  siteMigrations,
} from '@xmcomm/schema';
import { centreCodeOf, createActGenerator } from '@xmcomm/schema/testing';
import { createSiteSync, outboxSource } from '@xmcomm/status-sync';
import type { Kysely } from 'kysely';
import { BenchError } from './errors.js';
import { siteCodec } from './fleet.js';
import { LinkEmulator, type LinkProfile } from './link-emulator.js';
import type { ServerPki, SiteKeys } from './registry.js';

export const iridiumCertus100: LinkProfile = {
  name: 'Iridium Certus 100',
  upBitsPerSecond: 22_000,
  downBitsPerSecond: 88_000,
  rttMs: 700,
};

export const thurayaXtPro: LinkProfile = {
  name: 'Thuraya XT-PRO',
  upBitsPerSecond: 15_000,
  downBitsPerSecond: 60_000,
  rttMs: 600,
};

export interface SatelliteOptions {
  readonly profile: LinkProfile;
  /** Rows per container (the site's `maxRows`): 1 for one act per SDC. */
  readonly rowsPerContainer: number;
  /** The site's `maxBytes` per container (status-sync's default, 64 KiB, when absent). */
  readonly maxBytes?: number;
  readonly acts: number;
  readonly loss?: number;
  /** Cut the link this often during the run (milliseconds). */
  readonly dropEveryMs?: number;
}

export interface SatelliteResult {
  readonly link: string;
  readonly rowsPerContainer: number;
  readonly loss: number;
  /** The link was cut this often (milliseconds; 0 for never), and `drops` times in all. */
  readonly dropEveryMs: number;
  readonly drops: number;
  /** Segments sent twice after an emulated loss, both directions. */
  readonly retransmissions: number;
  readonly acts: number;
  readonly containers: number;
  readonly seconds: number;
  readonly actsPerMinute: number;
  /** TCP payload (MQTT) per act, site to server and back. */
  readonly upBytesPerAct: number;
  readonly downBytesPerAct: number;
  /** Up, with 52 bytes of IPv4+TCP header per segment. */
  readonly upWireBytesPerAct: number;
  /** Sealed container sizes (what the outbox holds), per act. */
  readonly containerBytesPerAct: number;
  readonly centralised: number;
}

export interface SatelliteServer {
  readonly db: Kysely<ServerDatabase>;
  readonly pki: ServerPki;
  readonly serverName: string;
  readonly broker: { readonly host: string; readonly port: number };
}

/**
 * One civil registration centre behind an emulated satellite terminal: the real site stack
 * (status-sync export into a durable outbox of sdc-codec containers, SiteTransport over MQTT 5)
 * talking through the link to the broker and `xmserver run` on PostgreSQL. `acts` births are
 * drafted, verified and validated first; the clock runs from the export to the last receipt
 * (every act at status 4).
 */
export async function runSatellite(
  server: SatelliteServer,
  site: SiteKeys,
  options: SatelliteOptions,
): Promise<SatelliteResult> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const link = await LinkEmulator.start({
      profile: options.profile,
      target: server.broker,
      ...(options.loss ? { loss: options.loss } : {}),
    });
    cleanups.push(() => link.close());
    const db = await openDatabase<SiteDatabase>('memory://');
    cleanups.push(() => db.destroy());
    await migrateToLatest(db, siteMigrations);
    const sync = createSiteSync({
      db,
      codec: siteCodec(site, server.pki, server.serverName),
      matricule: site.matricule,
      serverMatricule: server.serverName,
      maxRows: options.rowsPerContainer,
      ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
      // Resend only what truly got lost: a full outbox drains for minutes on 15 kbps.
      retry: { initialMs: 300_000, maxMs: 600_000 },
    });
    const transport = new SiteTransport({
      url: link.url,
      server: server.serverName,
      matricule: site.matricule,
      sessionExpirySeconds: 600,
      pollIntervalMs: 2000,
      outbox: outboxSource(sync),
      inbox: {
        store: async (_topic, payload) => {
          await sync.receive(payload);
        },
      },
    });
    transport.start();
    cleanups.push(() => transport.stop());
    await transport.waitConnected();

    const birthAct = createActGenerator(5);
    for (let index = 1; index <= options.acts; index++) {
      const { niu: _niu, validated_by, validated_at, ...drafted } = birthAct(site.matricule, index);
      const { numero } = await db
        .insertInto('xm_data.births')
        .values({ ...drafted, status: 1 } as never)
        .returning('numero')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('xm_data.births')
        .set({
          status: 2,
          niu: `${centreCodeOf(site.matricule)}-2026-${String(numero).padStart(6, '0')}`,
          validated_by,
          validated_at,
        } as never)
        .where('numero', '=', numero)
        .execute();
    }

    const before = link.counters();
    const started = performance.now();
    const drops = options.dropEveryMs ? setInterval(() => link.drop(), options.dropEveryMs) : undefined;
    const outboxIds = await sync.exportRows(['births']);
    const sealed = await db
      .selectFrom('xm_site.outbox')
      .select(['payload'])
      .where('id', 'in', outboxIds.length > 0 ? outboxIds : [-1])
      .execute();
    transport.wake();
    // Generous (600 acts/min where the links carry 2,000-4,000 in batches), yet short enough that a
    // run which stopped moving (a link cut more often than a site can finish a container) ends.
    const deadline = Date.now() + 60_000 + options.acts * 100;
    let done = 0;
    while (Date.now() < deadline) {
      const row = await db
        .selectFrom('xm_data.births')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 4)
        .executeTakeFirstOrThrow();
      done = Number(row.n);
      if (done >= options.acts) break;
      await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(drops);
    const after = link.counters();
    if (done < options.acts)
      throw new BenchError(
        'incomplete',
        `${options.profile.name}: ${done} of ${options.acts} acts acknowledged after ${seconds.toFixed(0)} s`,
      );
    const containerBytes = sealed.reduce((n, r) => n + r.payload.length, 0);
    const central = await server.db
      .selectFrom('xm_data.births')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('origin_matricule', '=', site.matricule)
      .executeTakeFirstOrThrow();
    const up = after.up.payloadBytes - before.up.payloadBytes;
    const upSegments = after.up.segments - before.up.segments;
    return {
      link: options.profile.name,
      rowsPerContainer: options.rowsPerContainer,
      loss: options.loss ?? 0,
      dropEveryMs: options.dropEveryMs ?? 0,
      drops: after.drops - before.drops,
      retransmissions:
        after.up.retransmissions -
        before.up.retransmissions +
        after.down.retransmissions -
        before.down.retransmissions,
      acts: options.acts,
      containers: outboxIds.length,
      seconds,
      actsPerMinute: (options.acts / seconds) * 60,
      upBytesPerAct: up / options.acts,
      downBytesPerAct: (after.down.payloadBytes - before.down.payloadBytes) / options.acts,
      upWireBytesPerAct: (up + upSegments * 52) / options.acts,
      containerBytesPerAct: containerBytes / options.acts,
      centralised: Number(central.n),
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}
