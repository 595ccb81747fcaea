import type { FieldLabels, Text } from '@xmcomm/site-kit';

// French and English labels of every civil registration field and value, as a registry clerk
// reads them on the form and the record page.

const t = (en: string, fr: string): Text => ({ en, fr });
const field = (en: string, fr: string, values?: Readonly<Record<string, Text>>): FieldLabels =>
  values ? { label: t(en, fr), values } : { label: t(en, fr) };

const sexes = {
  male: t('Male', 'Masculin'),
  female: t('Female', 'Féminin'),
  undetermined: t('Undetermined', 'Indéterminé'),
};
const maritalStatuses = {
  'never-married': t('Never married', 'Célibataire'),
  married: t('Married', 'Marié(e)'),
  'consensual-union': t('Consensual union', 'Union libre'),
  divorced: t('Divorced', 'Divorcé(e)'),
  separated: t('Separated', 'Séparé(e)'),
  widowed: t('Widowed', 'Veuf / veuve'),
  unknown: t('Unknown', 'Inconnu'),
};
const educationLevels = {
  none: t('None', 'Aucun'),
  primary: t('Primary', 'Primaire'),
  'lower-secondary': t('Lower secondary', 'Secondaire premier cycle'),
  'upper-secondary': t('Upper secondary', 'Secondaire second cycle'),
  'post-secondary': t('Post-secondary', 'Post-secondaire'),
  tertiary: t('Higher education', 'Supérieur'),
  unknown: t('Unknown', 'Inconnu'),
};
const placeTypes = {
  hospital: t('Hospital', 'Hôpital'),
  'other-health-facility': t('Other health facility', 'Autre formation sanitaire'),
  home: t('Home', 'Domicile'),
  other: t('Other', 'Autre'),
  unknown: t('Unknown', 'Inconnu'),
};
const relationships = {
  mother: t('Mother', 'Mère'),
  father: t('Father', 'Père'),
  relative: t('Relative', 'Parent'),
  attendant: t('Birth attendant', 'Accoucheur / accoucheuse'),
  official: t('Official', 'Autorité administrative'),
  other: t('Other', 'Autre'),
};

const declarant = {
  declarant_surname: field("Declarant's surname", 'Nom du déclarant'),
  declarant_given_names: field("Declarant's given names", 'Prénoms du déclarant'),
  declarant_relationship: field('Declarant is the', 'Qualité du déclarant', relationships),
  declarant_address: field("Declarant's address", 'Adresse du déclarant'),
  date_of_declaration: field('Date of declaration', 'Date de la déclaration'),
  remarks: field('Remarks', 'Mentions et observations'),
};

const workflow = {
  niu: field('NIU', 'NIU'),
  drafted_by: field('Drafted by', 'Rédigé par'),
  drafted_at: field('Drafted on', 'Rédigé le'),
  verified_by: field('Verified by', 'Vérifié par'),
  verified_at: field('Verified on', 'Vérifié le'),
  validated_by: field('Validated by', 'Validé par'),
  validated_at: field('Validated on', 'Validé le'),
};

/** A place in the administrative hierarchy, under a prefix (`place_of_birth_`). */
const place = (prefix: string, en: string, fr: string, withType = true) => ({
  [`${prefix}region`]: field(`${en}: region`, `${fr} (région)`),
  [`${prefix}department`]: field(`${en}: department`, `${fr} (département)`),
  [`${prefix}arrondissement`]: field(`${en}: subdivision`, `${fr} (arrondissement)`),
  [`${prefix}locality`]: field(`${en}: town or village`, `${fr} (localité)`),
  ...(withType
    ? { [`${prefix}type`]: field(`${en}: type of place`, `${fr} (type de lieu)`, placeTypes) }
    : {}),
});

