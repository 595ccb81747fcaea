import { boolean, date, integer, oneOf, smallint, text } from '../columns.js';
import { defineExchangedTable } from '../define-table.js';
import { workflowColumns } from './civil-registration.js';

// The criminal record (XMJuris): what a court sends to the national criminal register (CJN), modelled
// on national practice (France's code of criminal procedure arts. 768-781, the UN surveys of criminal
// records): the person's identity and parentage, the jurisdiction, the decision and its penalties.
// Later events (pardon, rehabilitation, amnesty, ...) are annotations: rows of their own naming the
// entry's NIU, so an entry is never rewritten nor deleted. These tables are not in `exchangedTables`:
// only the criminal-record apps and the server that centralises them know them (`criminalRecordTables`).

const name = (required = false) => text({ maxLength: 100, required });
const givenNames = (required = false) => text({ maxLength: 150, required });
const place = (required = false) => text({ maxLength: 100, required });

/** The class of the offence: crime, délit or contravention in French law. */
export const offenceClasses = ['felony', 'misdemeanour', 'petty-offence'] as const;
/** The main penalty the court pronounced. */
export const mainPenalties = ['imprisonment', 'fine', 'community-service', 'day-fines', 'other'] as const;
/** Whether the main penalty is suspended (sursis), wholly or in part. */
export const suspensions = ['none', 'partial', 'full'] as const;
/** What a later decision or event records about an entry; none deletes it. */
export const annotationKinds = [
  'pardon',
  'rehabilitation',
  'end-of-sentence',
  'amnesty',
  'removal',
  'suspension-revoked',
] as const;

export const criminalRecordEntries = defineExchangedTable(
  'criminal_record_entries',
  {
    /** The court's own reference of the decision: 103/SD/Just/2018. */
    reference: text({ maxLength: 40, required: true }),
    court_region: place(),
    court_department: place(),
    court_arrondissement: place(),
    court_name: text({ maxLength: 150, required: true }),

    person_surname: name(true),
    person_given_names: givenNames(true),
    person_sex: oneOf(['male', 'female'], { required: true }),
    person_date_of_birth: date({ required: true }),
    person_place_of_birth: place(true),
    person_country_of_birth: text({ maxLength: 3, pattern: '[A-Z]{3}' }),
    person_nationality: text({ maxLength: 3, pattern: '[A-Z]{3}' }),
    person_occupation: text({ maxLength: 100 }),
    person_marital_status: oneOf(['never-married', 'married', 'divorced', 'widowed', 'unknown']),
    person_address: text({ maxLength: 200 }),
    father_surname: name(),
    father_given_names: givenNames(),
    mother_surname: name(),
    mother_given_names: givenNames(),

    decision_date: date({ required: true }),
    in_absentia: boolean(),
    offence_date: date(),
    offence_class: oneOf(offenceClasses, { required: true }),
    /** The legal qualification of the facts: "Détournement de fonds publics". */
    legal_qualification: text({ maxLength: 300, required: true }),
    texts_applied: text({ maxLength: 300 }),
    main_penalty: oneOf(mainPenalties, { required: true }),
    prison_months: integer({ min: 0, max: 1200 }),
    fine_amount: integer({ min: 0 }),
    additional_penalties: text({ maxLength: 300 }),
    suspension: oneOf(suspensions, { required: true }),
    /** The part of the prison term suspended, in months, when partial. */
    suspended_months: integer({ min: 0, max: 1200 }),
    /** The probation period after which a suspended sentence lapses if not revoked, in months. */
    probation_months: smallint({ min: 0, max: 120 }),
    safety_measures: text({ maxLength: 300 }),
    /** Bans and disqualifications (driving, profession, civic rights), and the day they end. */
    bans: text({ maxLength: 300 }),
    bans_until: date(),
    warrants: text({ maxLength: 200 }),
    road_traffic: text({ maxLength: 200 }),
    minor_at_the_time: boolean({ required: true }),
    /** The court ordered the decision kept off bulletin No 2 (French CPP art. 775-1). */
    excluded_from_b2: boolean({ required: true }),
    ...workflowColumns,
  },
  {
    indexes: [['person_surname', 'person_date_of_birth'], ['decision_date']],
    label: { en: 'Criminal record entry', fr: 'Fiche du casier judiciaire' },
    sex: { column: 'person_sex', male: ['male'], female: ['female'] },
  },
);

export const criminalRecordAnnotations = defineExchangedTable(
  'criminal_record_annotations',
  {
    /** The NIU of the entry annotated (the entry's key at the register, whichever court made it). */
    entry_niu: text({ maxLength: 32, required: true }),
    kind: oneOf(annotationKinds, { required: true }),
    effective_date: date({ required: true }),
    /** Who decided it (court, decree) and its reference. */
    authority: text({ maxLength: 150, required: true }),
    reference: text({ maxLength: 40 }),
    remarks: text({ maxLength: 300 }),
    ...workflowColumns,
  },
  {
    indexes: [['entry_niu']],
    label: { en: 'Criminal record annotation', fr: 'Mention au casier judiciaire' },
  },
);

/** The criminal record's exchanged tables, in the order their migration creates them. */
export const criminalRecordTables = [criminalRecordEntries, criminalRecordAnnotations] as const;
