import type { ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { type Fleet, type SimulatedSite, sealAhead } from './fleet.js';
import { ResourceMonitor, type Usage, type Watched } from './monitor.js';
import { percentile } from './report.js';
import { postgresPids } from './services.js';
import type { ServerProcess } from './xmserver-process.js';

export interface NationalOptions {
  readonly label: string;
  readonly containersPerSite: number;
  readonly rowsPerContainer: number;
  /** Containers awaiting their receipt per site (a real site's transport allows 16). */
  readonly window?: number;
  readonly timeoutMs: number;
}

export interface NationalResult {
  readonly label: string;
  readonly processes: number;
  readonly sites: number;
  /** The sites that sent in this run (the others stayed connected). */
  readonly sending: number;
  readonly window: number;
  readonly rowsPerContainer: number;
  readonly containers: number;
  readonly receipts: number;
  /** Every container got its receipt and every row is in the central table. */
  readonly complete: boolean;
  readonly rowsCentralised: number;
  /** Receipts opened and found to accept every row (a sample). */
  readonly receiptsChecked: number;
  readonly seconds: number;
  readonly containersPerSecond: number;
  readonly rowsPerSecond: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Containers whose latency was measured (all with a window of 1, else a sample of receipts opened). */
  readonly latencySamples: number;
  readonly usage: Usage[];
}

async function centralRows(db: Kysely<ServerDatabase>): Promise<number> {
  const row = await db
    .selectFrom('xm_data.births')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Opens a receipt as its site would and counts the rows it accepts. */
async function acceptedIn(site: SimulatedSite, payload: Uint8Array): Promise<number | undefined> {
  const opened = await site.codec.open(payload);
  if (!opened.ok || opened.value.body.kind !== 'receipt') return undefined;
  return opened.value.body.receipt.results.filter((r) => r.accepted).length;
}

/**
 * Simulated sites (already connected in `fleet`) send containers sealed beforehand through the
 * broker to the `xmserver run` processes given, `window` containers awaiting receipts per site; the figures are
 * from the first send to the last receipt, with CPU and memory of every process involved.
 */
export async function runNational(
  db: Kysely<ServerDatabase>,
  fleet: Fleet,
  sites: readonly SimulatedSite[],
  servers: readonly ServerProcess[],
  broker: { readonly pid?: number | undefined },
  serverName: string,
  options: NationalOptions,
): Promise<NationalResult> {
  const sealed = await sealAhead(sites, serverName, {
    perSite: options.containersPerSite,
    rows: options.rowsPerContainer,
  });
  const before = await centralRows(db);
  const watched: Watched[] = [
    ...servers.map((server, i) => ({ label: `xmserver ${i + 1}`, pids: () => [server.pid] })),
    ...(broker.pid ? [{ label: 'mosquitto', pids: () => [broker.pid as number] }] : []),
    { label: 'postgresql (all processes)', pids: postgresPids },
    { label: 'simulated sites (bench)', pids: () => [process.pid] },
  ];
  const monitor = new ResourceMonitor(watched);
  await monitor.start();
  const window = options.window ?? 1;
  const run = await fleet.run(sealed, options.timeoutMs, window);
  const usage = await monitor.stop();
  await run.matchReceipts();
  const centralised = (await centralRows(db)) - before;
  let checked = 0;
  for (const sample of run.samples) {
    if ((await acceptedIn(sample.site, sample.payload)) === options.rowsPerContainer) checked += 1;
  }
  const containers = run.expected;
  return {
    label: options.label,
    processes: servers.length,
    sites: fleet.size,
    sending: sites.length,
    window,
    rowsPerContainer: options.rowsPerContainer,
    containers,
    receipts: run.receipts,
    complete: run.receipts >= containers && centralised === containers * options.rowsPerContainer,
    rowsCentralised: centralised,
    receiptsChecked: checked,
    seconds: run.seconds,
    containersPerSecond: run.receipts / run.seconds,
    rowsPerSecond: centralised / run.seconds,
    latencyP50Ms: percentile(run.latenciesMs, 50),
    latencyP99Ms: percentile(run.latenciesMs, 99),
    latencySamples: run.latencySamples,
    usage,
  };
}
