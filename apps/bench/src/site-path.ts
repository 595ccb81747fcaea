import { BenchError } from './errors.js';
import type { LinkProfile } from './link-emulator.js';
import { openBenchCentre, type SitePathServer } from './site-centre.js';

// The real site path: a civil registration centre set up as `ecr init` + `ecr cert import` leave it,
// its acts drafted, verified and validated through ECR's workflow functions (every rule checked, the
// officer's password each time, the NIU with its check digit), then `ecr sync --once` itself,
// in-process, through the emulated terminal: the clock starts when the command starts (login, key
// unlock, connect, seal, send, receipts) and stops when the last act is at status 4.

export type { SitePathServer };

export interface SitePathOptions {
  readonly profile: LinkProfile;
  readonly acts: number;
  /** `ecr sync --max-rows`; absent: what the centre gets by default. */
  readonly maxRows?: number;
  /** Distinct per run: the centre's matricule is `matriculeOf(index)`. */
  readonly index: number;
  /**
   * A centre's routine sync rather than its first: an earlier `ecr sync --once` of this many acts
   * (its session at the broker, the link's rate and the SUBACK remembered) before the timed one.
   */
  readonly earlierActs?: number;
}

export interface SitePathResult {
  readonly link: string;
  /** `--max-rows` given, or `default`. */
  readonly batch: string;
  readonly acts: number;
  readonly containers: number;
  /** Containers sent more than once (a receipt later than the resend delay). */
  readonly resent: number;
  /** From the command's start: to the link up, and to the last act at status 4. */
  readonly connectedSeconds: number;
  /** From the command's start to the first act at status 4: the fixed start a centre waits. */
  readonly firstExportedSeconds: number;
  readonly seconds: number;
  readonly actsPerMinute: number;
  /** From the link up to the last act at status 4. */
  readonly actsPerMinuteConnected: number;
  /** Everything up during the command (MQTT), per act, and with 52 bytes of IPv4+TCP per segment. */
  readonly upBytesPerAct: number;
  readonly upWireBytesPerAct: number;
  readonly downBytesPerAct: number;
  /**
   * What the link could carry at these bytes per act, acts/min: its up rate over the bytes per act
   * including TCP/IP. A single-act run is compared with it from the start and once connected.
   */
  readonly linkLimitPerMinute: number;
  /**
   * CPU of this process (the centre's sync, its PGlite, and the emulated link) during the command,
   * milliseconds per act: beside the link's time per act, it says whether the link or the CPU sets the pace.
   */
  readonly cpuMsPerAct: number;
  /** Preparing the acts through the workflow (not timed in the figures). */
  readonly prepareSeconds: number;
  /** `first` sync of the centre, or `routine` (after an earlier one). */
  readonly run: 'first' | 'routine';
}

export async function runSitePath(server: SitePathServer, options: SitePathOptions): Promise<SitePathResult> {
  const centre = await openBenchCentre(server, options.profile, options.index);
  try {
    const { link, syncEnv } = centre;
    const prepared = performance.now();
    const syncArgs = [
      '--json',
      'sync',
      '--once',
      ...(options.maxRows ? ['--max-rows', String(options.maxRows)] : []),
    ];
    if (options.earlierActs) {
      await centre.prepare(options.earlierActs);
      await centre.ecr(syncArgs, syncEnv);
    }
    await centre.prepare(options.acts);
    const prepareSeconds = (performance.now() - prepared) / 1000;

    // `ecr sync --once`, timed from its start.
    const before = link.counters();
    let connectedAt: number | undefined;
    let doneAt: number | undefined;
    let firstAt: number | undefined;
    let exported = 0;
    const containers = new Map<string, number>();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await centre.ecr(syncArgs, syncEnv, {
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
          exported += event.refs?.length ?? 0;
          firstAt ??= performance.now();
          if (exported >= options.acts) doneAt ??= performance.now();
        }
      },
    });
    const after = link.counters();
    const cpu = process.cpuUsage(cpuBefore);
    if (doneAt === undefined || connectedAt === undefined)
      throw new BenchError(
        'incomplete',
        `${options.profile.name}: ${exported} of ${options.acts} acts exported`,
      );
    const seconds = (doneAt - started) / 1000;
    const up = after.up.payloadBytes - before.up.payloadBytes;
    const upSegments = after.up.segments - before.up.segments;
    return {
      link: options.profile.name,
      batch: options.maxRows ? String(options.maxRows) : 'default',
      acts: options.acts,
      containers: containers.size,
      resent: [...containers.values()].filter((sends) => sends > 1).length,
      connectedSeconds: (connectedAt - started) / 1000,
      firstExportedSeconds: ((firstAt ?? Number.NaN) - started) / 1000,
      seconds,
      actsPerMinute: (options.acts / seconds) * 60,
      actsPerMinuteConnected: (options.acts / ((doneAt - connectedAt) / 1000)) * 60,
      upBytesPerAct: up / options.acts,
      upWireBytesPerAct: (up + upSegments * 52) / options.acts,
      downBytesPerAct: (after.down.payloadBytes - before.down.payloadBytes) / options.acts,
      cpuMsPerAct: (cpu.user + cpu.system) / 1000 / options.acts,
      linkLimitPerMinute:
        (options.profile.upBitsPerSecond / 8 / ((up + upSegments * 52) / options.acts)) * 60,
      prepareSeconds,
      run: options.earlierActs ? 'routine' : 'first',
    };
  } finally {
    await centre.close();
  }
}
