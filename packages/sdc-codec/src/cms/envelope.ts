import {
  constants,
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  type ECDH,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
} from 'node:crypto';
import { SdcError } from '../errors.js';
import { freshRandomBytes } from '../random.js';
import {
  algorithm,
  bitString,
  buildDer,
  children,
  type DerTree,
  der,
  derAlgorithm,
  derBitString,
  derContext,
  derContextPrimitive,
  derInteger,
  derOctetString,
  derOid,
  derSequence,
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
import { sameBytes } from './keys.js';
import { OID } from './oids.js';

export type ContentCipher = 'gcm' | 'cbc';

/** Someone a container is encrypted for: an EC key (ECDH) or an RSA key (RSA-OAEP SHA-256), named by SKI. */
export interface EnvelopeRecipient {
  publicKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
}

/** Who is opening the container: the private key, and the identifiers the sender may have used for it. */
export interface EnvelopeIdentity {
  privateKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
  issuerAndSerialNumber?: Uint8Array;
}

/**
 * A 128-bit tag. The 96-bit default of RFC 5084 would save 4 bytes, but DER must then omit
 * aes-ICVlen and OpenSSL 3.0 refuses GCMParameters without it.
 */
const GCM_TAG_BYTES = 16;
const WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const WRAP_CIPHERS: Readonly<Record<string, { cipher: string; bytes: number }>> = {
  '2.16.840.1.101.3.4.1.5': { cipher: 'id-aes128-wrap', bytes: 16 },
  '2.16.840.1.101.3.4.1.25': { cipher: 'id-aes192-wrap', bytes: 24 },
  [OID.aes256Wrap]: { cipher: 'id-aes256-wrap', bytes: 32 },
};
const SUPPORTED_CURVES: Readonly<Record<string, string>> = {
  prime256v1: 'prime256v1',
  secp384r1: 'secp384r1',
  secp521r1: 'secp521r1',
};

/** The uncompressed point of an EC public key, cached: recipients are reused across many containers. */
const pointCache = new WeakMap<KeyObject, Uint8Array>();
function ecPoint(publicKey: KeyObject): Uint8Array {
  let point = pointCache.get(publicKey);
  if (!point) {
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    point = bitString(sequence(parse(spki), 'SubjectPublicKeyInfo')[1], 'subjectPublicKey');
    pointCache.set(publicKey, point);
  }
  return point;
}

function curveOf(key: KeyObject): string {
  const curve = SUPPORTED_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (!curve) throw new SdcError('invalid-key', `unsupported curve ${key.asymmetricKeyDetails?.namedCurve}`);
  return curve;
}

/**
 * ANSI X9.63 KDF with SHA-256 over ECC-CMS-SharedInfo (RFC 5753 7.2). entityUInfo is written only
 * when a ukm is present: an empty one (what pkijs does, issue #335) breaks interop with OpenSSL.
 */
function deriveKek(sharedSecret: Uint8Array, wrapOid: string, keyBytes: number, ukm?: Uint8Array): Buffer {
  const sharedInfo = ukm ? buildSharedInfo(wrapOid, keyBytes, ukm) : cachedSharedInfo(wrapOid, keyBytes);
  const counter = Buffer.from([0, 0, 0, 1]);
  return createHash('sha256')
    .update(sharedSecret)
    .update(counter)
    .update(sharedInfo)
    .digest()
    .subarray(0, keyBytes);
}

function buildSharedInfo(wrapOid: string, keyBytes: number, ukm?: Uint8Array): Uint8Array {
  const bits = new Uint8Array(4);
  new DataView(bits.buffer).setUint32(0, keyBytes * 8);
  return derSequence(
    derAlgorithm(wrapOid),
    ...(ukm ? [derContext(0, derOctetString(ukm))] : []),
    derContext(2, derOctetString(bits)),
  );
}

/** Without a ukm the SharedInfo depends only on the wrap algorithm: built once. */
const sharedInfoCache = new Map<string, Uint8Array>();
function cachedSharedInfo(wrapOid: string, keyBytes: number): Uint8Array {
  let info = sharedInfoCache.get(wrapOid);
  if (!info) {
    info = buildSharedInfo(wrapOid, keyBytes);
    sharedInfoCache.set(wrapOid, info);
  }
  return info;
}

/** RSAES-OAEP with SHA-256 and MGF1-SHA-256, default label. */
const OAEP_ALGORITHM = derAlgorithm(
  OID.rsaesOaep,
  derSequence(
    derContext(0, derAlgorithm(OID.sha256)),
    derContext(1, derAlgorithm(OID.mgf1, derAlgorithm(OID.sha256))),
  ),
);
const ECDH_ALGORITHM = derAlgorithm(OID.ecdhSha256Kdf, derAlgorithm(OID.aes256Wrap));
const EC_PUBLIC_KEY_ALGORITHM = derAlgorithm(OID.ecPublicKey);

/**
 * How long a sender keeps one originator key per recipient. Ephemeral-static ECDH gives no
 * forward secrecy against the recipient's key anyway (its static key opens every container), so
 * reusing the originator key for a few minutes costs nothing a fresh key would protect, and it
 * spares both ends a P-256 key agreement per container: the sender derives the key-encryption
 * key once per window, the recipient once per originator key it has seen (see kekCache). Each
 * container still gets its own random content key, wrapped under that key-encryption key.
 */
const ORIGINATOR_KEY_LIFETIME_MS = 10 * 60_000;

interface Originator {
  readonly point: Uint8Array;
  readonly kek: Buffer;
  readonly until: number;
}

const originatorCache = new WeakMap<KeyObject, Originator>();
function originatorFor(recipientKey: KeyObject): Originator {
  const now = Date.now();
  let originator = originatorCache.get(recipientKey);
  if (!originator || originator.until <= now) {
    const ephemeral = createECDH(curveOf(recipientKey));
    ephemeral.generateKeys();
    const shared = ephemeral.computeSecret(ecPoint(recipientKey));
    originator = {
      // The compressed point saves 32 bytes on P-256; OpenSSL and Node both accept it.
      point: ephemeral.getPublicKey(undefined, 'compressed'),
      kek: deriveKek(shared, OID.aes256Wrap, 32),
      until: now + ORIGINATOR_KEY_LIFETIME_MS,
    };
    originatorCache.set(recipientKey, originator);
  }
  return originator;
}

/**
 * The part of a KeyAgreeRecipientInfo fixed by the originator key (version, originator, key
 * agreement algorithm), built once per originator key; and a recipient's [0] rid, once per SKI.
 */
const originatorHeads = new WeakMap<Originator, Uint8Array>();
function originatorHead(originator: Originator): Uint8Array {
  let head = originatorHeads.get(originator);
  if (!head) {
    head = Buffer.concat([
      derInteger(3),
      derContext(0, derContext(1, EC_PUBLIC_KEY_ALGORITHM, derBitString(originator.point))),
      ECDH_ALGORITHM,
    ]);
    originatorHeads.set(originator, head);
  }
  return head;
}
const ridCache = new WeakMap<Uint8Array, Uint8Array>();
function keyIdentifierRid(subjectKeyIdentifier: Uint8Array): Uint8Array {
  let rid = ridCache.get(subjectKeyIdentifier);
  if (!rid) {
    rid = derContext(0, derOctetString(subjectKeyIdentifier));
    ridCache.set(subjectKeyIdentifier, rid);
  }
  return rid;
}

function recipientInfoFor(recipient: EnvelopeRecipient, cek: Uint8Array): DerTree {
  const key = recipient.publicKey;
  if (key.asymmetricKeyType === 'ec') {
    const originator = originatorFor(key);
    const wrap = createCipheriv('id-aes256-wrap', originator.kek, WRAP_IV);
    const encryptedKey = joined(wrap.update(cek), wrap.final());
    // [1] IMPLICIT KeyAgreeRecipientInfo (RFC 5652 6.2.2)
    return der(
      0xa1,
      originatorHead(originator),
      der(0x30, der(0x30, keyIdentifierRid(recipient.subjectKeyIdentifier), der(0x04, encryptedKey))),
    );
  }
  if (key.asymmetricKeyType === 'rsa') {
    const encryptedKey = publicEncrypt(
      { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      cek,
    );
    // KeyTransRecipientInfo version 2, rid [0] IMPLICIT SubjectKeyIdentifier
    return der(
      0x30,
      derInteger(2),
      derContextPrimitive(0, recipient.subjectKeyIdentifier),
      OAEP_ALGORITHM,
      der(0x04, encryptedKey),
    );
  }
  throw new SdcError('invalid-key', `cannot encrypt for a ${key.asymmetricKeyType} key`);
}

const VERSION_0 = derInteger(0);
const VERSION_2 = derInteger(2);
const GCM_TAG_LENGTH = derInteger(GCM_TAG_BYTES);

/**
 * ContentInfo(AuthEnvelopedData, AES-256-GCM, RFC 5083/5084) or ContentInfo(EnvelopedData,
 * AES-256-CBC) around `content` of type `contentType`, written in one allocation.
 */
export function createEnvelope(
  contentType: string,
  content: Uint8Array,
  recipients: readonly EnvelopeRecipient[],
  cipher: ContentCipher = 'gcm',
): Uint8Array {
  if (recipients.length === 0) throw new SdcError('invalid-input', 'at least one recipient is required');
  const cek = freshRandomBytes(32);
  const recipientInfos = der(0x31, ...recipients.map((recipient) => recipientInfoFor(recipient, cek)));
  if (cipher === 'gcm') {
    const nonce = freshRandomBytes(12);
    const encryptor = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: GCM_TAG_BYTES });
    const encrypted = encryptor.update(content);
    const last = encryptor.final();
    const mac = encryptor.getAuthTag();
    const gcmParameters = der(0x30, der(0x04, nonce), GCM_TAG_LENGTH);
    const authEnvelopedData = der(
      0x30,
      VERSION_0,
      recipientInfos,
      encryptedContentInfo(contentType, der(0x30, derOid(OID.aes256Gcm), gcmParameters), encrypted, last),
      der(0x04, mac),
    );
    return contentInfo(OID.authEnvelopedData, authEnvelopedData);
  }
  const iv = freshRandomBytes(16);
  const encryptor = createCipheriv('aes-256-cbc', cek, iv);
  const encrypted = encryptor.update(content);
  const last = encryptor.final();
  const envelopedData = der(
    0x30,
    // RFC 5652 6.1: version 2 as soon as a recipient is not a v0 KeyTransRecipientInfo.
    VERSION_2,
    recipientInfos,
    encryptedContentInfo(contentType, der(0x30, derOid(OID.aes256Cbc), der(0x04, iv)), encrypted, last),
  );
  return contentInfo(OID.envelopedData, envelopedData);
}

