import { boolean, date, integer, oneOf, smallint, text, time, timestamp } from '../columns.js';
import { defineExchangedTable, prefixed } from '../define-table.js';

// The core topics of the UN Principles and Recommendations for a Vital Statistics System,
// Revision 3 (2014), for live births, marriages and deaths, plus what a civil registration
// centre needs to run its workflow (who drafted, verified and validated, and when).

const name = (required = false) => text({ maxLength: 100, required });
const givenNames = (required = false) => text({ maxLength: 150, required });
const place = (required = false) => text({ maxLength: 100, required });

const sexes = ['male', 'female', 'undetermined'] as const;
const maritalStatuses = [
  'never-married',
  'married',
  'consensual-union',
  'divorced',
  'separated',
  'widowed',
  'unknown',
] as const;
/** ISCED 2011 levels, grouped as the UN recommendations tabulate them. */
const educationLevels = [
  'none',
  'primary',
  'lower-secondary',
  'upper-secondary',
  'post-secondary',
  'tertiary',
  'unknown',
] as const;
const placeTypes = ['hospital', 'other-health-facility', 'home', 'other', 'unknown'] as const;
/** ISO 3166-1 alpha-3 country code (CMR, FRA, ...). */
const nationality = () => text({ maxLength: 3, pattern: '[A-Z]{3}' });
/** ICD-10 or ICD-11 code: A09, I21.9, 1A00. */
const icdCode = () => text({ maxLength: 8, pattern: '[A-Z0-9]{3,4}(\\.[A-Z0-9]{1,3})?' });

/**
 * Who drafted (agent), verified (secretary) and validated (head of the site) the record, and when: every
 * table a site's workflow runs on has them (@xmcomm/site-kit checks), so another form's table spreads them too.
 */
export const workflowColumns = {
  drafted_by: text({ maxLength: 64 }),
  drafted_at: timestamp(),
  verified_by: text({ maxLength: 64 }),
  verified_at: timestamp(),
  validated_by: text({ maxLength: 64 }),
  validated_at: timestamp(),
};

const declarantColumns = {
  declarant_surname: name(true),
  declarant_given_names: givenNames(),
  declarant_relationship: oneOf(['mother', 'father', 'relative', 'attendant', 'official', 'other'], {
    required: true,
  }),
  declarant_address: text({ maxLength: 200 }),
  date_of_declaration: date({ required: true }),
};

export const births = defineExchangedTable(
  'births',
  {
    child_surname: name(true),
    child_given_names: givenNames(true),
    child_sex: oneOf(sexes, { required: true }),
    date_of_birth: date({ required: true }),
    time_of_birth: time(),
    place_of_birth_region: place(true),
    place_of_birth_department: place(),
    place_of_birth_arrondissement: place(),
    place_of_birth_locality: place(true),
    place_of_birth_type: oneOf(placeTypes, { required: true }),
    place_of_birth_facility: text({ maxLength: 150 }),
    type_of_birth: oneOf(['single', 'twin', 'triplet', 'quadruplet-or-more'], { required: true }),
    birth_order_in_multiple: smallint({ min: 1, max: 10 }),
    attendant: oneOf([
      'physician',
      'nurse-midwife',
      'other-trained',
      'traditional-attendant',
      'other',
      'none',
    ]),
    weight_at_birth_grams: integer({ min: 200, max: 8000 }),
    gestation_weeks: smallint({ min: 18, max: 46 }),

    mother_surname: name(true),
    mother_given_names: givenNames(true),
    mother_date_of_birth: date(),
    mother_nationality: nationality(),
    mother_residence_region: place(),
    mother_residence_locality: place(),
    mother_occupation: text({ maxLength: 100 }),
    mother_marital_status: oneOf(maritalStatuses),
    mother_education: oneOf(educationLevels),
    mother_children_born_alive: smallint({ min: 1, max: 30 }),
    mother_children_living: smallint({ min: 0, max: 30 }),

    father_surname: name(),
    father_given_names: givenNames(),
    father_date_of_birth: date(),
    father_nationality: nationality(),
    father_occupation: text({ maxLength: 100 }),
    father_education: oneOf(educationLevels),

    ...declarantColumns,
    remarks: text({ maxLength: 500 }),
    ...workflowColumns,
  },
  {
    indexes: [['date_of_birth'], ['child_surname', 'child_given_names']],
    label: { en: 'Birth', fr: 'Naissance' },
    sex: { column: 'child_sex', male: ['male'], female: ['female'] },
  },
);

