import { type ActRef, formatActRef } from '@xmcomm/ecr-client';
import { BenchError } from './errors.js';
import type { LinkProfile } from './link-emulator.js';
import { percentile } from './report.js';
import { openBenchCentre, type SitePathServer } from './site-centre.js';

// The centre's sync as the long-running service it is in a day's work: `ecr sync` (no `--once`,
// what `ecr serve --sync-every` runs beside the workstations) started first, then acts validated
// while it runs: a clerk's steady pace (drafted, verified and validated one at a time) and a bulk
// (a paper register imported and verified earlier, validated by the officer one after the other).
// Timed from the service's start to the last act at status 4; each act's delay runs from its
// validation to its receipt.

export interface SiteServiceOptions {
  readonly profile: LinkProfile;
  /** Distinct per run: the centre's matricule is `matriculeOf(index)`. */
  readonly index: number;
  /** `ecr sync --interval` (10-300 s). */
  readonly intervalSeconds: number;
  /** Acts the clerk validates, one every `clerkEverySeconds` from the service's start. */
  readonly clerkActs: number;
  readonly clerkEverySeconds: number;
  /** Acts of the bulk, validated back to back from `bulkAtSeconds` after the service's start. */
  readonly bulkActs: number;
  readonly bulkAtSeconds: number;
  /** `ecr sync --max-rows` (absent: sized for the link). */
  readonly maxRows?: number;
}

export interface DelayFigures {
  readonly acts: number;
  readonly p50Seconds: number;
  readonly p95Seconds: number;
  readonly maxSeconds: number;
}

export interface SiteServiceResult {
  readonly link: string;
  readonly batch: string;
  readonly intervalSeconds: number;
  readonly acts: number;
  readonly containers: number;
  readonly resent: number;
  readonly connectedSeconds: number;
  /** From the service's start to the last act at status 4. */
  readonly seconds: number;
  readonly actsPerMinute: number;
  /** The bulk: validated per minute by the officer, and at status 4 per minute (first validation to last receipt). */
  readonly bulkValidatedPerMinute: number;
  readonly bulkExportedPerMinute: number;
  readonly upBytesPerAct: number;
  readonly upWireBytesPerAct: number;
  /** From an act's validation to its status 4. */
  readonly delay: DelayFigures;
  readonly clerkDelay: DelayFigures;
  readonly bulkDelay: DelayFigures;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Acts per minute over `ms`; NaN (printed n/a) for none. */
const perMinute = (acts: number, ms: number) => (acts === 0 ? Number.NaN : (acts / (ms / 1000)) * 60);

function delays(samples: readonly number[]): DelayFigures {
  return {
    acts: samples.length,
    p50Seconds: percentile(samples, 50),
    p95Seconds: percentile(samples, 95),
    maxSeconds: samples.length === 0 ? Number.NaN : Math.max(...samples),
  };
}

export async function runSiteService(
  server: SitePathServer,
  options: SiteServiceOptions,
): Promise<SiteServiceResult> {
  const centre = await openBenchCentre(server, options.profile, options.index);
  try {
    const { link, syncEnv } = centre;
    // The register imported and checked before the day starts; its validation is the officer's work.
    const bulk = await centre.draft(options.bulkActs);
    const acts = options.clerkActs + options.bulkActs;
    const validatedAt = new Map<string, number>();
    const exportedAt = new Map<string, number>();
    const clerkRefs = new Set<string>();
    const containers = new Map<string, number>();
    let connectedAt: number | undefined;
    let allDone: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const stop = new AbortController();
    const before = link.counters();
    const started = performance.now();
    const service = centre.ecr(
      [
        '--json',
        'sync',
        '--interval',
        String(options.intervalSeconds),
        ...(options.maxRows ? ['--max-rows', String(options.maxRows)] : []),
      ],
      syncEnv,
      {
        signal: stop.signal,
        onLine: (line) => {
          const event = JSON.parse(line) as {
            event: string;
            state?: string;
            refs?: string[];
            container?: string;
          };
          if (event.event === 'link' && event.state === 'connected') connectedAt ??= performance.now();
          if (event.event === 'sent' && event.container)
            containers.set(event.container, (containers.get(event.container) ?? 0) + 1);
          if (event.event === 'exported') {
            for (const ref of event.refs ?? []) exportedAt.set(ref, performance.now());
            if (exportedAt.size >= acts) allDone();
          }
        },
      },
    );
    // A service that ends early (refused, a failure) must not leave the bench waiting for its acts.
    const ended = service.then(
      () => {
        throw new BenchError('incomplete', 'ecr sync stopped before every act was at status 4');
      },
      (error: unknown) => {
        throw error;
      },
    );
    const validate = async (ref: ActRef, clerk: boolean) => {
      await centre.validate(ref);
      const text = formatActRef(ref);
      validatedAt.set(text, performance.now());
      if (clerk) clerkRefs.add(text);
    };
    const clerk = (async () => {
      for (let n = 0; n < options.clerkActs; n++) {
        const due = started + n * options.clerkEverySeconds * 1000;
        await sleep(Math.max(0, due - performance.now()));
        const [ref] = await centre.draft(1);
        if (ref) await validate(ref, true);
      }
    })();
    let bulkStarted = 0;
    let bulkValidated = 0;
    const officer = (async () => {
      await sleep(options.bulkAtSeconds * 1000);
      bulkStarted = performance.now();
      for (const ref of bulk) await validate(ref, false);
      bulkValidated = performance.now();
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BenchError(
              'incomplete',
              `${options.profile.name}: ${exportedAt.size} of ${acts} acts at status 4`,
            ),
          ),
        60_000 + acts * 2_000,
      );
    });
    // Both settle after the race once the service is stopped: handled here, reported by the race only.
    ended.catch(() => {});
    deadline.catch(() => {});
    try {
      await Promise.race([Promise.all([clerk, officer, done]), ended, deadline]);
    } finally {
      clearTimeout(timer);
      stop.abort();
      await service.catch(() => {});
    }
    const after = link.counters();
    const last = Math.max(...exportedAt.values());
    const delayOf = (refs: Iterable<string>) =>
      [...refs].map((ref) => ((exportedAt.get(ref) ?? Number.NaN) - (validatedAt.get(ref) ?? 0)) / 1000);
    const bulkRefs = bulk.map(formatActRef);
    const seconds = (last - started) / 1000;
    const up = after.up.payloadBytes - before.up.payloadBytes;
    const upSegments = after.up.segments - before.up.segments;
    const bulkLast = Math.max(...bulkRefs.map((ref) => exportedAt.get(ref) ?? Number.NaN));
    return {
      link: options.profile.name,
      batch: options.maxRows ? String(options.maxRows) : 'default',
      intervalSeconds: options.intervalSeconds,
      acts,
      containers: containers.size,
      resent: [...containers.values()].filter((sends) => sends > 1).length,
      connectedSeconds: ((connectedAt ?? Number.NaN) - started) / 1000,
      seconds,
      actsPerMinute: (acts / seconds) * 60,
      bulkValidatedPerMinute: perMinute(options.bulkActs, bulkValidated - bulkStarted),
      bulkExportedPerMinute: perMinute(options.bulkActs, bulkLast - bulkStarted),
      upBytesPerAct: up / acts,
      upWireBytesPerAct: (up + upSegments * 52) / acts,
      delay: delays(delayOf(validatedAt.keys())),
      clerkDelay: delays(delayOf(clerkRefs)),
      bulkDelay: delays(delayOf(bulkRefs)),
    };
  } finally {
    await centre.close();
  }
}
