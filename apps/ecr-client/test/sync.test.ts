import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect, createServer } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedBroker, ServerTransport, startEmbeddedBroker } from '@xmcomm/mqtt-transport';
import {
  CertificateAuthority,
  exportPrivateKey,
  generateKeyPair,
  hashPassword,
  verifyPassword,
} from '@xmcomm/pki';
import { type ServerDatabase, type SiteDatabase, serverMigrations, siteMigrations } from '@xmcomm/schema';
import { createTestDatabase, sampleBirth, type TestDatabase } from '@xmcomm/schema/testing';
import { createSdcCodec, createServerSigners, createServerSync, statusGateOnly } from '@xmcomm/status-sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exitCodes, runCli } from '../src/index.js';
import { birth } from './fixtures.js';

// `ecr sync`, `import`, `account` and `passwd` in-process against status-sync's own server side
// (hosted here, with an embedded broker or MQTT_URL's): the rejections and answers that the end to end
// run against xmserver does not provoke. The centre's database is the shared test database.

const serverName = `central-${process.pid}`;
const matricule = `CEC-SYNC-${process.pid}`;
let dir: string;
let broker: EmbeddedBroker | undefined;
let brokerUrl: string;
let site: TestDatabase<SiteDatabase>;
let server: TestDatabase<ServerDatabase>;
let transport: ServerTransport;
let clientId: number;

