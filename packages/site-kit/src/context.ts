import { SiteKitError } from './errors.js';
import type { RecordRef, RecordType, Text } from './record-type.js';
import type { KitDb, RecordsDb } from './tables.js';

/** The site's identity as the kit needs it: the matricule signatures name, the code NIUs start with. */
export interface SiteCentre {
  readonly matricule: string;
  /** Six digits, assigned nationally. */
  readonly centreCode: string;
}

/** What every kit operation needs; made once by `createSiteKit`. */
export interface KitContext {
  readonly db: KitDb;
  readonly types: readonly RecordType[];
  readonly centre: () => Promise<SiteCentre>;
  readonly settings: () => Promise<unknown>;
  /** `YYYY-MM-DD` in the site's time zone. */
  readonly today: () => string;
}

export const recordsDb = (db: KitDb): RecordsDb => db as unknown as RecordsDb;

export function typeNamed(ctx: KitContext, name: string): RecordType {
  const type = ctx.types.find((candidate) => candidate.name === name);
  if (!type) {
    throw new SiteKitError('unknown-record-type', {
      type: name,
      known: ctx.types.map((t) => t.name).join(', '),
    });
  }
  return type;
}

export function typeOfTable(ctx: KitContext, table: string): RecordType | undefined {
  return ctx.types.find((candidate) => candidate.table.name === table);
}

export function refOf(type: RecordType, numero: number): RecordRef {
  return { type: type.name, numero, ref: `${type.refLetter}${numero}` };
}

/** `B12`, `b12`, or `12` when the type is given; undefined when the text is no reference. */
export function parseRef(ctx: KitContext, text: string, typeName?: string): RecordRef | undefined {
  const match = /^([A-Za-z])?(\d{1,9})$/.exec(text.trim());
  if (!match) return undefined;
  const letter = match[1]?.toUpperCase();
  const fromLetter = letter ? ctx.types.find((type) => type.refLetter === letter) : undefined;
  if (letter && !fromLetter) return undefined;
  const given = typeName ? typeNamed(ctx, typeName) : undefined;
  const type = fromLetter ?? given;
  if (!type || (fromLetter && given && fromLetter !== given)) return undefined;
  const numero = Number(match[2]);
  return numero >= 1 ? refOf(type, numero) : undefined;
}

export function notFound(id: string): SiteKitError {
  return new SiteKitError('not-found', { what: 'record', whatFr: 'fiche', id });
}

/** Row statuses on a site (design.md). */
export const statusNames: Readonly<Record<0 | 1 | 2 | 3 | 4, Text>> = {
  0: { en: 'cancelled', fr: 'annulé' },
  1: { en: 'new', fr: 'nouveau' },
  2: { en: 'validated', fr: 'validé' },
  3: { en: 'sealed', fr: 'SDC' },
  4: { en: 'exported', fr: 'exporté' },
};

export function statusName(status: number): Text {
  return statusNames[status as 0] ?? { en: String(status), fr: String(status) };
}
