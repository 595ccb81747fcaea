import {
  constants,
  createDecipheriv,
  createECDH,
  type ECDH,
  type KeyObject,
  privateDecrypt,
} from 'node:crypto';
import { SdcError } from '../errors.js';
import { oaepHash, type ParsedEnvelope, type RecipientIdentifier } from './envelope.js';
import { curveOf, deriveKek, joined, WRAP_IV } from './envelope-crypto.js';
import { sameBytes } from './keys.js';
import { OID } from './oids.js';

// Opening: the content key recovered for one identity, then the content decrypted.

/** Who is opening the container: the private key, and the identifiers the sender may have used for it. */
export interface EnvelopeIdentity {
  privateKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
  issuerAndSerialNumber?: Uint8Array;
}

const WRAP_CIPHERS: Readonly<Record<string, { cipher: string; bytes: number }>> = {
  '2.16.840.1.101.3.4.1.5': { cipher: 'id-aes128-wrap', bytes: 16 },
  '2.16.840.1.101.3.4.1.25': { cipher: 'id-aes192-wrap', bytes: 24 },
  [OID.aes256Wrap]: { cipher: 'id-aes256-wrap', bytes: 32 },
};

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
 * ukm: a sender reuses its originator key for a while (envelope-seal.ts), so most
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
