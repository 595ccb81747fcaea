import type { SiteDatabase } from '@xmcomm/schema';
import { type Row, recordEvents, type SessionUser } from '@xmcomm/site-kit';
import type { SiteConnector, SiteSession } from '@xmcomm/site-kit/cli';
import type { Kysely } from 'kysely';
import { checkMayRequest, type Identity, identityFields, matchPerson } from './bulletin-request.js';
import {
  type Bulletin,
  type BulletinRules,
  type Extract,
  extractOf,
  frenchBulletinRules,
} from './bulletins.js';
import { JurisError } from './errors.js';
import { entryType } from './record-types.js';

// A bulletin asked of the national register: who asks and why declared first (the register logs it
// and bills the answer), then the person's entries by identity, then the annotations of those
// entries; the bulletin is computed here from the rule table, for one person only.

/** Who asks for a bulletin and why; the register keeps it, and so does the court's history. */
export interface BulletinAsk {
  readonly bulletin: Bulletin;
  readonly identity: Identity;
  readonly purpose: string;
}

/** The register as the bulletin sees it: rows of a restricted table, declared first. */
export interface Register {
  fetch(
    table: 'criminal_record_entries' | 'criminal_record_annotations',
    conditions: readonly { field: string; op: '=' | 'in'; value: unknown }[],
    declaration: { requestedBy: string; purpose: string; detail: Readonly<Record<string, unknown>> },
  ): Promise<Row[]>;
}

export type BulletinOutcome =
  | { readonly kind: 'extract'; readonly extract: Extract }
  | { readonly kind: 'none'; readonly extract: Extract };

/** A surname as courts may have typed it: as given, upper case, capitalised. */
const spellings = (name: string) => {
  const trimmed = name.trim();
  const capital = trimmed.toLowerCase().replace(/(^|[\s-])\p{L}/gu, (m) => m.toUpperCase());
  return [...new Set([trimmed, trimmed.toUpperCase(), capital])];
};

/** Asks the register for one person's bulletin; refuses what must not be printed. */
export async function askBulletin(
  register: Register,
  user: SessionUser,
  ask: BulletinAsk,
  today: string,
  rules: BulletinRules = frenchBulletinRules,
): Promise<BulletinOutcome> {
  checkMayRequest(user, ask.bulletin);
  const missing = identityFields.filter((field) => !ask.identity[field]?.trim());
  if (missing.length > 0 || ask.purpose.trim().length < 3) {
    throw new JurisError(
      'usage',
      `A bulletin needs the person's ${missing.join(', ') || 'identity'} and why it is asked (--purpose).`,
      `Un bulletin demande ${missing.join(', ') || "l'identité"} de la personne et le motif (--purpose).`,
    );
  }
  const declaration = {
    requestedBy: user.login,
    purpose: ask.purpose.trim(),
    detail: { bulletin: ask.bulletin, identity: ask.identity },
  };
  const entries = await register.fetch(
    'criminal_record_entries',
    [
      { field: 'person_surname', op: 'in', value: spellings(ask.identity.person_surname ?? '') },
      { field: 'person_date_of_birth', op: '=', value: ask.identity.person_date_of_birth },
    ],
    declaration,
  );
  const match = matchPerson(
    ask.identity,
    entries.map((entry) => ({ entry, annotations: [] })),
  );
  if (match.kind === 'several') {
    throw new JurisError(
      'not-identified',
      `These identity fields match ${match.people} people: add ${match.ask.join(', ')}; no bulletin prints several people.`,
      `Cette identité désigne ${match.people} personnes : ajoutez ${match.ask.join(', ')} ; aucun bulletin n'imprime plusieurs personnes.`,
    );
  }
  if (match.kind === 'none') return { kind: 'none', extract: extractOf(ask.bulletin, [], today, rules) };
  const nius = match.records.map(({ entry }) => String(entry.niu));
  const annotations = await register.fetch(
    'criminal_record_annotations',
    [{ field: 'entry_niu', op: 'in', value: nius }],
    declaration,
  );
  const records = match.records.map(({ entry }) => ({
    entry,
    annotations: annotations.filter((note) => note.entry_niu === entry.niu),
  }));
  return { kind: 'extract', extract: extractOf(ask.bulletin, records, today, rules) };
}

/** Records in the court's history, on each entry it printed, who asked for the bulletin and why. */
export async function recordBulletin(
  db: Kysely<SiteDatabase>,
  user: SessionUser,
  ask: BulletinAsk,
  extract: Extract,
  documentId: string,
): Promise<void> {
  const nius = extract.entries.map(({ entry }) => String(entry.niu));
  if (nius.length === 0) return;
  const rows = await db
    .selectFrom(`xm_data.${entryType.table.name}` as never)
    .select('numero' as never)
    .where('niu' as never, 'in', nius as never)
    .execute();
  await recordEvents(
    db as never,
    entryType,
    rows.map((row) => (row as { numero: number }).numero),
    'printed',
    user.login,
    () => ({ document: 'bulletin', bulletin: ask.bulletin, purpose: ask.purpose, documentId }),
  );
}

/** The register over the court's synchronisation: declare, import, and take the rows as the register sent them. */
export function registerOver(connector: SiteConnector, session: SiteSession, waitSeconds: number): Register {
  return {
    async fetch(table, conditions, declaration) {
      const rows: Row[] = [];
      let answered = false;
      const sync = await connector.connect(session, {
        eventsTo: 'none',
        onImportResponse: (page) => {
          if (page.table !== table) return;
          rows.push(...(page.rows as Row[]));
          if (!page.more) answered = true;
        },
      });
      try {
        // The declaration acknowledged before the import leaves: a server applying containers in
        // parallel could otherwise take the import first and refuse it as undeclared.
        const declared = await sync.requestControl({ type: 'access-request', table, ...declaration });
        sync.start();
        await connector.awaitAnswer(sync, declared, waitSeconds, {
          what: 'the access request',
          whatFr: "la déclaration d'accès",
        });
        const queued = await sync.requestImport({ table, conditions: [...conditions], limit: 500 });
        if (!queued.ok) throw new JurisError('usage', queued.error.message, queued.error.message);
        await connector.awaitAnswer(
          sync,
          queued.id,
          waitSeconds,
          { what: 'the bulletin request', whatFr: 'la demande de bulletin' },
          () => answered,
        );
      } finally {
        await sync.stop();
      }
      return rows;
    },
  };
}
