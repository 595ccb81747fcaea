// The real site path over an emulated satellite terminal: `npm run bench:site-path -w @xmcomm/bench`
// (quick: a few hundred acts a run) or `-- --full` (2,000 acts a batched run, the figures in
// docs/benchmarks.md). A centre set up by `ecr init`, its births drafted, verified and validated
// through ECR's workflow, then `ecr sync --once` timed from its start to the last act at status 4.
// `--only iridium,thuraya` picks links, `--batches default,50,1` batch settings, `--out file.json`.
// `--service` runs `ecr sync` as the long-running service instead (`--interval` seconds, 10 by
// default), with a clerk's acts and a bulk validated while it runs (`site-service.ts`).
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { openEnvironment } from '../src/environment.js';
import { figure, markdownTable } from '../src/report.js';
import { iridiumCertus100, thurayaXtPro } from '../src/satellite.js';
import { runSitePath, type SitePathResult } from '../src/site-path.js';
import { runSiteService, type SiteServiceResult } from '../src/site-service.js';
import { startServer } from '../src/xmserver-process.js';

const args = process.argv.slice(2);
const argument = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const full = args.includes('--full');
const links = new Set((argument('--only') ?? 'iridium,thuraya').split(','));
const batches = (argument('--batches') ?? 'default,50,1').split(',');
const outArg = argument('--out');
const batchedActs = Number(argument('--acts') ?? (full ? 2000 : 400));
const singleActs = Number(argument('--single-acts') ?? (full ? 30 : 8));
// `--routine`: each timed sync follows an earlier one of 200 acts (or one for single-act runs), as a
// centre's daily sync does; without it, each is the centre's first.
const earlier = args.includes('--routine');
const serviceMode = args.includes('--service');
const intervalSeconds = Number(argument('--interval') ?? 10);

const profiles = [
  ...(links.has('iridium') ? [iridiumCertus100] : []),
  ...(links.has('thuraya') ? [thurayaXtPro] : []),
];
const env = await openEnvironment();
const server = await startServer(env.settings);
const results: SitePathResult[] = [];
const serviceResults: SiteServiceResult[] = [];
const out = (text: string) => process.stdout.write(`${text}\n`);
try {
  if (serviceMode) {
    let index = 950_000;
    for (const profile of profiles) {
      for (const batch of batches) {
        const maxRows = batch === 'default' ? undefined : Number(batch);
        const clerkActs = full ? 40 : 10;
        const bulkActs = maxRows === 1 ? 0 : full ? 500 : 100;
        process.stderr.write(`- ${profile.name}, service, batch ${batch}, ${clerkActs} + ${bulkActs} acts\n`);
        const result = await runSiteService(
          { db: env.db, pki: env.pki, serverDataDir: env.settings.dataDir, broker: env.broker },
          {
            profile,
            index: index++,
            intervalSeconds,
            clerkActs,
            clerkEverySeconds: 3,
            bulkActs,
            bulkAtSeconds: 15,
            ...(maxRows ? { maxRows } : {}),
          },
        );
        process.stderr.write(`  ${JSON.stringify(result)}\n`);
        serviceResults.push(result);
      }
    }
    out(
      markdownTable(
        [
          'link',
          'batch',
          'interval s',
          'acts (clerk + bulk)',
          'containers',
          'resent',
          'connected after s',
          'acts/min from start',
          'bulk validated/min',
          'bulk at status 4/min',
          'bytes/act incl. TCP/IP',
          'delay p50 / p95 s (all)',
          'clerk p50 / p95 s',
          'bulk p50 / p95 s',
        ],
        serviceResults.map((r) => [
          r.link,
          r.batch,
          figure(r.intervalSeconds),
          `${figure(r.clerkDelay.acts)} + ${figure(r.bulkDelay.acts)}`,
          figure(r.containers),
          figure(r.resent),
          figure(r.connectedSeconds, 1),
          figure(r.actsPerMinute),
          figure(r.bulkValidatedPerMinute),
          figure(r.bulkExportedPerMinute),
          figure(r.upWireBytesPerAct, 1),
          `${figure(r.delay.p50Seconds, 1)} / ${figure(r.delay.p95Seconds, 1)}`,
          `${figure(r.clerkDelay.p50Seconds, 1)} / ${figure(r.clerkDelay.p95Seconds, 1)}`,
          `${figure(r.bulkDelay.p50Seconds, 1)} / ${figure(r.bulkDelay.p95Seconds, 1)}`,
        ]),
      ),
    );
  }
  let index = 900_000;
  for (const profile of serviceMode ? [] : profiles) {
    for (const batch of batches) {
      const maxRows = batch === 'default' ? undefined : Number(batch);
      const acts = maxRows === 1 ? singleActs : batchedActs;
      process.stderr.write(`- ${profile.name}, batch ${batch}, ${acts} acts\n`);
      const result = await runSitePath(
        { db: env.db, pki: env.pki, serverDataDir: env.settings.dataDir, broker: env.broker },
        {
          profile,
          acts,
          index: index++,
          ...(maxRows ? { maxRows } : {}),
          ...(earlier ? { earlierActs: maxRows === 1 ? 1 : 200 } : {}),
        },
      );
      process.stderr.write(`  ${JSON.stringify(result)}\n`);
      results.push(result);
    }
  }
  if (results.length > 0)
    out(
      markdownTable(
        [
          'link',
          'sync',
          'batch',
          'acts',
          'containers',
          'resent',
          'connected after s',
          'first at status 4 after s',
          'acts/min from start',
          'once connected',
          'up bytes/act',
          'bytes/act incl. TCP/IP',
          'link limit acts/min',
          '% of limit from start / once connected',
          'CPU ms/act (centre + link)',
        ],
        results.map((r) => [
          r.link,
          r.run,
          r.batch,
          figure(r.acts),
          figure(r.containers),
          figure(r.resent),
          figure(r.connectedSeconds, 1),
          figure(r.firstExportedSeconds, 1),
          figure(r.actsPerMinute),
          figure(r.actsPerMinuteConnected),
          figure(r.upBytesPerAct, 1),
          figure(r.upWireBytesPerAct, 1),
          figure(r.linkLimitPerMinute),
          `${figure((r.actsPerMinute / r.linkLimitPerMinute) * 100)} / ${figure((r.actsPerMinuteConnected / r.linkLimitPerMinute) * 100)}`,
          figure(r.cpuMsPerAct, 1),
        ]),
      ),
    );
  const json = {
    mode: full ? 'full' : 'quick',
    cpus: cpus().length,
    node: process.version,
    results,
    serviceResults,
  };
  out(JSON.stringify(json));
  if (outArg) await writeFile(outArg, `${JSON.stringify(json, null, 2)}\n`);
} finally {
  await server.stop();
  await env.close();
}
