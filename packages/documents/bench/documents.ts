/**
 * Documents, on one core (Node runs this loop on one thread):
 * - PDFs per second for a birth extract (seal signed, PDF rendered), goal >= 50;
 * - seals verified per second (Base45, inflate, CBOR, ES256 against the trust list), goal >= 5,000;
 * - the seal of each default document: characters and the QR version it needs at level M.
 * Rates are per second of this process's CPU time (process.cpuUsage), the wall-clock rate beside
 * them: on a machine shared with other work the CPU figure is the one that says what a core does.
 * Run with `npm run bench -w @xmcomm/documents`.
 */
import { readFileSync } from 'node:fs';
import { CertificateAuthority, generateKeyPair } from '@xmcomm/pki';
import {
  createTrustList,
  DEFAULT_TEMPLATE_FOLDER,
  DEFAULT_TEMPLATES,
  type DocumentData,
  defaultTemplatePath,
  issueDocument,
  loadTemplateFile,
  qrSizeOf,
  readTrustList,
  verifySeal,
} from '../src/index.js';

const PDF_SECONDS = 5;
const VERIFY_SECONDS = 3;

function sample(id: string): DocumentData {
  return JSON.parse(
    readFileSync(`${DEFAULT_TEMPLATE_FOLDER}/${id.split('-')[0]}.sample.json`, 'utf8'),
  ) as DocumentData;
}

const { ca, certificate: root } = await CertificateAuthority.createRoot({
  subject: { commonName: 'Bench Root' },
});
const siteKeys = await generateKeyPair();
const site = await ca.issueCertificate({
  publicKey: siteKeys.publicKey,
  profile: 'site',
  subject: { matricule: 'CEC-0001' },
});
const listKeys = await generateKeyPair();
const lister = await ca.issueCertificate({
  publicKey: listKeys.publicKey,
  profile: 'server',
  subject: { commonName: 'List' },
});
const signer = { certificate: site.der, privateKey: siteKeys.privateKey };
const now = new Date();

async function issue(id: (typeof DEFAULT_TEMPLATES)[number], index: number) {
  return issueDocument({
    template: loadTemplateFile(defaultTemplatePath(id)),
    data: sample(id),
    issuer: 'CEC-0001',
    niu: `2026-0001-${String(index).padStart(6, '0')}`,
    documentId: `D-2026-${String(index).padStart(6, '0')}`,
    issuedAt: now,
    signer,
  });
}

console.log('seal size per default document (QR error correction M):');
for (const id of DEFAULT_TEMPLATES) {
  const { seal, pdf } = await issue(id, 1);
  const { version, modules } = qrSizeOf(seal);
  console.log(
    `  ${id.padEnd(17)} ${String(seal.length).padStart(4)} characters  QR version ${version} (${modules}x${modules})  PDF ${pdf.length.toLocaleString('en-US')} bytes`,
  );
}

const template = loadTemplateFile(defaultTemplatePath('birth-extract'));
const data = sample('birth');
for (let index = 0; index < 5; index += 1) await issue('birth-extract', index); // warm-up
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

let rendered = 0;
const pdfCpu = process.cpuUsage();
const pdfStart = performance.now();
while (performance.now() - pdfStart < PDF_SECONDS * 1000) {
  await issueDocument({
    template,
    data,
    issuer: 'CEC-0001',
    niu: `N-${rendered}`,
    documentId: `D-${rendered}`,
    issuedAt: now,
    signer,
  });
  rendered += 1;
}
const pdfRate = rendered / cpuSeconds(pdfCpu);
const pdfWall = rendered / ((performance.now() - pdfStart) / 1000);
console.log(
  `birth extract PDFs (seal + render): ${pdfRate.toFixed(1)} per CPU second (goal >= 50), ${pdfWall.toFixed(1)}/s wall clock`,
);

const seals: string[] = [];
for (let index = 0; index < 200; index += 1) seals.push((await issue('birth-extract', index)).seal);
const list = readTrustList(
  createTrustList(
    {
      sequence: 1,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + 86_400_000),
      issuer: 'bench',
      caCertificate: root.der,
      signers: [{ certificate: site.der, label: 'CEC-0001' }],
      revocations: [],
    },
    { privateKey: listKeys.privateKey, chain: [lister.der] },
  ),
);
let verified = 0;
const verifyCpu = process.cpuUsage();
const verifyStart = performance.now();
while (performance.now() - verifyStart < VERIFY_SECONDS * 1000) {
  for (const seal of seals) {
    if (verifySeal(seal, list, { at: now }).status !== 'VALID')
      throw new Error('a bench seal did not verify');
  }
  verified += seals.length;
}
const verifyRate = verified / cpuSeconds(verifyCpu);
const verifyWall = verified / ((performance.now() - verifyStart) / 1000);
console.log(
  `seals verified: ${Math.round(verifyRate).toLocaleString('en-US')} per CPU second (goal >= 5,000), ${Math.round(verifyWall).toLocaleString('en-US')}/s wall clock`,
);
