import { criminalRecordAnnotations, criminalRecordEntries } from '@xmcomm/schema';
import {
  defineRecordType,
  fieldLabelsFrom,
  type RecordNoun,
  type RecordType,
  siteKitMigrations,
} from '@xmcomm/site-kit';
import { checkAnnotationRules, checkEntryRules } from './rules.js';

// XMJuris on the site kit: a criminal-record entry (fiche) and an annotation (mention) are
// declarations; their domain rules (rules.ts) and the bulletin rules (bulletins.ts) are the only code.
// An agent types, a secretary verifies, the clerk (greffier, privilege 3) signs: the kit's workflow.

export const entryLabels = fieldLabelsFrom(
  {
    reference: ['Reference', 'Référence'],
    court_region: ['Region', 'Région'],
    court_department: ['Department', 'Département'],
    court_arrondissement: ['Arrondissement', 'Arrondissement'],
    court_name: ['Court', 'Juridiction'],
    person_surname: ['Surname', 'Nom'],
    person_given_names: ['Given names', 'Prénoms'],
    person_sex: ['Sex', 'Sexe'],
    person_date_of_birth: ['Date of birth', 'Date de naissance'],
    person_place_of_birth: ['Place of birth', 'Lieu de naissance'],
    person_country_of_birth: ['Country of birth (ISO code)', 'Pays de naissance (code ISO)'],
    person_nationality: ['Nationality (ISO code)', 'Nationalité (code ISO)'],
    person_occupation: ['Occupation', 'Profession'],
    person_marital_status: ['Marital status', 'État civil'],
    person_address: ['Address', 'Domicile'],
    father_surname: ["Father's surname", 'Nom du père'],
    father_given_names: ["Father's given names", 'Prénoms du père'],
    mother_surname: ["Mother's surname", 'Nom de la mère'],
    mother_given_names: ["Mother's given names", 'Prénoms de la mère'],
    decision_date: ['Date of the decision', 'Date de condamnation'],
    in_absentia: ['In absentia', 'Par défaut'],
    offence_date: ['Date of the offence', 'Date de commission des infractions'],
    offence_class: ['Class of offence', "Catégorie d'infraction"],
    legal_qualification: ['Legal qualification', 'Nature des infractions'],
    texts_applied: ['Texts applied', 'Textes appliqués'],
    main_penalty: ['Main penalty', 'Peine principale'],
    prison_months: ['Prison term (months)', "Durée d'emprisonnement (mois)"],
    fine_amount: ['Fine', 'Amende'],
    additional_penalties: ['Additional penalties', 'Peines complémentaires'],
    suspension: ['Suspended', 'Sursis'],
    suspended_months: ['Suspended part (months)', 'Partie avec sursis (mois)'],
    probation_months: ['Probation period (months)', "Délai d'épreuve (mois)"],
    safety_measures: ['Safety measures', 'Mesures de sûreté'],
    bans: ['Bans and disqualifications', 'Interdictions et déchéances'],
    bans_until: ['Bans until', "Interdictions jusqu'au"],
    warrants: ['Warrants (date and nature)', 'Date et nature des mandats'],
    road_traffic: ['Road traffic', 'Circulation routière'],
    minor_at_the_time: ['Minor at the time of the offence', 'Mineur au moment des faits'],
    excluded_from_b2: [
      'Excluded from bulletin No 2 by the court',
      'Exclu du bulletin n° 2 par la juridiction',
    ],
  },
  {
    person_sex: { male: ['Male', 'Masculin'], female: ['Female', 'Féminin'] },
    person_marital_status: {
      'never-married': ['Never married', 'Célibataire'],
      married: ['Married', 'Marié(e)'],
      divorced: ['Divorced', 'Divorcé(e)'],
      widowed: ['Widowed', 'Veuf/veuve'],
      unknown: ['Unknown', 'Inconnu'],
    },
    offence_class: {
      felony: ['Felony (crime)', 'Crime'],
      misdemeanour: ['Misdemeanour (délit)', 'Délit'],
      'petty-offence': ['Petty offence', 'Contravention'],
    },
    main_penalty: {
      imprisonment: ['Imprisonment', 'Emprisonnement'],
      fine: ['Fine', 'Amende'],
      'community-service': ['Community service', "Travail d'intérêt général"],
      'day-fines': ['Day-fines', 'Jours-amende'],
      other: ['Other', 'Autre'],
    },
    suspension: {
      none: ['No', 'Non'],
      partial: ['In part', 'En partie'],
      full: ['In full', 'En totalité'],
    },
  },
);

