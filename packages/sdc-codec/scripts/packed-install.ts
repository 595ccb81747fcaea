// What an integrator gets: the codec and its workspace dependencies packed as npm would publish them,
// installed into a scratch project, then used there to encode and decode a birth act. Fails if any
// database package comes with it. Needs the packages built (npm run build). Run:
// npm run packed-install -w @xmcomm/sdc-codec
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const published = ['cli-kit', 'contract', 'pki', 'sdc-codec'];
const databasePackages = ['pg', 'kysely', '@electric-sql/pglite', '@xmcomm/schema'];

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((total, name) => total + sizeOf(join(path, name)), 0);
}

function installedPackages(modules: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@'))
      for (const inner of readdirSync(join(modules, entry))) names.push(`${entry}/${inner}`);
    else names.push(entry);
  }
  return names.sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'xmcomm-integrator-'));
try {
  const tarballs = published.map((name) => {
    const out = run('npm', ['pack', '--json', '--pack-destination', scratch], join(packages, name));
    const [packed] = JSON.parse(out) as { filename: string }[];
    if (!packed) throw new Error(`npm pack gave nothing for ${name}`);
    return join(scratch, packed.filename);
  });
  writeFileSync(
    join(scratch, 'package.json'),
    `${JSON.stringify({ name: 'integrator', private: true, type: 'module' }, null, 2)}\n`,
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], scratch);

  // The integrator's own code, written against the published API only.
  writeFileSync(
    join(scratch, 'roundtrip.mjs'),
    `import { generateKeyPairSync } from 'node:crypto';
import { births, validateRow } from '@xmcomm/contract';
import { sampleBirth } from '@xmcomm/contract/testing';
import { createDecoder, createEncoder } from '@xmcomm/sdc-codec';

const site = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const server = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const row = { numero: 1, ...sampleBirth, niu: '102034-2024-0000001-08' };
if (!validateRow(births, row, { ignore: new Set(['numero']) }).ok) throw new Error('sample row invalid');
const encoder = createEncoder({ signer: { privateKey: site.privateKey }, recipients: [{ publicKey: server.publicKey }] });
const bytes = encoder.encode({ kind: 'rows', sender: 'CEC-0001', sequence: 1, table: 'births', rows: [row] });
const decoder = createDecoder({
  recipient: { privateKey: server.privateKey },
  signers: {
    checkSigner: (subjectKeyIdentifier) => ({
      ok: true,
      signer: { certificate: new Uint8Array(), publicKey: site.publicKey, subjectKeyIdentifier, subject: 'CEC-0001', matricule: 'CEC-0001', notAfter: new Date(2099, 0) },
    }),
  },
});
const decoded = await decoder.decode(bytes);
if (!decoded.ok) throw new Error(decoded.error.code + ': ' + decoded.error.message);
const [back] = decoded.value.body.rows;
if (back.child_surname !== sampleBirth.child_surname || back.niu !== row.niu) throw new Error('not the same row');
console.log(JSON.stringify({ bytes: bytes.length, table: decoded.value.header.table, sender: decoded.value.header.sender }));
`,
  );
  const result = JSON.parse(run('node', ['roundtrip.mjs'], scratch)) as { bytes: number };

  const modules = join(scratch, 'node_modules');
  const installed = installedPackages(modules);
  const forbidden = installed.filter((name) => databasePackages.includes(name));
  const tarballBytes = tarballs.reduce((total, file) => total + statSync(file).size, 0);
  console.log(
    `packed: ${published.map((name) => `@xmcomm/${name}`).join(', ')} (${(tarballBytes / 1024).toFixed(0)} KiB of tarballs)`,
  );
  console.log(
    `installed: ${installed.length} packages, ${(sizeOf(modules) / 1024 / 1024).toFixed(1)} MiB: ${installed.join(', ')}`,
  );
  console.log(`encoded and decoded one birth act in the scratch project: ${result.bytes} bytes`);
  if (forbidden.length > 0) {
    console.error(`an integrator installing the codec gets database packages: ${forbidden.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
