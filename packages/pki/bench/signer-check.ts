/**
 * How fast the trust store answers "is the signer with this SubjectKeyIdentifier valid now?":
 * - warm: the answer is cached, as for every container after a site's first;
 * - first validation: path building, the certificate's signature, revocation and validity checks;
 * - after a store change (a CRL load empties the answer cache): the same checks, but parsed
 *   certificates and checked signatures are remembered;
 * - first validation of a certificate that comes with the message (parsed, then validated).
 * Run with `npm run bench -w @xmcomm/pki`. One thread: Node runs this loop on one core.
 */
import {
  CertificateAuthority,
  createCertificateRequest,
  generateKeyPair,
  type KeySpec,
  TrustStore,
  unwrap,
} from '../src/index.js';

const WARM_CHECKS = 2_000_000;
const TARGET = 20_000;

interface Signer {
  readonly ski: Uint8Array;
  readonly der: Uint8Array;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

async function population(rootKey: KeySpec, siteKey: KeySpec, sites: number) {
  const { ca, certificate } = await CertificateAuthority.createRoot({
    subject: { commonName: 'Bench Root' },
    key: rootKey,
  });
  const signers: Signer[] = [];
  for (let index = 0; index < sites; index += 1) {
    const { privateKey } = await generateKeyPair(siteKey);
    const csr = await createCertificateRequest({
      privateKey,
      subject: { matricule: `CEC-${String(index).padStart(5, '0')}` },
    });
    const issued = await ca.issueCertificate({ csr, profile: 'site' });
    signers.push({ ski: issued.subjectKeyIdentifier, der: issued.der });
  }
  return { root: certificate.der, signers };
}

/** Checks per second of `check` over every signer, `rounds` times, each round on a store `prepare` made. */
function measure(
  rounds: number,
  signers: readonly Signer[],
  prepare: () => TrustStore,
  check: (store: TrustStore, signer: Signer) => boolean,
): number {
  let elapsed = 0n;
  let count = 0;
  for (let round = 0; round < rounds; round += 1) {
    const store = prepare();
    const start = process.hrtime.bigint();
    for (const signer of signers) {
      if (!check(store, signer)) throw new Error('bench: a valid signer was refused');
    }
    elapsed += process.hrtime.bigint() - start;
    count += signers.length;
  }
  return (count * 1e9) / Number(elapsed);
}

async function run(
  label: string,
  rootKey: KeySpec,
  siteKey: KeySpec,
  sites: number,
  rounds: number,
): Promise<number> {
  const { root, signers } = await population(rootKey, siteKey, sites);
  const registeredStore = () => {
    const store = new TrustStore();
    unwrap(store.addTrustAnchor(root));
    for (const signer of signers) unwrap(store.registerCertificate(signer.der));
    return store;
  };
  const registered = (store: TrustStore, signer: Signer) => store.checkSigner(signer.ski).ok;

  const first = measure(rounds, signers, registeredStore, registered);

  const shared = registeredStore();
  for (const signer of signers) registered(shared, signer);
  const afterChange = measure(
    rounds,
    signers,
    () => {
      shared.clearCache();
      return shared;
    },
    registered,
  );

  const identifiers = signers.map((signer) => new Uint8Array(signer.ski));
  const start = process.hrtime.bigint();
  for (let index = 0; index < WARM_CHECKS; index += 1) {
    if (!shared.checkSigner(identifiers[index % identifiers.length]!).ok)
      throw new Error('bench: warm check failed');
  }
  const warm = (WARM_CHECKS * 1e9) / Number(process.hrtime.bigint() - start);

  const openStore = () => {
    const store = new TrustStore();
    unwrap(store.addTrustAnchor(root));
    return store;
  };
  const embedded = measure(
    rounds,
    signers,
    openStore,
    (store, signer) => store.checkSigner(signer.ski, { embeddedCertificates: [signer.der] }).ok,
  );

  console.log(label);
  console.log(`  warm signer checks:                          ${format(warm).padStart(11)} /s`);
  console.log(`  first validation, registered certificate:    ${format(first).padStart(11)} /s`);
  console.log(`  revalidation after a store change (CRL):     ${format(afterChange).padStart(11)} /s`);
  console.log(
    `  first validation, certificate in the message: ${format(embedded).padStart(10)} /s  (parsed, then validated)`,
  );
  return warm;
}

const warmRates = [
  await run('ECDSA P-256 root, 1,000 ECDSA P-256 sites', { type: 'ec' }, { type: 'ec' }, 1_000, 3),
  // RSA key generation is slow: fewer sites, more rounds.
  await run(
    'RSA 3072 root, 100 RSA 2048 sites',
    { type: 'rsa', modulusLength: 3072 },
    { type: 'rsa', modulusLength: 2048 },
    100,
    10,
  ),
];
const slowest = Math.min(...warmRates);
console.log(
  `target: >= ${format(TARGET)} warm checks/s on one core: ${slowest >= TARGET ? 'met' : 'NOT MET'} (slowest ${format(slowest)} /s)`,
);
if (slowest < TARGET) process.exitCode = 1;
