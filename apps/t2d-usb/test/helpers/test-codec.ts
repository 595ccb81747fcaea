import { createHash, generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { type AnyTable, findTable } from '@xmcomm/schema';
import type { ContainerCodec, ContainerHeader, OpenResult, SealInput } from '@xmcomm/status-sync';

/**
 * A ContainerCodec for tests, through the seam status-sync provides for exactly this: real Ed25519
 * signatures checked against a registry of parties, and "encryption" reduced to refusing containers
 * addressed to someone else. The CMS codec is sdc-codec's business and is tested there; what these
 * tests prove is the medium and the lifecycle around it. v8 serialisation is safe here only because
 * a signature is checked first and the bytes are made by the test itself.
 */
export interface Party {
  readonly matricule: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function makeParty(matricule: string): Party {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { matricule, privateKey, publicKey };
}

const MAGIC = Buffer.from('XMTEST1');

function keyId(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex');
}

export function createTestCodec(
  self: Party,
  peers: readonly Party[],
  options: { now?: () => Date } = {},
): ContainerCodec {
  const registry = new Map<string, Party>([self, ...peers].map((party) => [keyId(party.publicKey), party]));
  const now = options.now ?? (() => new Date());
  return {
    async seal(input: SealInput) {
      const containerId = input.containerId ?? randomUUID();
      const table = input.table ?? null;
      const header: ContainerHeader = {
        containerId,
        sender: input.sender,
        recipient: input.recipient,
        createdAt: input.createdAt ?? now(),
        sequence: input.sequence,
        table,
        fingerprint: table ? (findTable<AnyTable>(table)?.fingerprint.slice(0, 16) ?? null) : null,
      };
      const content = serialize({ header, body: input.body });
      const signature = sign(null, content, self.privateKey);
      const id = Buffer.from(keyId(self.publicKey), 'hex');
      const bytes = Buffer.concat([MAGIC, id, Buffer.from([signature.length]), signature, content]);
      return { bytes: new Uint8Array(bytes), containerId };
    },
    async open(bytes: Uint8Array): Promise<OpenResult> {
      const buffer = Buffer.from(bytes);
      const fail = (code: string): OpenResult => ({ ok: false, error: { code, message: code } });
      if (buffer.length < MAGIC.length + 33 || !buffer.subarray(0, MAGIC.length).equals(MAGIC))
        return fail('malformed');
      const id = buffer.subarray(MAGIC.length, MAGIC.length + 32).toString('hex');
      const length = buffer[MAGIC.length + 32] ?? 0;
      const start = MAGIC.length + 33;
      const signature = buffer.subarray(start, start + length);
      const content = buffer.subarray(start + length);
      const signer = registry.get(id);
      if (!signer) return fail('unknown-signer');
      if (!verify(null, content, signer.publicKey, signature)) return fail('bad-signature');
      const { header, body } = deserialize(content) as { header: ContainerHeader; body: never };
      if (header.recipient !== null && header.recipient !== self.matricule) return fail('not-for-me');
      return {
        ok: true,
        value: { header, body, signer: { matricule: signer.matricule, subjectKeyIdentifier: id } },
      };
    },
  };
}
