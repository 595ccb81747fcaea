import { ECDH } from 'node:crypto';
import { dearmor } from './armor.js';
import {
  algorithm,
  children,
  integer,
  isContext,
  isUniversal,
  type Node,
  octets,
  oid,
  parse,
  StructureError,
  sequence,
  setOf,
} from './cms/der.js';
import { oaepHash, parseEnvelope, type RecipientIdentifier } from './cms/envelope.js';
import { OID, OID_NAMES } from './cms/oids.js';
import { SdcError } from './errors.js';

/**
 * What `inspect` checks without any key, in order; each step is whole when the next one starts. The
 * format is docs/sdc-format.md §1 and §2.
 */
export const INSPECTION_STEPS = [
  /** Binary DER, or text armour whose base64 decodes. */
  'armour',
  /** One BER/DER element that ends exactly where the bytes end: nothing missing, nothing after it. */
  'outer-element',
  /** A ContentInfo of an encrypted type (AuthEnvelopedData or EnvelopedData) with its content. */
  'content-info',
  /** Each RecipientInfo: kind, version, algorithms, originator key on its curve, wrapped key sizes. */
  'recipient-infos',
  /** The envelope's fields, in order and of their types, and its version (which follows from them). */
  'envelope',
  /** The inner content type (SignedData), the cipher and its parameters, the encrypted content's size. */
  'encrypted-content-info',
  /** AuthEnvelopedData: the GCM tag is there and as long as the parameters say. */
  'mac',
] as const;
export type InspectionStep = (typeof INSPECTION_STEPS)[number];

/** What is inside the encryption, so out of reach without the recipient's private key. */
export const NOT_CHECKED_WITHOUT_KEY = [
  /** The signature over the payload, and the signer's certificate (chain, dates, revocation). */
  'signature',
  /** The payload: its header (sender, table, sequence) and its rows. */
  'payload',
  /** Whether the encrypted content, a wrapped content key or the GCM tag were altered. */
  'encrypted-bytes',
] as const;

/** The command that checks what inspect cannot: it needs the recipient's key and certificate. */
export const DECODE_COMMAND =
  'sdc decode --in FILE --cert recipient.pem --key recipient-key.pem --trust ca.pem --signer signer.pem';

export const CONTAINER_DAMAGES = [
  /** No bytes at all. */
  'empty',
  /** Not a CMS structure at all (not one BER element, or not a ContentInfo). */
  'not-cms',
  /** Text armour that cannot be decoded (not base64, markers missing or mismatched). */
  'bad-armour',
  /** Shorter than its own structure says: cut off in transfer or on the medium. */
  'truncated',
  /** Bytes after the end of the structure. */
  'trailing-bytes',
  /** A field missing, of the wrong type, length or value: a changed byte in the structure. */
  'bad-structure',
  /** A content type or algorithm outside the format: a changed identifier, or not an SDC. */
  'unsupported',
] as const;
export type ContainerDamageKind = (typeof CONTAINER_DAMAGES)[number];

export interface ContainerInspection {
  verdict: 'intact';
  armor: 'binary' | 'text';
  /** Size of the DER structure (after removing text armour). */
  bytes: number;
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
  /** Every step of INSPECTION_STEPS, found whole. */
  checked: InspectionStep[];
  /** Characters of text before and after the armour's markers, which decoders ignore. */
  outsideArmour?: number;
}

export interface ContainerDamage {
  verdict: 'damaged';
  damage: ContainerDamageKind;
  /** Where and what, in English: "the structure announces 677 bytes, there are 667". */
  detail: string;
  /** Offset in the DER bytes of the element found wrong, when known. */
  offset?: number;
  armor?: 'binary' | 'text';
  /** Size of the bytes read (after removing text armour, when that worked). */
  bytes: number;
  /** The steps found whole before the damage. */
  checked: InspectionStep[];
}

export type InspectionResult =
  | { ok: true; value: ContainerInspection }
  | { ok: false; error: SdcError; damage: ContainerDamage };

class Damaged extends Error {
  constructor(
    readonly kind: ContainerDamageKind,
    readonly detail: string,
    readonly offset?: number,
  ) {
    super(detail);
  }
}

const bad = (node: Node | undefined, detail: string): Damaged =>
  new Damaged('bad-structure', node ? `${detail} (at byte ${node.start})` : detail, node?.start);
const unsupported = (node: Node | undefined, detail: string): Damaged =>
  new Damaged('unsupported', node ? `${detail} (at byte ${node.start})` : detail, node?.start);

function name(identifier: string): string {
  return OID_NAMES[identifier] ?? identifier;
}

