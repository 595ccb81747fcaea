import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { type Armor, armor, dearmor } from './armor.js';
import { StructureError } from './cms/der.js';
import { parseEnvelope } from './cms/envelope.js';
import { openEnvelope } from './cms/envelope-open.js';
import { type ContentCipher, createEnvelope, type EnvelopeRecipient } from './cms/envelope-seal.js';
import {
  type CertificateInput,
  loadPrivateKey,
  type PrivateKeyInput,
  parseCertificate,
  subjectKeyIdentifierOf,
  toDerCertificate,
} from './cms/keys.js';
import { OID } from './cms/oids.js';
import { createSignedData, parseSignedData, type SigningKey, verifySignerInfo } from './cms/signed-data.js';
import type { TableRegistry } from './contract.js';
import { fail, SdcError } from './errors.js';
import { resolveLimits, type SdcLimits } from './limits.js';
import {
  decodeOpenedPayload,
  encodePayload,
  openPayload,
  type PayloadBody,
  type PayloadHeader,
  type PayloadInput,
  type PayloadOptions,
} from './payload/index.js';
import { type SignerResolver, signerFailure, type TrustedSigner } from './signer-resolver.js';
import { type SdcDictionary, shelfOf, vocabularyOf } from './vocabulary.js';

export interface SignerOptions {
  privateKey: PrivateKeyInput;
  /** For an encrypted PKCS#8 key. */
  passphrase?: string;
  /** The signer's certificate: its SubjectKeyIdentifier names the signer. */
  certificate?: CertificateInput;
  /** Without a certificate: the SKI to use (default: computed from the public key, RFC 5280 method 1). */
  subjectKeyIdentifier?: Uint8Array;
  /** Embed the signer's certificate (and these extra ones) in the container; off by default, the server holds them. */
  embedCertificates?: boolean | readonly CertificateInput[];
}

export type RecipientOptions =
  | { certificate: CertificateInput }
  | { publicKey: KeyObject; subjectKeyIdentifier?: Uint8Array };

export interface EncoderOptions {
  signer: SignerOptions;
  recipients: readonly RecipientOptions[];
  /** 'gcm' (AuthEnvelopedData, default) or 'cbc' (EnvelopedData, for older CMS stacks). */
  cipher?: ContentCipher;
  armor?: Armor;
  tables?: TableRegistry;
  limits?: Partial<SdcLimits>;
  /**
   * The deployment's dictionary the rows are packed with (docs/sdc-format.md §4.6): the Cameroon
   * list by default (written as format 2, as before dictionaries); null for none.
   */
  dictionary?: SdcDictionary | null;
}

export interface SdcEncoder {
  /** DER bytes with binary armour, text with text armour. Throws SdcError on invalid input. */
  encode(input: PayloadInput): Uint8Array | string;
  /**
   * The signed container before encryption (CMS SignedData, DER): what `encode` encrypts. Kept by a
   * server so that an answer asked for again can be encrypted for the recipient's key of that day.
   */
  sign(input: PayloadInput): Uint8Array;
  /** Encrypts a container made by `sign` (by this or another encoder) for this encoder's recipients. */
  encrypt(signed: Uint8Array): Uint8Array | string;
}

function prepareSigner(options: SignerOptions): SigningKey {
  const privateKey = loadPrivateKey(options.privateKey, options.passphrase);
  const certificate = options.certificate === undefined ? undefined : parseCertificate(options.certificate);
  if (certificate && !samePublicKey(certificate.publicKey, privateKey)) {
    throw new SdcError('invalid-key', "the signer's certificate does not match its private key");
  }
  const subjectKeyIdentifier =
    options.subjectKeyIdentifier ??
    certificate?.subjectKeyIdentifier ??
    subjectKeyIdentifierOf(createPublicKey(privateKey));
  const certificates: Uint8Array[] = [];
  if (options.embedCertificates) {
    if (!certificate)
      throw new SdcError('invalid-input', 'embedding certificates needs the signer certificate');
    certificates.push(certificate.der);
    if (Array.isArray(options.embedCertificates)) {
      for (const extra of options.embedCertificates as readonly CertificateInput[])
        certificates.push(toDerCertificate(extra));
    }
  }
  return { privateKey, subjectKeyIdentifier, certificates };
}

/** DER of the signedData content type (1.2.840.113549.1.7.2), as a ContentInfo starts after its length. */
const signedDataType = Uint8Array.of(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02);

/** A DER SEQUENCE whose first element is the signedData content type. */
function isSignedData(bytes: Uint8Array): boolean {
  if (bytes.length < 2 || bytes[0] !== 0x30) return false;
  const first = bytes[1] as number;
  const start = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return signedDataType.every((byte, i) => bytes[start + i] === byte);
}

function samePublicKey(publicKey: KeyObject, privateKey: KeyObject): boolean {
  const a = publicKey.export({ format: 'der', type: 'spki' });
  const b = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return a.equals(b);
}

