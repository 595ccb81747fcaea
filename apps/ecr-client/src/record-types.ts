import { births, deaths, marriages } from '@xmcomm/schema';
import { defineRecordType, type RecordNoun, type RecordType, siteKitMigrations } from '@xmcomm/site-kit';
import { birthLabels, deathLabels, marriageLabels } from './field-labels.js';
import { type ActKind, type CivilRules, checkCivilRules, defaultRules } from './rules.js';

// Civil registration on the site kit: births, marriages and deaths are declarations, their civil
// rules (rules.ts) the only code. The centre's rules (`ecr rules`) reach them as the kit's settings.

const civilRules =
  (kind: ActKind) =>
  (row: Readonly<Record<string, unknown>>, context: { today: string; settings: unknown }) =>
    checkCivilRules(kind, row, context.today, (context.settings as CivilRules | undefined) ?? defaultRules);

/** What civil registration clerks call a record: un acte, des actes (an act). */
export const actNoun: RecordNoun = {
  en: { one: 'act', many: 'acts' },
  fr: {
    one: 'acte',
    many: 'actes',
    the: "l'acte",
    this: 'cet acte',
    of: "d'acte",
    none: 'aucun acte',
    new: 'nouvel acte',
    feminine: false,
  },
};

export const birthType = defineRecordType({
  name: 'birth',
  table: births,
  refLetter: 'B',
  label: { en: 'Birth', fr: 'Naissance' },
  noun: actNoun,
  fields: birthLabels,
  title: (row) => `${row.child_surname} ${row.child_given_names}`,
  search: {
    names: ['child_surname', 'child_given_names', 'mother_surname', 'father_surname'],
    places: ['place_of_birth_locality', 'place_of_birth_region'],
  },
  eventDate: 'date_of_birth',
  sex: 'child_sex',
  rules: civilRules('birth'),
});

export const marriageType = defineRecordType({
  name: 'marriage',
  table: marriages,
  refLetter: 'M',
  label: { en: 'Marriage', fr: 'Mariage' },
  noun: actNoun,
  fields: marriageLabels,
  title: (row) =>
    `${row.spouse1_surname} ${row.spouse1_given_names} & ${row.spouse2_surname} ${row.spouse2_given_names}`,
  search: {
    names: ['spouse1_surname', 'spouse1_given_names', 'spouse2_surname', 'spouse2_given_names'],
    places: ['place_of_marriage_locality', 'place_of_marriage_region'],
  },
  eventDate: 'date_of_marriage',
  sex: null,
  rules: civilRules('marriage'),
});

export const deathType = defineRecordType({
  name: 'death',
  table: deaths,
  refLetter: 'D',
  label: { en: 'Death', fr: 'Décès' },
  noun: actNoun,
  fields: deathLabels,
  title: (row) => `${row.deceased_surname} ${row.deceased_given_names}`,
  search: {
    names: ['deceased_surname', 'deceased_given_names'],
    places: ['place_of_death_locality', 'place_of_death_region'],
  },
  eventDate: 'date_of_death',
  sex: 'deceased_sex',
  rules: civilRules('death'),
});

/** ECR's record types, in the order lists show them. */
export const ecrRecordTypes: readonly RecordType[] = [birthType, marriageType, deathType];

/** The centre database's migrations: the kit's, for these types (same names as before the kit). */
export const ecrMigrations = siteKitMigrations(ecrRecordTypes);
