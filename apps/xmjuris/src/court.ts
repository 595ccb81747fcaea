import type { SiteDatabase } from '@xmcomm/schema';
import { createSiteKit, localToday, readSiteIdentity, type SiteKit } from '@xmcomm/site-kit';
import { type SiteAccessIo, type SiteAccessOptions, siteAccess } from '@xmcomm/site-kit/cli';
import type { Kysely } from 'kysely';
import { JurisError, usage } from './errors.js';
import { jurisMigrations, jurisRecordTypes, jurisRoleNames } from './record-types.js';

/** What `xmjuris` takes from its process: the bin passes the real ones, tests their own. */
export interface JurisIo extends SiteAccessIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Ends `xmjuris serve` and `xmjuris sync` when aborted; the bin wires it to SIGINT and SIGTERM. */
  readonly signal?: AbortSignal;
  /** The clock of the bulletins' dates (tests pin it). */
  readonly now?: () => Date;
}

/** The court's kit: its record types, its identity, its roles. */
export function courtKit(db: Kysely<SiteDatabase>, today: () => string): SiteKit {
  return createSiteKit({
    db,
    recordTypes: jurisRecordTypes,
    centre: async () => {
      const court = await readSiteIdentity(db);
      return { matricule: court?.matricule ?? '', centreCode: court?.centreCode ?? '' };
    },
    today,
    roleNames: jurisRoleNames,
  });
}

/** How the commands reach the court's database, its folder and its logged-in user: the kit's. */
export function courtAccess(io: JurisIo, options: () => SiteAccessOptions) {
  const today = io.today ?? localToday;
  const access = siteAccess(io, options, {
    words: { command: 'xmjuris', site: { en: 'court', fr: 'tribunal' }, envPrefix: 'XMJURIS' },
    folder: 'xmcomm-xmjuris',
    migrations: jurisMigrations,
    today,
    kit: (db) => courtKit(db, today),
    notSetUp: () =>
      new JurisError(
        'not-initialised',
        'The court is not set up: run `xmjuris init`.',
        "Le tribunal n'est pas configuré : lancez `xmjuris init`.",
      ),
    passwordRequired: (variable) =>
      new JurisError(
        'password-required',
        `Give the password in ${variable}.`,
        `Donnez le mot de passe dans ${variable}.`,
      ),
    noUser: () =>
      usage(
        'Say who you are: --user <login> (or XMJURIS_USER).',
        'Indiquez qui vous êtes : --user <identifiant> (ou XMJURIS_USER).',
      ),
  });
  return { ...access, requireCourt: access.requireSite };
}
