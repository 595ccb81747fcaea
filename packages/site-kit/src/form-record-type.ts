import { type CompiledForm, type InstallResult, installForm, loadForms } from '@xmcomm/forms';
import type { Kysely } from 'kysely';
import { countIndexesMigration, searchIndexesMigration } from './migrations.js';
import { defineRecordType, type RecordType } from './record-type.js';

/** The record type a form definition declares: its table, labels, title, search, rules and signer. */
export function formRecordType(form: CompiledForm): RecordType {
  const { definition } = form;
  return defineRecordType({
    name: definition.name,
    table: form.table,
    refLetter: definition.refLetter,
    label: definition.label,
    fields: form.fieldLabels,
    formFields: definition.fields.map((field) => field.name),
    title: form.title,
    search: { names: definition.search.names, places: definition.search.places },
    eventDate: definition.eventDate,
    sex: null,
    rules: (row, context) => form.rules(row, context.today),
    privileges: { validate: definition.signer.privilege },
  });
}

/**
 * Installs a definition file's text on a site: checked, compared with the installed version, its
 * table created (or given the new optional fields) with the search and count indexes the kit's
 * lists need, and recorded, in one transaction. Record types are read at start: restart `serve`.
 */
export function installSiteForm(
  // biome-ignore lint/suspicious/noExplicitAny: form tables are chosen at run time
  db: Kysely<any>,
  source: string,
  options: { readonly by: string },
): Promise<InstallResult> {
  return installForm(db, 'site', source, {
    by: options.by,
    alsoRun: async (trx, form) => {
      const type = formRecordType(form);
      await searchIndexesMigration([type]).up(trx);
      await countIndexesMigration([type]).up(trx);
    },
  });
}

/** The record types of the forms installed on this site, in name order, with their compiled forms. */
export async function siteFormRecordTypes(
  // biome-ignore lint/suspicious/noExplicitAny: form tables are chosen at run time
  db: Kysely<any>,
): Promise<{ readonly type: RecordType; readonly form: CompiledForm }[]> {
  const forms = await loadForms(db, 'site');
  return forms.map((form) => ({ type: formRecordType(form), form }));
}
