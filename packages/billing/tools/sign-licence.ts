// The publisher's licence tool (not shipped). The passphrase comes from the environment or stdin, never
// from the command line, so it does not end up in shell history or `ps`.
//
//   XM_PUBLISHER_PASSPHRASE=… npx tsx tools/sign-licence.ts keygen <private-key-out.pem>
//   XM_PUBLISHER_PASSPHRASE=… npx tsx tools/sign-licence.ts sign <private-key.pem> \
//       --organisation "Ministère …" --number L-2027-001 --clients 5000 --expires 2027-12-31 [--users 200]
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyLicence } from '../src/licence.js';
import { generatePublisherKeys, readPrivateKey, signLicence } from './licence-signer.js';

function passphrase(): string {
  const value = process.env.XM_PUBLISHER_PASSPHRASE ?? readFileSync(0, 'utf8').trim();
  if (value.length < 12) throw new Error('The passphrase must have at least 12 characters.');
  return value;
}

const [command, file, ...rest] = process.argv.slice(2);
if (command === 'keygen' && file) {
  const keys = generatePublisherKeys(passphrase());
  writeFileSync(file, keys.privateKeyPem, { mode: 0o600, flag: 'wx' });
  process.stdout.write(
    `Encrypted private key written to ${file}. Embed this public key in src/publisher-key.ts:\n`,
  );
  process.stdout.write(keys.publicKeyPem);
} else if (command === 'sign' && file) {
  const { values } = parseArgs({
    args: rest,
    options: {
      organisation: { type: 'string' },
      number: { type: 'string' },
      clients: { type: 'string' },
      users: { type: 'string' },
      expires: { type: 'string' },
      issued: { type: 'string' },
    },
  });
  const privateKey = readPrivateKey(readFileSync(file, 'utf8'), passphrase());
  const key = signLicence(
    {
      organisation: values.organisation ?? '',
      licenceNumber: values.number ?? '',
      clientLimit: Number(values.clients),
      ...(values.users ? { userLimit: Number(values.users) } : {}),
      issuedOn: values.issued ?? new Date().toISOString().slice(0, 10),
      expiresOn: values.expires ?? '',
    },
    privateKey,
  );
  // Refuse to hand out a key the server would refuse.
  const checked = verifyLicence(key, { publicKey: createPublicKey(privateKey) });
  if (!checked.ok) throw new Error(checked.error.message);
  process.stdout.write(`${key}\n`);
} else {
  process.stderr.write(
    'usage: sign-licence.ts keygen <out.pem> | sign <key.pem> --organisation … --number … --clients … --expires YYYY-MM-DD\n',
  );
  process.exitCode = 2;
}
