import { createHash } from 'node:crypto';
import {
  type DefaultTemplateId,
  DocumentsError,
  defaultTemplatePath,
  issueDocument,
  type Language,
  loadTemplateFile,
  type SealSigner,
  type Template,
} from '@xmcomm/documents';
import { recordEvent, requireAction } from '@xmcomm/site-kit';
import { type ActRef, type CentreContext, formatActRef, getAct } from './acts.js';
import { EcrError, viaKit } from './errors.js';
import { documentDataOf, valueLabelsOf } from './print-data.js';
import { ecrRecordTypes } from './record-types.js';
import type { SessionUser } from './users.js';

// Printing a full copy or an extract of a validated act. The issue is recorded (who, when, which
// template, the document id) as a row of the exchanged table issued_documents, in the transaction
// that decides it: the sync sends it like an act and the server charges it to the centre's account.
// The same transaction writes the act's `printed` history line.

export const documentKinds = ['copy', 'extract'] as const;
export type DocumentKind = (typeof documentKinds)[number];

export interface PrintOptions {
  readonly kind: DocumentKind;
  /** The language values print in (dates, sexes); default the template's. */
  readonly language?: Language;
  /** A site's edited template; by default the shipped one for the act's kind and `kind`. */
  readonly template?: Template;
  /** The centre's document key (never the container key): `ecr document-key`. */
  readonly signer: SealSigner;
  readonly now?: () => Date;
}

export interface PrintedDocument {
  readonly pdf: Uint8Array;
  readonly seal: string;
  readonly documentId: string;
  readonly ref: string;
  readonly kind: DocumentKind;
  readonly language: Language;
  readonly template: { readonly id: string; readonly version: number; readonly sha256: string };
  readonly issuedBy: string;
  readonly issuedAt: Date;
}

/** The SHA-256 (hex) of a checked template: images inlined, so an edited logo is a new hash. */
export function templateHash(template: Template): string {
  return createHash('sha256').update(JSON.stringify(template)).digest('hex');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function templateFor(ref: ActRef, options: PrintOptions): Template {
  const template =
    options.template ??
    loadTemplateFile(defaultTemplatePath(`${ref.kind}-${options.kind}` as DefaultTemplateId));
  if (template.recordType !== ref.kind || template.documentKind !== options.kind) {
    throw new EcrError('usage', {
      detail: `The template ${template.id} prints a ${template.documentKind} of a ${template.recordType} act, not a ${options.kind} of a ${ref.kind} act.`,
      detailFr: `Le modèle ${template.id} imprime un(e) ${template.documentKind} d'acte ${template.recordType}, pas un(e) ${options.kind} d'acte ${ref.kind}.`,
    });
  }
  return template;
}

/** Reads a template file for `ecr print --template`, its faults as a usage error naming the place. */
export function readTemplate(file: string): Template {
  try {
    return loadTemplateFile(file);
  } catch (cause) {
    if (DocumentsError.isInstance(cause))
      throw new EcrError('usage', { detail: cause.message, detailFr: cause.messageFr }, { cause });
    throw cause;
  }
}

/**
 * Prints a copy or an extract of a validated (or sealed, or exported) act and records it. Refuses a
 * draft (`invalid-state`) and a user below the record type's `print` privilege (`permission-denied`).
 * The PDF is returned only once its issue is committed.
 */
export async function printAct(
  ctx: CentreContext,
  user: SessionUser,
  ref: ActRef,
  options: PrintOptions,
): Promise<PrintedDocument> {
  if (!(documentKinds as readonly string[]).includes(options.kind))
    throw new EcrError('usage', {
      detail: '--kind is copy or extract.',
      detailFr: '--kind vaut copy ou extract.',
    });
  const type = ecrRecordTypes.find((candidate) => candidate.name === ref.kind);
  if (!type) throw new EcrError('not-found', { what: 'act type', whatFr: "type d'acte", id: ref.kind });
  await viaKit(Promise.resolve().then(() => requireAction(user, type, 'print')));
  const act = await getAct(ctx, user, ref);
  const id = formatActRef(ref);
  if (act.status < 2 || act.niu === null) {
    throw new EcrError('invalid-state', {
      detail: `Act ${id} is not validated yet: only a validated act is printed.`,
      detailFr: `L'acte ${id} n'est pas encore validé : seul un acte validé s'imprime.`,
    });
  }
  const template = templateFor(ref, options);
  const language = options.language ?? template.language ?? 'fr';
  const hash = templateHash(template);
  const issuedAt = new Date(Math.floor((options.now?.() ?? new Date()).getTime() / 1000) * 1000);
  const data = documentDataOf(ref.kind, act.fields, ctx.centre);
  const labels = valueLabelsOf(ref.kind, type);
  return ctx.db.transaction().execute(async (trx) => {
    const { numero } = await trx
      .insertInto('xm_data.issued_documents')
      .values({
        status: 1,
        kind: options.kind,
        record_table: type.table.name,
        record_numero: ref.numero,
        record_niu: act.niu as string,
        language,
        template_id: template.id,
        template_version: template.version,
        template_sha256: hash,
        issued_by: user.login,
        issued_at: issuedAt,
        signer_sha256: sha256(options.signer.certificate),
      })
      .returning('numero')
      .executeTakeFirstOrThrow();
    // The centre code first, as in every id the centre sends (the server refuses another's).
    const documentId = `${ctx.centre.centreCode}-D${String(numero).padStart(6, '0')}`;
    const issued = await issueDocument({
      template,
      data,
      issuer: ctx.centre.matricule,
      niu: act.niu as string,
      documentId,
      issuedAt,
      signer: options.signer,
      language,
      labels,
    }).catch((cause: unknown) => {
      if (DocumentsError.isInstance(cause))
        throw new EcrError('usage', { detail: cause.message, detailFr: cause.messageFr }, { cause });
      throw cause;
    });
    await trx
      .updateTable('xm_data.issued_documents')
      .set({ status: 2, niu: documentId })
      .where('numero', '=', numero)
      .execute();
    // The act's history says it was printed (who and when are the line's own), with the document.
    await recordEvent(
      trx as unknown as Parameters<typeof recordEvent>[0],
      type,
      ref.numero,
      'printed',
      user,
      {
        kind: options.kind,
        document: documentId,
        template: `${template.id} v${template.version}`,
      },
    );
    return {
      pdf: issued.pdf,
      seal: issued.seal,
      documentId,
      ref: id,
      kind: options.kind,
      language,
      template: { id: template.id, version: template.version, sha256: hash },
      issuedBy: user.login,
      issuedAt,
    };
  });
}
