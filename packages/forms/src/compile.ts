import {
  type AnyColumn,
  type AnyTable,
  boolean,
  date,
  defineExchangedTable,
  integer,
  oneOf,
  text,
  workflowColumns,
} from '@xmcomm/contract';
import { checkTemplate, type Template, type ValueLabels } from '@xmcomm/documents';
import type { Bilingual, FieldDefinition, FormDefinition } from './definition.js';
import { type RuleError, rulesOf } from './rules.js';

// A checked definition becomes what a TypeScript app declares by hand: the contract table (the
// same defineExchangedTable, so the same DDL, validation and fingerprint), the rules as a function
// of a row, the print template as documents' JSON template, and the record type's data. One path:
// nothing here stores, validates or prints on its own.

/** A definition turned into the platform's declarations. */
export interface CompiledForm {
  readonly definition: FormDefinition;
  readonly table: AnyTable;
  /** The cross-field rules; the per-field ones (required, lengths, bounds, enums) are the table's. */
  readonly rules: (row: Readonly<Record<string, unknown>>, today: string) => RuleError[];
  readonly template: Template;
  /** Field labels and enum words, in the record type's shape. */
  readonly fieldLabels: Readonly<
    Record<string, { label: Bilingual; help?: Bilingual; values?: Readonly<Record<string, Bilingual>> }>
  >;
  /** The words for codes documents prints (`{{grade|label}}`). */
  readonly valueLabels: ValueLabels;
  /** The record's title in lists: its title fields, joined by spaces. */
  readonly title: (row: Readonly<Record<string, unknown>>) => string;
  /** A record's values as the template reads them (text, booleans as `true`/`false` codes). */
  readonly documentData: (
    row: Readonly<Record<string, unknown>>,
    centre: { readonly centreName: string },
  ) => Record<string, string>;
}

function columnOf(field: FieldDefinition): AnyColumn {
  const label = { label: field.label };
  switch (field.type) {
    case 'text':
      return text({ maxLength: field.maxLength ?? 100, required: field.required, ...label });
    case 'integer':
      return integer({
        required: field.required,
        ...(field.min !== undefined ? { min: field.min } : {}),
        ...(field.max !== undefined ? { max: field.max } : {}),
        ...label,
      });
    case 'date':
      return date({ required: field.required, ...label });
    case 'boolean':
      return boolean({ required: field.required, ...label });
    case 'enum': {
      const values = (field.values ?? []).map((entry) => entry.value) as [string, ...string[]];
      return oneOf(values, { required: field.required, ...label });
    }
  }
}

const yesNo = { true: { en: 'Yes', fr: 'Oui' }, false: { en: 'No', fr: 'Non' } };

/** Turns a checked definition into the table, rules, template and labels (throws only on a bug). */
export function compileForm(definition: FormDefinition): CompiledForm {
  const columns: Record<string, AnyColumn> = {};
  for (const field of definition.fields) columns[field.name] = columnOf(field);
  const table = defineExchangedTable(
    definition.table,
    { ...columns, ...workflowColumns },
    {
      label: definition.label,
      indexes: [[definition.eventDate]],
    },
  );
  const byName = new Map(definition.fields.map((field) => [field.name, field]));
  const fieldLabels = Object.fromEntries(
    definition.fields.map((field) => {
      const values =
        field.type === 'enum'
          ? Object.fromEntries((field.values ?? []).map((entry) => [entry.value, entry.label]))
          : field.type === 'boolean'
            ? yesNo
            : undefined;
      return [
        field.name,
        { label: field.label, ...(field.help ? { help: field.help } : {}), ...(values ? { values } : {}) },
      ];
    }),
  );
  const valueLabels: ValueLabels = Object.fromEntries(
    Object.entries(fieldLabels)
      .filter(([, labels]) => labels.values !== undefined)
      .map(([name, labels]) => [name, labels.values as Readonly<Record<string, Bilingual>>]),
  );
  const template = checkTemplate(templateOf(definition, byName, valueLabels));
  return {
    definition,
    table,
    rules: rulesOf(definition),
    template,
    fieldLabels,
    valueLabels,
    title: (row) =>
      definition.title
        .map((name) => row[name])
        .filter((value) => value !== null && value !== undefined && value !== '')
        .map(String)
        .join(' '),
    documentData: (row, centre) => {
      const data: Record<string, string> = { centreName: centre.centreName };
      for (const name of new Set([...definition.print.fields, ...(definition.print.sealFields ?? [])])) {
        const value = row[name];
        data[name] = value === null || value === undefined ? '' : String(value);
      }
      return data;
    },
  };
}

function placeholder(field: FieldDefinition): string {
  const name = field.required ? field.name : `${field.name}?`;
  if (field.type === 'enum' || field.type === 'boolean') return `{{${name}|label}}`;
  if (field.type === 'date') return `{{${name}|date}}`;
  return `{{${name}}}`;
}

/** The print layout: the centre and NIU, the title, one line per printed field, who signs, the seal. */
function templateOf(
  definition: FormDefinition,
  byName: ReadonlyMap<string, FieldDefinition>,
  labels: ValueLabels,
): unknown {
  const print = definition.print;
  const signer = definition.signer.title;
  return {
    format: 'xmcomm-template/1',
    id: `form-${definition.name}`,
    version: definition.version,
    title: `${print.title.fr} / ${print.title.en}`,
    recordType: definition.name,
    documentKind: 'copy',
    page: { size: 'A4', orientation: 'portrait', margins: [50, 50, 50, 50] },
    fontSize: 10,
    language: 'fr',
    labels,
    ...(print.watermark ? { watermark: print.watermark } : {}),
    sealFields: [...(print.sealFields ?? print.fields)],
    blocks: [
      {
        type: 'columns',
        columns: [
          [{ type: 'text', text: '{{centreName}}', size: 9, bold: true }],
          [{ type: 'text', text: 'N° {{niu}}', size: 9, align: 'right' }],
        ],
      },
      {
        type: 'text',
        text: `${print.title.fr}\n${print.title.en}`,
        bold: true,
        size: 15,
        align: 'center',
        marginTop: 24,
      },
      {
        type: 'table',
        widths: [200, '*'],
        marginTop: 18,
        rows: print.fields.map((name) => {
          const field = byName.get(name) as FieldDefinition;
          return [`${field.label.fr} / ${field.label.en}`, placeholder(field)];
        }),
      },
      {
        type: 'text',
        text: signer
          ? `Délivré le {{issuedOn|date:fr}} par ${signer.fr} / Issued on {{issuedOn|date:en}} by ${signer.en}`
          : 'Délivré le {{issuedOn|date:fr}} / Issued on {{issuedOn|date:en}}',
        size: 9,
        marginTop: 18,
      },
      {
        type: 'seal',
        // A form's seal carries more fields than a birth extract's: 170 pt keeps its modules at
        // 4 pixels or more when a 150 dpi scan reads it (documents' readQrFromPdf).
        size: 170,
        align: 'right',
        caption: 'Vérifiable hors ligne / Verifiable offline · {{documentId}}',
      },
    ],
  };
}
