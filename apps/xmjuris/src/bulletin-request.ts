import { type Row, type SessionUser, SiteKitError } from '@xmcomm/site-kit';
import type { Bulletin, RecordEntry } from './bulletins.js';
import { jurisRoleNames } from './record-types.js';

// A bulletin is asked for one person by identity: names, date and place of birth. The entries the
// register returns for that identity may be several people's (namesakes born the same day and place):
// then the court asks for more identity fields instead of printing several people's records.

/** What a request must give, and what tells namesakes apart when it is not enough. */
export const identityFields = [
  'person_surname',
  'person_given_names',
  'person_date_of_birth',
  'person_place_of_birth',
] as const;
export const moreIdentityFields = [
  'father_surname',
  'mother_surname',
  'person_sex',
  'person_nationality',
] as const;
type Field = (typeof identityFields)[number] | (typeof moreIdentityFields)[number];
export type Identity = Partial<Readonly<Record<Field, string>>>;

/** Names compared without case, accents or extra spaces: `KOBILA  Mangue` is `Kobila Mangué`. */
const normal = (value: unknown) =>
  String(value ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

export type PersonMatch =
  | { readonly kind: 'one'; readonly records: readonly RecordEntry[] }
  | { readonly kind: 'none' }
  | { readonly kind: 'several'; readonly people: number; readonly ask: readonly Field[] };

/** The records of the one person `identity` names among `records`, or what to ask to tell them apart. */
export function matchPerson(identity: Identity, records: readonly RecordEntry[]): PersonMatch {
  const missing = identityFields.filter((field) => !identity[field]);
  if (missing.length > 0) return { kind: 'several', people: 0, ask: missing };
  const given = [...identityFields, ...moreIdentityFields].filter((field) => identity[field]);
  const matching = records.filter(({ entry }) =>
    given.every((field) => normal(entry[field]) === normal(identity[field])),
  );
  if (matching.length === 0) return { kind: 'none' };
  // One person per distinct parentage and sex among the matches; an entry silent on one of them
  // cannot be told apart from anyone, so it counts as its own person.
  const personOf = (entry: Row) =>
    moreIdentityFields.map((field) => normal(entry[field]) || `?${String(entry.niu)}`).join('|');
  const people = new Set(matching.map(({ entry }) => personOf(entry))).size;
  if (people === 1) return { kind: 'one', records: matching };
  return { kind: 'several', people, ask: moreIdentityFields.filter((field) => !identity[field]) };
}

/** Bulletin No 1 is for judicial authorities: only the clerk (privilege 3) of a court asks for it. */
export function checkMayRequest(user: SessionUser, bulletin: Bulletin): void {
  const needed = bulletin === 'b1' ? 3 : 2;
  if (user.privilege >= needed) return;
  const role = jurisRoleNames[user.privilege as 1 | 2 | 3] ?? { en: 'suspended', fr: 'suspendu' };
  throw new SiteKitError('forbidden', {
    login: user.login,
    role: role.en,
    roleFr: role.fr,
    action: `ask for bulletin No ${bulletin.slice(1)}`,
    actionFr: `demander le bulletin n° ${bulletin.slice(1)}`,
    needed: jurisRoleNames[needed].en,
    neededFr: jurisRoleNames[needed].fr,
  });
}
