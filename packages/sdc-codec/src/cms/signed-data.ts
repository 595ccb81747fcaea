import { constants, createHash, type KeyObject, sign, type VerifyKeyObjectInput, verify } from 'node:crypto';
import {
  algorithm,
  buildDer,
  children,
  der,
  derAlgorithm,
  derContext,
  derContextPrimitive,
  derInteger,
  derNull,
  derOid,
  derSequence,
  derSet,
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

export interface SigningKey {
  privateKey: KeyObject;
  subjectKeyIdentifier: Uint8Array;
  /** DER certificates to embed (the signer's, optionally its chain); none by default. */
  certificates?: readonly Uint8Array[];
}

/** RSASSA-PSS-params: SHA-256, MGF1 with SHA-256, salt 32. */
const PSS_PARAMETERS = derSequence(
  derContext(0, derAlgorithm(OID.sha256)),
  derContext(1, derAlgorithm(OID.mgf1, derAlgorithm(OID.sha256))),
  derContext(2, derInteger(32)),
);

/** The signature algorithm follows the key: ECDSA, RSA-PSS for an RSA-PSS key, PKCS#1 v1.5 for a plain RSA key. */
function signatureAlgorithmFor(key: KeyObject): Uint8Array {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return derAlgorithm(OID.ecdsaWithSha256);
    case 'rsa':
      return derAlgorithm(OID.sha256WithRsa, derNull());
    case 'rsa-pss':
      return derAlgorithm(OID.rsassaPss, PSS_PARAMETERS);
    default:
      throw new StructureError(`cannot sign with a ${key.asymmetricKeyType} key`);
  }
}

function signatureFor(key: KeyObject, data: Uint8Array): Uint8Array {
  if (key.asymmetricKeyType === 'rsa-pss') {
    return sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  }
  return sign('sha256', data, key);
}

