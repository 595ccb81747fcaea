import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as ecr, insertUser, openCentreDatabase } from '@xmcomm/ecr-client';
import type { DemoServer } from '@xmcomm/xmserver';
import { DemoError } from './errors.js';

// One real civil registration centre against the running demo server, set up the way its staff
// would: `ecr init` (key, CSR, officer), the server certifies the CSR as `client enrol` does, `ecr
// cert import`, then the officer's two colleagues. All through ECR's own CLI and library.

/** The demo's logins: published on purpose, like the trial supervisor of `xmserver demo`. */
export const demoLogins = [
  { role: 'agent', login: 'agent', password: 'agent-demo', privilege: 1 },
  { role: 'secretary', login: 'secretary', password: 'secretary-demo', privilege: 2 },
  { role: 'officer', login: 'officer', password: 'officer-demo', privilege: 3 },
] as const;

export const demoCentre = {
  matricule: 'DEMO-ECR',
  name: "Centre d'état civil de démonstration",
} as const;

export interface DemoCentre {
  readonly dataDir: string;
  /** What `ecr` reads from its environment for this centre (the key's passphrase among them). */
  readonly env: Readonly<Record<string, string>>;
  remove(): Promise<void>;
}

export async function setUpCentre(server: DemoServer): Promise<DemoCentre> {
  const dataDir = await mkdtemp(join(tmpdir(), 'xmcomm-demo-centre-'));
  const officer = demoLogins[2];
  const env = {
    ECR_DATA_DIR: dataDir,
    ECR_USER: officer.login,
    ECR_PASSWORD: officer.password,
    ECR_NEW_PASSWORD: officer.password,
    // A fresh key per run, in a temporary directory removed at the end.
    ECR_KEY_PASSPHRASE: `demo-${Math.random().toString(36).slice(2)}`,
    // The embedded broker speaks MQTT 3.1.1.
    ECR_MQTT_VERSION: '4',
    ECR_LANG: 'en',
  };
  const remove = () => rm(dataDir, { recursive: true, force: true });
  try {
    const said: string[] = [];
    const run = async (argv: string[]) => {
      const code = await ecr(argv, {
        env,
        stdout: (text) => void said.push(text),
        stderr: (text) => void said.push(text),
      });
      if (code !== 0) throw new DemoError('centre-setup', `ecr ${argv[0]} ${argv[1] ?? ''}`, said.join(''));
    };
    const { centreCode } = await server.addCentre(demoCentre);
    const serverCert = join(dataDir, 'server.pem');
    const caCert = join(dataDir, 'ca.pem');
    await writeFile(serverCert, server.serverCertificatePem);
    await writeFile(caCert, server.caPem);
    await run([
      'init',
      '--matricule',
      demoCentre.matricule,
      '--centre-code',
      centreCode,
      '--name',
      demoCentre.name,
      '--officer',
      officer.login,
      '--broker',
      server.brokerUrl,
      '--server-cert',
      serverCert,
      '--ca-cert',
      caCert,
    ]);
    const csr = await readFile(join(dataDir, 'centre.csr.pem'), 'utf8');
    const issued = join(dataDir, 'issued.pem');
    await writeFile(issued, await server.enrolCentre(demoCentre.matricule, csr));
    await run(['cert', 'import', issued]);
    const db = await openCentreDatabase(join(dataDir, 'db'));
    try {
      for (const user of demoLogins.slice(0, 2))
        await insertUser(db, { login: user.login, privilege: user.privilege, password: user.password });
    } finally {
      await db.destroy();
    }
    return { dataDir, env, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}