function describe(rid: RecipientIdentifier): string {
  return 'subjectKeyIdentifier' in rid
    ? Buffer.from(rid.subjectKeyIdentifier).toString('hex')
    : `issuer-and-serial:${Buffer.from(rid.issuerAndSerialNumber).toString('hex')}`;
}

/** The tag and length of the first element, read without trusting the length: how many bytes it says it has. */
function announcedEnd(der: Uint8Array): number | 'indefinite' | undefined {
  let offset = 1;
  if (((der[0] as number) & 0x1f) === 0x1f) return undefined; // high tag numbers: never a ContentInfo
  if (offset >= der.length) return undefined;
  const first = der[offset++] as number;
  if (first === 0x80) return 'indefinite';
  if (!(first & 0x80)) return offset + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || offset + count > der.length) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (der[offset++] as number);
  return offset + length;
}

/** Whole, or which damage: the outer element against the bytes there are. */
function checkOuter(der: Uint8Array): Node {
  if ((der[0] as number) !== 0x30) {
    throw new Damaged(
      'not-cms',
      `not CMS: a ContentInfo starts with a DER SEQUENCE (0x30), these bytes start with 0x${(der[0] as number).toString(16).padStart(2, '0')}`,
      0,
    );
  }
  const end = announcedEnd(der);
  if (end === undefined) throw new Damaged('not-cms', 'not CMS: the first element has no readable length', 0);
  if (end !== 'indefinite' && end > der.length)
    throw new Damaged(
      'truncated',
      `the structure announces ${end} bytes, there are ${der.length}`,
      der.length,
    );
  if (end !== 'indefinite' && end < der.length) {
    throw new Damaged(
      'trailing-bytes',
      `${der.length - end} byte(s) after the end of the structure (which ends at byte ${end})`,
      end,
    );
  }
  try {
    return parse(der);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message === 'truncated')
      throw new Damaged('truncated', 'the structure ends before its last element', der.length);
    throw new Damaged(/trailing/.test(message) ? 'trailing-bytes' : 'not-cms', message, 0);
  }
}

function exactly(node: Node, parts: readonly Node[], min: number, max: number, what: string): void {
  if (parts.length < min || parts.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw bad(node, `${what}: ${expected} field(s) expected, found ${parts.length}`);
  }
}

function version(node: Node | undefined, allowed: readonly number[], what: string): number {
  const value = integer(node, `${what} version`);
  if (!allowed.includes(value))
    throw bad(node, `${what}: version ${allowed.join(' or ')} expected, found ${value}`);
  return value;
}

/** Key sizes a wrapped 256-bit content key has under each AES key wrap (RFC 3394: key + 8 bytes). */
const WRAPS: Readonly<Record<string, number>> = {
  '2.16.840.1.101.3.4.1.5': 40,
  '2.16.840.1.101.3.4.1.25': 40,
  [OID.aes256Wrap]: 40,
};
/** Point sizes by curve: compressed (1 + x) and uncompressed (1 + x + y). */
const CURVES: readonly { curve: string; coordinate: number }[] = [
  { curve: 'prime256v1', coordinate: 32 },
  { curve: 'secp384r1', coordinate: 48 },
  { curve: 'secp521r1', coordinate: 66 },
];

function checkOriginatorPoint(node: Node, point: Uint8Array): void {
  const match = CURVES.find(
    ({ coordinate }) =>
      (point.length === 1 + coordinate && (point[0] === 2 || point[0] === 3)) ||
      (point.length === 1 + 2 * coordinate && point[0] === 4),
  );
  if (!match) throw bad(node, `originator key: ${point.length} bytes, not a point of P-256, P-384 or P-521`);
  try {
    ECDH.convertKey(Buffer.from(point), match.curve, undefined, undefined, 'uncompressed');
  } catch {
    throw bad(node, `originator key: not a point on ${match.curve}`);
  }
}

/** What the EnvelopedData version depends on (RFC 5652 §6.1): a RecipientInfo's kind and version. */
interface RecipientKind {
  readonly usable: boolean;
  readonly version: number;
  readonly tag: number;
}

