import type { DocumentData, ValueLabels } from '@xmcomm/documents';
import type { RecordType } from '@xmcomm/site-kit';
import type { ActKind } from './rules.js';

// What a template prints, from an act's fields: the default templates' field names (short, and
// MOSIP Claim 169's where a field matches) for the contract's columns. Codes stay codes (a seal
// signs them); templates turn them into words with `{{field|label}}` and `{{date|date}}`.

type Fields = Readonly<Record<string, unknown>>;

/** Claim 169's gender codes, which the seal carries as a number. */
const genderCodes: Readonly<Record<string, string>> = { male: 'M', female: 'F', undetermined: 'X' };

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
};

const joined = (...parts: unknown[]): string | undefined => {
  const present = parts.map(text).filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join(' ');
};

const place = (...parts: unknown[]): string | undefined => {
  const present = parts.map(text).filter((part): part is string => part !== undefined);
  return present.length === 0 ? undefined : present.join(', ');
};

/** Template field -> the column whose value labels `{{field|label}}` prints. */
const labelledColumns: Readonly<Record<ActKind, Readonly<Record<string, string>>>> = {
  birth: {},
  marriage: { marriageForm: 'marriage_form', propertyRegime: 'property_regime' },
  death: {},
};

function mapped(kind: ActKind, f: Fields): Record<string, string | undefined> {
  switch (kind) {
    case 'birth':
      return {
        lastName: text(f.child_surname),
        firstName: text(f.child_given_names),
        gender: genderCodes[String(f.child_sex)] ?? text(f.child_sex),
        dateOfBirth: text(f.date_of_birth),
        timeOfBirth: text(f.time_of_birth),
        placeOfBirth: place(f.place_of_birth_locality, f.place_of_birth_facility, f.place_of_birth_region),
        fatherName: joined(f.father_given_names, f.father_surname) ?? '—',
        motherName: joined(f.mother_given_names, f.mother_surname),
        fatherNationality: text(f.father_nationality),
        motherNationality: text(f.mother_nationality),
        dateOfDeclaration: text(f.date_of_declaration),
        remarks: text(f.remarks),
      };
    case 'marriage':
      return {
        spouse1Name: joined(f.spouse1_given_names, f.spouse1_surname),
        spouse1DateOfBirth: text(f.spouse1_date_of_birth),
        spouse2Name: joined(f.spouse2_given_names, f.spouse2_surname),
        spouse2DateOfBirth: text(f.spouse2_date_of_birth),
        dateOfMarriage: text(f.date_of_marriage),
        placeOfMarriage: place(f.place_of_marriage_locality, f.place_of_marriage_region),
        marriageForm: text(f.marriage_form),
        propertyRegime: text(f.property_regime),
        officiantName: text(f.officiant_name),
        remarks: text(f.remarks),
      };
    case 'death':
      return {
        lastName: text(f.deceased_surname),
        firstName: text(f.deceased_given_names),
        gender: genderCodes[String(f.deceased_sex)] ?? text(f.deceased_sex),
        dateOfBirth: text(f.deceased_date_of_birth) ?? '—',
        dateOfDeath: text(f.date_of_death),
        timeOfDeath: text(f.time_of_death),
        placeOfDeath: place(f.place_of_death_locality, f.place_of_death_region),
        occupation: text(f.deceased_occupation),
        residence: place(f.deceased_residence_locality, f.deceased_residence_region),
        remarks: text(f.remarks),
      };
  }
}

/** The data a template of this act's kind prints: absent fields left out (`{{field?}}` prints them empty). */
export function documentDataOf(
  kind: ActKind,
  fields: Fields,
  centre: { readonly name?: string; readonly matricule: string },
): DocumentData {
  const data: Record<string, string> = {
    centreName: centre.name ?? centre.matricule,
  };
  const registrar = text(fields.validated_by);
  if (registrar !== undefined) data.registrarName = registrar;
  for (const [name, value] of Object.entries(mapped(kind, fields)))
    if (value !== undefined) data[name] = value;
  return data;
}

/** The record type's words for the codes the templates print with `{{field|label}}`. */
export function valueLabelsOf(kind: ActKind, type: RecordType): ValueLabels {
  const labels: Record<string, ValueLabels[string]> = {};
  for (const [field, column] of Object.entries(labelledColumns[kind])) {
    const values = type.fields?.[column]?.values;
    if (values) labels[field] = values;
  }
  return labels;
}
