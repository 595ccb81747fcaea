import { constants, createCipheriv, createECDH, type KeyObject, publicEncrypt } from 'node:crypto';
import { SdcError } from '../errors.js';
import { freshRandomBytes } from '../random.js';
import {
  bitString,
  buildDer,
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
  parse,
  sequence,
} from './der.js';
import { curveOf, deriveKek, joined, WRAP_IV } from './envelope-crypto.js';
import { OID } from './oids.js';

// Sealing: the content encrypted under a fresh key, wrapped for each recipient (RFC 5652, 5083).

export type ContentCipher = 'gcm' | 'cbc';

/** Someone a container is encrypted for: an EC key (ECDH) or an RSA key (RSA-OAEP SHA-256), named by SKI. */
export interface EnvelopeRecipient {
  publicKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
}

/**
 * A 128-bit tag. The 96-bit default of RFC 5084 would save 4 bytes, but DER must then omit
 * aes-ICVlen and OpenSSL 3.0 refuses GCMParameters without it.
 */
const GCM_TAG_BYTES = 16;

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
 * key once per window, the recipient once per originator key it has seen (envelope-open.ts). Each
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