function checkRecipient(node: Node, index: number): RecipientKind {
  const what = `recipientInfos[${index}]`;
  if (isUniversal(node, 16)) {
    const parts = sequence(node, what);
    exactly(node, parts, 4, 4, `${what} (KeyTransRecipientInfo)`);
    const found = version(parts[0], [0, 2], `${what} (KeyTransRecipientInfo)`);
    const rid = parts[1] as Node;
    if (found === 0 ? !isUniversal(rid, 16) : !(isContext(rid, 0) && !rid.constructed))
      throw bad(
        rid,
        `${what}: version ${found} names its recipient ${found === 0 ? 'by issuer and serial' : 'by SKI'}, not so here`,
      );
    const keyEncryption = algorithm(parts[2], `${what} keyEncryptionAlgorithm`);
    if (keyEncryption.oid !== OID.rsaesOaep)
      throw unsupported(
        parts[2],
        `${what}: key transport ${name(keyEncryption.oid)}, the format uses RSA-OAEP`,
      );
    if (!oaepHash(keyEncryption.parameters))
      throw unsupported(
        parts[2],
        `${what}: RSA-OAEP with other hashes than SHA-256 (or SHA-1) and MGF1 alike`,
      );
    if (!isUniversal(parts[3], 4)) throw bad(parts[3], `${what}: encryptedKey: expected an OCTET STRING`);
    if (octets(parts[3], `${what} encryptedKey`).length === 0)
      throw bad(parts[3], `${what}: empty encrypted key`);
    return { usable: true, version: found, tag: 16 };
  }
  if (isContext(node, 1)) {
    const parts = children(node, what);
    exactly(node, parts, 4, 5, `${what} (KeyAgreeRecipientInfo)`);
    version(parts[0], [3], `${what} (KeyAgreeRecipientInfo)`);
    const originator = parts[1] as Node;
    if (!isContext(originator, 0)) throw bad(originator, `${what}: originator expected`);
    const choice = children(originator, `${what} originator`);
    exactly(originator, choice, 1, 1, `${what} originator`);
    const key = choice[0] as Node;
    if (!isContext(key, 1))
      throw unsupported(key, `${what}: originator named by a certificate, the format sends its public key`);
    const publicKey = children(key, `${what} OriginatorPublicKey`);
    exactly(key, publicKey, 2, 2, `${what} OriginatorPublicKey`);
    const keyAlgorithm = algorithm(publicKey[0], `${what} originator algorithm`);
    if (keyAlgorithm.oid !== OID.ecPublicKey)
      throw unsupported(
        publicKey[0],
        `${what}: originator key ${name(keyAlgorithm.oid)}, expected ecPublicKey`,
      );
    const bits = publicKey[1] as Node;
    if (!isUniversal(bits, 3) || bits.constructed)
      throw bad(bits, `${what}: originator key: expected a BIT STRING`);
    const content = octets(bits, 'originator key');
    if (content[0] !== 0) throw bad(bits, `${what}: originator key: unused bits`);
    checkOriginatorPoint(bits, content.subarray(1));
    let next = 2;
    if (parts.length === 5) {
      if (!isContext(parts[next], 1)) throw bad(parts[next], `${what}: ukm [1] expected`);
      next++;
    }
    const keyEncryption = algorithm(parts[next], `${what} keyEncryptionAlgorithm`);
    if (keyEncryption.oid !== OID.ecdhSha256Kdf)
      throw unsupported(
        parts[next],
        `${what}: key agreement ${name(keyEncryption.oid)}, the format uses ECDH with a SHA-256 KDF`,
      );
    const wrap = algorithm(keyEncryption.parameters, `${what} key wrap`);
    const wrapped = WRAPS[wrap.oid];
    if (wrapped === undefined)
      throw unsupported(keyEncryption.parameters, `${what}: key wrap ${name(wrap.oid)}`);
    const keys = sequence(parts[next + 1], `${what} recipientEncryptedKeys`);
    if (keys.length === 0) throw bad(parts[next + 1], `${what}: no recipient encrypted key`);
    for (const entry of keys) {
      const fields = sequence(entry, `${what} RecipientEncryptedKey`);
      exactly(entry, fields, 2, 2, `${what} RecipientEncryptedKey`);
      const rid = fields[0] as Node;
      if (!isUniversal(rid, 16) && !(isContext(rid, 0) && rid.constructed))
        throw bad(rid, `${what}: recipient identifier expected`);
      if (!isUniversal(fields[1], 4)) throw bad(fields[1], `${what}: encryptedKey: expected an OCTET STRING`);
      const length = octets(fields[1], 'encryptedKey').length;
      if (length !== wrapped)
        throw bad(fields[1], `${what}: a wrapped 256-bit key is ${wrapped} bytes, found ${length}`);
    }
    return { usable: true, version: 3, tag: 1 };
  }
  // kekri [2], pwri [3], ori [4]: valid CMS that this codec does not open; anything else is not CMS.
  if (node.tagClass === 2 && node.tagNumber >= 2 && node.tagNumber <= 4 && node.constructed)
    return { usable: false, version: -1, tag: node.tagNumber };
  throw bad(node, `${what}: not a RecipientInfo`);
}