export const annotationLabels = fieldLabelsFrom(
  {
    entry_niu: ['NIU of the entry', 'NIU de la fiche'],
    kind: ['Annotation', 'Mention'],
    effective_date: ['Effective date', "Date d'effet"],
    authority: ['Decided by', 'Décidée par'],
    reference: ['Reference', 'Référence'],
    remarks: ['Remarks', 'Observations'],
  },
  {
    kind: {
      pardon: ['Pardon', 'Grâce'],
      rehabilitation: ['Rehabilitation', 'Réhabilitation'],
      'end-of-sentence': ['End of sentence', 'Fin de peine'],
      amnesty: ['Amnesty', 'Amnistie'],
      removal: ['Removal from the record', 'Retrait du casier'],
      'suspension-revoked': ['Suspension revoked', 'Révocation du sursis'],
    },
  },
);

/** What court clerks call an entry: une fiche, des fiches. */
export const entryNoun: RecordNoun = {
  en: { one: 'entry', many: 'entries' },
  fr: {
    one: 'fiche',
    many: 'fiches',
    the: 'la fiche',
    this: 'cette fiche',
    of: 'de fiche',
    none: 'aucune fiche',
    new: 'nouvelle fiche',
    feminine: true,
  },
};

export const annotationNoun: RecordNoun = {
  en: { one: 'annotation', many: 'annotations' },
  fr: {
    one: 'mention',
    many: 'mentions',
    the: 'la mention',
    this: 'cette mention',
    of: 'de mention',
    none: 'aucune mention',
    new: 'nouvelle mention',
    feminine: true,
  },
};

export const entryType = defineRecordType({
  name: 'entry',
  table: criminalRecordEntries,
  refLetter: 'J',
  label: { en: 'Criminal record entry', fr: 'Fiche du casier judiciaire' },
  noun: entryNoun,
  fields: entryLabels,
  title: (row) => `${row.person_surname} ${row.person_given_names} (${row.reference})`,
  search: {
    names: ['person_surname', 'person_given_names', 'father_surname', 'mother_surname'],
    places: ['person_place_of_birth', 'court_name'],
  },
  eventDate: 'decision_date',
  sex: 'person_sex',
  rules: (row, context) => checkEntryRules(row, context.today),
});

export const annotationType = defineRecordType({
  name: 'annotation',
  table: criminalRecordAnnotations,
  refLetter: 'A',
  label: { en: 'Annotation', fr: 'Mention' },
  noun: annotationNoun,
  fields: annotationLabels,
  title: (row) => `${row.kind} · ${row.entry_niu}`,
  search: { names: ['entry_niu', 'authority'] },
  eventDate: 'effective_date',
  sex: null,
  rules: (row, context) => checkAnnotationRules(row, context.today),
});

/** XMJuris's record types, in the order lists show them. */
export const jurisRecordTypes: readonly RecordType[] = [entryType, annotationType];

/** The court's roles in its own words: the clerk (greffier) signs. */
export const jurisRoleNames = {
  3: { en: 'clerk of the court', fr: 'greffier' },
  2: { en: 'secretary', fr: 'secrétaire' },
  1: { en: 'agent', fr: 'agent' },
} as const;

/** The court database's migrations: the kit's, for these types. */
export const jurisMigrations = siteKitMigrations(jurisRecordTypes);
