/**
 * Sizes and speeds of the SDC, printed in one run, side by side with OpenSSL's leanest pipeline,
 * straightforward pkijs, and node-forge's PKCS#7 (RSA/CBC, the case it supports).
 * Run: npm run bench -w @xmcomm/sdc-codec. Single-threaded; on a loaded machine every figure
 * drops together, the side-by-side ratios hold.
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  constants,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  webcrypto,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  createCertificateResolver,
  createDecoder,
  createEncoder,
  type PayloadInput,
  type Row,
} from '../src/index.js';
import { createTestPki } from '../test/pki-fixtures.js';
import { birthAct, genericAct, smallBirthAct } from './acts.js';

// node-forge is CommonJS without a default export in its types.
const forge = createRequire(import.meta.url)('node-forge') as typeof import('node-forge');
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const pki = createTestPki();
const read = (name: string) => pki.read(name);
const SECONDS = Number(process.env.SDC_BENCH_SECONDS ?? 2);

function rate(label: string, body: () => void): number {
  for (let i = 0; i < 50; i++) body(); // warm-up
  let count = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) body();
    count += 20;
  }
  const perSecond = count / ((performance.now() - start) / 1000);
  console.log(`  ${label.padEnd(58)} ${perSecond.toFixed(0).padStart(7)} /s`);
  return perSecond;
}

async function rateAsync(label: string, body: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i++) await body();
  let count = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 10; i++) await body();
    count += 10;
  }
  const perSecond = count / ((performance.now() - start) / 1000);
  console.log(`  ${label.padEnd(58)} ${perSecond.toFixed(0).padStart(7)} /s`);
  return perSecond;
}

const line = (label: string, value: string, target = '') =>
  console.log(`  ${label.padEnd(58)} ${value.padStart(9)}  ${target}`);

console.log(
  `SDC benchmark: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
);
const act = birthAct(1);
console.log(
  `birth act: ${Object.keys(act).length - 1} data fields, ${JSON.stringify(act).length} bytes as JSON\n`,
);

// ---- sizes ------------------------------------------------------------------------------------

const ecEncoder = createEncoder({
  signer: { privateKey: read('site.key'), certificate: read('site.pem') },
  recipients: [{ certificate: read('server.pem') }],
});
let sequence = 0;
const rowsInput = (table: string, rows: Row[]): PayloadInput => ({
  kind: 'rows',
  sender: 'CE0001',
  recipient: 'SRV01',
  sequence: ++sequence,
  table,
  rows,
});
const size = (table: string, rows: Row[]) => (ecEncoder.encode(rowsInput(table, rows)) as Uint8Array).length;
const average = (f: (i: number) => number, n = 20) =>
  Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b) / n;
const fifty = (make: (i: number) => Row, offset: number) =>
  Array.from({ length: 50 }, (_, i) => make(offset + i));

console.log('Size, binary armour, EC P-256 keys, AES-256-GCM (average of 20 containers)');
const birthSingle = average((i) => size('births', [birthAct(i)]));
const birthFifty = average((i) => size('births', fifty(birthAct, i * 50)), 5) / 50;
const genericSingle = average((i) => size('actes_locaux', [genericAct(i)]));
const genericFifty = average((i) => size('actes_locaux', fifty(genericAct, i * 50)), 5) / 50;
line('birth act (contract), single-row SDC', `${birthSingle.toFixed(0)} B`, `target <= 700 B`);
line('birth act (contract), per row in SDCs of 50', `${birthFifty.toFixed(1)} B`, `target <= 60 B`);
line(
  'same act, table unknown to the contract (generic), single',
  `${genericSingle.toFixed(0)} B`,
  `target <= 900 B`,
);
line('generic, per row in SDCs of 50', `${genericFifty.toFixed(1)} B`, `target <= 75 B`);

// OpenSSL's leanest pipeline on the same acts: JSON + deflate, SignedData without certificates
// or attributes, AuthEnvelopedData to the EC recipient by SKI.
function opensslLeanest(rows: Row[]): number {
  writeFileSync(pki.path('lean.bin'), deflateRawSync(JSON.stringify(rows), { level: 9 }));
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: pki.dir, stdio: 'pipe' });
  run([
    'cms',
    '-sign',
    '-nodetach',
    '-binary',
    '-noattr',
    '-nocerts',
    '-keyid',
    '-md',
    'sha256',
    '-in',
    'lean.bin',
    '-signer',
    'site.pem',
    '-inkey',
    'site.key',
    '-outform',
    'DER',
    '-out',
    'lean.sig',
  ]);
  run([
    'cms',
    '-encrypt',
    '-binary',
    '-keyid',
    '-aes-256-gcm',
    '-recip',
    'server.pem',
    '-keyopt',
    'ecdh_kdf_md:sha256',
    '-in',
    'lean.sig',
    '-outform',
    'DER',
    '-out',
    'lean.der',
  ]);
  return readFileSync(pki.path('lean.der')).length;
}
line(
  'OpenSSL leanest (JSON+deflate, no certs/attrs), single',
  `${average((i) => opensslLeanest([birthAct(i)]), 5).toFixed(0)} B`,
);
line('OpenSSL leanest, per row in 50s', `${(opensslLeanest(fifty(birthAct, 0)) / 50).toFixed(1)} B`);
const smallJson = average((i) => JSON.stringify(smallBirthAct(i)).length);
line(
  `smaller act (${smallJson.toFixed(0)} B of JSON, the issue's reference size), single`,
  `${average((i) => size('births', [smallBirthAct(i)])).toFixed(0)} B`,
  'target <= 700 B',
);
line(
  'smaller act, per row in SDCs of 50',
  `${(average((i) => size('births', fifty(smallBirthAct, i * 50)), 5) / 50).toFixed(1)} B`,
  'target <= 60 B',
);
const genericSmall = (i: number): Row => {
  const { numero: _numero, ...act } = smallBirthAct(i);
  return act;
};
line(
  'smaller act, generic table, single',
  `${average((i) => size('actes_locaux', [genericSmall(i)])).toFixed(0)} B`,
  'target <= 900 B',
);
line(
  'smaller act, generic table, per row in SDCs of 50',
  `${(average((i) => size('actes_locaux', fifty(genericSmall, i * 50)), 5) / 50).toFixed(1)} B`,
  'target <= 75 B',
);
line(
  'OpenSSL leanest, smaller act, single',
  `${average((i) => opensslLeanest([smallBirthAct(i)]), 5).toFixed(0)} B`,
  "issue's reference: 887 B",
);
line(
  'OpenSSL leanest, smaller act, per row in 50s',
  `${(opensslLeanest(fifty(smallBirthAct, 0)) / 50).toFixed(1)} B`,
  "issue's reference: 93 B",
);

// ---- speed ------------------------------------------------------------------------------------

console.log('\nSpeed, one core, single-row SDCs (decode = decrypt + verify; signer already validated)');
const acts = Array.from({ length: 200 }, (_, i) => birthAct(i));
let k = 0;
const encodeRate = rate('ours: encode (EC, GCM)', () => {
  ecEncoder.encode(rowsInput('births', [acts[k++ % 200] as Row]));
});
const containers = acts.map((a) => ecEncoder.encode(rowsInput('births', [a])) as Uint8Array);
const decoder = createDecoder({
  recipient: { privateKey: read('server.key'), certificate: read('server.pem') },
  signers: createCertificateResolver({ trustAnchors: [read('ca.pem')], certificates: [read('site.pem')] }),
});
const decodeRate = await rateAsync('ours: decode (EC, GCM)', async () => {
  const result = await decoder.decode(containers[k++ % 200] as Uint8Array);
  if (!result.ok) throw result.error;
});
// A server opens many containers at once: the signature checks then run on libuv's thread pool
// beside the decryption and decoding on the main thread.
const inParallel = 64;
const parallelRate = await rateAsync(
  `ours: decode (EC, GCM), ${inParallel} at once (per container)`,
  async () => {
    const results = await Promise.all(
      Array.from({ length: inParallel }, () => decoder.decode(containers[k++ % 200] as Uint8Array)),
    );
    if (!results.every((result) => result.ok)) throw new Error('decode failed');
  },
).then((batches) => batches * inParallel);
console.log(`    = ${parallelRate.toFixed(0)} containers/s`);
// A sender reuses its originator key for ten minutes per recipient, so the loops above are the
// steady state. The first container of each window (and every OpenSSL-made one) costs a key
// agreement at both ends: measured here with containers whose originator keys were never seen.
const FRESH = 1000;
const freshEncoders = Array.from({ length: FRESH }, () =>
  createEncoder({
    signer: { privateKey: read('site.key'), certificate: read('site.pem') },
    recipients: [{ certificate: read('server.pem') }],
  }),
);
let started = performance.now();
const freshContainers = freshEncoders.map(
  (encoder, i) => encoder.encode(rowsInput('births', [acts[i % 200] as Row])) as Uint8Array,
);
const freshEncodeRate = FRESH / ((performance.now() - started) / 1000);
started = performance.now();
for (const container of freshContainers) {
  const result = await decoder.decode(container);
  if (!result.ok) throw result.error;
}
const freshDecodeRate = FRESH / ((performance.now() - started) / 1000);
line('ours: encode, a new originator key each (first of a window)', `${freshEncodeRate.toFixed(0)} /s`);
line('ours: decode, a new originator key each (first of a window)', `${freshDecodeRate.toFixed(0)} /s`);
line('targets: encode >= 1,500/s, decode >= 3,000/s', '');

// `sdc decode` of a directory: one process, spawned as an integrator would, the built command.
const builtCli = join(packageDir, 'dist', 'cli.js');
if (!existsSync(builtCli))
  throw new Error('build first (npm run build): the bench runs the built sdc command');
const directory = pki.path('decode-dir');
mkdirSync(directory);
const FILES = 1000;
for (let i = 0; i < FILES; i++)
  writeFileSync(join(directory, `${String(i).padStart(5, '0')}.sdc`), containers[i % 200] as Uint8Array);
mkdirSync(pki.path('decode-one'));
writeFileSync(pki.path('decode-one/0.sdc'), containers[0] as Uint8Array);
const cli = (dir: string) =>
  new Promise<number>((resolve, reject) => {
    const start = performance.now();
    execFile(
      process.execPath,
      [
        builtCli,
        'decode',
        '--in',
        dir,
        '--cert',
        pki.path('server.pem'),
        '--key',
        pki.path('server.key'),
        '--trust',
        pki.path('ca.pem'),
        '--signer',
        pki.path('site.pem'),
        '--json',
      ],
      { cwd: packageDir, maxBuffer: 64 * 1024 * 1024 },
      (error) => (error ? reject(error) : resolve(performance.now() - start)),
    );
  });
const startup = await cli(pki.path('decode-one'));
const whole = await cli(directory);
const cliRate = FILES / ((whole - startup) / 1000);
line(
  `sdc decode --json of a directory of ${FILES} (after ${startup.toFixed(0)} ms startup)`,
  `${cliRate.toFixed(0)} /s`,
  `target >= ${(decodeRate / 2).toFixed(0)} /s (half of decode)`,
);
line(`  the same including startup`, `${(FILES / (whole / 1000)).toFixed(0)} /s`);

// ---- side by side: straightforward pkijs ---------------------------------------------------------

console.log('\nSide by side: straightforward pkijs (SignedData + EnvelopedData, its own classes, WebCrypto)');
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as never });
pkijs.setEngine('node', engine);
const pem = (text: string) => Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64');
const siteCert = pkijs.Certificate.fromBER(pem(read('site.pem')));
const serverCert = pkijs.Certificate.fromBER(pem(read('server.pem')));
const caCert = pkijs.Certificate.fromBER(pem(read('ca.pem')));
const pkcs8 = (name: string) => createPrivateKey(read(name)).export({ format: 'der', type: 'pkcs8' });
const siteKey = await webcrypto.subtle.importKey(
  'pkcs8',
  pkcs8('site.key'),
  { name: 'ECDSA', namedCurve: 'P-256' },
  false,
  ['sign'],
);
const serverPkcs8 = pkcs8('server.key');
const toArrayBuffer = (bytes: Uint8Array) =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

async function pkijsEncode(row: Row): Promise<ArrayBuffer> {
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: pkijs.ContentInfo.DATA,
      eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(Buffer.from(JSON.stringify(row))) }),
    }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: siteCert.issuer,
          serialNumber: siteCert.serialNumber,
        }),
      }),
    ],
    certificates: [siteCert],
  });
  await signed.sign(siteKey, 0, 'SHA-256');
  const signedDer = new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.SIGNED_DATA,
    content: signed.toSchema(true),
  })
    .toSchema()
    .toBER();
  const enveloped = new pkijs.EnvelopedData();
  enveloped.addRecipientByCertificate(serverCert, { kdfAlgorithm: 'SHA-256' });
  await enveloped.encrypt({ name: 'AES-CBC', length: 256 } as never, signedDer);
  return new pkijs.ContentInfo({
    contentType: pkijs.ContentInfo.ENVELOPED_DATA,
    content: enveloped.toSchema(),
  })
    .toSchema()
    .toBER();
}

async function pkijsDecode(der: ArrayBuffer): Promise<void> {
  const enveloped = new pkijs.EnvelopedData({ schema: pkijs.ContentInfo.fromBER(der).content });
  const inner = await enveloped.decrypt(0, {
    recipientCertificate: serverCert,
    recipientPrivateKey: serverPkcs8 as unknown as ArrayBuffer,
  });
  const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(inner).content });
  const verified = await signed.verify({
    signer: 0,
    trustedCerts: [caCert],
    checkChain: false,
  });
  if (!verified) throw new Error('pkijs did not verify');
  JSON.parse(Buffer.from(signed.encapContentInfo.eContent?.getValue() ?? new ArrayBuffer(0)).toString());
}

const pkijsContainers = await Promise.all(acts.slice(0, 50).map(pkijsEncode));
line(
  'pkijs: single-row size (JSON payload, EC, CBC)',
  `${average((i) => (pkijsContainers[i] as ArrayBuffer).byteLength).toFixed(0)} B`,
  `ours ${birthSingle.toFixed(0)} B`,
);
const pkijsEncodeRate = await rateAsync('pkijs: encode', async () => {
  await pkijsEncode(acts[k++ % 200] as Row);
});
const pkijsDecodeRate = await rateAsync('pkijs: decode', async () => {
  await pkijsDecode(pkijsContainers[k++ % 50] as ArrayBuffer);
});
line(
  'ours / pkijs',
  `x${(encodeRate / pkijsEncodeRate).toFixed(1)} encode, x${(decodeRate / pkijsDecodeRate).toFixed(1)} decode`,
);

// ---- side by side: node-forge PKCS#7, RSA / CBC -----------------------------------------------

console.log('\nSide by side: node-forge PKCS#7 and ours, RSA 2048 signer and recipient, AES-256-CBC');
const forgeSiteCert = forge.pki.certificateFromPem(read('rsa-site.pem'));
const forgeSiteKey = forge.pki.privateKeyFromPem(
  createPrivateKey(read('rsa-site.key')).export({ format: 'pem', type: 'pkcs1' }).toString(),
);
const forgeServerCert = forge.pki.certificateFromPem(read('rsa-server.pem'));
const forgeServerKey = forge.pki.privateKeyFromPem(
  createPrivateKey(read('rsa-server.key')).export({ format: 'pem', type: 'pkcs1' }).toString(),
);

function forgeEncode(row: Row): string {
  const signed = forge.pkcs7.createSignedData();
  signed.content = forge.util.createBuffer(JSON.stringify(row), 'utf8');
  signed.addSigner({
    key: forgeSiteKey,
    certificate: forgeSiteCert,
    digestAlgorithm: forge.pki.oids.sha256 as string,
    authenticatedAttributes: [],
  });
  signed.sign({ detached: false });
  const enveloped = forge.pkcs7.createEnvelopedData();
  enveloped.addRecipient(forgeServerCert);
  enveloped.content = forge.util.createBuffer(forge.asn1.toDer(signed.toAsn1()).getBytes());
  enveloped.encrypt(undefined, forge.pki.oids['aes256-CBC']);
  return forge.asn1.toDer(enveloped.toAsn1()).getBytes();
}

interface ForgeNode {
  value: ForgeNode[] | string;
}

function forgeDecode(der: string): void {
  const enveloped = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(der)) as ReturnType<
    typeof forge.pkcs7.createEnvelopedData
  >;
  const recipient = enveloped.findRecipient(forgeServerCert);
  if (!recipient) throw new Error('forge: not for me');
  enveloped.decrypt(recipient, forgeServerKey);
  const envelopedContent = (enveloped as unknown as { content: { getBytes(): string } }).content.getBytes();
  // forge leaves a SignedData's content and signature in rawCapture.
  const signed = forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(envelopedContent)) as unknown as {
    rawCapture: { content: ForgeNode; signature: string };
  };
  const content = (signed.rawCapture.content.value as ForgeNode[])
    .map((node) => node.value as string)
    .join('');
  const signature = signed.rawCapture.signature;
  // forge cannot verify PKCS#7 signatures itself: check the RSA signature over the content with its primitives.
  const digest = forge.md.sha256.create().update(content);
  const publicKey = forgeSiteCert.publicKey as ReturnType<typeof forge.pki.rsa.setPublicKey>;
  if (!publicKey.verify(digest.digest().bytes(), signature)) throw new Error('forge did not verify');
  JSON.parse(forge.util.decodeUtf8(content));
}

const rsaEncoder = createEncoder({
  signer: { privateKey: read('rsa-site.key'), certificate: read('rsa-site.pem') },
  recipients: [{ certificate: read('rsa-server.pem') }],
  cipher: 'cbc',
});
const rsaDecoder = createDecoder({
  recipient: { privateKey: read('rsa-server.key'), certificate: read('rsa-server.pem') },
  signers: createCertificateResolver({
    trustAnchors: [read('ca.pem')],
    certificates: [read('rsa-site.pem')],
  }),
});
const rsaContainers = acts.slice(0, 50).map((a) => rsaEncoder.encode(rowsInput('births', [a])) as Uint8Array);
const forgeContainers = acts.slice(0, 50).map(forgeEncode);
line(
  'sizes: ours / forge (JSON payload), single row',
  `${average((i) => (rsaContainers[i] as Uint8Array).length).toFixed(0)} B / ${average((i) => (forgeContainers[i] as string).length).toFixed(0)} B`,
);
const oursRsaEncode = rate('ours: encode (RSA-PKCS#1 v1.5 signature, RSA-OAEP, CBC)', () => {
  rsaEncoder.encode(rowsInput('births', [acts[k++ % 200] as Row]));
});
const oursRsaDecode = await rateAsync('ours: decode', async () => {
  const result = await rsaDecoder.decode(rsaContainers[k++ % 50] as Uint8Array);
  if (!result.ok) throw result.error;
});
const forgeEncodeRate = rate(
  'forge: encode (RSA PKCS#1 v1.5 key transport: forge has no OAEP in PKCS#7)',
  () => {
    forgeEncode(acts[k++ % 200] as Row);
  },
);
const forgeDecodeRate = rate('forge: decode', () => {
  forgeDecode(forgeContainers[k++ % 50] as string);
});
line(
  'ours / forge',
  `x${(oursRsaEncode / forgeEncodeRate).toFixed(1)} encode, x${(oursRsaDecode / forgeDecodeRate).toFixed(1)} decode`,
);

// For scale: what one core does in raw primitives here, the ceiling for decode.
console.log('\nRaw primitives on this machine, for scale');
const ecKey = createPrivateKey(read('site.key'));
const ecPublic = createPublicKey(ecKey);
const rsaKey = createPrivateKey(read('rsa-site.key'));
const digestInput = createHash('sha256').update('x').digest();
const ecSignature = sign('sha256', digestInput, ecKey);
rate('node:crypto ECDSA P-256 sign', () => {
  sign('sha256', digestInput, ecKey);
});
rate('node:crypto ECDSA P-256 verify', () => {
  verify('sha256', digestInput, ecPublic, ecSignature);
});
const ecdh = createECDH('prime256v1');
const peer = createECDH('prime256v1');
peer.generateKeys();
ecdh.generateKeys();
const peerPoint = peer.getPublicKey();
rate('node:crypto ECDH P-256 (derive)', () => {
  ecdh.computeSecret(peerPoint);
});
rate('node:crypto RSA-2048 sign', () => {
  sign('sha256', digestInput, { key: rsaKey, padding: constants.RSA_PKCS1_PADDING });
});

pki.cleanup();
