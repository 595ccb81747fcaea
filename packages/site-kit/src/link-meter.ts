import type { SiteDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { type BatchSettings, drainRate, type LinkEstimate, resendDelayMs } from './batching.js';

// What a site measures of its link, for `chooseBatch` and `resendDelayMs`: how fast the link drained
// the last containers (publish to PUBACK) and how many bytes a record takes sealed. Kept in the site's
// `xm_site.counters`, so that `ecr sync --once`, a new process each time, starts from what the last
// run saw instead of a guess.

const rateCounter = 'link-up-bytes-per-second';
const subscribedCounter = 'mqtt-session-subscribed';
const perRecordCounter = 'link-sealed-millibytes-per-record';
/** A container this small says little about the envelope's share: not used for bytes per record. */
const representativeRows = 20;

export interface LinkMeter {
  estimate(): Promise<LinkEstimate>;
  /** The transport takes this outbox item (its id as the transport names it) to publish. */
  publishing(id: string, bytes: number): void;
  /** Its PUBACK came: records the drain rate; returns how long to wait for its receipt. */
  acknowledged(id: string): Promise<number>;
  /** Outbox items just sealed: their bytes per record. */
  sealed(ids: readonly number[]): Promise<void>;
  /** Whether the broker granted the site's down subscription in its persistent session (a SUBACK, in any process). */
  subscribed(): Promise<boolean>;
  setSubscribed(granted: boolean): Promise<void>;
}

export function createLinkMeter(db: Kysely<SiteDatabase>, settings: BatchSettings): LinkMeter {
  let loaded: Promise<void> | undefined;
  let bytesPerSecond: number | undefined;
  let bytesPerRecord: number | undefined;
  let lastAckAt = 0;
  const started = new Map<string, { bytes: number; at: number }>();

  const load = () => {
    loaded ??= (async () => {
      const rows = await db
        .selectFrom('xm_site.counters')
        .select(['name', 'value'])
        .where('name', 'in', [rateCounter, perRecordCounter])
        .execute();
      for (const row of rows) {
        const value = Number(row.value);
        if (!(value > 0)) continue;
        if (row.name === rateCounter) bytesPerSecond ??= value;
        else bytesPerRecord ??= value / 1000;
      }
    })();
    return loaded;
  };

  const save = async (name: string, value: number) => {
    const rounded = Math.max(1, Math.round(value));
    await db
      .insertInto('xm_site.counters')
      .values({ name, value: rounded })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: rounded }))
      .execute();
  };

  const current = (): LinkEstimate => ({
    ...(bytesPerSecond !== undefined ? { bytesPerSecond } : {}),
    ...(bytesPerRecord !== undefined ? { bytesPerRecord } : {}),
  });

  return {
    async estimate() {
      await load();
      return current();
    },
    publishing(id, bytes) {
      // Offered again (after a lost connection): the link starts on it again now.
      started.set(id, { bytes, at: Date.now() });
    },
    async acknowledged(id) {
      await load();
      const sample = started.get(id);
      started.delete(id);
      const ackAt = Date.now();
      if (sample) {
        const rate = drainRate(
          { bytes: sample.bytes, startedAt: sample.at, previousAckAt: lastAckAt, ackAt },
          bytesPerSecond,
        );
        if (rate !== undefined && rate !== bytesPerSecond) {
          bytesPerSecond = rate;
          await save(rateCounter, rate);
        }
      }
      lastAckAt = ackAt;
      return resendDelayMs(sample?.bytes ?? 0, current(), settings);
    },
    async subscribed() {
      const row = await db
        .selectFrom('xm_site.counters')
        .select('value')
        .where('name', '=', subscribedCounter)
        .executeTakeFirst();
      return Number(row?.value ?? 0) === 1;
    },
    async setSubscribed(granted) {
      const value = granted ? 1 : 0;
      await db
        .insertInto('xm_site.counters')
        .values({ name: subscribedCounter, value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute();
    },
    async sealed(ids) {
      if (ids.length === 0) return;
      await load();
      const items = await db
        .selectFrom('xm_site.outbox')
        .select((eb) => ['row_count', eb.fn<number>('octet_length', ['payload']).as('bytes')])
        .where('id', 'in', ids)
        .where('kind', '=', 'rows')
        .where('row_count', '>=', representativeRows)
        .execute();
      if (items.length === 0) return;
      const rows = items.reduce((n, item) => n + item.row_count, 0);
      const bytes = items.reduce((n, item) => n + Number(item.bytes), 0);
      bytesPerRecord = bytes / rows;
      await save(perRecordCounter, bytesPerRecord * 1000);
    },
  };
}
