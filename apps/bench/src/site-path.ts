import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CentreContext,
  defaultRules,
  draftAct,
  insertUser,
  openCentreDatabase,
  readCentre,
  runCli,
  validateAct,
  verifyAct,
} from '@xmcomm/ecr-client';
import { hashPassword } from '@xmcomm/pki';
import type { ServerDatabase, SiteDatabase } from '@xmcomm/schema';
import { createActGenerator } from '@xmcomm/schema/testing';
import type { Kysely } from 'kysely';
import { BenchError } from './errors.js';
import { LinkEmulator, type LinkProfile } from './link-emulator.js';
import { insertClients, matriculeOf, type ServerPki } from './registry.js';

// The real site path: a civil registration centre set up as `ecr init` + `ecr cert import` leave it,
// its acts drafted, verified and validated through ECR's workflow functions (every rule checked, the
// officer's password each time, the NIU with its check digit), then `ecr sync --once` itself,
// in-process, through the emulated terminal: the clock starts when the command starts (login, key
// unlock, connect, seal, send, receipts) and stops when the last act is at status 4.

export interface SitePathServer {
  readonly db: Kysely<ServerDatabase>;
  readonly pki: ServerPki;
  readonly serverDataDir: string;
  readonly broker: { readonly host: string; readonly port: number };
}

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
  readonly seconds: number;
  readonly actsPerMinute: number;
  /** From the link up to the last act at status 4. */
  readonly actsPerMinuteConnected: number;
  /** Everything up during the command (MQTT), per act, and with 52 bytes of IPv4+TCP per segment. */
  readonly upBytesPerAct: number;
  readonly upWireBytesPerAct: number;
  readonly downBytesPerAct: number;
  /** Preparing the acts through the workflow (not timed in the figures). */
  readonly prepareSeconds: number;
  /** `first` sync of the centre, or `routine` (after an earlier one). */
  readonly run: 'first' | 'routine';
}

const officerPassword = 'officer password for the bench';
const keyPassphrase = 'centre key passphrase for the bench';
const today = () => new Date().toISOString().slice(0, 10);

/** Fields a clerk types: the generator's act without what the workflow sets (who, when, NIU). */
function typed(act: Record<string, unknown>): Record<string, unknown> {
  const {
    niu: _niu,
    drafted_by: _db,
    drafted_at: _da,
    verified_by: _vb,
    verified_at: _va,
    validated_by: _lb,
    validated_at: _la,
    ...fields
  } = act;
  return fields;
}

