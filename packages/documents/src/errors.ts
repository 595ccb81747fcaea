/** Every failure this package throws, by a stable code that callers and scripts may rely on. */
export const DOCUMENTS_ERROR_CODES = [
  'invalid-argument',
  'invalid-template',
  'missing-field',
  'render-failed',
  'invalid-trust-list',
  'trust-list-older',
  'trust-list-other-ca',
  'trust-list-expired',
  'unreadable-file',
  'pdftoppm-missing',
  'input-missing',
  'no-seal-found',
] as const;

export type DocumentsErrorCode = (typeof DOCUMENTS_ERROR_CODES)[number];

interface Sentence {
  readonly en: string;
  readonly fr: string;
}

const MESSAGES: Readonly<Record<DocumentsErrorCode, Sentence>> = {
  'invalid-argument': { en: 'An argument is not valid.', fr: "Un argument n'est pas valide." },
  'invalid-template': {
    en: 'The template is not valid: correct it where the message says.',
    fr: "Le modèle n'est pas valide : corrigez-le à l'endroit indiqué.",
  },
  'missing-field': {
    en: 'The data lack a field the template prints.',
    fr: 'Il manque aux données un champ que le modèle imprime.',
  },
  'render-failed': { en: 'The PDF could not be rendered.', fr: "Le PDF n'a pas pu être produit." },
  'invalid-trust-list': {
    en: 'The trust list is damaged or its signature does not verify.',
    fr: "La liste de confiance est endommagée ou sa signature n'est pas valide.",
  },
  'trust-list-older': {
    en: 'This trust list is older than the one already held: it is refused.',
    fr: 'Cette liste de confiance est plus ancienne que celle déjà détenue : elle est refusée.',
  },
  'trust-list-other-ca': {
    en: 'This trust list is signed under another national CA than the one already held.',
    fr: "Cette liste de confiance relève d'une autre AC nationale que celle déjà détenue.",
  },
  'trust-list-expired': {
    en: 'The trust list has expired: get a newer one from the central server.',
    fr: 'La liste de confiance a expiré : obtenez-en une plus récente du serveur central.',
  },
  'unreadable-file': {
    en: 'The file cannot be read as a PNG or JPEG image or a PDF.',
    fr: 'Le fichier ne peut pas être lu comme image PNG ou JPEG ni comme PDF.',
  },
  'pdftoppm-missing': {
    en: 'Reading a PDF needs pdftoppm (poppler-utils).',
    fr: 'La lecture d’un PDF nécessite pdftoppm (poppler-utils).',
  },
  'input-missing': { en: 'No such file.', fr: 'Fichier introuvable.' },
  'no-seal-found': {
    en: 'No QR code found: scan the page again, straighter and sharper.',
    fr: 'Aucun code QR trouvé : scannez de nouveau la page, plus droite et plus nette.',
  },
};

export function describeDocumentsError(code: DocumentsErrorCode, lang: 'en' | 'fr' = 'en'): string {
  return MESSAGES[code][lang];
}

const MARKER = Symbol.for('@xmcomm/documents/DocumentsError');

export interface DocumentsErrorOptions {
  /** A detail appended to the standard sentence: where in a template, which field. */
  readonly detail?: string;
  readonly cause?: unknown;
}

/** The one error class of this package; `code` is stable, `messageFr` gives the French text. */
export class DocumentsError extends Error {
  readonly code: DocumentsErrorCode;
  readonly detail: string | undefined;
  readonly [MARKER] = true;

  constructor(code: DocumentsErrorCode, options: DocumentsErrorOptions = {}) {
    const sentence = describeDocumentsError(code);
    super(options.detail ? `${sentence} (${options.detail})` : sentence, { cause: options.cause });
    this.name = 'DocumentsError';
    this.code = code;
    this.detail = options.detail;
  }

  static isInstance(value: unknown): value is DocumentsError {
    return typeof value === 'object' && value !== null && MARKER in value;
  }

  get messageFr(): string {
    const sentence = describeDocumentsError(this.code, 'fr');
    return this.detail ? `${sentence} (${this.detail})` : sentence;
  }

  toJSON(): { name: string; code: DocumentsErrorCode; message: string; detail?: string } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.detail === undefined ? {} : { detail: this.detail }),
    };
  }
}
