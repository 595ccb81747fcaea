import type { Privilege } from '@xmcomm/site-kit';
import type { DocumentKeyWords, SiteFrenchWords, SiteProgramWords } from '@xmcomm/site-kit/cli';

/** How XMJuris names itself, its site and its environment variables in the site kit's messages. */
export const jurisWords: SiteProgramWords & DocumentKeyWords = {
  command: 'xmjuris',
  site: { en: 'court', fr: 'tribunal' },
  envPrefix: 'XMJURIS',
  ofSite: { en: "the court's", fr: 'du tribunal' },
  isSetUp: (m) => ({ en: `Court ${m} is set up`, fr: `Le tribunal ${m} est configuré` }),
  head: { option: 'clerk', en: 'clerk', fr: 'greffier', note: 'greffier' },
  register: 'the national criminal register',
  serverCertificate: "the national register's server certificate (PEM)",
  operator: { en: "the register's operator", fr: "l'opérateur du casier" },
  sealed: 'bulletins',
  issuer: 'the register',
  signatory: { en: 'a signatory of the court', fr: 'signataire du tribunal' },
};

/** The French the kit's help cannot guess. */
export const jurisFrench: SiteFrenchWords = {
  head: 'le greffier',
  records: 'fiches',
  sealed: 'les bulletins qu’il imprime',
  issuer: 'le casier',
};

/** `user add --role`'s names. */
export const roles: Readonly<Record<string, Privilege>> = { suspended: 0, agent: 1, secretary: 2, clerk: 3 };
