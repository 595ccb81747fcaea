import * as asn1js from 'asn1js';
import { RelativeDistinguishedNames, Time } from 'pkijs';
import { PkiError } from './errors.js';
import { NAME_ATTRIBUTES } from './oids.js';

const SHORT_BY_OID = new Map(NAME_ATTRIBUTES.map(([short, oid]) => [oid, short]));
const OID_BY_SHORT = new Map(NAME_ATTRIBUTES.map(([short, oid]) => [short.toLowerCase(), oid]));

/** The OID of the X.520 `serialNumber` attribute, which carries a site's matricule. */
export const MATRICULE_ATTRIBUTE = '2.5.4.5';

/** One attribute of a distinguished name, JSON-friendly. */
export interface NameAttribute {
  readonly type: string;
  readonly oid: string;
  readonly value: string;
}

/**
 * The subject of a certificate we issue, most general first. `commonName` defaults to the
 * matricule; `matricule` goes into the X.520 `serialNumber` attribute (2.5.4.5).
 */
export interface NameInput {
  readonly country?: string;
  readonly stateOrProvince?: string;
  readonly locality?: string;
  readonly organization?: string;
  readonly organizationalUnit?: string;
  readonly commonName?: string;
  readonly matricule?: string;
  readonly title?: string;
  readonly email?: string;
}

function attributeValue(node: unknown): string {
  const block = (node as { valueBlock?: { value?: unknown } }).valueBlock;
  if (block && typeof block.value === 'string') return block.value;
  if (node instanceof asn1js.BaseBlock) return `#${Buffer.from(node.toBER()).toString('hex')}`;
  return '';
}

/** The attributes of a name in their encoded order. */
export function nameAttributes(name: RelativeDistinguishedNames): NameAttribute[] {
  return name.typesAndValues.map((typeAndValue) => ({
    type: SHORT_BY_OID.get(typeAndValue.type) ?? typeAndValue.type,
    oid: typeAndValue.type,
    value: attributeValue(typeAndValue.value),
  }));
}

function escapeValue(value: string): string {
  return value
    .replace(/([,+"\\<>;=])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/** A name as text in its encoded order, OpenSSL style: `C=CM, O=Etat civil, CN=CEC-0042, serialNumber=CEC-0042`. */
export function formatName(name: RelativeDistinguishedNames): string {
  return nameAttributes(name)
    .map((attribute) => `${attribute.type}=${escapeValue(attribute.value)}`)
    .join(', ');
}

/** The first value of an attribute (by OID or short name), if any. */
export function nameAttribute(name: RelativeDistinguishedNames, typeOrOid: string): string | undefined {
  const oid = OID_BY_SHORT.get(typeOrOid.toLowerCase()) ?? typeOrOid;
  const found = name.typesAndValues.find((typeAndValue) => typeAndValue.type === oid);
  return found ? attributeValue(found.value) : undefined;
}

/**
 * A key for comparing names as RFC 5280 section 7.1 asks, simplified: attribute types by OID,
 * values case-folded with inner blanks collapsed. Equal names give equal keys.
 */
export function nameKey(name: RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${tv.type}=${attributeValue(tv.value).trim().replace(/\s+/g, ' ').toLowerCase()}`)
    .join('/');
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function encodeValue(oid: string, value: string): asn1js.BaseBlock {
  if (oid === '2.5.4.6') {
    if (!/^[A-Z]{2}$/.test(value))
      throw new PkiError('invalid-argument', {
        detail: `country must be two capital letters, got "${value}"`,
      });
    return new asn1js.PrintableString({ value });
  }
  if (oid === MATRICULE_ATTRIBUTE) {
    if (!PRINTABLE.test(value)) {
      throw new PkiError('invalid-argument', {
        detail: `matricule "${value}" has characters a PrintableString cannot hold`,
      });
    }
    return new asn1js.PrintableString({ value });
  }
  if (oid === '1.2.840.113549.1.9.1') return new asn1js.IA5String({ value });
  return new asn1js.Utf8String({ value });
}

/** Builds a name, one attribute per RDN, from `[type or OID, value]` pairs in order. */
export function buildName(attributes: ReadonlyArray<readonly [string, string]>): RelativeDistinguishedNames {
  if (attributes.length === 0)
    throw new PkiError('invalid-argument', { detail: 'a name needs at least one attribute' });
  const sequence = new asn1js.Sequence({
    value: attributes.map(([type, value]) => {
      const oid = OID_BY_SHORT.get(type.toLowerCase()) ?? type;
      if (!/^\d+(\.\d+)+$/.test(oid))
        throw new PkiError('invalid-argument', { detail: `unknown name attribute ${type}` });
      if (value.length === 0 || value.length > 256) {
        throw new PkiError('invalid-argument', { detail: `${type} must have 1 to 256 characters` });
      }
      return new asn1js.Set({
        value: [
          new asn1js.Sequence({
            value: [new asn1js.ObjectIdentifier({ value: oid }), encodeValue(oid, value)],
          }),
        ],
      });
    }),
  });
  return RelativeDistinguishedNames.fromBER(sequence.toBER());
}

/** The attribute pairs of a NameInput, most general first. */
export function nameInputAttributes(input: NameInput): Array<readonly [string, string]> {
  const pairs: Array<readonly [string, string]> = [];
  const push = (type: string, value: string | undefined) => {
    if (value !== undefined) pairs.push([type, value]);
  };
  push('C', input.country);
  push('ST', input.stateOrProvince);
  push('L', input.locality);
  push('O', input.organization);
  push('OU', input.organizationalUnit);
  push('CN', input.commonName ?? input.matricule);
  push('serialNumber', input.matricule);
  push('title', input.title);
  push('emailAddress', input.email);
  return pairs;
}

/** An X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 section 4.1.2.5). */
export function x509Time(date: Date): Time {
  if (Number.isNaN(date.getTime())) throw new PkiError('invalid-argument', { detail: 'invalid date' });
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  return new Time({ type: whole.getUTCFullYear() < 2050 ? 0 : 1, value: whole });
}
