import { dearmor } from './armor.js';
import { parseEnvelope, type RecipientIdentifier } from './cms/envelope.js';
import { OID, OID_NAMES } from './cms/oids.js';
import { fail, SdcError, type SdcResult } from './errors.js';

export interface ContainerInspection {
  armor: 'binary' | 'text';
  contentType: 'authEnvelopedData' | 'envelopedData';
  cipher: string;
  innerContentType: string;
  recipients: {
    type: 'key-transport' | 'key-agreement' | 'other';
    keyEncryption: string;
    /** Hex SKI, or "issuer-and-serial:<hex DER>" for recipients named without -keyid. */
    identifiers: string[];
  }[];
  sizes: { total: number; recipientInfos: number; encryptedContent: number; mac: number };
}

function name(oid: string): string {
  return OID_NAMES[oid] ?? oid;
}

function describe(rid: RecipientIdentifier): string {
  return 'subjectKeyIdentifier' in rid
    ? Buffer.from(rid.subjectKeyIdentifier).toString('hex')
    : `issuer-and-serial:${Buffer.from(rid.issuerAndSerialNumber).toString('hex')}`;
}

/** The container's structure without any key: what `sdc inspect` prints. Never throws. */
export function inspectContainer(input: Uint8Array | string): SdcResult<ContainerInspection> {
  const der = dearmor(input);
  if (!der.ok) return der;
  try {
    const envelope = parseEnvelope(der.value);
    const isText = typeof input === 'string' || input[0] === 0x2d;
    return {
      ok: true,
      value: {
        armor: isText ? 'text' : 'binary',
        contentType: envelope.kind === 'auth-enveloped' ? 'authEnvelopedData' : 'envelopedData',
        cipher: envelope.contentAlgorithm === OID.aes256Gcm ? 'aes-256-gcm' : 'aes-256-cbc',
        innerContentType: name(envelope.contentType),
        recipients: envelope.recipients.map((recipient) => {
          if (recipient.type === 'key-transport') {
            return {
              type: recipient.type,
              keyEncryption: name(recipient.keyEncryptionAlgorithm.oid),
              identifiers: [describe(recipient.rid)],
            };
          }
          if (recipient.type === 'key-agreement') {
            return {
              type: recipient.type,
              keyEncryption: `${name(recipient.keyEncryptionAlgorithm)}+${name(recipient.wrapAlgorithm ?? '')}`,
              identifiers: recipient.keys.map((key) => describe(key.rid)),
            };
          }
          return { type: 'other' as const, keyEncryption: `tag ${recipient.tag}`, identifiers: [] };
        }),
        sizes: envelope.sizes,
      },
    };
  } catch (error) {
    if (SdcError.isInstance(error)) return { ok: false, error };
    return fail('malformed', error instanceof Error ? error.message : undefined, error);
  }
}
