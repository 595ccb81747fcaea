import { writeFile } from 'node:fs/promises';
import type { Language } from '@xmcomm/schema';
import { type Command, Option } from 'commander';
import type { ActRef, CentreContext } from './acts.js';
import type { CliIo } from './cli-io.js';
import {
  createDocumentKey,
  documentKeyPassphraseVariable,
  importDocumentCertificate,
  loadDocumentSigner,
} from './document-key.js';
import { fileError, readTextFile } from './files.js';
import type { DocumentKind } from './print.js';
import { readSecret } from './prompt.js';
import type { ActKind } from './rules.js';
import { requirePrivilege, type SessionUser } from './users.js';

// `ecr print` (a copy or an extract of a validated act, recorded and charged) and `ecr document-key`
// (the key that signs the documents' seals).

export interface PrintCommandDeps {
  readonly io: CliIo;
  readonly asUser: <T>(
    body: (ctx: CentreContext, user: SessionUser, password: string) => Promise<T>,
  ) => Promise<T>;
  readonly language: () => Language;
  readonly dataDir: () => string;
  readonly print: (human: string, json: unknown) => void;
  readonly resolve: (ctx: CentreContext, text: string, kind?: ActKind) => Promise<ActRef>;
  readonly kindOption: () => Option;
}

const t = (language: Language, en: string, fr: string) => (language === 'fr' ? fr : en);

const documentKinds: readonly DocumentKind[] = ['copy', 'extract'];

/** One document issued from an act, as its `printed` history line says (`ecr act show`). */
export interface PrintedLine {
  readonly kind: string;
  readonly document: string;
  readonly template: string;
  readonly by: string | null;
  readonly at: Date;
}

/** The act's `printed` history lines, oldest first. */
export function printedLines(
  events: readonly { kind: string; user: string | null; at: Date; detail: unknown }[],
): PrintedLine[] {
  return events
    .filter((event) => event.kind === 'printed')
    .map((event) => {
      const detail = (event.detail ?? {}) as Record<string, unknown>;
      return {
        kind: String(detail.kind ?? ''),
        document: String(detail.document ?? ''),
        template: String(detail.template ?? ''),
        by: event.user,
        at: event.at,
      };
    });
}

const kindWords: Readonly<Record<string, { en: string; fr: string }>> = {
  copy: { en: 'printed a full copy', fr: 'copie intégrale imprimée' },
  extract: { en: 'printed an extract', fr: 'extrait imprimé' },
};

/** `printed an extract, document 102034-D000001 (template birth-extract v2), by sec on 2026-03-15 10:00 UTC`. */
export function describePrinted(line: PrintedLine, language: Language): string {
  const words = kindWords[line.kind] ?? { en: `printed ${line.kind}`, fr: `${line.kind} imprimé(e)` };
  const at = `${line.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return t(
    language,
    `${words.en}, document ${line.document} (template ${line.template}), by ${line.by ?? '?'} on ${at}`,
    `${words.fr}, document ${line.document} (modèle ${line.template}), par ${line.by ?? '?'} le ${at}`,
  );
}

export function registerPrintCommands(program: Command, deps: PrintCommandDeps): void {
  const { io, language, print } = deps;
  program
    .command('print <ref>')
    .description(
      'print a copy or an extract of a validated act as a sealed PDF; each issue is recorded and charged to the centre',
    )
    .addOption(
      new Option('--kind <kind>', 'copy (full copy) or extract').choices(documentKinds).makeOptionMandatory(),
    )
    .requiredOption('--out <file>', 'the PDF file to write')
    .addOption(
      new Option('--language <language>', "language of dates and values (default the template's)").choices([
        'fr',
        'en',
      ]),
    )
    .option('--template <file>', "a site's edited template (default the shipped one)")
    .addOption(deps.kindOption())
    .action(
      (
        text: string,
        options: {
          kind: DocumentKind;
          out: string;
          language?: 'fr' | 'en';
          template?: string;
          type?: ActKind;
        },
      ) =>
        deps.asUser(async (ctx, user) => {
          // Loaded here: the PDF engine is for this command only, not for every ecr start.
          const { printAct, readTemplate } = await import('./print.js');
          const template = options.template ? readTemplate(options.template) : undefined;
          const signer = await loadDocumentSigner(deps.dataDir(), io.env[documentKeyPassphraseVariable]);
          const ref = await deps.resolve(ctx, text, options.type);
          const printed = await printAct(ctx, user, ref, {
            kind: options.kind,
            signer,
            ...(options.language ? { language: options.language } : {}),
            ...(template ? { template } : {}),
            ...(io.now ? { now: io.now } : {}),
          });
          try {
            await writeFile(options.out, printed.pdf);
          } catch (cause) {
            // The issue is recorded: printing the same act again issues (and charges) a new document.
            throw fileError(cause, options.out, 'write');
          }
          const { pdf: _pdf, seal: _seal, ...record } = printed;
          const lang = language();
          print(
            t(
              lang,
              `Printed ${printed.kind === 'copy' ? 'a full copy' : 'an extract'} of ${printed.ref}: document ${printed.documentId}, ${options.out} (template ${printed.template.id} v${printed.template.version}).`,
              `${printed.kind === 'copy' ? 'Copie intégrale' : 'Extrait'} de ${printed.ref} imprimé(e) : document ${printed.documentId}, ${options.out} (modèle ${printed.template.id} v${printed.template.version}).`,
            ),
            {
              ...record,
              issuedAt: printed.issuedAt.toISOString(),
              out: options.out,
              bytes: printed.pdf.length,
            },
          );
        }),
    );

  const documentKey = program
    .command('document-key')
    .description("the centre's document key, which signs the QR seal of the documents it prints");
  documentKey
    .command('create')
    .description(
      `make the document key (passphrase in ${documentKeyPassphraseVariable}) and its certificate request for the central server`,
    )
    .action(() =>
      deps.asUser(async (ctx, user) => {
        requirePrivilege(user, 3, { en: 'create the document key', fr: 'créer la clé de documents' });
        const passphrase = await readSecret(
          io.env,
          documentKeyPassphraseVariable,
          t(language(), 'Document key passphrase: ', 'Phrase de passe de la clé de documents : '),
          io.terminal,
        );
        const files = await createDocumentKey(
          deps.dataDir(),
          { matricule: ctx.centre.matricule, ...(ctx.centre.name ? { name: ctx.centre.name } : {}) },
          passphrase,
        );
        print(
          t(
            language(),
            `Document key created. Send ${files.requestPath} to the central server; it registers the key as the centre's signatory and returns a certificate for \`ecr document-key import\`.`,
            `Clé de documents créée. Envoyez ${files.requestPath} au serveur central ; il enregistre la clé comme signataire du centre et renvoie un certificat pour \`ecr document-key import\`.`,
          ),
          files,
        );
      }),
    );
  documentKey
    .command('import <file>')
    .description('install the certificate the central server issued for the document key')
    .action(async (file: string) => {
      const installed = await importDocumentCertificate(deps.dataDir(), await readTextFile(file));
      print(
        t(
          language(),
          `Installed the document key's certificate for ${installed.subject} (valid to ${installed.validTo}).`,
          `Certificat de la clé de documents installé pour ${installed.subject} (valide jusqu'au ${installed.validTo}).`,
        ),
        installed,
      );
    });
}