function prepareRecipient(options: RecipientOptions): EnvelopeRecipient {
  if ('certificate' in options) {
    const certificate = parseCertificate(options.certificate);
    return { publicKey: certificate.publicKey, subjectKeyIdentifier: certificate.subjectKeyIdentifier };
  }
  if (options.publicKey.type !== 'public')
    throw new SdcError('invalid-key', 'a recipient needs a public key');
  return {
    publicKey: options.publicKey,
    subjectKeyIdentifier: options.subjectKeyIdentifier ?? subjectKeyIdentifierOf(options.publicKey),
  };
}

/** Prepares keys once; `encode` then signs and encrypts one payload per call. */
export function createEncoder(options: EncoderOptions): SdcEncoder {
  const signer = prepareSigner(options.signer);
  const recipients = options.recipients.map(prepareRecipient);
  if (recipients.length === 0) throw new SdcError('invalid-input', 'at least one recipient is required');
  const cipher = options.cipher ?? 'gcm';
  if (cipher !== 'gcm' && cipher !== 'cbc')
    throw new SdcError('invalid-input', `unknown cipher ${String(cipher)}`);
  const limits = resolveLimits(options.limits);
  const armour = options.armor ?? 'binary';
  const envelope = (signed: Uint8Array) => {
    const der = createEnvelope(OID.signedData, signed, recipients, cipher);
    return armour === 'text' ? armor(der) : der;
  };
  // Checked once, here: a list that is no dictionary fails when the encoder is made, not per container.
  vocabularyOf(options.dictionary);
  const payloadOptions: PayloadOptions = {
    ...(options.tables ? { tables: options.tables } : {}),
    limits,
    ...(options.dictionary !== undefined ? { dictionary: options.dictionary } : {}),
  };
  const sign = (input: PayloadInput) => createSignedData(encodePayload(input, payloadOptions), signer);
  return {
    encode: (input) => envelope(sign(input)),
    sign,
    encrypt(signed) {
      // The outer type only, not a full parse: encrypting is on the server's path of every answer.
      if (!isSignedData(signed))
        throw new SdcError('invalid-input', 'encrypt takes a signed container made by sign()');
      return envelope(signed);
    },
  };
}

/** One-shot encode; prefer `createEncoder` for many containers. */
export function encodeContainer(input: PayloadInput, options: EncoderOptions): Uint8Array | string {
  return createEncoder(options).encode(input);
}

export interface RecipientIdentityOptions {
  privateKey: PrivateKeyInput;
  passphrase?: string;
  /** The recipient's certificate: lets containers addressed by issuer and serial number (OpenSSL without -keyid) open. */
  certificate?: CertificateInput;
}

export interface DecoderOptions {
  recipient: RecipientIdentityOptions;
  /** Finds and validates signers by SKI (@xmcomm/pki's TrustStore fits). */
  signers: SignerResolver;
  tables?: TableRegistry;
  limits?: Partial<SdcLimits>;
  /** The time at which the signer's certificate must be valid (default: now). */
  at?: Date;
  /** Rows the sender created also carry their `numero` (see PayloadOptions.senderNumero). */
  senderNumero?: boolean;
  /**
   * The dictionaries this receiver holds (default: the Cameroon list). A container packed with
   * another fails with `unknown-dictionary` and its verified header; format 2 always decodes.
   */
  dictionaries?: readonly SdcDictionary[];
}

export interface DecodedContainer {
  header: PayloadHeader;
  body: PayloadBody;
  signer: TrustedSigner;
  cipher: ContentCipher;
  /** The inner payload bytes, as signed. */
  payload: Uint8Array;
}

/**
 * A decode result. When the signature and the signer verified but the body cannot be used (it does
 * not fit the local contract, `schema-mismatch`, was packed with a dictionary the receiver does not
 * hold, `unknown-dictionary`, or holds a value out of range, `malformed`), the
 * failure also carries the authenticated header and signer, so the receiver can answer the sender (a
 * receipt) instead of leaving it to re-send.
 */
export type SdcDecodeResult =
  | { ok: true; value: DecodedContainer }
  | { ok: false; error: SdcError; verified?: VerifiedHeader };

export interface VerifiedHeader {
  /** Read from the signed payload, after the signature verified and the sender matched the signer. */
  header: PayloadHeader;
  signer: TrustedSigner;
}

export interface SdcDecoder {
  decode(input: Uint8Array | string): Promise<SdcDecodeResult>;
}

