import {
  createHash,
  createHmac,
  createPrivateKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import * as asn1js from 'asn1js';
import { type ParsedCertificate, parseCertificateDer, readCertificates } from './certificate.js';
import { type PemOrDer, parseAsn1, readDer } from './encoding.js';
import { attempt, decoding, PkiError, type Result } from './errors.js';
import { describeKey, keysMatch } from './keys.js';
import { OID } from './oids.js';
import {
  decryptPrivateKeyInfo,
  decryptWithPassword,
  encryptPrivateKeyInfo,
  encryptWithPassword,
  octetStringContent,
  type PasswordEncryptionOptions,
  pkcs12Kdf,
} from './password-encryption.js';

/**
 * PKCS#12 (.p12/.pfx, RFC 7292) on Node's crypto and asn1js. We write what OpenSSL 3 writes by
 * default (PBES2 with PBKDF2-HMAC-SHA-256 and AES-256-CBC for the key and the certificates, an
 * HMAC-SHA-256 MAC), with more iterations. We read that, and the older triple-DES files (Windows,
 * OpenSSL 1.x with `-descert`); RC2-encrypted certificates (OpenSSL 1.x default, `-legacy`) are
 * reported as `unsupported-algorithm`.
 */

export interface Pkcs12Contents {
  readonly privateKey: KeyObject;
  /** The certificate of the private key, DER. */
  readonly certificate: Uint8Array;
  /** The other certificates (the CA chain), DER. */
  readonly chain: readonly Uint8Array[];
  readonly friendlyName?: string;
}

export interface Pkcs12ExportOptions extends PasswordEncryptionOptions {
  readonly privateKey: KeyObject;
  readonly certificate: PemOrDer;
  readonly chain?: readonly PemOrDer[];
  readonly passphrase: string;
  /** The name shown when the file is imported (e.g. the matricule). */
  readonly friendlyName?: string;
  /**
   * Iterations of the MAC's key derivation (the PKCS#12 KDF, the only MAC OpenSSL 3.0 reads);
   * default 100,000, fifty times OpenSSL's 2,048. It runs in JavaScript, so more costs seconds.
   */
  readonly macIterations?: number;
}

const MAX_MAC_ITERATIONS = 10_000_000;
const DEFAULT_MAC_ITERATIONS = 100_000;

function contentInfo(type: string, content: asn1js.BaseBlock): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: type }),
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [content] }),
    ],
  });
}

function bagAttributes(localKeyId: Uint8Array, friendlyName: string | undefined): asn1js.Set {
  const attributes = [
    new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: OID.localKeyId }),
        new asn1js.Set({ value: [new asn1js.OctetString({ valueHex: localKeyId })] }),
      ],
    }),
  ];
  if (friendlyName !== undefined) {
    attributes.unshift(
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID.friendlyName }),
          new asn1js.Set({ value: [new asn1js.BmpString({ value: friendlyName })] }),
        ],
      }),
    );
  }
  return new asn1js.Set({ value: attributes });
}

function safeBag(type: string, value: asn1js.BaseBlock, attributes?: asn1js.Set): asn1js.Sequence {
  const fields: asn1js.BaseBlock[] = [
    new asn1js.ObjectIdentifier({ value: type }),
    new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [value] }),
  ];
  if (attributes) fields.push(attributes);
  return new asn1js.Sequence({ value: fields });
}

function certificateBag(der: Uint8Array, attributes?: asn1js.Set): asn1js.Sequence {
  return safeBag(
    OID.certBag,
    new asn1js.Sequence({
      value: [
        new asn1js.ObjectIdentifier({ value: OID.x509Certificate }),
        new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.OctetString({ valueHex: der })],
        }),
      ],
    }),
    attributes,
  );
}

function macData(authenticatedSafe: Uint8Array, passphrase: string, iterations: number): asn1js.Sequence {
  const salt = randomBytes(16);
  const key = pkcs12Kdf('sha256', passphrase, salt, 3, iterations, 32);
  const digest = createHmac('sha256', key).update(authenticatedSafe).digest();
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({
            value: [new asn1js.ObjectIdentifier({ value: OID.sha256 }), new asn1js.Null()],
          }),
          new asn1js.OctetString({ valueHex: digest }),
        ],
      }),
      new asn1js.OctetString({ valueHex: salt }),
      new asn1js.Integer({ value: iterations }),
    ],
  });
}

