// The end-to-end benchmarks: `npm run bench` (quick, a few minutes) or `npm run bench:full`.
// `--only satellite,national,scaling,many` picks sections; `--out file.json` keeps the JSON.
// They print Markdown tables and one JSON object; they never fail on a time.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { sql } from 'kysely';
import { openEnvironment } from '../src/environment.js';
import { BenchError } from '../src/errors.js';
import { Fleet, type SimulatedSite, simulatedSites } from '../src/fleet.js';
import type { LinkProfile } from '../src/link-emulator.js';
import { ResourceMonitor, type Usage } from '../src/monitor.js';
import { type NationalResult, runNational } from '../src/national.js';
import { registerClients, type SiteKeys } from '../src/registry.js';
import { figure, markdownTable, mib } from '../src/report.js';
import { iridiumCertus100, runSatellite, type SatelliteResult, thurayaXtPro } from '../src/satellite.js';
import { startMosquitto } from '../src/services.js';
import { type ServerProcess, startServer } from '../src/xmserver-process.js';

const args = process.argv.slice(2);
const full = args.includes('--full');
const onlyArg = args[args.indexOf('--only') + 1];
const only = args.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : undefined;
const outArg = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const wants = (section: string) => !only || only.has(section);

interface SatelliteRun {
  readonly profile: LinkProfile;
  readonly rows: number;
  readonly acts: number;
  readonly loss?: number;
  readonly dropEveryMs?: number;
}

// The batch a site on a satellite terminal chooses: status-sync's `maxRows` 200 (the CMS envelope,
// about 640 bytes, spread over 200 acts instead of 50) and `maxBytes` 16 KiB, so that one container
// is about 6 s of a 22 kbit/s link and a lost lock costs at most that much to send again.
const satelliteBatch = { rows: 200, maxBytes: 16 * 1024 };

const plan = full
  ? {
      satellite: [iridiumCertus100, thurayaXtPro].flatMap((profile): SatelliteRun[] => [
        { profile, rows: 1, acts: 30 },
        { profile, rows: 50, acts: 1000 },
        { profile, rows: satelliteBatch.rows, acts: 2000 },
        { profile, rows: satelliteBatch.rows, acts: 2000, loss: 0.01 },
        // A cut every 45 s: a site's back-off starts again from its base only after a connection
        // that lasted 30 s, so cuts more often than that make it grow towards minutes (see docs).
        { profile, rows: satelliteBatch.rows, acts: 5000, dropEveryMs: 45_000 },
      ]),
      activeSites: 200,
      window: 8,
      singlePerSite: 50,
      // 8,000 containers of 50 rows: with 8 awaiting their receipt per site, 1,600 are in flight
      // from the start; 2,000 made a run of 4-5 s that was mostly that first burst.
      batchPerSite: 40,
      registry: [1000, 10_000, 100_000],
      scalingPerSite: 20,
      manySites: 10_000,
      manySenders: 200,
    }
  : {
      satellite: [
        { profile: iridiumCertus100, rows: 1, acts: 8 },
        { profile: iridiumCertus100, rows: satelliteBatch.rows, acts: 400 },
        { profile: thurayaXtPro, rows: satelliteBatch.rows, acts: 400 },
      ] as SatelliteRun[],
      activeSites: 50,
      window: 8,
      singlePerSite: 16,
      batchPerSite: 4,
      registry: [1000, 3000],
      scalingPerSite: 8,
      manySites: 1000,
      manySenders: 50,
    };

const json: Record<string, unknown> = { mode: full ? 'full' : 'quick', startedAt: new Date().toISOString() };
const out = (text: string) => process.stdout.write(`${text}\n`);
const began = performance.now();
/** The machine's load average as each step starts: the runs share two cores with whatever else runs. */
const loads: { step: string; seconds: number; loadavg: string }[] = [];
json.loads = loads;
const progress = (text: string) => {
  const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const seconds = Math.round((performance.now() - began) / 1000);
  loads.push({ step: text, seconds, loadavg });
  process.stderr.write(`- [${seconds} s, load ${loadavg}] ${text}\n`);
};