function encryptedContentInfo(
  contentType: string,
  contentAlgorithm: DerTree,
  encrypted: Uint8Array,
  last: Uint8Array,
): DerTree {
  return der(0x30, derOid(contentType), contentAlgorithm, der(0x80, encrypted, last));
}

function contentInfo(type: string, content: DerTree): Uint8Array {
  return buildDer(der(0x30, derOid(type), der(0xa0, content)));
}

// ---- parsing ----------------------------------------------------------------------------------

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

function matches(rid: RecipientIdentifier, identity: EnvelopeIdentity): boolean {
  if ('subjectKeyIdentifier' in rid)
    return sameBytes(rid.subjectKeyIdentifier, identity.subjectKeyIdentifier);
  return (
    identity.issuerAndSerialNumber !== undefined &&
    sameBytes(rid.issuerAndSerialNumber, identity.issuerAndSerialNumber)
  );
}

/**
 * Recovers the content-encryption key for `identity`, or throws SdcError: not-for-me when no
 * recipient names it, unsupported-algorithm for key transport we refuse, decrypt-failed otherwise.
 */
function recoverKey(envelope: ParsedEnvelope, identity: EnvelopeIdentity): Buffer {
  const keyType = identity.privateKey.asymmetricKeyType;
  let refused: SdcError | undefined;
  for (const recipient of envelope.recipients) {
    if (recipient.type === 'key-transport' && keyType === 'rsa' && matches(recipient.rid, identity)) {
      const { oid: algorithmOid, parameters } = recipient.keyEncryptionAlgorithm;
      if (algorithmOid === OID.rsaEncryption) {
        // Node 20 refuses PKCS#1 v1.5 decryption (Marvin attack); we never produce it either.
        refused = new SdcError(
          'unsupported-algorithm',
          'RSA PKCS#1 v1.5 key transport is refused: use RSA-OAEP',
        );
        continue;
      }
      if (algorithmOid !== OID.rsaesOaep) {
        refused = new SdcError('unsupported-algorithm', `key transport ${algorithmOid}`);
        continue;
      }
      const hash = oaepHash(parameters);
      if (!hash) {
        refused = new SdcError('unsupported-algorithm', 'RSA-OAEP parameters');
        continue;
      }
      try {
        return privateDecrypt(
          { key: identity.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
          recipient.encryptedKey,
        );
      } catch (error) {
        throw new SdcError('decrypt-failed', 'the key could not be unwrapped', { cause: error });
      }
    }
    if (recipient.type === 'key-agreement' && keyType === 'ec') {
      const entry = recipient.keys.find((key) => matches(key.rid, identity));
      if (!entry) continue;
      if (recipient.keyEncryptionAlgorithm !== OID.ecdhSha256Kdf) {
        refused = new SdcError(
          'unsupported-algorithm',
          `key agreement ${recipient.keyEncryptionAlgorithm} (use a SHA-256 KDF)`,
        );
        continue;
      }
      const wrap = WRAP_CIPHERS[recipient.wrapAlgorithm ?? ''];
      if (!wrap || !recipient.originatorKey) {
        refused = new SdcError('unsupported-algorithm', `key wrap ${recipient.wrapAlgorithm}`);
        continue;
      }
      try {
        const kek = recipientKek(identity.privateKey, recipient.originatorKey.point, recipient);
        const unwrap = createDecipheriv(wrap.cipher, kek, WRAP_IV);
        return joined(unwrap.update(entry.encryptedKey), unwrap.final());
      } catch (error) {
        throw new SdcError('decrypt-failed', 'the key could not be unwrapped', { cause: error });
      }
    }
  }
  throw refused ?? new SdcError('not-for-me');
}

/**
 * Key-encryption keys already derived, per recipient key, by originator point, wrap algorithm and
 * ukm: a sender reuses its originator key for a while (ORIGINATOR_KEY_LIFETIME_MS), so most
 * containers need no key agreement here. Bounded: the oldest entry goes first.
 */
const KEK_CACHE_ENTRIES = 20_000;
const kekCache = new WeakMap<KeyObject, Map<string, Buffer>>();
function recipientKek(
  privateKey: KeyObject,
  originatorPoint: Uint8Array,
  recipient: { readonly wrapAlgorithm?: string | undefined; readonly ukm?: Uint8Array | undefined },
): Buffer {
  const wrapOid = recipient.wrapAlgorithm as string;
  const wrap = WRAP_CIPHERS[wrapOid] as { bytes: number };
  let derived = kekCache.get(privateKey);
  if (!derived) {
    derived = new Map();
    kekCache.set(privateKey, derived);
  }
  const id = `${wrapOid} ${recipient.ukm ? Buffer.from(recipient.ukm).toString('hex') : ''} ${Buffer.from(originatorPoint).toString('hex')}`;
  let kek = derived.get(id);
  if (!kek) {
    const shared = recipientEcdh(privateKey).computeSecret(originatorPoint);
    kek = deriveKek(shared, wrapOid, wrap.bytes, recipient.ukm);
    if (derived.size >= KEK_CACHE_ENTRIES) derived.delete(derived.keys().next().value as string);
    derived.set(id, kek);
  }
  return kek;
}

/** The recipient's ECDH context, made once per key: every container to it reuses it. */
const ecdhCache = new WeakMap<KeyObject, ECDH>();
function recipientEcdh(key: KeyObject): ECDH {
  let ecdh = ecdhCache.get(key);
  if (!ecdh) {
    ecdh = createECDH(curveOf(key));
    ecdh.setPrivateKey(Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url'));
    ecdhCache.set(key, ecdh);
  }
  return ecdh;
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

/** update() then final(): GCM and key wrap give everything from update(), so no copy in the usual case. */
function joined(head: Buffer, tail: Buffer): Buffer {
  return tail.length === 0 ? head : head.length === 0 ? tail : Buffer.concat([head, tail]);
}

/** Decrypts a parsed envelope for `identity`; throws SdcError (not-for-me, decrypt-failed, unsupported-algorithm). */
export function openEnvelope(envelope: ParsedEnvelope, identity: EnvelopeIdentity): Uint8Array {
  const cek = recoverKey(envelope, identity);
  if (cek.length !== 32) throw new SdcError('decrypt-failed', 'content key has the wrong length');
  try {
    if (envelope.kind === 'auth-enveloped') {
      const decipher = createDecipheriv('aes-256-gcm', cek, envelope.iv, {
        authTagLength: envelope.tagLength,
      });
      if (!envelope.mac || envelope.mac.length !== envelope.tagLength) throw new Error('bad tag length');
      decipher.setAuthTag(envelope.mac);
      if (envelope.authAttributes) decipher.setAAD(envelope.authAttributes);
      return joined(decipher.update(envelope.encryptedContent), decipher.final());
    }
    const decipher = createDecipheriv('aes-256-cbc', cek, envelope.iv);
    return joined(decipher.update(envelope.encryptedContent), decipher.final());
  } catch (error) {
    throw new SdcError('decrypt-failed', 'the content could not be decrypted', { cause: error });
  }
}