export async function runSitePath(server: SitePathServer, options: SitePathOptions): Promise<SitePathResult> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const matricule = matriculeOf(options.index);
    const centreCode = String(options.index % 1_000_000).padStart(6, '0');
    const dataDir = await mkdtemp(join(tmpdir(), 'xmbench-centre-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const db = await openCentreDatabase('memory://');
    cleanups.push(() => db.destroy());
    const link = await LinkEmulator.start({ profile: options.profile, target: server.broker });
    cleanups.push(() => link.close());

    const ecr = async (args: string[], env: Record<string, string>, onLine?: (line: string) => void) => {
      let err = '';
      let partial = '';
      const code = await runCli(['--data-dir', dataDir, ...args], {
        env,
        stdout: (text) => {
          partial += text;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) onLine?.(line);
        },
        stderr: (text) => {
          err += text;
        },
        openDatabase: async () => ({ db, close: async () => {} }),
      });
      if (code !== 0) throw new BenchError('incomplete', `ecr ${args.join(' ')}: exit ${code}: ${err}`);
    };

    // The centre as `ecr init` leaves it, enrolled by the server's CA, its certificate imported.
    await ecr(
      [
        'init',
        '--database-url',
        'memory://',
        '--matricule',
        matricule,
        '--centre-code',
        centreCode,
        '--officer',
        'chef',
        '--server-cert',
        join(server.serverDataDir, 'pki', 'server.pem'),
        '--ca-cert',
        join(server.serverDataDir, 'pki', 'ca.pem'),
      ],
      { ECR_NEW_PASSWORD: officerPassword, ECR_KEY_PASSPHRASE: keyPassphrase },
    );
    const keyPem = await readFile(join(dataDir, 'centre-key.pem'), 'utf8');
    const publicKey = createPublicKey(createPrivateKey({ key: keyPem, passphrase: keyPassphrase }));
    const certificate = server.pki.issuer.issue(matricule, publicKey);
    await insertClients(server.db, [{ matricule, certificate, centreCode }], await hashPassword('zerokey'));
    const base64 = Buffer.from(certificate.der).toString('base64');
    const certificatePem = `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
    await writeFile(join(dataDir, 'issued.pem'), certificatePem);
    await ecr(['cert', 'import', join(dataDir, 'issued.pem')], {
      ECR_USER: 'chef',
      ECR_PASSWORD: officerPassword,
    });

    // The staff at work: an agent drafts, a secretary verifies, the officer validates (password each time).
    const prepared = performance.now();
    const settings = await readCentre(db);
    if (!settings) throw new BenchError('incomplete', `${matricule} is not set up`);
    const ctx: CentreContext = {
      db: db as Kysely<SiteDatabase>,
      centre: settings,
      rules: defaultRules,
      today,
    };
    const officer = await db
      .selectFrom('xm_site.users')
      .select(['id', 'login'])
      .where('login', '=', 'chef')
      .executeTakeFirstOrThrow();
    const chef = { id: officer.id, login: officer.login, privilege: 3 as const };
    const agent = await insertUser(db, { login: 'agent', privilege: 1, password: 'agent password 1' });
    const secretary = await insertUser(db, { login: 'sec', privilege: 2, password: 'secretary password' });
    const birthAct = createActGenerator(5 + options.index);
    let drafted = 0;
    const prepare = async (count: number) => {
      for (let n = 0; n < count; n++) {
        drafted += 1;
        const ref = await draftAct(ctx, agent, 'birth', typed(birthAct(matricule, drafted)));
        await verifyAct(ctx, secretary, ref);
        await validateAct(ctx, chef, officerPassword, ref);
      }
    };
    const syncEnv = {
      ECR_USER: 'chef',
      ECR_PASSWORD: officerPassword,
      ECR_KEY_PASSPHRASE: keyPassphrase,
      ECR_BROKER_URL: link.url,
      ECR_MQTT_VERSION: '5',
    };
    if (options.earlierActs) {
      await prepare(options.earlierActs);
      await ecr(
        ['--json', 'sync', '--once', ...(options.maxRows ? ['--max-rows', String(options.maxRows)] : [])],
        syncEnv,
      );
    }
    await prepare(options.acts);
    const prepareSeconds = (performance.now() - prepared) / 1000;

    // `ecr sync --once`, timed from its start.
    const before = link.counters();
    let connectedAt: number | undefined;
    let doneAt: number | undefined;
    let exported = 0;
    const containers = new Map<string, number>();
    const started = performance.now();
    await ecr(
      ['--json', 'sync', '--once', ...(options.maxRows ? ['--max-rows', String(options.maxRows)] : [])],
      syncEnv,
      (line) => {
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
          if (exported >= options.acts) doneAt ??= performance.now();
        }
      },
    );
    const after = link.counters();
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
      seconds,
      actsPerMinute: (options.acts / seconds) * 60,
      actsPerMinuteConnected: (options.acts / ((doneAt - connectedAt) / 1000)) * 60,
      upBytesPerAct: up / options.acts,
      upWireBytesPerAct: (up + upSegments * 52) / options.acts,
      downBytesPerAct: (after.down.payloadBytes - before.down.payloadBytes) / options.acts,
      prepareSeconds,
      run: options.earlierActs ? 'routine' : 'first',
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}