/** Writes a PKCS#12 file (DER) with the key, its certificate and the chain, all encrypted with the passphrase. */
export function exportPkcs12(options: Pkcs12ExportOptions): Uint8Array {
  const { privateKey, passphrase } = options;
  if (typeof passphrase !== 'string') throw new PkiError('passphrase-required');
  if (passphrase === '')
    throw new PkiError('invalid-argument', { detail: 'an empty passphrase does not protect the key' });
  if (privateKey.type !== 'private')
    throw new PkiError('invalid-argument', { detail: 'exportPkcs12 needs a private key' });
  describeKey(privateKey);
  const [certificate] = readCertificates(options.certificate);
  if (!certificate) throw new PkiError('malformed-pem', { detail: 'no certificate' });
  if (!keysMatch(privateKey, certificate.publicKey))
    throw new PkiError('key-mismatch', { detail: certificate.subject });
  const chain = (options.chain ?? []).flatMap((item) => readCertificates(item));
  const localKeyId = createHash('sha1').update(certificate.der).digest();
  const friendlyName = options.friendlyName;

  const certificates = new asn1js.Sequence({
    value: [
      certificateBag(certificate.der, bagAttributes(localKeyId, friendlyName)),
      ...chain.map((item) => certificateBag(item.der)),
    ],
  }).toBER();
  const encryptedCertificates = encryptWithPassword(new Uint8Array(certificates), passphrase, options);
  const certificateContent = contentInfo(
    OID.encryptedData,
    new asn1js.Sequence({
      value: [
        new asn1js.Integer({ value: 0 }),
        new asn1js.Sequence({
          value: [
            new asn1js.ObjectIdentifier({ value: OID.data }),
            encryptedCertificates.algorithm,
            new asn1js.Primitive({
              idBlock: { tagClass: 3, tagNumber: 0 },
              valueHex: encryptedCertificates.ciphertext,
            }),
          ],
        }),
      ],
    }),
  );

  const plainKey = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  const shroudedKey = parseAsn1(encryptPrivateKeyInfo(plainKey, passphrase, options), 'shrouded key');
  const keyContents = new asn1js.Sequence({
    value: [safeBag(OID.pkcs8ShroudedKeyBag, shroudedKey, bagAttributes(localKeyId, friendlyName))],
  }).toBER();
  const keyContent = contentInfo(OID.data, new asn1js.OctetString({ valueHex: keyContents }));

  const authenticatedSafe = new Uint8Array(
    new asn1js.Sequence({ value: [certificateContent, keyContent] }).toBER(),
  );
  const macIterations =
    options.macIterations ?? Math.min(options.iterations ?? DEFAULT_MAC_ITERATIONS, DEFAULT_MAC_ITERATIONS);
  if (!Number.isSafeInteger(macIterations) || macIterations < 1 || macIterations > MAX_MAC_ITERATIONS) {
    throw new PkiError('invalid-argument', { detail: `macIterations ${macIterations}` });
  }
  const pfx = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 3 }),
      contentInfo(OID.data, new asn1js.OctetString({ valueHex: authenticatedSafe })),
      macData(authenticatedSafe, passphrase, macIterations),
    ],
  });
  return new Uint8Array(pfx.toBER());
}

// ---------------------------------------------------------------------------------------------
// Reading

function malformed(detail: string): PkiError {
  return new PkiError('malformed-der', { detail: `PKCS#12: ${detail}` });
}

function sequence(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType[] {
  if (!(node instanceof asn1js.Sequence)) throw malformed(`${what}: expected a SEQUENCE`);
  return node.valueBlock.value;
}

function oid(node: asn1js.AsnType | undefined, what: string): string {
  if (!(node instanceof asn1js.ObjectIdentifier)) throw malformed(`${what}: expected an OBJECT IDENTIFIER`);
  return node.valueBlock.toString();
}

/** The single value inside an `[0] EXPLICIT` wrapper. */
function explicit(node: asn1js.AsnType | undefined, what: string): asn1js.AsnType {
  const inner =
    node?.idBlock.tagClass === 3 && node.idBlock.tagNumber === 0
      ? (node.valueBlock as unknown as { value?: asn1js.AsnType[] }).value
      : undefined;
  if (inner?.length !== 1) throw malformed(`${what}: expected [0] EXPLICIT`);
  return inner[0]!;
}

function octets(node: asn1js.AsnType | undefined, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString)) throw malformed(`${what}: expected an OCTET STRING`);
  return octetStringContent(node);
}

