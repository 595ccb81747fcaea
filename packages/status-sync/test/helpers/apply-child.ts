// A server process that applies one container and is killed (SIGKILL) at a given step: no cleanup,
// no rollback from our side, exactly what a power cut or the OOM killer does.
import { readFile } from 'node:fs/promises';
import { type AnyTable, exchangedTables, openDatabase, type ServerDatabase } from '@xmcomm/schema';
import { createServerSync, type ServerStep, statusGateOnly } from '../../src/index.js';
import { createFakeCodec } from './fake-codec.js';

const url = process.env.XM_CHILD_DATABASE as string;
const killAt = process.env.XM_CHILD_KILL_AT as ServerStep;
const keys = new Map<string, Buffer>(
  Object.entries(JSON.parse(process.env.XM_CHILD_KEYS as string) as Record<string, string>).map(([m, k]) => [
    m,
    Buffer.from(k, 'hex'),
  ]),
);
const db = await openDatabase<ServerDatabase>(url);
const server = createServerSync({
  db,
  codec: createFakeCodec({ keys, tables: exchangedTables as readonly AnyTable[] }),
  serverMatricule: 'XMSERVER',
  charging: statusGateOnly,
  onStep: (step) => {
    if (step === killAt) process.kill(process.pid, 'SIGKILL');
  },
});
await server.applyContainer(new Uint8Array(await readFile(process.env.XM_CHILD_CONTAINER as string)));
process.exit(0);
