import { date, defineExchangedTable, integer, oneOf, text, workflowColumns } from '@xmcomm/schema';
import { defineRecordType, type FieldError } from '../src/index.js';

// A record type that is not civil registration: a town's register of business licences.

export const businessLicences = defineExchangedTable('business_licences', {
  holder_surname: text({ maxLength: 100, required: true }),
  holder_given_names: text({ maxLength: 150 }),
  trade: oneOf(['retail', 'food', 'transport'], { required: true }),
  date_of_issue: date({ required: true }),
  date_of_expiry: date(),
  town: text({ maxLength: 100, required: true }),
  employees: integer({ min: 0, max: 10_000 }),
  ...workflowColumns,
});

const afterIssue = (row: Readonly<Record<string, unknown>>): FieldError[] =>
  typeof row.date_of_expiry === 'string' &&
  typeof row.date_of_issue === 'string' &&
  row.date_of_expiry <= row.date_of_issue
    ? [
        {
          field: 'date_of_expiry',
          code: 'before-issue',
          message: 'The licence expires before it is issued.',
          messageFr: 'La patente expire avant sa délivrance.',
        },
      ]
    : [];

export const licence = defineRecordType({
  name: 'licence',
  table: businessLicences,
  refLetter: 'L',
  label: { en: 'Business licence', fr: 'Patente' },
  fields: {
    holder_surname: { label: { en: 'Holder surname', fr: 'Nom du titulaire' } },
    trade: {
      label: { en: 'Trade', fr: 'Activité' },
      values: {
        retail: { en: 'Retail', fr: 'Commerce de détail' },
        food: { en: 'Food', fr: 'Restauration' },
        transport: { en: 'Transport', fr: 'Transport' },
      },
    },
  },
  title: (row) => `${row.holder_surname} (${row.trade})`,
  search: { names: ['holder_surname', 'holder_given_names'], places: ['town'] },
  eventDate: 'date_of_issue',
  rules: (row, { today }) => [
    ...afterIssue(row),
    ...(typeof row.date_of_issue === 'string' && row.date_of_issue > today
      ? [
          {
            field: 'date_of_issue',
            code: 'in-the-future',
            message: 'The date of issue is in the future.',
            messageFr: 'La date de délivrance est dans le futur.',
          },
        ]
      : []),
  ],
  // Only the head may cancel a licence in this town.
  privileges: { cancel: 3 },
});

export const sampleLicence = {
  holder_surname: 'Eto',
  holder_given_names: 'Paul',
  trade: 'food',
  date_of_issue: '2026-03-01',
  town: 'Douala',
  employees: 3,
};
