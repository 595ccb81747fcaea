import type { Command } from 'commander';
import { requirePrivilege } from '../users.js';
import type { SiteSession } from './commands.js';
import { createDocumentKey, importDocumentCertificate } from './document-key.js';
import { readTextFile } from './files.js';
import type { SiteWords } from './link-files.js';

type Bilingual = { readonly en: string; readonly fr: string };

/** How an app names what its document key seals and who certifies it, in both languages. */
export interface DocumentKeyWords extends SiteWords {
  /** What the key seals: `bulletins`, `documents`. English (the French is in the app's help). */
  readonly sealed: string;
  /** Who issues the certificate: `the register`. English (the French is in the app's help). */
  readonly issuer: string;
  /** `the register's operator` / `l'opérateur du casier`. */
  readonly operator: Bilingual;
  /** `a signatory of the court` / `signataire du tribunal`. */
  readonly signatory: Bilingual;
}

export interface DocumentKeyDeps {
  readonly words: DocumentKeyWords;
  readonly language: () => 'en' | 'fr';
  readonly print: (human: string, json: unknown) => void;
  readonly asUser: <T>(body: (session: SiteSession) => Promise<T>) => Promise<T>;
  readonly dataDir: () => string;
  /** The document key's passphrase: <PREFIX>_DOCUMENT_KEY_PASSPHRASE or a prompt. */
  readonly passphrase: () => Promise<string>;
}

/** `document-key create` and `document-key import`, for the site's head (privilege 3) only. */
export function registerDocumentKeyCommands(program: Command, deps: DocumentKeyDeps): Command {
  const { words } = deps;
  const fr = () => deps.language() === 'fr';
  const group = program
    .command('document-key')
    .description(
      `the ${words.site.en}'s document key, which seals the ${words.sealed} it prints (not its container key)`,
    );
  group
    .command('create')
    .description(
      `make the document key (passphrase from ${words.envPrefix}_DOCUMENT_KEY_PASSPHRASE) and its certificate request`,
    )
    .action(() =>
      deps.asUser(async ({ user, identity }) => {
        requirePrivilege(user, 3, { en: 'make the document key', fr: 'créer la clé de documents' });
        const made = await createDocumentKey(deps.dataDir(), identity, await deps.passphrase());
        const next = `\`${words.command} document-key import\``;
        deps.print(
          fr()
            ? `Envoyez ${made.requestPath} à ${words.operator.fr}, qui l'enregistre comme ${words.signatory.fr}, puis ${next}.`
            : `Send ${made.requestPath} to ${words.operator.en}, who registers it as ${words.signatory.en}, then ${next}.`,
          made,
        );
      }),
    );
  group
    .command('import <file>')
    .description(`install the document key's certificate ${words.issuer} issued`)
    .action((file: string) =>
      deps.asUser(async ({ user }) => {
        requirePrivilege(user, 3, { en: 'install the document key', fr: 'installer la clé de documents' });
        const installed = await importDocumentCertificate(deps.dataDir(), await readTextFile(file), words);
        deps.print(
          fr()
            ? `Certificat de la clé de documents installé (${installed.subject}).`
            : `Installed the document key's certificate (${installed.subject}).`,
          installed,
        );
      }),
    );
  return group;
}
