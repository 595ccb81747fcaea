import { SdcError } from '../errors.js';
import {
  algorithm,
  bitString,
  children,
  integer,
  isContext,
  isUniversal,
  type Node,
  octetString,
  octets,
  oid,
  parse,
  raw,
  StructureError,
  sequence,
  setOf,
} from './der.js';
import { OID } from './oids.js';

// An encrypted container's structure (AuthEnvelopedData or EnvelopedData), read without a key: what
// opening it (envelope-open.ts) and inspecting it (inspect.ts) both start from.

export type RecipientIdentifier =
  | { subjectKeyIdentifier: Uint8Array }
  | { issuerAndSerialNumber: Uint8Array };

export type ParsedRecipient =
  | {
      type: 'key-transport';
      rid: RecipientIdentifier;
      keyEncryptionAlgorithm: { oid: string; parameters: Node | undefined };
      encryptedKey: Uint8Array;
    }
  | {
      type: 'key-agreement';
      originatorKey: { algorithm: string; point: Uint8Array } | undefined;
      ukm: Uint8Array | undefined;
      keyEncryptionAlgorithm: string;
      wrapAlgorithm: string | undefined;
      keys: { rid: RecipientIdentifier; encryptedKey: Uint8Array }[];
    }
  | { type: 'other'; tag: number };

export interface ParsedEnvelope {
  kind: 'auth-enveloped' | 'enveloped';
  recipients: ParsedRecipient[];
  contentType: string;
  contentAlgorithm: string;
  /** GCM nonce or CBC IV. */
  iv: Uint8Array;
  tagLength: number;
  encryptedContent: Uint8Array;
  mac: Uint8Array | undefined;
  /** DER of the authenticated attributes as a SET (GCM additional data), when present. */
  authAttributes: Uint8Array | undefined;
  sizes: { total: number; recipientInfos: number; encryptedContent: number; mac: number };
}

function recipientIdentifier(node: Node | undefined, what: string): RecipientIdentifier {
  if (!node) throw new StructureError(`${what}: missing`);
  if (isUniversal(node, 16)) {
    sequence(node, what);
    return { issuerAndSerialNumber: raw(node) };
  }
  if (isContext(node, 0)) {
    // ktri: [0] IMPLICIT SubjectKeyIdentifier (primitive); kari: [0] IMPLICIT RecipientKeyIdentifier (constructed).
    if (!node.constructed) return { subjectKeyIdentifier: octets(node, what) };
    return { subjectKeyIdentifier: octetString(children(node, what)[0], what) };
  }
  throw new StructureError(`${what}: unknown recipient identifier`);
}

function parseRecipient(node: Node): ParsedRecipient {
  if (isUniversal(node, 16)) {
    const parts = sequence(node, 'KeyTransRecipientInfo');
    return {
      type: 'key-transport',
      rid: recipientIdentifier(parts[1], 'ktri rid'),
      keyEncryptionAlgorithm: algorithm(parts[2], 'keyEncryptionAlgorithm'),
      encryptedKey: octetString(parts[3], 'encryptedKey'),
    };
  }
  if (isContext(node, 1)) {
    const parts = children(node, 'KeyAgreeRecipientInfo');
    let index = 1;
    const originatorNode = parts[index++];
    if (!originatorNode || !isContext(originatorNode, 0)) throw new StructureError('kari without originator');
    const choice = children(originatorNode, 'originator')[0];
    let originatorKey: { algorithm: string; point: Uint8Array } | undefined;
    if (choice && isContext(choice, 1)) {
      const publicKey = children(choice, 'OriginatorPublicKey');
      originatorKey = {
        algorithm: algorithm(publicKey[0], 'originator algorithm').oid,
        point: bitString(publicKey[1], 'originator key'),
      };
    }
    let ukm: Uint8Array | undefined;
    if (parts[index] && isContext(parts[index] as Node, 1)) {
      ukm = octetString(children(parts[index++], 'ukm')[0], 'ukm');
    }
    const keyEncryption = algorithm(parts[index++], 'keyEncryptionAlgorithm');
    const wrapAlgorithm = keyEncryption.parameters
      ? algorithm(keyEncryption.parameters, 'key wrap').oid
      : undefined;
    const keys = sequence(parts[index++], 'recipientEncryptedKeys').map((entry) => {
      const fields = sequence(entry, 'RecipientEncryptedKey');
      return {
        rid: recipientIdentifier(fields[0], 'kari rid'),
        encryptedKey: octetString(fields[1], 'encryptedKey'),
      };
    });
    return {
      type: 'key-agreement',
      originatorKey,
      ukm,
      keyEncryptionAlgorithm: keyEncryption.oid,
      wrapAlgorithm,
      keys,
    };
  }
  return { type: 'other', tag: node.tagNumber };
}

