import type { RecordNoun } from '@xmcomm/site-kit';
import type { Text } from '@xmcomm/web-kit';

// The workstation's words that name a record, in the site's noun ("acte" for ECR's clerks, "fiche"
// by default). The noun's phrases go in whole; a French participle agreeing with it is one of two
// whole words, chosen by the noun's gender.

const capital = (phrase: string) => phrase.charAt(0).toUpperCase() + phrase.slice(1);

/** Every text of the pages that names a record, for one noun. */
export function nounTexts(noun: RecordNoun) {
  const { en, fr } = noun;
  /** The French word agreeing with the noun: `agree('vérifiée', 'vérifié')`. */
  const agree = (feminine: string, masculine: string) => (fr.feminine ? feminine : masculine);
  const One = { en: capital(en.one), fr: capital(fr.one) };
  return {
    newRecord: { en: `New ${en.one}`, fr: capital(fr.new) },
    records: { en: capital(en.many), fr: capital(fr.many) },
    record: One,
    toVerify: { en: `${capital(en.many)} to verify`, fr: `${capital(fr.many)} à vérifier` },
    toValidate: {
      en: `Verified ${en.many} to validate`,
      fr: `${capital(fr.many)} ${agree('vérifiées', 'vérifiés')} à valider`,
    },
    refused: { en: 'Refused by the server', fr: `${agree('Refusées', 'Refusés')} par le serveur` },
    countsByStatus: { en: `${capital(en.many)} by status`, fr: `${capital(fr.many)} par statut` },
    carried: {
      en: `{when}: {rows} ${en.one}(s) of {table}, {state}.`,
      fr: `{when} : {rows} ${fr.one}(s) de {table}, {state}.`,
    },
    chooseType: { en: `What kind of ${en.one}?`, fr: `Quel type ${fr.of} ?` },
    drafted: {
      en: `${One.en} {ref} was saved as a draft.`,
      fr: `${capital(fr.the)} {ref} a été ${agree('enregistrée', 'enregistré')} comme brouillon.`,
    },
    edited: {
      en: `${One.en} {ref} was changed.`,
      fr: `${capital(fr.the)} {ref} a été ${agree('modifiée', 'modifié')}.`,
    },
    verified: {
      en: `${One.en} {ref} is verified.`,
      fr: `${capital(fr.the)} {ref} est ${agree('vérifiée', 'vérifié')}.`,
    },
    validated: {
      en: `${One.en} {ref} is validated. Its NIU: {niu}`,
      fr: `${capital(fr.the)} {ref} est ${agree('validée', 'validé')}. Son NIU : {niu}`,
    },
    cancelled: {
      en: `${One.en} {ref} was cancelled.`,
      fr: `${capital(fr.the)} {ref} a été ${agree('annulée', 'annulé')}.`,
    },
    noRecords: { en: `No ${en.one} matches.`, fr: `${capital(fr.none)} ne correspond.` },
    resultCount: {
      en: `{total} ${en.one}(s); page {page} of {pages}.`,
      fr: `{total} ${fr.one}(s) ; page {page} sur {pages}.`,
    },
    resultCountMore: {
      en: `More than {total} ${en.many}; page {page} of {pages}. Narrow the search to see the others.`,
      fr: `Plus de {total} ${fr.many} ; page {page} sur {pages}. Précisez la recherche pour voir les autres.`,
    },
    signedBy: {
      en: 'Signed by {signer} on {at}: {validity}.',
      fr: `${agree('Signée', 'Signé')} par {signer} le {at} : {validity}.`,
    },
    signatureInvalid: {
      en: `THE SIGNATURE DOES NOT MATCH THE ${en.one.toUpperCase()}`,
      fr: `LA SIGNATURE NE CORRESPOND PAS À ${fr.the.toUpperCase()}`,
    },
    notSigned: {
      en: 'Not signed yet (the head signs when validating).',
      fr: `Pas encore ${agree('signée', 'signé')} (le chef signe en validant).`,
    },
    refusedBecause: {
      en: `The server refused this ${en.one}: {reason}`,
      fr: `Le serveur a refusé ${fr.this} : {reason}`,
    },
    imported: {
      en: 'Imported from {origin}: read only.',
      fr: `${agree('Importée', 'Importé')} de {origin} : lecture seule.`,
    },
    noActions: {
      en: `No action is open to you on this ${en.one}.`,
      fr: `Aucune action ne vous est ouverte sur ${fr.this}.`,
    },
    cancel: { en: `Cancel the ${en.one}`, fr: `Annuler ${fr.the}` },
    noRefusals: { en: `No refused ${en.one}.`, fr: `${capital(fr.none)} ${agree('refusée', 'refusé')}.` },
    /** History line kinds, as the kit writes them. */
    events: {
      drafted: { en: 'drafted', fr: agree('rédigée', 'rédigé') },
      edited: { en: 'edited', fr: agree('modifiée', 'modifié') },
      verified: { en: 'verified', fr: agree('vérifiée', 'vérifié') },
      validated: { en: 'validated and signed', fr: agree('validée et signée', 'validé et signé') },
      cancelled: { en: 'cancelled', fr: agree('annulée', 'annulé') },
      sealed: { en: 'sealed for the server', fr: agree('scellée pour le serveur', 'scellé pour le serveur') },
      sent: { en: 'sent to the server', fr: agree('envoyée au serveur', 'envoyé au serveur') },
      imported: { en: 'imported', fr: agree('importée', 'importé') },
      printed: { en: 'printed', fr: agree('imprimée', 'imprimé') },
      exported: {
        en: 'acknowledged by the server',
        fr: agree('reçue par le serveur', 'reçu par le serveur'),
      },
      rejected: { en: 'refused by the server', fr: agree('refusée par le serveur', 'refusé par le serveur') },
      held: {
        en: "held for the centre's account",
        fr: agree('retenue pour le compte du centre', 'retenu pour le compte du centre'),
      },
    } as Readonly<Record<string, Text>>,
  } satisfies Record<string, Text | Readonly<Record<string, Text>>>;
}

export type NounTexts = ReturnType<typeof nounTexts>;
