// The end-to-end benchmarks: `npm run bench` (quick, a few minutes) or `npm run bench:full`.
// `--only satellite,national,scaling,many` picks sections; `--out file.json` keeps the JSON.
// They print Markdown tables and one JSON object; they never fail on a time.
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { sql } from 'kysely';
import { openEnvironment } from '../src/environment.js';
import { BenchError } from '../src/errors.js';
import { Fleet, type SimulatedSite, simulatedSites } from '../src/fleet.js';
import { ResourceMonitor } from '../src/monitor.js';
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

const plan = full
  ? {
      satellite: { single: 30, batch: 1000 },
      activeSites: 200,
      singlePerSite: 20,
      batchPerSite: 4,
      registry: [1000, 10_000, 100_000],
      scalingPerSite: 10,
      manySites: 10_000,
      manySenders: 200,
    }
  : {
      satellite: { single: 8, batch: 300 },
      activeSites: 50,
      singlePerSite: 6,
      batchPerSite: 2,
      registry: [1000, 3000],
      scalingPerSite: 4,
      manySites: 1000,
      manySenders: 50,
    };

const json: Record<string, unknown> = { mode: full ? 'full' : 'quick', startedAt: new Date().toISOString() };
const out = (text: string) => process.stdout.write(`${text}\n`);
const progress = (text: string) => process.stderr.write(`- ${text}\n`);

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
  // Sites 1..activeSites send in the national runs; the next four are the satellite centres.
  const keep = Math.max(plan.activeSites + 4, wants('many') ? Math.min(plan.manySites, first) : 0);
  const registered = await registerClients(env.db, env.pki, { from: 1, to: first + 1, keep });
  let registeredCount = first;
  progress(`${first} clients registered with certificates in ${registered.seconds.toFixed(1)} s`);
  const server1 = await startServer(env.settings);
  servers.push(server1);
  const serverName = env.settings.serverName;

  if (wants('satellite')) {
    const results: SatelliteResult[] = [];
    const centres = registered.active.slice(plan.activeSites, plan.activeSites + 4) as SiteKeys[];
    const runs = [
      { profile: iridiumCertus100, rows: 1, acts: plan.satellite.single },
      { profile: iridiumCertus100, rows: 50, acts: plan.satellite.batch },
      { profile: thurayaXtPro, rows: 1, acts: plan.satellite.single },
      { profile: thurayaXtPro, rows: 50, acts: plan.satellite.batch },
    ];
    for (const [i, run] of runs.entries()) {
      progress(`satellite: ${run.profile.name}, ${run.rows} row(s) per container, ${run.acts} acts`);
      results.push(
        await runSatellite(
          { db: env.db, pki: env.pki, serverName, broker: env.broker },
          centres[i] as SiteKeys,
          { profile: run.profile, rowsPerContainer: run.rows, acts: run.acts },
        ),
      );
    }
    json.satellite = results;
    out('\n## Satellite links (one site, acts validated -> receipts, status 4)\n');
    out(
      markdownTable(
        [
          'link',
          'rows/SDC',
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
  const nationalRun = (label: string, perSite: number, rows: number, procs: ServerProcess[]) =>
    runNational(env.db, fleet as Fleet, sites, procs, env.broker, serverName, {
      label: `${label}, ${figure(registeredCount)} registered`,
      containersPerSite: perSite,
      rowsPerContainer: rows,
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
    national.push(await nationalRun('first contact, 1 row', 1, 1, [server1]));
  }

  if (wants('national')) {
    progress('national: one server process');
    national.push(await nationalRun('1 row per SDC', plan.singlePerSite, 1, [server1]));
    national.push(await nationalRun('50 rows per SDC', plan.batchPerSite, 50, [server1]));
  }
  if (wants('scaling') && fleet) {
    const points: Record<string, unknown>[] = [];
    for (const size of plan.registry) {
      if (size > registeredCount) {
        progress(`scaling: registering clients ${registeredCount + 1}..${size}`);
        const more = await registerClients(env.db, env.pki, {
          from: registeredCount + 1,
          to: size + 1,
          keep: 0,
        });
        progress(`  ${size - registeredCount} more in ${more.seconds.toFixed(1)} s`);
        registeredCount = size;
      }
      const run = await nationalRun(`${size} registered`, plan.scalingPerSite, 1, [server1]);
      const dbSize = await sql<{
        bytes: string;
      }>`select pg_database_size(current_database()) as bytes`.execute(env.db);
      const server = run.usage.find((u) => u.label === 'xmserver 1');
      points.push({
        registered: size,
        containersPerSecond: run.containersPerSecond,
        latencyP50Ms: run.latencyP50Ms,
        latencyP99Ms: run.latencyP99Ms,
        complete: run.complete,
        xmserverRssPeakBytes: server?.rssPeakBytes,
        databaseBytes: Number(dbSize.rows[0]?.bytes ?? 0),
      });
    }
    json.scaling = points;
    out(`\n## Scaling with the register (1 row per SDC, ${sites.length} sites sending, one process)\n`);
    out(
      markdownTable(
        [
          'registered clients',
          'SDCs/s',
          'p50 ms',
          'p99 ms',
          'complete',
          'xmserver RSS peak MiB',
          'database MiB',
        ],
        points.map((p) => [
          figure(p.registered as number),
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
    out(`\n## National server (${sites.length} sites sending, one SDC in flight per site)\n`);
    out(
      markdownTable(
        [
          'run',
          'processes',
          'SDCs',
          'rows',
          'complete',
          'seconds',
          'SDCs/s',
          'rows/s',
          'p50 ms',
          'p99 ms',
          'CPU % (xmserver / mosquitto / postgres / sites)',
          'xmserver RSS peak MiB',
        ],
        national.map((r) => {
          const cpu = (label: string) =>
            figure(r.usage.filter((u) => u.label.startsWith(label)).reduce((n, u) => n + u.cpuPercent, 0));
          return [
            r.label,
            String(r.processes),
            figure(r.containers),
            figure(r.rowsCentralised),
            r.complete ? `yes (${r.receiptsChecked} receipts opened)` : `NO (${r.receipts} receipts)`,
            figure(r.seconds, 1),
            figure(r.containersPerSecond),
            figure(r.rowsPerSecond),
            figure(r.latencyP50Ms),
            figure(r.latencyP99Ms),
            `${cpu('xmserver')} / ${cpu('mosquitto')} / ${cpu('postgresql')} / ${cpu('simulated')}`,
            r.usage
              .filter((u) => u.label.startsWith('xmserver'))
              .map((u) => mib(u.rssPeakBytes))
              .join(' + '),
          ];
        }),
      ),
    );
  }

  if (wants('many')) {
    const count = Math.min(plan.manySites, registered.active.length);
    if (count < plan.manySites)
      progress(
        `many sites: only ${count} registered sites have keys here (the first registration keeps them)`,
      );
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
        const sealedFor = label.startsWith('first') ? 1 : 4;
        runs.push(
          await runNational(env.db, many, senders, [server], { pid: broker.pid }, serverName, {
            label,
            containersPerSite: sealedFor,
            rowsPerContainer: 1,
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
            ...runs.map((r) => [
              `${r.label}: ${r.sites} connected, ${plan.manySenders} sending`,
              `${figure(r.containers)} SDCs, ${r.complete ? 'all receipts' : `ONLY ${r.receipts} receipts`}, ${figure(r.containersPerSecond)} SDCs/s, p50 ${figure(r.latencyP50Ms)} ms, p99 ${figure(r.latencyP99Ms)} ms`,
            ]),
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
  json.finishedAt = new Date().toISOString();
  out(`\n\`\`\`json\n${JSON.stringify(json, null, 2)}\n\`\`\``);
  if (outArg) await writeFile(outArg, `${JSON.stringify(json, null, 2)}\n`);
} catch (error) {
  if (BenchError.isInstance(error)) process.stderr.write(`bench: ${error.code}: ${error.message}\n`);
  throw error;
} finally {
  for (const fleet of fleets) await fleet.close().catch(() => {});
  for (const server of servers) await server.stop().catch(() => {});
  await env.close();
}