/** Prepares the recipient key once; `decode` never throws on hostile bytes, it returns a typed failure. */
export function createDecoder(options: DecoderOptions): SdcDecoder {
  const privateKey = loadPrivateKey(options.recipient.privateKey, options.recipient.passphrase);
  const certificate =
    options.recipient.certificate === undefined ? undefined : parseCertificate(options.recipient.certificate);
  const identity = {
    privateKey,
    subjectKeyIdentifier:
      certificate?.subjectKeyIdentifier ?? subjectKeyIdentifierOf(createPublicKey(privateKey)),
    ...(certificate ? { issuerAndSerialNumber: certificate.issuerAndSerialNumber } : {}),
  };
  const limits = resolveLimits(options.limits);
  const payloadOptions: PayloadOptions = {
    ...(options.tables ? { tables: options.tables } : {}),
    limits,
    senderNumero: options.senderNumero === true,
    ...(options.dictionaries ? { dictionaries: options.dictionaries } : {}),
  };
  // The dictionaries held, checked and indexed now rather than at the first container.
  shelfOf(options.dictionaries);

  // Containers being opened at once by this decoder: with others waiting, the signature check goes
  // to the thread pool (see verifySignerInfo).
  let opening = 0;
  async function decodeOne(input: Uint8Array | string): Promise<SdcDecodeResult> {
    const armoured = dearmor(input, limits.maxContainerBytes);
    if (!armoured.ok) return armoured;
    let payload: Uint8Array;
    let signed: ReturnType<typeof parseSignedData>;
    let cipher: ContentCipher;
    try {
      const envelope = parseEnvelope(armoured.value);
      cipher = envelope.kind === 'auth-enveloped' ? 'gcm' : 'cbc';
      const inner = openEnvelope(envelope, identity);
      // `openssl cms -encrypt` labels any input id-data, even a SignedData: accept both labels.
      if (envelope.contentType !== OID.signedData && envelope.contentType !== OID.data) {
        return fail('unsupported-algorithm', 'the encrypted content is not SignedData');
      }
      signed = parseSignedData(inner);
      payload = signed.content;
    } catch (error) {
      return asFailure(error);
    }
    const signerInfo = signed.signers[0];
    if (!signerInfo || signed.signers.length !== 1)
      return fail('malformed', 'exactly one signer is expected');
    let ski: Uint8Array | undefined;
    if ('subjectKeyIdentifier' in signerInfo.sid) ski = signerInfo.sid.subjectKeyIdentifier;
    else {
      // Signed without -keyid: the embedded certificate with that issuer and serial names the signer.
      const wanted = signerInfo.sid.issuerAndSerialNumber;
      for (const der of signed.certificates) {
        try {
          const parsed = parseCertificate(der);
          if (Buffer.compare(parsed.issuerAndSerialNumber, wanted) === 0) ski = parsed.subjectKeyIdentifier;
        } catch {
          // an unreadable embedded certificate just does not match
        }
      }
      if (!ski)
        return fail('unknown-signer', 'signer named by issuer and serial, with no matching certificate');
    }
    let check: Awaited<ReturnType<SignerResolver['checkSigner']>>;
    try {
      check = await options.signers.checkSigner(ski, {
        at: options.at ?? new Date(),
        embeddedCertificates: signed.certificates,
      });
    } catch (error) {
      return fail('untrusted-signer', 'the signer could not be checked', error);
    }
    if (!check.ok) return { ok: false, error: signerFailure(check.error) };
    const offThread = opening > 1;
    if (
      !(await verifySignerInfo(signerInfo, signed.contentType, payload, check.signer.publicKey, offThread))
    ) {
      return fail('bad-signature');
    }
    // The header is checked against the signer before the body, so a body failure can name who sent it.
    const opened = openPayload(payload);
    if (!opened.ok) return opened;
    const sender = opened.value.header.sender;
    if (check.signer.matricule !== undefined && check.signer.matricule !== sender) {
      return fail('untrusted-signer', `signed by ${check.signer.matricule}, claims to be from ${sender}`);
    }
    const decoded = decodeOpenedPayload(opened.value, payloadOptions);
    // Signed by a known sender whose header names it: whatever is wrong with the body, the receiver
    // can answer it (a site that never hears why would send it again for ever).
    if (!decoded.ok) return { ...decoded, verified: { header: opened.value.header, signer: check.signer } };
    const { header, body } = decoded.value;
    return { ok: true, value: { header, body, signer: check.signer, cipher, payload } };
  }

  return {
    async decode(input) {
      opening += 1;
      try {
        return await decodeOne(input);
      } finally {
        opening -= 1;
      }
    },
  };
}

function asFailure(error: unknown): { ok: false; error: SdcError } {
  if (SdcError.isInstance(error)) return { ok: false, error };
  if (error instanceof StructureError) return fail('malformed', error.message, error);
  return fail('malformed', error instanceof Error ? error.message : undefined, error);
}

/** One-shot decode; prefer `createDecoder` for many containers. */
export async function decodeContainer(
  input: Uint8Array | string,
  options: DecoderOptions,
): Promise<SdcDecodeResult> {
  let decoder: SdcDecoder;
  try {
    decoder = createDecoder(options);
  } catch (error) {
    return asFailure(error);
  }
  return decoder.decode(input);
}
