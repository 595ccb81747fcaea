import { civilRegistrationTables, criminalRecordTables } from '@xmcomm/contract';
import type { Migration } from 'kysely';

/** The migration that indexes acts by validation instant at the server (statistics by period). */
export const actsValidatedAtIndexMigrationName = '20261208-10-acts-validated-at-index';

/**
 * The server counts acts by validation month (`xmserver report`, the console's statistics): an index
 * on `(validated_at, origin_matricule)` makes a period an index range (and the per-site count an
 * index-only scan once vacuumed) instead of a pass over every act ever received. Server only: a
 * site counts its own few acts.
 */
export const actsValidatedAtIndexMigration: Migration = {
  async up(db) {
    for (const table of [...civilRegistrationTables, ...criminalRecordTables]) {
      if (!('validated_at' in table.columns)) continue;
      await db.schema
        .createIndex(`${table.name}_validated_at_origin_matricule_idx`)
        .ifNotExists()
        .on(table.qualifiedName)
        .columns(['validated_at', 'origin_matricule'])
        .execute();
    }
  },
};