/** What createSignedData writes the same for every container of one signer: built once per signing key. */
interface SignerTemplate {
  /** The fixed head of the SignerInfo: version, sid, digest and signature algorithms. */
  signerInfoHead: Uint8Array;
  /** [0] certificates, or nothing. */
  certificates: Uint8Array;
}
const templates = new WeakMap<SigningKey, SignerTemplate>();
function templateFor(signer: SigningKey): SignerTemplate {
  let template = templates.get(signer);
  if (!template) {
    template = {
      signerInfoHead: concat(
        derInteger(3),
        derContextPrimitive(0, signer.subjectKeyIdentifier),
        derAlgorithm(OID.sha256),
        signatureAlgorithmFor(signer.privateKey),
      ),
      certificates:
        signer.certificates && signer.certificates.length > 0
          ? derContext(0, ...signer.certificates)
          : new Uint8Array(0),
    };
    templates.set(signer, template);
  }
  return template;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

const SIGNED_DATA_OID = derOid(OID.signedData);
const DATA_OID = derOid(OID.data);
/** SignedData's version 3 and its digestAlgorithms SET (SHA-256). */
const SIGNED_DATA_HEAD = concat(derInteger(3), derSet(derAlgorithm(OID.sha256)));

/**
 * ContentInfo(SignedData) over `content` (eContentType id-data), signer by SubjectKeyIdentifier,
 * SHA-256, and no signed attributes: the smallest form RFC 5652 allows and OpenSSL verifies. What
 * signed attributes would add (time, content type) the payload header already carries, signed.
 * The signer's fixed parts come from a template, and the whole is written in one allocation.
 */
export function createSignedData(content: Uint8Array, signer: SigningKey): Uint8Array {
  const template = templateFor(signer);
  const signature = signatureFor(signer.privateKey, content);
  return buildDer(
    der(
      0x30,
      SIGNED_DATA_OID,
      der(
        0xa0,
        der(
          0x30,
          SIGNED_DATA_HEAD,
          der(0x30, DATA_OID, der(0xa0, der(0x04, content))),
          template.certificates,
          der(0x31, der(0x30, template.signerInfoHead, der(0x04, signature))),
        ),
      ),
    ),
  );
}

export type SignerIdentifier = { subjectKeyIdentifier: Uint8Array } | { issuerAndSerialNumber: Uint8Array };

export interface ParsedSignerInfo {
  sid: SignerIdentifier;
  digestAlgorithm: string;
  signatureAlgorithm: { oid: string; parameters: Node | undefined };
  signature: Uint8Array;
  /** The DER to verify when signed attributes are present (tag rewritten to SET), with their digest and type. */
  signedAttributes?: {
    der: Uint8Array;
    messageDigest: Uint8Array | undefined;
    contentType: string | undefined;
  };
}

export interface ParsedSignedData {
  contentType: string;
  content: Uint8Array;
  certificates: Uint8Array[];
  signers: ParsedSignerInfo[];
}

export function parseSignedData(der: Uint8Array): ParsedSignedData {
  const outer = sequence(parse(der), 'ContentInfo');
  if (oid(outer[0], 'contentType') !== OID.signedData)
    throw new StructureError('inner content is not SignedData');
  if (!outer[1] || !isContext(outer[1], 0)) throw new StructureError('ContentInfo without content');
  const fields = sequence(children(outer[1], 'content')[0], 'SignedData');
  let index = 0;
  integer(fields[index++], 'version');
  setOf(fields[index++], 'digestAlgorithms');
  const encap = sequence(fields[index++], 'EncapsulatedContentInfo');
  const contentType = oid(encap[0], 'eContentType');
  if (!encap[1] || !isContext(encap[1], 0)) throw new StructureError('detached content is not supported');
  const content = octetString(children(encap[1], 'eContent')[0], 'eContent');
  const certificates: Uint8Array[] = [];
  let field = fields[index];
  if (field && isContext(field, 0)) {
    for (const certificate of children(field, 'certificates')) {
      if (isUniversal(certificate, 16)) certificates.push(raw(certificate));
    }
    field = fields[++index];
  }
  if (field && isContext(field, 1)) field = fields[++index]; // CRLs: the trust store has its own
  const signers = setOf(field, 'signerInfos').map(parseSignerInfo);
  if (signers.length === 0) throw new StructureError('no signer');
  return { contentType, content, certificates, signers };
}

function parseSignerInfo(node: Node): ParsedSignerInfo {
  const parts = sequence(node, 'SignerInfo');
  let index = 1;
  const sidNode = parts[index++];
  if (!sidNode) throw new StructureError('SignerInfo without sid');
  const sid: SignerIdentifier = isContext(sidNode, 0)
    ? { subjectKeyIdentifier: octets(sidNode, 'subjectKeyIdentifier') }
    : { issuerAndSerialNumber: raw(sequence(sidNode, 'issuerAndSerialNumber') && sidNode) };
  const digestAlgorithm = algorithm(parts[index++], 'digestAlgorithm').oid;
  let signedAttributes: ParsedSignerInfo['signedAttributes'];
  const maybeAttributes = parts[index];
  if (maybeAttributes && isContext(maybeAttributes, 0)) {
    index++;
    let messageDigest: Uint8Array | undefined;
    let contentType: string | undefined;
    for (const attribute of children(maybeAttributes, 'signedAttrs')) {
      const [type, values] = sequence(attribute, 'Attribute');
      const value = setOf(values, 'attrValues')[0];
      const typeOid = oid(type, 'attrType');
      if (typeOid === OID.messageDigestAttribute) messageDigest = octetString(value, 'messageDigest');
      if (typeOid === OID.contentTypeAttribute) contentType = oid(value, 'contentType');
    }
    const der = new Uint8Array(raw(maybeAttributes));
    der[0] = 0x31; // RFC 5652 5.4: the signature covers the attributes as an explicit SET OF.
    signedAttributes = { der, messageDigest, contentType };
  }
  const signatureAlgorithm = algorithm(parts[index++], 'signatureAlgorithm');
  const signature = octetString(parts[index++], 'signature');
  return {
    sid,
    digestAlgorithm,
    signatureAlgorithm,
    signature,
    ...(signedAttributes ? { signedAttributes } : {}),
  };
}

/**
 * True when the signer's signature over the content is valid for `publicKey`. Never rejects.
 *
 * `offThread`: checked on libuv's thread pool (crypto.verify with a callback). The check is the
 * costliest step of opening a container (about 100-150 us for ECDSA P-256 here): a caller opening
 * many at once keeps its own thread for the others' decryption and decoding (64 at once: 4,150-5,350
 * -> 5,900-6,750 containers/s). Alone, the hop to the pool costs more than it saves.
 */
export async function verifySignerInfo(
  info: ParsedSignerInfo,
  contentType: string,
  content: Uint8Array,
  publicKey: KeyObject,
  offThread: boolean,
): Promise<boolean> {
  const check = offThread ? verifiedOffThread : verifiedHere;
  try {
    if (info.digestAlgorithm !== OID.sha256) return false;
    let data = content;
    if (info.signedAttributes) {
      const { messageDigest, contentType: signedType, der } = info.signedAttributes;
      if (!messageDigest || signedType !== contentType) return false;
      const digest = createHash('sha256').update(content).digest();
      if (digest.length !== messageDigest.length || !digest.equals(messageDigest)) return false;
      data = der;
    } else if (contentType !== OID.data) {
      return false;
    }
    const { oid: algorithmOid, parameters } = info.signatureAlgorithm;
    const keyType = publicKey.asymmetricKeyType;
    if (algorithmOid === OID.ecdsaWithSha256 || algorithmOid === OID.ecPublicKey) {
      return keyType === 'ec' && (await check(data, publicKey, info.signature));
    }
    if (algorithmOid === OID.sha256WithRsa || algorithmOid === OID.rsaEncryption) {
      return keyType === 'rsa' && (await check(data, publicKey, info.signature));
    }
    if (algorithmOid === OID.rsassaPss) {
      if (keyType !== 'rsa' && keyType !== 'rsa-pss') return false;
      const saltLength = pssSaltLength(parameters);
      if (saltLength === undefined) return false;
      return await check(
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        info.signature,
      );
    }
    return false;
  } catch {
    return false;
  }
}

function verifiedHere(
  data: Uint8Array,
  key: KeyObject | VerifyKeyObjectInput,
  signature: Uint8Array,
): Promise<boolean> {
  return Promise.resolve(verify('sha256', data, key, signature));
}

function verifiedOffThread(
  data: Uint8Array,
  key: KeyObject | VerifyKeyObjectInput,
  signature: Uint8Array,
): Promise<boolean> {
  return new Promise((resolve) => {
    verify('sha256', data, key, signature, (error, valid) => resolve(!error && valid));
  });
}

/** The salt length when the PSS parameters say SHA-256 with MGF1-SHA-256, else undefined. */
function pssSaltLength(parameters: Node | undefined): number | undefined {
  if (!parameters) return undefined;
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let salt = 20;
  for (const part of sequence(parameters, 'RSASSA-PSS-params')) {
    const inner = children(part, 'PSS parameter')[0];
    if (isContext(part, 0)) hash = algorithm(inner, 'hashAlgorithm').oid;
    else if (isContext(part, 1)) {
      const mgf = algorithm(inner, 'maskGenAlgorithm');
      if (mgf.oid !== OID.mgf1) return undefined;
      mgfHash = algorithm(mgf.parameters, 'mgf1 hash').oid;
    } else if (isContext(part, 2)) salt = integer(inner, 'saltLength');
  }
  return hash === OID.sha256 && mgfHash === OID.sha256 ? salt : undefined;
}
