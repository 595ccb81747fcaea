// Writes and reads batches of 1 KB containers (the size of a birth act's SDC) on a temporary folder,
// fsync included: what a site waits for when it exports to a stick. Prints figures, asserts nothing.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyManifestSigner, publicKeyVerifier, readMedium, writeBatch } from '../src/index.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signer = keyManifestSigner(keys.privateKey);
const verifier = publicKeyVerifier(() => [keys.publicKey]);

for (const count of [100, 1000]) {
  const medium = await mkdtemp(join(tmpdir(), 't2d-bench-'));
  const containers = Array.from({ length: count }, () => new Uint8Array(randomBytes(1024)));
  let start = performance.now();
  await writeBatch({ medium, sender: 'CEC-001', recipient: 'xmserver', containers, signer });
  const writeMs = performance.now() - start;
  start = performance.now();
  const read = await readMedium({ medium, recipient: 'xmserver', verifier });
  const readMs = performance.now() - start;
  if (read.containers.length !== count) throw new Error('lost containers');
  console.log(
    `${count} containers of 1 KiB: write ${writeMs.toFixed(0)} ms (${((count / writeMs) * 1000).toFixed(0)}/s, fsync each), ` +
      `read and check ${readMs.toFixed(0)} ms (${((count / readMs) * 1000).toFixed(0)}/s)`,
  );
  await rm(medium, { recursive: true, force: true });
}
