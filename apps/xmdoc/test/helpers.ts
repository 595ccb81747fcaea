import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capture } from '@xmcomm/cli-kit/testing';
import { createTrustList, keyIdentifier, trustListToText } from '@xmcomm/documents';
import { CertificateAuthority, exportPrivateKey, generateKeyPair } from '@xmcomm/pki';
import { run } from '../src/program.js';

export interface Setup {
  readonly folder: string;
  readonly env: NodeJS.ProcessEnv;
  readonly keyFile: string;
  readonly certificateFile: string;
  /** Trust lists: 1 names the site; 2 revokes it. */
  readonly list1: string;
  readonly list2: string;
  /** The national CA's certificate, and another CA's. */
  readonly caFile: string;
  readonly strangerCaFile: string;
}

export async function setup(): Promise<Setup> {
  const folder = mkdtempSync(join(tmpdir(), 'xmdoc-test-'));
  const { ca, certificate: root } = await CertificateAuthority.createRoot({
    subject: { commonName: 'Test Root' },
  });
  const site = await generateKeyPair();
  const siteCertificate = await ca.issueCertificate({
    publicKey: site.publicKey,
    profile: 'site',
    subject: { matricule: 'CEC-0042' },
  });
  const lister = await generateKeyPair();
  const listCertificate = await ca.issueCertificate({
    publicKey: lister.publicKey,
    profile: 'server',
    subject: { commonName: 'List' },
  });
  const list = (sequence: number, revoked: boolean) =>
    trustListToText(
      createTrustList(
        {
          sequence,
          issuedAt: new Date(),
          expiresAt: new Date(Date.now() + 30 * 86_400_000),
          issuer: 'xmserver',
          caCertificate: root.der,
          signers: [{ certificate: siteCertificate.der, label: 'CEC-0042' }],
          revocations: revoked
            ? [
                {
                  keyIdentifier: keyIdentifier(siteCertificate.der),
                  revokedAt: new Date(),
                  reason: 'keyCompromise',
                },
              ]
            : [],
        },
        { privateKey: lister.privateKey, chain: [listCertificate.der] },
      ),
    );
  const files = {
    keyFile: join(folder, 'site.key'),
    certificateFile: join(folder, 'site.pem'),
    list1: join(folder, 'list-1.txt'),
    list2: join(folder, 'list-2.txt'),
    caFile: join(folder, 'ca.pem'),
    strangerCaFile: join(folder, 'stranger-ca.pem'),
  };
  const stranger = await CertificateAuthority.createRoot({ subject: { commonName: 'Stranger Root' } });
  writeFileSync(files.caFile, root.pem);
  writeFileSync(files.strangerCaFile, stranger.certificate.pem);
  writeFileSync(files.keyFile, exportPrivateKey(site.privateKey, { passphrase: 'site passphrase' }));
  writeFileSync(files.certificateFile, siteCertificate.pem);
  writeFileSync(files.list1, list(1, false));
  writeFileSync(files.list2, list(2, true));
  return {
    folder,
    env: { XMDOC_HOME: join(folder, 'home'), LANG: 'C', XM_KEY_PASSPHRASE: 'site passphrase' },
    ...files,
  };
}

export const xmdoc = (argv: readonly string[], env: NodeJS.ProcessEnv) =>
  capture((stdout, stderr) => run(argv, { env, stdout: stdout.stream, stderr: stderr.stream }));
