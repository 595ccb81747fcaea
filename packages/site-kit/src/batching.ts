// How big a site's containers are and how long it waits for a receipt, chosen for its link rather
// than fixed: each container carries about `containerSeconds` (15) of what the link drained last (so
// a lost satellite lock costs at most that to send again, and the envelope, about 640 bytes, is spread
// over as many records as that allows), within what the server accepts and the site's ceiling; what
// waits is split evenly, so 510 records go as two containers of 255, not 500 and 10. Pure functions:
// `createRecordSync` measures the link and calls them.

/**
 * What the central server accepts in one container: sdc-codec's decoder limits (`DEFAULT_LIMITS`,
 * which `xmserver run` applies), 10,000 rows and 8 MiB.
 */
export const serverContainerLimits = { maxRows: 10_000, maxBytes: 8 * 1024 * 1024 } as const;

/**
 * The largest container a site seals: what every broker of a deployment carries, not only the
 * server (EMQX's default maximum packet is 1 MB; a broker that refuses a packet drops the
 * connection, and the container would be sent again and dropped again). A container this big
 * already spreads its envelope (about 640 bytes) over thousands of records.
 */
export const containerByteLimit = Math.min(serverContainerLimits.maxBytes, 1_000_000 - 64 * 1024);

/** What the site has seen of its link; absent figures are taken from `assumedLink`. */
export interface LinkEstimate {
  /** Bytes per second the link drained the last containers at (publish to the broker's PUBACK). */
  readonly bytesPerSecond?: number;
  /** Sealed bytes per record in the last large container. */
  readonly bytesPerRecord?: number;
}

/**
 * Before any measurement: the slowest terminal a centre uses (Thuraya XT-PRO, 15 kbit/s up) and a
 * birth act in a large container (about 36 bytes; a bigger guess only makes the first container smaller).
 */
export const assumedLink = { bytesPerSecond: 15_000 / 8, bytesPerRecord: 40 } as const;

export interface BatchSettings {
  /** Most records in one container (`ecr sync --max-rows`): a ceiling, never a target. */
  readonly maxRows: number;
  /** Seconds of the link one container may take (default 15). */
  readonly containerSeconds: number;
  /** Shortest wait for a receipt before sending a container again (default 30 s). */
  readonly resendAfterMs: number;
}

export const defaultBatchSettings: BatchSettings = {
  maxRows: serverContainerLimits.maxRows,
  containerSeconds: 15,
  resendAfterMs: 30_000,
};

export interface Batch {
  /** Records in each container of this export. */
  readonly maxRows: number;
  /** The hard limit of one container's size: the export seals fewer records if they do not fit. */
  readonly maxBytes: number;
  /** How many containers the records waiting make. */
  readonly containers: number;
}

/** Smallest container budget: below this the envelope outweighs the records. */
const minimumBytes = 4 * 1024;

/**
 * No link a site uses is slower than Inmarsat-C's 600 bit/s: a lower measure is a stall (a lost
 * satellite lock), not the link, and must not make containers tiny or receipts awaited for hours.
 */
export const slowestLink = { bytesPerSecond: 600 / 8 } as const;

const rateOf = (link: LinkEstimate) =>
  link.bytesPerSecond !== undefined && link.bytesPerSecond > 0
    ? Math.max(link.bytesPerSecond, slowestLink.bytesPerSecond)
    : assumedLink.bytesPerSecond;

/** The containers for `pending` records waiting to be sealed. */
export function chooseBatch(pending: number, link: LinkEstimate, settings: BatchSettings): Batch {
  const perRecord =
    link.bytesPerRecord !== undefined && link.bytesPerRecord > 0
      ? link.bytesPerRecord
      : assumedLink.bytesPerRecord;
  const budget = Math.min(
    containerByteLimit,
    Math.max(minimumBytes, rateOf(link) * settings.containerSeconds),
  );
  const ceiling = Math.max(1, Math.min(Math.floor(settings.maxRows), serverContainerLimits.maxRows));
  const fit = Math.max(1, Math.min(ceiling, Math.floor(budget / perRecord)));
  const containers = Math.max(1, Math.ceil(pending / fit));
  const maxRows = Math.max(1, Math.ceil(pending / containers));
  // Half as much again as the budget before a container is sealed smaller: records vary around
  // the average, and sealing twice costs more than a container a little longer than planned.
  const maxBytes = Math.min(containerByteLimit, Math.ceil(budget * 1.5));
  return { maxRows, maxBytes, containers };
}

/**
 * How long to wait for a container's receipt before sending it again: never less than the setting,
 * and at least three times what the link needs to carry the container at its measured rate, so
 * that a slow link is not made slower by sending again what is still on its way; never more than
 * the outbox's own ceiling (ten times the setting, at least 5 minutes), so a stalled measure cannot
 * stop the resends.
 */
export function resendDelayMs(containerBytes: number, link: LinkEstimate, settings: BatchSettings): number {
  const carry = (containerBytes / rateOf(link)) * 1000;
  const ceiling = Math.max(10 * settings.resendAfterMs, 300_000);
  return Math.max(settings.resendAfterMs, Math.min(Math.ceil(3 * carry), ceiling));
}

/**
 * The link's drain rate from one container: its bytes over the time from when the link could start
 * on it (its publish, or the previous PUBACK if that came later) to its PUBACK; undefined when too
 * short to mean anything. Blended with the previous estimate, new samples counting for half.
 */
export function drainRate(
  sample: {
    readonly bytes: number;
    readonly startedAt: number;
    readonly previousAckAt: number;
    readonly ackAt: number;
  },
  previous: number | undefined,
): number | undefined {
  const elapsed = sample.ackAt - Math.max(sample.startedAt, sample.previousAckAt);
  if (elapsed < 20 || sample.bytes < 512) return previous;
  const rate = sample.bytes / (elapsed / 1000);
  return previous === undefined ? rate : (previous + rate) / 2;
}