const MAC_HASHES: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

function verifyMac(mac: asn1js.AsnType, authenticatedSafe: Uint8Array, passphrase: string): void {
  const [digestInfo, saltNode, iterationNode] = sequence(mac, 'MacData');
  const [algorithm, digestNode] = sequence(digestInfo, 'MAC DigestInfo');
  const hashOid = oid(sequence(algorithm, 'MAC algorithm')[0], 'MAC algorithm');
  const hash = MAC_HASHES[hashOid];
  if (!hash)
    throw new PkiError('unsupported-algorithm', {
      detail: `PKCS#12 MAC ${hashOid} (PBMAC1 needs OpenSSL 3.4)`,
    });
  const expected = octets(digestNode, 'MAC digest');
  const salt = octets(saltNode, 'MAC salt');
  let iterations = 1;
  if (iterationNode !== undefined) {
    if (!(iterationNode instanceof asn1js.Integer)) throw malformed('MAC iterations');
    iterations = iterationNode.valueBlock.valueDec;
    if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_MAC_ITERATIONS) {
      throw new PkiError('unsupported-algorithm', { detail: `MAC iteration count ${iterations}` });
    }
  }
  const length = createHash(hash).digest().length;
  const key = pkcs12Kdf(hash, passphrase, salt, 3, iterations, length);
  const actual = createHmac(hash, key).update(authenticatedSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new PkiError('wrong-passphrase');
}

interface Bag {
  readonly type: string;
  readonly value: asn1js.AsnType;
  readonly localKeyId?: string;
  readonly friendlyName?: string;
}

function readBags(der: Uint8Array, depth = 0): Bag[] {
  if (depth > 2) throw malformed('safe contents nested too deeply');
  const bags: Bag[] = [];
  for (const bag of sequence(parseAsn1(der, 'PKCS#12 SafeContents'), 'SafeContents')) {
    const [typeNode, valueNode, attributesNode] = sequence(bag, 'SafeBag');
    const type = oid(typeNode, 'SafeBag type');
    const value = explicit(valueNode, 'SafeBag value');
    let localKeyId: string | undefined;
    let friendlyName: string | undefined;
    if (attributesNode instanceof asn1js.Set) {
      for (const attribute of attributesNode.valueBlock.value) {
        const [attributeType, values] = sequence(attribute, 'bag attribute');
        const first = values instanceof asn1js.Set ? values.valueBlock.value[0] : undefined;
        const attributeOid = oid(attributeType, 'bag attribute type');
        if (attributeOid === OID.localKeyId && first instanceof asn1js.OctetString) {
          localKeyId = Buffer.from(octetStringContent(first)).toString('hex');
        } else if (attributeOid === OID.friendlyName && first instanceof asn1js.BmpString) {
          friendlyName = first.valueBlock.value;
        }
      }
    }
    if (type === OID.safeContentsBag) {
      bags.push(...readBags(new Uint8Array(value.toBER()), depth + 1));
    } else {
      bags.push({
        type,
        value,
        ...(localKeyId === undefined ? {} : { localKeyId }),
        ...(friendlyName === undefined ? {} : { friendlyName }),
      });
    }
  }
  return bags;
}

