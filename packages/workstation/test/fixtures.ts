import { date, defineExchangedTable, oneOf, smallint, text, workflowColumns } from '@xmcomm/schema';
import { defineRecordType } from '@xmcomm/site-kit';

// A record type that is not civil registration, to show the workstation knows no domain:
// a town library's register of borrower cards.

export const libraryCards = defineExchangedTable('library_cards', {
  holder_surname: text({ maxLength: 100, required: true }),
  holder_given_names: text({ maxLength: 150 }),
  category: oneOf(['adult', 'child', 'senior'], { required: true }),
  date_of_issue: date({ required: true }),
  branch: text({ maxLength: 100, required: true }),
  books_allowed: smallint({ min: 1, max: 20 }),
  notes: text({ maxLength: 500 }),
  ...workflowColumns,
});

export const libraryCard = defineRecordType({
  name: 'card',
  table: libraryCards,
  refLetter: 'C',
  label: { en: 'Library card', fr: 'Carte de bibliothèque' },
  // Its own noun: "une carte", where the kit would say "une fiche".
  noun: {
    en: { one: 'card', many: 'cards' },
    fr: {
      one: 'carte',
      many: 'cartes',
      the: 'la carte',
      this: 'cette carte',
      of: 'de carte',
      none: 'aucune carte',
      new: 'nouvelle carte',
      feminine: true,
    },
  },
  fields: {
    holder_surname: { label: { en: 'Holder surname', fr: 'Nom du titulaire' } },
    holder_given_names: { label: { en: 'Holder given names', fr: 'Prénoms du titulaire' } },
    category: {
      label: { en: 'Category', fr: 'Catégorie' },
      values: {
        adult: { en: 'Adult', fr: 'Adulte' },
        child: { en: 'Child', fr: 'Enfant' },
        senior: { en: 'Senior', fr: 'Senior' },
      },
    },
    date_of_issue: { label: { en: 'Date of issue', fr: 'Date de délivrance' } },
    branch: { label: { en: 'Branch', fr: 'Annexe' } },
    books_allowed: {
      label: { en: 'Books allowed', fr: 'Livres autorisés' },
      help: { en: '1 to 20', fr: 'De 1 à 20' },
    },
    notes: { label: { en: 'Notes', fr: 'Remarques' } },
  },
  title: (row) => `${row.holder_surname} ${row.holder_given_names ?? ''}`.trim(),
  search: { names: ['holder_surname', 'holder_given_names'], places: ['branch'] },
  eventDate: 'date_of_issue',
  rules: (row, { today }) =>
    typeof row.date_of_issue === 'string' && row.date_of_issue > today
      ? [
          {
            field: 'date_of_issue',
            code: 'in-the-future',
            message: 'The date of issue is in the future.',
            messageFr: 'La date de délivrance est dans le futur.',
          },
        ]
      : [],
});