export const birthLabels: Readonly<Record<string, FieldLabels>> = {
  child_surname: field("Child's surname", "Nom de l'enfant"),
  child_given_names: field("Child's given names", "Prénoms de l'enfant"),
  child_sex: field("Child's sex", "Sexe de l'enfant", sexes),
  date_of_birth: field('Date of birth', 'Date de naissance'),
  time_of_birth: field('Time of birth', 'Heure de naissance'),
  ...place('place_of_birth_', 'Place of birth', 'Lieu de naissance'),
  place_of_birth_facility: field('Health facility', 'Formation sanitaire'),
  type_of_birth: field('Type of birth', 'Type de naissance', {
    single: t('Single', 'Simple'),
    twin: t('Twins', 'Gémellaire'),
    triplet: t('Triplets', 'Triple'),
    'quadruplet-or-more': t('Quadruplets or more', 'Quadruple ou plus'),
  }),
  birth_order_in_multiple: field('Order among the twins or triplets', 'Rang parmi les jumeaux ou triplés'),
  attendant: field('Birth attended by', 'Accouchement assisté par', {
    physician: t('Physician', 'Médecin'),
    'nurse-midwife': t('Nurse or midwife', 'Infirmier(ère) ou sage-femme'),
    'other-trained': t('Other trained person', 'Autre personnel formé'),
    'traditional-attendant': t('Traditional birth attendant', 'Accoucheuse traditionnelle'),
    other: t('Other', 'Autre'),
    none: t('Nobody', 'Personne'),
  }),
  weight_at_birth_grams: field('Weight at birth (grams)', 'Poids à la naissance (grammes)'),
  gestation_weeks: field('Weeks of pregnancy', 'Durée de la grossesse (semaines)'),
  mother_surname: field("Mother's surname", 'Nom de la mère'),
  mother_given_names: field("Mother's given names", 'Prénoms de la mère'),
  mother_date_of_birth: field("Mother's date of birth", 'Date de naissance de la mère'),
  mother_nationality: field("Mother's nationality (CMR, FRA...)", 'Nationalité de la mère (CMR, FRA...)'),
  mother_residence_region: field("Mother's residence: region", 'Domicile de la mère (région)'),
  mother_residence_locality: field("Mother's residence: town or village", 'Domicile de la mère (localité)'),
  mother_occupation: field("Mother's occupation", 'Profession de la mère'),
  mother_marital_status: field(
    "Mother's marital status",
    'Situation matrimoniale de la mère',
    maritalStatuses,
  ),
  mother_education: field("Mother's education", "Niveau d'instruction de la mère", educationLevels),
  mother_children_born_alive: field(
    'Children the mother has borne alive (this one included)',
    'Enfants nés vivants de la mère (celui-ci compris)',
  ),
  mother_children_living: field("Mother's children still living", 'Enfants de la mère encore en vie'),
  father_surname: field("Father's surname", 'Nom du père'),
  father_given_names: field("Father's given names", 'Prénoms du père'),
  father_date_of_birth: field("Father's date of birth", 'Date de naissance du père'),
  father_nationality: field("Father's nationality (CMR, FRA...)", 'Nationalité du père (CMR, FRA...)'),
  father_occupation: field("Father's occupation", 'Profession du père'),
  father_education: field("Father's education", "Niveau d'instruction du père", educationLevels),
  ...declarant,
  ...workflow,
};

const spouse = (n: 1 | 2) => {
  const p = `spouse${n}_`;
  const en = n === 1 ? 'First spouse' : 'Second spouse';
  const fr = n === 1 ? 'Premier époux' : 'Second époux';
  return {
    [`${p}surname`]: field(`${en}: surname`, `${fr} : nom`),
    [`${p}given_names`]: field(`${en}: given names`, `${fr} : prénoms`),
    [`${p}sex`]: field(`${en}: sex`, `${fr} : sexe`, sexes),
    [`${p}date_of_birth`]: field(`${en}: date of birth`, `${fr} : date de naissance`),
    [`${p}place_of_birth`]: field(`${en}: place of birth`, `${fr} : lieu de naissance`),
    [`${p}nationality`]: field(`${en}: nationality (CMR, FRA...)`, `${fr} : nationalité (CMR, FRA...)`),
    [`${p}residence_locality`]: field(`${en}: residence`, `${fr} : domicile (localité)`),
    [`${p}occupation`]: field(`${en}: occupation`, `${fr} : profession`),
    [`${p}education`]: field(`${en}: education`, `${fr} : niveau d'instruction`, educationLevels),
    [`${p}previous_marital_status`]: field(
      `${en}: status before marriage`,
      `${fr} : situation avant le mariage`,
      {
        'never-married': t('Never married', 'Célibataire'),
        divorced: t('Divorced', 'Divorcé(e)'),
        widowed: t('Widowed', 'Veuf / veuve'),
        unknown: t('Unknown', 'Inconnu'),
      },
    ),
  };
};

