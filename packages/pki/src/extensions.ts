import * as asn1js from 'asn1js';
import { Extension } from 'pkijs';
import { KEY_USAGES, type KeyUsage } from './certificate.js';
import { PkiError } from './errors.js';
import { OID } from './oids.js';

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): Extension {
  return new Extension({ extnID, critical, extnValue: value.toBER() });
}

/** keyUsage (critical), as a DER named bit list without trailing zero bits. */
export function keyUsageExtension(usages: readonly KeyUsage[]): Extension {
  const bits = usages.map((usage) => KEY_USAGES.indexOf(usage));
  const highest = Math.max(...bits);
  if (highest < 0) throw new PkiError('invalid-argument', { detail: 'keyUsage needs at least one usage' });
  const bytes = new Uint8Array((highest >> 3) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  return extension(
    OID.keyUsage,
    true,
    new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (highest & 7) }),
  );
}

/** basicConstraints (critical): cA with an optional path length, or an empty SEQUENCE for an end entity. */
export function basicConstraintsExtension(ca: boolean, pathLength?: number): Extension {
  const fields: asn1js.BaseBlock[] = [];
  if (ca) {
    fields.push(new asn1js.Boolean({ value: true }));
    if (pathLength !== undefined) fields.push(new asn1js.Integer({ value: pathLength }));
  }
  return extension(OID.basicConstraints, true, new asn1js.Sequence({ value: fields }));
}

export function extendedKeyUsageExtension(purposes: readonly string[]): Extension {
  return extension(
    OID.extKeyUsage,
    false,
    new asn1js.Sequence({ value: purposes.map((oid) => new asn1js.ObjectIdentifier({ value: oid })) }),
  );
}

export function subjectKeyIdentifierExtension(identifier: Uint8Array): Extension {
  return extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: identifier }));
}

export function authorityKeyIdentifierExtension(identifier: Uint8Array): Extension {
  return extension(
    OID.authorityKeyIdentifier,
    false,
    new asn1js.Sequence({
      value: [new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: identifier })],
    }),
  );
}

/** subjectAltName with e-mail addresses (rfc822Name) and DNS names. */
export function subjectAltNameExtension(emails: readonly string[], dnsNames: readonly string[]): Extension {
  const names = [
    ...emails.map(
      (value) =>
        new asn1js.Primitive({
          idBlock: { tagClass: 3, tagNumber: 1 },
          valueHex: Buffer.from(value, 'ascii'),
        }),
    ),
    ...dnsNames.map(
      (value) =>
        new asn1js.Primitive({
          idBlock: { tagClass: 3, tagNumber: 2 },
          valueHex: Buffer.from(value, 'ascii'),
        }),
    ),
  ];
  for (const value of [...emails, ...dnsNames]) {
    if (!/^[\x21-\x7e]+$/.test(value))
      throw new PkiError('invalid-argument', { detail: `"${value}" is not an ASCII name` });
  }
  return extension(OID.subjectAltName, false, new asn1js.Sequence({ value: names }));
}

export function crlNumberExtension(value: bigint): Extension {
  return extension(OID.crlNumber, false, integerFromBigInt(value));
}

/** A non-negative INTEGER from a bigint, minimally encoded. */
function integerFromBigInt(value: bigint): asn1js.Integer {
  if (value < 0n) throw new PkiError('invalid-argument', { detail: 'negative integer' });
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return new asn1js.Integer({ valueHex: Buffer.from(hex, 'hex') });
}
