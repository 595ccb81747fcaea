/**
 * What a site's users call a record ("un acte", "une fiche", "a card"), as whole phrases: French
 * gender and elision are written out in each phrase, never derived from the noun, and `feminine`
 * says which of two whole words (vérifiée / vérifié) agree with it.
 */
export interface RecordNoun {
  readonly en: {
    /** `record`, lower case. */
    readonly one: string;
    /** `records`. */
    readonly many: string;
  };
  readonly fr: {
    /** `fiche`, `acte`. */
    readonly one: string;
    /** `fiches`, `actes`. */
    readonly many: string;
    /** `la fiche`, `l'acte`. */
    readonly the: string;
    /** `cette fiche`, `cet acte`. */
    readonly this: string;
    /** After "type", "nombre": `de fiche`, `d'acte`. */
    readonly of: string;
    /** `aucune fiche`, `aucun acte`. */
    readonly none: string;
    /** `nouvelle fiche`, `nouvel acte`. */
    readonly new: string;
    /** Whether participles and adjectives take their feminine form. */
    readonly feminine: boolean;
  };
}

/** The kit's own word, for a site that declares none. */
export const defaultRecordNoun: RecordNoun = {
  en: { one: 'record', many: 'records' },
  fr: {
    one: 'fiche',
    many: 'fiches',
    the: 'la fiche',
    this: 'cette fiche',
    of: 'de fiche',
    none: 'aucune fiche',
    new: 'nouvelle fiche',
    feminine: true,
  },
};
