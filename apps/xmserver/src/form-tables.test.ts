import { readFileSync } from 'node:fs';
import { installForm } from '@xmcomm/forms';
import type { ServerDatabase } from '@xmcomm/schema';
import { createTestDatabase } from '@xmcomm/schema/testing';
import { expect, test } from 'vitest';
import { acceptedTables } from './form-tables.js';

const example = (name: string) =>
  readFileSync(new URL(`../../docstream/examples/${name}.json`, import.meta.url), 'utf8');

test("the service's tables: the contract's, the installed forms', a form installed later after a refresh", async () => {
  const database = await createTestDatabase<ServerDatabase>();
  try {
    await (await acceptedTables(database.db)).refresh(); // makes the register on a server without it
    await installForm(database.db, 'server', example('diploma'), { by: 'op' });
    const accepted = await acceptedTables(database.db);
    const names = () => accepted.tables.map((table) => table.name);
    expect(names()).toEqual(expect.arrayContaining(['births', 'issued_documents', 'diplomas']));
    expect(names()).not.toContain('registration_cards');
    await installForm(database.db, 'server', example('registration-card'), { by: 'op' });
    await accepted.refresh();
    expect(names()).toContain('registration_cards');
    const card = JSON.parse(example('registration-card'));
    card.version = 2;
    card.fields.push({ name: 'phone', type: 'text', maxLength: 20, label: { en: 'Phone', fr: 'Téléphone' } });
    await installForm(database.db, 'server', JSON.stringify(card), { by: 'op' });
    await accepted.refresh();
    const cards = accepted.tables.filter((table) => table.name === 'registration_cards');
    expect(cards).toHaveLength(1);
    expect(Object.keys(cards[0]?.columns ?? {})).toContain('phone');
  } finally {
    await database.close();
  }
});