/** The same columns for each spouse, under a `spouse1_` or `spouse2_` prefix. */
const spouseColumns = {
  surname: name(true),
  given_names: givenNames(true),
  sex: oneOf(sexes, { required: true }),
  date_of_birth: date({ required: true }),
  place_of_birth: place(),
  nationality: nationality(),
  residence_locality: place(),
  occupation: text({ maxLength: 100 }),
  education: oneOf(educationLevels),
  previous_marital_status: oneOf(['never-married', 'divorced', 'widowed', 'unknown'], { required: true }),
};

export const marriages = defineExchangedTable(
  'marriages',
  {
    date_of_marriage: date({ required: true }),
    place_of_marriage_region: place(true),
    place_of_marriage_department: place(),
    place_of_marriage_arrondissement: place(),
    place_of_marriage_locality: place(true),
    marriage_form: oneOf(['monogamous', 'polygamous'], { required: true }),
    property_regime: oneOf(['community', 'separation', 'other']),
    ...prefixed('spouse1_', spouseColumns),
    ...prefixed('spouse2_', spouseColumns),
    witness1_name: text({ maxLength: 200 }),
    witness2_name: text({ maxLength: 200 }),
    officiant_name: text({ maxLength: 200 }),
    date_of_registration: date({ required: true }),
    remarks: text({ maxLength: 500 }),
    ...workflowColumns,
  },
  {
    indexes: [['date_of_marriage']],
    label: { en: 'Marriage', fr: 'Mariage' },
  },
);

export const deaths = defineExchangedTable(
  'deaths',
  {
    deceased_surname: name(true),
    deceased_given_names: givenNames(true),
    deceased_sex: oneOf(sexes, { required: true }),
    deceased_date_of_birth: date(),
    deceased_age_years: smallint({ min: 0, max: 130 }),
    deceased_marital_status: oneOf(maritalStatuses),
    deceased_occupation: text({ maxLength: 100 }),
    deceased_nationality: nationality(),
    deceased_education: oneOf(educationLevels),
    deceased_residence_region: place(),
    deceased_residence_locality: place(),

    date_of_death: date({ required: true }),
    time_of_death: time(),
    place_of_death_region: place(true),
    place_of_death_department: place(),
    place_of_death_arrondissement: place(),
    place_of_death_locality: place(true),
    place_of_death_type: oneOf(placeTypes, { required: true }),

    cause_of_death_underlying: text({ maxLength: 300 }),
    cause_of_death_icd: icdCode(),
    manner_of_death: oneOf(['natural', 'accident', 'suicide', 'homicide', 'pending', 'unknown']),
    certifier: oneOf(['physician', 'coroner', 'other-health-worker', 'lay-person', 'none'], {
      required: true,
    }),
    certifier_name: text({ maxLength: 200 }),
    autopsy: boolean(),

    ...declarantColumns,
    remarks: text({ maxLength: 500 }),
    ...workflowColumns,
  },
  {
    indexes: [['date_of_death'], ['deceased_surname', 'deceased_given_names']],
    label: { en: 'Death', fr: 'Décès' },
    sex: { column: 'deceased_sex', male: ['male'], female: ['female'] },
  },
);

/** The exchanged tables of civil registration, in the order their migration creates them. */
export const civilRegistrationTables = [births, marriages, deaths] as const;