export const marriageLabels: Readonly<Record<string, FieldLabels>> = {
  date_of_marriage: field('Date of marriage', 'Date du mariage'),
  ...place('place_of_marriage_', 'Place of marriage', 'Lieu du mariage', false),
  marriage_form: field('Form of marriage', 'Forme du mariage', {
    monogamous: t('Monogamous', 'Monogamique'),
    polygamous: t('Polygamous', 'Polygamique'),
  }),
  property_regime: field('Property regime', 'Régime des biens', {
    community: t('Community of property', 'Communauté de biens'),
    separation: t('Separate property', 'Séparation de biens'),
    other: t('Other', 'Autre'),
  }),
  ...spouse(1),
  ...spouse(2),
  witness1_name: field('First witness', 'Premier témoin'),
  witness2_name: field('Second witness', 'Second témoin'),
  officiant_name: field('Officiating registrar', "Officier d'état civil ayant célébré"),
  date_of_registration: field('Date of registration', "Date d'enregistrement"),
  remarks: field('Remarks', 'Mentions et observations'),
  ...workflow,
};

export const deathLabels: Readonly<Record<string, FieldLabels>> = {
  deceased_surname: field("Deceased's surname", 'Nom du défunt'),
  deceased_given_names: field("Deceased's given names", 'Prénoms du défunt'),
  deceased_sex: field("Deceased's sex", 'Sexe du défunt', sexes),
  deceased_date_of_birth: field("Deceased's date of birth", 'Date de naissance du défunt'),
  deceased_age_years: field('Age at death (years)', 'Âge au décès (années)'),
  deceased_marital_status: field('Marital status', 'Situation matrimoniale', maritalStatuses),
  deceased_occupation: field('Occupation', 'Profession'),
  deceased_nationality: field('Nationality (CMR, FRA...)', 'Nationalité (CMR, FRA...)'),
  deceased_education: field('Education', "Niveau d'instruction", educationLevels),
  deceased_residence_region: field('Residence: region', 'Domicile (région)'),
  deceased_residence_locality: field('Residence: town or village', 'Domicile (localité)'),
  date_of_death: field('Date of death', 'Date du décès'),
  time_of_death: field('Time of death', 'Heure du décès'),
  ...place('place_of_death_', 'Place of death', 'Lieu du décès'),
  cause_of_death_underlying: field('Underlying cause of death', 'Cause initiale du décès'),
  cause_of_death_icd: field('Cause of death: ICD code', 'Cause du décès : code CIM'),
  manner_of_death: field('Manner of death', 'Circonstances du décès', {
    natural: t('Natural', 'Naturelle'),
    accident: t('Accident', 'Accident'),
    suicide: t('Suicide', 'Suicide'),
    homicide: t('Homicide', 'Homicide'),
    pending: t('Under investigation', 'En cours d’enquête'),
    unknown: t('Unknown', 'Inconnue'),
  }),
  certifier: field('Death certified by', 'Décès constaté par', {
    physician: t('Physician', 'Médecin'),
    coroner: t('Coroner', 'Médecin légiste'),
    'other-health-worker': t('Other health worker', 'Autre agent de santé'),
    'lay-person': t('Lay person', 'Personne non qualifiée'),
    none: t('Nobody', 'Personne'),
  }),
  certifier_name: field('Name of the certifier', 'Nom de la personne ayant constaté'),
  autopsy: field('Autopsy performed', 'Autopsie pratiquée'),
  ...declarant,
  ...workflow,
};
