import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type ServerDatabase } from '@xmcomm/schema';
import type { Kysely } from 'kysely';
import { BenchError } from './errors.js';
import { openServerPki, type ServerPki } from './registry.js';
import {
  createScratchDatabase,
  type Mosquitto,
  machineMosquittoPid,
  postgresUrl,
  reachable,
  startMosquitto,
} from './services.js';
import { initServer, type ServerSettings } from './xmserver-process.js';

export interface BenchEnvironment {
  readonly settings: ServerSettings & { readonly brokerUrl: string };
  readonly db: Kysely<ServerDatabase>;
  readonly pki: ServerPki;
  readonly broker: {
    readonly url: string;
    readonly host: string;
    readonly port: number;
    readonly pid?: number;
  };
  /** Where the broker came from, for the report. */
  readonly brokerSource: 'MQTT_URL' | 'machine' | 'private';
  close(): Promise<void>;
}

/**
 * A scratch database next to DATABASE_URL's (or the local test one), `xmserver init` in a
 * temporary data directory, and the broker: MQTT_URL, else the machine's Mosquitto on
 * 127.0.0.1:1883, else a private one. The server name is unique per run, so topics and
 * persistent sessions of earlier runs never meet this one's.
 */
export async function openEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<BenchEnvironment> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const scratch = await createScratchDatabase(postgresUrl(env));
    cleanups.push(() => scratch.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'xmbench-server-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));

    let brokerUrl: string;
    let brokerSource: BenchEnvironment['brokerSource'];
    let pid: number | undefined;
    if (env.MQTT_URL) {
      brokerUrl = env.MQTT_URL;
      brokerSource = 'MQTT_URL';
    } else if (await reachable('127.0.0.1', 1883)) {
      brokerUrl = 'mqtt://127.0.0.1:1883';
      brokerSource = 'machine';
    } else {
      const private_: Mosquitto = await startMosquitto();
      cleanups.push(() => private_.stop());
      brokerUrl = private_.url;
      brokerSource = 'private';
      pid = private_.pid;
    }
    const parsed = new URL(brokerUrl);
    if (parsed.protocol !== 'mqtt:')
      throw new BenchError(
        'broker-unavailable',
        `the benchmark needs a plain mqtt:// broker, not ${parsed.protocol}`,
      );
    if (brokerSource !== 'private' && ['127.0.0.1', 'localhost'].includes(parsed.hostname))
      pid = await machineMosquittoPid();

    const settings = {
      dataDir,
      databaseUrl: scratch.url,
      serverName: `bench-${randomBytes(3).toString('hex')}`,
      brokerUrl,
    };
    await initServer(settings);
    const db = await openDatabase<ServerDatabase>(scratch.url);
    cleanups.push(() => db.destroy());
    const pki = await openServerPki(dataDir);
    return {
      settings,
      db,
      pki,
      broker: {
        url: brokerUrl,
        host: parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname,
        port: Number(parsed.port || 1883),
        ...(pid ? { pid } : {}),
      },
      brokerSource,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
