import { births } from '@xmcomm/contract';

/** A small seeded generator (mulberry32): runs are repeatable, so sizes on the wire are too. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const surnames = [
  'Ngono',
  'Mbarga',
  'Fouda',
  'Abena',
  'Tchoupo',
  'Nkoulou',
  'Etoa',
  'Bella',
  'Atangana',
  'Essomba',
  'Manga',
  'Owona',
  'Ndzana',
  'Mvondo',
  'Ekotto',
  'Biyong',
  'Eyenga',
  'Onana',
  'Amougou',
  'Zambo',
  'Ateba',
  'Ngah',
  'Mebenga',
  'Nnanga',
  'Kamga',
  'Tchakounte',
  'Fotso',
  'Nana',
  'Djoumessi',
  'Tagne',
  'Wamba',
  'Kenfack',
  'Ngassa',
  'Moukoko',
  'Ekambi',
  'Ebelle',
  'Dikongue',
  'Bakari',
  'Hamadou',
  'Oumarou',
  'Aboubakar',
  'Moussa',
  'Issa',
  'Mohamadou',
  'Yaya',
  'Adamou',
  'Sali',
  'Bouba',
  'Ibrahim',
  'Souley',
];
const givenNames = [
  'Marie',
  'Paul',
  'Aïcha',
  'Jean',
  'Brigitte',
  'Samuel',
  'Odile',
  'Yves',
  'Christelle',
  'Joseph',
  'Estelle',
  'Emmanuel',
  'Aminatou',
  'Hervé',
  'Solange',
  'Patrick',
  'Clarisse',
  'Blaise',
  'Mireille',
  'Serge',
  'Hadjara',
  'Daniel',
  'Rose',
  'Alain',
  'Nadège',
  'Boris',
  'Francine',
  'Gaston',
  'Yvonne',
  'Roger',
  'Fadimatou',
  'Ibrahim',
  'Laure',
  'Michel',
  'Sandrine',
  'Thierry',
  'Josiane',
  'Armand',
  'Pélagie',
  'Cyrille',
];
const regions = [
  'Centre',
  'Littoral',
  'Ouest',
  'Nord',
  'Extrême-Nord',
  'Adamaoua',
  'Est',
  'Sud',
  'Nord-Ouest',
  'Sud-Ouest',
];
const localities = [
  'Yaoundé',
  'Douala',
  'Bafoussam',
  'Garoua',
  'Maroua',
  'Ngaoundéré',
  'Bertoua',
  'Ebolowa',
  'Bamenda',
  'Buea',
  'Mbalmayo',
  'Obala',
  'Edéa',
  'Nkongsamba',
  'Dschang',
  'Foumban',
  'Kousseri',
  'Mokolo',
  'Kribi',
  'Limbé',
];
const occupations = [
  'farmer',
  'trader',
  'teacher',
  'nurse',
  'driver',
  'tailor',
  'civil servant',
  'student',
  'mechanic',
  'midwife',
];
const facilities = [
  'Hôpital Central',
  'Hôpital Général',
  'CMA de Biyem-Assi',
  'Hôpital de District',
  'Centre de Santé Intégré',
];

/** The names and places a generator draws acts from: one country's. */
export interface ActLists {
  readonly surnames: readonly string[];
  readonly givenNames: readonly string[];
  readonly regions: readonly string[];
  readonly localities: readonly string[];
  readonly occupations: readonly string[];
  /** Kinds of health facility; an act names one after its town ("Hôpital Central de Douala"). */
  readonly facilities: readonly string[];
  /** ISO 3166-1 alpha-3, as the contract's nationality columns hold it. */
  readonly nationality: string;
}

/** Common Cameroonian names and places: what `createActGenerator` draws from by default. */
export const cameroonActLists: ActLists = {
  surnames,
  givenNames,
  regions,
  localities,
  occupations,
  facilities,
  nationality: 'CMR',
};

/**
 * Common Senegalese names and places: acts of another deployment, whose words the Cameroon
 * dictionary does not know (for measuring dictionaries).
 */