/** The strict walk of docs/sdc-format.md §2: every field a decoder reads before it needs a key. */
function checkEnvelope(root: Node, checked: InspectionStep[]): void {
  const outer = sequence(root, 'ContentInfo');
  exactly(root, outer, 2, 2, 'ContentInfo');
  const type = oid(outer[0], 'ContentInfo contentType');
  if (type !== OID.authEnvelopedData && type !== OID.envelopedData)
    throw unsupported(
      outer[0],
      `a CMS ${name(type)}, not an encrypted container (AuthEnvelopedData or EnvelopedData)`,
    );
  const holder = outer[1] as Node;
  if (!isContext(holder, 0) || !holder.constructed) throw bad(holder, 'ContentInfo: [0] content expected');
  const held = children(holder, 'ContentInfo content');
  exactly(holder, held, 1, 1, 'ContentInfo content');
  checked.push('content-info');

  const auth = type === OID.authEnvelopedData;
  const label = auth ? 'AuthEnvelopedData' : 'EnvelopedData';
  const envelope = held[0] as Node;
  const fields = sequence(envelope, label);
  let index = 1;
  const originatorInfo = isContext(fields[index], 0);
  if (originatorInfo) index++;
  const recipientSet = fields[index++] as Node;
  const contentInfo = fields[index++] as Node;
  let mac: Node | undefined;
  if (auth) {
    if (isContext(fields[index], 1)) index++; // authAttrs
    mac = fields[index++];
    if (!mac) throw bad(envelope, `${label}: the mac is missing`);
    if (isContext(fields[index], 2)) index++; // unauthAttrs
  }
  const unprotectedAttributes = !auth && isContext(fields[index], 1);
  if (unprotectedAttributes) index++;
  if (index < fields.length) throw bad(fields[index], `${label}: unexpected field after the last one`);

  const recipients = setOf(recipientSet, `${label} recipientInfos`);
  if (recipients.length === 0) throw bad(recipientSet, 'no recipient');
  const kinds = recipients.map((recipient, i) => checkRecipient(recipient, i));
  if (!kinds.some((kind) => kind.usable))
    throw unsupported(
      recipientSet,
      'no recipient of a kind the format uses (key agreement or RSA-OAEP key transport)',
    );
  checked.push('recipient-infos');
  // AuthEnvelopedData is version 0 (RFC 5083); EnvelopedData's version follows from its fields
  // (RFC 5652 §6.1), so a changed version shows.
  const expected = auth
    ? [0]
    : originatorInfo
      ? [2, 3, 4]
      : kinds.some((kind) => kind.tag === 3 || kind.tag === 4)
        ? [3]
        : unprotectedAttributes || kinds.some((kind) => kind.version !== 0)
          ? [2]
          : [0];
  version(fields[0], expected, label);
  checked.push('envelope');

  const encrypted = sequence(contentInfo, `${label} encryptedContentInfo`);
  exactly(contentInfo, encrypted, 3, 3, 'EncryptedContentInfo');
  const inner = oid(encrypted[0], 'EncryptedContentInfo contentType');
  // `openssl cms -encrypt` labels any input id-data, SignedData included: the decoder accepts both.
  if (inner !== OID.signedData && inner !== OID.data)
    throw unsupported(
      encrypted[0],
      `the encrypted content is ${name(inner)}, the format encrypts a SignedData`,
    );
  const cipher = algorithm(encrypted[1], 'contentEncryptionAlgorithm');
  const content = encrypted[2] as Node;
  if (!isContext(content, 0)) throw bad(content, 'the encrypted content [0] is missing');
  const size = octets(content, 'encryptedContent').length;
  if (size === 0) throw bad(content, 'the encrypted content is empty');
  let tagLength = 0;
  if (auth) {
    if (cipher.oid !== OID.aes256Gcm)
      throw unsupported(
        encrypted[1],
        `AuthEnvelopedData with ${name(cipher.oid)}, the format uses AES-256-GCM`,
      );
    const parameters = sequence(cipher.parameters, 'GCMParameters');
    exactly(cipher.parameters as Node, parameters, 1, 2, 'GCMParameters');
    if (!isUniversal(parameters[0], 4)) throw bad(parameters[0], 'GCM nonce: expected an OCTET STRING');
    const nonce = octets(parameters[0], 'GCM nonce').length;
    if (nonce !== 12) throw bad(parameters[0], `GCM nonce: 12 bytes expected, found ${nonce}`);
    tagLength = parameters[1] ? integer(parameters[1], 'aes-ICVlen') : 12;
    if (tagLength < 12 || tagLength > 16)
      throw bad(parameters[1], `GCM tag length ${tagLength}, 12 to 16 expected`);
  } else {
    if (cipher.oid !== OID.aes256Cbc)
      throw unsupported(encrypted[1], `EnvelopedData with ${name(cipher.oid)}, the format uses AES-256-CBC`);
    if (!isUniversal(cipher.parameters, 4)) throw bad(cipher.parameters, 'CBC IV: expected an OCTET STRING');
    const iv = octets(cipher.parameters, 'CBC IV').length;
    if (iv !== 16) throw bad(cipher.parameters, `CBC IV: 16 bytes expected, found ${iv}`);
    if (size % 16 !== 0)
      throw bad(content, `AES-CBC content is whole 16-byte blocks, found ${size} bytes (cut or padded)`);
  }
  checked.push('encrypted-content-info');

  if (mac) {
    if (!isUniversal(mac, 4)) throw bad(mac, 'mac: expected an OCTET STRING');
    const length = octets(mac, 'mac').length;
    if (length !== tagLength)
      throw bad(mac, `mac: ${tagLength} bytes expected (aes-ICVlen), found ${length}`);
    checked.push('mac');
  }
}

