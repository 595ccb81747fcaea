import { readFile } from 'node:fs/promises';
import {
  describeProblem,
  FormsError,
  type InstallResult,
  installForm,
  listForms,
  serverFormsMigrations,
} from '@xmcomm/forms';
import { migrateToLatest } from '@xmcomm/schema';
import { audited } from '../audit.js';
import { access, handler, type XmCommand } from '../command.js';
import { formatTable, type Io } from '../context.js';
import type { ServerDb } from '../database.js';
import { XmServerError } from '../errors.js';

// Document types defined without code (docs/docstream.md): the operator installs a definition file
// on the central server, checked by the same validator the sites use, its table made by the
// contract's DDL and the version recorded, with the audit line, in one transaction. The running
// service takes a new form's table in at its next housekeeping (see service.ts).

/** The register of forms, made on a server initialised before forms existed (nothing else runs). */
async function withRegister(db: ServerDb): Promise<ServerDb> {
  await migrateToLatest(db, serverFormsMigrations);
  return db;
}

function refused(error: FormsError): XmServerError {
  const lines = (language: 'en' | 'fr') =>
    [
      language === 'fr' ? error.messageFr : error.message,
      ...error.problems.map((problem) => `  ${describeProblem(problem, language)}`),
    ].join('\n');
  return new XmServerError('form-refused', error.message, {
    cause: error,
    params: { detail: lines('en'), detailFr: lines('fr'), code: error.code },
  });
}

export function registerForms(program: XmCommand, io: Io): void {
  const forms = program
    .command('forms')
    .description('document types defined by a definition file (Docstream): install and list them');
  forms
    .command('install')
    .description(
      'check a form definition file, create its table (or add its new optional fields) and record the version',
    )
    .argument('<file>', 'the definition file (JSON, xmcomm-form/1)')
    .requires(access.supervisor)
    .action(
      handler(io, async (ctx, file: string) => {
        let source: string;
        try {
          source = await readFile(file, 'utf8');
        } catch (cause) {
          throw new XmServerError('invalid-argument', `cannot read ${file}`, {
            cause,
            params: { name: 'file', value: file, hint: String(cause), hintFr: String(cause) },
          });
        }
        const db = await withRegister(await ctx.database());
        let installed: InstallResult;
        try {
          installed = await audited(db, ctx.operator, 'forms.install', async (trx) => {
            const result = await installForm(trx, 'server', source, { by: ctx.operator });
            return {
              result,
              target: result.name,
              details: {
                version: result.version,
                table: result.table,
                fingerprint: result.fingerprint,
                outcome: result.outcome,
                added: result.addedColumns.join(','),
              },
            };
          });
        } catch (error) {
          if (FormsError.isInstance(error)) throw refused(error);
          throw error;
        }
        const fr = ctx.lang === 'fr';
        const words = {
          installed: fr ? 'installé' : 'installed',
          updated: fr ? 'mis à jour' : 'updated',
          unchanged: fr ? 'déjà installé, inchangé' : 'already installed, unchanged',
        };
        ctx.print(installed, () =>
          [
            `${installed.name} v${installed.version}: ${words[installed.outcome]} (xm_data.${installed.table})`,
            `${fr ? 'empreinte' : 'fingerprint'} ${installed.fingerprint}`,
            ...(installed.addedColumns.length > 0
              ? [`${fr ? 'champs ajoutés' : 'fields added'}: ${installed.addedColumns.join(', ')}`]
              : []),
          ].join('\n'),
        );
      }),
    );
  forms
    .command('list')
    .description('the forms installed, each with its latest version and table fingerprint')
    .requires(access.readOnly)
    .action(
      handler(io, async (ctx) => {
        const db = await withRegister(await ctx.database());
        const installed = await listForms(db, 'server');
        ctx.print({ forms: installed }, () =>
          formatTable(
            ['name', 'version', 'table', 'fingerprint', 'installed'],
            installed.map((form) => [
              form.name,
              form.version,
              form.table,
              form.fingerprint.slice(0, 16),
              `${form.installedAt.toISOString().slice(0, 16)} ${form.installedBy}`,
            ]),
          ),
        );
      }),
    );
}