async function ecr(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['--data-dir', dir, ...args], {
    env: {
      ECR_USER: 'chef',
      ECR_PASSWORD: 'officer-password',
      ECR_KEY_PASSPHRASE: 'centre key passphrase',
      ECR_MQTT_VERSION: broker ? '4' : '5',
      ...env,
    },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    today: () => '2026-03-15',
    openDatabase: async () => ({ db: site.db, close: async () => {} }),
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-sync-'));
  if (process.env.MQTT_URL) brokerUrl = process.env.MQTT_URL;
  else {
    broker = await startEmbeddedBroker();
    brokerUrl = broker.url;
  }
  site = await createTestDatabase<SiteDatabase>({ migrations: siteMigrations });
  server = await createTestDatabase<ServerDatabase>({ migrations: serverMigrations });

  const root = await CertificateAuthority.createRoot({ subject: { commonName: 'Test National CA' } });
  const serverKey = await generateKeyPair();
  const serverCertificate = await root.ca.issueCertificate({
    publicKey: serverKey.publicKey,
    profile: 'server',
    subject: { commonName: serverName, matricule: serverName },
  });
  await writeFile(join(dir, 'server.pem'), serverCertificate.pem);
  await writeFile(join(dir, 'ca.pem'), root.certificate.pem);

  const init = await ecr(
    [
      'init',
      '--database-url',
      site.url,
      '--matricule',
      matricule,
      '--centre-code',
      '102034',
      '--officer',
      'chef',
      '--broker',
      brokerUrl,
      '--server-cert',
      join(dir, 'server.pem'),
      '--ca-cert',
      join(dir, 'ca.pem'),
    ],
    { ECR_NEW_PASSWORD: 'officer-password' },
  );
  expect(init.stderr).toBe('');
  const siteCertificate = await root.ca.issueCertificate({
    csr: await readFile(join(dir, 'centre.csr.pem'), 'utf8'),
    profile: 'site',
    subject: { matricule, commonName: matricule },
  });
  await writeFile(join(dir, 'issued.pem'), siteCertificate.pem);
  expect((await ecr(['cert', 'import', join(dir, 'issued.pem')])).code).toBe(0);
  await ecr(['user', 'add', 'ali', '--role', 'agent'], { ECR_NEW_PASSWORD: 'agent-password' });
  await ecr(['user', 'add', 'sec', '--role', 'secretary'], { ECR_NEW_PASSWORD: 'secretary-password' });

  // The server's register, as `xmserver client add` and `client enrol` leave it.
  const { id } = await server.db
    .insertInto('xm_system.clients')
    .values({
      matricule,
      centre_code: '102034',
      name: 'Centre',
      status: 2,
      password_hash: await hashPassword('zerokey'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  clientId = id;
  await server.db.insertInto('xm_system.accounts').values({ client_id: id }).execute();
  for (const [certificate, purpose, client] of [
    [root.certificate, 'ca', null],
    [siteCertificate, 'site', id],
  ] as const) {
    const info = certificate.info;
    await server.db
      .insertInto('xm_system.certificates')
      .values({
        client_id: client,
        purpose,
        subject: info.subject,
        issuer: info.issuer,
        serial_number: info.serialNumber,
        subject_key_identifier: Buffer.from(certificate.subjectKeyIdentifier).toString('hex'),
        fingerprint_sha256: info.fingerprintSha256,
        not_before: new Date(info.notBefore),
        not_after: new Date(info.notAfter),
        der: Buffer.from(certificate.der),
      })
      .execute();
  }
  const passphrase = 'server key passphrase';
  const identity = {
    privateKey: exportPrivateKey(serverKey.privateKey, { passphrase }),
    passphrase,
    certificate: serverCertificate.pem,
  };
  const sync = createServerSync({
    db: server.db,
    serverMatricule: serverName,
    charging: statusGateOnly,
    codec: createSdcCodec({
      signer: identity,
      recipient: identity,
      signers: await createServerSigners(server.db),
      recipientsFor: () => [{ certificate: siteCertificate.pem }],
    }),
  });
  transport = new ServerTransport({
    url: brokerUrl,
    server: serverName,
    shared: !broker,
    ...(broker ? { protocolVersion: 4 as const } : {}),
    clientIdPrefix: `${serverName}-server`,
    handler: {
      onContainer: async (from, payload) => {
        const outcome = await sync.applyContainer(payload);
        if (outcome.sender === from) for (const reply of outcome.replies) await transport.send(from, reply);
      },
    },
  });
  await transport.start();
}, 120_000);

afterAll(async () => {
  await transport?.stop();
  await site?.close();
  await server?.close();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

async function validatedBirth(fields: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'act.json');
  await writeFile(file, JSON.stringify({ ...birth, ...fields }));
  const drafted = await ecr(['--json', 'act', 'new', 'birth', '--file', file], {
    ECR_USER: 'ali',
    ECR_PASSWORD: 'agent-password',
  });
  const ref = (JSON.parse(drafted.stdout) as { ref: string }).ref;
  await ecr(['act', 'verify', ref], { ECR_USER: 'sec', ECR_PASSWORD: 'secretary-password' });
  expect((await ecr(['act', 'validate', ref])).code).toBe(0);
  return ref;
}

const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('ecr and the central server', () => {
  test("refused for the centre's account, acts wait validated and go by themselves once the server allows it", async () => {
    const ref = await validatedBirth({ child_given_names: 'Held first' });
    // Status 2: every service but data. The account is refused, not the act.
    const first = await ecr(['--json', 'sync', '--once', '--wait', '30']);
    expect(first.code, first.stderr).toBe(0);
    expect(events(first.stdout).find((e) => e.event === 'held')).toMatchObject({
      refs: [ref],
      reason: 'service-not-allowed',
    });
    expect(events(first.stdout).find((e) => e.event === 'rejected')).toBeUndefined();
    const shown = await ecr(['act', 'show', ref]);
    expect(shown.stdout).toContain('status: 2');
    expect(shown.stdout).not.toContain('REJECTED');
    const french = await ecr(['--lang', 'fr', 'sync', '--once', '--wait', '5']);
    expect(french.stdout).toContain('0 scellé(s)');

    // The operator allows the service; the centre asks for its account (xmserver would push it).
    await server.db.updateTable('xm_system.clients').set({ status: 3 }).where('id', '=', clientId).execute();
    expect((await ecr(['--json', 'account', '--refresh', '--wait', '30'])).code).toBe(0);
    const second = await ecr(['--json', 'sync', '--once', '--wait', '30']);
    expect(second.code, second.stderr).toBe(0);
    expect(events(second.stdout).find((e) => e.event === 'exported')).toMatchObject({ refs: [ref] });

    const history = JSON.parse((await ecr(['--json', 'act', 'history', ref])).stdout) as {
      kind: string;
      workstation: string | null;
    }[];
    expect(history.map((e) => e.kind)).toEqual(expect.arrayContaining(['sealed', 'held', 'exported']));
    expect(history.map((e) => e.kind)).not.toContain('edited');
    // The clerks' steps name the workstation they were made from; the synchronisation's none.
    expect(history.find((e) => e.kind === 'drafted')?.workstation).toBe(hostname());
    expect(history.find((e) => e.kind === 'exported')?.workstation).toBeNull();
  }, 90_000);

  test('a refused act comes back with the reason and the step really needed; done, it goes to 4', async () => {
    // The server has another centre code for this centre: its NIU is not the centre's there.
    await server.db
      .updateTable('xm_system.clients')
      .set({ centre_code: '999999' })
      .where('id', '=', clientId)
      .execute();
    const ref = await validatedBirth({ child_given_names: 'Rejected first', remarks: 'as drafted' });
    const first = await ecr(['sync', '--once', '--wait', '30']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`REJECTED ${ref}`);
    expect(first.stdout).toContain('foreign-niu');
    expect(first.stdout).toContain('the officer validates it again');
    expect(first.stdout).not.toContain('verify');
    const shown = await ecr(['act', 'show', ref]);
    expect(shown.stdout).toContain('REJECTED by the server');
    expect(shown.stdout).toContain('status: 1');

    // The operators correct the code; the officer validates again, without an edit or a new verification.
    await server.db
      .updateTable('xm_system.clients')
      .set({ centre_code: '102034' })
      .where('id', '=', clientId)
      .execute();
    expect((await ecr(['act', 'validate', ref])).code).toBe(0);
    const second = await ecr(['--json', 'sync', '--once', '--wait', '30']);
    expect(second.code, second.stderr).toBe(0);
    expect(events(second.stdout).find((e) => e.event === 'exported')).toMatchObject({ refs: [ref] });
    const central = await server.db
      .selectFrom('xm_data.births')
      .select(['remarks', 'niu'])
      .where('origin_matricule', '=', matricule)
      .where('remarks', '=', 'as drafted')
      .execute();
    expect(central).toEqual([{ remarks: 'as drafted', niu: expect.stringMatching(/^102034-/) }]);
  }, 90_000);

  test('an import request brings acts of another centre, stored read-only', async () => {
    await server.db
      .insertInto('xm_data.births')
      .values({
        ...sampleBirth,
        child_surname: 'Zambo',
        status: 2,
        niu: '555555-2025-0000009-00',
        origin_matricule: 'CEC-OTHER',
        origin_numero: 9,
      } as never)
      .execute();
    const refused = await ecr(['import', 'birth', '--where', 'no_such_field=1']);
    expect(refused.code).toBe(exitCodes.usage);
    const imported = await ecr([
      '--json',
      'import',
      'birth',
      '--where',
      'child_surname in Zambo,Nobody',
      '--where',
      'date_of_birth between 1900-01-01 and 2100-12-31',
      '--order',
      'date_of_birth:desc',
      '--wait',
      '30',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout.slice(imported.stdout.indexOf('{\n'))) as {
      imported: number;
      rows: { ref: string; niu: string }[];
    };
    expect(result.imported).toBe(1);
    expect(result.rows).toEqual([{ ref: expect.stringMatching(/^B\d+$/), niu: '555555-2025-0000009-00' }]);
    const ref = result.rows[0]?.ref as string;
    const edit = await ecr(['act', 'edit', ref, '--set', 'remarks=x'], {
      ECR_USER: 'ali',
      ECR_PASSWORD: 'agent-password',
    });
    expect(edit.code).toBe(exitCodes['read-only']);
  }, 60_000);

  test('account --refresh shows what the server reports', async () => {
    await server.db.updateTable('xm_system.clients').set({ status: 1 }).where('id', '=', clientId).execute();
    const before = await ecr(['--json', 'account']);
    expect(JSON.parse(before.stdout)).toMatchObject({ account: { status: 3 } });
    const refreshed = await ecr(['--json', 'account', '--refresh', '--wait', '30']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const shown = JSON.parse(refreshed.stdout.slice(refreshed.stdout.lastIndexOf('\n{\n') + 1)) as {
      account: { matricule: string; status: number };
    };
    expect(shown.account).toMatchObject({ matricule, status: 1 });
    await server.db.updateTable('xm_system.clients').set({ status: 3 }).where('id', '=', clientId).execute();
  }, 60_000);

  test('passwd: zerokey is checked here, the server stores the new hash, and the centre then knows only the new password', async () => {
    const wrong = await ecr(['passwd'], {
      ECR_CENTRE_PASSWORD: 'not-zerokey',
      ECR_NEW_CENTRE_PASSWORD: 'a new centre password',
    });
    expect(wrong.code).toBe(exitCodes['authentication-failed']);
    await server.db
      .updateTable('xm_system.clients')
      .set({ must_change_password: true })
      .where('id', '=', clientId)
      .execute();
    const change = await ecr(['--json', 'passwd', '--wait', '30'], {
      ECR_CENTRE_PASSWORD: 'zerokey',
      ECR_NEW_CENTRE_PASSWORD: 'a new centre password',
    });
    expect(change.code, change.stderr).toBe(0);
    // The server holds the hash of the new password (never the password) and no longer asks for a change.
    const client = await server.db
      .selectFrom('xm_system.clients')
      .select(['password_hash', 'must_change_password'])
      .where('id', '=', clientId)
      .executeTakeFirstOrThrow();
    expect(client.must_change_password).toBe(false);
    expect(client.password_hash).not.toContain('a new centre password');
    expect(await verifyPassword('a new centre password', client.password_hash)).toBe(true);
    expect(await verifyPassword('zerokey', client.password_hash)).toBe(false);
    const account = JSON.parse((await ecr(['--json', 'account'])).stdout) as {
      centrePassword: { changed: boolean; pending: boolean; refused: { reason: string } | null };
    };
    expect(account.centrePassword).toMatchObject({ changed: true, pending: false, refused: null });
    // zerokey is no longer the current password at the centre either.
    const again = await ecr(['passwd'], {
      ECR_CENTRE_PASSWORD: 'zerokey',
      ECR_NEW_CENTRE_PASSWORD: 'a third centre password',
    });
    expect(again.code).toBe(exitCodes['authentication-failed']);
  }, 60_000);
});

describe('ecr sync --json at shutdown', () => {
  test('reports no link-error when the link is torn down as it closes, after every act was acknowledged', async () => {
    // A link that drops the connection as the centre says goodbye (a NAT or a satellite terminal
    // cutting the idle line): a reset socket under a client the sync is ending. That was reported as
    // `link-error CONNECT_FAILED` after the last receipt.
    const target = new URL(brokerUrl);
    const proxy = createServer((centre) => {
      const upstream = connect({ host: target.hostname, port: Number(target.port) });
      centre.on('data', (chunk) => {
        if (chunk[0] === 0xe0) {
          // DISCONNECT: reset instead of passing it on.
          centre.resetAndDestroy();
          upstream.destroy();
        } else upstream.write(chunk);
      });
      upstream.on('data', (chunk) => centre.write(chunk));
      centre.on('error', () => upstream.destroy());
      upstream.on('error', () => centre.destroy());
      centre.on('close', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      await server.db
        .updateTable('xm_system.clients')
        .set({ status: 3 })
        .where('id', '=', clientId)
        .execute();
      const ref = await validatedBirth({ child_given_names: 'Last one' });
      const url = `mqtt://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const result = await ecr(['--json', 'sync', '--once', '--wait', '30'], { ECR_BROKER_URL: url });
      expect(result.code, result.stderr).toBe(0);
      expect(events(result.stdout).find((e) => e.event === 'exported')).toMatchObject({ refs: [ref] });
      expect(events(result.stdout).filter((e) => e.event === 'link-error')).toEqual([]);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 60_000);
});