/** The JSON so far, after every section: a long full run that fails late keeps what it measured. */
const save = async () => {
  if (outArg) await writeFile(outArg, `${JSON.stringify(json, null, 2)}\n`);
};

const env = await openEnvironment();
const servers: ServerProcess[] = [];
const fleets: Fleet[] = [];
try {
  json.machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
    node: process.version,
    broker: env.brokerSource,
  };
  const first = plan.registry[0] as number;
  // Sites 1..activeSites send in the national runs, the next ones are the satellite centres; the
  // many-sites run connects the first manySites. Their private keys are kept, the others' dropped.
  const keepUpTo = Math.max(plan.activeSites + plan.satellite.length, wants('many') ? plan.manySites : 0);
  const registered = await registerClients(env.db, env.pki, {
    from: 1,
    to: first + 1,
    keep: Math.min(first, keepUpTo),
  });
  let registeredCount = first;
  /** Registers clients up to `size`, keeping the keys the runs need; returns the seconds it took. */
  const registerUpTo = async (size: number): Promise<number> => {
    const more = await registerClients(env.db, env.pki, {
      from: registeredCount + 1,
      to: size + 1,
      keep: Math.max(0, keepUpTo - registeredCount),
    });
    registered.active.push(...more.active);
    registeredCount = size;
    return more.seconds;
  };
  progress(`${first} clients registered with certificates in ${registered.seconds.toFixed(1)} s`);
  const server1 = await startServer(env.settings);
  servers.push(server1);
  const serverName = env.settings.serverName;

  if (wants('satellite')) {
    const results: SatelliteResult[] = [];
    const incomplete: string[] = [];
    const centres = registered.active.slice(
      plan.activeSites,
      plan.activeSites + plan.satellite.length,
    ) as SiteKeys[];
    for (const [i, run] of plan.satellite.entries()) {
      progress(
        `satellite: ${run.profile.name}, ${run.rows} row(s) per container, ${run.acts} acts${run.loss ? `, loss ${run.loss * 100} %` : ''}${run.dropEveryMs ? `, link cut every ${run.dropEveryMs / 1000} s` : ''}`,
      );
      // A centre of its own per run: each run's site database starts its numbers again at 1.
      const centre = centres[i] as SiteKeys;
      try {
        results.push(
          await runSatellite({ db: env.db, pki: env.pki, serverName, broker: env.broker }, centre, {
            profile: run.profile,
            rowsPerContainer: run.rows,
            acts: run.acts,
            ...(run.rows > 1 ? { maxBytes: satelliteBatch.maxBytes } : {}),
            ...(run.loss ? { loss: run.loss } : {}),
            ...(run.dropEveryMs ? { dropEveryMs: run.dropEveryMs } : {}),
          }),
        );
      } catch (error) {
        // One run that missed its deadline must not cost the other sections of a long run.
        if (!BenchError.isInstance(error) || error.code !== 'incomplete') throw error;
        progress(`  INCOMPLETE: ${error.message}`);
        incomplete.push(error.message);
      }
    }
    json.satelliteIncomplete = incomplete;
    for (const message of incomplete) out(`\nINCOMPLETE satellite run: ${message}`);
    json.satellite = results;
    await save();
    out('\n## Satellite links (one site, acts validated -> receipts, status 4)\n');
    out(
      markdownTable(
        [
          'link',
          'rows/SDC',
          'loss / link cuts',
          'acts',
          'SDCs',
          'seconds',
          'acts/min',
          'SDC B/act',
          'up B/act (TCP payload)',
          'up B/act (+IP/TCP)',
          'down B/act',
          'central rows',
        ],
        results.map((r) => [
          r.link,
          String(r.rowsPerContainer),
          [
            r.loss ? `loss ${figure(r.loss * 100)} %: ${r.retransmissions} resent` : '',
            r.dropEveryMs ? `cut every ${figure(r.dropEveryMs / 1000)} s: ${r.drops}` : '',
          ]
            .filter(Boolean)
            .join(', ') || '-',
          figure(r.acts),
          figure(r.containers),
          figure(r.seconds, 1),
          figure(r.actsPerMinute),
          figure(r.containerBytesPerAct),
          figure(r.upBytesPerAct),
          figure(r.upWireBytesPerAct),
          figure(r.downBytesPerAct),
          figure(r.centralised),
        ]),
      ),
    );
  }

  let sites: SimulatedSite[] = [];
  let fleet: Fleet | undefined;
  const national: NationalResult[] = [];
  const nationalRun = (
    label: string,
    perSite: number,
    rows: number,
    procs: ServerProcess[],
    window = plan.window,
  ) =>
    runNational(env.db, fleet as Fleet, sites, procs, env.broker, serverName, {
      label: `${label}, ${figure(registeredCount)} registered`,
      containersPerSite: perSite,
      rowsPerContainer: rows,
      window,
      timeoutMs: full ? 600_000 : 180_000,
    });

  if (wants('national') || wants('scaling') || wants('many')) {
    sites = simulatedSites(registered.active.slice(0, plan.activeSites), env.pki, serverName);
    fleet = new Fleet(serverName);
    fleets.push(fleet);
    const connectSeconds = await fleet.connect(sites, env.broker.url);
    progress(
      `${sites.length} simulated sites connected in ${connectSeconds.toFixed(1)} s; first contact (untimed warm-up)`,
    );
    // The first container of a site costs the server a cold start for that site; measured apart.
    national.push(await nationalRun('first contact, 1 row', 1, 1, [server1], 1));
  }

  if (wants('national')) {
    progress('national: one server process');
    // One container awaiting its receipt per site, as the bench did before: what 50 sites alone feed.
    national.push(await nationalRun('1 row per SDC', Math.ceil(plan.singlePerSite / 4), 1, [server1], 1));
    national.push(await nationalRun('1 row per SDC', plan.singlePerSite, 1, [server1]));
    national.push(await nationalRun('50 rows per SDC', plan.batchPerSite, 50, [server1]));
  }
  if (wants('scaling') && fleet) {
    const points: Record<string, unknown>[] = [];
    for (const size of plan.registry) {
      let registerSeconds = 0;
      if (size > registeredCount) {
        progress(`scaling: registering clients ${registeredCount + 1}..${size}`);
        const from = registeredCount;
        registerSeconds = await registerUpTo(size);
        progress(`  ${size - from} more in ${registerSeconds.toFixed(1)} s`);
      } else registerSeconds = registered.seconds;
      const run = await nationalRun(`${size} registered`, plan.scalingPerSite, 1, [server1]);
      const dbSize = await sql<{
        bytes: string;
      }>`select pg_database_size(current_database()) as bytes`.execute(env.db);
      const server = run.usage.find((u) => u.label === 'xmserver 1');
      points.push({
        registered: size,
        registerSeconds,
        rssServerEndBytes: server?.rssEndBytes,
        containersPerSecond: run.containersPerSecond,
        latencyP50Ms: run.latencyP50Ms,
        latencyP99Ms: run.latencyP99Ms,
        complete: run.complete,
        xmserverRssPeakBytes: server?.rssPeakBytes,
        databaseBytes: Number(dbSize.rows[0]?.bytes ?? 0),
      });
    }
    json.scaling = points;
    await save();
    out(
      `\n## Scaling with the register (1 row per SDC, ${sites.length} sites sending, ${plan.window} awaiting receipts each, one process)\n`,
    );
    out(
      markdownTable(
        [
          'registered clients',
          'registered in s',
          'SDCs/s',
          'p50 ms',
          'p99 ms',
          'complete',
          'xmserver RSS peak MiB',
          'database MiB',
        ],
        points.map((p) => [
          figure(p.registered as number),
          figure(p.registerSeconds as number, 1),
          figure(p.containersPerSecond as number),
          figure(p.latencyP50Ms as number),
          figure(p.latencyP99Ms as number),
          p.complete ? 'yes' : 'NO',
          mib((p.xmserverRssPeakBytes as number) ?? Number.NaN),
          mib(p.databaseBytes as number),
        ]),
      ),
    );
  }

  if (wants('national') && fleet) {
    // After the scaling runs, so that one process alone took them: a stopped process keeps its share
    // of the shared subscription in its persistent session (an hour), so the second one stays up.
    progress(
      'national: two server processes (the second in its own UTS namespace, standing for a second host)',
    );
    const server2 = await startServer(env.settings, { hostname: `${serverName}-b` });
    servers.push(server2);
    // The broker shares containers out among processes, so a process meets a given site only
    // after a few of its containers: six per site leave about 3 % of (site, process) pairs cold.
    national.push(await nationalRun('first contact, 1 row', 6, 1, [server1, server2]));
    national.push(await nationalRun('1 row per SDC', plan.singlePerSite, 1, [server1, server2]));
    national.push(await nationalRun('50 rows per SDC', plan.batchPerSite, 50, [server1, server2]));
  }

  if (national.length > 0) {
    json.national = national;
    await save();
    out(
      `\n## National server (${sites.length} sites sending; window = containers awaiting their receipt per site)\n`,
    );
    const each = (r: NationalResult, label: string, pick: (u: Usage) => string) =>
      r.usage
        .filter((u) => u.label.startsWith(label))
        .map(pick)
        .join(' + ');
    const cpu = (u: Usage) => figure(u.cpuPercent);
    const rss = (u: Usage) => mib(u.rssPeakBytes);
    out(
      markdownTable(
        [
          'run',
          'procs',
          'window',
          'SDCs',
          'rows',
          'complete',
          'seconds',
          'SDCs/s',
          'rows/s',
          'p50 ms',
          'p99 ms',
          'latencies',
          'CPU % xmserver',
          'CPU % mosquitto / postgres / bench',
          'RSS peak MiB xmserver',
          'RSS MiB mosquitto / bench',
        ],
        national.map((r) => [
          r.label,
          String(r.processes),
          String(r.window),
          figure(r.containers),
          figure(r.rowsCentralised),
          r.complete ? `yes (${r.receiptsChecked} opened)` : `NO (${r.receipts} receipts)`,
          figure(r.seconds, 1),
          figure(r.containersPerSecond),
          figure(r.rowsPerSecond),
          figure(r.latencyP50Ms),
          figure(r.latencyP99Ms),
          figure(r.latencySamples),
          each(r, 'xmserver', cpu),
          `${each(r, 'mosquitto', cpu) || 'n/a'} / ${each(r, 'postgresql', cpu)} / ${each(r, 'simulated', cpu)}`,
          each(r, 'xmserver', rss),
          `${each(r, 'mosquitto', rss) || 'n/a'} / ${each(r, 'simulated', rss)}`,
        ]),
      ),
    );
  }

  if (wants('many')) {
    if (registeredCount < plan.manySites) {
      progress(`many sites: registering clients ${registeredCount + 1}..${plan.manySites}`);
      await registerUpTo(plan.manySites);
    }
    const count = Math.min(plan.manySites, registered.active.length);
    progress(`many sites: private Mosquitto, a fresh xmserver process, ${count} sites`);
    const broker = await startMosquitto();
    try {
      const server = await startServer(
        { ...env.settings, brokerUrl: broker.url },
        { hostname: `${serverName}-m` },
      );
      servers.push(server);
      const monitor = new ResourceMonitor([
        { label: 'mosquitto', pids: () => [broker.pid] },
        { label: 'xmserver', pids: () => [server.pid] },
        { label: 'simulated sites (bench)', pids: () => [process.pid] },
      ]);
      await monitor.start(1000);
      const manySites = simulatedSites(registered.active.slice(0, count), env.pki, serverName);
      // These sites sent before through the other broker: continue their sequences.
      for (const site of manySites) {
        const known = sites.find((s) => s.keys.matricule === site.keys.matricule);
        if (known) {
          site.nextNumero = known.nextNumero;
          site.nextSequence = known.nextSequence;
        }
      }
      const many = new Fleet(serverName);
      fleets.push(many);
      const connectSeconds = await many.connect(manySites, broker.url, {
        concurrency: 200,
        sourceAddresses: 50,
      });
      const connected = await monitor.stop();
      progress(
        `  ${count} connected in ${connectSeconds.toFixed(1)} s; ${plan.manySenders} of them send while all stay connected`,
      );
      const senders = manySites.slice(0, plan.manySenders);
      const runs: NationalResult[] = [];
      for (const label of ['first contact, 1 row', '1 row per SDC']) {
        const first = label.startsWith('first');
        runs.push(
          await runNational(env.db, many, senders, [server], { pid: broker.pid }, serverName, {
            label,
            containersPerSite: first ? 1 : plan.scalingPerSite,
            rowsPerContainer: 1,
            window: first ? 1 : plan.window,
            timeoutMs: full ? 600_000 : 180_000,
          }),
        );
      }
      for (const site of senders) {
        const known = sites.find((s) => s.keys.matricule === site.keys.matricule);
        if (known) {
          known.nextNumero = site.nextNumero;
          known.nextSequence = site.nextSequence;
        }
      }
      const usage = (label: string) => connected.find((u) => u.label === label);
      json.manySites = { sites: count, connectSeconds, usage: connected, runs };
      await save();
      out(`\n## ${figure(count)} sites connected at once (private Mosquitto, one xmserver process)\n`);
      out(
        markdownTable(
          ['what', 'value'],
          [
            ['sites connected', `${figure(count)} in ${figure(connectSeconds, 1)} s`],
            [
              'Mosquitto RSS before -> after',
              `${mib(usage('mosquitto')?.rssStartBytes ?? 0)} -> ${mib(usage('mosquitto')?.rssEndBytes ?? 0)} MiB`,
            ],
            [
              'xmserver RSS before -> after',
              `${mib(usage('xmserver')?.rssStartBytes ?? 0)} -> ${mib(usage('xmserver')?.rssEndBytes ?? 0)} MiB`,
            ],
            [
              'simulating process RSS before -> after',
              `${mib(usage('simulated sites (bench)')?.rssStartBytes ?? 0)} -> ${mib(usage('simulated sites (bench)')?.rssEndBytes ?? 0)} MiB`,
            ],
            ...runs.map((r) => {
              const peak = (label: string) => mib(r.usage.find((u) => u.label === label)?.rssPeakBytes ?? 0);
              const busy = (label: string) => figure(r.usage.find((u) => u.label === label)?.cpuPercent ?? 0);
              return [
                `${r.label}: ${figure(r.sites)} connected, ${r.sending} sending, window ${r.window}`,
                `${figure(r.containers)} SDCs, ${r.complete ? 'all receipts' : `ONLY ${r.receipts} receipts`}, ${figure(r.containersPerSecond)} SDCs/s, p50 ${figure(r.latencyP50Ms)} ms, p99 ${figure(r.latencyP99Ms)} ms; RSS peak mosquitto ${peak('mosquitto')} MiB, xmserver ${peak('xmserver 1')} MiB; CPU % xmserver ${busy('xmserver 1')}, mosquitto ${busy('mosquitto')}, bench ${busy('simulated sites (bench)')}`,
              ];
            }),
          ],
        ),
      );
      await many.close();
      await server.stop();
      servers.splice(servers.indexOf(server), 1);
    } finally {
      await broker.stop();
    }
  }
  progress('done');
  json.finishedAt = new Date().toISOString();
  json.seconds = (performance.now() - began) / 1000;
  out(`\n\`\`\`json\n${JSON.stringify(json, null, 2)}\n\`\`\``);
  await save();
} catch (error) {
  if (BenchError.isInstance(error)) process.stderr.write(`bench: ${error.code}: ${error.message}\n`);
  throw error;
} finally {
  progress('closing: sites, server processes, scratch database');
  await Promise.all([
    ...fleets.map((fleet) => fleet.close().catch(() => {})),
    ...servers.map((server) => server.stop().catch(() => {})),
  ]);
  progress('closing: scratch database');
  await env.close();
  progress('closed');
}
