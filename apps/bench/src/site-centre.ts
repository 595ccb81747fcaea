import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ActRef,
  type CentreContext,
  defaultRules,
  draftAct,
  formatActRef,
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

// A civil registration centre as `ecr init` + `ecr cert import` leave it, behind an emulated
// terminal, with its staff (an agent drafts, a secretary verifies, the officer validates with their
// password each time): what the real-path benchmarks (`--once` and the service) share.

export interface SitePathServer {
  readonly db: Kysely<ServerDatabase>;
  readonly pki: ServerPki;
  readonly serverDataDir: string;
  readonly broker: { readonly host: string; readonly port: number };
}

export interface BenchCentre {
  readonly link: LinkEmulator;
  /** The environment `ecr sync` runs with (officer, key passphrase, the emulated terminal's URL). */
  readonly syncEnv: Readonly<Record<string, string>>;
  /** Runs `ecr` in-process on the centre; `onLine` hears stdout line by line. Throws on a non-zero exit. */
  ecr(
    args: readonly string[],
    env: Readonly<Record<string, string>>,
    options?: { onLine?: (line: string) => void; signal?: AbortSignal },
  ): Promise<void>;
  /** Drafts and verifies `count` births (status 1, verified): what `ecr act import` and checking leave. */
  draft(count: number): Promise<ActRef[]>;
  /** The officer validates one act (password checked, NIU): status 2. */
  validate(ref: ActRef): Promise<void>;
  /** Drafted, verified and validated, one after the other. */
  prepare(count: number): Promise<ActRef[]>;
  close(): Promise<void>;
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

export { formatActRef };

export async function openBenchCentre(
  server: SitePathServer,
  profile: LinkProfile,
  index: number,
): Promise<BenchCentre> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const matricule = matriculeOf(index);
    const centreCode = String(index % 1_000_000).padStart(6, '0');
    const dataDir = await mkdtemp(join(tmpdir(), 'xmbench-centre-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const db = await openCentreDatabase('memory://');
    cleanups.push(() => db.destroy());
    const link = await LinkEmulator.start({ profile, target: server.broker });
    cleanups.push(() => link.close());

    const ecr: BenchCentre['ecr'] = async (args, env, options = {}) => {
      let err = '';
      let partial = '';
      const code = await runCli(['--data-dir', dataDir, ...args], {
        env,
        stdout: (text) => {
          partial += text;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) options.onLine?.(line);
        },
        stderr: (text) => {
          err += text;
        },
        openDatabase: async () => ({ db, close: async () => {} }),
        ...(options.signal ? { signal: options.signal } : {}),
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
    const birthAct = createActGenerator(5 + index);
    let drafted = 0;
    const draft = async (count: number) => {
      const refs: ActRef[] = [];
      for (let n = 0; n < count; n++) {
        drafted += 1;
        const ref = await draftAct(ctx, agent, 'birth', typed(birthAct(matricule, drafted)));
        await verifyAct(ctx, secretary, ref);
        refs.push(ref);
      }
      return refs;
    };
    const validate = async (ref: ActRef) => {
      await validateAct(ctx, chef, officerPassword, ref);
    };
    return {
      link,
      syncEnv: {
        ECR_USER: 'chef',
        ECR_PASSWORD: officerPassword,
        ECR_KEY_PASSPHRASE: keyPassphrase,
        ECR_BROKER_URL: link.url,
        ECR_MQTT_VERSION: '5',
      },
      ecr,
      draft,
      validate,
      prepare: async (count) => {
        const refs = await draft(count);
        for (const ref of refs) await validate(ref);
        return refs;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