export const senegalActLists: ActLists = {
  surnames: [
    'Diop',
    'Ndiaye',
    'Fall',
    'Sow',
    'Ba',
    'Diallo',
    'Sy',
    'Gueye',
    'Faye',
    'Mbaye',
    'Ndour',
    'Sarr',
    'Cissé',
    'Diouf',
    'Thiam',
    'Kane',
    'Seck',
    'Niang',
    'Sall',
    'Camara',
    'Touré',
    'Wade',
    'Mbengue',
    'Dieng',
    'Sène',
    'Diagne',
    'Lô',
    'Tall',
    'Sané',
    'Badji',
    'Diatta',
    'Coly',
    'Mendy',
    'Gomis',
    'Ndoye',
    'Samb',
    'Dia',
    'Dramé',
    'Sylla',
    'Konaté',
    'Traoré',
    'Keïta',
    'Baldé',
    'Mané',
    'Sagna',
    'Goudiaby',
    'Ngom',
    'Pouye',
    'Diédhiou',
    'Tine',
  ],
  givenNames: [
    'Mamadou',
    'Fatou',
    'Aminata',
    'Moussa',
    'Awa',
    'Ibrahima',
    'Mariama',
    'Cheikh',
    'Khady',
    'Ousmane',
    'Ndèye',
    'Abdoulaye',
    'Coumba',
    'Modou',
    'Astou',
    'Serigne',
    'Adama',
    'Aliou',
    'Rokhaya',
    'Babacar',
    'Seynabou',
    'Omar',
    'Dieynaba',
    'Lamine',
    'Bineta',
    'Pape',
    'Sokhna',
    'Assane',
    'Maïmouna',
    'Saliou',
    'Oumou',
    'Malick',
    'Yacine',
    'Boubacar',
    'Marème',
    'El Hadji',
    'Souleymane',
    'Khadija',
    'Amadou',
    'Ndiogou',
  ],
  regions: [
    'Dakar',
    'Thiès',
    'Diourbel',
    'Saint-Louis',
    'Louga',
    'Fatick',
    'Kaolack',
    'Kaffrine',
    'Kolda',
    'Sédhiou',
    'Ziguinchor',
    'Tambacounda',
    'Kédougou',
    'Matam',
  ],
  localities: [
    'Dakar',
    'Pikine',
    'Guédiawaye',
    'Rufisque',
    'Thiès',
    'Mbour',
    'Touba',
    'Diourbel',
    'Saint-Louis',
    'Kaolack',
    'Ziguinchor',
    'Louga',
    'Tambacounda',
    'Kolda',
    'Richard-Toll',
    'Fatick',
    'Mbacké',
    'Tivaouane',
    'Matam',
    'Kédougou',
  ],
  occupations: [
    'cultivateur',
    'commerçante',
    'enseignant',
    'infirmière',
    'chauffeur',
    'tailleur',
    'fonctionnaire',
    'étudiant',
    'pêcheur',
    'éleveur',
    'ménagère',
  ],
  facilities: ['Hôpital Régional', 'Centre de Santé', 'Poste de Santé', 'Hôpital Principal', 'Clinique'],
  nationality: 'SEN',
};

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * Birth acts as a centre fills them in: most optional fields given, names and places drawn from
 * lists of common Cameroonian ones (or another country's, `lists`), so that compression sees what
 * it would see in production rather than the same act repeated.
 */
export function createActGenerator(seed = 2026, lists: ActLists = cameroonActLists) {
  const { surnames, givenNames, regions, localities, occupations, facilities, nationality } = lists;
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const given = () => (random() < 0.6 ? `${pick(givenNames)} ${pick(givenNames)}` : pick(givenNames));

  return function birthAct(matricule: string, numero: number): Record<string, unknown> {
    const region = pick(regions);
    const locality = pick(localities);
    const father = pick(surnames);
    const mother = pick(surnames);
    const day = int(1, 28);
    const hospital = random() < 0.8;
    const declaredBy = random() < 0.7 ? 'mother' : 'father';
    const drafted = new Date(Date.UTC(2026, 10, day, int(7, 16), int(0, 59), int(0, 59)));
    const bornAlive = int(1, 6);
    return {
      child_surname: father,
      child_given_names: given(),
      child_sex: random() < 0.5 ? 'female' : 'male',
      date_of_birth: `2026-10-${pad(day)}`,
      time_of_birth: `${pad(int(0, 23))}:${pad(int(0, 59))}`,
      place_of_birth_region: region,
      place_of_birth_locality: locality,
      place_of_birth_type: hospital ? 'hospital' : 'home',
      place_of_birth_facility: hospital ? `${pick(facilities)} de ${locality}` : null,
      type_of_birth: random() < 0.97 ? 'single' : 'twin',
      attendant: hospital ? 'nurse-midwife' : 'traditional-attendant',
      weight_at_birth_grams: int(2100, 4300),
      gestation_weeks: int(35, 42),
      mother_surname: mother,
      mother_given_names: given(),
      mother_date_of_birth: `${int(1980, 2006)}-${pad(int(1, 12))}-${pad(int(1, 28))}`,
      mother_nationality: nationality,
      mother_residence_region: region,
      mother_residence_locality: locality,
      mother_occupation: pick(occupations),
      mother_marital_status: random() < 0.7 ? 'married' : 'never-married',
      mother_education: pick(['primary', 'lower-secondary', 'upper-secondary', 'tertiary'] as const),
      mother_children_born_alive: bornAlive,
      // At most the children born alive: a centre refuses more living than born (ECR's rule).
      mother_children_living: int(1, bornAlive),
      father_surname: father,
      father_given_names: given(),
      father_date_of_birth: `${int(1970, 2004)}-${pad(int(1, 12))}-${pad(int(1, 28))}`,
      father_nationality: nationality,
      father_occupation: pick(occupations),
      declarant_surname: declaredBy === 'mother' ? mother : father,
      declarant_relationship: declaredBy,
      date_of_declaration: `2026-11-${pad(Math.min(28, day + int(0, 10)))}`,
      drafted_by: `agent-${matricule}`.toLowerCase(),
      drafted_at: drafted,
      verified_by: `secretary-${matricule}`.toLowerCase(),
      verified_at: new Date(drafted.getTime() + 3_600_000),
      validated_by: `officer-${matricule}`.toLowerCase(),
      validated_at: new Date(drafted.getTime() + 7_200_000),
      niu: `${centreCodeOf(matricule)}-2026-${pad(numero, 6)}`,
    };
  };
}

const travelling = Object.keys(births.columns).filter(
  (column) => !['numero', 'status', 'origin_matricule', 'origin_numero'].includes(column),
);

/** A validated act as a site's export puts it in a container: its numero and every data column (nulls too). */
export function travellingRow(
  act: Readonly<Record<string, unknown>>,
  numero: number,
): Record<string, unknown> {
  const row: Record<string, unknown> = { numero };
  for (const column of travelling) row[column] = act[column] ?? null;
  return row;
}

/**
 * The centre code the generator's sites have: the matricule without its dashes (an NIU is the code,
 * a dash, then its number, so a code holds no dash). Register it as the client's centre code.
 */
export function centreCodeOf(matricule: string): string {
  return matricule.replace(/[^A-Za-z0-9._]/g, '');
}
