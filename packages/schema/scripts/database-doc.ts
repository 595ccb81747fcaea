// Writes docs/database.md from the table contract: `npm run docs:database -w @xmcomm/schema`.
import { writeFileSync } from 'node:fs';
import { databaseDocument } from './database-document.js';

const target = new URL('../../../docs/database.md', import.meta.url);
writeFileSync(target, databaseDocument());
console.log(`wrote ${target.pathname}`);
