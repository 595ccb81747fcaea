/**
 * Realistic birth acts for the benchmark and tests: every column of the contract's births table
 * filled as a Cameroonian civil registration centre would, from a seeded generator so that runs
 * are comparable.
 */

/**
 * Surnames are made from syllables so that no dictionary can know them in advance, as with real
 * people; the lists below give the rest (places, facilities, occupations) a centre's real variety.
 */
const SYLLABLES = [
  'mba',
  'rga',
  'ndo',
  'tchou',
  'a',
  'me',
  'ni',
  'ko',
  'lo',
  'fo',
  'so',
  'ta',
  'nga',
  'be',
  'yi',
  'ssi',
  'mou',
  'djo',
  'ke',
  'ou',
  'bi',
  'ye',
  'ng',
  'to',
];
const MALE = [
  'Jean-Pierre',
  'Emmanuel',
  'Samuel Junior',
  'Paul Henri',
  'Yannick',
  'Aboubakar',
  'Christian',
  'Blaise',
  'Hervé',
  'Arouna',
  'Joseph',
  'Ibrahim',
  'Cédric Landry',
  'Martin',
  'Moussa',
  'Serge Alain',
  'Thierry',
  'Oumarou',
  'Patrice',
  'Désiré',
  'Frank Olivier',
  'Rodrigue',
  'Hamadou',
  'Guy Roger',
  'Fabrice',
];
const FEMALE = [
  'Marie-Claire',
  'Brigitte',
  'Aïssatou',
  'Esther',
  'Pauline Carine',
  'Odette',
  'Solange',
  'Hadiza',
  'Joséphine',
  'Mireille',
  'Françoise',
  'Ramatou',
  'Sandrine',
  'Chantal',
  'Fadimatou',
  'Laure',
  'Bernadette',
  'Nadège',
  'Christelle',
  'Rose',
  'Clarisse',
  'Hawaou',
  'Yvette',
  'Germaine',
  'Estelle Flore',
];
const PLACES: [string, string, string, string][] = [
  ['Centre', 'Mfoundi', 'Yaoundé III', 'Efoulan'],
  ['Littoral', 'Wouri', 'Douala V', 'Kotto'],
  ['Ouest', 'Mifi', 'Bafoussam I', 'Tamdja'],
  ['Nord', 'Bénoué', 'Garoua II', 'Roumdé Adjia'],
  ['Adamaoua', 'Vina', 'Ngaoundéré I', 'Joli Soir'],
  ['Sud', 'Mvila', 'Ebolowa I', "Nko'ovos"],
];
const FACILITIES = [
  'Hôpital Central de Yaoundé',
  'Hôpital Laquintinie',
  'Centre de santé intégré',
  'Hôpital régional',
  'Clinique de la Cité',
];
const OCCUPATIONS = [
  'cultivatrice',
  'commerçant',
  'enseignante',
  'ménagère',
  'fonctionnaire',
  'chauffeur',
  'couturière',
  'infirmier',
  'étudiante',
  'mécanicien',
];
const EDUCATION = ['none', 'primary', 'lower-secondary', 'upper-secondary', 'tertiary'] as const;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** One birth act as the births table's data columns expect, plus the site's own `numero`. */
export function birthAct(index: number): Record<string, unknown> {
  const rnd = random(index + 1);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const girl = rnd() < 0.5;
  const [region, department, arrondissement, locality] = pick(PLACES);
  const born = new Date(Date.UTC(2026, Math.floor(rnd() * 10), 1 + Math.floor(rnd() * 28)));
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const declared = new Date(born.getTime() + (2 + Math.floor(rnd() * 20)) * 86_400_000);
  const syllables = (count: number) => Array.from({ length: count }, () => pick(SYLLABLES)).join('');
  const surname = () => syllables(2 + Math.floor(rnd() * 2)).toUpperCase();
  const father = surname();
  const mother = surname();
  const at = (offsetHours: number) =>
    new Date(declared.getTime() + offsetHours * 3_600_000 + Math.floor(rnd() * 3_600_000));
  return {
    numero: 1000 + index,
    niu: `CM-CE0001-2026-${pad(100000 + index, 6)}`,
    child_surname: father,
    child_given_names: girl ? pick(FEMALE) : pick(MALE),
    child_sex: girl ? 'female' : 'male',
    date_of_birth: day(born),
    time_of_birth: `${pad(Math.floor(rnd() * 24))}:${pad(Math.floor(rnd() * 60))}:00`,
    place_of_birth_region: region,
    place_of_birth_department: department,
    place_of_birth_arrondissement: arrondissement,
    place_of_birth_locality: locality,
    place_of_birth_type: 'hospital',
    place_of_birth_facility: pick(FACILITIES),
    type_of_birth: 'single',
    birth_order_in_multiple: null,
    attendant: pick(['physician', 'nurse-midwife']),
    weight_at_birth_grams: 2500 + Math.floor(rnd() * 1800),
    gestation_weeks: 37 + Math.floor(rnd() * 4),
    mother_surname: mother,
    mother_given_names: pick(FEMALE),
    mother_date_of_birth: `${1985 + Math.floor(rnd() * 15)}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`,
    mother_nationality: 'CMR',
    mother_residence_region: region,
    mother_residence_locality: locality,
    mother_occupation: pick(OCCUPATIONS),
    mother_marital_status: pick(['married', 'never-married', 'consensual-union']),
    mother_education: pick(EDUCATION),
    mother_children_born_alive: 1 + Math.floor(rnd() * 5),
    mother_children_living: 1 + Math.floor(rnd() * 4),
    father_surname: father,
    father_given_names: pick(MALE),
    father_date_of_birth: `${1975 + Math.floor(rnd() * 20)}-${pad(1 + Math.floor(rnd() * 12))}-${pad(1 + Math.floor(rnd() * 28))}`,
    father_nationality: 'CMR',
    father_occupation: pick(OCCUPATIONS),
    father_education: pick(EDUCATION),
    declarant_surname: father,
    declarant_given_names: pick(MALE),
    declarant_relationship: 'father',
    declarant_address: `BP ${100 + Math.floor(rnd() * 9000)} ${locality}, ${arrondissement}`,
    date_of_declaration: day(declared),
    remarks: null,
    drafted_by: `agent${1 + Math.floor(rnd() * 19)}`,
    drafted_at: at(0),
    verified_by: `secretaire${1 + Math.floor(rnd() * 19)}`,
    verified_at: at(2),
    validated_by: 'officier',
    validated_at: at(5),
  };
}

/** The same act as a table the contract does not know would carry it: names travel with the rows. */
export function genericAct(index: number): Record<string, unknown> {
  const { numero: _numero, ...act } = birthAct(index);
  return act;
}

/** Columns left out of the smaller act: the workflow trail and the finer place details. */
const SMALL_ACT_OMITS = [
  'drafted_by',
  'drafted_at',
  'verified_by',
  'verified_at',
  'validated_by',
  'validated_at',
  'place_of_birth_department',
  'place_of_birth_arrondissement',
  'place_of_birth_facility',
  'declarant_address',
  'mother_residence_region',
  'mother_residence_locality',
  'father_date_of_birth',
  'father_education',
  'mother_education',
];

/**
 * A birth act about the size of the reference (~840 bytes of JSON): the same act without
 * the workflow trail and the finer place details, so that figures compare with OpenSSL's 887 B.
 */
export function smallBirthAct(index: number): Record<string, unknown> {
  const act = birthAct(index);
  for (const name of SMALL_ACT_OMITS) delete act[name];
  return act;
}
