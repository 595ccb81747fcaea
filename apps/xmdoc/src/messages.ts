import type { Language } from '@xmcomm/cli-kit';
import type { XmdocErrorCode } from './errors.js';

type Sentences = { readonly [C in XmdocErrorCode]: { readonly en: string; readonly fr: string } };

const errors: Sentences = {
  'invalid-argument': { en: 'an argument is not valid', fr: "un argument n'est pas valide" },
  'input-missing': { en: 'no such file', fr: 'fichier introuvable' },
  'no-seal-found': {
    en: 'no QR code found: scan the page again, straighter and sharper',
    fr: 'aucun code QR trouvé : scannez de nouveau la page, plus droite et plus nette',
  },
  'unreadable-file': {
    en: 'the file cannot be read as a PNG or JPEG image or a PDF',
    fr: 'le fichier ne peut pas être lu comme image PNG ou JPEG ni comme PDF',
  },
  'pdftoppm-missing': {
    en: 'reading a PDF needs pdftoppm: install poppler-utils',
    fr: 'la lecture d’un PDF nécessite pdftoppm : installez poppler-utils',
  },
  'no-trust-list': {
    en: 'no trust list: give one with --trust FILE (xmserver trust-list export)',
    fr: 'aucune liste de confiance : donnez-en une avec --trust FICHIER (xmserver trust-list export)',
  },
  'invalid-trust-list': {
    en: 'the trust list is damaged or its signature does not verify',
    fr: "la liste de confiance est endommagée ou sa signature n'est pas valide",
  },
  'trust-list-older': {
    en: 'this trust list is older than the one already held: refused',
    fr: 'cette liste de confiance est plus ancienne que celle déjà détenue : refusée',
  },
  'trust-list-other-ca': {
    en: 'this trust list is under another national CA than the one already held: refused',
    fr: "cette liste de confiance relève d'une autre AC nationale que celle déjà détenue : refusée",
  },
  'invalid-template': { en: 'the template is not valid', fr: "le modèle n'est pas valide" },
  'missing-field': {
    en: 'the data lack a field the template prints',
    fr: 'il manque aux données un champ que le modèle imprime',
  },
  'render-failed': { en: 'the PDF could not be rendered', fr: "le PDF n'a pas pu être produit" },
  'key-unreadable': {
    en: 'the signing key or certificate cannot be read (passphrase in XM_KEY_PASSPHRASE)',
    fr: 'la clé ou le certificat de signature est illisible (phrase de passe dans XM_KEY_PASSPHRASE)',
  },
  'cannot-write': { en: 'cannot write the file', fr: "impossible d'écrire le fichier" },
  internal: { en: 'internal error', fr: 'erreur interne' },
};

export function describeError(code: XmdocErrorCode, detail: string, lang: Language): string {
  const sentence = errors[code][lang];
  return detail ? `${sentence} (${detail})` : sentence;
}

export const words = {
  en: {
    trustList: 'Trust list',
    sequence: 'no.',
    expires: 'expires',
    keptNewer: 'newer trust list kept',
    written: 'written',
  },
  fr: {
    trustList: 'Liste de confiance',
    sequence: 'n°',
    expires: 'expire le',
    keptNewer: 'liste de confiance plus récente conservée',
    written: 'écrit',
  },
} as const;