function readPkcs12Der(der: Uint8Array, passphrase: string): Pkcs12Contents {
  const [versionNode, authSafeNode, macNode] = sequence(parseAsn1(der, 'PKCS#12'), 'PFX');
  if (!(versionNode instanceof asn1js.Integer) || versionNode.valueBlock.valueDec !== 3)
    throw malformed('version is not 3');
  const [authSafeType, authSafeContent] = sequence(authSafeNode, 'authSafe');
  if (oid(authSafeType, 'authSafe type') !== OID.data) {
    throw new PkiError('unsupported-algorithm', {
      detail: 'PKCS#12 with public-key integrity (not password)',
    });
  }
  const authenticatedSafe = octets(explicit(authSafeContent, 'authSafe content'), 'authSafe content');
  if (macNode === undefined) throw new PkiError('unsupported-algorithm', { detail: 'PKCS#12 without a MAC' });
  verifyMac(macNode, authenticatedSafe, passphrase);

  const bags: Bag[] = [];
  for (const info of sequence(parseAsn1(authenticatedSafe, 'AuthenticatedSafe'), 'AuthenticatedSafe')) {
    const [typeNode, contentNode] = sequence(info, 'ContentInfo');
    const type = oid(typeNode, 'ContentInfo type');
    const content = explicit(contentNode, 'ContentInfo content');
    if (type === OID.data) {
      bags.push(...readBags(octets(content, 'data')));
    } else if (type === OID.encryptedData) {
      const [, encryptedContentInfo] = sequence(content, 'EncryptedData');
      const [, algorithm, encrypted] = sequence(encryptedContentInfo, 'EncryptedContentInfo');
      if (encrypted?.idBlock.tagClass !== 3 || encrypted.idBlock.tagNumber !== 0)
        throw malformed('no encrypted content');
      const plaintext = decryptWithPassword(algorithm, octetStringContent(encrypted), passphrase);
      bags.push(...readBags(plaintext));
    } else {
      throw new PkiError('unsupported-algorithm', { detail: `PKCS#12 content type ${type}` });
    }
  }

  const keys: Array<{ key: KeyObject; localKeyId?: string; friendlyName?: string }> = [];
  const certificates: Array<{ certificate: ParsedCertificate; localKeyId?: string; friendlyName?: string }> =
    [];
  for (const bag of bags) {
    if (bag.type === OID.keyBag || bag.type === OID.pkcs8ShroudedKeyBag) {
      const plain =
        bag.type === OID.keyBag
          ? new Uint8Array(bag.value.toBER())
          : decryptPrivateKeyInfo(bag.value, passphrase);
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: Buffer.from(plain), format: 'der', type: 'pkcs8' });
      } catch (cause) {
        throw new PkiError(bag.type === OID.keyBag ? 'malformed-der' : 'wrong-passphrase', {
          detail: 'PKCS#12 key',
          cause,
        });
      }
      describeKey(key);
      keys.push({ key, ...pick(bag) });
    } else if (bag.type === OID.certBag) {
      const [certificateType, certificateValue] = sequence(bag.value, 'CertBag');
      if (oid(certificateType, 'CertBag type') !== OID.x509Certificate) continue;
      certificates.push({
        certificate: parseCertificateDer(octets(explicit(certificateValue, 'CertBag value'), 'certificate')),
        ...pick(bag),
      });
    }
  }
  const [key, ...otherKeys] = keys;
  if (!key) throw new PkiError('invalid-argument', { detail: 'the PKCS#12 file holds no private key' });
  if (otherKeys.length > 0)
    throw new PkiError('invalid-argument', { detail: 'the PKCS#12 file holds several private keys' });
  const own = certificates.find((item) => keysMatch(key.key, item.certificate.publicKey));
  if (!own)
    throw new PkiError('key-mismatch', {
      detail: 'no certificate in the PKCS#12 file matches its private key',
    });
  const friendlyName = key.friendlyName ?? own.friendlyName;
  return {
    privateKey: key.key,
    certificate: own.certificate.der,
    chain: certificates.filter((item) => item !== own).map((item) => item.certificate.der),
    ...(friendlyName === undefined ? {} : { friendlyName }),
  };
}

function pick(bag: Bag): { localKeyId?: string; friendlyName?: string } {
  return {
    ...(bag.localKeyId === undefined ? {} : { localKeyId: bag.localKeyId }),
    ...(bag.friendlyName === undefined ? {} : { friendlyName: bag.friendlyName }),
  };
}

/**
 * Reads a PKCS#12 file (DER, or PEM "PKCS12"): checks its MAC with the passphrase, then returns
 * the private key, its certificate and the other certificates.
 */
export function importPkcs12(input: PemOrDer, passphrase: string): Result<Pkcs12Contents> {
  return attempt(() => {
    if (typeof passphrase !== 'string') throw new PkiError('passphrase-required');
    return decoding('PKCS#12', () => readPkcs12Der(readDer(input, ['PKCS12']).der, passphrase));
  });
}
