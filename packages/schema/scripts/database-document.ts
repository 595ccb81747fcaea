import type { AnyTable } from '@xmcomm/contract';
import { describeTables } from '../src/describe-tables.js';
import * as contract from '../src/index.js';

/** Every table the package exports, wherever it was added. */
export function allTables(): AnyTable[] {
  return (Object.values(contract) as unknown[]).filter(
    (value): value is AnyTable =>
      typeof value === 'object' && value !== null && 'qualifiedName' in value && 'fingerprint' in value,
  );
}

export function databaseDocument(): string {
  return `# Database

Generated from the table contract (\`packages/schema\`) by \`npm run docs:database -w @xmcomm/schema\`;
a test fails when this page and the contract disagree.

| schema | holds | where |
|---|---|---|
| \`xm_data\` | exchanged form data (acts, bulletins, documents) | the server and every site |
| \`xm_system\` | the server's confidential data: users, clients, accounts, certificates, logs | the server only |
| \`xm_site\` | a site's own data: users, outbox, inbox, settings | a site only |

Migrations run with Kysely's \`Migrator\` (table \`public.kysely_migration\`): \`serverMigrations\` on
the server, \`siteMigrations\` at a site. Column order is part of a table's fingerprint.

## Tables

${describeTables(allTables())}`;
}
