import { createHash } from 'node:crypto';
import { DocumentsError, issueDocument, type Language, type SealSigner } from '@xmcomm/documents';
import type { CompiledForm } from '@xmcomm/forms';
import type { Kysely } from 'kysely';
import { SiteKitError } from './errors.js';
import type { SiteKit } from './kit.js';
import type { RecordRef, RecordType } from './record-type.js';
import { recordEvent, requireAction } from './records.js';
import type { RecordsDb } from './tables.js';
import type { SessionUser } from './users.js';

// Printing a validated record of a form-defined type: the form's template, the record's values, the
// QR seal signed by the site's document key. As ECR's print does, the issue is an issued_documents
// row (sent and charged like a record) and a `printed` history line, in the transaction that
// decides it; the PDF is returned only once that is committed.

export interface FormPrintOptions {
  readonly language?: Language;
  /** The site's document key (never its container key). */
  readonly signer: SealSigner;
  /** The issuing site: its matricule (the seal's issuer), centre code (document ids) and name (printed). */
  readonly centre: { readonly matricule: string; readonly centreCode: string; readonly name: string };
  readonly now?: () => Date;
}

export interface PrintedForm {
  readonly pdf: Uint8Array;
  readonly seal: string;
  readonly documentId: string;
  readonly ref: string;
  readonly language: Language;
  readonly template: { readonly id: string; readonly version: number; readonly sha256: string };
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

export async function printFormRecord(
  kit: SiteKit,
  // biome-ignore lint/suspicious/noExplicitAny: issued_documents and the form's table, untyped together
  db: Kysely<any>,
  user: SessionUser,
  ref: RecordRef,
  form: CompiledForm,
  options: FormPrintOptions,
): Promise<PrintedForm> {
  const type = kit.recordTypes.find((candidate) => candidate.name === ref.type) as RecordType | undefined;
  if (!type || type.name !== form.definition.name) {
    throw new SiteKitError('unknown-record-type', { type: ref.type });
  }
  requireAction(user, type, 'print');
  const view = await kit.records.get(user, ref);
  if (view.status < 2 || view.niu === null) {
    throw new SiteKitError('invalid-state', {
      detail: `${view.ref} is not validated yet: only a validated record is printed.`,
      detailFr: `${view.ref} n'est pas encore validé(e) : seul un document validé s'imprime.`,
    });
  }
  const centre = options.centre;
  const template = form.template;
  const language = options.language ?? template.language ?? 'fr';
  const templateSha256 = sha256(JSON.stringify(template));
  const issuedAt = new Date(Math.floor((options.now?.() ?? new Date()).getTime() / 1000) * 1000);
  const niu = view.niu;
  return db.transaction().execute(async (trx) => {
    const { numero } = await trx
      .insertInto('xm_data.issued_documents')
      .values({
        status: 1,
        kind: 'copy',
        record_table: type.table.name,
        record_numero: ref.numero,
        record_niu: niu,
        language,
        template_id: template.id,
        template_version: template.version,
        template_sha256: templateSha256,
        issued_by: user.login,
        issued_at: issuedAt,
        signer_sha256: sha256(options.signer.certificate),
      })
      .returning('numero')
      .executeTakeFirstOrThrow();
    // The centre code first, as in every id the centre sends (the server refuses another's).
    const documentId = `${centre.centreCode}-D${String(numero).padStart(6, '0')}`;
    const issued = await issueDocument({
      template,
      data: form.documentData(view.fields, { centreName: centre.name }),
      issuer: centre.matricule,
      niu,
      documentId,
      issuedAt,
      signer: options.signer,
      language,
      labels: form.valueLabels,
    }).catch((cause: unknown) => {
      if (DocumentsError.isInstance(cause))
        throw new SiteKitError('invalid-state', { detail: cause.message, detailFr: cause.messageFr });
      throw cause;
    });
    await trx
      .updateTable('xm_data.issued_documents')
      .set({ status: 2, niu: documentId })
      .where('numero', '=', numero)
      .execute();
    await recordEvent(trx as RecordsDb, type, ref.numero, 'printed', user, {
      kind: 'copy',
      document: documentId,
      template: `${template.id} v${template.version}`,
    });
    return {
      pdf: issued.pdf,
      seal: issued.seal,
      documentId,
      ref: view.ref,
      language,
      template: { id: template.id, version: template.version, sha256: templateSha256 },
    };
  });
}