export function parseEnvelope(der: Uint8Array): ParsedEnvelope {
  const outer = sequence(parse(der), 'ContentInfo');
  const type = oid(outer[0], 'contentType');
  if (type !== OID.authEnvelopedData && type !== OID.envelopedData) {
    throw new StructureError(`not an encrypted container (${type})`);
  }
  if (!outer[1] || !isContext(outer[1], 0)) throw new StructureError('ContentInfo without content');
  const fields = sequence(children(outer[1], 'content')[0], 'EnvelopedData');
  let index = 1;
  if (fields[index] && isContext(fields[index] as Node, 0)) index++; // originatorInfo: certificates we do not need
  const recipientSet = fields[index++] as Node;
  const recipients = setOf(recipientSet, 'recipientInfos').map(parseRecipient);
  const encryptedInfo = sequence(fields[index++], 'EncryptedContentInfo');
  const contentType = oid(encryptedInfo[0], 'contentType');
  const contentAlgorithm = algorithm(encryptedInfo[1], 'contentEncryptionAlgorithm');
  if (!encryptedInfo[2] || !isContext(encryptedInfo[2], 0)) throw new StructureError('no encrypted content');
  const encryptedContent = octets(encryptedInfo[2], 'encryptedContent');
  let iv: Uint8Array;
  let tagLength = 0;
  if (contentAlgorithm.oid === OID.aes256Gcm) {
    const parameters = sequence(contentAlgorithm.parameters, 'GCMParameters');
    iv = octetString(parameters[0], 'aes-nonce');
    tagLength = parameters[1] ? integer(parameters[1], 'aes-ICVlen') : 12;
    if (tagLength < 12 || tagLength > 16) throw new StructureError('bad GCM tag length');
  } else if (contentAlgorithm.oid === OID.aes256Cbc) {
    iv = octetString(contentAlgorithm.parameters, 'IV');
    if (iv.length !== 16) throw new StructureError('bad CBC IV');
  } else {
    throw new SdcError('unsupported-algorithm', `content encryption ${contentAlgorithm.oid}`);
  }
  let mac: Uint8Array | undefined;
  let authAttributes: Uint8Array | undefined;
  if (type === OID.authEnvelopedData) {
    if (contentAlgorithm.oid !== OID.aes256Gcm)
      throw new SdcError('unsupported-algorithm', 'AuthEnvelopedData needs GCM');
    let next = fields[index++];
    if (next && isContext(next, 1)) {
      const der = new Uint8Array(raw(next));
      der[0] = 0x31; // RFC 5083 2.1: the MAC covers authAttrs as a SET OF.
      authAttributes = der;
      next = fields[index++];
    }
    mac = octetString(next, 'mac');
  } else if (contentAlgorithm.oid !== OID.aes256Cbc) {
    throw new SdcError('unsupported-algorithm', 'EnvelopedData needs CBC');
  }
  return {
    kind: type === OID.authEnvelopedData ? 'auth-enveloped' : 'enveloped',
    recipients,
    contentType,
    contentAlgorithm: contentAlgorithm.oid,
    iv,
    tagLength,
    encryptedContent,
    mac,
    authAttributes,
    sizes: {
      total: der.length,
      recipientInfos: raw(recipientSet).length,
      encryptedContent: encryptedContent.length,
      mac: mac?.length ?? 0,
    },
  };
}

/** The hash of RSA-OAEP parameters the decoder accepts (SHA-256, or SHA-1 when absent), else undefined. */
export function oaepHash(parameters: Node | undefined): 'sha1' | 'sha256' | undefined {
  // Absent parameters mean SHA-1 with MGF1-SHA-1 (RFC 8017 A.2.1).
  if (!parameters) return 'sha1';
  let hash: string = '1.3.14.3.2.26';
  let mgfHash: string = '1.3.14.3.2.26';
  for (const part of sequence(parameters, 'RSAES-OAEP-params')) {
    const inner = children(part, 'OAEP parameter')[0];
    if (isContext(part, 0)) hash = algorithm(inner, 'hashFunc').oid;
    else if (isContext(part, 1)) {
      const mgf = algorithm(inner, 'maskGenFunc');
      if (mgf.oid !== OID.mgf1) return undefined;
      mgfHash = algorithm(mgf.parameters, 'mgf1 hash').oid;
    } else if (isContext(part, 2)) return undefined; // a pSource label: never used by CMS senders
  }
  if (hash !== mgfHash) return undefined;
  if (hash === OID.sha256) return 'sha256';
  if (hash === '1.3.14.3.2.26') return 'sha1';
  return undefined;
}