/**
 * What can be told of a container without any key (what `sdc inspect` prints): its armour, whether
 * the outer structure is whole (not truncated, nothing after it), and every field of the envelope
 * against the format (docs/sdc-format.md §2). A container found wrong comes back as `damaged`, with
 * the kind of damage, where, and what was whole before it. What is inside the encryption (signature,
 * signer, payload, and any change to the encrypted bytes) needs the recipient's key: `sdc decode`.
 * Never throws.
 */
export function inspectContainer(input: Uint8Array | string): InspectionResult {
  const checked: InspectionStep[] = [];
  const isText = typeof input === 'string' || (input.length > 10 && input[0] === 0x2d && input[1] === 0x2d);
  const armor: 'binary' | 'text' = isText ? 'text' : 'binary';
  let bytes = input.length;
  const damaged = (kind: ContainerDamageKind, detail: string, offset?: number): InspectionResult => ({
    ok: false,
    error: new SdcError(kind === 'unsupported' ? 'unsupported-algorithm' : 'malformed', detail),
    damage: {
      verdict: 'damaged',
      damage: kind,
      detail,
      ...(offset === undefined ? {} : { offset }),
      ...(input.length === 0 ? {} : { armor }),
      bytes,
      checked: [...checked],
    },
  });
  if (input.length === 0) return damaged('empty', 'no bytes at all');
  let outsideArmour: number | undefined;
  if (isText) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    const begin = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
    if (begin && !text.includes(`-----END ${begin[1]}-----`, begin.index))
      return damaged(
        'truncated',
        `text armour without its END line: cut off after ${text.length} characters`,
      );
    const armoured = dearmor(input);
    if (!armoured.ok) return damaged('bad-armour', armoured.error.message.replace(/^.*?: /, ''));
    const end = text.indexOf(`-----END ${begin?.[1]}-----`) + `-----END ${begin?.[1]}-----`.length;
    const outside = text.slice(0, begin?.index ?? 0).trim().length + text.slice(end).trim().length;
    if (outside > 0) outsideArmour = outside;
    input = armoured.value;
    bytes = input.length;
  }
  const der = input as Uint8Array;
  checked.push('armour');
  if (der.length === 0) return damaged('empty', 'the armour holds no bytes');
  try {
    const root = checkOuter(der);
    checked.push('outer-element');
    checkEnvelope(root, checked);
    // The summary, read by the decoder's own parser: it must agree with the walk above.
    const envelope = parseEnvelope(der);
    return {
      ok: true,
      value: {
        verdict: 'intact',
        armor,
        bytes: der.length,
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
        checked,
        ...(outsideArmour === undefined ? {} : { outsideArmour }),
      },
    };
  } catch (error) {
    if (error instanceof Damaged) return damaged(error.kind, error.detail, error.offset);
    if (SdcError.isInstance(error))
      return damaged(error.code === 'unsupported-algorithm' ? 'unsupported' : 'bad-structure', error.message);
    const message = error instanceof StructureError || error instanceof Error ? error.message : String(error);
    // A length inside that does not fit its parent: the structure was changed, or cut and patched.
    return damaged('bad-structure', message);
  }
}
